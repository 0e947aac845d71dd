# SPDX-License-Identifier: MIT
"""ctypes binding of libclresample's stable C ABI (include/clresample.h).

Finds the shared library (CLRESAMPLE_LIBRARY, then pkg-config, then the
loader path), checks its version and the sizes of the parameter structs,
and declares every function used with its argument and result types.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
from ctypes import (POINTER, Structure, byref, c_char, c_char_p, c_double, c_int, c_int64,
                    c_size_t, c_uint64, c_void_p)
from typing import List, Optional

#: The soname this package binds (libtool's current - age).
SONAME = "libclresample.so.1"
#: Oldest library version (MAJOR*10000 + MINOR*100 + PATCH) with every call used here.
MIN_VERSION = 100  # 0.1.0: grid_sample and affine_grid
MAX_RANK = 5
UNSET = -1

# clrs_dtype
F32, F64, F16, BF16, U8, U16, I64 = 1, 2, 3, 4, 5, 6, 7
# clrs_pool_kind
POOL_MAX, POOL_AVG, POOL_LP, POOL_ADAPTIVE_AVG, POOL_ADAPTIVE_MAX, POOL_FRACTIONAL_MAX = range(6)


class TensorDesc(Structure):
    _fields_ = [("dtype", c_int), ("rank", c_int), ("sizes", c_int64 * MAX_RANK),
                ("strides", c_int64 * MAX_RANK), ("offset", c_int64)]


class ContextOptions(Structure):
    _fields_ = [("struct_size", c_size_t), ("device", c_char_p)]


class DeviceInfoStruct(Structure):
    _fields_ = [("platform", c_char * 128), ("name", c_char * 128), ("vendor", c_char * 128),
                ("version", c_char * 128), ("driver", c_char * 64), ("type", c_char * 16),
                ("platform_index", c_int), ("device_index", c_int), ("available", c_int),
                ("fp64", c_int), ("fp16", c_int), ("images", c_int),
                ("global_mem", c_uint64), ("max_alloc", c_uint64),
                ("max_work_group", c_size_t), ("is_default", c_int), ("reason", c_char * 160)]


class InterpolateParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("mode", c_int), ("n_size", c_int),
                ("size", c_int64 * 3), ("n_scale", c_int), ("scale", c_double * 3),
                ("align_corners", c_int), ("recompute_scale_factor", c_int), ("antialias", c_int)]


class PoolParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("kind", c_int),
                ("n_kernel", c_int), ("kernel", c_int64 * 3),
                ("n_stride", c_int), ("stride", c_int64 * 3),
                ("n_padding", c_int), ("padding", c_int64 * 3),
                ("n_dilation", c_int), ("dilation", c_int64 * 3),
                ("ceil_mode", c_int), ("count_include_pad", c_int),
                ("divisor_override", c_int64), ("norm_type", c_double),
                ("n_output_size", c_int), ("output_size", c_int64 * 3),
                ("n_output_ratio", c_int), ("output_ratio", c_double * 3),
                ("samples", c_void_p), ("samples_dtype", c_int), ("seed", c_uint64)]


class UnpoolParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("n_kernel", c_int), ("kernel", c_int64 * 3),
                ("n_stride", c_int), ("stride", c_int64 * 3),
                ("n_padding", c_int), ("padding", c_int64 * 3),
                ("n_output_size", c_int), ("output_size", c_int64 * 3)]


class GridSampleParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("mode", c_int), ("padding_mode", c_int),
                ("align_corners", c_int)]


class ConvParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("n_stride", c_int), ("stride", c_int64 * 3),
                ("n_padding", c_int), ("padding", c_int64 * 3),
                ("n_dilation", c_int), ("dilation", c_int64 * 3),
                ("n_output_padding", c_int), ("output_padding", c_int64 * 3),
                ("groups", c_int64), ("padding_kind", c_int), ("padding_mode", c_int)]


class OnnxResizeParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("opset", c_int), ("upsample", c_int), ("rank", c_int),
                ("mode", c_char_p), ("coordinate_transformation_mode", c_char_p),
                ("nearest_mode", c_char_p), ("cubic_coeff_a", c_double),
                ("exclude_outside", c_int), ("extrapolation_value", c_double),
                ("antialias", c_int), ("keep_aspect_ratio_policy", c_char_p),
                ("n_axes", c_int), ("axes", c_int64 * 8), ("n_roi", c_int), ("roi", c_double * 16),
                ("n_scales", c_int), ("scales", c_double * 8), ("n_sizes", c_int),
                ("sizes", c_int64 * 8)]


class OnnxPoolParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("op", c_int), ("n_kernel_shape", c_int),
                ("kernel_shape", c_int64 * 3), ("n_strides", c_int), ("strides", c_int64 * 3),
                ("n_pads", c_int), ("pads", c_int64 * 6), ("n_dilations", c_int),
                ("dilations", c_int64 * 3), ("auto_pad", c_int), ("ceil_mode", c_int),
                ("count_include_pad", c_int), ("p", c_int64), ("storage_order", c_int)]


class OnnxUnpoolParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("n_kernel_shape", c_int),
                ("kernel_shape", c_int64 * 3), ("n_strides", c_int), ("strides", c_int64 * 3),
                ("n_pads", c_int), ("pads", c_int64 * 6), ("n_output_shape", c_int),
                ("output_shape", c_int64 * MAX_RANK)]


class OnnxConvParams(Structure):
    _fields_ = [("struct_size", c_size_t), ("auto_pad", c_int), ("n_kernel_shape", c_int),
                ("kernel_shape", c_int64 * 3), ("n_strides", c_int), ("strides", c_int64 * 3),
                ("n_pads", c_int), ("pads", c_int64 * 6), ("n_dilations", c_int),
                ("dilations", c_int64 * 3), ("group", c_int64), ("n_output_padding", c_int),
                ("output_padding", c_int64 * 3), ("n_output_shape", c_int),
                ("output_shape", c_int64 * MAX_RANK)]


_P = c_void_p
_D = POINTER(TensorDesc)
_SIZES = c_int64 * MAX_RANK

# name: (restype, argtypes)
_SIGNATURES = {
    "clrs_version_number": (ctypes.c_uint, []),
    "clrs_version_string": (c_char_p, []),
    "clrs_strerror": (c_char_p, [c_int]),
    "clrs_status_name": (c_char_p, [c_int]),
    "clrs_last_error": (c_char_p, [_P]),
    "clrs_context_options_init": (None, [POINTER(ContextOptions)]),
    "clrs_context_create": (c_int, [POINTER(_P), POINTER(ContextOptions)]),
    "clrs_context_release": (None, [_P]),
    "clrs_context_device": (c_int, [_P, POINTER(DeviceInfoStruct)]),
    "clrs_device_list": (c_int, [POINTER(POINTER(DeviceInfoStruct)), POINTER(c_size_t)]),
    "clrs_device_list_free": (None, [POINTER(DeviceInfoStruct)]),
    "clrs_interp_mode_parse": (c_int, [c_char_p, POINTER(c_int)]),
    "clrs_interpolate_params_init": (None, [_P]),
    "clrs_interpolate_output_shape": (c_int, [_P, _D, POINTER(InterpolateParams), _SIZES]),
    "clrs_interpolate": (c_int, [_P, POINTER(InterpolateParams), _D, _P, _D, _P]),
    "clrs_resize_batch": (c_int, [_P, POINTER(InterpolateParams), c_size_t, _D, POINTER(c_void_p), _D, _P]),
    "clrs_pool_params_init": (None, [_P, c_int]),
    "clrs_pool_output_shape": (c_int, [_P, _D, POINTER(PoolParams), _SIZES]),
    "clrs_pool": (c_int, [_P, POINTER(PoolParams), _D, _P, _D, _P, _D, _P]),
    "clrs_unpool_params_init": (None, [_P]),
    "clrs_max_unpool_output_shape": (c_int, [_P, _D, POINTER(UnpoolParams), _SIZES]),
    "clrs_max_unpool": (c_int, [_P, POINTER(UnpoolParams), _D, _P, _D, _P, _D, _P]),
    "clrs_pixel_shuffle_output_shape": (c_int, [_P, _D, c_int64, c_int, _SIZES]),
    "clrs_pixel_shuffle": (c_int, [_P, c_int64, c_int, _D, _P, _D, _P]),
    "clrs_grid_mode_parse": (c_int, [c_char_p, POINTER(c_int)]),
    "clrs_grid_padding_parse": (c_int, [c_char_p, POINTER(c_int)]),
    "clrs_grid_sample_params_init": (None, [_P]),
    "clrs_grid_sample_output_shape": (c_int, [_P, _D, _D, _SIZES]),
    "clrs_grid_sample": (c_int, [_P, POINTER(GridSampleParams), _D, _P, _D, _P, _D, _P]),
    "clrs_affine_grid": (c_int, [_P, _D, _P, c_int, POINTER(c_int64), c_int, _D, _P]),
    # <clresample/onnx.h>
    "clrs_onnx_resize_params_init": (None, [_P]),
    "clrs_onnx_resize_output_shape": (c_int, [_P, _D, POINTER(OnnxResizeParams), _SIZES]),
    "clrs_onnx_resize": (c_int, [_P, POINTER(OnnxResizeParams), _D, _P, _D, _P]),
    "clrs_onnx_pool_params_init": (None, [_P, c_int]),
    "clrs_onnx_pool_output_shape": (c_int, [_P, _D, POINTER(OnnxPoolParams), _SIZES]),
    "clrs_onnx_pool": (c_int, [_P, POINTER(OnnxPoolParams), _D, _P, _D, _P, _D, _P]),
    "clrs_onnx_unpool_params_init": (None, [_P]),
    "clrs_onnx_max_unpool_output_shape": (c_int, [_P, _D, POINTER(OnnxUnpoolParams), _SIZES]),
    "clrs_onnx_max_unpool": (c_int, [_P, POINTER(OnnxUnpoolParams), _D, _P, _D, _P, _D, _P]),
    "clrs_onnx_depth_to_space_output_shape": (c_int, [_P, _D, c_int64, _SIZES]),
    "clrs_onnx_depth_to_space": (c_int, [_P, c_int64, c_int, _D, _P, _D, _P]),
    "clrs_onnx_space_to_depth_output_shape": (c_int, [_P, _D, c_int64, _SIZES]),
    "clrs_onnx_space_to_depth": (c_int, [_P, c_int64, c_int, _D, _P, _D, _P]),
}

# Calls a library may lack (added after MIN_VERSION): declared when present;
# clresample.backward raises UnsupportedError where one is missing (HAVE[name]).
_OPTIONAL_SIGNATURES = {
    # the "Backward" section of <clresample.h> (issue #14)
    "clrs_pool_backward": (c_int, [_P, POINTER(PoolParams), _D, _P, _D, _P, _D, _P, _D, _P]),
    "clrs_pixel_shuffle_backward": (c_int, [_P, c_int64, c_int, _D, _P, _D, _P]),
    "clrs_max_unpool_backward": (c_int, [_P, POINTER(UnpoolParams), _D, _P, _D, _P, _D, _P]),
    "clrs_interpolate_backward": (c_int, [_P, POINTER(InterpolateParams), _D, _D, _P, _D, _P]),
    # convolution (issue #17)
    "clrs_conv_params_init": (None, [_P]),
    "clrs_conv_padding_mode_parse": (c_int, [c_char_p, POINTER(c_int)]),
    "clrs_conv_output_shape": (c_int, [_P, POINTER(ConvParams), _D, _D, _SIZES]),
    "clrs_conv": (c_int, [_P, POINTER(ConvParams), _D, _P, _D, _P, _D, _P, _D, _P]),
    "clrs_conv_transpose_output_shape": (c_int, [_P, POINTER(ConvParams), _D, _D, _SIZES]),
    "clrs_conv_transpose": (c_int, [_P, POINTER(ConvParams), _D, _P, _D, _P, _D, _P, _D, _P]),
    # ONNX Conv / ConvTranspose (<clresample/onnx.h>)
    "clrs_onnx_conv_params_init": (None, [_P]),
    "clrs_onnx_conv_output_shape": (c_int, [_P, POINTER(OnnxConvParams), _D, _D, _SIZES]),
    "clrs_onnx_conv": (c_int, [_P, POINTER(OnnxConvParams), _D, _P, _D, _P, _D, _P, _D, _P]),
    "clrs_onnx_conv_transpose_output_shape": (c_int, [_P, POINTER(OnnxConvParams), _D, _D, _SIZES]),
    "clrs_onnx_conv_transpose": (c_int, [_P, POINTER(OnnxConvParams), _D, _P, _D, _P, _D, _P, _D, _P]),
}
HAVE: dict = {}

ENV_VAR = "CLRESAMPLE_LIBRARY"


_NOTES: List[str] = []


def _candidates() -> List[str]:
    """Where to look for the library, in order."""
    env = os.environ.get(ENV_VAR)
    if env:
        return [env]  # an explicit request is never silently replaced by another copy
    out: List[str] = []
    if shutil.which("pkg-config"):
        try:
            libdir = subprocess.run(["pkg-config", "--variable=libdir", "clresample"],
                                    capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            libdir = ""
        if libdir:
            out.append(os.path.join(libdir, SONAME))
        else:
            _NOTES.append("pkg-config: no clresample.pc on PKG_CONFIG_PATH")
    else:
        _NOTES.append("pkg-config: not installed")
    out.append(SONAME)  # the loader's path: ld.so.cache, LD_LIBRARY_PATH
    found = ctypes.util.find_library("clresample")
    if found:
        out.append(found)
    return out


def _load() -> ctypes.CDLL:
    tried = []
    for cand in _candidates():
        try:
            lib = ctypes.CDLL(cand)
        except OSError as e:
            tried.append(f"{cand}: {e}")
            continue
        lib._clrs_path = cand  # type: ignore[attr-defined]
        return lib
    hint = (f"{ENV_VAR} is set but the library cannot be loaded from it: fix or unset it"
            if os.environ.get(ENV_VAR) else
            f"install libclresample (./configure && make && make install, then ldconfig; "
            f"or a package providing {SONAME}), make it visible to pkg-config "
            f"(PKG_CONFIG_PATH) or the loader (LD_LIBRARY_PATH), or set "
            f"{ENV_VAR}=/path/to/{SONAME}")
    raise ImportError(f"clresample: cannot load the C library {SONAME}: {hint}. Tried: "
                      + "; ".join(_NOTES + tried))


def _declare(lib: ctypes.CDLL) -> None:
    for name, (res, args) in _SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise ImportError(f"clresample: {lib._clrs_path} has no {name}: the library is "
                              f"too old for this package (need version >= "
                              f"{MIN_VERSION // 10000}.{MIN_VERSION // 100 % 100}."
                              f"{MIN_VERSION % 100})") from None
        fn.restype = res
        fn.argtypes = args
    for name, (res, args) in _OPTIONAL_SIGNATURES.items():
        fn = getattr(lib, name, None)
        HAVE[name] = fn is not None
        if fn is not None:
            fn.restype = res
            fn.argtypes = args


def _check_struct(lib: ctypes.CDLL, init, ours, *extra) -> None:
    """The library's init writes sizeof(its struct) into struct_size: compare with ours
    (on a scratch buffer far larger than any version of the struct)."""
    buf = ctypes.create_string_buffer(4096)
    init(buf, *extra)
    theirs = c_size_t.from_buffer(buf).value
    if theirs != ctypes.sizeof(ours):
        raise ImportError(f"clresample: {lib._clrs_path}: {ours.__name__} is {theirs} bytes in "
                          f"the library, {ctypes.sizeof(ours)} in this package: the library and "
                          f"the Python package do not match")


lib = _load()
_declare(lib)
VERSION_NUMBER = int(lib.clrs_version_number())
VERSION = lib.clrs_version_string().decode()
if VERSION_NUMBER // 10000 != MIN_VERSION // 10000 or VERSION_NUMBER < MIN_VERSION:
    raise ImportError(f"clresample: {lib._clrs_path} is version {VERSION}; this package needs "
                      f"{MIN_VERSION // 10000}.x, at least "
                      f"{MIN_VERSION // 10000}.{MIN_VERSION // 100 % 100}.{MIN_VERSION % 100}")
_check_struct(lib, lib.clrs_interpolate_params_init, InterpolateParams)
_check_struct(lib, lib.clrs_pool_params_init, PoolParams, 0)
_check_struct(lib, lib.clrs_unpool_params_init, UnpoolParams)
_check_struct(lib, lib.clrs_grid_sample_params_init, GridSampleParams)
_check_struct(lib, lib.clrs_onnx_resize_params_init, OnnxResizeParams)
_check_struct(lib, lib.clrs_onnx_pool_params_init, OnnxPoolParams, 0)
_check_struct(lib, lib.clrs_onnx_unpool_params_init, OnnxUnpoolParams)
if HAVE.get("clrs_conv_params_init"):
    _check_struct(lib, lib.clrs_conv_params_init, ConvParams)
if HAVE.get("clrs_onnx_conv_params_init"):
    _check_struct(lib, lib.clrs_onnx_conv_params_init, OnnxConvParams)
LIBRARY_PATH: str = lib._clrs_path


# ---------------------------------------------------------------------------
# Errors

class Error(RuntimeError):
    """A failure reported by libclresample.

    ``status`` is the library's status code (negative), ``status_name`` its symbolic
    name (e.g. ``"CLRS_ERR_BAD_PARAM"``) and ``message`` the detail from
    ``clrs_last_error`` (the bad value, the OpenCL error, the build log). Subclasses
    group the statuses; the argument errors are also ``ValueError``/``TypeError``.
    """

    def __init__(self, status: int, message: str, where: str = ""):
        self.status = status
        self.status_name = lib.clrs_status_name(status).decode()
        self.message = message or lib.clrs_strerror(status).decode()
        text = f"{where}: {self.message}" if where else self.message
        super().__init__(f"{text} [{self.status_name}]")


class InvalidArgumentError(Error, ValueError):
    """Bad argument, shape, stride, parameter or index (also a ``ValueError``)."""


class DtypeError(Error, TypeError):
    """Unsupported or mismatched data type (also a ``TypeError``)."""


class UnsupportedError(Error):
    """Not supported on this device (e.g. float64 without fp64) or not implemented."""


class DeviceError(Error):
    """No OpenCL platform, or no device matches the request."""


class OpenCLError(Error):
    """OpenCL runtime, program build or device memory failure."""


class OutOfMemoryError(Error, MemoryError):
    """Out of host memory."""


class InternalError(Error):
    """A bug in libclresample."""


_ERROR_CLASSES = {
    -1: InvalidArgumentError, -2: OutOfMemoryError, -3: DeviceError, -4: DeviceError,
    -5: UnsupportedError, -6: OpenCLError, -7: OpenCLError, -8: OpenCLError,
    -9: InternalError, -10: UnsupportedError, -11: InvalidArgumentError,
    -12: InvalidArgumentError, -13: InvalidArgumentError, -14: DtypeError,
    -15: InvalidArgumentError, -16: InvalidArgumentError,
}


def check(status: int, ctx: Optional[int], where: str = "") -> None:
    """Raise the Error subclass for a failed status with the calling thread's
    clrs_last_error (must run right after the failing call, on its thread)."""
    if status == 0:
        return
    msg = lib.clrs_last_error(ctx)
    msg = msg.decode(errors="replace") if msg else ""
    raise _ERROR_CLASSES.get(status, Error)(status, msg, where)


__all__ = ["lib", "check", "Error", "InvalidArgumentError", "DtypeError", "UnsupportedError",
           "DeviceError", "OpenCLError", "OutOfMemoryError", "InternalError", "byref"]
