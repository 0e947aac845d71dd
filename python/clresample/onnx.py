# SPDX-License-Identifier: MIT
"""ONNX operators with ONNX's semantics (``<clresample/onnx.h>``).

Attributes under ONNX's names with ONNX's defaults; inputs in ONNX's order, the
optional ones as keyword arguments (``roi``, ``scales``, ``sizes`` may be arrays
or sequences). Same arrays, ``out=`` and ``context=`` as the torch-shaped
functions; invalid attributes raise :class:`clresample.InvalidArgumentError`
(a ``ValueError``) naming the attribute. Ops: ``resize``, ``upsample``,
``max_pool``, ``average_pool``, ``lp_pool``, ``global_max_pool``,
``global_average_pool``, ``global_lp_pool``, ``max_unpool``, ``depth_to_space``,
``space_to_depth``, ``conv``, ``conv_transpose``. ``docs/onnx.md`` has the rules.
"""
from __future__ import annotations

from ctypes import byref, c_int64
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _lib
from ._array import Arr, alloc, as_input, as_output, wrap
from ._context import Context, _ctx_handle
from ._lib import lib, check

Array = Any
Ints = Optional[Sequence[int]]

__all__ = ["resize", "upsample", "max_pool", "average_pool", "lp_pool", "global_max_pool",
           "global_average_pool", "global_lp_pool", "max_unpool", "depth_to_space",
           "space_to_depth", "conv", "conv_transpose"]

_AUTO_PAD = {"NOTSET": 0, "SAME_UPPER": 1, "SAME_LOWER": 2, "VALID": 3}
_DEPTH_MODE = {"DCR": 0, "CRD": 1}


def _values(v: Any, name: str, conv: type) -> Optional[list]:
    """An optional list input: None / empty -> None; arrays and sequences -> list."""
    if v is None:
        return None
    if hasattr(v, "__dlpack__") and not isinstance(v, np.ndarray):
        v = np.from_dlpack(v)
    vals = np.asarray(v).reshape(-1).tolist()
    return [conv(x) for x in vals] if vals else None


def _fill(p: Any, field: str, vals: Optional[list], cap: int, name: str,
          nfield: Optional[str] = None) -> None:
    if vals is None:
        return
    if len(vals) > cap:
        raise ValueError(f"{name}: {len(vals)} values, at most {cap}")
    setattr(p, nfield or "n_" + field, len(vals))
    arr = getattr(p, field)
    for i, v in enumerate(vals):
        arr[i] = v


def _lift(a: Arr) -> Tuple[Arr, int]:
    """ONNX ranks 1 and 2 as rank 3 with leading size-1 dims (the C API's rule)."""
    if a.ndim >= 3:
        return a, 0
    k = 3 - a.ndim
    return Arr(a.ptr, a.dtype, (1,) * k + a.shape, (0,) * k + a.strides, a.keep, a.source), a.ndim


def _out(out: Any, shape: Sequence[int], dtype: int, onnx_rank: int) -> Tuple[Arr, Arr]:
    """(array to return, its rank 3..5 view for the library)."""
    real = tuple(shape[len(shape) - onnx_rank:]) if onnx_rank else tuple(shape)
    o = alloc(real, dtype) if out is None else as_output(out, real, dtype)
    if onnx_rank:
        k = len(shape) - onnx_rank
        return o, Arr(o.ptr, o.dtype, tuple(shape), (0,) * k + o.strides, o.keep, o.source)
    return o, o


def _ret(o: Arr, out: Any, like: Any) -> Any:
    return out if out is not None else wrap(o, like)


