# SPDX-License-Identifier: MIT
"""Reads tests/golden/*.txt (format: tests/golden/README.md) and runs one case
through the clresample Python API."""
import os
import re
import pathlib
import zlib

import numpy as np
import pytest

import clresample as cr

# The torch comparisons need a PyTorch with what they compare (uint16
# tensors, F.lp_pool3d, half-precision nearest on the CPU: torch >= 2.3;
# the goldens come from 2.15). An older torch, e.g. Debian 12's 1.13, counts
# as absent: those tests skip instead of failing on torch's own gaps.
TORCH_MIN = "2.3"


def _load_torch():
    try:
        import torch as t
    except Exception:  # noqa: BLE001 - torch is optional
        return None
    have = tuple(int(x) for x in re.findall(r"\d+", t.__version__)[:2])
    want = tuple(int(x) for x in TORCH_MIN.split("."))
    return t if have >= want else None


torch = _load_torch()
try:
    import ml_dtypes
except Exception:  # noqa: BLE001
    ml_dtypes = None

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = pathlib.Path(os.environ.get("CLRESAMPLE_GOLDEN", HERE.parent.parent / "tests" / "golden"))
FAMILIES = ("interpolate", "pool", "unpool", "shuffle", "grid")
NP_DT = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "u8": np.uint8,
         "bf16": np.uint16}


def parse(line):
    case = {}
    for tok in line.split():
        k, _, v = tok.partition("=")
        case[k] = v
    return case


def load_cases():
    """Every case of every family, in manifest order."""
    out = []
    for fam in FAMILIES:
        path = GOLDEN / f"{fam}.txt"
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                out.append(parse(line))
    return out


def select(cases, per_group):
    """A bounded, representative selection: every error case, and up to `per_group`
    cases spread evenly over each (op, dtype, rank, mode, antialias) group. per_group 0
    takes everything."""
    groups = {}
    for c in cases:
        if "error" in c:
            continue
        key = (c["op"], c["dtype"], c["rank"], c.get("mode"), c.get("antialias"))
        groups.setdefault(key, []).append(c)
    picked = {c["id"] for c in cases if "error" in c}
    for members in groups.values():
        if per_group and len(members) > per_group:
            step = len(members) / per_group
            members = [members[int(i * step)] for i in range(per_group)]
        picked.update(c["id"] for c in members)
    return [c for c in cases if c["id"] in picked]


def _v(s, conv=int):
    if s == "-":
        return None
    parts = [None if p == "none" else conv(p) for p in s.split(",")]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _d(s, default):
    v = _v(s)
    return default if v is None else v


def _b(s):
    return None if s == "-" else s == "1"


def load(rel):
    return np.load(GOLDEN / rel, allow_pickle=False)


def to_input(arr, dtype, bf16):
    """The manifest's logical array as an input of `dtype` (bf16 through `bf16`)."""
    if dtype == "bf16":
        return bf16(arr)
    return arr.astype(NP_DT[dtype], copy=False)


def layout(x, kind):
    """The same logical array, contiguous / channels-last / a strided view."""
    if kind == "contiguous" or not isinstance(x, np.ndarray) or x.ndim < 3:
        return x
    if kind == "channels_last":
        order = [0] + list(range(2, x.ndim)) + [1]
        inv = [order.index(i) for i in range(x.ndim)]
        return np.ascontiguousarray(x.transpose(order)).transpose(inv)
    # strided: every other element of a twice-as-wide buffer along the last axis
    big = np.zeros(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)
    big[..., ::2] = x
    return big[..., ::2]


