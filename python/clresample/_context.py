# SPDX-License-Identifier: MIT
"""Contexts (an OpenCL device and its queue) and the device list."""
from __future__ import annotations

import ctypes
import threading
from ctypes import byref, c_size_t, c_void_p, POINTER
from dataclasses import dataclass
from typing import List, Optional

from . import _lib
from ._lib import lib, check


@dataclass(frozen=True)
class DeviceInfo:
    """One OpenCL device as ``clrs_device_list`` / ``clrs_context_device`` report it.

    ``is_default`` marks what the automatic choice (or ``CLRS_DEVICE``) picks;
    ``reason`` says why this device is (not) the default."""
    platform: str
    name: str
    vendor: str
    version: str
    driver: str
    type: str
    platform_index: int
    device_index: int
    available: bool
    fp64: bool
    fp16: bool
    images: bool
    global_mem: int
    max_alloc: int
    max_work_group: int
    is_default: bool
    reason: str

    @classmethod
    def _from(cls, s: "_lib.DeviceInfoStruct") -> "DeviceInfo":
        d = lambda b: b.decode(errors="replace")  # noqa: E731
        return cls(d(s.platform), d(s.name), d(s.vendor), d(s.version), d(s.driver), d(s.type),
                   s.platform_index, s.device_index, bool(s.available), bool(s.fp64),
                   bool(s.fp16), bool(s.images), int(s.global_mem), int(s.max_alloc),
                   int(s.max_work_group), bool(s.is_default), d(s.reason))


def devices() -> List[DeviceInfo]:
    """Every OpenCL device of every platform (``clrs_device_list``).

    The device a default :class:`Context` would take (honouring ``CLRS_DEVICE``) has
    ``is_default=True``; every entry's ``reason`` says why it is or is not the default.
    Raises :class:`DeviceError` when there is no OpenCL platform."""
    arr = POINTER(_lib.DeviceInfoStruct)()
    n = c_size_t()
    check(lib.clrs_device_list(byref(arr), byref(n)), None, "devices")
    try:
        return [DeviceInfo._from(arr[i]) for i in range(n.value)]
    finally:
        lib.clrs_device_list_free(arr)


class Context:
    """An OpenCL device with its command queue and compiled-kernel caches
    (``clrs_context``).

    Args:
        device: a device request in ``CLRS_DEVICE`` syntax,
            ``"<platform>:<type>:<name-or-index>"`` (e.g. ``":CPU:"``, ``"NVIDIA:GPU:"``,
            ``"Portable:CPU:0"``, ``"::1"``). ``None`` uses the ``CLRS_DEVICE``
            environment variable, else the automatic choice (discrete GPU, integrated GPU,
            then PoCL's CPU device). A request that matches nothing raises
            :class:`DeviceError` listing every device.

    A context may be used from many threads at once. Use it with the ``context=``
    argument of every operator, or as a ``with`` block that releases it at the end;
    :func:`close` must not run while calls on it are in flight.
    """

    def __init__(self, device: Optional[str] = None) -> None:
        self._handle: Optional[int] = None
        opts = _lib.ContextOptions()
        lib.clrs_context_options_init(byref(opts))
        if device is not None:
            if not isinstance(device, str):
                raise TypeError(f"device must be a str or None, not {type(device).__name__}")
            opts.device = device.encode()
        h = c_void_p()
        check(lib.clrs_context_create(byref(h), byref(opts)), None, "Context")
        self._handle = h.value
        self._request = device

    @property
    def handle(self) -> int:
        """The ``clrs_context *`` as an integer (for other ctypes/cffi code)."""
        if self._handle is None:
            raise ValueError("the context is closed")
        return self._handle

    @property
    def device(self) -> DeviceInfo:
        """The device this context runs on, and why it was chosen."""
        info = _lib.DeviceInfoStruct()
        check(lib.clrs_context_device(self.handle, byref(info)), self.handle, "Context.device")
        return DeviceInfo._from(info)

    def close(self) -> None:
        """Release the context (``clrs_context_release``); later use raises ValueError."""
        h, self._handle = self._handle, None
        if h is not None:
            lib.clrs_context_release(h)

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __repr__(self) -> str:
        if self._handle is None:
            return "<clresample.Context (closed)>"
        d = self.device
        return f"<clresample.Context {d.platform}:{d.type}:{d.name}>"


_default: Optional[Context] = None
_default_lock = threading.Lock()


def default_context() -> Context:
    """The process-wide context every operator uses when ``context=None``.

    Created on first use (thread-safe: concurrent first calls create one context) with
    ``Context()``, i.e. ``CLRS_DEVICE`` or the automatic choice."""
    global _default
    ctx = _default
    if ctx is not None:
        return ctx
    with _default_lock:
        if _default is None:
            _default = Context()
        return _default


def set_default_context(ctx: Optional[Context]) -> None:
    """Make ``ctx`` the default context (``None``: create one lazily again on next use).
    The previous default is not closed (calls may still be using it)."""
    global _default
    if ctx is not None and not isinstance(ctx, Context):
        raise TypeError("ctx must be a clresample.Context or None")
    with _default_lock:
        _default = ctx


def _ctx_handle(context: Optional[Context]) -> int:
    if context is None:
        return default_context().handle
    if not isinstance(context, Context):
        raise TypeError(f"context must be a clresample.Context or None, "
                        f"not {type(context).__name__}")
    return context.handle