def _resize(X: Array, roi: Any, scales: Any, sizes: Any, upsample: bool, opset: Optional[int],
            mode: str, coordinate_transformation_mode: Optional[str], nearest_mode: Optional[str],
            cubic_coeff_a: float, exclude_outside: int, extrapolation_value: float,
            antialias: int, keep_aspect_ratio_policy: Optional[str], axes: Ints, out: Any,
            context: Optional[Context]) -> Array:
    a, onnx_rank = _lift(as_input(X, "X"))
    p = _lib.OnnxResizeParams()
    lib.clrs_onnx_resize_params_init(byref(p))
    keep = []

    def s(v: Optional[str]) -> Optional[bytes]:
        if v is None:
            return None
        b = str(v).encode()
        keep.append(b)
        return b
    p.opset = int(opset or 0)
    p.upsample = int(upsample)
    p.rank = onnx_rank
    p.mode = s(mode)
    p.coordinate_transformation_mode = s(coordinate_transformation_mode)
    p.nearest_mode = s(nearest_mode)
    p.cubic_coeff_a = float(cubic_coeff_a)
    p.exclude_outside = int(exclude_outside)
    p.extrapolation_value = float(extrapolation_value)
    p.antialias = int(antialias)
    p.keep_aspect_ratio_policy = s(keep_aspect_ratio_policy)
    _fill(p, "axes", _values(axes, "axes", int), 8, "axes")
    _fill(p, "roi", _values(roi, "roi", float), 16, "roi")
    _fill(p, "scales", _values(scales, "scales", float), 8, "scales")
    _fill(p, "sizes", _values(sizes, "sizes", int), 8, "sizes")
    ctx = _ctx_handle(context)
    dx = a.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    name = "Upsample" if upsample else "Resize"
    check(lib.clrs_onnx_resize_output_shape(ctx, byref(dx), byref(p), shp), ctx, name)
    o, ov = _out(out, [int(shp[i]) for i in range(a.ndim)], a.dtype, onnx_rank)
    dy = ov.desc()
    check(lib.clrs_onnx_resize(ctx, byref(p), byref(dx), a.ptr, byref(dy), ov.ptr), ctx, name)
    return _ret(o, out, a.source)


def resize(X: Array, roi: Optional[Array] = None, scales: Optional[Array] = None,
           sizes: Optional[Array] = None, *, mode: str = "nearest",
           coordinate_transformation_mode: Optional[str] = None,
           nearest_mode: Optional[str] = None, cubic_coeff_a: float = -0.75,
           exclude_outside: int = 0, extrapolation_value: float = 0.0, antialias: int = 0,
           keep_aspect_ratio_policy: Optional[str] = None, axes: Ints = None,
           opset: Optional[int] = None, out: Optional[Array] = None,
           context: Optional[Context] = None) -> Array:
    """ONNX ``Resize`` (opsets 10-19 and later): X of rank 1 to 5, exactly one of
    ``scales`` / ``sizes`` (one value per axis, or per entry of ``axes``); ``roi`` for
    ``tf_crop_and_resize``. ``opset`` None is the newest; older opsets apply their rules
    (e.g. opset 10's scales-only form, opset 11's ``tf_half_pixel_for_nn``). The string
    attributes left None take ONNX's defaults (``half_pixel``, ``round_prefer_floor``,
    ``stretch``) where the opset has them.

    Returns Y, the same kind of array as X."""
    return _resize(X, roi, scales, sizes, False, opset, mode, coordinate_transformation_mode,
                   nearest_mode, cubic_coeff_a, exclude_outside, extrapolation_value, antialias,
                   keep_aspect_ratio_policy, axes, out, context)


