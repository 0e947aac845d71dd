# SPDX-License-Identifier: MIT
"""Per-call time of one small interpolate (1x1x4x4 float32, nearest, scale 2)
through the Python package, to compare with tools/overhead.c (the C API).
Prints the medians over 7 rounds of the mean of N calls, in microseconds (wall
clock and the calling thread's CPU time, as tools/overhead.c)."""
import ctypes
import sys
import time

import numpy as np

import clresample as cr
from clresample import _lib, functional


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    out = np.empty((1, 1, 8, 8), np.float32)
    ctx = cr.default_context()
    for label, kw in (("allocating the result", {}), ("out= preallocated", {"out": out})):
        for _ in range(200):
            cr.interpolate(x, scale_factor=2, **kw)
        ts, cs = [], []
        for _ in range(7):
            t0, c0 = time.perf_counter(), time.thread_time()
            for _ in range(n):
                cr.interpolate(x, scale_factor=2, context=ctx, **kw)
            ts.append((time.perf_counter() - t0) / n * 1e6)
            cs.append((time.thread_time() - c0) / n * 1e6)
        ts.sort()
        cs.sort()
        print(f"Python ({label}): {ts[3]:.1f} us per call wall, {cs[3]:.1f} us CPU in the "
              f"calling thread (medians of 7 x {n} calls)")
    # The Python layer alone: the operator call itself replaced by a no-op C function
    # with the same signature (everything else, output_shape included, runs as usual).
    real = _lib.lib.clrs_interpolate
    proto = ctypes.CFUNCTYPE(real.restype, *real.argtypes)
    noop = proto(("getpid", ctypes.CDLL(None)))  # its result is ignored below

    class _Lib:
        def __getattr__(self, name):
            return noop if name == "clrs_interpolate" else getattr(_lib.lib, name)
    saved, functional.lib = functional.lib, _Lib()
    saved_check, functional.check = functional.check, lambda st, ctx, where="": None
    try:
        cs = []
        for _ in range(7):
            c0 = time.thread_time()
            for _ in range(n):
                cr.interpolate(x, scale_factor=2, context=ctx)
            cs.append((time.thread_time() - c0) / n * 1e6)
        cs.sort()
        print(f"Python layer alone (operator call a no-op): {cs[3]:.1f} us CPU per call")
    finally:
        functional.lib, functional.check = saved, saved_check


if __name__ == "__main__":
    main()
