# SPDX-License-Identifier: MIT
"""torch.nn.functional-shaped operators over libclresample.

Every function takes numpy arrays or any CPU array with ``__dlpack__`` (a torch CPU
tensor, ...) and returns the same kind of array. Two keyword-only arguments are
added to PyTorch's signatures: ``out=`` (a preallocated array of the result's shape
and dtype, written in place and returned) and ``context=`` (a :class:`Context`;
``None`` uses :func:`default_context`).
"""
from __future__ import annotations

import numbers
import random
from ctypes import byref, c_int, c_int64, c_void_p
from typing import Any, List, Optional, Sequence, Tuple, Union

from . import _lib
from ._array import Arr, FLOAT_DTYPES, DTYPE_NAMES, alloc, as_input, as_output, samples_f, wrap
from ._context import Context, _ctx_handle
from ._lib import lib, check

Array = Any  # numpy.ndarray or a DLPack-capable CPU array (torch.Tensor, ...)
IntOrSeq = Union[int, Sequence[int]]
FloatOrSeq = Union[float, Sequence[float]]
_INT64_MAX = 2 ** 63 - 1

__all__ = [
    "interpolate", "resize_batch", "resize_image",
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "fractional_max_pool2d", "fractional_max_pool3d",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "pixel_shuffle", "pixel_unshuffle", "grid_sample", "affine_grid",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
]


# ---------------------------------------------------------------------------
# argument helpers

def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _int_list(v: Any, name: str, allow_none: bool = False) -> List[Optional[int]]:
    """An int or a sequence of ints (None entries where allowed) as a list."""
    vals = list(v) if isinstance(v, (list, tuple)) else [v]
    for x in vals:
        if x is None and allow_none:
            continue
        if not _is_int(x):
            raise TypeError(f"{name} must be an int or a tuple of ints, got {v!r}")
        if not -_INT64_MAX <= int(x) <= _INT64_MAX:
            raise ValueError(f"{name}: {x} does not fit in 64 bits")
    return [None if x is None else int(x) for x in vals]


def _float_list(v: Any, name: str) -> List[float]:
    vals = list(v) if isinstance(v, (list, tuple)) else [v]
    for x in vals:
        if not isinstance(x, numbers.Real) or isinstance(x, bool):
            raise TypeError(f"{name} must be a float or a tuple of floats, got {v!r}")
    return [float(x) for x in vals]


def _fill(params: Any, field: str, vals: Sequence[Any], name: str) -> None:
    """Set params.n_<field> and params.<field>[] (at most 3 values)."""
    if len(vals) > 3:
        raise ValueError(f"{name} has {len(vals)} values; at most 3 spatial axes")
    setattr(params, "n_" + field, len(vals))
    arr = getattr(params, field)
    for i, v in enumerate(vals):
        arr[i] = v


def _batched(a: Arr, rank: int, fname: str, allow_unbatched: bool = True) -> Tuple[Arr, bool]:
    """Accept (N, C, *spatial) or, as PyTorch's pooling does, unbatched (C, *spatial)."""
    if a.ndim == rank + 2:
        return a, False
    if allow_unbatched and a.ndim == rank + 1:
        return Arr(a.ptr, a.dtype, (1,) + a.shape, (0,) + a.strides, a.keep, a.source), True
    want = f"{rank + 1}-D (unbatched) or {rank + 2}-D" if allow_unbatched else f"{rank + 2}-D"
    raise ValueError(f"{fname}: expected a {want} input, got a {a.ndim}-D one "
                     f"with shape {a.shape}")


def _result(out_arr: Arr, out: Any, like: Any, unbatched: bool) -> Any:
    if out is not None:
        return out
    res = wrap(out_arr, like)
    return res[0] if unbatched else res


def _output(out: Any, shape: Sequence[int], dtype: int, unbatched: bool,
            channels_last: bool) -> Arr:
    if out is None:
        return alloc(shape, dtype, channels_last)
    o = as_output(out, shape[1:] if unbatched else shape, dtype)
    if unbatched:
        o = Arr(o.ptr, o.dtype, (1,) + o.shape, (0,) + o.strides, o.keep, o.source)
    return o


def _sizes(arr: Any, rank: int) -> Tuple[int, ...]:
    return tuple(int(arr[i]) for i in range(rank))


# ---------------------------------------------------------------------------
# interpolate

_MODES: dict = {}


def _mode(name: str) -> Optional[int]:
    """The library's clrs_interp_mode for PyTorch's mode name (None: unknown)."""
    m = _MODES.get(name)
    if m is None:
        v = c_int()
        if lib.clrs_interp_mode_parse(name.encode(), byref(v)) != 0:
            return None
        m = _MODES[name] = v.value
    return m

def _interp_params(a: Arr, size: Optional[IntOrSeq], scale_factor: Optional[FloatOrSeq],
                   mode: str, align_corners: Optional[bool],
                   recompute_scale_factor: Optional[bool], antialias: bool) -> Any:
    """F.interpolate's Python-side checks and the library's parameters for input `a`
    (interpolate and backward.interpolate)."""
    if a.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {a.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact | lanczos (got {mode})")
    dim = a.ndim - 2
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str, not {type(mode).__name__}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    p = _lib.InterpolateParams()
    lib.clrs_interpolate_params_init(byref(p))
    m = _mode(mode)
    if m is None:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {a.ndim}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact | lanczos (got {mode})")
    p.mode = m
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(a.shape[2:])} and output "
                    f"size of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(v) for v in size]}")
        _fill(p, "size", _int_list(size, "size"), "size")
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)) and len(scale_factor) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(a.shape[2:])} and scale_factor "
                f"of shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        _fill(p, "scale", _float_list(scale_factor, "scale_factor"), "scale_factor")
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    p.align_corners = _lib.UNSET if align_corners is None else int(bool(align_corners))
    p.recompute_scale_factor = (_lib.UNSET if recompute_scale_factor is None
                                else int(bool(recompute_scale_factor)))
    p.antialias = int(bool(antialias))
    return p


