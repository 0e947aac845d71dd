# SPDX-License-Identifier: MIT
"""Input gradients (PyTorch autograd's semantics) of the pooling, unpooling,
pixel-shuffle and interpolate operators: ``clresample.backward.max_pool2d(input, grad_output, ...)``
returns what ``torch.autograd.grad(F.max_pool2d(input, ...), input, grad_output)``
gives.

Every function takes the forward's arguments plus ``grad_output`` (the gradient of
the forward's output, of its shape) and returns ``grad_input``: the forward input's
shape and dtype, and its layout (channels-last in, channels-last out), as the same
kind of array as ``grad_output`` (numpy in, numpy out; torch in, torch out). Float
dtypes only (float32, float64, float16, bfloat16). ``out=`` and ``context=`` work as
in :mod:`clresample.functional`.

Deterministic by construction: each grad_input element is gathered by one
work-item in a fixed order, so two calls give the same bits. Max-type pooling
takes the forward's ``indices`` (``return_indices=True``); without them the
forward's argmax is recomputed from ``input``. Average pooling reads only the
input's shape: ``input`` may be the shape tuple itself, as for ``interpolate``
(linear in its input). LP pooling has no backward yet (the library answers "not
implemented").
"""
from __future__ import annotations

from ctypes import byref, c_int64
from typing import Any, Optional, Sequence, Tuple, Union

from . import _lib
from ._array import (Arr, FLOAT_DTYPES, DTYPE_NAMES, alloc, as_input, as_output,
                     samples_f, wrap)
from ._context import Context, _ctx_handle
from ._lib import lib, check
from .functional import (Array, IntOrSeq, FloatOrSeq, _batched, _contig, _fill, _int_list,
                         _pool_params, _unpool_params,
                         _float_list, _interp_params, _is_int, _output, _result, _sizes)

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "fractional_max_pool2d", "fractional_max_pool3d",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "pixel_shuffle", "pixel_unshuffle", "interpolate",
]

Shape = Sequence[int]


def _need(name: str, fname: str) -> None:
    if not _lib.HAVE.get(name):
        raise _lib.UnsupportedError(-10, f"{_lib.LIBRARY_PATH} has no {name}: the library "
                                    f"predates the backward functions", fname)


def _unbatch(a: Arr, unbatched: bool, rank: int) -> Arr:
    """Give an unbatched companion array (grad_output, indices) the leading N = 1."""
    if unbatched and a.ndim == rank + 1:
        return Arr(a.ptr, a.dtype, (1,) + a.shape, (0,) + a.strides, a.keep, a.source)
    return a


def _float_grad(g: Arr, fname: str) -> None:
    if g.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{fname}: grad_output must be float32, float64, float16 or bfloat16, "
                        f"not {DTYPE_NAMES.get(g.dtype)}")


def _input_or_shape(input: Any, dtype: int, rank: int, fname: str) -> Tuple[Arr, bool, bool]:
    """(the forward input as an Arr, unbatched, has data): an array, or a shape."""
    if isinstance(input, (tuple, list)) and all(_is_int(v) for v in input):
        shape = tuple(int(v) for v in input)
        if any(v < 0 for v in shape):
            raise ValueError(f"{fname}: negative size in the input shape {shape}")
        a = Arr(0, dtype, shape, _contig(shape), None, None)
        b, unbatched = _batched(a, rank, fname)
        return b, unbatched, False
    b, unbatched = _batched(as_input(input), rank, fname)
    return b, unbatched, True


