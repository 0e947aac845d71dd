#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cross-check the clresample CLI against PyTorch on random cases.

A developer tool, not run by CI (it needs torch). Every run draws cases nobody
chose in advance: random operator, rank, shape, dtype, layout and parameters,
sometimes invalid ones. Each case goes through the installed CLI and through
torch (CPU); the two must agree:

  * torch succeeds  -> the CLI exits 0 and writes OUT (and IDX_OUT) with the
                       same shape and dtype, values within tolerance;
  * torch raises    -> the CLI exits 1 or 2 and writes neither OUT nor IDX_OUT;
  * torch CPU does not implement the dtype ("not implemented for 'Byte'"...),
    or returns another dtype -> the case is skipped (counted separately).

Tolerances: nearest / nearest-exact, every max-type op (incl. lp_pool p=+-inf),
max_unpool, pixel (un)shuffle and all indices bit-exact; u8 bit-exact;
f32 |err| <= 2e-5*(1+|ref|); f64 |err| <= 1e-10*(1+|ref|); f16 within 1 ulp of
torch's f16 value. NaN must be NaN in the same place, infinities must match.

Usage:
  python3 tests/torch_crosscheck.py [--cli ./clresample] [--n 200] [--seed S]
         [--ops interpolate,max-pool,...] [--modes nearest,nearest-exact]
         [--dtypes f32,f64,f16,u8] [--channels-last-fraction 0.3]
         [--device SPEC] [--keep DIR] [--only K] [--grid] [-v]

The seed comes from the clock unless --seed is given; it is printed first, and
`--seed S --only K` replays case K of that run. --keep DIR keeps the files of
failing cases (input, CLI output, the command in cmd.txt).

CLI contract assumed (one value of a list option broadcasts to every axis):
  clresample interpolate IN OUT --mode MODE (--size S | --scale F)
             [--align-corners] [--antialias] [--recompute-scale-factor]
  clresample max-pool IN OUT --kernel K [--stride S] [--padding P] [--dilation D]
             [--ceil-mode] [--indices IDX_OUT]
  clresample avg-pool IN OUT --kernel K [--stride S] [--padding P] [--ceil-mode]
             [--no-count-include-pad] [--divisor-override N]
  clresample lp-pool IN OUT --norm-type P --kernel K [--stride S] [--ceil-mode]
  clresample adaptive-avg-pool IN OUT --size S
  clresample adaptive-max-pool IN OUT --size S [--indices IDX_OUT]
  clresample fractional-max-pool IN OUT --kernel K (--size S | --ratio R)
             [--samples SAMPLES_IN] [--indices IDX_OUT]
  clresample max-unpool IN INDICES OUT --kernel K [--stride S] [--padding P] [--size S]
  clresample pixel-shuffle IN OUT --factor R
  clresample pixel-unshuffle IN OUT --factor R
  clresample grid-sample IN GRID OUT [--mode M] [--padding-mode P] [--align-corners]
             (--grid, or --ops grid-sample; GRID is never channels-last;
             bit-exact but 5-D bicubic, that within the float tolerances)
  every op: --channels-last (IN/OUT stored (N, spatial..., C)), --device SPEC