def interpolate(input: Array, size: Optional[IntOrSeq] = None,
                scale_factor: Optional[FloatOrSeq] = None, mode: str = "nearest",
                align_corners: Optional[bool] = None,
                recompute_scale_factor: Optional[bool] = None, antialias: bool = False, *,
                out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    r"""Down/up samples the input, as ``torch.nn.functional.interpolate``.

    Tensor interpolated to either the given :attr:`size` or the given
    :attr:`scale_factor`. The algorithm used for interpolation is determined by
    :attr:`mode`. Currently temporal, spatial and volumetric sampling are supported,
    i.e. expected inputs are 3-D, 4-D or 5-D in shape.

    The input dimensions are interpreted in the form:
    `mini-batch x channels x [optional depth] x [optional height] x width`.

    The modes available for resizing are: `nearest`, `linear` (3D-only), `bilinear`,
    `bicubic` (4D-only), `trilinear` (5D-only), `area`, `nearest-exact`, and
    ``lanczos`` (with ``antialias=True``). Beyond PyTorch, bicubic, antialias and
    lanczos also work on 3-D and 5-D inputs and uint8 on every mode.

    Args:
        input (Array): the input array, float32, float64, float16, bfloat16 or uint8
            (any strides: channels-last and strided views are read in place).
        size (int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int]):
            output spatial size.
        scale_factor (float or Tuple[float]): multiplier for spatial size. If
            `scale_factor` is a tuple, its length has to match the number of spatial
            dimensions; `input.dim() - 2`.
        mode (str): algorithm used for upsampling:
            ``'nearest'`` | ``'linear'`` | ``'bilinear'`` | ``'bicubic'`` |
            ``'trilinear'`` | ``'area'`` | ``'nearest-exact'`` | ``'lanczos'``.
            Default: ``'nearest'``
        align_corners (bool, optional): Geometrically, we consider the pixels of the
            input and output as squares rather than points. If set to ``True``, the
            input and output tensors are aligned by the center points of their corner
            pixels, preserving the values at those pixels. If set to ``False``, they are
            aligned by the corner points of their corner pixels, and the interpolation
            uses edge value padding for out-of-boundary values. This only has an effect
            when :attr:`mode` is ``'linear'``, ``'bilinear'``, ``'bicubic'`` or
            ``'trilinear'``. Default: ``False``
        recompute_scale_factor (bool, optional): recompute the scale_factor for use in
            the interpolation calculation. If `recompute_scale_factor` is ``True``, then
            `scale_factor` must be passed in and `scale_factor` is used to compute the
            output `size`. The computed output `size` will be used to infer new scales
            for the interpolation. If `recompute_scale_factor` is ``False`` or not
            specified, the passed-in `scale_factor` will be used in the interpolation
            computation.
        antialias (bool, optional): flag to apply anti-aliasing. Default: ``False``.
            Using anti-alias option together with ``align_corners=False``, interpolation
            result would match Pillow result for downsampling operation.
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on (default: :func:`default_context`).

    Returns:
        The result, as the same kind of array as ``input`` (numpy in, numpy out; torch
        in, torch out); channels-last inputs give channels-last results.

    Raises:
        ValueError: bad arguments (also :class:`InvalidArgumentError` from the library).
        TypeError: wrong argument types or an unsupported dtype.
        Error: a runtime failure of the library (device, OpenCL).
    """
    a = as_input(input)
    p = _interp_params(a, size, scale_factor, mode, align_corners, recompute_scale_factor,
                       antialias)
    ctx = _ctx_handle(context)
    din = a.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_interpolate_output_shape(ctx, byref(din), byref(p), shp), ctx, "interpolate")
    o = _output(out, _sizes(shp, a.ndim), a.dtype, False, a.is_channels_last())
    dout = o.desc()
    check(lib.clrs_interpolate(ctx, byref(p), byref(din), a.ptr, byref(dout), o.ptr), ctx,
          "interpolate")
    return _result(o, out, a.source, False)


def resize_batch(inputs: Sequence[Array], size: IntOrSeq, mode: str = "bilinear",
                 align_corners: Optional[bool] = None, antialias: bool = False, *,
                 out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    """Resize arrays of different spatial sizes to one ``size`` into one batch, in one
    library call (``clrs_resize_batch``).

    ``inputs[i]`` is ``(B_i, C, spatial...)``: one rank, channel count and dtype for all,
    any spatial sizes and strides. The result is ``(sum of B_i, C, *size)``, channels-last
    when ``inputs[0]`` is; its rows of image ``i`` are exactly
    ``interpolate(inputs[i], size=size, mode=mode, ...)`` (the same bits).

    Args:
        inputs (sequence of Array): the images (at least one).
        size (int or tuple): the output spatial size (a scale factor would give images
            of different sizes different output sizes).
        mode, align_corners, antialias: as :func:`interpolate` (default ``'bilinear'``).
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Returns:
        The batch, as the same kind of array as ``inputs[0]``.
    """
    arrs = [as_input(x) for x in inputs]
    if not arrs:
        raise ValueError("resize_batch: no inputs (an empty batch has no channel count)")
    a = arrs[0]
    p = _interp_params(a, size, None, mode, align_corners, None, antialias)
    ctx = _ctx_handle(context)
    din = a.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_interpolate_output_shape(ctx, byref(din), byref(p), shp), ctx, "resize_batch")
    osz = list(_sizes(shp, a.ndim))
    osz[0] = sum(int(x.shape[0]) for x in arrs)
    o = _output(out, osz, a.dtype, False, a.is_channels_last())
    n = len(arrs)
    descs = (_lib.TensorDesc * n)(*[x.desc() for x in arrs])
    ptrs = (c_void_p * n)(*[x.ptr for x in arrs])
    dout = o.desc()
    check(lib.clrs_resize_batch(ctx, byref(p), n, descs, ptrs, byref(dout), o.ptr), ctx,
          "resize_batch")
    return _result(o, out, a.source, False)


