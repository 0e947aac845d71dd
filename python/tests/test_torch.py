# SPDX-License-Identifier: MIT
"""DLPack round trips and random comparisons with PyTorch (skipped without torch)."""
import numpy as np
import pytest

import clresample as cr

torch = pytest.importorskip("torch", minversion="2.3")  # as goldens.TORCH_MIN
F = torch.nn.functional


def close(got, want, exact=False):
    assert type(got) is type(want), (type(got), type(want))
    assert got.shape == want.shape and got.dtype == want.dtype
    if exact:
        assert torch.equal(got, want) or bool(((got == want) | (got.isnan() & want.isnan())).all())
        return
    g, w = got.double(), want.double()
    tol = {torch.float32: 2e-5, torch.float64: 1e-10, torch.float16: 2 ** -9,
           torch.bfloat16: 2 ** -7}[want.dtype]
    scale = 1 + w.abs() if want.dtype in (torch.float32, torch.float64) else \
        w.abs() + w.abs().max()
    assert bool(((g - w).abs() <= tol * scale).all()), float((g - w).abs().max())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16,
                                   torch.uint8])
def test_dlpack_round_trip(dtype):
    x = (torch.arange(2 * 3 * 6 * 8) % 200).reshape(2, 3, 6, 8).to(dtype)
    y = cr.interpolate(x, scale_factor=0.5, mode="nearest")
    assert isinstance(y, torch.Tensor) and y.dtype == dtype
    assert torch.equal(y, F.interpolate(x, scale_factor=0.5, mode="nearest"))
    out = torch.empty(2, 3, 3, 4, dtype=dtype)
    assert cr.interpolate(x, scale_factor=0.5, out=out) is out and torch.equal(out, y)


def test_channels_last_and_views_in_place():
    x = torch.rand(2, 3, 9, 7).contiguous(memory_format=torch.channels_last)
    y = cr.interpolate(x, size=(5, 4), mode="bilinear", antialias=True)
    assert y.is_contiguous(memory_format=torch.channels_last)
    close(y, F.interpolate(x, size=(5, 4), mode="bilinear", antialias=True))
    v = torch.rand(2, 6, 9, 14)[:, ::2, 1:, ::2]
    close(cr.avg_pool2d(v, 3, 2, 1), F.avg_pool2d(v, 3, 2, 1))
    assert np.shares_memory(np.from_dlpack(x), x.numpy())  # the producer's own memory


def test_numpy_in_numpy_out_torch_out_tensor():
    x = np.random.default_rng(0).random((1, 2, 5, 5), dtype=np.float32)
    out = torch.empty(1, 2, 10, 10)
    cr.interpolate(x, scale_factor=2, mode="bicubic", align_corners=True, out=out)
    close(out, F.interpolate(torch.from_numpy(x), scale_factor=2, mode="bicubic",
                             align_corners=True))


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_interpolate(seed):
    g = np.random.default_rng(seed)
    rank = int(g.integers(1, 4))
    modes = {1: ["nearest", "nearest-exact", "linear", "area"],
             2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
             3: ["nearest", "nearest-exact", "trilinear", "area"]}[rank]
    mode = modes[int(g.integers(len(modes)))]
    shape = [int(g.integers(1, 3)), int(g.integers(1, 4))] + \
        [int(g.integers(1, 12 if rank < 3 else 6)) for _ in range(rank)]
    dtype = [torch.float32, torch.float64, torch.float16, torch.bfloat16][int(g.integers(4))]
    if rank == 3 and dtype in (torch.float16, torch.bfloat16) and mode == "area":
        dtype = torch.float32  # torch sums 3-D adaptive averages in 16 bits
    x = torch.from_numpy(g.standard_normal(shape)).to(dtype)
    kw = {}
    if g.random() < 0.5:
        kw["size"] = tuple(int(g.integers(1, 14)) for _ in range(rank))
    else:
        kw["scale_factor"] = tuple(float(g.choice([0.5, 0.7, 1.3, 2.0, 3.0])) for _ in range(rank))
        if g.random() < 0.3:
            kw["recompute_scale_factor"] = True
    if mode not in ("nearest", "nearest-exact", "area"):
        kw["align_corners"] = bool(g.integers(2))
    if rank == 2 and mode in ("bilinear", "bicubic") and dtype in (torch.float32, torch.float64) \
            and not kw.get("align_corners") and g.random() < 0.5:
        kw["antialias"] = True
    try:
        want = F.interpolate(x, mode=mode, **kw)
    except (RuntimeError, ValueError):
        with pytest.raises((ValueError, TypeError, NotImplementedError, cr.Error)):
            cr.interpolate(x, mode=mode, **kw)
        return
    if kw.get("antialias") and want.shape[-1] == 1:
        pytest.skip("torch 2.15 bug on antialiased output width 1")
    close(cr.interpolate(x, mode=mode, **kw), want, exact=mode.startswith("nearest"))


