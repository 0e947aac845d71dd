# SPDX-License-Identifier: MIT
"""clresample: PyTorch-exact resampling and pooling on OpenCL, without PyTorch.

A ``torch.nn.functional``-shaped API over the C library libclresample
(``libclresample.so.1``), bound with ctypes::

    >>> import clresample, numpy as np
    >>> clresample.interpolate(np.ones((1, 1, 2, 2), np.float32), scale_factor=2,
    ...                        mode="bilinear").shape
    (1, 1, 4, 4)

numpy arrays in give numpy arrays out; any CPU array with ``__dlpack__`` (a torch
tensor) is read in place and the result comes back as the same kind of array.
Input gradients (PyTorch autograd's) of the pooling, unpooling and pixel-shuffle
operators are in :mod:`clresample.backward`. The library is found through ``CLRESAMPLE_LIBRARY`` (a path to
``libclresample.so.1``), pkg-config, or the loader's path.
"""
from ._lib import (Error, InvalidArgumentError, DtypeError, UnsupportedError, DeviceError,
                   OpenCLError, OutOfMemoryError, InternalError, VERSION as library_version,
                   LIBRARY_PATH as library_path)
from ._context import Context, DeviceInfo, devices, default_context, set_default_context
from .functional import *  # noqa: F401,F403
from . import onnx  # noqa: F401  (clresample.onnx: ONNX semantics)
from . import backward  # noqa: F401  (clresample.backward: input gradients)
from .functional import __all__ as _functional_all

__version__ = "0.1.0"

__all__ = list(_functional_all) + [
    "Error", "InvalidArgumentError", "DtypeError", "UnsupportedError", "DeviceError",
    "OpenCLError", "OutOfMemoryError", "InternalError", "Context", "DeviceInfo", "devices",
    "default_context", "set_default_context", "library_version", "library_path",
]
