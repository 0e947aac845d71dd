# SPDX-License-Identifier: MIT
"""conv1d/2d/3d and conv_transpose1d/2d/3d against the committed PyTorch golden
vectors (tests/golden/conv.txt), in three layouts, and against torch itself on
random cases when torch is installed.

Tolerance: |got - want| <= tol * max(1, max|want|) (the output's scale; the sum runs
in another order than torch's): f32 1e-5, f64 1e-12, f16 2e-3, bf16 1.6e-2.
"""
import numpy as np
import pytest

import clresample as cr
import goldens as G

torch = G.torch  # None when absent or older than G.TORCH_MIN

TOL = {"f32": 1e-5, "f64": 1e-12, "f16": 2e-3, "bf16": 1.6e-2}
LAYOUTS = ("contiguous", "channels_last", "strided")
pytestmark = pytest.mark.skipif(not cr._lib.HAVE.get("clrs_conv"),
                                reason="the library has no convolution")


def _cases():
    path = G.GOLDEN / "conv.txt"
    if not path.is_file():
        return []
    return [G.parse(line) for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


CASES = _cases()


def _fn(c):
    sp = int(c["rank"]) - 2
    return getattr(cr, f"{'conv_transpose' if c['op'] == 'conv_transpose' else 'conv'}{sp}d")


def _kwargs(c):
    pad = c["padding"]
    kw = {"stride": G._v(c["stride"]), "dilation": G._v(c["dilation"]),
          "groups": int(c["groups"]),
          "padding": pad if pad in ("same", "valid") else G._v(pad)}
    if c["op"] == "conv_transpose":
        kw["output_padding"] = G._v(c["output_padding"])
    elif c["padding_mode"] != "zeros":
        kw["padding_mode"] = c["padding_mode"]
    return kw


def _scaled_err(got, want):
    got = got.astype(np.float64)
    want = want.astype(np.float64)
    fin = np.isfinite(want)
    scale = max(1.0, float(np.abs(want[fin]).max()) if fin.any() else 1.0)
    both_nan = np.isnan(got) & np.isnan(want)
    same = (got == want) | both_nan
    with np.errstate(invalid="ignore"):
        diff = np.where(same, 0.0, np.abs(got - want))
    return float(np.nan_to_num(diff, nan=np.inf).max(initial=0.0)) / scale


def _as_float(arr, dt):
    if dt == "bf16":
        return (arr.astype(np.uint32) << 16).view(np.float32)
    return arr


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_conv(case, golden_dir):
    dt = case["dtype"]
    lay = LAYOUTS[G.case_seed(case) % 3] if "error" not in case else "contiguous"
    x = G.layout(G.to_input(G.load(case["in"]), dt, G.bf16_in), lay)
    w = G.to_input(G.load(case["weight"]), dt, G.bf16_in)
    b = None if case["bias"] == "-" else G.to_input(G.load(case["bias"]), dt, G.bf16_in)
    fn = _fn(case)
    if "error" in case:
        with pytest.raises(cr.Error):
            fn(x, w, b, **_kwargs(case))
        return
    try:
        y = fn(x, w, b, **_kwargs(case))
    except cr.UnsupportedError:
        pytest.skip("no fp64 on this device")
    want = G.load(case["out"])
    got = G.to_numpy(y, dt)
    assert got.shape == want.shape
    err = _scaled_err(_as_float(got, dt), _as_float(want, dt))
    assert err <= TOL[dt], f"{case['id']} ({lay}): error {err:.3g} of the output's scale"


def test_conv_errors():
    x = np.zeros((1, 2, 5, 5), np.float32)
    w = np.zeros((4, 2, 3, 3), np.float32)
    with pytest.raises(cr.Error, match="padding='same' is not supported for strided"):
        cr.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string"):
        cr.conv2d(x, w, padding="full")
    with pytest.raises(ValueError, match="padding_mode"):
        cr.conv2d(x, w, padding_mode="reflection")
    with pytest.raises(cr.Error, match="expected bias to be 1-dimensional with 4 elements"):
        cr.conv2d(x, w, np.zeros(3, np.float32))
    with pytest.raises(cr.Error, match="output padding must be smaller"):
        cr.conv_transpose2d(x, np.zeros((2, 3, 3, 3), np.float32), output_padding=1)
    # unbatched input, like torch
    y = cr.conv2d(x[0], w, padding=1)
    assert y.shape == (4, 5, 5)


@pytest.mark.skipif(torch is None, reason="torch is not installed")
@pytest.mark.parametrize("seed", range(12))
def test_random_vs_torch(seed):
    rng = np.random.default_rng(seed)
    sp = 1 + seed % 3
    g = int(rng.integers(1, 3))
    cin, cout = g * int(rng.integers(1, 4)), g * int(rng.integers(1, 4))
    k = [int(rng.integers(1, 4)) for _ in range(sp)]
    size = [int(rng.integers(4, 9 if sp < 3 else 6)) for _ in range(sp)]
    x = torch.from_numpy(rng.standard_normal((2, cin, *size)).astype(np.float32))
    tr = seed % 4 == 3
    if tr:
        w = torch.from_numpy(rng.standard_normal((cin, cout // g, *k)).astype(np.float32))
        b = torch.from_numpy(rng.standard_normal(cout).astype(np.float32))
        f = getattr(torch.nn.functional, f"conv_transpose{sp}d")
        want = f(x, w, b, stride=2, padding=1, output_padding=1, groups=g)
        got = getattr(cr, f"conv_transpose{sp}d")(x, w, b, stride=2, padding=1, output_padding=1,
                                                   groups=g)
    else:
        w = torch.from_numpy(rng.standard_normal((cout, cin // g, *k)).astype(np.float32))
        b = torch.from_numpy(rng.standard_normal(cout).astype(np.float32))
        f = getattr(torch.nn.functional, f"conv{sp}d")
        want = f(x, w, b, stride=1 + seed % 2, padding=1, dilation=1 + seed % 2, groups=g)
        got = getattr(cr, f"conv{sp}d")(x, w, b, stride=1 + seed % 2, padding=1,
                                        dilation=1 + seed % 2, groups=g)
    assert isinstance(got, torch.Tensor)
    err = _scaled_err(got.numpy(), want.numpy())
    assert err <= 1e-5, f"error {err:.3g} of the output's scale"