def resize_image(image: Array, size: Optional[Tuple[Optional[int], Optional[int]]] = None, *,
                 scale: Optional[float] = None, mode: str = "bilinear",
                 antialias: bool = False, align_corners: Optional[bool] = None,
                 out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    """Resize an image laid out ``(H, W, C)`` (or ``(H, W)`` gray), like ``clresample resize``.

    The image is processed as a channels-last ``(1, C, H, W)`` tensor, exactly like
    ``F.interpolate`` on that tensor: every channel, alpha included, is resampled on its
    own; the output keeps the input's channels and dtype (uint8 or uint16 images; float
    dtypes work too). Strided views (crops, ``img[::2]``) are read in place.

    Args:
        image (Array): ``(H, W, C)`` or ``(H, W)``, uint8, uint16, or a float dtype.
        size (Tuple[int, int]): ``(width, height)`` of the output, width first as image
            tools (PIL, OpenCV) order it. One of the two may be ``None``: that side keeps
            the aspect ratio (rounded half up, at least 1).
        scale (float): instead of ``size``, one factor for both axes.
        mode (str): as :func:`interpolate`; default ``'bilinear'``.
        antialias (bool): antialiased downscaling (bilinear, bicubic, lanczos). Default:
            ``False``.
        align_corners (bool, optional): as :func:`interpolate`.
        out (Array, optional): preallocated ``(height, width[, C])`` output.
        context (Context, optional): the device to run on.

    Returns:
        The resized image, as the same kind of array as ``image``.
    """
    a = as_input(image, "image")
    if a.ndim == 2:
        h, w = a.shape
        c, sh, sw, sc = 1, a.strides[0], a.strides[1], 1
    elif a.ndim == 3:
        h, w, c = a.shape
        sh, sw, sc = a.strides
    else:
        raise ValueError(f"resize_image: expected an (H, W, C) or (H, W) image, got shape "
                         f"{a.shape}")
    if (size is None) == (scale is None):
        raise ValueError("resize_image: give exactly one of size=(width, height) and scale")
    kw: dict = {}
    if size is not None:
        if not isinstance(size, (list, tuple)) or len(size) != 2:
            raise TypeError("resize_image: size must be (width, height); one may be None")
        ow, oh = size
        if ow is None and oh is None:
            raise ValueError("resize_image: size=(None, None): give a width or a height")
        for v, nm in ((ow, "width"), (oh, "height")):
            if v is not None and (not _is_int(v) or v <= 0):
                raise ValueError(f"resize_image: the {nm} must be a positive int, got {v!r}")

        def aspect(given: int, other_in: int, this_in: int) -> int:
            if other_in == 0:
                return 1
            return max(1, (2 * this_in * given + other_in) // (2 * other_in))
        if ow is None:
            ow = aspect(oh, h, w)
        if oh is None:
            oh = aspect(ow, w, h)
        kw["size"] = (int(oh), int(ow))
    else:
        kw["scale_factor"] = float(scale)  # type: ignore[arg-type]
    t = Arr(a.ptr, a.dtype, (1, c, h, w), (0, sc, sh, sw), a.keep, a.source)
    p = _lib.InterpolateParams()
    lib.clrs_interpolate_params_init(byref(p))
    m = _mode(mode) if isinstance(mode, str) else None
    if m is None:
        raise ValueError(f"resize_image: unknown mode {mode!r}")
    p.mode = m
    if "size" in kw:
        _fill(p, "size", list(kw["size"]), "size")
    else:
        _fill(p, "scale", [kw["scale_factor"]], "scale")
    p.align_corners = _lib.UNSET if align_corners is None else int(bool(align_corners))
    p.antialias = int(bool(antialias))
    ctx = _ctx_handle(context)
    din = t.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_interpolate_output_shape(ctx, byref(din), byref(p), shp), ctx, "resize_image")
    oh2, ow2 = int(shp[2]), int(shp[3])
    img_shape = (oh2, ow2) if a.ndim == 2 else (oh2, ow2, c)
    if out is None:
        o = alloc(img_shape, a.dtype)
    else:
        o = as_output(out, img_shape, a.dtype)
    if a.ndim == 2:
        osh, osw, osc = o.strides[0], o.strides[1], 1
    else:
        osh, osw, osc = o.strides
    dout = o.desc((1, c, oh2, ow2), (0, osc, osh, osw))
    check(lib.clrs_interpolate(ctx, byref(p), byref(din), t.ptr, byref(dout), o.ptr), ctx,
          "resize_image")
    return out if out is not None else wrap(o, a.source)


# ---------------------------------------------------------------------------
# pooling

def _pool_params(fname: str, kind: int, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, ceil_mode: bool, count_include_pad: bool,
                 divisor_override: Optional[int], output_size: Any) -> Any:
    """The clrs_pool_params of a pooling call (the forward's and its gradient's):
    window, padding, dilation, ceil_mode, the average's divisor rules and the
    adaptive output size; LP's norm_type and fractional pooling's sizes and
    samples are the caller's."""
    p = _lib.PoolParams()
    lib.clrs_pool_params_init(byref(p), kind)
    if kernel_size is not None:
        _fill(p, "kernel", _int_list(kernel_size, "kernel_size"), "kernel_size")
    if stride is not None and not (isinstance(stride, (list, tuple)) and len(stride) == 0):
        _fill(p, "stride", _int_list(stride, "stride"), "stride")
    if kind in (_lib.POOL_MAX, _lib.POOL_AVG):
        _fill(p, "padding", _int_list(padding, "padding"), "padding")
    if kind == _lib.POOL_MAX:
        _fill(p, "dilation", _int_list(dilation, "dilation"), "dilation")
    p.ceil_mode = int(bool(ceil_mode))
    if kind == _lib.POOL_AVG:
        p.count_include_pad = int(bool(count_include_pad))
        if divisor_override is not None:
            if not _is_int(divisor_override):
                raise TypeError(f"divisor_override must be an int, got {divisor_override!r}")
            if divisor_override == 0:
                raise ValueError("divisor must be not zero")
            p.divisor_override = int(divisor_override)
    if kind in (_lib.POOL_ADAPTIVE_AVG, _lib.POOL_ADAPTIVE_MAX):
        vals = _int_list(output_size, "output_size", allow_none=True)
        for v in vals:
            if v is not None and v < 0:
                raise ValueError(f"{fname}: elements of output_size must be greater than or "
                                 f"equal to 0 but received {v}")
        _fill(p, "output_size", [_lib.UNSET if v is None else v for v in vals], "output_size")
    return p


def _pool(fname: str, kind: int, rank: int, input: Array, *, kernel_size: Any = None,
          stride: Any = None, padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
          count_include_pad: bool = True, divisor_override: Optional[int] = None,
          norm_type: Optional[float] = None, output_size: Any = None,
          output_ratio: Any = None, samples: Any = None, return_indices: bool = False,
          out: Any = None, context: Optional[Context] = None) -> Any:
    a, unbatched = _batched(as_input(input), rank, fname)
    p = _pool_params(fname, kind, kernel_size, stride, padding, dilation, ceil_mode,
                     count_include_pad, divisor_override, output_size)
    if kind == _lib.POOL_LP:
        if not isinstance(norm_type, numbers.Real) or isinstance(norm_type, bool):
            raise TypeError(f"norm_type must be a float, got {norm_type!r}")
        p.norm_type = float(norm_type)
    keep_samples = None
    if kind == _lib.POOL_FRACTIONAL_MAX:
        if output_size is None and output_ratio is None:
            raise ValueError(f"{fname} requires specifying either an output_size or an "
                             f"output_ratio")
        if output_size is not None:
            _fill(p, "output_size", _int_list(output_size, "output_size"), "output_size")
        else:
            _fill(p, "output_ratio", _float_list(output_ratio, "output_ratio"), "output_ratio")
        if samples is not None:
            s = samples_f(samples, "_random_samples")
            want = (a.shape[0], a.shape[1], rank)
            if s.shape != want:
                raise ValueError(f"{fname}: _random_samples has shape {s.shape}, expected "
                                 f"{want}")
            keep_samples = s
            p.samples = s.ctypes.data
            p.samples_dtype = _lib.F64 if s.dtype.itemsize == 8 else _lib.F32
        else:
            p.seed = random.getrandbits(64)
    ctx = _ctx_handle(context)
    din = a.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_pool_output_shape(ctx, byref(din), byref(p), shp), ctx, fname)
    oshape = _sizes(shp, a.ndim)
    odt = a.dtype
    cl = a.is_channels_last()
    o = _output(out, oshape, odt, unbatched, cl)
    dout = o.desc()
    idx = None
    if return_indices:
        idx = alloc(oshape, _lib.I64, cl)
        didx = idx.desc()
        st = lib.clrs_pool(ctx, byref(p), byref(din), a.ptr, byref(dout), o.ptr, byref(didx),
                           idx.ptr)
    else:
        st = lib.clrs_pool(ctx, byref(p), byref(din), a.ptr, byref(dout), o.ptr, None, None)
    check(st, ctx, fname)
    del keep_samples
    res = _result(o, out, a.source, unbatched)
    if return_indices:
        return res, _result(idx, None, a.source, unbatched)  # type: ignore[arg-type]
    return res