def run(c, x):
    """Call the API for case c on input x; returns (out, indices or None)."""
    op, r = c["op"], int(c["rank"]) - 2
    if op == "interpolate":
        return cr.interpolate(x, size=_v(c["size"]), scale_factor=_v(c["scale"], float),
                              mode=c["mode"], align_corners=_b(c["align_corners"]),
                              recompute_scale_factor=_b(c["recompute"]),
                              antialias=c["antialias"] == "1"), None
    if op == "max_pool":
        f = getattr(cr, f"max_pool{r}d")
        return f(x, _v(c["kernel"]), _v(c["stride"]), _d(c["padding"], 0),
                 _d(c["dilation"], 1), c["ceil_mode"] == "1", return_indices=True)
    if op == "avg_pool":
        f = getattr(cr, f"avg_pool{r}d")
        kw = {}
        if c["divisor_override"] != "-":
            kw["divisor_override"] = int(c["divisor_override"])
        return f(x, _v(c["kernel"]), _v(c["stride"]), _d(c["padding"], 0),
                 c["ceil_mode"] == "1", c["count_include_pad"] != "0", **kw), None
    if op == "lp_pool":
        f = getattr(cr, f"lp_pool{r}d")
        return f(x, float(c["norm_type"]), _v(c["kernel"]), _v(c["stride"]),
                 c["ceil_mode"] == "1"), None
    if op == "adaptive_avg_pool":
        return getattr(cr, f"adaptive_avg_pool{r}d")(x, _v(c["output_size"])), None
    if op == "adaptive_max_pool":
        return getattr(cr, f"adaptive_max_pool{r}d")(x, _v(c["output_size"]),
                                                     return_indices=True)
    if op == "fractional_max_pool":
        samples = load(c["samples"]) if c.get("samples", "-") != "-" else None
        return getattr(cr, f"fractional_max_pool{r}d")(
            x, _v(c["kernel"]), output_size=_v(c["output_size"]),
            output_ratio=_v(c["output_ratio"], float), return_indices=True,
            _random_samples=samples)
    if op == "max_unpool":
        idx = load(c["indices_in"])
        return getattr(cr, f"max_unpool{r}d")(x, idx, _v(c["kernel"]), _v(c["stride"]),
                                              _d(c["padding"], 0),
                                              output_size=_v(c["output_size"])), None
    if op == "pixel_shuffle":
        return cr.pixel_shuffle(x, int(c["factor"])), None
    if op == "pixel_unshuffle":
        return cr.pixel_unshuffle(x, int(c["factor"])), None
    raise AssertionError(f"unknown op {op}")


def run_grid(c, x, grid_conv):
    if c["op"] == "grid_sample":
        g = grid_conv(load(c["grid"]))
        return cr.grid_sample(x, g, mode=c["mode"], padding_mode=c["padding_mode"],
                              align_corners=c["align_corners"] == "1"), None
    return cr.affine_grid(x, list(_v(c["size"])), align_corners=c["align_corners"] == "1"), None


EXACT_OPS = {"max_pool", "adaptive_max_pool", "fractional_max_pool", "max_unpool",
             "pixel_shuffle", "pixel_unshuffle"}


def is_exact(c):
    op = c["op"]
    if c["dtype"] == "u8" or op in EXACT_OPS:
        return True
    if op == "interpolate" and c["mode"] in ("nearest", "nearest-exact"):
        return True
    if op == "lp_pool" and c["norm_type"] in ("inf", "-inf"):
        return True
    if op == "grid_sample" and not (c["rank"] == "5" and c["mode"] == "bicubic"):
        return True
    return False


def _ordered(bits16):
    b = bits16.astype(np.int32)
    return np.where(b & 0x8000, 0x8000 - b, b)


