# SPDX-License-Identifier: MIT
"""Arrays in and out: numpy arrays and DLPack producers (torch CPU tensors, ...).

An input becomes a clrs_tensor_desc over its own memory (sizes, element strides),
never a copy unless numpy's strides cannot be expressed (negative or not a
multiple of the item size, non-native byte order). Outputs are allocated with
numpy and handed back as the input's kind of array through that library's
``from_dlpack`` (zero copy).
"""
from __future__ import annotations

import ctypes
import sys
from ctypes import POINTER, Structure, c_int, c_int64, c_uint8, c_uint16, c_uint64, c_void_p
from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from . import _lib

try:  # optional: numpy's bfloat16
    import ml_dtypes as _ml_dtypes  # type: ignore
    _NP_BF16: Optional[np.dtype] = np.dtype(_ml_dtypes.bfloat16)
except Exception:  # pragma: no cover - depends on the environment
    _NP_BF16 = None

_NP_TO_CLRS = {np.dtype(np.float32): _lib.F32, np.dtype(np.float64): _lib.F64,
               np.dtype(np.float16): _lib.F16, np.dtype(np.uint8): _lib.U8,
               np.dtype(np.uint16): _lib.U16, np.dtype(np.int64): _lib.I64}
if _NP_BF16 is not None:
    _NP_TO_CLRS[_NP_BF16] = _lib.BF16
# storage dtype of each clrs dtype in numpy (bf16 as raw uint16 bits without ml_dtypes)
_CLRS_TO_NP = {_lib.F32: np.dtype(np.float32), _lib.F64: np.dtype(np.float64),
               _lib.F16: np.dtype(np.float16), _lib.U8: np.dtype(np.uint8),
               _lib.U16: np.dtype(np.uint16), _lib.I64: np.dtype(np.int64),
               _lib.BF16: _NP_BF16 if _NP_BF16 is not None else np.dtype(np.uint16)}
# DLPack (code, bits) -> clrs dtype. Codes: 0 int, 1 uint, 2 float, 4 bfloat.
_DL_TO_CLRS = {(2, 32): _lib.F32, (2, 64): _lib.F64, (2, 16): _lib.F16, (4, 16): _lib.BF16,
               (1, 8): _lib.U8, (1, 16): _lib.U16, (0, 64): _lib.I64}
DTYPE_NAMES = {_lib.F32: "float32", _lib.F64: "float64", _lib.F16: "float16",
               _lib.BF16: "bfloat16", _lib.U8: "uint8", _lib.U16: "uint16", _lib.I64: "int64"}
FLOAT_DTYPES = (_lib.F32, _lib.F64, _lib.F16, _lib.BF16)


class _DLDevice(Structure):
    _fields_ = [("device_type", c_int), ("device_id", c_int)]


class _DLDataType(Structure):
    _fields_ = [("code", c_uint8), ("bits", c_uint8), ("lanes", c_uint16)]


class _DLTensor(Structure):
    _fields_ = [("data", c_void_p), ("device", _DLDevice), ("ndim", c_int),
                ("dtype", _DLDataType), ("shape", POINTER(c_int64)),
                ("strides", POINTER(c_int64)), ("byte_offset", c_uint64)]


_capsule_get = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_get.restype = c_void_p
_capsule_get.argtypes = [ctypes.py_object, ctypes.c_char_p]
_DL_CPU, _DL_CUDA_HOST, _DL_ROCM_HOST = 1, 3, 11

# A valid address for empty tensors whose producer gives NULL.
_EMPTY = ctypes.create_string_buffer(16)