def _pool_bw(fname: str, kind: int, rank: int, input: Any, grad_output: Array, *,
             kernel_size: Any = None, stride: Any = None, padding: Any = 0,
             dilation: Any = 1, ceil_mode: bool = False, count_include_pad: bool = True,
             divisor_override: Optional[int] = None, output_size: Any = None,
             output_ratio: Any = None, samples: Any = None, indices: Any = None,
             norm_type: Any = None, out: Any = None, context: Optional[Context] = None) -> Array:
    _need("clrs_pool_backward", fname)
    g = as_input(grad_output, "grad_output")
    _float_grad(g, fname)
    a, unbatched, has_data = _input_or_shape(input, g.dtype, rank, fname)
    g = _unbatch(g, unbatched, rank)
    if g.ndim != a.ndim:
        raise ValueError(f"{fname}: grad_output has {g.ndim - unbatched} dimensions, the "
                         f"input {a.ndim - unbatched}")
    if kind in (_lib.POOL_ADAPTIVE_AVG, _lib.POOL_ADAPTIVE_MAX) and output_size is None:
        output_size = list(g.shape[2:])  # the forward's output: grad_output's spatial sizes
    p = _pool_params(fname, kind, kernel_size, stride, padding, dilation, ceil_mode,
                     count_include_pad, divisor_override, output_size)
    if kind == _lib.POOL_LP:
        if not isinstance(norm_type, (int, float)) or isinstance(norm_type, bool):
            raise TypeError(f"norm_type must be a float, got {norm_type!r}")
        p.norm_type = float(norm_type)
        if not has_data:
            raise ValueError(f"{fname}: the LP gradient depends on the input's values: pass "
                             f"the input array, not its shape")
    keep_samples = None
    if kind == _lib.POOL_FRACTIONAL_MAX:
        if output_size is not None:
            _fill(p, "output_size", _int_list(output_size, "output_size"), "output_size")
        elif output_ratio is not None:
            _fill(p, "output_ratio", _float_list(output_ratio, "output_ratio"), "output_ratio")
        else:
            _fill(p, "output_size", list(g.shape[2:]), "output_size")
        if samples is not None:
            s = samples_f(samples, "_random_samples")
            want = (a.shape[0], a.shape[1], rank)
            if s.shape != want:
                raise ValueError(f"{fname}: _random_samples has shape {s.shape}, expected "
                                 f"{want}")
            keep_samples = s
            p.samples = s.ctypes.data
            p.samples_dtype = _lib.F64 if s.dtype.itemsize == 8 else _lib.F32
        elif indices is None:
            raise ValueError(f"{fname}: give the forward's indices or its _random_samples "
                             f"(the windows are random)")
    idx = None
    if indices is not None:
        if kind in (_lib.POOL_AVG, _lib.POOL_ADAPTIVE_AVG, _lib.POOL_LP):
            raise ValueError(f"{fname}: average and LP pooling take no indices")
        idx = _unbatch(as_input(indices, "indices"), unbatched, rank)
    elif kind in (_lib.POOL_MAX, _lib.POOL_ADAPTIVE_MAX, _lib.POOL_FRACTIONAL_MAX) \
            and not has_data:
        raise ValueError(f"{fname}: without indices the argmax is recomputed from the "
                         f"input: pass the input array, not its shape")
    ctx = _ctx_handle(context)
    din, dgo = a.desc(), g.desc()
    o = _output(out, a.shape, g.dtype, unbatched, has_data and a.is_channels_last())
    dgi = o.desc()
    in_ptr = a.ptr if has_data else None
    if idx is not None:
        didx = idx.desc()
        st = lib.clrs_pool_backward(ctx, byref(p), byref(din), in_ptr, byref(didx), idx.ptr,
                                    byref(dgo), g.ptr, byref(dgi), o.ptr)
    else:
        st = lib.clrs_pool_backward(ctx, byref(p), byref(din), in_ptr, None, None,
                                    byref(dgo), g.ptr, byref(dgi), o.ptr)
    check(st, ctx, fname)
    del keep_samples
    return _result(o, out, g.source, unbatched)


_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
_TAIL = """
        out (Array, optional): preallocated grad_input (the input's shape, grad_output's
            dtype), written in place and returned.
        context (Context, optional): the device to run on (default: :func:`default_context`).

    Returns:
        grad_input: the input's shape, dtype and layout, as the same kind of array as
        ``grad_output``.

    Raises:
        ValueError: bad arguments or shapes (also :class:`InvalidArgumentError`, e.g. a
            grad_output whose shape is not the forward output's; an index outside the
            input plane).
        TypeError: a non-float grad_output (also :class:`DtypeError`).
        Error: a runtime failure of the library (device, OpenCL)."""


def _max_doc(r: int) -> str:
    return f"""Gradient of :func:`clresample.max_pool{r}d` with respect to its input, as
    ``torch.autograd.grad`` of ``F.max_pool{r}d``: each grad_output element is added to
    the input position that was its maximum (in increasing output order; float32 and
    float64 are PyTorch's bits).

    Args:
        input (Array): the forward input ``(N, C, {_SPATIAL[r]})`` or ``(C, {_SPATIAL[r]})``;
            with ``indices`` given only its shape is used (a shape tuple is accepted).
        grad_output (Array): gradient of the forward output (its shape).
        kernel_size, stride, padding, dilation, ceil_mode: the forward's arguments.
        indices (Array, optional): the forward's int64 indices
            (``return_indices=True``); without them the argmax is recomputed from
            ``input`` with the forward's tie and NaN rules.""" + _TAIL