_POOL_ARGS = """
    Args:
        input (Array): input of shape ``(N, C, {sp})`` or unbatched ``(C, {sp})``;
            float32, float64, float16, bfloat16 or uint8, any strides."""
_COMMON = """
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on (default: :func:`default_context`).

    Returns:
        The result as the same kind of array as ``input`` (numpy in, numpy out; torch in,
        torch out){idx}."""
_IDX = ("; with ``return_indices=True`` a tuple ``(output, indices)``, the\n        indices "
        "int64 flat positions within each (N, C) plane")
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def _max_pool_doc(r: int) -> str:
    return (f"""Applies a {r}D max pooling over an input signal composed of several input
    planes, as ``torch.nn.functional.max_pool{r}d``.
""" + _POOL_ARGS.format(sp=_SPATIAL[r]) + """
        kernel_size: size of the pooling region. Can be a single number or a tuple.
        stride: stride of the pooling operation. Can be a single number or a tuple.
            Default: :attr:`kernel_size`
        padding: implicit negative infinity padding to be added on both sides, must be
            >= 0 and <= kernel_size / 2. Default: 0
        dilation: the stride between elements within a sliding window, must be > 0.
            Default: 1
        ceil_mode: If ``True``, will use `ceil` instead of `floor` to compute the output
            shape. This ensures that every element in the input tensor is covered by a
            sliding window. Default: ``False``
        return_indices: If ``True``, will return the argmax along with the max values.
            Useful for :func:`max_unpool{r}d` later. Default: ``False``""".replace(
                "{r}", str(r)) + _COMMON.format(idx=_IDX))


