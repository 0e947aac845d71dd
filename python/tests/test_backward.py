# SPDX-License-Identifier: MIT
"""clresample.backward: input gradients against the committed PyTorch golden vectors
(tests/golden/backward.txt), error cases, out=, determinism, and (with torch) random
comparisons with torch.autograd.grad.

Golden cases rotate through three layouts (contiguous, channels-last, a strided view)
and, for the max-type pools, between the forward's indices and recomputing them from
the input. f32/f64 results and every pixel-shuffle / unpool gradient are compared bit
for bit (the manifest's rules); f16/bf16 pooling gradients within a few ulp.
"""
import numpy as np
import pytest

import clresample as cr
import goldens as G

B = cr.backward

torch = G.torch  # None when absent or older than G.TORCH_MIN
try:
    import ml_dtypes
except Exception:  # noqa: BLE001
    ml_dtypes = None


def _cases():
    path = G.GOLDEN / "backward.txt"
    if not path.is_file():
        return []
    return [G.parse(ln) for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]


CASES = _cases()
LAYOUTS = ("contiguous", "channels_last", "strided")
MAXLIKE = ("max_pool", "adaptive_max_pool", "fractional_max_pool")




def _run(c, x, go, idx):
    """Call clresample.backward for case c (x: the forward input, go: grad_output)."""
    op, r = c["op"], int(c["rank"]) - 2
    v, d = G._v, G._d
    if op == "max_pool":
        return getattr(B, f"max_pool{r}d")(x, go, v(c["kernel"]), v(c["stride"]),
                                           d(c["padding"], 0), d(c["dilation"], 1),
                                           c["ceil_mode"] == "1", indices=idx)
    if op == "avg_pool":
        kw = {}
        if c["divisor_override"] != "-":
            kw["divisor_override"] = int(c["divisor_override"])
        return getattr(B, f"avg_pool{r}d")(x, go, v(c["kernel"]), v(c["stride"]),
                                           d(c["padding"], 0), c["ceil_mode"] == "1",
                                           c["count_include_pad"] != "0", **kw)
    if op == "lp_pool":
        return getattr(B, f"lp_pool{r}d")(x, go, float(c["norm_type"]), v(c["kernel"]),
                                          v(c["stride"]), c["ceil_mode"] == "1")
    if op == "adaptive_avg_pool":
        return getattr(B, f"adaptive_avg_pool{r}d")(x, go, v(c["output_size"]))
    if op == "adaptive_max_pool":
        return getattr(B, f"adaptive_max_pool{r}d")(x, go, v(c["output_size"]), indices=idx)
    if op == "fractional_max_pool":
        samples = G.load(c["samples"]) if idx is None else None
        return getattr(B, f"fractional_max_pool{r}d")(
            x, go, v(c["kernel"]), output_size=v(c["output_size"]),
            output_ratio=v(c["output_ratio"], float), indices=idx, _random_samples=samples)
    if op == "max_unpool":
        return getattr(B, f"max_unpool{r}d")(go, idx, v(c["kernel"]), v(c["stride"]),
                                             d(c["padding"], 0),
                                             output_size=v(c["output_size"]))
    if op == "pixel_shuffle":
        return B.pixel_shuffle(go, int(c["factor"]))
    if op == "pixel_unshuffle":
        return B.pixel_unshuffle(go, int(c["factor"]))
    raise AssertionError(f"unknown op {op}")


