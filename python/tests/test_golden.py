# SPDX-License-Identifier: MIT
"""Every operator against the committed PyTorch golden vectors (tests/golden/).

A representative selection runs by default (every error case and up to
CLRESAMPLE_GOLDEN_PER_GROUP cases, default 4, of each op/dtype/rank/mode group);
CLRESAMPLE_GOLDEN_PER_GROUP=0 runs them all. Cases rotate through three layouts
(contiguous, channels-last, a strided view), all read in place. bfloat16 cases
need torch or ml_dtypes (numpy has no bfloat16) and are skipped without both.
"""
import os

import numpy as np
import pytest

import clresample as cr
import goldens as G

torch = G.torch  # None when absent or older than G.TORCH_MIN
try:
    import ml_dtypes
except Exception:  # noqa: BLE001
    ml_dtypes = None

PER_GROUP = int(os.environ.get("CLRESAMPLE_GOLDEN_PER_GROUP", "4"))
CASES = G.select(G.load_cases(), PER_GROUP) if (G.GOLDEN / "interpolate.txt").is_file() else []
LAYOUTS = ("contiguous", "channels_last", "strided")




@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case, golden_dir):
    raw = G.load(case["in"])
    dt = case["dtype"]
    x = G.to_input(raw, dt, G.bf16_in)
    lay = LAYOUTS[G.case_seed(case) % 3] if "error" not in case else "contiguous"
    x = G.layout(x, lay)
    if "error" in case and G.beyond_pytorch(case):
        pytest.skip("beyond PyTorch: clresample accepts this rank")
    if "error" in case:
        with pytest.raises((ValueError, TypeError, NotImplementedError, cr.Error)):
            if case["op"] in ("grid_sample", "affine_grid"):
                G.run_grid(case, x, lambda g: G.to_input(g, dt, G.bf16_in))
            else:
                G.run(case, x)
        return
    try:
        if case["op"] in ("grid_sample", "affine_grid"):
            y, idx = G.run_grid(case, x, lambda g: G.to_input(g, dt, G.bf16_in))
        else:
            y, idx = G.run(case, x)
    except cr.UnsupportedError as e:  # float64 on a device without fp64
        pytest.skip(str(e))
    want = G.load(case["out"])
    if G.torch_aa_width1_bug(case, want):
        pytest.skip("torch 2.15 bug on antialiased output width 1, not copied")
    rng = None
    if dt in ("f16", "bf16"):
        f = (raw.astype(np.uint32) << 16).view(np.float32) if dt == "bf16" else raw
        f = np.abs(f[np.isfinite(f)].astype(np.float32))
        rng = float(f.max()) if f.size else 0.0
    G.compare(case, G.to_numpy(y, dt), want, rng)
    if "indices" in case:
        G.compare(case, G.to_numpy(idx, "i64"), G.load(case["indices"]))