def compare(c, got, want, in_range=None):
    """Raise AssertionError unless got matches want under the README's rules."""
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    dt = c["dtype"]
    if got.dtype == np.int64 or is_exact(c) or dt == "u8":
        if dt == "bf16" and got.dtype == np.uint16:  # NaN payloads may differ
            got = (got.astype(np.uint32) << 16).view(np.float32)
            want = (want.astype(np.uint32) << 16).view(np.float32)
        if got.dtype.kind == "f":
            same = (got == want) | (np.isnan(got) & np.isnan(want))
            assert same.all(), f"not bit-exact at {np.argwhere(~same)[:5].tolist()}"
        else:
            np.testing.assert_array_equal(got, want)
        return
    if dt in ("f16", "bf16"):
        gb = got.view(np.uint16) if dt == "f16" else got
        wb = want.view(np.uint16) if dt == "f16" else want
        gf = gb.astype(np.uint32) << 16 if dt == "bf16" else None
        nan_g = np.isnan(gf.view(np.float32)) if dt == "bf16" else np.isnan(got)
        nan_w = (np.isnan((wb.astype(np.uint32) << 16).view(np.float32)) if dt == "bf16"
                 else np.isnan(want))
        assert (nan_g == nan_w).all(), "NaN positions differ"
        # PyTorch's own 16-bit paths round intermediate results to 16 bits, so a
        # result within a few units of the larger of |want| and the input's range.
        gv = (gb.astype(np.uint32) << 16).view(np.float32) if dt == "bf16" else \
            got.astype(np.float32)
        wv = (wb.astype(np.uint32) << 16).view(np.float32) if dt == "bf16" else \
            want.astype(np.float32)
        m = ~(nan_w | np.isinf(wv))
        assert (gv[~m & ~nan_w] == wv[~m & ~nan_w]).all(), "infinities differ"
        eps = 2.0 ** -7 if dt == "bf16" else 2.0 ** -9
        scale = np.abs(wv[m]) + (in_range if in_range is not None else 0.0)
        err = np.abs(gv[m] - wv[m])
        assert (err <= eps * scale).all(), f"max error {err.max() if err.size else 0}"
        return
    tol = {"f32": 2e-5, "f64": 1e-10}[dt]
    if c["op"] in ("grid_sample", "affine_grid"):
        tol = {"f32": 1e-5, "f64": 1e-12}[dt]
    nan_g, nan_w = np.isnan(got), np.isnan(want)
    assert (nan_g == nan_w).all(), "NaN positions differ"
    inf = np.isinf(want)
    assert (got[inf] == want[inf]).all(), "infinities differ"
    m = ~(nan_w | inf)
    err = np.abs(got[m].astype(np.float64) - want[m])
    lim = tol * (1 + np.abs(want[m].astype(np.float64)))
    assert (err <= lim).all(), f"max error {err.max()} above tolerance"


def case_seed(c):
    return zlib.crc32(c["id"].encode())


def beyond_pytorch(c):
    """Interpolate cases torch rejects only for the rank, which clresample accepts
    (per-axis bicubic/lanczos/antialias on 1-D and 3-D; as tests/test_interpolate.c)."""
    if c["op"] != "interpolate" or c["rank"] == "4":
        return False
    mode, rank, aa = c["mode"], c["rank"], c["antialias"] == "1"
    per_axis = (mode in ("bicubic", "lanczos") or (mode == "linear" and rank == "3")
                or (mode == "trilinear" and rank == "5"))
    return per_axis and not (mode == "lanczos" and not aa)


def torch_aa_width1_bug(c, want):
    """torch 2.15's antialiased resize to an output width of 1 repeats row 0's
    weights (README: How exact); clresample does not copy the bug."""
    return c["op"] == "interpolate" and c["antialias"] == "1" and want.shape[-1] == 1


def bf16_in(bits):
    """uint16 bf16 bits as a bfloat16 array (ml_dtypes or torch), else skip."""
    if ml_dtypes is not None:
        return bits.view(ml_dtypes.bfloat16)
    if torch is not None:
        return torch.from_numpy(bits.astype(np.int16, copy=False).view(np.int16)).view(
            torch.bfloat16)
    pytest.skip("bfloat16 needs torch or ml_dtypes")


def to_numpy(y, dtype):
    """A result (numpy or torch) as numpy, bf16 as its uint16 bits."""
    if torch is not None and isinstance(y, torch.Tensor):
        if y.dtype == torch.bfloat16:
            return y.view(torch.int16).numpy().view(np.uint16)
        return y.numpy()
    if dtype == "bf16" and y.dtype != np.uint16:
        return y.view(np.uint16)
    return np.asarray(y)