def max_pool1d(input: Array, kernel_size: IntOrSeq, stride: Optional[IntOrSeq] = None,
               padding: IntOrSeq = 0, dilation: IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Any:
    return _pool("max_pool1d", _lib.POOL_MAX, 1, input, kernel_size=kernel_size, stride=stride,
                 padding=padding, dilation=dilation, ceil_mode=ceil_mode,
                 return_indices=return_indices, out=out, context=context)


def max_pool2d(input: Array, kernel_size: IntOrSeq, stride: Optional[IntOrSeq] = None,
               padding: IntOrSeq = 0, dilation: IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Any:
    return _pool("max_pool2d", _lib.POOL_MAX, 2, input, kernel_size=kernel_size, stride=stride,
                 padding=padding, dilation=dilation, ceil_mode=ceil_mode,
                 return_indices=return_indices, out=out, context=context)


def max_pool3d(input: Array, kernel_size: IntOrSeq, stride: Optional[IntOrSeq] = None,
               padding: IntOrSeq = 0, dilation: IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Any:
    return _pool("max_pool3d", _lib.POOL_MAX, 3, input, kernel_size=kernel_size, stride=stride,
                 padding=padding, dilation=dilation, ceil_mode=ceil_mode,
                 return_indices=return_indices, out=out, context=context)


def _avg_pool_doc(r: int) -> str:
    s = (f"""Applies a {r}D average pooling over an input signal composed of several input
    planes, as ``torch.nn.functional.avg_pool{r}d``. uint8 inputs (beyond PyTorch) give the
    truncated mean.
""" + _POOL_ARGS.format(sp=_SPATIAL[r]) + """
        kernel_size: size of the pooling region. Can be a single number or a tuple.
        stride: stride of the pooling operation. Can be a single number or a tuple.
            Default: :attr:`kernel_size`
        padding: implicit zero paddings on both sides of the input. Can be a single
            number or a tuple. Default: 0
        ceil_mode: when True, will use `ceil` instead of `floor` in the formula to
            compute the output shape. Default: ``False``
        count_include_pad: when True, will include the zero-padding in the averaging
            calculation. Default: ``True``""")
    if r > 1:
        s += """
        divisor_override: if specified, it will be used as divisor, otherwise size of
            the pooling region will be used. Default: None"""
    return s + _COMMON.format(idx="")


def avg_pool1d(input: Array, kernel_size: IntOrSeq, stride: Optional[IntOrSeq] = None,
               padding: IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               *, out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool("avg_pool1d", _lib.POOL_AVG, 1, input, kernel_size=kernel_size, stride=stride,
                 padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                 out=out, context=context)


def avg_pool2d(input: Array, kernel_size: IntOrSeq, stride: Optional[IntOrSeq] = None,
               padding: IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool("avg_pool2d", _lib.POOL_AVG, 2, input, kernel_size=kernel_size, stride=stride,
                 padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                 divisor_override=divisor_override, out=out, context=context)


def avg_pool3d(input: Array, kernel_size: IntOrSeq, stride: Optional[IntOrSeq] = None,
               padding: IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None, *, out: Optional[Array] = None,
               context: Optional[Context] = None) -> Array:
    return _pool("avg_pool3d", _lib.POOL_AVG, 3, input, kernel_size=kernel_size, stride=stride,
                 padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                 divisor_override=divisor_override, out=out, context=context)


def _lp_pool_doc(r: int) -> str:
    return (f"""Applies a {r}D power-average pooling over an input signal composed of several
    input planes, as ``torch.nn.functional.lp_pool{r}d``. If the sum of all inputs to the
    power of `p` is zero, the gradient is set to zero as well. ``norm_type`` ``inf`` is
    max pooling of ``|x|``.
""" + _POOL_ARGS.format(sp=_SPATIAL[r]) + """
        norm_type: the exponent `p` (non-zero; ``float('inf')`` allowed).
        kernel_size: size of the pooling region. Can be a single number or a tuple.
        stride: stride of the pooling operation. Default: :attr:`kernel_size`
        ceil_mode: when True, will use `ceil` instead of `floor` to compute the output
            shape. Default: ``False``""" + _COMMON.format(idx=""))


def lp_pool1d(input: Array, norm_type: Union[int, float], kernel_size: int,
              stride: Optional[IntOrSeq] = None, ceil_mode: bool = False, *,
              out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool("lp_pool1d", _lib.POOL_LP, 1, input, norm_type=norm_type,
                 kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode, out=out,
                 context=context)


def lp_pool2d(input: Array, norm_type: Union[int, float], kernel_size: IntOrSeq,
              stride: Optional[IntOrSeq] = None, ceil_mode: bool = False, *,
              out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool("lp_pool2d", _lib.POOL_LP, 2, input, norm_type=norm_type,
                 kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode, out=out,
                 context=context)


def lp_pool3d(input: Array, norm_type: Union[int, float], kernel_size: IntOrSeq,
              stride: Optional[IntOrSeq] = None, ceil_mode: bool = False, *,
              out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    return _pool("lp_pool3d", _lib.POOL_LP, 3, input, norm_type=norm_type,
                 kernel_size=kernel_size, stride=stride, ceil_mode=ceil_mode, out=out,
                 context=context)


def _adaptive_doc(r: int, kind: str) -> str:
    s = (f"""Applies a {r}D adaptive {kind} pooling over an input signal composed of several
    input planes, as ``torch.nn.functional.adaptive_{kind}_pool{r}d``.
""" + _POOL_ARGS.format(sp=_SPATIAL[r]) + f"""
        output_size: the target output size (single integer or {r}-tuple of integers;
            ``None`` in a tuple keeps that axis's input size; 0 gives an empty output).""")
    if kind == "max":
        s += """
        return_indices: whether to return pooling indices. Default: ``False``"""
    return s + _COMMON.format(idx=_IDX if kind == "max" else "")


def adaptive_avg_pool1d(input: Array, output_size: IntOrSeq, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool("adaptive_avg_pool1d", _lib.POOL_ADAPTIVE_AVG, 1, input,
                 output_size=output_size, out=out, context=context)


def adaptive_avg_pool2d(input: Array, output_size: Any, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool("adaptive_avg_pool2d", _lib.POOL_ADAPTIVE_AVG, 2, input,
                 output_size=output_size, out=out, context=context)


def adaptive_avg_pool3d(input: Array, output_size: Any, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    return _pool("adaptive_avg_pool3d", _lib.POOL_ADAPTIVE_AVG, 3, input,
                 output_size=output_size, out=out, context=context)


def adaptive_max_pool1d(input: Array, output_size: IntOrSeq, return_indices: bool = False, *,
                        out: Optional[Array] = None, context: Optional[Context] = None) -> Any:
    return _pool("adaptive_max_pool1d", _lib.POOL_ADAPTIVE_MAX, 1, input,
                 output_size=output_size, return_indices=return_indices, out=out,
                 context=context)


def adaptive_max_pool2d(input: Array, output_size: Any, return_indices: bool = False, *,
                        out: Optional[Array] = None, context: Optional[Context] = None) -> Any:
    return _pool("adaptive_max_pool2d", _lib.POOL_ADAPTIVE_MAX, 2, input,
                 output_size=output_size, return_indices=return_indices, out=out,
                 context=context)


def adaptive_max_pool3d(input: Array, output_size: Any, return_indices: bool = False, *,
                        out: Optional[Array] = None, context: Optional[Context] = None) -> Any:
    return _pool("adaptive_max_pool3d", _lib.POOL_ADAPTIVE_MAX, 3, input,
                 output_size=output_size, return_indices=return_indices, out=out,
                 context=context)


def _fractional_doc(r: int) -> str:
    return (f"""Applies {r}D fractional max pooling over an input signal composed of several
    input planes, as ``torch.nn.functional.fractional_max_pool{r}d``.

    Fractional MaxPooling is described in detail in the paper `Fractional MaxPooling`_ by
    Ben Graham. The max-pooling operation is applied in kH x kW regions by a stochastic
    step size determined by the target output size.
""" + _POOL_ARGS.format(sp=_SPATIAL[r]) + f"""
        kernel_size: the size of the window to take a max over. Can be a single number
            or a tuple.
        output_size: the target output size of the image. Can be a single number or a
            {r}-tuple.
        output_ratio: the output size as a ratio of the input size, numbers in (0, 1)
            (one, or a {r}-tuple). ``output_size`` wins when both are given.
        return_indices: if ``True``, will return the indices along with the outputs.
        _random_samples: the pseudo-random samples in [0, 1), shape ``(N, C, {r})``: the
            same samples as PyTorch give PyTorch's result bit for bit. Without them the
            library draws its own (a seed from Python's ``random`` module).""" +
            _COMMON.format(idx=_IDX) + """

    .. _Fractional MaxPooling:
        http://arxiv.org/abs/1412.6071""")


def fractional_max_pool2d(input: Array, kernel_size: IntOrSeq,
                          output_size: Optional[IntOrSeq] = None,
                          output_ratio: Optional[FloatOrSeq] = None,
                          return_indices: bool = False, _random_samples: Optional[Array] = None,
                          *, out: Optional[Array] = None,
                          context: Optional[Context] = None) -> Any:
    return _pool("fractional_max_pool2d", _lib.POOL_FRACTIONAL_MAX, 2, input,
                 kernel_size=kernel_size, output_size=output_size, output_ratio=output_ratio,
                 samples=_random_samples, return_indices=return_indices, out=out,
                 context=context)


def fractional_max_pool3d(input: Array, kernel_size: IntOrSeq,
                          output_size: Optional[IntOrSeq] = None,
                          output_ratio: Optional[FloatOrSeq] = None,
                          return_indices: bool = False, _random_samples: Optional[Array] = None,
                          *, out: Optional[Array] = None,
                          context: Optional[Context] = None) -> Any:
    return _pool("fractional_max_pool3d", _lib.POOL_FRACTIONAL_MAX, 3, input,
                 kernel_size=kernel_size, output_size=output_size, output_ratio=output_ratio,
                 samples=_random_samples, return_indices=return_indices, out=out,
                 context=context)


# ---------------------------------------------------------------------------
# max_unpool

def _unpool_params(rank: int, kernel_size: Any, stride: Any, padding: Any, output_size: Any,
                   unbatched: bool) -> Any:
    """The clrs_unpool_params of a max_unpool call (the forward's and its gradient's);
    output_size may carry the (N, C) or, unbatched, the C sizes in front."""
    p = _lib.UnpoolParams()
    lib.clrs_unpool_params_init(byref(p))
    _fill(p, "kernel", _int_list(kernel_size, "kernel_size"), "kernel_size")
    if stride is not None and not (isinstance(stride, (list, tuple)) and len(stride) == 0):
        _fill(p, "stride", _int_list(stride, "stride"), "stride")
    _fill(p, "padding", _int_list(padding, "padding"), "padding")
    if output_size is not None:
        os_ = _int_list(output_size, "output_size")
        if len(os_) == rank + 2:
            os_ = os_[2:]
        elif len(os_) == rank + 1 and unbatched:
            os_ = os_[1:]
        if len(os_) != rank:
            raise ValueError(f"output_size should be a sequence containing {rank} or "
                             f"{rank + 2} elements, but it has a length of '{len(os_)}'")
        _fill(p, "output_size", os_, "output_size")
    return p


def _max_unpool(fname: str, rank: int, input: Array, indices: Array, kernel_size: Any,
                stride: Any, padding: Any, output_size: Any, out: Any,
                context: Optional[Context]) -> Array:
    a, unbatched = _batched(as_input(input), rank, fname)
    ia = as_input(indices, "indices")
    if unbatched and ia.ndim == rank + 1:
        ia = Arr(ia.ptr, ia.dtype, (1,) + ia.shape, (0,) + ia.strides, ia.keep, ia.source)
    p = _unpool_params(rank, kernel_size, stride, padding, output_size, unbatched)
    ctx = _ctx_handle(context)
    din, didx = a.desc(), ia.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_max_unpool_output_shape(ctx, byref(din), byref(p), shp), ctx, fname)
    o = _output(out, _sizes(shp, a.ndim), a.dtype, unbatched, False)
    dout = o.desc()
    check(lib.clrs_max_unpool(ctx, byref(p), byref(din), a.ptr, byref(didx), ia.ptr,
                              byref(dout), o.ptr), ctx, fname)
    return _result(o, out, a.source, unbatched)


def _unpool_doc(r: int) -> str:
    return (f"""Computes a partial inverse of :func:`max_pool{r}d`, as
    ``torch.nn.functional.max_unpool{r}d``: every value goes to the position its index
    names within its (N, C) plane; the other positions are zero.
""" + _POOL_ARGS.format(sp=_SPATIAL[r]) + """
        indices: int64 indices from ``max_pool{r}d(..., return_indices=True)``, the
            input's shape.
        kernel_size: size of the max pooling window.
        stride: stride of the max pooling window. Default: :attr:`kernel_size`.
        padding: padding that was added to the input. Default: 0
        output_size: the targeted output size (spatial sizes, or the full shape); must
            lie strictly between the default size minus and plus the stride.""".replace(
                "{r}", str(r)) + _COMMON.format(idx=""))


def max_unpool1d(input: Array, indices: Array, kernel_size: IntOrSeq,
                 stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
                 output_size: Optional[Sequence[int]] = None, *, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size, out, context)


def max_unpool2d(input: Array, indices: Array, kernel_size: IntOrSeq,
                 stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
                 output_size: Optional[Sequence[int]] = None, *, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size, out, context)


def max_unpool3d(input: Array, indices: Array, kernel_size: IntOrSeq,
                 stride: Optional[IntOrSeq] = None, padding: IntOrSeq = 0,
                 output_size: Optional[Sequence[int]] = None, *, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size, out, context)


# ---------------------------------------------------------------------------
# pixel shuffle

def _shuffle(fname: str, input: Array, factor: Any, inverse: int, out: Any,
             context: Optional[Context]) -> Array:
    a = as_input(input)
    if not _is_int(factor):
        raise TypeError(f"{fname}: the factor must be an int, got {factor!r}")
    if a.ndim < 3:
        raise ValueError(f"{fname} expects input to have at least 3 dimensions, but got input "
                         f"with {a.ndim} dimension(s)")
    lead = a.shape[:-3]
    if a.ndim == 3:
        b = Arr(a.ptr, a.dtype, (1,) + a.shape, (0,) + a.strides, a.keep, a.source)
    elif a.ndim == 4:
        b = a
    else:  # merge the batch dimensions where their strides allow it
        n = 1
        for i in range(len(lead) - 1):
            if lead[i + 1] > 1 and lead[i] > 1 and a.strides[i] != a.strides[i + 1] * lead[i + 1]:
                raise ValueError(f"{fname}: the batch dimensions of this strided input cannot "
                                 f"be merged; make it contiguous first")
        for v in lead:
            n *= v
        st = min((s for v, s in zip(lead, a.strides) if v > 1), default=0)
        b = Arr(a.ptr, a.dtype, (n,) + a.shape[-3:], (st,) + a.strides[-3:], a.keep, a.source)
    ctx = _ctx_handle(context)
    din = b.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_pixel_shuffle_output_shape(ctx, byref(din), int(factor), inverse, shp), ctx,
          fname)
    o4 = _sizes(shp, 4)
    full = tuple(lead) + o4[1:]
    if out is None:
        o = alloc(full, a.dtype)
    else:
        o = as_output(out, full, a.dtype)
    ob = Arr(o.ptr, o.dtype, o4, _contig(o4) if out is None else
             ((0,) + o.strides if a.ndim == 3 else o.strides[-4:] if a.ndim == 4
              else (min((s for v, s in zip(lead, o.strides) if v > 1), default=0),)
              + o.strides[-3:]), o.keep, None)
    dout = ob.desc()
    check(lib.clrs_pixel_shuffle(ctx, int(factor), inverse, byref(din), b.ptr, byref(dout),
                                 ob.ptr), ctx, fname)
    return out if out is not None else wrap(o, a.source)


def _contig(shape: Sequence[int]) -> Tuple[int, ...]:
    out, acc = [], 1
    for n in reversed(shape):
        out.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(out))


def pixel_shuffle(input: Array, upscale_factor: int, *, out: Optional[Array] = None,
                  context: Optional[Context] = None) -> Array:
    r"""Rearranges elements in a tensor of shape :math:`(*, C \times r^2, H, W)` to a tensor
    of shape :math:`(*, C, H \times r, W \times r)`, where r is the :attr:`upscale_factor`,
    as ``torch.nn.functional.pixel_shuffle``.

    Args:
        input (Array): the input array, ``(*, C*r*r, H, W)``.
        upscale_factor (int): factor to increase spatial resolution by.
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Returns:
        The result as the same kind of array as ``input``.
    """
    return _shuffle("pixel_shuffle", input, upscale_factor, 0, out, context)


def pixel_unshuffle(input: Array, downscale_factor: int, *, out: Optional[Array] = None,
                    context: Optional[Context] = None) -> Array:
    r"""Reverses the :func:`pixel_shuffle` operation by rearranging elements in a tensor of
    shape :math:`(*, C, H \times r, W \times r)` to a tensor of shape
    :math:`(*, C \times r^2, H, W)`, where r is the :attr:`downscale_factor`, as
    ``torch.nn.functional.pixel_unshuffle``.

    Args:
        input (Array): the input array, ``(*, C, H*r, W*r)``.
        downscale_factor (int): factor to decrease spatial resolution by.
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Returns:
        The result as the same kind of array as ``input``.
    """
    return _shuffle("pixel_unshuffle", input, downscale_factor, 1, out, context)


# ---------------------------------------------------------------------------
# grid_sample, affine_grid

def grid_sample(input: Array, grid: Array, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: Optional[bool] = None, *,
                out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    r"""Compute grid sample, as ``torch.nn.functional.grid_sample``.

    Given an :attr:`input` and a flow-field :attr:`grid`, computes the ``output`` using
    :attr:`input` values and pixel locations from :attr:`grid`. 4-D (spatial) and 5-D
    (volumetric) inputs are supported: input :math:`(N, C, H_\text{in}, W_\text{in})` and
    grid :math:`(N, H_\text{out}, W_\text{out}, 2)` give
    :math:`(N, C, H_\text{out}, W_\text{out})`; for 5-D, grid
    :math:`(N, D_\text{out}, H_\text{out}, W_\text{out}, 3)`. ``grid[..., 0]`` is x
    (width), ``[..., 1]`` y, ``[..., 2]`` z, normalized to ``[-1, 1]``.

    Args:
        input (Array): input of shape :math:`(N, C, H_\text{in}, W_\text{in})` (4-D case)
            or :math:`(N, C, D_\text{in}, H_\text{in}, W_\text{in})` (5-D case); float32,
            float64, float16 or bfloat16.
        grid (Array): flow-field, the input's dtype.
        mode (str): interpolation mode to calculate output values ``'bilinear'`` |
            ``'nearest'`` | ``'bicubic'``. Default: ``'bilinear'``. On 5-D input
            ``'bilinear'`` is trilinear and ``'bicubic'`` tricubic.
        padding_mode (str): padding mode for outside grid values ``'zeros'`` |
            ``'border'`` | ``'reflection'``. Default: ``'zeros'``
        align_corners (bool, optional): if ``True``, the extrema (``-1`` and ``1``) are
            considered as referring to the center points of the input's corner pixels. If
            ``False``, they are instead considered as referring to the corner points of the
            input's corner pixels, making the sampling more resolution agnostic.
            Default: ``False``
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Returns:
        The output as the same kind of array as ``input``.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    a = as_input(input)
    g = as_input(grid, "grid")
    p = _lib.GridSampleParams()
    lib.clrs_grid_sample_params_init(byref(p))
    m, pm = c_int(), c_int()
    lib.clrs_grid_mode_parse(mode.encode(), byref(m))
    lib.clrs_grid_padding_parse(padding_mode.encode(), byref(pm))
    p.mode, p.padding_mode = m.value, pm.value
    p.align_corners = int(bool(align_corners))
    if a.ndim not in (4, 5) or g.ndim != a.ndim:
        raise ValueError(f"grid_sample(): expected 4D or 5D input and grid with the same "
                         f"number of dimensions, but got input with sizes {list(a.shape)} "
                         f"and grid with sizes {list(g.shape)}")
    ctx = _ctx_handle(context)
    din, dg = a.desc(), g.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_grid_sample_output_shape(ctx, byref(din), byref(dg), shp), ctx,
          "grid_sample")
    o = _output(out, _sizes(shp, a.ndim), a.dtype, False, False)
    dout = o.desc()
    check(lib.clrs_grid_sample(ctx, byref(p), byref(din), a.ptr, byref(dg), g.ptr, byref(dout),
                               o.ptr), ctx, "grid_sample")
    return _result(o, out, a.source, False)


def affine_grid(theta: Array, size: Sequence[int], align_corners: Optional[bool] = None, *,
                out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    r"""Generate 2D or 3D flow field (sampling grid), given a batch of affine matrices
    :attr:`theta`, as ``torch.nn.functional.affine_grid``. Used with :func:`grid_sample`.

    Args:
        theta (Array): input batch of affine matrices with shape (:math:`N \times 2 \times 3`)
            for 2D or (:math:`N \times 3 \times 4`) for 3D; float32, float64, float16 or
            bfloat16 (the 16-bit types compute in float).
        size (Sequence[int]): the target output image size. (:math:`N \times C \times H
            \times W` for 2D or :math:`N \times C \times D \times H \times W` for 3D)
            Example: (32, 3, 24, 24)
        align_corners (bool, optional): if ``True``, consider ``-1`` and ``1`` to refer to
            the centers of the corner pixels rather than the image corners. Refer to
            :func:`grid_sample` for a more complete description. Default: ``False``
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Returns:
        output (Array): output array of size (:math:`N \times H \times W \times 2`) or
        (:math:`N \times D \times H \times W \times 3`), the same kind of array as theta.
    """
    t = as_input(theta, "theta")
    if t.dtype not in FLOAT_DTYPES:
        raise ValueError(f"Expected theta to have floating point type, but got "
                         f"{DTYPE_NAMES.get(t.dtype)}")
    sz = _int_list(size, "size")
    if not isinstance(size, (list, tuple)):
        raise TypeError("size must be a sequence of 4 or 5 ints")
    if len(sz) == 4:
        if t.ndim != 3 or t.shape[-2:] != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{list(sz)}. Got {list(t.shape)}.")
        oshape = (sz[0], sz[2], sz[3], 2)
    elif len(sz) == 5:
        if t.ndim != 3 or t.shape[-2:] != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{list(sz)}. Got {list(t.shape)}.")
        oshape = (sz[0], sz[2], sz[3], sz[4], 3)
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {list(sz)}.")
    if min(sz) <= 0:  # type: ignore[type-var]
        raise ValueError(f"Expected non-zero, positive output size. Got {list(sz)}")
    ctx = _ctx_handle(context)
    o = _output(out, oshape, t.dtype, False, False)
    dt, dout = t.desc(), o.desc()
    csz = (c_int64 * 5)(*sz)  # type: ignore[arg-type]
    check(lib.clrs_affine_grid(ctx, byref(dt), t.ptr, len(sz), csz, int(bool(align_corners)),
                               byref(dout), o.ptr), ctx, "affine_grid")
    return _result(o, out, t.source, False)


for _r in (1, 2, 3):
    globals()[f"max_pool{_r}d"].__doc__ = _max_pool_doc(_r)
    globals()[f"avg_pool{_r}d"].__doc__ = _avg_pool_doc(_r)
    globals()[f"lp_pool{_r}d"].__doc__ = _lp_pool_doc(_r)
    globals()[f"adaptive_avg_pool{_r}d"].__doc__ = _adaptive_doc(_r, "avg")
    globals()[f"adaptive_max_pool{_r}d"].__doc__ = _adaptive_doc(_r, "max")
    globals()[f"max_unpool{_r}d"].__doc__ = _unpool_doc(_r)
for _r in (2, 3):
    globals()[f"fractional_max_pool{_r}d"].__doc__ = _fractional_doc(_r)
del _r


# ---------------------------------------------------------------------------
# convolution

def _conv(fname: str, rank: int, transposed: bool, input: Array, weight: Array, bias: Any,
          stride: Any, padding: Any, dilation: Any, groups: int, output_padding: Any,
          padding_mode: str, out: Any, context: Optional[Context]) -> Any:
    if not _lib.HAVE.get("clrs_conv"):
        raise _lib.UnsupportedError(-10, f"{_lib.LIBRARY_PATH} has no convolution (clrs_conv): "
                                    "the library is older than this package", fname)
    a, unbatched = _batched(as_input(input), rank, fname)
    w = as_input(weight, "weight")
    p = _lib.ConvParams()
    lib.clrs_conv_params_init(byref(p))
    _fill(p, "stride", _int_list(stride, "stride"), "stride")
    _fill(p, "dilation", _int_list(dilation, "dilation"), "dilation")
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{fname}: padding must be an int or a tuple of ints, got {padding!r}")
        if padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             f"{{'valid', 'same'}}")
        p.padding_kind = 1 if padding == "same" else 2
    else:
        _fill(p, "padding", _int_list(padding, "padding"), "padding")
    if transposed:
        _fill(p, "output_padding", _int_list(output_padding, "output_padding"),
              "output_padding")
    if not _is_int(groups):
        raise TypeError(f"groups must be an int, got {groups!r}")
    p.groups = int(groups)
    pm = c_int()
    if lib.clrs_conv_padding_mode_parse(padding_mode.encode(), byref(pm)) != 0:
        raise ValueError(f"padding_mode must be one of 'zeros', 'reflect', 'replicate' or "
                         f"'circular', but got padding_mode='{padding_mode}'")
    p.padding_mode = pm.value
    ctx = _ctx_handle(context)
    din, dw = a.desc(), w.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    shape_fn = lib.clrs_conv_transpose_output_shape if transposed else lib.clrs_conv_output_shape
    check(shape_fn(ctx, byref(p), byref(din), byref(dw), shp), ctx, fname)
    b = bptr = None
    db = None
    if bias is not None:
        b = as_input(bias, "bias")
        db = b.desc()
        bptr = b.ptr
    o = _output(out, _sizes(shp, a.ndim), a.dtype, unbatched, a.is_channels_last())
    dout = o.desc()
    fn = lib.clrs_conv_transpose if transposed else lib.clrs_conv
    check(fn(ctx, byref(p), byref(din), a.ptr, byref(dw), w.ptr,
             byref(db) if db is not None else None, bptr, byref(dout), o.ptr), ctx, fname)
    return _result(o, out, a.source, unbatched)


def _conv_doc(r: int, transposed: bool) -> str:
    if transposed:
        return (f"""Apply a {r}D transposed convolution, as ``torch.nn.functional.conv_transpose{r}d``.

    Args:
        input (Array): :math:`(N, C_in, *spatial)` ({r} spatial axes) or unbatched.
        weight (Array): :math:`(C_in, C_out/groups, *kernel)`, the input's dtype.
        bias (Array, optional): :math:`(C_out)`. Default: None
        stride, padding, output_padding, dilation: an int or one per spatial axis
            (output_padding < stride or < dilation).
        groups (int): Default: 1
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Each output element gathers its inputs in a fixed order (deterministic); f32 agrees with
    PyTorch within 1e-5 of the output's scale (README "Convolution").
    """)
    return (f"""Apply a {r}D convolution, as ``torch.nn.functional.conv{r}d`` (with
    ``nn.Conv{r}d``'s ``padding_mode``, a keyword beyond torch's functional form).

    Args:
        input (Array): :math:`(N, C_in, *spatial)` ({r} spatial axes) or unbatched.
        weight (Array): :math:`(C_out, C_in/groups, *kernel)`, the input's dtype.
        bias (Array, optional): :math:`(C_out)`. Default: None
        stride, dilation: an int or one per spatial axis. Default: 1
        padding: an int, one per spatial axis, ``'same'`` (stride 1) or ``'valid'``.
        groups (int): Default: 1
        padding_mode (str): ``'zeros'`` | ``'reflect'`` | ``'replicate'`` | ``'circular'``.
        out (Array, optional): preallocated output of the result's shape and dtype.
        context (Context, optional): the device to run on.

    Each output element is summed in a fixed order (deterministic); f32 agrees with PyTorch
    within 1e-5 of the output's scale (README "Convolution").
    """)


def conv1d(input: Array, weight: Array, bias: Optional[Array] = None, stride: IntOrSeq = 1,
           padding: Union[str, IntOrSeq] = 0, dilation: IntOrSeq = 1, groups: int = 1, *,
           padding_mode: str = "zeros", out: Optional[Array] = None,
           context: Optional[Context] = None) -> Array:
    return _conv("conv1d", 1, False, input, weight, bias, stride, padding, dilation, groups, 0,
                 padding_mode, out, context)


def conv2d(input: Array, weight: Array, bias: Optional[Array] = None, stride: IntOrSeq = 1,
           padding: Union[str, IntOrSeq] = 0, dilation: IntOrSeq = 1, groups: int = 1, *,
           padding_mode: str = "zeros", out: Optional[Array] = None,
           context: Optional[Context] = None) -> Array:
    return _conv("conv2d", 2, False, input, weight, bias, stride, padding, dilation, groups, 0,
                 padding_mode, out, context)


def conv3d(input: Array, weight: Array, bias: Optional[Array] = None, stride: IntOrSeq = 1,
           padding: Union[str, IntOrSeq] = 0, dilation: IntOrSeq = 1, groups: int = 1, *,
           padding_mode: str = "zeros", out: Optional[Array] = None,
           context: Optional[Context] = None) -> Array:
    return _conv("conv3d", 3, False, input, weight, bias, stride, padding, dilation, groups, 0,
                 padding_mode, out, context)


def conv_transpose1d(input: Array, weight: Array, bias: Optional[Array] = None,
                     stride: IntOrSeq = 1, padding: IntOrSeq = 0, output_padding: IntOrSeq = 0,
                     groups: int = 1, dilation: IntOrSeq = 1, *, out: Optional[Array] = None,
                     context: Optional[Context] = None) -> Array:
    return _conv("conv_transpose1d", 1, True, input, weight, bias, stride, padding, dilation,
                 groups, output_padding, "zeros", out, context)


def conv_transpose2d(input: Array, weight: Array, bias: Optional[Array] = None,
                     stride: IntOrSeq = 1, padding: IntOrSeq = 0, output_padding: IntOrSeq = 0,
                     groups: int = 1, dilation: IntOrSeq = 1, *, out: Optional[Array] = None,
                     context: Optional[Context] = None) -> Array:
    return _conv("conv_transpose2d", 2, True, input, weight, bias, stride, padding, dilation,
                 groups, output_padding, "zeros", out, context)


def conv_transpose3d(input: Array, weight: Array, bias: Optional[Array] = None,
                     stride: IntOrSeq = 1, padding: IntOrSeq = 0, output_padding: IntOrSeq = 0,
                     groups: int = 1, dilation: IntOrSeq = 1, *, out: Optional[Array] = None,
                     context: Optional[Context] = None) -> Array:
    return _conv("conv_transpose3d", 3, True, input, weight, bias, stride, padding, dilation,
                 groups, output_padding, "zeros", out, context)


for _r in (1, 2, 3):
    globals()[f"conv{_r}d"].__doc__ = _conv_doc(_r, False)
    globals()[f"conv_transpose{_r}d"].__doc__ = _conv_doc(_r, True)
del _r