class Arr:
    """A host tensor as the library sees it: address, dtype, sizes, element strides.

    ``keep`` holds whatever keeps the memory alive (the numpy array, the DLPack
    capsule, whose destructor releases the producer's tensor)."""
    __slots__ = ("ptr", "dtype", "shape", "strides", "keep", "source")

    def __init__(self, ptr: int, dtype: int, shape: Tuple[int, ...], strides: Tuple[int, ...],
                 keep: Any, source: Any):
        self.ptr = ptr or ctypes.addressof(_EMPTY)
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.keep = keep
        self.source = source

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def desc(self, shape: Optional[Sequence[int]] = None,
             strides: Optional[Sequence[int]] = None) -> _lib.TensorDesc:
        shape = self.shape if shape is None else shape
        strides = self.strides if strides is None else strides
        if not 1 <= len(shape) <= _lib.MAX_RANK:
            raise ValueError(f"a {len(shape)}-D array: clresample takes tensors of rank 3 to "
                             f"{_lib.MAX_RANK}")
        d = _lib.TensorDesc()
        d.dtype = self.dtype
        d.rank = len(shape)
        for i, (n, s) in enumerate(zip(shape, strides)):
            d.sizes[i] = n
            d.strides[i] = s
        d.offset = 0
        return d

    def is_channels_last(self) -> bool:
        """Laid out (N, spatial..., C) and not also contiguous: outputs follow it, as
        PyTorch's operators keep channels_last."""
        if self.ndim not in (4, 5):
            return False
        cl = _strides_for(self.shape, [0] + list(range(2, self.ndim)) + [1])
        return (self.shape[1] > 1 and _same_layout(self.shape, self.strides, cl)
                and not _same_layout(self.shape, self.strides, _contig(self.shape)))


def _contig(shape: Sequence[int]) -> Tuple[int, ...]:
    out, acc = [], 1
    for n in reversed(shape):
        out.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(out))


def _strides_for(shape: Sequence[int], order: Sequence[int]) -> Tuple[int, ...]:
    """Element strides of `shape` laid out in memory with axes in `order` (outermost first)."""
    st = [0] * len(shape)
    acc = 1
    for ax in reversed(order):
        st[ax] = acc
        acc *= max(shape[ax], 1)
    return tuple(st)


def _same_layout(shape, a, b) -> bool:
    return all(n <= 1 or x == y for n, x, y in zip(shape, a, b))