def upsample(X: Array, scales: Array, *, mode: str = "nearest", opset: int = 9,
             out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    """ONNX ``Upsample`` (opsets 7 and 9): ``mode`` nearest or linear, one scale per axis.

    Returns Y, the same kind of array as X."""
    return _resize(X, None, scales, None, True, opset, mode, None, None, -0.75, 0, 0.0, 0, None,
                   None, out, context)


def _pool(op: int, name: str, X: Array, kernel_shape: Ints, auto_pad: str, ceil_mode: int,
          count_include_pad: int, dilations: Ints, pads: Ints, strides: Ints, p: int,
          storage_order: int, return_indices: bool, out: Any,
          context: Optional[Context]) -> Any:
    a = as_input(X, "X")
    pp = _lib.OnnxPoolParams()
    lib.clrs_onnx_pool_params_init(byref(pp), op)
    _fill(pp, "kernel_shape", _values(kernel_shape, "kernel_shape", int), 3, "kernel_shape")
    _fill(pp, "strides", _values(strides, "strides", int), 3, "strides")
    _fill(pp, "pads", _values(pads, "pads", int), 6, "pads")
    _fill(pp, "dilations", _values(dilations, "dilations", int), 3, "dilations")
    if auto_pad not in _AUTO_PAD:
        raise ValueError(f"{name}: auto_pad must be one of {', '.join(_AUTO_PAD)}, "
                         f"not {auto_pad!r}")
    pp.auto_pad = _AUTO_PAD[auto_pad]
    pp.ceil_mode = int(ceil_mode)
    pp.count_include_pad = int(count_include_pad)
    pp.p = int(p)
    pp.storage_order = int(storage_order)
    ctx = _ctx_handle(context)
    dx = a.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_onnx_pool_output_shape(ctx, byref(dx), byref(pp), shp), ctx, name)
    oshape = [int(shp[i]) for i in range(a.ndim)]
    o = alloc(oshape, a.dtype) if out is None else as_output(out, oshape, a.dtype)
    dy = o.desc()
    if return_indices:
        idx = alloc(oshape, _lib.I64)
        di = idx.desc()
        st = lib.clrs_onnx_pool(ctx, byref(pp), byref(dx), a.ptr, byref(dy), o.ptr, byref(di),
                                idx.ptr)
    else:
        st = lib.clrs_onnx_pool(ctx, byref(pp), byref(dx), a.ptr, byref(dy), o.ptr, None, None)
    check(st, ctx, name)
    y = _ret(o, out, a.source)
    return (y, wrap(idx, a.source)) if return_indices else y


def max_pool(X: Array, kernel_shape: Sequence[int], *, auto_pad: str = "NOTSET",
             ceil_mode: int = 0, dilations: Ints = None, pads: Ints = None,
             storage_order: int = 0, strides: Ints = None, return_indices: bool = False,
             out: Optional[Array] = None, context: Optional[Context] = None) -> Any:
    """ONNX ``MaxPool`` (opsets 8-22). ``pads`` is all begins then all ends. With
    ``return_indices`` also the ``Indices`` output (int64, flat over the whole tensor,
    row-major or, with ``storage_order=1``, column-major): ``(Y, Indices)``."""
    return _pool(0, "MaxPool", X, kernel_shape, auto_pad, ceil_mode, 0, dilations, pads,
                 strides, 2, storage_order, return_indices, out, context)


def average_pool(X: Array, kernel_shape: Sequence[int], *, auto_pad: str = "NOTSET",
                 ceil_mode: int = 0, count_include_pad: int = 0, dilations: Ints = None,
                 pads: Ints = None, strides: Ints = None, out: Optional[Array] = None,
                 context: Optional[Context] = None) -> Array:
    """ONNX ``AveragePool`` (opsets 7-22)."""
    return _pool(1, "AveragePool", X, kernel_shape, auto_pad, ceil_mode, count_include_pad,
                 dilations, pads, strides, 2, 0, False, out, context)


def lp_pool(X: Array, kernel_shape: Sequence[int], *, auto_pad: str = "NOTSET",
            ceil_mode: int = 0, dilations: Ints = None, p: int = 2, pads: Ints = None,
            strides: Ints = None, out: Optional[Array] = None,
            context: Optional[Context] = None) -> Array:
    """ONNX ``LpPool`` (opsets 18-22)."""
    return _pool(2, "LpPool", X, kernel_shape, auto_pad, ceil_mode, 0, dilations, pads,
                 strides, p, 0, False, out, context)


def global_max_pool(X: Array, *, out: Optional[Array] = None,
                    context: Optional[Context] = None) -> Array:
    """ONNX ``GlobalMaxPool``: the maximum of each (N, C) plane, spatial sizes 1."""
    return _pool(3, "GlobalMaxPool", X, None, "NOTSET", 0, 0, None, None, None, 2, 0, False,
                 out, context)


def global_average_pool(X: Array, *, out: Optional[Array] = None,
                        context: Optional[Context] = None) -> Array:
    """ONNX ``GlobalAveragePool``: the mean of each (N, C) plane, spatial sizes 1."""
    return _pool(4, "GlobalAveragePool", X, None, "NOTSET", 0, 0, None, None, None, 2, 0,
                 False, out, context)