def _exact(got, want, dt):
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    if dt == "bf16":
        got = (got.astype(np.uint32) << 16).view(np.float32)
        want = (want.astype(np.uint32) << 16).view(np.float32)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    assert same.all(), f"not bit-exact at {np.argwhere(~same)[:5].tolist()}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_backward_golden(case, golden_dir):
    dt, op = case["dtype"], case["op"]
    seed = G.case_seed(case)
    lay = LAYOUTS[seed % 3] if "error" not in case else "contiguous"
    x = G.layout(G.to_input(G.load(case["in"]), dt, G.bf16_in), lay)
    raw_go = G.load(case["grad_out"])
    go = G.layout(G.to_input(raw_go, dt, G.bf16_in), lay)
    idx = None
    if "indices_in" in case and (op == "max_unpool" or (seed >> 2) % 2 == 0
                                 or (op == "fractional_max_pool" and "samples" not in case)):
        idx = G.layout(G.load(case["indices_in"]), lay)
    if "error" in case:
        with pytest.raises(cr.InvalidArgumentError) as ei:
            _run(case, x, go, idx)
        want = case["error"].replace("_", " ")
        assert want.split("(")[0].strip() in str(ei.value), (want, str(ei.value))
        return
    try:
        y = _run(case, x, go, idx)
    except cr.UnsupportedError as e:  # float64 on a device without fp64
        pytest.skip(str(e))
    assert type(y) is type(go)
    got, want = G.to_numpy(y, dt), G.load(case["out"])
    pinf = op == "lp_pool" and np.isinf(float(case["norm_type"]))
    if pinf and dt in ("f32", "f64"):  # max_pool(|x|)'s gradient times sign(x): torch's bits
        _exact(got, want, dt)
        assert (np.signbit(got) == np.signbit(want))[~np.isnan(want)].all(), "signed zeros"
    elif op == "lp_pool" and not pinf:  # the device's pow is not glibc's: within the scale's tolerance
        got, want = _as_f64(got, dt), _as_f64(want, dt)
        fin = np.isfinite(want)
        assert (np.isnan(got) == np.isnan(want)).all(), "NaN where torch has none (or not)"
        assert (got[~fin & ~np.isnan(want)] == want[~fin & ~np.isnan(want)]).all(), "infinities"
        scale = float(np.abs(want[fin]).max()) if fin.any() else 1.0
        # f16 / bf16: torch rounds every step to 16 bits, clresample once (8 epsilons)
        tol = {"f64": 4e-15, "f32": 1e-6, "f16": 8 * 2.0 ** -11, "bf16": 8 * 2.0 ** -8}[dt] * (scale or 1.0)
        assert np.abs(got[fin] - want[fin]).max(initial=0.0) <= tol
    elif dt in ("f32", "f64") or op in ("max_unpool", "pixel_shuffle", "pixel_unshuffle"):
        _exact(got, want, dt)
    else:  # torch adds in the 16-bit type; clresample in float, rounding once
        f = (raw_go.astype(np.uint32) << 16).view(np.float32) if dt == "bf16" else raw_go
        rng = float(np.abs(f.astype(np.float32)).max()) if f.size else 0.0
        G.compare(dict(case, op="backward16"), got, want, 4 * rng)


# ---------------------------------------------------------------------------
# API behaviour