With --channels-last the index arrays (IDX_OUT, max-unpool's INDICES) are
assumed to be stored like the values they go with (use --indices-layout
logical if the CLI keeps them (N, C, spatial...)); their values are always flat
per-(N, C)-plane offsets. Fractional samples are (N, C, spatial rank), f32 for
f32/f16 inputs and f64 for f64 inputs (torch needs them in the input's dtype;
the f16 ones are rounded to f16 first).
"""

import argparse
import math
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.exit("torch_crosscheck.py needs PyTorch (pip install torch)")

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

ALL_OPS = ["interpolate", "max-pool", "avg-pool", "lp-pool", "adaptive-avg-pool", "adaptive-max-pool",
           "fractional-max-pool", "max-unpool", "pixel-shuffle", "pixel-unshuffle"]
ALL_MODES = ["nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic", "area", "lanczos"]
MODE_RANK = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "linear": (3,), "bilinear": (4,),
             "trilinear": (5,), "bicubic": (4,), "area": (3, 4, 5), "lanczos": (4,)}
DTYPES = {"f32": (torch.float32, "<f4"), "f64": (torch.float64, "<f8"), "f16": (torch.float16, "<f2"),
          "u8": (torch.uint8, "|u1")}
EXACT_OPS = {"max-pool", "adaptive-max-pool", "fractional-max-pool", "max-unpool", "pixel-shuffle",
             "pixel-unshuffle"}


class Skip(Exception):
    """torch CPU does not implement this combination: not a test."""


# --------------------------------------------------------------------------
# random case generation

def lst(v):
    """CLI list value: '3' or '2,3'."""
    if isinstance(v, (list, tuple)):
        return ",".join(num(e) for e in v)
    return num(v)


def num(v):
    if isinstance(v, float):
        if v == math.inf:
            return "inf"
        if v == -math.inf:
            return "-inf"
        return repr(v)
    return str(v)


def torch_list(v, d):
    """A CLI value as torch gets it: one value stays a scalar (torch broadcasts)."""
    if isinstance(v, (list, tuple)):
        return tuple(v) if len(v) > 1 else v[0]
    return v


def as_tuple(v, d):
    if isinstance(v, (list, tuple)):
        return tuple(v) if len(v) > 1 else tuple(v) * d
    return (v,) * d


class Case:
    def __init__(self, op):
        self.op = op
        self.args = []  # CLI options after the positional files
        self.torch_fn = None  # callable(x[, extra]) -> tensor or (tensor, idx)
        self.exact = op in EXACT_OPS
        self.want_indices = False
        self.x = None  # torch input tensor (logical layout)
        self.extra_in = {}  # name -> (tensor, layout-follows-values)
        self.desc = ""


def rnd_shape(r, rank, lo=1, hi=12, nmax=2, cmax=4):
    n = r.choice([1, 1, 1, 2, nmax]) if r.random() > 0.03 else 0
    c = r.randint(1, cmax)
    return [n, c] + [r.randint(lo, hi) for _ in range(rank - 2)]


def rnd_list(r, d, gen, broadcast_p=0.5):
    if r.random() < broadcast_p:
        return gen()
    return [gen() for _ in range(d)]


def make_input(r, shape, dtype, special_p=0.15):
    rng = np.random.default_rng(r.getrandbits(63))
    n = int(np.prod(shape))
    if dtype == "u8":
        kind = r.random()
        if kind < 0.15:
            a = np.where(np.arange(n) % 2 == 0, 255, 0)
        else:
            a = rng.integers(0, 256, size=n)
        return torch.from_numpy(a.astype(np.uint8).reshape(shape))
    if r.random() < 0.15:
        a = rng.integers(0, 4, size=n).astype(np.float64)  # ties
    else:
        a = rng.uniform(-4, 4, size=n) * (10 ** r.choice([0, 0, 0, 1, -2]))
    if n and r.random() < special_p:
        for j, p in enumerate(rng.choice(n, size=max(1, n // 10), replace=True)):
            a[p] = [np.nan, np.inf, -np.inf][j % 3]
    return torch.from_numpy(a.reshape(shape)).to(DTYPES[dtype][0])


def gen_interpolate(r, a, dtype):
    c = Case("interpolate")
    mode = r.choice(a.modes)
    rank = r.choice(MODE_RANK[mode]) if r.random() > 0.05 else r.choice([3, 4, 5])
    d = rank - 2
    shape = rnd_shape(r, rank, hi={3: 24, 4: 14, 5: 7}[rank])
    aa = mode == "lanczos" or (mode in ("bilinear", "bicubic") and r.random() < 0.4)
    if r.random() < 0.03:
        aa = not aa
    ac = None
    if mode in ("linear", "bilinear", "trilinear", "bicubic") and r.random() < 0.4:
        ac = True
    elif r.random() < 0.03:
        ac = True  # invalid for nearest/area/lanczos
    size = scale = None
    rc = None
    if r.random() < 0.5:
        hi = {3: 40, 4: 20, 5: 9}[rank]
        size = rnd_list(r, d, lambda: r.randint(1, hi))
        if r.random() < 0.03:
            size = [r.randint(0, 5) for _ in range(r.choice([1, 2, 3]))]
    else:
        def sc():
            x = r.choice([2.0, 0.5, 1.0, 3.0, 1.7, 0.3, 2.5, 1.1, 2.1, 0.25, 0.75, 4.0, 1.5])
            return x if r.random() < 0.5 else round(r.uniform(0.15, 4.0), r.choice([1, 2, 3]))
        scale = rnd_list(r, d, sc)
        if r.random() < 0.4:
            rc = True
    if r.random() < 0.02:
        size, scale = (size or [4]), (scale or [2.0])  # both: invalid
    if r.random() < 0.02:
        size = scale = None  # neither: invalid
    c.x = make_input(r, shape, dtype)
    c.args = ["--mode", mode]
    if size is not None:
        c.args += ["--size", lst(size)]
    if scale is not None:
        c.args += ["--scale", lst(scale)]
    if ac:
        c.args.append("--align-corners")
    if aa:
        c.args.append("--antialias")
    if rc:
        c.args.append("--recompute-scale-factor")
    c.exact = mode in ("nearest", "nearest-exact")

    def call(x, sz, sf, recompute=None):
        return F.interpolate(x, size=sz, scale_factor=sf, mode=mode, align_corners=ac,
                             recompute_scale_factor=recompute, antialias=aa)

    def fn(x):
        sz = None if size is None else torch_list(size, d)
        sf = None if scale is None else torch_list(scale, d)
        y = call(x, sz, sf, rc)
        if aa and x.dim() == 4 and y.shape[-1] == 1 and y.shape[-2] > 1:
            # torch 2.15 bug (not copied by clresample): with antialias and an
            # output width of 1, every output row gets the weights of row 0.
            # Recompute correctly: rows first, then columns, each call with
            # an output width > 1 or an unchanged axis.
            # W pass first (as torch orders them), then the H pass done as a
            # W pass on the transposed tensor.
            sfl = list(sf) if isinstance(sf, (list, tuple)) else [sf, sf]
            oh = y.shape[-2]
            if sf is not None and not rc:
                t = call(x, None, (1.0, sfl[1])) if x.shape[-1] != 1 else x
                y = call(t.transpose(-1, -2), None, (1.0, sfl[0])).transpose(-1, -2)
            else:
                t = call(x, (x.shape[-2], 1), None) if x.shape[-1] != 1 else x
                y = call(t.transpose(-1, -2), (1, oh), None).transpose(-1, -2)
        return y
    c.torch_fn = fn
    return c


def gen_pool_common(r, rank):
    d = rank - 2
    k = rnd_list(r, d, lambda: r.randint(1, 4))
    s = None if r.random() < 0.3 else rnd_list(r, d, lambda: r.randint(1, 4))
    kt = as_tuple(k, d)
    p = None
    if r.random() < 0.5:
        p = [r.randint(0, kk // 2 + (1 if r.random() < 0.05 else 0)) for kk in kt]
        if len(set(p)) == 1 and r.random() < 0.5:
            p = p[0]
    if r.random() < 0.02:
        s = 0
    return d, k, s, p


def gen_max_pool(r, a, dtype):
    c = Case("max-pool")
    rank = r.choice([3, 4, 5])
    d, k, s, p = gen_pool_common(r, rank)
    dil = None if r.random() < 0.6 else rnd_list(r, d, lambda: r.randint(1, 3))
    ceil = r.random() < 0.4
    c.x = make_input(r, rnd_shape(r, rank, hi={3: 20, 4: 12, 5: 7}[rank]), dtype)
    c.args = ["--kernel", lst(k)]
    if s is not None:
        c.args += ["--stride", lst(s)]
    if p is not None:
        c.args += ["--padding", lst(p)]
    if dil is not None:
        c.args += ["--dilation", lst(dil)]
    if ceil:
        c.args.append("--ceil-mode")
    c.want_indices = r.random() < 0.7
    f = getattr(F, f"max_pool{d}d")
    c.torch_fn = lambda x: f(x, torch_list(k, d), None if s is None else torch_list(s, d),
                             0 if p is None else torch_list(p, d),
                             1 if dil is None else torch_list(dil, d), ceil_mode=ceil, return_indices=True)
    return c


def gen_avg_pool(r, a, dtype):
    c = Case("avg-pool")
    rank = r.choice([3, 4, 5])
    d, k, s, p = gen_pool_common(r, rank)
    ceil = r.random() < 0.4
    cip = r.random() < 0.6
    div = None
    if rank > 3 and r.random() < 0.2:
        div = r.choice([1, 2, 3, 5, 9]) if r.random() > 0.05 else 0
    c.x = make_input(r, rnd_shape(r, rank, hi={3: 20, 4: 12, 5: 7}[rank]), dtype)
    c.args = ["--kernel", lst(k)]
    if s is not None:
        c.args += ["--stride", lst(s)]
    if p is not None:
        c.args += ["--padding", lst(p)]
    if ceil:
        c.args.append("--ceil-mode")
    if not cip:
        c.args.append("--no-count-include-pad")
    if div is not None:
        c.args += ["--divisor-override", str(div)]
    f = getattr(F, f"avg_pool{d}d")

    def fn(x):
        kw = dict(stride=None if s is None else torch_list(s, d), padding=0 if p is None else torch_list(p, d),
                  ceil_mode=ceil, count_include_pad=cip)
        if div is not None:
            kw["divisor_override"] = div
        return f(x, torch_list(k, d), **kw)
    c.torch_fn = fn
    return c


def gen_lp_pool(r, a, dtype):
    c = Case("lp-pool")
    rank = r.choice([3, 4, 5])
    d, k, s, _ = gen_pool_common(r, rank)
    if d == 1:  # torch's lp_pool1d multiplies by kernel_size: it must be an int
        k = k if not isinstance(k, list) else k[0]
    pn = r.choice([1.0, 2.0, 3.0, 1.5, 0.5, 4.0, math.inf, -math.inf, -1.0, 2.0, 2.0])
    if r.random() < 0.02:
        pn = 0.0
    ceil = r.random() < 0.3
    kind_pos = r.random() < 0.5
    x = make_input(r, rnd_shape(r, rank, hi={3: 20, 4: 12, 5: 7}[rank]), dtype)
    if kind_pos and dtype != "u8":
        x = x.abs() + 0.05
    c.x = x
    c.args = ["--norm-type", num(pn), "--kernel", lst(k)]
    if s is not None:
        c.args += ["--stride", lst(s)]
    if ceil:
        c.args.append("--ceil-mode")
    c.exact = pn in (math.inf, -math.inf)
    f = getattr(F, f"lp_pool{d}d")
    c.torch_fn = lambda x: f(x, pn, torch_list(k, d), None if s is None else torch_list(s, d), ceil_mode=ceil)
    return c


def gen_adaptive(r, a, dtype, op):
    c = Case(op)
    rank = r.choice([3, 4, 5])
    d = rank - 2
    shape = rnd_shape(r, rank, hi={3: 20, 4: 12, 5: 7}[rank])
    osz = rnd_list(r, d, lambda: r.randint(1, {3: 25, 4: 14, 5: 8}[rank]))
    if r.random() < 0.02:
        osz = 0 if r.random() < 0.5 else -1
    c.x = make_input(r, shape, dtype)
    c.args = ["--size", lst(osz)]
    if op == "adaptive-max-pool":
        c.want_indices = r.random() < 0.7
        f = getattr(F, f"adaptive_max_pool{d}d")
        c.torch_fn = lambda x: f(x, torch_list(osz, d), return_indices=True)
    else:
        f = getattr(F, f"adaptive_avg_pool{d}d")
        c.torch_fn = lambda x: f(x, torch_list(osz, d))
    return c


def gen_fractional(r, a, dtype):
    c = Case("fractional-max-pool")
    rank = r.choice([4, 5])
    d = rank - 2
    shape = rnd_shape(r, rank, lo=2, hi={4: 14, 5: 8}[rank])
    k = rnd_list(r, d, lambda: r.randint(1, 3))
    kt = as_tuple(k, d)
    osz = ratio = None
    if r.random() < 0.5:
        osz = [r.randint(1, max(1, sh - kk + 1)) for sh, kk in zip(shape[2:], kt)]
        if r.random() < 0.05:
            osz = [sh for sh in shape[2:]]  # usually too large
        if len(set(osz)) == 1 and r.random() < 0.5:
            osz = osz[0]
    else:
        ratio = rnd_list(r, d, lambda: round(r.uniform(0.2, 0.95), 2))
        if r.random() < 0.03:
            ratio = 1.0
    tdt = DTYPES[dtype][0]
    c.x = make_input(r, shape, dtype)
    n, ch = shape[0], shape[1]
    samples = torch.rand(n, ch, d, generator=torch.Generator().manual_seed(r.getrandbits(62)),
                         dtype=torch.float64)
    if r.random() < 0.1:
        samples = torch.tensor(r.choice([0.0, 0.999999])).expand(n, ch, d).clone().double()
    if dtype != "u8":
        samples = samples.to(tdt)
        samples = torch.where(samples >= 1, torch.zeros_like(samples), samples)
    file_dt = torch.float64 if dtype == "f64" else torch.float32
    c.samples = samples.to(file_dt)
    c.args = ["--kernel", lst(k)]
    if osz is not None:
        c.args += ["--size", lst(osz)]
    if ratio is not None:
        c.args += ["--ratio", lst(ratio)]
    c.want_indices = r.random() < 0.7
    f = getattr(F, f"fractional_max_pool{d}d")

    def fn(x):
        if dtype == "u8":
            raise Skip("fractional_max_pool: no uint8 in torch CPU")
        return f(x, torch_list(k, d), output_size=None if osz is None else torch_list(osz, d),
                 output_ratio=None if ratio is None else as_tuple(ratio, d),  # scalar ratio: torch TypeError
                 return_indices=True, _random_samples=samples)
    c.torch_fn = fn
    return c


def gen_unpool(r, a, dtype):
    c = Case("max-unpool")
    rank = r.choice([3, 4, 5])
    d = rank - 2
    shape = rnd_shape(r, rank, lo=2, hi={3: 20, 4: 12, 5: 7}[rank])
    k = rnd_list(r, d, lambda: r.randint(1, 3))
    kt = as_tuple(k, d)
    s = None if r.random() < 0.4 else rnd_list(r, d, lambda: r.randint(1, 3))
    st = kt if s is None else as_tuple(s, d)
    p = None if r.random() < 0.6 else [r.randint(0, kk // 2) for kk in kt]
    pt = (0,) * d if p is None else tuple(p)
    src = make_input(r, shape, "f64" if dtype == "u8" else dtype, special_p=0.05)
    try:
        vals, idx = getattr(F, f"max_pool{d}d")(src, kt, st, pt, return_indices=True)
    except RuntimeError:
        # the pool itself is invalid: unpool something arbitrary instead
        vals = make_input(r, shape[:2] + [2] * d, "f64" if dtype == "u8" else dtype)
        idx = torch.zeros(vals.shape, dtype=torch.int64)
    if dtype == "u8":
        vals = vals.clamp(0, 255).to(torch.uint8) if vals.is_floating_point() else vals
    default = [(i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(vals.shape[2:], st, pt, kt)]
    osz = None
    u = r.random()
    if u < 0.4:
        osz = list(shape[2:])  # the round trip
    elif u < 0.5:
        osz = [dd + r.randint(-ss, ss) for dd, ss in zip(default, st)]
    if r.random() < 0.03:
        idx = idx.clone()
        idx.view(-1)[r.randrange(max(1, idx.numel()))] = r.choice([-1, 10 ** 6])
    c.x = vals
    c.extra_in["indices"] = idx
    c.args = ["--kernel", lst(k)]
    if s is not None:
        c.args += ["--stride", lst(s)]
    if p is not None:
        c.args += ["--padding", lst(p)]
    if osz is not None:
        c.args += ["--size", lst(osz)]
    f = getattr(F, f"max_unpool{d}d")
    # the CLI's --size lists spatial sizes; one value broadcasts
    c.torch_fn = lambda x, idx: f(x, idx, torch_list(k, d), None if s is None else torch_list(s, d),
                                  0 if p is None else torch_list(p, d),
                                  output_size=None if osz is None else as_tuple(osz, d))
    return c


def gen_shuffle(r, a, dtype, op):
    c = Case(op)
    f = r.choice([1, 2, 2, 3, 4])
    if op == "pixel-shuffle":
        ch = r.randint(1, 3) * f * f
        if r.random() < 0.05:
            ch += 1
        shape = [r.choice([0, 1, 1, 2]), ch, r.randint(1, 8), r.randint(1, 8)]
    else:
        shape = [r.choice([0, 1, 1, 2]), r.randint(1, 3), r.randint(1, 4) * f, r.randint(1, 4) * f]
        if r.random() < 0.05:
            shape[2] += 1
    if r.random() < 0.03:
        f = r.choice([0, -1])
    c.x = make_input(r, shape, dtype)
    c.args = ["--factor", str(f)]
    fn = F.pixel_shuffle if op == "pixel-shuffle" else F.pixel_unshuffle
    c.torch_fn = lambda x: fn(x, f)
    return c


def gen_grid(r, a, dtype):
    """grid-sample IN GRID OUT: 4-D or 5-D, every mode / padding /
    align_corners, grids inside, around and far outside [-1, 1], sometimes
    with NaN / +-inf; now and then a grid torch rejects."""
    c = Case("grid-sample")
    rank = 5 if r.random() < 0.3 else 4
    sp = rank - 2
    n = r.choice([1, 1, 2])
    shape = [n, r.randint(1, 4)] + [r.randint(1, 9 if rank == 4 else 5) for _ in range(sp)]
    gshape = [n] + [r.randint(1, 8 if rank == 4 else 4) for _ in range(sp)] + [sp]
    if r.random() < 0.03:
        gshape[-1] = 5 - sp  # the other rank's coordinate count
    elif r.random() < 0.03:
        gshape[0] = n + 1
    mode = r.choice(["bilinear", "nearest", "bicubic"])
    pad = r.choice(["zeros", "border", "reflection"])
    ac = r.random() < 0.5
    c.x = make_input(r, shape, dtype, special_p=0.05)
    rng = np.random.default_rng(r.getrandbits(63))
    m = int(np.prod(gshape))
    lim = r.choice([1.0, 1.3, 1.3, 4.0])
    gv = rng.uniform(-lim, lim, size=m)
    if m and r.random() < 0.15:
        for j, q in enumerate(rng.choice(m, size=max(1, m // 8), replace=True)):
            gv[q] = [np.nan, np.inf, -np.inf, 1e4, -1.0, 1.0][j % 6]
    c.grid = torch.from_numpy(gv.reshape(gshape)).to(DTYPES[dtype][0])
    c.args = ["--mode", mode, "--padding-mode", pad] + (["--align-corners"] if ac else [])
    c.exact = not (rank == 5 and mode == "bicubic")  # bit-exact but 5-D bicubic (summation order)
    c.half_like_torch = True  # f16 follows torch's own f16 arithmetic
    g = c.grid
    c.torch_fn = lambda x: F.grid_sample(x, g.to(x.dtype), mode=mode, padding_mode=pad, align_corners=ac)
    return c


GEN = {
    "grid-sample": gen_grid,
    "interpolate": gen_interpolate,
    "max-pool": gen_max_pool,
    "avg-pool": gen_avg_pool,
    "lp-pool": gen_lp_pool,
    "adaptive-avg-pool": lambda r, a, dt: gen_adaptive(r, a, dt, "adaptive-avg-pool"),
    "adaptive-max-pool": lambda r, a, dt: gen_adaptive(r, a, dt, "adaptive-max-pool"),
    "fractional-max-pool": gen_fractional,
    "max-unpool": gen_unpool,
    "pixel-shuffle": lambda r, a, dt: gen_shuffle(r, a, dt, "pixel-shuffle"),
    "pixel-unshuffle": lambda r, a, dt: gen_shuffle(r, a, dt, "pixel-unshuffle"),
}


# --------------------------------------------------------------------------
# files

def to_file_layout(t, channels_last):
    a = t.detach().contiguous().numpy()
    if channels_last and a.ndim >= 3:
        a = np.ascontiguousarray(np.moveaxis(a, 1, -1))
    return a


def from_file_layout(a, channels_last):
    if channels_last and a.ndim >= 3:
        a = np.moveaxis(a, -1, 1)
    return np.ascontiguousarray(a)


def save(path, t, channels_last):
    a = to_file_layout(t, channels_last)
    if a.dtype == np.float16:
        a = a.astype("<f2")
    np.save(path, a, allow_pickle=False)


# --------------------------------------------------------------------------
# comparison

def ordered_f16(a):
    b = a.astype("<f2").view(np.int16).astype(np.int32)
    return np.where(b < 0, -(b & 0x7FFF), b)


def compare(got, ref, dtype, exact):
    """None when equal within tolerance, else a short reason."""
    if got.shape != ref.shape:
        return f"shape {got.shape} != torch {ref.shape}"
    if got.dtype != ref.dtype:
        return f"dtype {got.dtype} != torch {ref.dtype}"
    if got.size == 0:
        return None
    if ref.dtype.kind in "iu" or exact:
        if ref.dtype.kind == "f":
            same = (got == ref) | (np.isnan(got) & np.isnan(ref))
            # bit-exact also means the sign of zero
            same &= (np.signbit(got) == np.signbit(ref)) | np.isnan(ref)
        else:
            same = got == ref
        if same.all():
            return None
        i = tuple(int(v) for v in np.unravel_index(np.argmin(same), ref.shape))
        return f"{int((~same).sum())}/{ref.size} differ (exact), first at {i}: got {got[i].item()!r}, torch {ref[i].item()!r}"
    nan_g, nan_r = np.isnan(got), np.isnan(ref)
    bad = nan_g != nan_r
    inf_r = np.isinf(ref) | np.isinf(got)
    bad |= inf_r & ~nan_r & (got != ref)
    fin = ~nan_r & ~nan_g & ~inf_r
    if dtype == "f16":
        bad |= fin & (np.abs(ordered_f16(got) - ordered_f16(ref)) > 1)
    else:
        tol = 2e-5 if dtype == "f32" else 1e-10
        g64, r64 = got.astype(np.float64), ref.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            bad |= fin & (np.abs(g64 - r64) > tol * (1 + np.abs(r64)))
    if not bad.any():
        return None
    i = tuple(int(v) for v in np.unravel_index(np.argmax(bad), ref.shape))
    err = float(np.nanmax(np.abs(got[fin].astype(np.float64) - ref[fin].astype(np.float64)))) if fin.any() else 0
    return (f"{int(bad.sum())}/{ref.size} out of tolerance, max |err| {err:.3g}, first at {i}: "
            f"got {got[i].item()!r}, torch {ref[i].item()!r}")


# --------------------------------------------------------------------------

def run_case(k, seed, a, tmp):
    """Returns (status, message, cmd) with status in pass/fail/skip."""
    r = random.Random(f"{seed}:{k}")
    op = r.choice(a.ops)
    dtype = r.choices(a.dtypes, weights=[2 if t == "f32" else 1 for t in a.dtypes])[0]
    c = GEN[op](r, a, dtype)
    cl = r.random() < a.channels_last_fraction
    d = os.path.join(tmp, f"case{k}")
    os.makedirs(d, exist_ok=True)
    inp, outp, idxp = os.path.join(d, "in.npy"), os.path.join(d, "out.npy"), os.path.join(d, "idx.npy")
    save(inp, c.x, cl)
    pos = [inp]
    if getattr(c, "grid", None) is not None:
        gp = os.path.join(d, "grid.npy")
        save(gp, c.grid, False)  # GRID keeps (N, ..., 2|3) whatever --channels-last says
        pos.append(gp)
    idx_cl = cl and a.indices_layout == "follow"
    if "indices" in c.extra_in:
        ip = os.path.join(d, "indices_in.npy")
        save(ip, c.extra_in["indices"], idx_cl)
        pos.append(ip)
    pos.append(outp)
    args = list(c.args)
    if getattr(c, "samples", None) is not None:
        sp = os.path.join(d, "samples.npy")
        np.save(sp, c.samples.numpy(), allow_pickle=False)
        args += ["--samples", sp]
    if c.want_indices:
        args += ["--indices", idxp]
    if cl:
        args.append("--channels-last")
    if a.device:
        args += ["--device", a.device]
    cmd = [a.cli, c.op] + pos + args
    desc = f"{op} {dtype} in{tuple(c.x.shape)}{' channels-last' if cl else ''}"

    if op == "pixel-unshuffle" and c.x.numel() == 0:
        # torch 2.15 returns the input shape unchanged for an empty input;
        # clresample (and the C reference) give the logical output shape
        return "skip", f"{desc}: empty pixel_unshuffle (torch quirk)", cmd

    # torch
    ref = refidx = None
    terr = None
    try:
        res = c.torch_fn(c.x, c.extra_in["indices"]) if "indices" in c.extra_in else c.torch_fn(c.x)
        ref, refidx = res if isinstance(res, tuple) else (res, None)
        if ref.dtype != c.x.dtype:
            return "skip", f"{desc}: torch returns {ref.dtype}", cmd
    except Skip as e:
        return "skip", f"{desc}: {e}", cmd
    except NotImplementedError as e:
        if "not implemented for" in str(e) or "could not infer output dtype" in str(e):
            return "skip", f"{desc}: torch: {str(e).splitlines()[0]}", cmd
        terr = e
    except Exception as e:
        msg = str(e)
        if "INTERNAL ASSERT" in msg and op == "interpolate":
            try:  # torch's u8 AVX bug (C=3, 1x1 output): channels_last input works
                res = c.torch_fn(c.x.contiguous(memory_format=torch.channels_last))
                ref = res.contiguous()
            except Exception as e2:
                terr = e2
        elif "could not infer output dtype" in msg:
            return "skip", f"{desc}: torch: {msg.splitlines()[0]}", cmd
        else:
            terr = e

    # CLI
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=a.timeout)
    except subprocess.TimeoutExpired:
        return "fail", f"{desc}: CLI timed out after {a.timeout}s", cmd
    except OSError as e:
        return "fail", f"{desc}: cannot run CLI: {e}", cmd
    dt = time.time() - t0
    stderr = p.stderr.decode(errors="replace").strip().splitlines()
    stderr = stderr[-1] if stderr else ""

    if terr is not None:
        tmsg = str(terr).strip().splitlines()[0] if str(terr).strip() else type(terr).__name__
        if op == "interpolate" and p.returncode == 0 and (
                "requires a 4-D tensor" in tmsg or "Only 3D, 4D and 5D input Tensors supported" in tmsg):
            # documented extension: bicubic / antialias / lanczos on 1-D and 3-D
            return "skip", f"{desc}: extension beyond torch (4-D only there): {tmsg[:60]}", cmd
        if p.returncode not in (1, 2):
            return "fail", f"{desc}: torch raised '{tmsg[:120]}' but CLI exited {p.returncode}", cmd
        if os.path.exists(outp):
            return "fail", f"{desc}: torch raised '{tmsg[:120]}'; CLI exited {p.returncode} but wrote OUT", cmd
        if c.want_indices and os.path.exists(idxp):
            return "fail", f"{desc}: torch raised; CLI exited {p.returncode} but wrote IDX_OUT", cmd
        return "pass", f"{desc}: both reject ({tmsg[:80]} / exit {p.returncode}: {stderr[:80]})", cmd
    if p.returncode != 0:
        return "fail", f"{desc}: torch gives {tuple(ref.shape)}, CLI exited {p.returncode}: {stderr[:200]}", cmd
    if not os.path.exists(outp):
        return "fail", f"{desc}: CLI exited 0 but wrote no OUT", cmd
    try:
        got = from_file_layout(np.load(outp, allow_pickle=False), cl)
    except Exception as e:
        return "fail", f"{desc}: cannot read OUT: {e}", cmd
    refc = ref.contiguous().numpy()
    if dtype == "f16" and not c.exact and not getattr(c, "half_like_torch", False):
        # torch's CPU half kernels round intermediates to 16 bits and can be
        # several ulp off; clresample computes in float (with torch's float
        # coordinates) and rounds once. Hold it to 1 ulp of torch's float32
        # result on the same input instead.
        try:
            ex = c.torch_fn(c.x.float(), c.extra_in["indices"]) if "indices" in c.extra_in else c.torch_fn(c.x.float())
            ex = ex[0] if isinstance(ex, tuple) else ex
            ex16 = ex.to(torch.float16).contiguous().numpy()
            # where torch's own answer is NaN or inf, that is the contract
            refc = np.where(np.isfinite(refc), ex16, refc)
        except Exception:
            pass
    why = compare(got, refc, dtype, c.exact)
    if why:
        return "fail", f"{desc}: values: {why}", cmd
    if c.want_indices:
        if not os.path.exists(idxp):
            return "fail", f"{desc}: CLI wrote no IDX_OUT", cmd
        try:
            gi = from_file_layout(np.load(idxp, allow_pickle=False), idx_cl)
        except Exception as e:
            return "fail", f"{desc}: cannot read IDX_OUT: {e}", cmd
        why = compare(gi, refidx.contiguous().numpy(), "i64", True)
        if why:
            return "fail", f"{desc}: indices: {why}", cmd
    return "pass", f"{desc} -> {tuple(ref.shape)} ({dt:.2f}s)", cmd


def main():
    ap = argparse.ArgumentParser(description="Cross-check the clresample CLI against PyTorch on random cases.")
    ap.add_argument("--cli", default="./clresample", help="path of the clresample CLI (default ./clresample)")
    ap.add_argument("--seed", type=int, default=None, help="master seed (default: from the clock)")
    ap.add_argument("--n", type=int, default=200, help="number of random cases (default 200)")
    ap.add_argument("--only", type=int, default=None, help="run only case K of this seed")
    ap.add_argument("--ops", default=",".join(ALL_OPS), help="comma-separated CLI op names")
    ap.add_argument("--grid", action="store_true", help="grid-sample cases only (same as --ops grid-sample)")
    ap.add_argument("--modes", default=",".join(ALL_MODES), help="interpolate modes to draw from")
    ap.add_argument("--dtypes", default="f32,f64,f16,u8", help="dtypes to draw from (f32,f64,f16,u8)")
    ap.add_argument("--channels-last-fraction", type=float, default=0.3,
                    help="share of cases stored channels-last (default 0.3)")
    ap.add_argument("--indices-layout", choices=["follow", "logical"], default="follow",
                    help="with --channels-last, are index files stored like the values (follow) "
                         "or (N, C, spatial...) (logical)?")
    ap.add_argument("--device", default=None, help="passed to the CLI as --device")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per CLI call")
    ap.add_argument("--keep", default=None, help="copy the files of failing cases into this directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    a = ap.parse_args()

    a.ops = ["grid-sample"] if a.grid else [o for o in a.ops.split(",") if o]
    if a.grid:
        a.dtypes = ",".join(t for t in a.dtypes.split(",") if t != "u8")  # grid_sample: float dtypes
    a.modes = [m for m in a.modes.split(",") if m]
    a.dtypes = [t for t in a.dtypes.split(",") if t]
    for o in a.ops:
        if o not in GEN:
            ap.error(f"unknown op {o!r} (known: {', '.join(ALL_OPS + ['grid-sample'])})")
    for m in a.modes:
        if m not in MODE_RANK:
            ap.error(f"unknown mode {m!r}")
    for t in a.dtypes:
        if t not in DTYPES:
            ap.error(f"unknown dtype {t!r} (f32, f64, f16, u8)")
    if not a.ops or not a.dtypes or ("interpolate" in a.ops and not a.modes):
        ap.error("nothing to draw from")
    if not (os.path.exists(a.cli) or shutil.which(a.cli)):
        ap.error(f"CLI {a.cli!r} not found (use --cli)")
    if os.sep in a.cli and not os.path.isabs(a.cli):
        a.cli = os.path.abspath(a.cli)
    seed = a.seed if a.seed is not None else int(time.time() * 1000) % (2 ** 31)
    print(f"torch_crosscheck: seed {seed}, torch {torch.__version__}, cli {a.cli}", flush=True)

    cases = [a.only] if a.only is not None else range(a.n)
    npass = nfail = nskip = 0
    tmp = tempfile.mkdtemp(prefix="clrs-xcheck-")
    try:
        for k in cases:
            try:
                status, msg, cmd = run_case(k, seed, a, tmp)
            except Exception as e:  # a bug here, not in the CLI: report and go on
                status, msg, cmd = "fail", f"crosscheck internal error: {type(e).__name__}: {e}", []
            if status == "pass":
                npass += 1
                if a.verbose:
                    print(f"ok   [{k}] {msg}")
            elif status == "skip":
                nskip += 1
                if a.verbose:
                    print(f"skip [{k}] {msg}")
            else:
                nfail += 1
                print(f"FAIL [{k}] {msg}")
                if cmd:
                    print(f"     {' '.join(shlex.quote(x) for x in cmd)}")
                print(f"     replay: {sys.argv[0]} --seed {seed} --only {k} --cli {shlex.quote(a.cli)}")
                if a.keep:
                    dst = os.path.join(a.keep, f"seed{seed}-case{k}")
                    shutil.rmtree(dst, ignore_errors=True)
                    shutil.copytree(os.path.join(tmp, f"case{k}"), dst)
                    with open(os.path.join(dst, "cmd.txt"), "w") as f:
                        f.write(" ".join(shlex.quote(x) for x in cmd) + "\n" + msg + "\n")
            shutil.rmtree(os.path.join(tmp, f"case{k}"), ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if nskip:
        print(f"({nskip} cases skipped: combinations torch CPU does not implement)")
    print(f"{npass} passed, {nfail} failed")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