def max_pool1d(input: Union[Array, Shape], grad_output: Array, kernel_size: IntOrSeq,
               stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
               dilation: IntOrSeq = 1, ceil_mode: bool = False,
               indices: Optional[Array] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool_bw("max_pool1d_backward", _lib.POOL_MAX, 1, input, grad_output,
                    kernel_size=kernel_size, stride=stride, padding=padding,
                    dilation=dilation, ceil_mode=ceil_mode, indices=indices, out=out,
                    context=context)


def max_pool2d(input: Union[Array, Shape], grad_output: Array, kernel_size: IntOrSeq,
               stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
               dilation: IntOrSeq = 1, ceil_mode: bool = False,
               indices: Optional[Array] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool_bw("max_pool2d_backward", _lib.POOL_MAX, 2, input, grad_output,
                    kernel_size=kernel_size, stride=stride, padding=padding,
                    dilation=dilation, ceil_mode=ceil_mode, indices=indices, out=out,
                    context=context)


def max_pool3d(input: Union[Array, Shape], grad_output: Array, kernel_size: IntOrSeq,
               stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
               dilation: IntOrSeq = 1, ceil_mode: bool = False,
               indices: Optional[Array] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool_bw("max_pool3d_backward", _lib.POOL_MAX, 3, input, grad_output,
                    kernel_size=kernel_size, stride=stride, padding=padding,
                    dilation=dilation, ceil_mode=ceil_mode, indices=indices, out=out,
                    context=context)


def _avg_doc(r: int) -> str:
    return f"""Gradient of :func:`clresample.avg_pool{r}d` with respect to its input, as
    ``torch.autograd.grad`` of ``F.avg_pool{r}d``: each input position receives
    ``grad_output[o] / divisor(o)`` summed over the windows ``o`` that cover it, in
    increasing output order (float32 and float64 are PyTorch's bits).

    Args:
        input (Array or Sequence[int]): the forward input, or just its shape
            ``(N, C, {_SPATIAL[r]})`` / ``(C, {_SPATIAL[r]})`` (no data is read).
        grad_output (Array): gradient of the forward output (its shape).
        kernel_size, stride, padding, ceil_mode, count_include_pad: the forward's
            arguments.""" + ("""
        divisor_override: the forward's divisor_override.""" if r > 1 else "") + _TAIL


def avg_pool1d(input: Union[Array, Shape], grad_output: Array, kernel_size: IntOrSeq,
               stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, *,
               out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool_bw("avg_pool1d_backward", _lib.POOL_AVG, 1, input, grad_output,
                    kernel_size=kernel_size, stride=stride, padding=padding,
                    ceil_mode=ceil_mode, count_include_pad=count_include_pad, out=out,
                    context=context)


def avg_pool2d(input: Union[Array, Shape], grad_output: Array, kernel_size: IntOrSeq,
               stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool_bw("avg_pool2d_backward", _lib.POOL_AVG, 2, input, grad_output,
                    kernel_size=kernel_size, stride=stride, padding=padding,
                    ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                    divisor_override=divisor_override, out=out, context=context)


def avg_pool3d(input: Union[Array, Shape], grad_output: Array, kernel_size: IntOrSeq,
               stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool_bw("avg_pool3d_backward", _lib.POOL_AVG, 3, input, grad_output,
                    kernel_size=kernel_size, stride=stride, padding=padding,
                    ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                    divisor_override=divisor_override, out=out, context=context)


def _lp_doc(r: int) -> str:
    return f"""Gradient of :func:`clresample.lp_pool{r}d` with respect to its input, as
    ``torch.autograd.grad`` of ``F.lp_pool{r}d`` (its composition ``(sign(s) * relu(|s|) *
    K) ** (1/p)``, ``s = avg_pool(x ** p)``, differentiated step by step; where a window's
    sum is 0 the gradient is 0, and NaN / inf appear where torch's do): within about
    1e-6 (f32) / 4e-15 (f64) of the gradient's scale of PyTorch's (the device's ``pow``
    is not glibc's); float16 / bfloat16 in float, rounded once, within 8 epsilons of
    the scale of PyTorch's (which rounds every step to 16 bits). ``norm_type`` = inf /
    -inf: PyTorch's ``max_pool(|x|)`` / ``-max_pool(-|x|)`` differentiated, the max-pool
    gradient at the argmax of ``|x|`` (of ``-|x|``) times ``sign(x)``: bit-exact in
    float32 / float64 (signed zeros too).

    Args:
        input (Array): the forward input ``(N, C, {_SPATIAL[r]})`` / ``(C, {_SPATIAL[r]})``
            (its values are read).
        grad_output (Array): gradient of the forward output (its shape).
        norm_type, kernel_size, stride, ceil_mode: the forward's arguments.""" + _TAIL


def lp_pool1d(input: Array, grad_output: Array, norm_type: Union[int, float], kernel_size: IntOrSeq,
              stride: Optional[IntOrSeq] = None, ceil_mode: bool = False, *,
              out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool_bw("lp_pool1d_backward", _lib.POOL_LP, 1, input, grad_output,
                    kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode,
                    norm_type=norm_type, out=out, context=context)


def lp_pool2d(input: Array, grad_output: Array, norm_type: Union[int, float], kernel_size: IntOrSeq,
              stride: Optional[IntOrSeq] = None, ceil_mode: bool = False, *,
              out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool_bw("lp_pool2d_backward", _lib.POOL_LP, 2, input, grad_output,
                    kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode,
                    norm_type=norm_type, out=out, context=context)


def lp_pool3d(input: Array, grad_output: Array, norm_type: Union[int, float], kernel_size: IntOrSeq,
              stride: Optional[IntOrSeq] = None, ceil_mode: bool = False, *,
              out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool_bw("lp_pool3d_backward", _lib.POOL_LP, 3, input, grad_output,
                    kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode,
                    norm_type=norm_type, out=out, context=context)


def _adaptive_doc(r: int, kind: str) -> str:
    s = f"""Gradient of :func:`clresample.adaptive_{kind}_pool{r}d` with respect to its
    input, as ``torch.autograd.grad`` of ``F.adaptive_{kind}_pool{r}d``.

    Args:
        input (Array{' or Sequence[int]' if kind == 'avg' else ''}): the forward input
            ``(N, C, {_SPATIAL[r]})`` / ``(C, {_SPATIAL[r]})``{' or just its shape' if kind == 'avg'
            else '; a shape tuple where indices are given'}.
        grad_output (Array): gradient of the forward output (its shape).
        output_size: the forward's output_size; default: grad_output's spatial sizes."""
    if kind == "max":
        s += """
        indices (Array, optional): the forward's int64 indices; without them the argmax is
            recomputed from ``input``."""
    return s + _TAIL


def adaptive_avg_pool1d(input: Union[Array, Shape], grad_output: Array,
                        output_size: Optional[IntOrSeq] = None, *,
                        out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool_bw("adaptive_avg_pool1d_backward", _lib.POOL_ADAPTIVE_AVG, 1, input,
                    grad_output, output_size=output_size, out=out, context=context)


def adaptive_avg_pool2d(input: Union[Array, Shape], grad_output: Array,
                        output_size: Any = None, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool_bw("adaptive_avg_pool2d_backward", _lib.POOL_ADAPTIVE_AVG, 2, input,
                    grad_output, output_size=output_size, out=out, context=context)


def adaptive_avg_pool3d(input: Union[Array, Shape], grad_output: Array,
                        output_size: Any = None, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool_bw("adaptive_avg_pool3d_backward", _lib.POOL_ADAPTIVE_AVG, 3, input,
                    grad_output, output_size=output_size, out=out, context=context)


def adaptive_max_pool1d(input: Union[Array, Shape], grad_output: Array,
                        output_size: Optional[IntOrSeq] = None,
                        indices: Optional[Array] = None, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool_bw("adaptive_max_pool1d_backward", _lib.POOL_ADAPTIVE_MAX, 1, input,
                    grad_output, output_size=output_size, indices=indices, out=out,
                    context=context)


def adaptive_max_pool2d(input: Union[Array, Shape], grad_output: Array,
                        output_size: Any = None, indices: Optional[Array] = None, *,
                        out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool_bw("adaptive_max_pool2d_backward", _lib.POOL_ADAPTIVE_MAX, 2, input,
                    grad_output, output_size=output_size, indices=indices, out=out,
                    context=context)


def adaptive_max_pool3d(input: Union[Array, Shape], grad_output: Array,
                        output_size: Any = None, indices: Optional[Array] = None, *,
                        out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool_bw("adaptive_max_pool3d_backward", _lib.POOL_ADAPTIVE_MAX, 3, input,
                    grad_output, output_size=output_size, indices=indices, out=out,
                    context=context)


def _fractional_doc(r: int) -> str:
    return f"""Gradient of :func:`clresample.fractional_max_pool{r}d` with respect to its
    input, as ``torch.autograd.grad`` of ``F.fractional_max_pool{r}d``: as max pooling,
    each grad_output element goes to its window's maximum.

    Args:
        input (Array): the forward input ``(N, C, {_SPATIAL[r]})`` / ``(C, {_SPATIAL[r]})``;
            a shape tuple where ``indices`` are given.
        grad_output (Array): gradient of the forward output (its shape).
        kernel_size, output_size, output_ratio: the forward's arguments (without
            output_size and output_ratio: grad_output's spatial sizes).
        indices (Array, optional): the forward's int64 indices.
        _random_samples (Array, optional): the forward's samples ``(N, C, {r})``: the
            windows (and the argmax, from ``input``) are recomputed from them. One of
            ``indices`` and ``_random_samples`` is required.""" + _TAIL


def fractional_max_pool2d(input: Union[Array, Shape], grad_output: Array,
                          kernel_size: IntOrSeq, output_size: Optional[IntOrSeq] = None,
                          output_ratio: Optional[FloatOrSeq] = None,
                          indices: Optional[Array] = None,
                          _random_samples: Optional[Array] = None, *,
                          out: Optional[Array] = None,
                          context: Optional[Context] = None) -> Array:
    return _pool_bw("fractional_max_pool2d_backward", _lib.POOL_FRACTIONAL_MAX, 2, input,
                    grad_output, kernel_size=kernel_size, output_size=output_size,
                    output_ratio=output_ratio, indices=indices, samples=_random_samples,
                    out=out, context=context)


def fractional_max_pool3d(input: Union[Array, Shape], grad_output: Array,
                          kernel_size: IntOrSeq, output_size: Optional[IntOrSeq] = None,
                          output_ratio: Optional[FloatOrSeq] = None,
                          indices: Optional[Array] = None,
                          _random_samples: Optional[Array] = None, *,
                          out: Optional[Array] = None,
                          context: Optional[Context] = None) -> Array:
    return _pool_bw("fractional_max_pool3d_backward", _lib.POOL_FRACTIONAL_MAX, 3, input,
                    grad_output, kernel_size=kernel_size, output_size=output_size,
                    output_ratio=output_ratio, indices=indices, samples=_random_samples,
                    out=out, context=context)


# ---------------------------------------------------------------------------
# max_unpool

def _max_unpool_bw(fname: str, rank: int, grad_output: Array, indices: Array,
                   kernel_size: Any, stride: Any, padding: Any, output_size: Any, out: Any,
                   context: Optional[Context]) -> Array:
    _need("clrs_max_unpool_backward", fname)
    g = as_input(grad_output, "grad_output")
    _float_grad(g, fname)
    ia, unbatched = _batched(as_input(indices, "indices"), rank, fname)
    g = _unbatch(g, unbatched, rank)
    p = _unpool_params(rank, kernel_size, stride, padding, output_size, unbatched)
    ctx = _ctx_handle(context)
    didx, dgo = ia.desc(), g.desc()
    o = _output(out, ia.shape, g.dtype, unbatched, False)
    dgi = o.desc()
    check(lib.clrs_max_unpool_backward(ctx, byref(p), byref(didx), ia.ptr, byref(dgo), g.ptr,
                                       byref(dgi), o.ptr), ctx, fname)
    return _result(o, out, g.source, unbatched)


def _unpool_doc(r: int) -> str:
    return f"""Gradient of :func:`clresample.max_unpool{r}d` with respect to its input, as
    ``torch.autograd.grad`` of ``F.max_unpool{r}d``: a gather,
    ``grad_input[n, c, j] = grad_output[n, c, indices[n, c, j]]`` (bit-exact).

    Args:
        grad_output (Array): gradient of the forward output ``(N, C, {_SPATIAL[r]})`` /
            ``(C, {_SPATIAL[r]})``.
        indices (Array): the forward's int64 indices (the forward input's shape, which
            grad_input takes).
        kernel_size, stride, padding, output_size: the forward's arguments.""" + _TAIL


def max_unpool1d(grad_output: Array, indices: Array, kernel_size: IntOrSeq,
                 stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
                 output_size: Optional[Sequence[int]] = None, *, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    return _max_unpool_bw("max_unpool1d_backward", 1, grad_output, indices, kernel_size,
                          stride, padding, output_size, out, context)


def max_unpool2d(grad_output: Array, indices: Array, kernel_size: IntOrSeq,
                 stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
                 output_size: Optional[Sequence[int]] = None, *, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    return _max_unpool_bw("max_unpool2d_backward", 2, grad_output, indices, kernel_size,
                          stride, padding, output_size, out, context)


def max_unpool3d(grad_output: Array, indices: Array, kernel_size: IntOrSeq,
                 stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
                 output_size: Optional[Sequence[int]] = None, *, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    return _max_unpool_bw("max_unpool3d_backward", 3, grad_output, indices, kernel_size,
                          stride, padding, output_size, out, context)


# ---------------------------------------------------------------------------
# pixel shuffle

def _merge_batch(a: Arr, fname: str, what: str) -> Tuple[int, int]:
    """(N, stride) of the leading batch dimensions of a (*, C, H, W) array merged into one."""
    lead = a.shape[:-3]
    for i in range(len(lead) - 1):
        if lead[i + 1] > 1 and lead[i] > 1 and a.strides[i] != a.strides[i + 1] * lead[i + 1]:
            raise ValueError(f"{fname}: the batch dimensions of this strided {what} cannot be "
                             f"merged; make it contiguous first")
    n = 1
    for v in lead:
        n *= v
    return n, min((s for v, s in zip(lead, a.strides) if v > 1), default=0)


def _shuffle_bw(fname: str, grad_output: Array, factor: Any, inverse: int, out: Any,
                context: Optional[Context]) -> Array:
    _need("clrs_pixel_shuffle_backward", fname)
    g0 = as_input(grad_output, "grad_output")
    _float_grad(g0, fname)
    if not _is_int(factor):
        raise TypeError(f"{fname}: the factor must be an int, got {factor!r}")
    if g0.ndim < 3:
        raise ValueError(f"{fname}: grad_output must have at least 3 dimensions "
                         f"(*, C, H, W), got {g0.ndim}")
    lead = g0.shape[:-3]
    n, st = _merge_batch(g0, fname, "grad_output")
    g = Arr(g0.ptr, g0.dtype, (n,) + g0.shape[-3:], (st,) + g0.strides[-3:], g0.keep,
            g0.source)
    ctx = _ctx_handle(context)
    dgo = g.desc()
    # grad_input has the forward input's shape: the inverse operator's output shape
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_pixel_shuffle_output_shape(ctx, byref(dgo), int(factor), 1 - inverse, shp),
          ctx, fname)
    s4 = _sizes(shp, 4)
    full = tuple(lead) + s4[1:]
    if out is None:
        o = alloc(full, g.dtype, g0.ndim == 4 and g0.is_channels_last())
    else:
        o = as_output(out, full, g.dtype)
    on, ost = _merge_batch(o, fname, "out")
    o4 = Arr(o.ptr, o.dtype, (on,) + o.shape[-3:], (ost,) + o.strides[-3:], o.keep, None)
    dgi = o4.desc()
    check(lib.clrs_pixel_shuffle_backward(ctx, int(factor), inverse, byref(dgo), g.ptr,
                                          byref(dgi), o4.ptr), ctx, fname)
    return out if out is not None else wrap(o, g0.source)


def pixel_shuffle(grad_output: Array, upscale_factor: int, *, out: Optional[Array] = None,
                  context: Optional[Context] = None) -> Array:
    r"""Gradient of :func:`clresample.pixel_shuffle` with respect to its input, as
    ``torch.autograd.grad`` of ``F.pixel_shuffle``: the inverse permutation
    (pixel_unshuffle of grad_output; bit-exact).

    Args:
        grad_output (Array): gradient of the forward output, ``(*, C, H*r, W*r)``.
        upscale_factor (int): the forward's factor r.
        out (Array, optional): preallocated grad_input ``(*, C*r*r, H, W)``.
        context (Context, optional): the device to run on.

    Returns:
        grad_input as the same kind of array as ``grad_output``.

    Raises:
        ValueError: sizes not divisible by the factor, a bad factor or rank.
    """
    return _shuffle_bw("pixel_shuffle_backward", grad_output, upscale_factor, 0, out, context)


def pixel_unshuffle(grad_output: Array, downscale_factor: int, *,
                    out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    r"""Gradient of :func:`clresample.pixel_unshuffle` with respect to its input, as
    ``torch.autograd.grad`` of ``F.pixel_unshuffle``: the inverse permutation
    (pixel_shuffle of grad_output; bit-exact).

    Args:
        grad_output (Array): gradient of the forward output, ``(*, C*r*r, H, W)``.
        downscale_factor (int): the forward's factor r.
        out (Array, optional): preallocated grad_input ``(*, C, H*r, W*r)``.
        context (Context, optional): the device to run on.

    Returns:
        grad_input as the same kind of array as ``grad_output``.

    Raises:
        ValueError: channels not divisible by the factor squared, a bad factor or rank.
    """
    return _shuffle_bw("pixel_unshuffle_backward", grad_output, downscale_factor, 1, out,
                       context)


for _r in (1, 2, 3):
    globals()[f"max_pool{_r}d"].__doc__ = _max_doc(_r)
    globals()[f"avg_pool{_r}d"].__doc__ = _avg_doc(_r)
    globals()[f"lp_pool{_r}d"].__doc__ = _lp_doc(_r)
    globals()[f"adaptive_avg_pool{_r}d"].__doc__ = _adaptive_doc(_r, "avg")
    globals()[f"adaptive_max_pool{_r}d"].__doc__ = _adaptive_doc(_r, "max")
    globals()[f"max_unpool{_r}d"].__doc__ = _unpool_doc(_r)
for _r in (2, 3):
    globals()[f"fractional_max_pool{_r}d"].__doc__ = _fractional_doc(_r)
del _r


def interpolate(input: Union[Array, Shape], grad_output: Array, size: Optional[IntOrSeq] = None,
                scale_factor: Optional[FloatOrSeq] = None, mode: str = "nearest",
                align_corners: Optional[bool] = None,
                recompute_scale_factor: Optional[bool] = None, antialias: bool = False, *,
                out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    fname = "interpolate_backward"
    _need("clrs_interpolate_backward", fname)
    g = as_input(grad_output, "grad_output")
    _float_grad(g, fname)
    if isinstance(input, (tuple, list)) and all(_is_int(v) for v in input):
        shape = tuple(int(v) for v in input)
        if any(v < 0 for v in shape):
            raise ValueError(f"{fname}: negative size in the input shape {shape}")
        a = Arr(0, g.dtype, shape, _contig(shape), None, None)
        cl = False
    else:
        a = as_input(input)
        if a.dtype != g.dtype:
            raise TypeError(f"{fname}: grad_output is {DTYPE_NAMES.get(g.dtype)} but the input "
                            f"is {DTYPE_NAMES.get(a.dtype)}")
        cl = a.is_channels_last()
        a = Arr(0, g.dtype, a.shape, _contig(a.shape), None, None)
    p = _interp_params(a, size, scale_factor, mode, align_corners, recompute_scale_factor,
                       antialias)
    ctx = _ctx_handle(context)
    din, dgo = a.desc(), g.desc()
    o = _output(out, a.shape, g.dtype, False, cl)
    dgi = o.desc()
    check(lib.clrs_interpolate_backward(ctx, byref(p), byref(din), byref(dgo), g.ptr,
                                        byref(dgi), o.ptr), ctx, fname)
    return _result(o, out, g.source, False)


interpolate.__doc__ = r"""Gradient of :func:`clresample.interpolate` with respect to its input, as
``torch.autograd.grad`` of ``F.interpolate``: every input element gathers
``w * grad_output[o]`` over the outputs ``o`` whose taps read it (the forward's
weights; clamped edge taps count at the clamped index), in increasing output order.
Every mode and rank of the forward. Measured against torch 2.15's CPU autograd:
float64 within 1e-12 and float32 within 1e-5 of max|grad_input| (nearest modes
bit-exact), float16 / bfloat16 within a few 16-bit ulp (summed in float, rounded
once).

Args:
    input (Array): the forward input ``(N, C, *spatial)`` or only its shape (a
        tuple): interpolate is linear, its data is never read.
    grad_output (Array): gradient of the forward output (its shape).
    size, scale_factor, mode, align_corners, recompute_scale_factor, antialias:
        the forward's arguments (:func:`clresample.interpolate`).""" + _TAIL