def _x(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_namespace_and_docs():
    assert cr.backward is B
    for name in B.__all__:
        f = getattr(B, name)
        assert f.__doc__ and "grad" in f.__doc__, name
        assert f.__annotations__.get("return"), name


def test_shape_only_input_and_out():
    g = _x((2, 3, 3, 4))
    a = B.avg_pool2d(_x((2, 3, 6, 8)), g, 2)
    b = B.avg_pool2d((2, 3, 6, 8), g, 2)
    assert a.shape == (2, 3, 6, 8) and a.dtype == np.float32 and np.array_equal(a, b)
    out = np.full((2, 3, 6, 8), np.nan, np.float32)
    assert B.avg_pool2d((2, 3, 6, 8), g, 2, out=out) is out and np.array_equal(out, a)
    # unbatched (C, H, W) as the forward takes it
    u = B.avg_pool2d((3, 6, 8), g[0], 2)
    assert u.shape == (3, 6, 8) and np.array_equal(u, a[0])


def test_max_pool_indices_and_recompute_agree_channels_last():
    x = _x((2, 4, 7, 9), 1)
    xcl = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    y, idx = cr.max_pool2d(xcl, 3, 2, 1, return_indices=True)
    g = _x(y.shape, 2)
    a = B.max_pool2d(xcl, g, 3, 2, 1, indices=idx)
    b = B.max_pool2d(x, g, 3, 2, 1)
    c = B.max_pool2d(x.shape, g, 3, 2, 1, indices=idx)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert a.strides == xcl.strides  # the input's layout
    # every gradient lands on an argmax: the sums agree to rounding
    assert abs(float(a.sum()) - float(g.sum())) < 1e-3


def test_unpool_is_a_gather():
    x = _x((2, 3, 6, 8), 3)
    y, idx = cr.max_pool2d(x, 2, return_indices=True)
    gup = _x((2, 3, 6, 8), 4)
    gi = B.max_unpool2d(gup, idx, 2)
    want = np.take_along_axis(gup.reshape(2, 3, -1), idx.reshape(2, 3, -1), 2).reshape(y.shape)
    assert np.array_equal(gi, want)


def test_pixel_shuffle_round_trip():
    g = _x((2, 3, 8, 6), 5)
    gi = B.pixel_shuffle(g, 2)
    assert gi.shape == (2, 12, 4, 3) and np.array_equal(gi, cr.pixel_unshuffle(g, 2))
    assert np.array_equal(B.pixel_unshuffle(gi, 2), g)
    assert np.array_equal(B.pixel_shuffle(g[0], 2), gi[0])
    g5 = _x((2, 2, 3, 4, 6), 13)  # (*, C, H, W) with two batch dimensions
    gi5 = B.pixel_shuffle(g5, 2)
    assert gi5.shape == (2, 2, 12, 2, 3)
    assert np.array_equal(gi5.reshape(4, 12, 2, 3), B.pixel_shuffle(g5.reshape(4, 3, 4, 6), 2))
    out = np.empty((2, 2, 3, 4, 6), np.float32)
    assert B.pixel_unshuffle(gi5, 2, out=out) is out and np.array_equal(out, g5)
    gcl = np.ascontiguousarray(g.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    gicl = B.pixel_shuffle(gcl, 2)  # channels-last in, channels-last out
    assert np.array_equal(gicl, gi) and gicl.strides[1] == gicl.itemsize


def test_fractional_samples_and_indices_agree():
    x = _x((2, 3, 9, 10), 6)
    s = np.random.default_rng(7).random((2, 3, 2))
    y, idx = cr.fractional_max_pool2d(x, 2, output_size=(4, 5), return_indices=True,
                                      _random_samples=s)
    g = _x(y.shape, 8)
    a = B.fractional_max_pool2d(x, g, 2, output_size=(4, 5), _random_samples=s)
    b = B.fractional_max_pool2d(x.shape, g, 2, indices=idx)  # output size from grad_output
    assert np.array_equal(a, b)


def test_deterministic_bits():
    x = _x((2, 5, 13, 11), 9)
    y, idx = cr.max_pool2d(x, 3, 1, 1, return_indices=True)
    g = _x(y.shape, 10)
    for f in (lambda: B.max_pool2d(x, g, 3, 1, 1, indices=idx),
              lambda: B.avg_pool2d(x.shape, _x((2, 5, 7, 6), 11), 3, 2, 1, ceil_mode=True),
              lambda: B.adaptive_avg_pool2d(x.shape, _x((2, 5, 4, 3), 12))):
        assert f().tobytes() == f().tobytes()


def test_errors():
    x, g = _x((1, 2, 6, 8)), _x((1, 2, 3, 4))
    with pytest.raises(cr.InvalidArgumentError, match="grad_output has shape"):
        B.max_pool2d(x, _x((1, 2, 3, 3)), 2)
    with pytest.raises(ValueError, match="forward output"):  # InvalidArgumentError is one
        B.avg_pool2d(x.shape, _x((1, 2, 2, 2)), 2)
    with pytest.raises(TypeError, match="grad_output"):
        B.avg_pool2d(x.shape, g.astype(np.uint8), 2)
    with pytest.raises(ValueError, match="recomputed"):
        B.max_pool2d(x.shape, g, 2)
    with pytest.raises(ValueError, match="_random_samples"):
        B.fractional_max_pool2d(x, g, 2)
    with pytest.raises(cr.InvalidArgumentError, match="invalid max index"):
        B.max_unpool2d(_x((1, 2, 6, 8)), np.full((1, 2, 3, 4), 48, np.int64), 2)
    with pytest.raises(cr.InvalidArgumentError):
        B.max_pool2d(x.shape, g, 2, indices=np.full((1, 2, 3, 4), 99, np.int64))
    with pytest.raises(ValueError, match="out has shape"):
        B.avg_pool2d(x.shape, g, 2, out=np.empty((1, 2, 6, 7), np.float32))
    with pytest.raises(ValueError):
        B.pixel_shuffle(_x((1, 2, 5, 4)), 2)
    with pytest.raises(TypeError):
        B.pixel_unshuffle(_x((1, 8, 2, 2)), 2.0)


# ---------------------------------------------------------------------------
# random comparisons with torch.autograd.grad (skipped without torch)

def _grad(fn, x, go):
    t = x.clone().requires_grad_(True)
    return torch.autograd.grad(fn(t), t, go)[0]


@pytest.mark.parametrize("seed", range(3))
def test_against_torch_autograd(seed):
    if torch is None:
        pytest.skip("torch is not installed")
    F = torch.nn.functional
    rng = np.random.default_rng(100 + seed)
    dt = [torch.float32, torch.float64, torch.float32][seed]
    n, c, h, w = 1 + seed, int(rng.integers(1, 4)), int(rng.integers(6, 12)), \
        int(rng.integers(6, 12))
    x = torch.from_numpy(rng.standard_normal((n, c, h, w))).to(dt)
    if seed == 2:
        x = x.contiguous(memory_format=torch.channels_last)
    k, s, p = int(rng.integers(2, 4)), int(rng.integers(1, 3)), 1
    # max pool, with and without indices
    y, idx = F.max_pool2d(x, k, s, p, ceil_mode=bool(seed % 2), return_indices=True)
    go = torch.from_numpy(rng.standard_normal(y.shape)).to(dt)
    want = _grad(lambda t: F.max_pool2d(t, k, s, p, ceil_mode=bool(seed % 2)), x, go)
    for ind in (idx, None):
        got = B.max_pool2d(x, go, k, s, p, ceil_mode=bool(seed % 2), indices=ind)
        assert isinstance(got, torch.Tensor) and got.dtype == dt and torch.equal(got, want)
    # avg pool (padding, ceil, count_include_pad)
    y = F.avg_pool2d(x, k, s, p, True, seed != 1)
    go = torch.from_numpy(rng.standard_normal(y.shape)).to(dt)
    want = _grad(lambda t: F.avg_pool2d(t, k, s, p, True, seed != 1), x, go)
    got = B.avg_pool2d(x, go, k, s, p, True, seed != 1)
    assert torch.equal(got, want)
    # adaptive avg / max
    osz = (int(rng.integers(1, h + 2)), int(rng.integers(1, w + 2)))
    go = torch.from_numpy(rng.standard_normal((n, c) + osz)).to(dt)
    assert torch.equal(B.adaptive_avg_pool2d(tuple(x.shape), go, osz),
                       _grad(lambda t: F.adaptive_avg_pool2d(t, osz), x, go))
    assert torch.equal(B.adaptive_max_pool2d(x, go, osz),
                       _grad(lambda t: F.adaptive_max_pool2d(t, osz), x, go))
    # max_unpool and pixel (un)shuffle: permutations / gathers of grad_output
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    u = F.max_unpool2d(y, idx, 2, output_size=x.shape[-2:])
    go = torch.from_numpy(rng.standard_normal(u.shape)).to(dt)
    assert torch.equal(B.max_unpool2d(go, idx, 2, output_size=x.shape[-2:]),
                       _grad(lambda t: F.max_unpool2d(t, idx, 2, output_size=x.shape[-2:]),
                             y.detach(), go))
    xs = torch.from_numpy(rng.standard_normal((n, 4 * c, h, w))).to(dt)
    go = torch.from_numpy(rng.standard_normal((n, c, 2 * h, 2 * w))).to(dt)
    assert torch.equal(B.pixel_shuffle(go, 2), _grad(lambda t: F.pixel_shuffle(t, 2), xs, go))
    # LP with p = +-inf: max_pool(|x|)'s gradient times sign(x), torch's bits
    xz = torch.where(x.abs() < 0.3, torch.zeros_like(x), x.round())  # ties, zeros
    for pn in (float("inf"), -float("inf")):
        y = F.lp_pool2d(xz, pn, k, s, bool(seed % 2))
        go = torch.from_numpy(rng.standard_normal(y.shape)).to(dt)
        want = _grad(lambda t: F.lp_pool2d(t, pn, k, s, bool(seed % 2)), xz, go)
        got = B.lp_pool2d(xz, go, pn, k, s, bool(seed % 2))
        assert torch.equal(got, want) and torch.equal(torch.signbit(got), torch.signbit(want))


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_lp_pool_16bit_against_torch(dt):
    """f16 / bf16 LP gradients: torch rounds each autograd step to 16 bits,
    clresample computes in float and rounds once: within 8 epsilons of the
    gradient's scale (positive inputs); p = +-inf as max pooling's."""
    if torch is None:
        pytest.skip("torch is not installed")
    F = torch.nn.functional
    tdt = getattr(torch, dt)
    eps = 2.0 ** -11 if dt == "float16" else 2.0 ** -8
    g = torch.Generator().manual_seed(5)
    x = (torch.rand((2, 3, 9, 10), generator=g, dtype=torch.float64) * 4 + 0.05).to(tdt)
    for pn in (2.0, 3.0, 1.5, float("inf"), -float("inf")):
        y = F.lp_pool2d(x, pn, 3, 2)
        go = torch.randn(y.shape, generator=g, dtype=torch.float64).to(tdt)
        want = _grad(lambda t: F.lp_pool2d(t, pn, 3, 2), x, go).double()
        got = B.lp_pool2d(x, go, pn, 3, 2)
        assert got.dtype == tdt
        scale = float(want.abs().max())
        assert float((got.double() - want).abs().max()) <= 8 * eps * scale, pn


def test_older_library_without_backward(monkeypatch):
    """A library that predates the backward calls still imports; the calls raise."""
    from clresample import _lib
    monkeypatch.setitem(_lib.HAVE, "clrs_pool_backward", False)
    with pytest.raises(cr.UnsupportedError, match="clrs_pool_backward"):
        B.avg_pool2d((1, 1, 4, 4), _x((1, 1, 2, 2)), 2)


# ---------------------------------------------------------------------------
# interpolate (tests/golden/backward_interp.txt)

def _interp_cases():
    path = G.GOLDEN / "backward_interp.txt"
    if not path.is_file():
        return []
    return [G.parse(ln) for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]


ICASES = _interp_cases()
# |clresample - torch| / max|torch| bounds (the README's): f32 and f64 are
# torch's bits but lanczos f32 (its filter's sinf); f16 / bf16: a few 16-bit
# epsilons (torch rounds some sums to 16 bits)
ITOL = {"f32": 1e-6, "f64": 0.0, "f16": 4 * 2.0 ** -11, "bf16": 4 * 2.0 ** -8}


def _as_f64(y, dt):
    if dt == "bf16":
        return (y.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return y.astype(np.float64)


@pytest.mark.parametrize("case", ICASES, ids=[c["id"] for c in ICASES])
def test_interpolate_backward_golden(case, golden_dir):
    dt = case["dtype"]
    lay = LAYOUTS[G.case_seed(case) % 3]
    x = G.load(case["in"])
    go = G.layout(G.to_input(G.load(case["grad_out"]), dt, G.bf16_in), lay)
    v = G._v
    try:
        y = B.interpolate(x.shape if G.case_seed(case) % 2 else G.to_input(x, dt, G.bf16_in), go,
                          size=v(case["size"]), scale_factor=v(case["scale"], float),
                          mode=case["mode"], align_corners=G._b(case["align_corners"]),
                          recompute_scale_factor=G._b(case["recompute"]),
                          antialias=case["antialias"] == "1")
    except cr.UnsupportedError as e:  # float64 on a device without fp64
        pytest.skip(str(e))
    got, want = _as_f64(G.to_numpy(y, dt), dt), _as_f64(G.load(case["out"]), dt)
    assert got.shape == want.shape
    scale = max(float(np.abs(want).max()), 1e-30)
    err = float(np.abs(got - want).max()) / scale
    assert err <= ITOL[dt], f"{err:.3g} x max|grad_input| from torch"
    if case["mode"] != "lanczos" and dt in ("f32", "f64"):
        assert np.array_equal(got, want)  # torch's arithmetic, in its order


def test_interpolate_backward_api():
    g = _x((2, 3, 10, 12), 20)
    a = B.interpolate((2, 3, 5, 6), g, scale_factor=2, mode="bilinear")
    assert a.shape == (2, 3, 5, 6) and a.dtype == np.float32
    # the adjoint of the forward: <interp(x), g> == <x, grad>
    x = _x((2, 3, 5, 6), 21)
    y = cr.interpolate(x, scale_factor=2, mode="bilinear")
    assert abs(float((y * g).sum()) - float((x * a).sum())) < 1e-3
    assert a.tobytes() == B.interpolate(x, g, scale_factor=2, mode="bilinear").tobytes()
    xcl = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    acl = B.interpolate(xcl, g, scale_factor=2, mode="bilinear")  # channels-last out
    assert acl.strides[1] == acl.itemsize and np.array_equal(acl, a)
    out = np.full((2, 3, 5, 6), np.nan, np.float32)
    assert B.interpolate(x.shape, g, size=(10, 12), mode="bilinear", out=out) is out
    assert np.array_equal(out, a)
    with pytest.raises(cr.InvalidArgumentError, match="grad_output has shape"):
        B.interpolate(x.shape, _x((2, 3, 10, 11)), scale_factor=2, mode="bilinear")
    with pytest.raises(TypeError, match="grad_output"):
        B.interpolate(x.shape, g.astype(np.uint8), scale_factor=2)
    with pytest.raises(ValueError, match="align_corners"):
        B.interpolate(x.shape, g, scale_factor=2, mode="nearest", align_corners=True)


@pytest.mark.skipif(torch is None, reason="needs torch")
@pytest.mark.parametrize("mode,shape,kw", [
    ("bilinear", (2, 3, 7, 9), dict(scale_factor=1.7)),
    ("bicubic", (1, 2, 6, 5), dict(size=(11, 3), align_corners=True)),
    ("trilinear", (1, 2, 3, 4, 5), dict(scale_factor=(2, 0.6, 1.3))),
    ("bilinear", (1, 3, 17, 15), dict(size=(5, 6), antialias=True)),
    ("nearest-exact", (2, 2, 9), dict(size=4)),
])
def test_interpolate_backward_vs_torch(mode, shape, kw):
    x = torch.rand(shape, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.interpolate(x, mode=mode, **kw)
    g = torch.rand(y.shape, dtype=torch.float64)
    want = torch.autograd.grad(y, x, g)[0].numpy()
    got = B.interpolate(tuple(shape), g.numpy(), mode=mode, **kw)
    assert np.abs(got - want).max() <= 1e-15 * np.abs(want).max()