def global_lp_pool(X: Array, *, p: int = 2, out: Optional[Array] = None,
                   context: Optional[Context] = None) -> Array:
    """ONNX ``GlobalLpPool``: the p-norm of each (N, C) plane, spatial sizes 1."""
    return _pool(5, "GlobalLpPool", X, None, "NOTSET", 0, 0, None, None, None, p, 0, False,
                 out, context)


def max_unpool(X: Array, I: Array, output_shape: Optional[Array] = None, *,  # noqa: E741
               kernel_shape: Sequence[int], pads: Ints = None, strides: Ints = None,
               out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    """ONNX ``MaxUnpool`` (opsets 9, 11, 22): X and I (int64 indices as MaxPool makes them,
    X's shape); ``output_shape`` the optional third input (the full shape)."""
    a, ia = as_input(X, "X"), as_input(I, "I")
    p = _lib.OnnxUnpoolParams()
    lib.clrs_onnx_unpool_params_init(byref(p))
    _fill(p, "kernel_shape", _values(kernel_shape, "kernel_shape", int), 3, "kernel_shape")
    _fill(p, "strides", _values(strides, "strides", int), 3, "strides")
    _fill(p, "pads", _values(pads, "pads", int), 6, "pads")
    _fill(p, "output_shape", _values(output_shape, "output_shape", int), _lib.MAX_RANK,
          "output_shape")
    ctx = _ctx_handle(context)
    dx, di = a.desc(), ia.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    check(lib.clrs_onnx_max_unpool_output_shape(ctx, byref(dx), byref(p), shp), ctx, "MaxUnpool")
    oshape = [int(shp[i]) for i in range(a.ndim)]
    o = alloc(oshape, a.dtype) if out is None else as_output(out, oshape, a.dtype)
    dy = o.desc()
    check(lib.clrs_onnx_max_unpool(ctx, byref(p), byref(dx), a.ptr, byref(di), ia.ptr,
                                   byref(dy), o.ptr), ctx, "MaxUnpool")
    return _ret(o, out, a.source)


def _depth(name: str, X: Array, blocksize: int, mode: str, to_space: bool, out: Any,
           context: Optional[Context]) -> Array:
    if mode not in _DEPTH_MODE:
        raise ValueError(f"{name}: mode must be DCR or CRD, not {mode!r}")
    a = as_input(X, "X")
    ctx = _ctx_handle(context)
    dx = a.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    shape_fn = (lib.clrs_onnx_depth_to_space_output_shape if to_space
                else lib.clrs_onnx_space_to_depth_output_shape)
    check(shape_fn(ctx, byref(dx), int(blocksize), shp), ctx, name)
    oshape = [int(shp[i]) for i in range(a.ndim)]
    o = alloc(oshape, a.dtype) if out is None else as_output(out, oshape, a.dtype)
    dy = o.desc()
    fn = lib.clrs_onnx_depth_to_space if to_space else lib.clrs_onnx_space_to_depth
    check(fn(ctx, int(blocksize), _DEPTH_MODE[mode], byref(dx), a.ptr, byref(dy), o.ptr), ctx,
          name)
    return _ret(o, out, a.source)


def depth_to_space(X: Array, blocksize: int, *, mode: str = "DCR",
                   out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    """ONNX ``DepthToSpace`` (mode ``DCR``, ONNX's default, or ``CRD`` = pixel_shuffle)."""
    return _depth("DepthToSpace", X, blocksize, mode, True, out, context)


def space_to_depth(X: Array, blocksize: int, *, mode: str = "DCR",
                   out: Optional[Array] = None, context: Optional[Context] = None) -> Array:
    """ONNX ``SpaceToDepth`` (``DCR``; ``CRD`` = pixel_unshuffle)."""
    return _depth("SpaceToDepth", X, blocksize, mode, False, out, context)


def _conv(name: str, transposed: bool, X: Array, W: Array, B: Optional[Array], auto_pad: str,
          dilations: Ints, group: int, kernel_shape: Ints, output_padding: Ints,
          output_shape: Ints, pads: Ints, strides: Ints, out: Any,
          context: Optional[Context]) -> Any:
    if not _lib.HAVE.get("clrs_onnx_conv"):
        raise _lib.UnsupportedError(-10, f"{_lib.LIBRARY_PATH} has no ONNX Conv (clrs_onnx_conv): "
                                    "the library is older than this package", name)
    a, w = as_input(X, "X"), as_input(W, "W")
    p = _lib.OnnxConvParams()
    lib.clrs_onnx_conv_params_init(byref(p))
    _fill(p, "kernel_shape", _values(kernel_shape, "kernel_shape", int), 3, "kernel_shape")
    _fill(p, "strides", _values(strides, "strides", int), 3, "strides")
    _fill(p, "pads", _values(pads, "pads", int), 6, "pads")
    _fill(p, "dilations", _values(dilations, "dilations", int), 3, "dilations")
    _fill(p, "output_padding", _values(output_padding, "output_padding", int), 3,
          "output_padding")
    _fill(p, "output_shape", _values(output_shape, "output_shape", int), _lib.MAX_RANK,
          "output_shape")
    if auto_pad not in _AUTO_PAD:
        raise ValueError(f"{name}: auto_pad must be one of {', '.join(_AUTO_PAD)}, "
                         f"not {auto_pad!r}")
    p.auto_pad = _AUTO_PAD[auto_pad]
    p.group = int(group)
    ctx = _ctx_handle(context)
    dx, dw = a.desc(), w.desc()
    shp = (c_int64 * _lib.MAX_RANK)()
    shape_fn = (lib.clrs_onnx_conv_transpose_output_shape if transposed
                else lib.clrs_onnx_conv_output_shape)
    check(shape_fn(ctx, byref(p), byref(dx), byref(dw), shp), ctx, name)
    oshape = [int(shp[i]) for i in range(a.ndim)]
    db = bptr = None
    if B is not None:
        b = as_input(B, "B")
        db, bptr = b.desc(), b.ptr
    o = alloc(oshape, a.dtype) if out is None else as_output(out, oshape, a.dtype)
    dy = o.desc()
    fn = lib.clrs_onnx_conv_transpose if transposed else lib.clrs_onnx_conv
    check(fn(ctx, byref(p), byref(dx), a.ptr, byref(dw), w.ptr,
             byref(db) if db is not None else None, bptr, byref(dy), o.ptr), ctx, name)
    return _ret(o, out, a.source)


def conv(X: Array, W: Array, B: Optional[Array] = None, *, auto_pad: str = "NOTSET",
         dilations: Ints = None, group: int = 1, kernel_shape: Ints = None, pads: Ints = None,
         strides: Ints = None, out: Optional[Array] = None,
         context: Optional[Context] = None) -> Array:
    """ONNX ``Conv`` (opsets 1-22): X (N, C, ...), W (M, C/group, k...), B (M). ``pads``
    is all begins then all ends (asymmetric allowed); ``auto_pad`` SAME_UPPER / SAME_LOWER
    give ceil(in / stride) outputs with the odd pad at the end / begin."""
    return _conv("Conv", False, X, W, B, auto_pad, dilations, group, kernel_shape, None, None,
                 pads, strides, out, context)


def conv_transpose(X: Array, W: Array, B: Optional[Array] = None, *, auto_pad: str = "NOTSET",
                   dilations: Ints = None, group: int = 1, kernel_shape: Ints = None,
                   output_padding: Ints = None, output_shape: Ints = None, pads: Ints = None,
                   strides: Ints = None, out: Optional[Array] = None,
                   context: Optional[Context] = None) -> Array:
    """ONNX ``ConvTranspose`` (opsets 1-22): X (N, C, ...), W (C, M/group, k...), B (M).
    ``output_shape`` (spatial sizes) sets the output size and the pads (the ONNX docs'
    split; given ``pads`` are then ignored); ``auto_pad`` SAME_* without it gives in * stride."""
    return _conv("ConvTranspose", True, X, W, B, auto_pad, dilations, group, kernel_shape,
                 output_padding, output_shape, pads, strides, out, context)