@pytest.mark.parametrize("seed", SEEDS)
def test_random_pooling(seed):
    g = np.random.default_rng(100 + seed)
    rank = int(g.integers(1, 4))
    shape = [2, 3] + [int(g.integers(5, 11 if rank < 3 else 7)) for _ in range(rank)]
    x = torch.from_numpy(g.standard_normal(shape)).float()
    k = int(g.integers(1, 4))
    s = int(g.integers(1, 3))
    p = int(g.integers(0, k // 2 + 1))
    ceil = bool(g.integers(2))
    n = f"{rank}d"
    y, i = getattr(cr, "max_pool" + n)(x, k, s, p, 1, ceil, return_indices=True)
    wy, wi = getattr(F, "max_pool" + n)(x, k, s, p, 1, ceil, return_indices=True)
    close(y, wy, exact=True)
    close(i, wi, exact=True)
    close(getattr(cr, "max_unpool" + n)(y, i, k, s, p, output_size=x.shape[2:]),
          getattr(F, "max_unpool" + n)(wy, wi, k, s, p, output_size=x.shape[2:]), exact=True)
    cip = bool(g.integers(2))
    close(getattr(cr, "avg_pool" + n)(x, k, s, p, ceil, cip),
          getattr(F, "avg_pool" + n)(x, k, s, p, ceil, cip))
    close(getattr(cr, "lp_pool" + n)(x.abs(), 2.0, k, s, ceil),
          getattr(F, "lp_pool" + n)(x.abs(), 2.0, k, s, ceil))
    osz = tuple(int(g.integers(1, 5)) for _ in range(rank))
    close(getattr(cr, "adaptive_avg_pool" + n)(x, osz), getattr(F, "adaptive_avg_pool" + n)(x, osz))
    ay, ai = getattr(cr, "adaptive_max_pool" + n)(x, osz, True)
    wy, wi = getattr(F, "adaptive_max_pool" + n)(x, osz, True)
    close(ay, wy, exact=True)
    close(ai, wi, exact=True)
    if rank >= 2:
        samples = torch.rand(2, 3, rank)
        fy, fi = getattr(cr, "fractional_max_pool" + n)(x, 2, output_size=3,
                                                        return_indices=True,
                                                        _random_samples=samples)
        wy, wi = getattr(F, "fractional_max_pool" + n)(x, 2, output_size=3, return_indices=True,
                                                       _random_samples=samples)
        close(fy, wy, exact=True)
        close(fi, wi, exact=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_grid_and_shuffle(seed):
    g = np.random.default_rng(200 + seed)
    five = bool(g.integers(2))
    dtype = [torch.float32, torch.float64][int(g.integers(2))]
    mode = ["bilinear", "nearest", "bicubic"][int(g.integers(3))]
    pad = ["zeros", "border", "reflection"][int(g.integers(3))]
    ac = bool(g.integers(2))
    if five:
        x = torch.rand(2, 3, 4, 5, 6, dtype=dtype)
        theta = torch.from_numpy(g.standard_normal((2, 3, 4))).to(dtype)
        size = [2, 3, 3, 4, 5]
    else:
        x = torch.rand(2, 3, 7, 8, dtype=dtype)
        theta = torch.from_numpy(g.standard_normal((2, 2, 3))).to(dtype)
        size = [2, 3, 5, 6]
    grid = cr.affine_grid(theta, size, align_corners=ac)
    close(grid, F.affine_grid(theta, size, align_corners=ac))
    grid = F.affine_grid(theta, size, align_corners=ac)
    close(cr.grid_sample(x, grid, mode, pad, ac), F.grid_sample(x, grid, mode, pad, ac),
          exact=not (five and mode == "bicubic"))
    r = int(g.integers(1, 4))
    xs = torch.rand(2, 3 * r * r, 4, 5)
    close(cr.pixel_shuffle(xs, r), F.pixel_shuffle(xs, r), exact=True)
    xu = torch.rand(1, 2, 3 * r, 2 * r)
    close(cr.pixel_unshuffle(xu, r), F.pixel_unshuffle(xu, r), exact=True)
