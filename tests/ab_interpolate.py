#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A/B of two library builds (a refactor that must not change any bit):
#   CLRESAMPLE_LIBRARY=old/src/.libs/libclresample.so PYTHONPATH=python python3 tests/ab_interpolate.py old.npz 1500
#   CLRESAMPLE_LIBRARY=src/.libs/libclresample.so     PYTHONPATH=python python3 tests/ab_interpolate.py new.npz 1500
#   (a third argument, old.npz, compares entry by entry and exits 1 on any difference). Needs numpy only;
# the cases are drawn from a fixed seed, so both runs make the same calls.
import sys, numpy as np, clresample as cr
from clresample import backward as bw
rng = np.random.default_rng(20261207)
modes = ["nearest", "nearest-exact", "linear", "bicubic", "area", "lanczos"]
out = {}
N = int(sys.argv[2]) if len(sys.argv) > 2 else 600
for i in range(N):
    sp = int(rng.integers(1, 4))
    mode = modes[int(rng.integers(0, len(modes)))]
    if mode == "linear": mode = ["linear", "bilinear", "trilinear"][sp - 1]
    if mode == "bicubic" and sp != 2: mode = "bilinear" if sp == 2 else ["linear", "bilinear", "trilinear"][sp - 1]
    aa = bool(mode in ("bilinear", "bicubic") and rng.random() < 0.4) or mode == "lanczos"
    if mode == "lanczos" and sp != 2: mode, aa = ["linear", "bilinear", "trilinear"][sp - 1], False
    dt = [np.float32, np.float64, np.float16, np.uint8, np.uint16][int(rng.integers(0, 5))]
    if dt in (np.uint8, np.uint16) and mode not in ("nearest", "nearest-exact", "bilinear", "bicubic", "area"):
        dt = np.float32
    shape = [int(rng.integers(1, 3)), int(rng.integers(1, 5))] + [int(rng.integers(1, 14)) for _ in range(sp)]
    x = rng.standard_normal(shape) * 100
    if dt in (np.uint8, np.uint16):
        x = rng.integers(0, 256 if dt == np.uint8 else 65536, shape)
    elif rng.random() < 0.3:
        flat = x.reshape(-1); k = int(rng.integers(0, flat.size)); flat[k] = [np.inf, -np.inf, np.nan][int(rng.integers(0, 3))]
    x = x.astype(dt)
    if rng.random() < 0.4 and sp >= 1:
        # channels-last copy
        order = [0] + list(range(2, 2 + sp)) + [1]
        x = np.ascontiguousarray(x.transpose(order)).transpose(np.argsort(order))
    kw = dict(mode=mode)
    if rng.random() < 0.5:
        kw["size"] = [int(rng.integers(1, 20)) for _ in range(sp)]
    else:
        kw["scale_factor"] = [float(rng.choice([0.3, 0.5, 0.75, 1.0, 1.3, 2.0, 2.5, 3.0, 0.4321])) for _ in range(sp)]
        if rng.random() < 0.3: kw["recompute_scale_factor"] = True
    if mode in ("linear", "bilinear", "trilinear", "bicubic") and rng.random() < 0.4:
        kw["align_corners"] = True
    if aa: kw["antialias"] = True
    try:
        y = cr.interpolate(x, **kw)
        y = np.asarray(y)
        out[f"f{i}"] = np.frombuffer(y.tobytes(), np.uint8)
        if dt in (np.float32, np.float64) and mode != "lanczos" or (mode == "lanczos" and dt == np.float32):
            g = rng.standard_normal(y.shape).astype(dt)
            gi = np.asarray(bw.interpolate(x.shape, g, **kw))
            out[f"b{i}"] = np.frombuffer(gi.tobytes(), np.uint8)
    except Exception as e:
        out[f"e{i}"] = np.frombuffer(str(e).encode(), np.uint8)
np.savez(sys.argv[1], **out)
if len(sys.argv) > 3:  # a third argument: the other build's file, to compare with
    other = np.load(sys.argv[3])
    diff = [k for k in out if k not in other or not np.array_equal(out[k], other[k])]
    print("differing entries:", diff[:20] if diff else "none")
    sys.exit(1 if diff or set(other.keys()) != set(out.keys()) else 0)
print(len(out), "outputs;", sum(k.startswith("e") for k in out), "errors")