def _from_numpy(x: np.ndarray, source: Any, name: str) -> Arr:
    dt = _NP_TO_CLRS.get(x.dtype)
    if dt is None:
        if x.dtype.kind in "fiub" and not x.dtype.isnative:
            x = x.astype(x.dtype.newbyteorder("="))
            dt = _NP_TO_CLRS.get(x.dtype)
        if dt is None:
            raise TypeError(f"{name}: unsupported dtype {x.dtype} (clresample takes float32, "
                            f"float64, float16, bfloat16, uint8, uint16 and int64 indices)")
    item = x.itemsize
    if any(s < 0 or s % item for s in x.strides):
        x = np.ascontiguousarray(x)  # strides the library cannot express
    return Arr(x.__array_interface__["data"][0], dt, tuple(int(n) for n in x.shape),
               tuple(int(s) // item for s in x.strides), x, source)


def _from_dlpack(x: Any, name: str) -> Arr:
    try:
        dev = x.__dlpack_device__()
    except AttributeError:
        dev = (_DL_CPU, 0)
    if int(dev[0]) not in (_DL_CPU, _DL_CUDA_HOST, _DL_ROCM_HOST):
        raise TypeError(f"{name}: the array is on DLPack device {tuple(dev)}; clresample "
                        f"takes host (CPU) memory: copy it to the CPU first")
    cap = x.__dlpack__()
    p = _capsule_get(cap, b"dltensor")
    t = _DLTensor.from_address(p)  # DLManagedTensor starts with its DLTensor
    code, bits, lanes = t.dtype.code, t.dtype.bits, t.dtype.lanes
    dt = _DL_TO_CLRS.get((code, bits)) if lanes == 1 else None
    if dt is None:
        raise TypeError(f"{name}: unsupported DLPack dtype (code {code}, {bits} bits, "
                        f"{lanes} lanes): clresample takes float32, float64, float16, "
                        f"bfloat16, uint8, uint16 and int64 indices")
    shape = tuple(t.shape[i] for i in range(t.ndim))
    strides = (tuple(t.strides[i] for i in range(t.ndim)) if t.strides
               else _contig(shape))
    if any(s < 0 for s in strides):
        raise ValueError(f"{name}: negative strides are not supported; make the array "
                         f"contiguous first")
    return Arr((t.data or 0) + t.byte_offset, dt, shape, strides, cap, x)


def as_input(x: Any, name: str = "input") -> Arr:
    """Describe an input array without copying it where its strides allow."""
    if isinstance(x, np.ndarray):
        return _from_numpy(x, x, name)
    if hasattr(x, "__dlpack__"):
        return _from_dlpack(x, name)
    if isinstance(x, (list, tuple, int, float, np.generic)):
        a = np.asarray(x)
        return _from_numpy(a, a, name)
    raise TypeError(f"{name} must be a numpy array or an object with __dlpack__ "
                    f"(e.g. a CPU torch.Tensor), not {type(x).__name__}")


def as_output(x: Any, shape: Sequence[int], dtype: int, name: str = "out") -> Arr:
    """Describe a preallocated output; its shape and dtype must be the result's."""
    if isinstance(x, np.ndarray) and not x.flags.writeable:
        raise ValueError(f"{name}: the array is read-only")
    a = as_input(x, name)
    if a.keep is not x and isinstance(x, np.ndarray):
        raise ValueError(f"{name}: the array's strides cannot be described to the library "
                         f"(negative or unaligned); pass a contiguous array")
    if tuple(a.shape) != tuple(shape):
        raise ValueError(f"{name} has shape {tuple(a.shape)}, expected {tuple(shape)}")
    if a.dtype != dtype:
        raise TypeError(f"{name} has dtype {DTYPE_NAMES.get(a.dtype)}, expected "
                        f"{DTYPE_NAMES.get(dtype)}")
    return a


def alloc(shape: Sequence[int], dtype: int, channels_last: bool = False) -> Arr:
    """A new numpy-backed output, contiguous or (N, spatial..., C) in memory."""
    shape = tuple(int(n) for n in shape)
    npdt = _CLRS_TO_NP[dtype]
    if channels_last and len(shape) in (4, 5):
        order = [0] + list(range(2, len(shape))) + [1]
        base = np.empty([shape[i] for i in order], npdt)
        inv = [order.index(i) for i in range(len(shape))]
        arr = base.transpose(inv)
    else:
        arr = np.empty(shape, npdt)
    return Arr(arr.__array_interface__["data"][0], dtype, shape,
               tuple(int(s) // arr.itemsize for s in arr.strides), arr, None)


def _wrapper_for(like: Any) -> Optional[Callable[[np.ndarray], Any]]:
    """from_dlpack of the library that made `like` (None: return numpy)."""
    if like is None or isinstance(like, np.ndarray) or not hasattr(like, "__dlpack__"):
        return None
    root = type(like).__module__.split(".")[0]
    mod = sys.modules.get(root)
    if root == "jaxlib":
        mod = sys.modules.get("jax")
    if mod is None:
        return None
    for path in ("from_dlpack", "numpy.from_dlpack", "utils.dlpack.from_dlpack"):
        obj: Any = mod
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    return None


def wrap(out: Arr, like: Any) -> Any:
    """Hand a freshly allocated result back as `like`'s kind of array (zero copy)."""
    arr = out.keep
    fn = _wrapper_for(like)
    if fn is None:
        return arr
    if out.dtype == _lib.BF16 and arr.dtype != np.uint16:
        arr = arr.view(np.uint16)
    res = fn(arr)
    if out.dtype == _lib.BF16:
        bf16 = getattr(sys.modules.get(type(res).__module__.split(".")[0]), "bfloat16", None)
        if bf16 is not None and hasattr(res, "view"):
            res = res.view(bf16)
    return res


def samples_f(x: Any, name: str) -> np.ndarray:
    """Fractional pooling's random samples as contiguous float32/float64 numpy."""
    a = as_input(x, name)
    if a.dtype == _lib.F64:
        return np.array(_view_np(a), dtype=np.float64, order="C", copy=True)
    if a.dtype == _lib.F32 or a.dtype == _lib.F16:
        return np.array(_view_np(a), dtype=np.float32, order="C", copy=True)
    if a.dtype == _lib.BF16:
        bits = np.ascontiguousarray(_view_np(a).view(np.uint16)).astype(np.uint32) << 16
        return bits.view(np.float32)
    raise TypeError(f"{name} must be a floating-point array, not {DTYPE_NAMES.get(a.dtype)}")


def _view_np(a: Arr) -> np.ndarray:
    """A numpy view of an Arr's memory (keeps the Arr alive through `base`)."""
    npdt = _CLRS_TO_NP[a.dtype]
    if isinstance(a.keep, np.ndarray):
        return a.keep
    item = npdt.itemsize
    extent = 1 + sum((n - 1) * s for n, s in zip(a.shape, a.strides)) if all(a.shape) else 0
    buf = (ctypes.c_uint8 * (extent * item)).from_address(a.ptr)
    flat = np.frombuffer(buf, dtype=npdt, count=extent)
    return np.lib.stride_tricks.as_strided(flat, a.shape, [s * item for s in a.strides])
