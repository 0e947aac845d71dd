#!/usr/bin/env python3
"""Generate the golden vectors under tests/golden/ with real PyTorch.

The C tests read these files without torch.  Everything here is
deterministic: every input array is drawn from a numpy Generator whose seed is
derived (crc32) from the array's own name, so running the script twice with
the same torch/numpy gives byte-identical files.  The date in the manifest
header is only bumped when the body of a manifest changes (or taken from
$SOURCE_DATE_EPOCH when that is set).

Usage (from the repository root):

    python3 tests/golden/gen_golden.py                   # all families
    python3 tests/golden/gen_golden.py --families pool   # just pool.txt
    python3 tests/golden/gen_golden.py --check           # regenerate in a temp dir, diff

Output, one manifest per operator family (format in tests/golden/README.md):

    tests/golden/interpolate.txt   + tests/golden/interpolate/*.npy
    tests/golden/pool.txt          + tests/golden/pool/*.npy
    tests/golden/unpool.txt        + tests/golden/unpool/*.npy
    tests/golden/shuffle.txt       + tests/golden/shuffle/*.npy
    tests/golden/grid.txt          + tests/golden/grid/*.npy
    tests/golden/backward.txt      + tests/golden/backward/*.npy   (input gradients)
    tests/golden/backward_interp.txt + tests/golden/backward_interp/*.npy (interpolate's)
    tests/golden/conv.txt          + tests/golden/conv/*.npy   (conv, conv_transpose)

Manifest lines: `#` comments, or one case per line of space-separated
`key=value` tokens (the value is everything after the first `=`; lists are
comma-separated; `-` means "not given"; `none` inside a list is Python's None).
Array paths are relative to tests/golden/.  Arrays hold logical
(N, C, spatial...) values in C order.  bf16 arrays are stored as raw bits
(`<u2`).  Cases whose dtype torch CPU does not implement are skipped and
listed in the manifest's comments.
"""

import argparse
import datetime
import filecmp
import os
import shutil
import sys
import tempfile
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_num_threads(1)  # keep reductions in a fixed order
torch.use_deterministic_algorithms(False)

HERE = os.path.dirname(os.path.abspath(__file__))

DTYPES = {
    "f32": torch.float32,
    "f64": torch.float64,
    "f16": torch.float16,
    "bf16": torch.bfloat16,
    "u8": torch.uint8,
}
FLOAT_DTYPES = ["f32", "f64", "f16", "bf16"]
ALL_DTYPES = FLOAT_DTYPES + ["u8"]
INF = float("inf")


# --------------------------------------------------------------------------
# value formatting for manifest tokens

def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        if v == INF:
            return "inf"
        if v == -INF:
            return "-inf"
        return repr(v)
    if isinstance(v, (tuple, list)):
        return ",".join("none" if e is None else fmt(e) for e in v)
    if isinstance(v, str):
        return v
    raise TypeError(f"cannot format {v!r}")


def err_token(e):
    msg = str(e).strip().split("\n")[0].strip()
    if not msg:
        msg = type(e).__name__
    msg = "".join(c if (c.isprintable() and c.isascii() and not c.isspace()) else "_" for c in msg)
    return msg[:80]


# --------------------------------------------------------------------------
# arrays

def to_numpy(t):
    """Tensor -> numpy array in the stored dtype (bf16 as raw <u2 bits)."""
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view("<u2").copy()
    if t.dtype == torch.float16:
        return t.numpy().astype("<f2")
    if t.dtype == torch.float32:
        return t.numpy().astype("<f4")
    if t.dtype == torch.float64:
        return t.numpy().astype("<f8")
    if t.dtype == torch.uint8:
        return t.numpy().astype("|u1")
    if t.dtype == torch.int64:
        return t.numpy().astype("<i8")
    raise TypeError(t.dtype)


def make_input(dtype, shape, kind="rand", seed=0):
    """Deterministic input tensor.

    kinds: rand     uniform values (floats in [-4, 4), u8 in [0, 255])
           special  like rand, with NaN / +inf / -inf sprinkled in (floats)
           ties     small integers 0..3, so max-pool ties are common
           pos      floats in (0.05, 4) (for LP pooling with fractional p)
           extreme  u8: 0/255 checker with a few mid values (saturation)
           ramp     0, 1, 2, ... (exact in every dtype for small sizes)
           spike    zeros, with ONE +inf in every (n, c) plane, at flat plane
                    position (plane index + seed) mod plane size (so with C =
                    plane size, the channels put the spike at every position)
           spikenan like spike with NaN instead of +inf
           allinf   every value +inf
    """
    key = f"{dtype}:{'x'.join(map(str, shape))}:{kind}:{seed}"
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    n = int(np.prod(shape)) if len(shape) else 1
    if kind == "ramp":
        a = np.arange(n, dtype=np.float64) % 256
    elif kind in ("spike", "spikenan", "allinf"):
        a = np.full(n, np.inf if kind == "allinf" else 0.0)
        planes = shape[0] * shape[1]
        if kind != "allinf" and n > 0:
            ps = n // planes
            for q in range(planes):
                a[q * ps + (q + seed) % ps] = np.inf if kind == "spike" else np.nan
    elif kind == "ties":
        a = rng.integers(0, 4, size=n).astype(np.float64)
    elif kind == "extreme":
        a = np.where(np.arange(n) % 2 == 0, 255.0, 0.0)
        a[rng.integers(0, n, size=max(1, n // 8))] = 128.0
    elif kind == "pos":
        a = rng.uniform(0.05, 4.0, size=n)
    elif dtype == "u8":
        a = rng.integers(0, 256, size=n).astype(np.float64)
    else:
        a = rng.uniform(-4.0, 4.0, size=n)
    if kind == "special" and n > 0:
        k = max(3, n // 10)
        pos = rng.choice(n, size=min(k, n), replace=False)
        for j, p in enumerate(pos):
            a[p] = [np.nan, np.inf, -np.inf][j % 3]
    t = torch.from_numpy(a.reshape(shape))
    return t.to(DTYPES[dtype])


# --------------------------------------------------------------------------
# a family of cases, written to one manifest

class Family:
    def __init__(self, name, outroot):
        self.name = name
        self.outroot = outroot
        self.dir = os.path.join(outroot, name)
        self.lines = []
        self.ids = set()
        self.seen = set()
        self.arrays = {}  # relpath -> numpy array
        self.skipped = {}  # description -> example message
        self.notes = []
        self.counters = {}
        self.nerr = 0

    def next_id(self, prefix):
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        return f"{prefix}_{n:03d}"

    def put_array(self, relname, arr):
        rel = f"{self.name}/{relname}.npy"
        if rel in self.arrays:
            old = self.arrays[rel]
            assert old.dtype == arr.dtype and old.shape == arr.shape and old.tobytes() == arr.tobytes(), rel
        self.arrays[rel] = arr
        return rel

    def input_file(self, dtype, shape, kind, seed):
        x = make_input(dtype, shape, kind, seed)
        name = f"in_{dtype}_{'x'.join(map(str, shape))}_{kind}{seed}"
        return x, self.put_array(name, to_numpy(x))

    def add(self, prefix, op, dtype, rank, x, inrel, params, run, extra=None, skip_note=None):
        """Run `run()`; append a manifest line (out= or error=) or skip the case.

        inrel: relative path of the input array, or a callable(cid) returning it.
        params: list of (key, value) in manifest order.
        run: returns a tensor or (tensor, indices).
        extra: callable(cid) -> [(key, relpath)] tokens placed after the params
               (arrays it registers are only kept when the case is written).
        Returns the result, or None for an error or a skipped case.
        """
        if not callable(inrel):
            key = (op, dtype, inrel, tuple(f"{k}={fmt(v)}" for k, v in params))
            if key in self.seen:  # e.g. size=(7,) vs size=7 on a 1-D input
                return None
            self.seen.add(key)
        try:
            res = run()
        except NotImplementedError as e:
            if "not implemented for" in str(e) or "could not infer output dtype" in str(e):
                desc = skip_note or f"{op} rank={rank} dtype={dtype}"
                self.skipped.setdefault(desc, set()).add(err_token(e))
                return None
            res = e
        except Exception as e:  # torch raised: an error case
            if "INTERNAL ASSERT FAILED" in str(e):
                raise
            if "could not infer output dtype" in str(e):  # u8 adaptive_avg_pool 1x1 fast path
                self.skipped.setdefault(skip_note or f"{op} rank={rank} dtype={dtype}", set()).add(err_token(e))
                return None
            res = e
        if not isinstance(res, Exception):
            out = res[0] if isinstance(res, tuple) else res
            if out.dtype != x.dtype:
                self.skipped.setdefault(
                    f"{op} rank={rank} dtype={dtype}", set()).add(f"torch_returns_{out.dtype}")
                return None
        cid = self.next_id(prefix)
        assert cid not in self.ids, cid
        self.ids.add(cid)
        if callable(inrel):
            inrel = inrel(cid)
        toks = [f"id={cid}", f"op={op}", f"dtype={dtype}", f"rank={rank}", f"in={inrel}"]
        toks += [f"{k}={fmt(v)}" for k, v in params]
        if extra is not None:
            toks += [f"{k}={v}" for k, v in extra(cid)]
        if isinstance(res, Exception):
            toks.append(f"error={err_token(res)}")
            self.nerr += 1
            self.lines.append(" ".join(toks))
            return None
        out, idx = (res if isinstance(res, tuple) else (res, None))
        toks.append("out=" + self.put_array(f"{cid}_out", to_numpy(out)))
        if idx is not None:
            toks.append("indices=" + self.put_array(f"{cid}_idx", to_numpy(idx)))
        self.lines.append(" ".join(toks))
        return res

    # ---- writing

    def body(self):
        out = []
        for n in self.notes:
            out.append(f"# {n}")
        if self.skipped:
            out.append("# skipped: combinations torch CPU does not implement (not listed as cases):")
            for k in sorted(self.skipped):
                out.append(f"#   {k}: {' | '.join(sorted(self.skipped[k]))}")
        out.append(f"# {len(self.lines)} cases ({self.nerr} error cases)")
        out.extend(self.lines)
        return "\n".join(out) + "\n"

    def write(self):
        manifest = os.path.join(self.outroot, self.name + ".txt")
        body = self.body()
        date = None
        if os.environ.get("SOURCE_DATE_EPOCH"):
            date = datetime.datetime.fromtimestamp(
                int(os.environ["SOURCE_DATE_EPOCH"]), datetime.timezone.utc).date().isoformat()
        elif os.path.exists(manifest):
            with open(manifest) as f:
                old = f.read()
            head, _, oldbody = old.partition("\n# ---\n")
            if oldbody == body and "on " in head:
                date = head.split("\n")[0].rsplit("on ", 1)[1].strip()
        if date is None:
            date = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        head = (f"# generated by tests/golden/gen_golden.py with torch {torch.__version__} "
                f"numpy {np.__version__} on {date}\n"
                f"# family: {self.name}; format: tests/golden/README.md. One case per line,\n"
                f"# key=value tokens; '-' = not given; array paths relative to tests/golden/.\n"
                f"# ---\n")
        os.makedirs(self.dir, exist_ok=True)
        for rel, arr in self.arrays.items():
            path = os.path.join(self.outroot, rel)
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                np.save(f, arr, allow_pickle=False)
            if os.path.exists(path) and filecmp.cmp(tmp, path, shallow=False):
                os.unlink(tmp)
            else:
                os.replace(tmp, path)
        keep = {os.path.basename(r) for r in self.arrays}
        for fn in os.listdir(self.dir):
            if fn not in keep:
                os.unlink(os.path.join(self.dir, fn))
        text = head + body
        if not (os.path.exists(manifest) and open(manifest).read() == text):
            with open(manifest + ".tmp", "w") as f:
                f.write(text)
            os.replace(manifest + ".tmp", manifest)
        size = os.path.getsize(manifest) + sum(
            os.path.getsize(os.path.join(self.outroot, r)) for r in self.arrays)
        print(f"{self.name}: {len(self.lines)} cases ({self.nerr} errors), "
              f"{len(self.arrays)} arrays, {size} bytes", file=sys.stderr)
        return size


# ==========================================================================
# interpolate

SPATIAL = {3: 1, 4: 2, 5: 3}


def interp_run(x, mode, size, scale, ac, rc, aa):
    def run():
        return F.interpolate(x, size=size, scale_factor=scale, mode=mode, align_corners=ac,
                             recompute_scale_factor=rc, antialias=aa)
    return run


def interp_params(mode, size, scale, ac, rc, aa):
    return [("mode", mode), ("size", size), ("scale", scale), ("align_corners", ac),
            ("recompute", rc), ("antialias", bool(aa))]


def interp_specs(shape, full=True):
    """(size, scale, recompute) triples for an input of spatial `shape`."""
    d = len(shape)
    one = lambda v: v  # noqa: E731  (scalar broadcast form)
    tup = lambda f: tuple(f(i, s) for i, s in enumerate(shape))  # noqa: E731
    specs = [
        (tup(lambda i, s: 2 * s), None, None),                 # out == 2*in
        (tup(lambda i, s: s), None, None),                     # out == in
        (tup(lambda i, s: [3, 5, 2][i] if s > 3 else s + 4), None, None),  # down / up mix
        (one(1), None, None),                                  # output size 1
        (tup(lambda i, s: [[17], [13, 11], [7, 5, 3]][d - 1][i]), None, None),  # primes
        (one(7), None, None),                                  # broadcast int size
        (None, 2.0, None),
        (None, 0.5, None),
        (None, 1.7, None),
        (None, 0.3, None),
        (None, 2.5, None),
        (None, 1.0, None),
        (None, 1.1, None),                                     # out == in, scale != 1
        (None, 2.1, None),                                     # out == 2*in, scale != 2
        (None, tuple([1.7, 0.6, 3.0][:d]), None),              # per-axis scales
        (None, 1.7, True),
        (None, 1.7, False),
        (None, 0.3, True),
        (None, 0.3, False),
        (None, 1.1, True),
        (None, 2.1, True),
        (tup(lambda i, s: 2 * s + 1), None, False),            # recompute=False with size
    ]
    if not full:
        keep = [0, 2, 3, 6, 8, 9, 12, 15]
        specs = [specs[i] for i in keep]
    return specs


def gen_interpolate(fam, modes):
    fam.notes.append("interpolate: F.interpolate(input, size, scale_factor, mode, align_corners, "
                     "recompute_scale_factor, antialias); 'scale' = scale_factor, 'recompute' = "
                     "recompute_scale_factor.")
    fam.notes.append("torch CPU quirks seen while generating: uint8 bilinear/bicubic/lanczos (aa or not) "
                     "with C=3 and a 1x1 output hit an INTERNAL ASSERT on contiguous input; those "
                     "goldens were computed from a channels_last copy (same kernel result).")

    def case(prefix, mode, dtype, in_shape, kind, size, scale, ac, rc, aa, seed=0):
        rank = len(in_shape)
        x, inrel = fam.input_file(dtype, in_shape, kind, seed)

        def run():
            try:
                return interp_run(x, mode, size, scale, ac, rc, aa)()
            except RuntimeError as e:
                if "INTERNAL ASSERT FAILED" in str(e):
                    y = interp_run(x.contiguous(memory_format=torch.channels_last), mode, size,
                                   scale, ac, rc, aa)()
                    return y.contiguous()
                raise
        return fam.add(prefix, "interpolate", dtype, rank, x, inrel,
                       interp_params(mode, size, scale, ac, rc, aa), run,
                       skip_note=f"interpolate mode={mode}{' antialias' if aa else ''} rank={rank} dtype={dtype}")

    shapes = {
        3: [(1, 2, 7), (2, 3, 5), (1, 2, 1), (1, 2, 13)],
        4: [(1, 2, 5, 7), (2, 3, 4, 4), (1, 2, 1, 3), (1, 2, 6, 11)],
        5: [(1, 2, 3, 2, 5), (1, 2, 2, 1, 3)],
    }
    mode_ranks = {
        "nearest": [3, 4, 5], "nearest-exact": [3, 4, 5], "linear": [3], "bilinear": [4],
        "trilinear": [5], "bicubic": [4], "area": [3, 4, 5],
    }
    short = {"nearest": "nearest", "nearest-exact": "nearestexact", "linear": "linear",
             "bilinear": "bilinear", "trilinear": "trilinear", "bicubic": "bicubic", "area": "area",
             "lanczos": "lanczos"}

    for mode in [m for m in ["nearest", "nearest-exact", "linear", "bilinear", "trilinear",
                             "bicubic", "area"] if m in modes]:
        interp = mode in ("linear", "bilinear", "trilinear", "bicubic")
        acs = [None, False, True] if interp else [None]
        for rank in mode_ranks[mode]:
            p = f"{short[mode]}_r{rank}"
            # f32: full matrix on the first shape, a reduced one on the others
            for si, shp in enumerate(shapes[rank]):
                full = si == 0
                for j, (size, scale, rc) in enumerate(interp_specs(shp[2:], full=full)):
                    for ac in acs:
                        # align_corners=False is the same as None: checked on a few specs only
                        if ac is False and not (full and j in (0, 8, 12)):
                            continue
                        case(f"{p}_f32", mode, "f32", shp, "rand", size, scale, ac, rc, False)
            # NaN / inf inputs
            shp = shapes[rank][0]
            for size, scale, rc in interp_specs(shp[2:], full=False)[:5]:
                for ac in ([None, True] if interp else [None]):
                    case(f"{p}_f32special", mode, "f32", shp, "special", size, scale, ac, rc, False)
            # other dtypes: reduced matrix on the first shape
            for dt in ["f64", "f16", "bf16", "u8"]:
                for shp in shapes[rank][:1]:
                    for size, scale, rc in interp_specs(shp[2:], full=False):
                        for ac in ([None, True] if interp else [None]):
                            case(f"{p}_{dt}", mode, dt, shp, "rand", size, scale, ac, rc, False)
                if dt == "u8" and mode in ("bilinear", "bicubic", "nearest", "nearest-exact"):
                    shp = shapes[rank][0]
                    for size, scale, rc in interp_specs(shp[2:], full=False)[:4]:
                        for ac in ([None, True] if interp else [None]):
                            case(f"{p}_u8extreme", mode, "u8", shp, "extreme", size, scale, ac, rc, False)
            # empty batch
            shp = (0,) + shapes[rank][0][1:]
            case(f"{p}_f32empty", mode, "f32", shp, "rand", None, 2.0, None, None, False)

    # antialiased modes (4-D only)
    for mode in [m for m in ["bilinear", "bicubic", "lanczos"] if m in modes or (m + "-aa") in modes]:
        p = f"{short[mode]}aa_r4"
        acs = [None, False, True] if mode != "lanczos" else [None, False]
        aa_shapes = [(1, 2, 9, 7), (1, 3, 16, 5), (1, 2, 1, 4), (1, 2, 23, 19)]
        down = [((5, 4), None, None), ((2, 3), None, None), ((1, 1), None, None), ((7, 19), None, None),
                (None, 0.25, None), (None, 0.45, None), (None, 0.3, None), (None, 0.5, None),
                (None, (0.6, 0.35), None), (None, 0.45, True), (None, 0.45, False)]
        for si, shp in enumerate(aa_shapes):
            if si == 3:
                specs, acs_here = down, acs[:1] + acs[2:]
            else:
                specs = interp_specs(shp[2:], full=si == 0)
                specs += [((2, 3), None, None), (None, 0.25, None), (None, 0.45, None)]
                acs_here = acs if si == 0 else [None]
            for j, (size, scale, rc) in enumerate(specs):
                for ac in acs_here:
                    if ac is False and j not in (0, 8, 12):
                        continue
                    case(f"{p}_f32", mode, "f32", shp, "rand", size, scale, ac, rc, True)
        for size, scale, rc in interp_specs(aa_shapes[0][2:], full=False)[:5]:
            case(f"{p}_f32special", mode, "f32", aa_shapes[0], "special", size, scale, None, rc, True)
        for dt in ["f64", "f16", "bf16", "u8"]:
            for shp in aa_shapes[:1]:
                specs = interp_specs(shp[2:], full=False) + [(None, 0.25, None), ((2, 3), None, None)]
                for size, scale, rc in specs:
                    for ac in acs[:1] if mode == "lanczos" else [None, True]:
                        case(f"{p}_{dt}", mode, dt, shp, "rand", size, scale, ac, rc, True)
            if dt == "u8":
                for size, scale, rc in [((1, 1), None, None), (None, 0.3, None), (None, 2.5, None)]:
                    case(f"{p}_u8extreme", mode, "u8", aa_shapes[1], "extreme", size, scale, None, rc, True)
                    # C=3 with a 1x1 output: the shape torch's AVX path asserts on
                    case(f"{p}_u8c3", mode, "u8", (1, 3, 6, 5), "rand", size, scale, None, rc, True)
        if mode in ("bilinear", "bicubic"):
            for size, scale, rc in [((1, 1), None, None), (None, 0.3, None)]:
                case(f"{short[mode]}_r4_u8c3", mode, "u8", (1, 3, 6, 5), "rand", size, scale, None, rc, False)

    # long rows: W outputs >= 32 per period, so that the periodic interior
    # kernel (clrs_resample -D PER) and its EDGE kernel both run
    if "bilinear" in modes:
        long_cases = [
            ("linear_r3long", "linear", (1, 2, 40), [(None, 2.0), (None, 3.0), ((100,), None), (None, 0.5)]),
            ("bilinear_r4long", "bilinear", (1, 2, 3, 40), [(None, 2.0), ((4, 100), None), (None, 0.5)]),
            ("bicubic_r4long", "bicubic", (1, 2, 3, 40), [(None, 2.0), ((5, 120), None)]),
            ("trilinear_r5long", "trilinear", (1, 2, 2, 3, 40), [(None, 2.0)]),
            ("area_r4long", "area", (1, 2, 3, 96), [((3, 48), None), ((2, 32), None)]),
        ]
        for prefix, mode, shp, specs in long_cases:
            acs = [None, True] if mode != "area" else [None]
            for size, scale in specs:
                for ac in acs:
                    for dt in ALL_DTYPES:
                        case(f"{prefix}_{dt}", mode, dt, shp, "rand", size, scale, ac, None, False)
                case(f"{prefix}_f32special", mode, "f32", shp, "special", size, scale, None, None, False)
        for mode in ("bilinear", "bicubic"):
            for size, scale in [(None, 0.5), ((2, 64), None), ((3, 32), None)]:
                for dt in ALL_DTYPES:
                    case(f"{short[mode]}aa_r4long_{dt}", mode, dt, (1, 2, 4, 96), "rand", size, scale, None, None,
                         True)

    if "errors" in modes:
        gen_interpolate_errors(fam, case)
    gen_interpolate_spikes(fam, case, modes)


def gen_interpolate_errors(fam, case):
    P = "interp_err"
    s3, s4, s5 = (1, 2, 3), (1, 2, 3, 4), (1, 2, 2, 3, 4)
    E = [
        # (mode, shape, size, scale, ac, rc, aa)
        ("nearest", s4, 4, 2.0, None, None, False),          # both size and scale
        ("nearest", s4, None, None, None, None, False),      # neither
        ("bilinear", s4, 5, 2.0, None, None, False),
        ("nearest", s4, 4, None, True, None, False),         # align_corners with nearest
        ("nearest", s4, 4, None, False, None, False),
        ("nearest-exact", s4, 4, None, True, None, False),
        ("area", s4, 4, None, False, None, False),
        ("nearest", s4, 4, None, None, None, True),          # antialias with nearest
        ("nearest-exact", s3, 4, None, None, None, True),
        ("area", s4, 4, None, None, None, True),
        ("linear", s3, 4, None, None, None, True),
        ("trilinear", s5, 4, None, None, None, True),
        ("nearest", s3, (4, 5), None, None, None, False),    # wrong number of sizes
        ("nearest", s4, (4, 5, 6), None, None, None, False),
        ("nearest", s5, (4, 5), None, None, None, False),
        ("nearest", s4, None, (2.0, 2.0, 2.0), None, None, False),  # wrong number of scales
        ("nearest", s3, None, (2.0, 2.0), None, None, False),
        ("nearest", s3, None, 0.1, None, None, False),       # zero-size output
        ("nearest", s4, None, 0.1, None, None, False),
        ("bilinear", s4, None, 0.2, None, None, False),
        ("nearest", s4, 0, None, None, None, False),
        ("nearest", s4, (3, 0), None, None, None, False),
        ("bicubic", s4, None, 0.1, None, True, False),
        ("nearest", s4, None, -1.0, None, None, False),      # negative scale
        ("nearest", s4, -2, None, None, None, False),        # negative size
        ("nearest", s4, 4, None, None, True, False),         # recompute=True with size
        ("bilinear", s4, 4, None, None, True, False),
        ("bilinear", s3, 4, None, None, None, False),        # mode / rank mismatch
        ("bilinear", s5, 4, None, None, None, False),
        ("linear", s4, 4, None, None, None, False),
        ("trilinear", s4, 4, None, None, None, False),
        ("bicubic", s3, 4, None, None, None, False),
        ("bicubic", s5, 4, None, None, None, False),
        ("lanczos", s4, 4, None, None, None, False),         # lanczos needs antialias
        ("lanczos", s4, 4, None, True, None, True),          # lanczos with align_corners
        ("lanczos", s3, 4, None, None, None, True),
        ("lanczos", s5, 4, None, None, None, True),
        ("bilinear", s4, None, 0.1, None, None, True),       # aa, zero-size output
    ]
    for mode, shp, size, scale, ac, rc, aa in E:
        case(P, mode, "f32", shp, "rand", size, scale, ac, rc, aa)
    # rank 2 / rank 6 inputs are outside the C API (rank 3..5) and not listed.


# (in, out) sizes for the spike cases: the issue-#19 examples (7 -> 3, 13 -> 23,
# 1 -> 11 for allinf) first, then a sweep of small pairs, down and up.
SPIKE_PAIRS = [(7, 3), (13, 23), (2, 1), (3, 2), (3, 7), (4, 9), (5, 2), (5, 5),
               (6, 13), (7, 5), (7, 17), (8, 3), (11, 4), (13, 6)]
SPIKE_SCALES = [(7, 0.45), (13, 1.7), (9, 2.5)]
ALLINF_PAIRS = [(1, 11), (1, 1), (3, 7), (7, 3), (2, 5), (13, 6)]


def gen_interpolate_spikes(fam, case, modes):
    """Zero inputs with one +inf (or NaN) per plane, and all-inf inputs: the
    corners where a weight that is exactly 0 (0*inf = NaN, or a tap left out)
    differs from a tiny one.  C = plane size, so every spike position is run."""
    fam.notes.append("spike cases (*spike*, *spikenan*, *allinf*): zeros with one +inf (NaN) per (n, c) "
                     "plane at position (plane index + seed) mod plane size, or all +inf; every mode, "
                     "f32/f64 (f16/bf16 on a few), sizes from SPIKE_PAIRS in gen_golden.py.")
    table = [("nearest", "nearest", [3, 4, 5], False), ("nearest-exact", "nearestexact", [3, 4, 5], False),
             ("area", "area", [3, 4, 5], False), ("linear", "linear", [3], False),
             ("bilinear", "bilinear", [4], False), ("trilinear", "trilinear", [5], False),
             ("bicubic", "bicubic", [4], False),
             ("bilinear", "bilinearaa", [4], True), ("bicubic", "bicubicaa", [4], True),
             ("lanczos", "lanczosaa", [4], True)]

    def shape_of(rank, c, n, axis=-1):
        sp = [1] * (rank - 2)
        sp[axis] = n
        return (1, c) + tuple(sp)

    def size_of(rank, n, axis=-1):
        sp = [1] * (rank - 2)
        sp[axis] = n
        return tuple(sp) if rank > 3 else n

    def spk(ni, no):
        """(channels, seed): every position, except the issue's 13 -> 23 (one
        plane, spike at 5) to keep the arrays small."""
        return (1, 5) if (ni, no) == (13, 23) else (ni, 0)

    def scale_of(rank, sc):
        return tuple([1.0] * (rank - 3) + [sc]) if rank > 3 else sc

    for mode, short, ranks, aa in table:
        if mode not in modes:
            continue
        interp = mode in ("linear", "bilinear", "trilinear", "bicubic")
        acs = [None, True] if interp else [None]
        weighted = interp or aa
        for ri, rank in enumerate(ranks):
            p = f"{short}_r{rank}"
            if weighted:
                plan = {"f32": (SPIKE_PAIRS, SPIKE_PAIRS[::4], SPIKE_SCALES[:2], 2, ALLINF_PAIRS[:3], 1),
                        "f64": (SPIKE_PAIRS[:2] + SPIKE_PAIRS[4::4], SPIKE_PAIRS[:1], SPIKE_SCALES[:1], 1,
                                ALLINF_PAIRS[:2], 1)}
            elif ri == 0:
                plan = {"f32": (SPIKE_PAIRS[::4], [], SPIKE_SCALES[:1], 1, ALLINF_PAIRS[:2], 0),
                        "f64": (SPIKE_PAIRS[:2], [], [], 0, ALLINF_PAIRS[:1], 0)}
            else:
                plan = {"f32": (SPIKE_PAIRS[:1], [], [], 0, ALLINF_PAIRS[:1], 0)}
            # a 1-D resize along the last axis (the others of size 1)
            for dt, (pairs, acpairs, scales, nnan, infpairs, ninfac) in plan.items():
                for ni, no in pairs:
                    for ac in acs[:1] + (acs[1:] if (ni, no) in acpairs else []):
                        c, sd = spk(ni, no)
                        case(f"{p}_{dt}spike", mode, dt, shape_of(rank, c, ni), "spike",
                             size_of(rank, no), None, ac, None, aa, seed=sd)
                for ni, sc in scales:
                    case(f"{p}_{dt}spike", mode, dt, shape_of(rank, ni, ni), "spike",
                         None, scale_of(rank, sc), None, None, aa)
                for ni, no in pairs[:nnan]:
                    c, sd = spk(ni, no)
                    case(f"{p}_{dt}spikenan", mode, dt, shape_of(rank, c, ni), "spikenan",
                         size_of(rank, no), None, acs[-1], None, aa, seed=sd)
                for k, (ni, no) in enumerate(infpairs):
                    for ac in acs[:1] + (acs[1:] if k < ninfac else []):
                        case(f"{p}_{dt}allinf", mode, dt, shape_of(rank, 1, ni), "allinf",
                             size_of(rank, no), None, ac, None, aa)
            # the first axis (H / D) instead, and a real 2-D / 3-D spike.  Antialiased:
            # W = 2 (torch 2.15's contiguous CPU path with an output width of 1 and
            # an output height > 1 repeats output row 0 on every row, a torch bug)
            if rank > 3 and weighted:
                for ni, no in [(7, 3), (13, 23)]:
                    c, sd = spk(ni, no)
                    if aa:
                        xs, osz = (1, 2 * c, ni, 2), (no, 2)
                    else:
                        xs, osz = shape_of(rank, c, ni, 0), size_of(rank, no, 0)
                    case(f"{p}_f32spike", mode, "f32", xs, "spike", osz, None, None, None, aa,
                         seed=2 * sd)
                mshape = (1, 12, 3, 4) if rank == 4 else (1, 12, 2, 3, 2)
                msizes = [(5, 2), (2, 7)] if rank == 4 else [(3, 1, 5), (1, 5, 3)]
                for osz in msizes[:1] if aa else msizes:
                    case(f"{p}_f32spike", mode, "f32", mshape, "spike", osz, None, acs[-1], None, aa)
            # f16 / bf16 (torch has no antialiased half kernels)
            if interp:
                for dt in ["f16", "bf16"]:
                    for ni, no in SPIKE_PAIRS[:1]:
                        case(f"{p}_{dt}spike", mode, dt, shape_of(rank, ni, ni), "spike",
                             size_of(rank, no), None, acs[-1], None, aa)
                    case(f"{p}_{dt}allinf", mode, dt, shape_of(rank, 1, 3), "allinf",
                         size_of(rank, 7), None, acs[-1], None, aa)


# ==========================================================================
# pooling

def pool_fn(op, rank):
    d = SPATIAL[rank]
    return {
        "max_pool": getattr(F, f"max_pool{d}d"),
        "avg_pool": getattr(F, f"avg_pool{d}d"),
        "lp_pool": getattr(F, f"lp_pool{d}d"),
        "adaptive_avg_pool": getattr(F, f"adaptive_avg_pool{d}d"),
        "adaptive_max_pool": getattr(F, f"adaptive_max_pool{d}d"),
        "fractional_max_pool": getattr(F, f"fractional_max_pool{d}d", None),
    }[op]


def gen_pool(fam):
    fam.notes.append("max_pool/adaptive_max_pool/fractional_max_pool cases always carry indices= "
                     "(return_indices=True); indices are flat per (N,C) plane, int64.")
    fam.notes.append("fractional_max_pool: samples= holds _random_samples, shape (N, C, spatial rank); "
                     "torch requires them in the input's dtype, so for f16/bf16 inputs the stored <f4 "
                     "values are the f16/bf16-rounded samples torch used (for 2-D, [...,0] drives W, "
                     "[...,1] drives H).")
    fam.notes.append("lp_pool: torch's composite avg_pool(x.pow(p)) -> sign*relu(abs)*prod(kernel) -> "
                     "pow(1/p); f16/bf16 round after every step, so the f16/bf16 goldens carry that "
                     "rounding. p=inf is max_pool(abs(x)); p=-inf is -max_pool(-abs(x)). uint8 lp_pool "
                     "with a finite p returns float32 in torch (pow promotes) and is not listed; u8 p=inf "
                     "is listed for 2-D/3-D (1-D fails: max_pool1d without indices has no u8 kernel).")
    fam.notes.append("max_pool rank 3 u8: torch's max_pool1d without indices raises 'not implemented for "
                     "Byte'; with return_indices=True (as here) it works.")
    fam.notes.append("fractional_max_pool: output_ratio is always written per axis: torch 2.15's "
                     "Python wrapper raises TypeError (\"object of type 'float' has no len()\") for a "
                     "scalar ratio although the docs allow one.")
    fam.notes.append("avg_pool 1-D has no divisor_override in torch (divisor_override=- there).")

    shapes = {3: [(1, 2, 9), (2, 3, 8)], 4: [(1, 2, 7, 9), (2, 3, 6, 8)], 5: [(1, 2, 5, 6, 7)]}

    def inp(dtype, shape, kind="rand", seed=0):
        return fam.input_file(dtype, shape, kind, seed)

    # ---------------- max_pool
    def max_case(prefix, dtype, shape, kind, k, s, p, d, ceil):
        x, inrel = inp(dtype, shape, kind)
        rank = len(shape)
        f = pool_fn("max_pool", rank)

        def run():
            return f(x, k, stride=s, padding=0 if p is None else p, dilation=1 if d is None else d,
                     ceil_mode=bool(ceil), return_indices=True)
        fam.add(prefix, "max_pool", dtype, rank, x, inrel,
                [("kernel", k), ("stride", s), ("padding", p), ("dilation", d), ("ceil_mode", bool(ceil))],
                run)

    def per_rank(v, rank):
        """v may be a scalar or a per-axis 3-tuple; cut to rank (1-D: a plain int,
        since torch's lp_pool1d cannot take a 1-tuple kernel)."""
        if isinstance(v, tuple):
            v = v[:SPATIAL[rank]]
            return v[0] if len(v) == 1 else v
        return v

    MAXP = [
        # k, s, p, d, ceil
        (2, None, None, None, 0),
        (3, 2, 1, None, 0),
        (3, 2, 1, None, 1),
        (2, 2, 1, None, 1),       # ceil: last window would start in right padding -> dropped
        (3, 3, 1, None, 1),
        (2, 2, None, None, 1),    # ceil on odd size: partial last window
        (3, 1, 1, 2, 0),          # dilation
        (2, 3, None, None, 0),    # stride > kernel
        (2, 3, None, None, 1),
        (3, 1, None, None, 0),    # overlapping
        ((2, 3, 1), (1, 2, 1), (1, 0, 0), (1, 2, 1), 0),
        ((3, 2, 2), (2, 1, 2), (1, 1, 0), (2, 1, 1), 1),
        (1, 1, None, None, 0),
        (4, 2, 2, None, 1),
        (5, 1, 2, None, 0),       # kernel about as large as the input
        (2, 1, 1, 3, 1),
    ]
    for rank in [3, 4, 5]:
        for si, shp in enumerate(shapes[rank]):
            for k, s, p, d, ceil in MAXP if si == 0 else MAXP[:6]:
                max_case(f"maxpool_r{rank}_f32", "f32", shp, "rand", per_rank(k, rank), per_rank(s, rank),
                         per_rank(p, rank), per_rank(d, rank), ceil)
        shp = shapes[rank][0]
        for k, s, p, d, ceil in MAXP[:8]:
            max_case(f"maxpool_r{rank}_f32special", "f32", shp, "special", k, s, p, d, ceil)
            max_case(f"maxpool_r{rank}_f32ties", "f32", shp, "ties", k, s, p, d, ceil)
        for dt in ["f64", "f16", "bf16", "u8"]:
            for k, s, p, d, ceil in MAXP[:8]:
                max_case(f"maxpool_r{rank}_{dt}", dt, shp, "rand", k, s, p, d, ceil)
        max_case(f"maxpool_r{rank}_f32empty", "f32", (0,) + shp[1:], "rand", 2, None, None, None, 0)
    # all -inf input: index of the first window element
    x = torch.full((1, 2, 4, 4), -INF)
    rel = fam.put_array("in_f32_1x2x4x4_neginf", to_numpy(x))
    for k, s, p in [(2, None, None), (3, 1, 1)]:
        fam.add("maxpool_r4_f32neginf", "max_pool", "f32", 4, x, rel,
                [("kernel", k), ("stride", s), ("padding", p), ("dilation", None), ("ceil_mode", False)],
                lambda k=k, s=s, p=p: F.max_pool2d(x, k, s, 0 if p is None else p, return_indices=True))

    # max_pool errors
    ME = [
        (2, 0, None, None, 0),         # zero stride
        (0, None, None, None, 0),      # zero kernel
        (3, 1, 2, None, 0),            # padding > half kernel
        (3, 1, 2, 2, 0),               # padding > half raw kernel (ok for the effective kernel)
        (2, 2, -1, None, 0),           # negative padding
        (2, 1, None, 0, 0),            # zero dilation
        (10, None, None, None, 0),     # output too small
        (5, 1, None, 3, 0),            # dilated kernel larger than input
        (-2, None, None, None, 0),
        ((2, 2, 2, 2), None, None, None, 0),  # wrong tuple length
    ]
    for rank in [3, 4, 5]:
        shp = shapes[rank][0]
        for k, s, p, d, ceil in ME:
            max_case(f"maxpool_err_r{rank}", "f32", shp, "rand", k, s, p, d, ceil)

    # ---------------- avg_pool
    def avg_case(prefix, dtype, shape, kind, k, s, p, ceil, cip, div):
        x, inrel = inp(dtype, shape, kind)
        rank = len(shape)
        f = pool_fn("avg_pool", rank)

        def run():
            kw = dict(stride=s, padding=0 if p is None else p, ceil_mode=bool(ceil),
                      count_include_pad=bool(cip))
            if div is not None:
                kw["divisor_override"] = div
            return f(x, k, **kw)
        fam.add(prefix, "avg_pool", dtype, rank, x, inrel,
                [("kernel", k), ("stride", s), ("padding", p), ("ceil_mode", bool(ceil)),
                 ("count_include_pad", bool(cip)), ("divisor_override", div)], run)

    AVG = [
        (2, None, None), (3, 2, 1), (2, 2, 1), (3, 3, 1), (3, 1, 1), (2, 3, None),
        ((2, 3, 1), (1, 2, 1), (1, 0, 0)), (4, 2, 2), (3, 2, None),
    ]
    for rank in [3, 4, 5]:
        for si, shp in enumerate(shapes[rank]):
            for k, s, p in AVG if si == 0 else AVG[:4]:
                for ceil in [0, 1]:
                    for cip in [1, 0]:
                        avg_case(f"avgpool_r{rank}_f32", "f32", shp, "rand", per_rank(k, rank),
                                 per_rank(s, rank), per_rank(p, rank), ceil, cip, None)
        shp = shapes[rank][0]
        if rank > 3:
            for k, s, p in AVG[:4]:
                for div in [1, 3, 7, -2]:
                    avg_case(f"avgpool_r{rank}_f32div", "f32", shp, "rand", k, s, p, 1, 1, div)
        for k, s, p in AVG[:4]:
            avg_case(f"avgpool_r{rank}_f32special", "f32", shp, "special", k, s, p, 1, 1, None)
        for dt in ["f64", "f16", "bf16", "u8"]:
            for k, s, p in AVG[:5]:
                for ceil, cip in [(0, 1), (1, 0), (1, 1)]:
                    avg_case(f"avgpool_r{rank}_{dt}", dt, shp, "rand", k, s, p, ceil, cip, None)
    AE = [
        (2, 0, None, 0, 1, None),
        (3, 1, 2, 0, 1, None),
        (2, 2, -1, 0, 1, None),
        (10, None, None, 0, 1, None),
        (10, None, 5, 0, 1, None),     # 3-D: input smaller than kernel even with padding
        (2, None, None, 0, 1, 0),      # divisor_override 0
        ((2, 2, 2, 2), None, None, 0, 1, None),
    ]
    for rank in [3, 4, 5]:
        shp = shapes[rank][0]
        for k, s, p, ceil, cip, div in AE:
            if rank == 3 and div is not None:
                continue
            avg_case(f"avgpool_err_r{rank}", "f32", shp, "rand", k, s, p, ceil, cip, div)

    # ---------------- lp_pool
    def lp_case(prefix, dtype, shape, kind, pnorm, k, s, ceil):
        x, inrel = inp(dtype, shape, kind)
        rank = len(shape)
        f = pool_fn("lp_pool", rank)
        fam.add(prefix, "lp_pool", dtype, rank, x, inrel,
                [("norm_type", pnorm), ("kernel", k), ("stride", s), ("ceil_mode", bool(ceil))],
                lambda: f(x, pnorm, k, stride=s, ceil_mode=bool(ceil)),
                skip_note=f"lp_pool rank={rank} dtype={dtype}")

    LP = [(2, None, 0), (3, 2, 0), (3, 2, 1), (2, 3, 1), ((2, 3, 1), (1, 2, 1), 0)]
    for rank in [3, 4, 5]:
        shp = shapes[rank][0]
        for pn in [1.0, 2.0, 3.0, INF, -INF]:
            for k, s, ceil in LP:
                lp_case(f"lppool_r{rank}_f32", "f32", shp, "rand", pn, per_rank(k, rank), per_rank(s, rank), ceil)
        for pn in [1.5, 0.5, -1.0, 2.0]:
            for k, s, ceil in LP[:3]:
                lp_case(f"lppool_r{rank}_f32pos", "f32", shp, "pos", pn, k, s, ceil)
        for k, s, ceil in LP[:3]:
            lp_case(f"lppool_r{rank}_f32neg15", "f32", shp, "rand", 1.5, k, s, ceil)  # NaN for negatives
            lp_case(f"lppool_r{rank}_f32special", "f32", shp, "special", 2.0, k, s, ceil)
        for dt in ["f64", "f16", "bf16", "u8"]:
            for pn in [1.0, 2.0, 3.0, INF]:
                for k, s, ceil in LP[:3]:
                    lp_case(f"lppool_r{rank}_{dt}", dt, shp, "rand" if dt != "u8" else "ramp", pn, k, s, ceil)
        for pn, k, s, ceil in [(0.0, 2, None, 0), (2.0, 2, 0, 0), (2.0, 10, None, 0), (2.0, 0, None, 0)]:
            lp_case(f"lppool_err_r{rank}", "f32", shp, "rand", pn, k, s, ceil)

    # ---------------- adaptive avg / max
    def ad_case(op, prefix, dtype, shape, kind, osz):
        x, inrel = inp(dtype, shape, kind)
        rank = len(shape)
        f = pool_fn(op, rank)
        if op == "adaptive_max_pool":
            run = lambda: f(x, osz, return_indices=True)  # noqa: E731
        else:
            run = lambda: f(x, osz)  # noqa: E731
        fam.add(prefix, op, dtype, rank, x, inrel, [("output_size", osz)], run)

    AD = {
        3: [(3,), 4, 1, 9, 13, 5, 2, 7, 0],
        4: [(3, 4), 4, 1, (9, 9), (10, 13), (5, 2), (None, 4), (3, None), (1, 11), 0],
        5: [(2, 3, 4), 3, 1, (None, 2, None), (7, 1, 3), (6, 7, 9)],
    }
    for op, short in [("adaptive_avg_pool", "aavg"), ("adaptive_max_pool", "amax")]:
        for rank in [3, 4, 5]:
            for si, shp in enumerate(shapes[rank]):
                for osz in AD[rank] if si == 0 else AD[rank][:5]:
                    ad_case(op, f"{short}_r{rank}_f32", "f32", shp, "rand", osz)
            shp = shapes[rank][0]
            for osz in AD[rank][:5]:
                ad_case(op, f"{short}_r{rank}_f32special", "f32", shp, "special", osz)
                if op == "adaptive_max_pool":
                    ad_case(op, f"{short}_r{rank}_f32ties", "f32", shp, "ties", osz)
            for dt in ["f64", "f16", "bf16", "u8"]:
                for osz in AD[rank][:6]:
                    ad_case(op, f"{short}_r{rank}_{dt}", dt, shp, "rand", osz)
            errs = [-1, (2,) * (SPATIAL[rank] + 1)]
            for osz in errs:
                ad_case(op, f"{short}_err_r{rank}", "f32", shp, "rand", osz)

    # ---------------- fractional max pool
    def frac_case(prefix, dtype, shape, kind, k, osz, ratio, samples_kind="rand", seed=0):
        x, inrel = inp(dtype, shape, kind)
        rank = len(shape)
        f = pool_fn("fractional_max_pool", rank)
        sd = SPATIAL[rank]
        if isinstance(ratio, float):
            ratio = (ratio,) * sd  # torch's Python wrapper rejects a scalar ratio (TypeError)
        n, c = shape[0], shape[1]
        rng = np.random.default_rng(zlib.crc32(f"samples:{dtype}:{shape}:{k}:{osz}:{ratio}:{samples_kind}:{seed}".encode()))
        if samples_kind == "rand":
            s = rng.uniform(0.0, 1.0, size=(n, c, sd))
        elif samples_kind == "edge":
            s = np.resize(np.array([0.0, 0.999, 0.5, 0.25, 0.75, 0.0]), (n, c, sd)).astype(np.float64)
        st = torch.from_numpy(s).to(x.dtype)
        st = torch.where(st >= 1.0, torch.full_like(st, 0.5), st)
        sfile_dt = torch.float64 if dtype == "f64" else torch.float32
        params = [("kernel", k), ("output_size", osz), ("output_ratio", ratio)]
        fam.add(prefix, "fractional_max_pool", dtype, rank, x, inrel, params,
                lambda: f(x, k, output_size=osz, output_ratio=ratio, return_indices=True, _random_samples=st),
                extra=lambda cid: [("samples", fam.put_array(f"{cid}_samples", to_numpy(st.to(sfile_dt))))],
                skip_note=f"fractional_max_pool rank={rank} dtype={dtype}")

    FR = {
        4: [(2, 3, None), (3, (4, 5), None), (2, None, 0.5), (2, None, (0.7, 0.4)), ((2, 3), (5, 3), None),
            (2, (6, 8), None), (3, (1, 1), None), (2, None, 0.3), (1, (5, 6), None)],
        5: [(2, 3, None), (2, (3, 4, 5), None), (2, None, 0.5), ((1, 2, 3), (4, 3, 2), None),
            (3, 2, None), (2, None, (0.6, 0.5, 0.75))],
    }
    fshapes = {4: [(1, 2, 7, 9), (2, 3, 10, 8)], 5: [(1, 2, 5, 6, 7)]}
    for rank in [4, 5]:
        for si, shp in enumerate(fshapes[rank]):
            for k, osz, ratio in FR[rank] if si == 0 else FR[rank][:4]:
                frac_case(f"fracmax_r{rank}_f32", "f32", shp, "rand", k, osz, ratio)
                frac_case(f"fracmax_r{rank}_f32", "f32", shp, "rand", k, osz, ratio, seed=1)
        shp = fshapes[rank][0]
        for k, osz, ratio in FR[rank][:4]:
            frac_case(f"fracmax_r{rank}_f32edge", "f32", shp, "rand", k, osz, ratio, samples_kind="edge")
            frac_case(f"fracmax_r{rank}_f32special", "f32", shp, "special", k, osz, ratio)
            frac_case(f"fracmax_r{rank}_f32ties", "f32", shp, "ties", k, osz, ratio)
        for dt in ["f64", "f16", "bf16"]:
            for k, osz, ratio in FR[rank][:4]:
                frac_case(f"fracmax_r{rank}_{dt}", dt, shp, "rand", k, osz, ratio)
        fam.skipped.setdefault(f"fractional_max_pool rank={rank} dtype=u8", set()).add(
            "_random_samples_must_have_the_input's_dtype;_uniform_not_implemented_for_Byte")
        # both given: output_size wins; ratio 0: empty output (no error in torch 2.15)
        for k, osz, ratio in [(2, 3, 0.5), (2, None, 0.0)]:
            frac_case(f"fracmax_r{rank}_f32args", "f32", shp, "rand", k, osz, ratio)
        FE = [(2, None, None), (2, None, 1.0), (4, 5, None),
              (2, (3,) * (SPATIAL[rank] + 1), None), (0, 3, None)]
        for k, osz, ratio in FE:
            frac_case(f"fracmax_err_r{rank}", "f32", shp, "rand", k, osz, ratio)

    # ---------------- spikes: zeros with one +inf / NaN per plane (C = plane size, so
    # every position), and all +inf, against padding, partial (ceil) windows and
    # count_include_pad, where a zero-weight / left-out element could meet the inf
    fam.notes.append("spike cases (*spike*, *spikenan*, *allinf*): zeros with one +inf (NaN) per (n, c) "
                     "plane at position (plane index + seed) mod plane size, or all +inf.")
    for rank, shp in [(3, (1, 9, 9)), (4, (1, 12, 3, 4))]:
        for kind in ["spike", "spikenan", "allinf"]:
            xs = shp if kind != "allinf" else (1, 1) + shp[2:]
            sfx = f"f32{kind}"
            for k, s, p, ceil, cip in [(3, 2, 1, 1, 1), (3, 2, 1, 1, 0), (2, 2, 1, 0, 1), (2, 3, None, 1, 0)]:
                if kind != "spike" and cip == 0:
                    continue
                avg_case(f"avgpool_r{rank}_{sfx}", "f32", xs, kind, k, s, p, ceil, cip, None)
            for osz in ([4, 13] if rank == 3 else [(2, 3), (5, 7)]):
                ad_case("adaptive_avg_pool", f"aavg_r{rank}_{sfx}", "f32", xs, kind, osz)
            for pn in ([1.0, 2.0, 3.0] if kind == "spike" else [2.0]):
                lp_case(f"lppool_r{rank}_{sfx}", "f32", xs, kind, pn, 3 if rank == 3 else 2, 2, 1)
        avg_case(f"avgpool_r{rank}_f64spike", "f64", shp, "spike", 3, 2, 1, 1, 1, None)
        ad_case("adaptive_avg_pool", f"aavg_r{rank}_f64spike", "f64", shp, "spike",
                13 if rank == 3 else (5, 7))
        lp_case(f"lppool_r{rank}_f64spike", "f64", shp, "spike", 2.0, 3 if rank == 3 else 2, 2, 1)


# ==========================================================================
# max_unpool

def gen_unpool(fam):
    fam.notes.append("max_unpool: in= are the values, indices_in= the int64 flat per-plane indices "
                     "(mostly produced by max_pool with the same kernel/stride/padding); "
                     "output_size lists the spatial sizes only.")
    fam.notes.append("overlapping windows (stride < kernel) can repeat an index; the repeated "
                     "entries then carry the same value, so the result is still deterministic.")

    def fit(xshape, pool):
        """Grow each spatial size until max_pool -> max_unpool (default size) round-trips."""
        k, s, p = pool
        d = SPATIAL[len(xshape)]
        seq = lambda v, dflt: (tuple(v) if isinstance(v, tuple) else (dflt if v is None else v,) * d)  # noqa: E731
        ks, ss, ps = seq(k, None), seq(s, None), seq(p, 0)
        ss = tuple(k_ if s_ is None else s_ for k_, s_ in zip(ks, ss))
        out = list(xshape[:2])
        for n, k_, s_, p_ in zip(xshape[2:], ks, ss, ps):
            while ((n + 2 * p_ - k_) // s_) * s_ - 2 * p_ + k_ != n:
                n += 1
            out.append(n)
        return tuple(out)

    def case(prefix, dtype, xshape, pool, unpool, osz, kind="rand", tamper=None, roundtrip=True):
        if roundtrip and osz is None:
            xshape = fit(xshape, pool)
        d = SPATIAL[len(xshape)]
        src = make_input(dtype, xshape, kind, 0)
        pk, ps, pp = pool
        mp = getattr(F, f"max_pool{d}d")
        vals, idx = mp(src, pk, ps, pp, return_indices=True)
        if tamper is not None:
            idx = tamper(idx.clone())
        rank = len(xshape)
        k, s, p = unpool
        f = getattr(F, f"max_unpool{d}d")
        fam.add(prefix, "max_unpool", dtype, rank, vals,
                lambda cid: fam.put_array(f"{cid}_in", to_numpy(vals)),
                [("kernel", k), ("stride", s), ("padding", p), ("output_size", osz)],
                lambda: f(vals, idx, k, s, 0 if p is None else p, output_size=osz),
                extra=lambda cid: [("indices_in", fam.put_array(f"{cid}_idxin", to_numpy(idx)))],
                skip_note=f"max_unpool rank={rank} dtype={dtype}")

    shp = {3: [(1, 2, 8), (2, 3, 9)], 4: [(1, 2, 6, 8), (2, 3, 5, 7)], 5: [(1, 2, 4, 5, 6), (1, 2, 5, 5, 5)]}
    for rank in [3, 4, 5]:
        d = SPATIAL[rank]
        for si, xs in enumerate(shp[rank]):
            P = [
                ((2, None, 0), (2, None, None), None),
                ((2, 2, 0), (2, 2, 0), tuple(s for s in xs[2:])),          # recovers odd sizes
                ((3, 2, 1), (3, 2, 1), None),
                ((3, 2, 1), (3, 2, 1), tuple(s for s in xs[2:])),
                ((3, 3, 0), (3, 3, 0), None),
                ((2, 1, 0), (2, 1, 0), None),                              # overlapping windows
            ]
            if si == 0:
                ops = ["f32", "f64", "f16", "bf16", "u8"]
            else:
                ops = ["f32"]
            for dt in ops:
                for pool, unpool, osz in P if dt == "f32" else P[:3]:
                    case(f"unpool_r{rank}_{dt}", dt, xs, pool, unpool, osz)
            if si == 0:
                for pool, unpool, osz in P[:3]:
                    case(f"unpool_r{rank}_f32special", "f32", xs, pool, unpool, osz, kind="special")
                # output_size = default + 1 on an even input: valid, but the flat indices
                # now land in a wider plane (not a round trip)
                xe = fit(xs, (2, 2, 0))
                case(f"unpool_r{rank}_f32osz", "f32", xe, (2, 2, 0), (2, 2, 0), tuple(v + 1 for v in xe[2:]))
                # explicit kernel/stride tuples
                k = (2, 3, 2)[:d]
                s = (2, 2, 1)[:d]
                case(f"unpool_r{rank}_f32tuple", "f32", xs, (k, s, 0), (k, s, None), None)
        xs = fit(shp[rank][0], (2, 2, 0))
        default = list(xs[2:])
        E = [
            ((2, 2, 0), (2, 2, 0), tuple(v + 2 for v in default), None),   # output_size too large
            ((2, 2, 0), (2, 2, 0), tuple(v - 2 for v in default), None),   # too small
            ((2, 2, 0), (2, 2, 0), (5,) * (d + 1), None),                  # wrong length
            ((2, 2, 0), (2, 2, 0), None, lambda i: i.fill_(10 ** 6)),      # invalid index
            ((2, 2, 0), (2, 2, 0), None, lambda i: i.fill_(-1)),           # negative index
            ((2, 2, 0), (3, 3, 0), None, None),                            # other kernel: valid, not a round trip
            ((2, 2, 0), (2, 2, 0), None, lambda i: i[..., :-1].contiguous()),  # indices shape != input shape
        ]
        for pool, unpool, osz, tamper in E:
            case(f"unpool_err_r{rank}", "f32", xs, pool, unpool, osz, tamper=tamper, roundtrip=False)


# ==========================================================================
# pixel shuffle / unshuffle

def gen_shuffle(fam):
    fam.notes.append("pixel_shuffle / pixel_unshuffle: rank 4 (N, C, H, W) only, as in the C API.")

    def case(prefix, op, dtype, shape, r, kind="ramp"):
        x, inrel = fam.input_file(dtype, shape, kind, 0)
        f = F.pixel_shuffle if op == "pixel_shuffle" else F.pixel_unshuffle
        fam.add(prefix, op, dtype, 4, x, inrel, [("factor", r)], lambda: f(x, r))

    PS = [((1, 8, 3, 5), 2), ((2, 9, 2, 3), 3), ((1, 3, 4, 4), 1), ((1, 12, 1, 1), 2), ((1, 16, 2, 3), 4),
          ((2, 18, 3, 2), 3)]
    PU = [((1, 2, 6, 10), 2), ((2, 1, 6, 9), 3), ((1, 3, 4, 4), 1), ((1, 2, 2, 2), 2), ((1, 1, 8, 4), 4),
          ((2, 3, 6, 6), 3)]
    for dt in ALL_DTYPES:
        for shp, r in PS:
            case(f"pixshuf_{dt}", "pixel_shuffle", dt, shp, r, "ramp" if dt == "u8" else "rand")
        for shp, r in PU:
            case(f"pixunshuf_{dt}", "pixel_unshuffle", dt, shp, r, "ramp" if dt == "u8" else "rand")
    case("pixshuf_f32special", "pixel_shuffle", "f32", (1, 8, 3, 5), 2, "special")
    case("pixunshuf_f32special", "pixel_unshuffle", "f32", (1, 2, 6, 10), 2, "special")
    case("pixshuf_f32empty", "pixel_shuffle", "f32", (0, 8, 3, 5), 2)
    for shp, r in [((1, 6, 3, 3), 2), ((1, 8, 3, 3), 0), ((1, 8, 3, 3), -2), ((1, 5, 2, 2), 3)]:
        case("pixshuf_err", "pixel_shuffle", "f32", shp, r)
    for shp, r in [((1, 2, 5, 6), 2), ((1, 2, 6, 5), 2), ((1, 2, 6, 6), 0), ((1, 2, 6, 6), -1), ((1, 2, 4, 4), 8)]:
        case("pixunshuf_err", "pixel_unshuffle", "f32", shp, r)



# ==========================================================================
# backward: input gradients from torch.autograd.grad

def autograd_run(fwd, x, go):
    """grad of fwd(x) w.r.t. x for the grad_output go (torch's autograd, CPU)."""
    def run():
        xr = x.detach().clone().requires_grad_(True)
        y = fwd(xr)
        if tuple(y.shape) != tuple(go.shape):
            raise AssertionError(f"grad_out shape {tuple(go.shape)} != output {tuple(y.shape)}")
        return torch.autograd.grad(y, xr, go)[0]
    return run


def gen_backward(fam):
    fam.notes.append("backward: input gradients, torch.autograd.grad(forward(in), in, grad_out) on the CPU. "
                     "in= is the forward input (only its shape matters to these ops), grad_out= the "
                     "gradient of the forward output (random, of its shape and dtype), out= grad_input; "
                     "the op's keys are the forward's (unpool: indices_in= as in unpool.txt). A few cases "
                     "add in_cl=, indices_in_cl=, grad_out_cl=, out_cl=: the same arrays in the "
                     "(N, spatial..., C) order of the CLI's --channels-last files.")
    fam.notes.append("pixel (un)shuffle and max_unpool gradients are copies of grad_out elements: compare bit-exactly. "
                     "max_pool / adaptive_max_pool gradients add grad_out elements in increasing output order "
                     "(torch's CPU loop): f32/f64 bit-exact with an accumulation in the dtype, f16/bf16 within "
                     "1 ulp (torch adds in the 16-bit type). avg_pool / adaptive_avg_pool gradients add grad_out[o] / divisor(o) "
                     "in increasing output order (avg: one division by the window's divisor; adaptive: / kd / kh / kw "
                     "in turn): f32/f64 bit-exact, f16/bf16 within a few ulp (torch rounds each term and sum to 16 bits).")

    def cl_file(t):
        """(N, C, spatial...) -> the (N, spatial..., C) order of a --channels-last file."""
        return to_numpy(t.movedim(1, -1))

    def add_cl(cid, arrays):
        """For the CLI's --channels-last test (tests/test_backward_cli.sh): channels-last
        copies of a case's arrays, as key_cl= tokens after out=."""
        toks = [f"{k}_cl=" + fam.put_array(f"{cid}_{k}_cl", cl_file(t)) for k, t in arrays]
        fam.lines[-1] += " " + " ".join(toks)

    def go_for(cid, dtype, shape, kind):
        g = make_input(dtype, shape, kind, 1)
        return g, fam.put_array(f"{cid}_go", to_numpy(g))

    # pixel shuffle / unshuffle
    def sh_case(prefix, op, dtype, shape, r, gkind="rand", cl=False):
        x, inrel = fam.input_file(dtype, shape, gkind, 0)  # (another input file: no dedup with the rand case)
        f = F.pixel_shuffle if op == "pixel_shuffle" else F.pixel_unshuffle
        oshape = tuple(f(x, r).shape)
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, oshape, gkind)
        res = fam.add(prefix, op, dtype, 4, x, inrel, [("factor", r)], autograd_run(lambda t: f(t, r), x, go),
                      extra=lambda cid: [("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", x), ("grad_out", go), ("out", res)])

    PS = [((1, 8, 3, 5), 2), ((2, 9, 2, 3), 3), ((1, 3, 4, 4), 1), ((1, 16, 2, 3), 4)]
    PU = [((1, 2, 6, 10), 2), ((2, 1, 6, 9), 3), ((1, 3, 4, 4), 1), ((1, 1, 8, 4), 4)]
    for dt in FLOAT_DTYPES:
        for i, (shp, r) in enumerate(PS if dt == "f32" else PS[:2]):
            sh_case(f"bw_pixshuf_{dt}", "pixel_shuffle", dt, shp, r, cl=i == 0 and dt == "f32")
        for i, (shp, r) in enumerate(PU if dt == "f32" else PU[:2]):
            sh_case(f"bw_pixunshuf_{dt}", "pixel_unshuffle", dt, shp, r, cl=i == 0 and dt == "f32")
    sh_case("bw_pixshuf_f32special", "pixel_shuffle", "f32", (1, 8, 3, 5), 2, "special")
    sh_case("bw_pixunshuf_f32special", "pixel_unshuffle", "f32", (1, 2, 6, 10), 2, "special")
    # no empty case: torch 2.15's pixel_unshuffle returns an empty input
    # unpermuted, so autograd rejects the shuffle's gradient of (0, 8, 3, 5)

    # max_unpool: indices from max_pool (kernel, stride, padding) of a random
    # source, the unpool with `unpool` params; tamper changes the indices
    def fit(xshape, pool):
        """Grow each spatial size until max_pool -> max_unpool (default size) round-trips."""
        k, s, p = pool
        d = SPATIAL[len(xshape)]
        seq = lambda v, dflt: (tuple(v) if isinstance(v, tuple) else (dflt if v is None else v,) * d)  # noqa: E731
        ks, ss, ps = seq(k, None), seq(s, None), seq(p, 0)
        ss = tuple(k_ if s_ is None else s_ for k_, s_ in zip(ks, ss))
        out = list(xshape[:2])
        for n, k_, s_, p_ in zip(xshape[2:], ks, ss, ps):
            while ((n + 2 * p_ - k_) // s_) * s_ - 2 * p_ + k_ != n:
                n += 1
            out.append(n)
        return tuple(out)

    def up_case(prefix, dtype, xshape, pool, unpool, osz, gkind="rand", tamper=None, cl=False):
        if osz is None:
            xshape = fit(xshape, pool)
        d = SPATIAL[len(xshape)]
        rank = len(xshape)
        src = make_input(dtype, xshape, "rand", 0)
        pk, ps, pp = pool
        vals, idx = getattr(F, f"max_pool{d}d")(src, pk, ps, pp, return_indices=True)
        if tamper is not None:
            idx = tamper(idx.clone())
        k, s, p = unpool
        f = getattr(F, f"max_unpool{d}d")
        fwd = lambda t: f(t, idx, k, s, 0 if p is None else p, output_size=osz)  # noqa: E731
        # the output's shape does not depend on the indices' values (so
        # the error cases get a grad_out of the right shape too)
        oshape = tuple(f(vals, torch.zeros_like(idx), k, s, 0 if p is None else p, output_size=osz).shape)
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, oshape, gkind)
        res = fam.add(prefix, "max_unpool", dtype, rank, vals,
                      lambda cid: fam.put_array(f"{cid}_in", to_numpy(vals)),
                      [("kernel", k), ("stride", s), ("padding", p), ("output_size", osz)],
                      autograd_run(fwd, vals, go),
                      extra=lambda cid: [("indices_in", fam.put_array(f"{cid}_idxin", to_numpy(idx))),
                                         ("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", vals), ("indices_in", idx), ("grad_out", go), ("out", res)])

    shp = {3: (1, 2, 8), 4: (1, 2, 6, 8), 5: (1, 2, 4, 4, 6)}
    for rank in [3, 4, 5]:
        d = SPATIAL[rank]
        xs = shp[rank]
        P = [
            ((2, None, 0), (2, None, None), None),
            ((3, 2, 1), (3, 2, 1), None),
            ((2, 1, 0), (2, 1, 0), None),                          # overlapping: repeated indices
            ((2, 2, 0), (2, 2, 0), tuple(v + 1 for v in xs[2:])),  # output_size = default + 1 (even sizes)
        ]
        for dt in FLOAT_DTYPES:
            for i, (pool, unpool, osz) in enumerate(P if dt == "f32" else P[:3]):
                up_case(f"bw_unpool_r{rank}_{dt}", dt, xs, pool, unpool, osz,
                        cl=i == 1 and dt in ("f32", "f16"))
        up_case(f"bw_unpool_r{rank}_f32special", "f32", xs, (2, 2, 0), (2, 2, 0), None, gkind="special")
        k, s = (2, 3, 2)[:d], (2, 2, 1)[:d]
        up_case(f"bw_unpool_r{rank}_f32tuple", "f32", xs, (k, s, 0), (k, s, None), None)
        # the forward's errors: an index past the plane, a negative one
        up_case(f"bw_unpool_err_r{rank}", "f32", xs, (2, 2, 0), (2, 2, 0), None, tamper=lambda i: i.fill_(10 ** 6))
        up_case(f"bw_unpool_err_r{rank}", "f32", xs, (2, 2, 0), (2, 2, 0), None, tamper=lambda i: i.fill_(-1))

    # max pooling and adaptive max pooling: indices_in= the forward's indices
    # (what the C test passes, or recomputes itself from in=)
    def mp_case(prefix, op, dtype, shape, kind, params, fwd, cl=False):
        x = make_input(dtype, shape, kind, 0)
        y, idx = fwd(x)
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, tuple(y.shape), "rand")
        rank = len(shape)
        res = fam.add(prefix, op, dtype, rank, x, lambda cid: fam.put_array(f"{cid}_in", to_numpy(x)), params,
                      autograd_run(lambda t: fwd(t)[0], x, go),
                      extra=lambda cid: [("indices_in", fam.put_array(f"{cid}_idxin", to_numpy(idx))),
                                         ("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", x), ("indices_in", idx), ("grad_out", go), ("out", res)])

    mshape = {3: (2, 3, 11), 4: (1, 2, 7, 9), 5: (1, 2, 5, 6, 4)}
    MP = [(2, None, 0, 1, False), (3, 2, 1, 1, False), (3, 1, 1, 1, False), (2, 2, 0, 1, True), (3, 2, 1, 2, False),
          (2, 3, 1, 1, True)]
    for rank in [3, 4, 5]:
        d = SPATIAL[rank]
        f = getattr(F, f"max_pool{d}d")
        for dt in FLOAT_DTYPES:
            for i, (k, st, pd, dl, ceil) in enumerate(MP if dt == "f32" else MP[:3]):
                fwd = lambda t, k=k, st=st, pd=pd, dl=dl, ceil=ceil: f(t, k, st, pd, dl, ceil_mode=ceil,  # noqa: E731
                                                                        return_indices=True)
                mp_case(f"bw_maxpool_r{rank}_{dt}", "max_pool", dt, mshape[rank], "rand",
                        [("kernel", k), ("stride", st), ("padding", pd), ("dilation", dl), ("ceil_mode", ceil)], fwd,
                        cl=i == 1 and dt in ("f32", "f64"))
        for kind in ("special", "ties"):
            fwd = lambda t: f(t, 3, 1, 1, 1, return_indices=True)  # noqa: E731
            mp_case(f"bw_maxpool_r{rank}_f32{kind}", "max_pool", "f32", mshape[rank], kind,
                    [("kernel", 3), ("stride", 1), ("padding", 1), ("dilation", 1), ("ceil_mode", False)], fwd)
        fa = getattr(F, f"adaptive_max_pool{d}d")
        for dt in FLOAT_DTYPES:
            for osz in ([(3,), (4,)], [(3, 5), (4, 4)], [(2, 3, 2), (3, 4, 3)])[d - 1][:2 if dt == "f32" else 1]:
                o = osz[0] if len(osz) == 1 else osz
                mp_case(f"bw_amaxpool_r{rank}_{dt}", "adaptive_max_pool", dt, mshape[rank], "rand",
                        [("output_size", o)], lambda t, o=o: fa(t, o, return_indices=True))
        mp_case(f"bw_amaxpool_r{rank}_f32ties", "adaptive_max_pool", "f32", mshape[rank], "ties",
                [("output_size", 2)], lambda t: fa(t, 2, return_indices=True))

    # fractional max pooling: samples= the forward's _random_samples (the C
    # test passes them, with the indices or recomputing them)
    def fm_case(prefix, dtype, shape, kind, k, osz, ratio, cl=False):
        x = make_input(dtype, shape, kind, 0)
        sd = SPATIAL[len(shape)]
        if isinstance(ratio, float):
            ratio = (ratio,) * sd
        rng = np.random.default_rng(zlib.crc32(f"bwsamples:{dtype}:{shape}:{k}:{osz}:{ratio}:{kind}".encode()))
        smp = torch.from_numpy(rng.uniform(0.0, 1.0, size=(shape[0], shape[1], sd))).to(x.dtype)
        smp = torch.where(smp >= 1.0, torch.full_like(smp, 0.5), smp)
        f = getattr(F, f"fractional_max_pool{sd}d")
        fwd = lambda t: f(t, k, output_size=osz, output_ratio=ratio, return_indices=True,  # noqa: E731
                          _random_samples=smp)
        try:
            y, idx = fwd(x)
        except NotImplementedError:
            fam.skipped.setdefault(f"fractional_max_pool rank={len(shape)} dtype={dtype}", set()).add("not implemented")
            return
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, tuple(y.shape), "rand")
        sfile_dt = torch.float64 if dtype == "f64" else torch.float32
        res = fam.add(prefix, "fractional_max_pool", dtype, len(shape), x,
                      lambda cid: fam.put_array(f"{cid}_in", to_numpy(x)),
                      [("kernel", k), ("output_size", osz), ("output_ratio", ratio)],
                      autograd_run(lambda t: fwd(t)[0], x, go),
                      extra=lambda cid: [("samples", fam.put_array(f"{cid}_samples", to_numpy(smp.to(sfile_dt)))),
                                         ("indices_in", fam.put_array(f"{cid}_idxin", to_numpy(idx))),
                                         ("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", x), ("indices_in", idx), ("grad_out", go), ("out", res)])

    FRB = {4: [(2, 3, None), (3, (4, 5), None), (2, None, 0.5), ((2, 3), (5, 3), None), (3, (5, 7), None)],
           5: [(2, 3, None), (2, (3, 4, 5), None), ((1, 2, 3), (4, 3, 2), None), (3, 2, None)]}
    fbshape = {4: (2, 3, 10, 11), 5: (1, 2, 5, 6, 7)}
    for rank in [4, 5]:
        for dt in FLOAT_DTYPES:
            for i, (k, osz, ratio) in enumerate(FRB[rank] if dt == "f32" else FRB[rank][:2]):
                fm_case(f"bw_fracmax_r{rank}_{dt}", dt, fbshape[rank], "rand", k, osz, ratio,
                        cl=i == 1 and dt == "f32")
        fm_case(f"bw_fracmax_r{rank}_f32ties", "f32", fbshape[rank], "ties", 3, 2 if rank == 5 else (4, 5), None)

    # average and adaptive average pooling: no indices; in= only gives the shape
    def av_case(prefix, op, dtype, shape, params, fwd, cl=False):
        x, inrel = fam.input_file(dtype, shape, "rand", 0)
        try:
            y = fwd(x)
        except NotImplementedError:  # e.g. torch's f16 avg_pool3d on the CPU
            fam.skipped.setdefault(f"{op} rank={len(shape)} dtype={dtype}", set()).add("not implemented")
            return
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, tuple(y.shape), "rand")
        res = fam.add(prefix, op, dtype, len(shape), x, inrel, params, autograd_run(fwd, x, go),
                      extra=lambda cid: [("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", x), ("grad_out", go), ("out", res)])

    # (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    AP = [(2, None, 0, False, True, None), (3, 2, 1, False, True, None), (3, 2, 1, False, False, None),
          (3, 1, 1, True, False, None), (2, 3, 1, True, True, None), (3, 2, 1, True, False, None),
          (3, 2, 1, False, True, 5), (2, 1, 1, True, False, 3)]
    for rank in [3, 4, 5]:
        d = SPATIAL[rank]
        f = getattr(F, f"avg_pool{d}d")
        for dt in FLOAT_DTYPES:
            for i, (k, st, pd, ceil, cip, div) in enumerate(AP if dt == "f32" else AP[:4]):
                if div is not None and d == 1:
                    continue  # torch's avg_pool1d has no divisor_override
                kw = dict(stride=st, padding=pd, ceil_mode=ceil, count_include_pad=cip)
                if div is not None:
                    kw["divisor_override"] = div
                av_case(f"bw_avgpool_r{rank}_{dt}", "avg_pool", dt, mshape[rank],
                        [("kernel", k), ("stride", st), ("padding", pd), ("ceil_mode", ceil),
                         ("count_include_pad", cip), ("divisor_override", div)],
                        lambda t, k=k, kw=kw: f(t, k, **kw), cl=i == 2 and dt in ("f32", "f64"))
        fa = getattr(F, f"adaptive_avg_pool{d}d")
        for dt in FLOAT_DTYPES:
            for osz in ([(3,), (4,), (7,)], [(3, 5), (4, 4), (5, 2)], [(2, 3, 2), (3, 4, 3), (4, 5, 3)])[d - 1][
                    :3 if dt == "f32" else 1]:
                o = osz[0] if len(osz) == 1 else osz
                av_case(f"bw_aavgpool_r{rank}_{dt}", "adaptive_avg_pool", dt, mshape[rank], [("output_size", o)],
                        lambda t, o=o: fa(t, o), cl=dt == "f32" and osz == ([(3,), (3, 5), (2, 3, 2)][d - 1]))

    # LP pooling (appended section: the cases above keep their ids). torch's
    # composition: (sign(s) * relu(|s|) * K) ** (1/p), s = avg_pool(x ** p);
    # its autograd through pow / mul / relu / abs / avg_pool / pow. Inputs
    # "pos" (fractional p), "rand" (signed: NaN where x ** p is), and "zwin"
    # (pos with whole windows of zeros: the window-sum-is-0 gradient).
    fam.notes.append("lp_pool gradients: torch's autograd of its composition (pow, avg_pool, sign * relu(abs), "
                     "mul, pow); the library recomputes each window's sum from in= and composes the same "
                     "steps: f32/f64 within a few ulp of the gradient's scale (pow differs from torch's "
                     "std::pow in the last bit), NaN / inf where torch has them.")

    def lp_bw_case(prefix, dtype, shape, kind, pn, k, st, ceil, cl=False):
        rank = len(shape)
        f = pool_fn("lp_pool", rank)
        if kind == "zwin":
            x = make_input(dtype, shape, "pos", 0).clone()
            x[..., :2] = 0  # the first windows along W hold only zeros
            if x.shape[-1] > 4:
                x[..., 4] = 0
            inrel = fam.put_array(f"in_{dtype}_{'x'.join(map(str, shape))}_zwin0", to_numpy(x))
        else:
            x, inrel = fam.input_file(dtype, shape, kind, 0)
        fwd = lambda t: f(t, pn, k, stride=st, ceil_mode=bool(ceil))  # noqa: E731
        y = fwd(x)
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, tuple(y.shape), "rand")
        res = fam.add(prefix, "lp_pool", dtype, rank, x, inrel,
                      [("norm_type", pn), ("kernel", k), ("stride", st), ("ceil_mode", bool(ceil))],
                      autograd_run(fwd, x, go), extra=lambda cid: [("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", x), ("grad_out", go), ("out", res)])

    LPB = [(2, None, 0), (3, 2, 0), (3, 2, 1), (2, 3, 1)]
    for rank in [3, 4, 5]:
        shp = mshape[rank]
        for dt in ["f32", "f64"]:
            for pn in [2.0, 1.0, 3.0, 1.5, 0.5]:
                for i, (k, st, ceil) in enumerate(LPB if dt == "f32" else LPB[:2]):
                    lp_bw_case(f"bw_lppool_r{rank}_{dt}", dt, shp, "pos", pn, k, st, ceil,
                               cl=dt == "f32" and pn == 2.0 and i == 1)
            for pn in [2.0, 3.0, 1.5]:
                lp_bw_case(f"bw_lppool_r{rank}_{dt}signed", dt, shp, "rand", pn, 2, None, 0)
            for pn in [2.0, 1.0, 0.5]:
                lp_bw_case(f"bw_lppool_r{rank}_{dt}zwin", dt, shp, "zwin", pn, 2, None, 0)

    # global average pooling (appended section): adaptive_avg_pool to an
    # all-ones output is input.mean() in torch, so its gradient is
    # grad_out / N in one division (not / kd / kh / kw: / 7 / 7 != / 49)
    gshape = {3: [(2, 3, 7)], 4: [(2, 3, 7, 7), (1, 16, 13, 13)], 5: [(2, 3, 5, 6, 7)]}
    for rank in [3, 4, 5]:
        d = SPATIAL[rank]
        fa = getattr(F, f"adaptive_avg_pool{d}d")
        for dt in FLOAT_DTYPES:
            for shp in gshape[rank]:
                av_case(f"bw_gavgpool_r{rank}_{dt}", "adaptive_avg_pool", dt, shp, [("output_size", 1)],
                        lambda t: fa(t, 1), cl=dt == "f32" and rank == 4)

    # LP pooling with p = +-inf and in f16 / bf16 (appended section). torch's
    # lp_pool with p = inf is max_pool(|x|), with -inf -max_pool(-|x|): its
    # autograd scatters grad_out to the argmax of |x| (of -|x|), then abs's
    # backward multiplies by sign(x) (0 at +-0 and NaN); with -inf the two
    # negations turn a zero sum into -0. "sties": signed small integers (ties
    # of |x| between x and -x), +-0, NaN and +-inf; go "special": NaN / inf
    # in grad_out too.
    fam.notes.append("lp_pool with norm_type = +-inf: torch's max_pool(|x|) / -max_pool(-|x|), differentiated: "
                     "grad_out added at the argmax of |x| (of -|x|; the max pool's tie and NaN rules) in increasing "
                     "output order, times sign(x) (0 at +-0 and NaN), a zero sum -0 for -inf: f32/f64 bit-exact "
                     "(signed zeros included), f16/bf16 as max_pool's (torch adds in 16 bits). lp_pool in f16/bf16 "
                     "(finite p): torch computes each autograd step in the 16-bit type (its pow rounds the exponent "
                     "to it), the library in float with the 16-bit range (overflow to inf, underflow to 0) at each "
                     "of torch's tensors, rounding once; torch has no 16-bit avg_pool3d on the CPU (no 3-D cases).")

    def lp_special_input(dtype, shape, seed):
        rng = np.random.default_rng(zlib.crc32(f"lpsties:{dtype}:{shape}:{seed}".encode()))
        n = int(np.prod(shape))
        a = rng.integers(-3, 4, size=n).astype(np.float64)
        pos = rng.choice(n, size=max(8, n // 6), replace=False)
        vals = [-0.0, 0.0, np.nan, np.inf, -np.inf, -0.0]
        for j, q in enumerate(pos):
            a[q] = vals[j % len(vals)]
        return torch.from_numpy(a.reshape(shape)).to(DTYPES[dtype])

    def lp_ext_case(prefix, dtype, shape, kind, pn, k, st, ceil, gkind="rand", cl=False):
        rank = len(shape)
        f = pool_fn("lp_pool", rank)
        if kind == "sties":
            x = lp_special_input(dtype, shape, 0)
            inrel = fam.put_array(f"in_{dtype}_{'x'.join(map(str, shape))}_lpsties0", to_numpy(x))
        elif kind == "zwin":
            x = make_input(dtype, shape, "pos", 0).clone()
            x[..., :2] = 0
            if x.shape[-1] > 4:
                x[..., 4] = 0
            inrel = fam.put_array(f"in_{dtype}_{'x'.join(map(str, shape))}_zwin0", to_numpy(x))
        else:
            x, inrel = fam.input_file(dtype, shape, kind, 0)
        fwd = lambda t: f(t, pn, k, stride=st, ceil_mode=bool(ceil))  # noqa: E731
        try:
            y = fwd(x)
        except NotImplementedError as e:  # torch's 16-bit avg_pool3d on the CPU
            fam.skipped.setdefault(f"lp_pool backward rank={rank} dtype={dtype}", set()).add(err_token(e))
            return
        cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
        go, gorel = go_for(cid_next, dtype, tuple(y.shape), gkind)
        res = fam.add(prefix, "lp_pool", dtype, rank, x, inrel,
                      [("norm_type", pn), ("kernel", k), ("stride", st), ("ceil_mode", bool(ceil))],
                      autograd_run(fwd, x, go), extra=lambda cid: [("grad_out", gorel)])
        if cl and res is not None:
            add_cl(cid_next, [("in", x), ("grad_out", go), ("out", res)])

    INF = float("inf")
    for rank in [3, 4, 5]:
        shp = mshape[rank]
        for pn, nm in ((INF, "inf"), (-INF, "ninf")):
            for dt in FLOAT_DTYPES:
                for i, (k, st, ceil) in enumerate(LPB if dt == "f32" else LPB[:2]):
                    lp_ext_case(f"bw_lppool_r{rank}_{dt}{nm}", dt, shp, "rand", pn, k, st, ceil,
                                cl=dt == "f32" and i == 1 and rank == 4)
            for dt in ("f32", "f64", "f16"):
                lp_ext_case(f"bw_lppool_r{rank}_{dt}{nm}sties", dt, shp, "sties", pn, 3, 1, 0)
                lp_ext_case(f"bw_lppool_r{rank}_{dt}{nm}sties", dt, shp, "sties", pn, 2, None, 0)
            lp_ext_case(f"bw_lppool_r{rank}_f32{nm}special", "f32", shp, "sties", pn, 3, 2, 1, gkind="special")
    for rank in [3, 4, 5]:
        shp = mshape[rank]
        for dt in ("f16", "bf16"):
            for pn in [2.0, 1.0, 3.0, 1.5, 0.5]:
                for k, st, ceil in LPB[:2]:
                    lp_ext_case(f"bw_lppool_r{rank}_{dt}", dt, shp, "pos", pn, k, st, ceil)
            for pn in [2.0, 1.0, 0.5]:
                lp_ext_case(f"bw_lppool_r{rank}_{dt}zwin", dt, shp, "zwin", pn, 2, None, 0)
            lp_ext_case(f"bw_lppool_r{rank}_{dt}signed", dt, shp, "rand", 2.0, 3, 2, 1)


# ==========================================================================
# backward_interp: input gradients of F.interpolate (every mode)

def gen_backward_interp(fam):
    fam.notes.append("backward_interp: input gradients of F.interpolate, torch.autograd.grad(F.interpolate(in, "
                     "...), in, grad_out) on the CPU (one thread). in= is the forward input (only its shape "
                     "matters: interpolate is linear), grad_out= random of the output's shape and dtype, out= "
                     "grad_input; the other keys are interpolate.txt's. One case adds in_cl=, grad_out_cl=, "
                     "out_cl= (the (N, spatial..., C) order of the CLI's --channels-last files).")
    fam.notes.append("torch's CPU backward scatters each grad_out element into its taps; clresample gathers "
                     "the same terms in the same output order with the same arithmetic (linear modes and "
                     "antialias: fma((wD*wH)*wW, g, acc); bicubic: acc + (g*wH)*wW; area to 1x1: g / N, "
                     "torch's mean): f32 / f64 bit-exact but lanczos f32 (torch's sinf: within 1e-6 of "
                     "max|grad_in|), f16 / bf16 within a few 16-bit ulp (torch rounds some sums to 16 bits).")

    def cl_file(t):
        return to_numpy(t.movedim(1, -1))

    SHAPES = {3: (1, 2, 7), 4: (1, 2, 5, 6), 5: (1, 2, 3, 4, 5)}
    ONE_AXIS = {3: (2, 1, 1), 4: (2, 3, 1, 5), 5: (1, 2, 1, 3, 4)}

    def case(prefix, mode, dtype, shape, size, scale, ac, rc, aa, cl=False):
        rank = len(shape)
        x, inrel = fam.input_file(dtype, shape, "rand", 0)
        fwd = lambda t: F.interpolate(t, size=size, scale_factor=scale, mode=mode, align_corners=ac,  # noqa: E731
                                      recompute_scale_factor=rc, antialias=aa)
        try:
            y = fwd(x)
            cid_next = f"{prefix}_{fam.counters.get(prefix, 0):03d}"
            go = make_input(dtype, tuple(y.shape), "rand", 1)
            autograd_run(fwd, x, go)()
        except Exception:  # not a gradient torch gives (unsupported mode / dtype / sizes)
            return
        gorel = fam.put_array(f"{cid_next}_go", to_numpy(go))
        res = fam.add(prefix, "interpolate", dtype, rank, x, inrel, interp_params(mode, size, scale, ac, rc, aa),
                      autograd_run(fwd, x, go), extra=lambda cid: [("grad_out", gorel)])
        if res is None:
            del fam.arrays[gorel]
        elif cl:
            toks = [f"{k}_cl=" + fam.put_array(f"{cid_next}_{k}_cl", cl_file(t))
                    for k, t in [("in", x), ("grad_out", go), ("out", res)]]
            fam.lines[-1] += " " + " ".join(toks)

    # (mode, rank, align_corners, antialias)
    COMBOS = [("nearest", r, None, False) for r in (3, 4, 5)] + \
             [("nearest-exact", r, None, False) for r in (3, 4, 5)] + \
             [("area", r, None, False) for r in (3, 4, 5)] + \
             [("linear", 3, ac, False) for ac in (False, True)] + \
             [("bilinear", 4, ac, False) for ac in (False, True)] + \
             [("trilinear", 5, ac, False) for ac in (False, True)] + \
             [("bicubic", 4, ac, False) for ac in (False, True)] + \
             [("bilinear", 4, False, True), ("bicubic", 4, False, True), ("lanczos", 4, None, True)]
    for mode, rank, ac, aa in COMBOS:
        tag = f"{mode.replace('-', '')}{'_ac' if ac else ''}{'_aa' if aa else ''}_r{rank}"
        specs = interp_specs(SHAPES[rank][2:], full=False)
        for dt in FLOAT_DTYPES:
            use = specs if dt in ("f32", "f64") else specs[:2]
            for i, (size, scale, rc) in enumerate(use):
                case(f"bwi_{tag}_{dt}", mode, dt, SHAPES[rank], size, scale, ac, rc, aa,
                     cl=dt == "f32" and i == 0 and mode == "bilinear" and not ac and not aa)
        # a size-1 axis, up and down
        for size, scale in [(None, 2.0), (None, 0.5 if mode != "area" else 0.6)]:
            case(f"bwi_{tag}_f32", mode, "f32", ONE_AXIS[rank], size, scale, ac, None, aa)


# ==========================================================================
# grid_sample / affine_grid

GRID_SPECIALS = [1.0, -1.0, 0.0, 0.5, -0.5, 3.0, -2.75, 100.0, -1000.0, float("nan"), INF, -INF]


def make_grid(dtype, shape, kind, seed=0):
    """Deterministic grid (N, [Do,] Ho, Wo, 2|3).

    kinds: unit     uniform in [-1, 1]
           wide     uniform in [-3, 3] (well outside the input)
           special  uniform in [-1.5, 1.5] with about a quarter of the values
                    replaced by exact +-1, 0, +-0.5, far-out values, NaN, +-inf
    """
    key = f"grid:{dtype}:{'x'.join(map(str, shape))}:{kind}:{seed}"
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    n = int(np.prod(shape))
    if kind == "unit":
        a = rng.uniform(-1.0, 1.0, size=n)
    elif kind == "wide":
        a = rng.uniform(-3.0, 3.0, size=n)
    else:
        a = rng.uniform(-1.5, 1.5, size=n)
        if n > 0:
            pos = rng.choice(n, size=max(len(GRID_SPECIALS), n // 4), replace=False)
            for j, p in enumerate(pos):
                a[p] = GRID_SPECIALS[j % len(GRID_SPECIALS)]
    return torch.from_numpy(a.reshape(shape)).to(DTYPES[dtype])


def gen_grid(fam):
    fam.notes.append("grid_sample: in (N, C, [D,] H, W), grid (N, [Do,] Ho, Wo, 2|3) in the input's dtype; "
                     "affine_grid: in = theta (N, 2, 3) / (N, 3, 4), size = N,C,[D,]H,W, out = the grid.")

    def gs(prefix, dtype, ishape, gshape, gkind, mode, pad, ac, ikind="rand"):
        x, inrel = fam.input_file(dtype, ishape, ikind, 0)
        g = make_grid(dtype, gshape, gkind)
        grel = fam.put_array(f"grid_{dtype}_{'x'.join(map(str, gshape))}_{gkind}", to_numpy(g))
        fam.add(prefix, "grid_sample", dtype, len(ishape), x, inrel,
                [("grid", grel), ("mode", mode), ("padding_mode", pad), ("align_corners", ac)],
                lambda: F.grid_sample(x, g, mode=mode, padding_mode=pad, align_corners=ac))

    MODES = ["bilinear", "nearest", "bicubic"]
    PADS = ["zeros", "border", "reflection"]
    for dt in FLOAT_DTYPES:
        for mode in MODES:
            for pad in PADS:
                for ac in (False, True):
                    gs(f"gs4_{dt}", dt, (2, 3, 5, 7), (2, 4, 6, 2), "special", mode, pad, ac)
                    gs(f"gs5_{dt}", dt, (1, 2, 3, 4, 5), (1, 2, 3, 4, 3), "special", mode, pad, ac)
    # far-out grids, size-1 axes, a 1x1 input, non-finite inputs, an empty output
    for mode in MODES:
        for pad in PADS:
            for ac in (False, True):
                gs("gs4_wide", "f32", (1, 2, 6, 5), (1, 5, 5, 2), "wide", mode, pad, ac)
                gs("gs4_h1", "f32", (1, 2, 1, 5), (1, 3, 4, 2), "special", mode, pad, ac)
                gs("gs4_1x1", "f32", (2, 1, 1, 1), (2, 2, 3, 2), "special", mode, pad, ac)
                gs("gs5_d1", "f32", (1, 2, 1, 3, 4), (1, 2, 2, 3, 3), "wide", mode, pad, ac)
                gs("gs4_f64wide", "f64", (1, 2, 6, 5), (1, 5, 5, 2), "wide", mode, pad, ac)
        gs("gs4_nan_in", "f32", (1, 2, 4, 5), (1, 3, 3, 2), "unit", mode, "zeros", False, ikind="special")
        gs("gs5_unit", "f32", (2, 2, 4, 3, 5), (2, 3, 2, 4, 3), "unit", mode, "zeros", False)
        for pad in PADS:
            gs("gs5_bf16unit", "bf16", (1, 2, 3, 4, 5), (1, 2, 3, 4, 3), "unit", mode, pad, True)
            gs("gs5_bf16unit", "bf16", (1, 2, 3, 4, 5), (1, 2, 3, 4, 3), "unit", mode, pad, False)
    gs("gs4_bigC", "f32", (1, 17, 6, 7), (1, 5, 4, 2), "unit", "bilinear", "zeros", False)
    gs("gs4_empty", "f32", (1, 2, 4, 5), (1, 0, 3, 2), "unit", "bilinear", "zeros", False)
    # errors (torch's checks): rank mismatch, last dim, batch, empty spatial input
    gs("gs_err", "f32", (1, 2, 4, 5), (1, 3, 3, 2, 2), "unit", "bilinear", "zeros", False)
    gs("gs_err", "f32", (1, 2, 4, 5), (1, 3, 3, 3), "unit", "bilinear", "zeros", False)
    gs("gs_err", "f32", (1, 2, 3, 4, 5), (1, 2, 3, 3, 2), "unit", "bilinear", "zeros", False)
    gs("gs_err", "f32", (2, 2, 4, 5), (1, 3, 3, 2), "unit", "bilinear", "zeros", False)
    gs("gs_err", "f32", (1, 2, 0, 5), (1, 3, 3, 2), "unit", "bilinear", "zeros", False)

    def ag(prefix, dtype, size, ac):
        sp = len(size) - 2
        th, threl = fam.input_file(dtype, (size[0], sp, sp + 1), "rand", 0)
        fam.add(prefix, "affine_grid", dtype, len(size), th, threl, [("size", size), ("align_corners", ac)],
                lambda: F.affine_grid(th, list(size), align_corners=ac))

    for dt in FLOAT_DTYPES:
        for size in [(2, 3, 4, 5), (1, 1, 1, 6), (1, 2, 5, 1), (2, 1, 3, 4, 5), (1, 1, 1, 1, 1), (1, 1, 7, 2, 9)]:
            for ac in (False, True):
                ag(f"ag_{dt}", dt, size, ac)


# ==========================================================================
# conv: F.conv1d/2d/3d (with nn.Conv*d's padding_mode) and F.conv_transpose*d

def conv_run(op, x, w, b, stride, padding, dilation, groups, padding_mode, output_padding):
    sp = x.dim() - 2
    if op == "conv_transpose":
        f = [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][sp - 1]
        return f(x, w, b, stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                 dilation=dilation)
    f = [F.conv1d, F.conv2d, F.conv3d][sp - 1]
    if padding_mode == "zeros":
        return f(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    # nn.Conv*d's path: F.pad with the mode (its _reversed_padding_repeated_twice), then padding 0
    k = w.shape[2:]
    pads = []
    for i in reversed(range(sp)):
        if padding == "same":
            tot = dilation[i] * (k[i] - 1)
            pads += [tot // 2, tot - tot // 2]
        elif padding == "valid":
            pads += [0, 0]
        else:
            pads += [padding[i], padding[i]]
    return f(F.pad(x, pads, mode=padding_mode), w, b, stride=stride, padding=0, dilation=dilation, groups=groups)


def gen_conv(fam):
    fam.notes.append("conv: weight (C_out, C_in/groups, k...); conv_transpose: weight (C_in, C_out/groups, k...); "
                     "bias (C_out) or '-'. padding is per-axis ints or same/valid; padding_mode other than zeros "
                     "is nn.Conv*d's (F.pad with that mode, then padding 0). Lists are per spatial axis.")
    fam.notes.append("not listed: an input with 0 channels (torch 2.15 returns an (N, 0, ...) output whatever the "
                     "weight's C_out; clrs refuses it).")
    fam.notes.append("torch.set_num_threads(1); torch's CPU conv sums in its own order (oneDNN / thnn): the C tests "
                     "compare with a tolerance relative to the output's scale (README 'Convolution').")
    rng = np.random.default_rng(1717)

    def case(prefix, op, dt, ishape, wshape, bias, stride, padding, dilation, groups, pmode="zeros", opad=None,
             kind="rand"):
        sp = len(ishape) - 2
        x, inrel = fam.input_file(dt, ishape, kind, 0)
        w, wrel = fam.input_file(dt, wshape, "rand", 1)
        b, brel = (None, "-")
        if bias:
            cout = wshape[0] if op == "conv" else wshape[1] * groups
            b, brel = fam.input_file(dt, (cout,), "rand", 2)
        opad = opad if opad is not None else [0] * sp
        params = [("weight", wrel), ("bias", brel), ("stride", stride), ("padding", padding),
                  ("dilation", dilation), ("groups", groups), ("padding_mode", pmode)]
        if op == "conv_transpose":
            params.append(("output_padding", opad))
        fam.add(prefix, op, dt, len(ishape), x, inrel, params,
                lambda: conv_run(op, x, w, b, stride, padding, dilation, groups, pmode, opad))

    def rnd_conv(dt, sp, pmode, prefix):
        for _ in range(200):
            g = int(rng.choice([1, 1, 2, 3]))
            cin_g = int(rng.integers(1, 4))
            cout_g = int(rng.integers(1, 4))
            k = [int(rng.integers(1, 4)) for _ in range(sp)]
            d = [int(rng.integers(1, 3)) for _ in range(sp)]
            same = rng.random() < 0.2
            s = [1] * sp if same else [int(rng.integers(1, 4)) for _ in range(sp)]
            size = [int(rng.integers(2, 9 if sp < 3 else 6)) for _ in range(sp)]
            if same:
                pad = "same"
            elif rng.random() < 0.1:
                pad = "valid"
            else:
                pad = [int(rng.integers(0, 3)) for _ in range(sp)]
                if pmode == "reflect":
                    pad = [min(p, n - 1) for p, n in zip(pad, size)]
            if pad == "same" and pmode == "reflect":
                if any(dd * (kk - 1) - (dd * (kk - 1)) // 2 >= n for dd, kk, n in zip(d, k, size)):
                    continue
            ok = True
            for i in range(sp):
                if pad == "same":
                    tot = size[i] + d[i] * (k[i] - 1)
                else:
                    tot = size[i] + 2 * (0 if pad == "valid" else pad[i])
                if tot < d[i] * (k[i] - 1) + 1:
                    ok = False
            if not ok:
                continue
            n = int(rng.integers(1, 3))
            case(prefix, "conv", dt, (n, cin_g * g, *size), (cout_g * g, cin_g, *k), bool(rng.random() < 0.7),
                 s, pad, d, g, pmode)
            return

    def rnd_convt(dt, sp, prefix):
        for _ in range(200):
            g = int(rng.choice([1, 1, 2, 3]))
            cin_g = int(rng.integers(1, 4))
            cout_g = int(rng.integers(1, 4))
            k = [int(rng.integers(1, 5)) for _ in range(sp)]
            d = [int(rng.integers(1, 3)) for _ in range(sp)]
            s = [int(rng.integers(1, 4)) for _ in range(sp)]
            size = [int(rng.integers(1, 7 if sp < 3 else 5)) for _ in range(sp)]
            pad = [int(rng.integers(0, 3)) for _ in range(sp)]
            op = [int(rng.integers(0, max(s[i], d[i]))) for i in range(sp)]
            out = [(size[i] - 1) * s[i] - 2 * pad[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(sp)]
            if min(out) < 1:
                continue
            n = int(rng.integers(1, 3))
            case(prefix, "conv_transpose", dt, (n, cin_g * g, *size), (cin_g * g, cout_g, *k),
                 bool(rng.random() < 0.7), s, pad, d, g, "zeros", op)
            return

    for dt in FLOAT_DTYPES:
        for sp in (1, 2, 3):
            for pm in ("zeros", "reflect", "replicate", "circular"):
                for _ in range(3 if pm == "zeros" else 1):
                    rnd_conv(dt, sp, pm, f"conv{sp}_{dt}")
            for _ in range(3):
                rnd_convt(dt, sp, f"convt{sp}_{dt}")
    # fixed cases: depthwise with a multiplier, the BlurPool shape, 'same' with an even kernel, 1x1, big C
    for dt in FLOAT_DTYPES:
        case(f"conv_dw_{dt}", "conv", dt, (2, 4, 9, 8), (8, 1, 3, 3), True, [2, 2], [1, 1], [1, 1], 4)
        case(f"conv_blur_{dt}", "conv", dt, (1, 3, 8, 8), (3, 1, 3, 3), False, [2, 2], [1, 1], [1, 1], 3, "reflect")
        case(f"conv_same_{dt}", "conv", dt, (1, 2, 7, 6), (3, 2, 4, 2), True, [1, 1], "same", [1, 2], 1)
        case(f"convt_dw_{dt}", "conv_transpose", dt, (1, 4, 5, 5), (4, 2, 4, 4), True, [2, 2], [1, 1], [1, 1], 4,
             "zeros", [0, 0])
    case("conv_big", "conv", "f32", (1, 32, 6, 6), (16, 32, 3, 3), True, [1, 1], [1, 1], [1, 1], 1)
    case("conv_1x1", "conv", "f32", (2, 5, 4, 3), (7, 5, 1, 1), True, [1, 1], [0, 0], [1, 1], 1)
    case("conv_special", "conv", "f32", (1, 2, 6, 6), (2, 2, 3, 3), True, [1, 1], [1, 1], [1, 1], 1, kind="special")
    case("conv_empty", "conv", "f32", (0, 2, 5, 5), (4, 2, 3, 3), True, [1, 1], [0, 0], [1, 1], 1)
    case("convt_empty", "conv_transpose", "f32", (0, 2, 3, 3), (2, 3, 3, 3), True, [2, 2], [0, 0], [1, 1], 1,
         "zeros", [1, 1])
    case("convt_opad_dil", "conv_transpose", "f32", (1, 2, 4, 4), (2, 3, 3, 3), False, [1, 1], [0, 0], [2, 2], 1,
         "zeros", [1, 1])
    # errors (torch's checks)
    E = "f32"
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [2, 2], "same", [1, 1], 1)
    case("conv_err", "conv", E, (1, 2, 5, 5), (3, 1, 3, 3), False, [1, 1], [0, 0], [1, 1], 2)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 3, 3, 3), False, [1, 1], [0, 0], [1, 1], 1)
    case("conv_err", "conv", E, (1, 3, 5, 5), (4, 1, 3, 3), False, [1, 1], [0, 0], [1, 1], 2)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 6, 3), False, [1, 1], [0, 0], [1, 1], 1)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [1, 1], [-1, 0], [1, 1], 1)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [0, 1], [0, 0], [1, 1], 1)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [1, 1], [0, 0], [0, 1], 1)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [1, 1], [0, 0], [1, 1], 0)
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [1, 1], [5, 5], [1, 1], 1, "reflect")
    case("conv_err", "conv", E, (1, 2, 5, 5), (4, 2, 3, 3), False, [1, 1], [6, 6], [1, 1], 1, "circular")
    case("conv_err", "conv", E, (1, 2, 5, 5), (0, 2, 3, 3), False, [1, 1], [0, 0], [1, 1], 1)
    case("convt_err", "conv_transpose", E, (1, 2, 5, 5), (2, 3, 3, 3), False, [2, 2], [0, 0], [1, 1], 1, "zeros",
         [2, 2])
    case("convt_err", "conv_transpose", E, (1, 2, 5, 5), (3, 3, 3, 3), False, [1, 1], [0, 0], [1, 1], 1)
    case("convt_err", "conv_transpose", E, (1, 2, 5, 5), (2, 3, 3, 3), False, [1, 1], [5, 5], [1, 1], 1)
    case("convt_err", "conv_transpose", E, (1, 3, 5, 5), (3, 3, 3, 3), False, [1, 1], [0, 0], [1, 1], 2)


# ==========================================================================
# --verify: replay every manifest line from its tokens alone

def parse_value(key, v):
    """Manifest token -> Python value as the replay passes it to torch."""
    if v == "-":
        return None
    parts = v.split(",")

    def one(p):
        if p == "none":
            return None
        if key in ("scale", "output_ratio", "norm_type"):
            return float(p)
        if key in ("align_corners", "recompute", "antialias", "ceil_mode", "count_include_pad"):
            return bool(int(p))
        try:
            return int(p)
        except ValueError:
            return p
    vals = [one(p) for p in parts]
    return vals[0] if len(vals) == 1 else tuple(vals)


def load_array(path, dtype):
    a = np.load(os.path.join(HERE, path), allow_pickle=False)
    if dtype == "bf16" and a.dtype == np.dtype("<u2"):
        return torch.from_numpy(a.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(a.copy())


def replay(tok):
    if "grad_out" in tok:  # backward family: autograd of the forward
        x = load_array(tok["in"], tok["dtype"]).requires_grad_(True)
        fwd = dict(tok)
        del fwd["grad_out"]
        y = replay_forward(fwd, x)
        y = y[0] if isinstance(y, tuple) else y
        return torch.autograd.grad(y, x, load_array(tok["grad_out"], tok["dtype"]))[0]
    return replay_forward(tok, None)


def replay_forward(tok, xin):
    op, dt, rank = tok["op"], tok["dtype"], int(tok["rank"])
    d = SPATIAL[rank]
    x = load_array(tok["in"], dt) if xin is None else xin
    g = lambda k: parse_value(k, tok.get(k, "-"))  # noqa: E731
    lst = lambda v: None if v is None else (v if isinstance(v, tuple) else (v,) * d)  # noqa: E731
    if op == "interpolate":
        return F.interpolate(x, size=g("size"), scale_factor=g("scale"), mode=g("mode"),
                             align_corners=g("align_corners"), recompute_scale_factor=g("recompute"),
                             antialias=g("antialias"))
    if op == "max_pool":
        return pool_fn(op, rank)(x, g("kernel"), g("stride"), g("padding") or 0,
                                 1 if g("dilation") is None else g("dilation"),
                                 ceil_mode=g("ceil_mode"), return_indices=True)
    if op == "avg_pool":
        kw = dict(stride=g("stride"), padding=g("padding") or 0, ceil_mode=g("ceil_mode"),
                  count_include_pad=g("count_include_pad"))
        if g("divisor_override") is not None:
            kw["divisor_override"] = g("divisor_override")
        return pool_fn(op, rank)(x, g("kernel"), **kw)
    if op == "lp_pool":
        return pool_fn(op, rank)(x, g("norm_type"), g("kernel"), stride=g("stride"), ceil_mode=g("ceil_mode"))
    if op == "adaptive_avg_pool":
        return pool_fn(op, rank)(x, g("output_size"))
    if op == "adaptive_max_pool":
        return pool_fn(op, rank)(x, g("output_size"), return_indices=True)
    if op == "fractional_max_pool":
        s = load_array(tok["samples"], "f32").to(x.dtype)
        r = g("output_ratio")
        return pool_fn(op, rank)(x, g("kernel"), output_size=g("output_size"),
                                 output_ratio=None if r is None else lst(r),
                                 return_indices=True, _random_samples=s)
    if op == "max_unpool":
        idx = load_array(tok["indices_in"], "i8")
        return getattr(F, f"max_unpool{d}d")(x, idx, g("kernel"), g("stride"), g("padding") or 0,
                                            output_size=lst(g("output_size")))
    if op in ("pixel_shuffle", "pixel_unshuffle"):
        return getattr(F, op)(x, g("factor"))
    if op == "grid_sample":
        return F.grid_sample(x, load_array(tok["grid"], dt), mode=g("mode"), padding_mode=g("padding_mode"),
                             align_corners=g("align_corners"))
    if op == "affine_grid":
        return F.affine_grid(x, list(g("size")), align_corners=g("align_corners"))
    if op in ("conv", "conv_transpose"):
        w = load_array(tok["weight"], dt)
        b = None if tok["bias"] == "-" else load_array(tok["bias"], dt)
        pad = tok["padding"]
        pad = pad if pad in ("same", "valid") else list(lst(g("padding")))
        opad = list(lst(g("output_padding"))) if op == "conv_transpose" else None
        return conv_run(op, x, w, b, list(lst(g("stride"))), pad, list(lst(g("dilation"))), g("groups"),
                        tok["padding_mode"], opad)
    raise ValueError(op)


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def verify(fams):
    bad = n = 0
    for fam in fams:
        path = os.path.join(HERE, fam + ".txt")
        with open(path) as f:
            lines = [ln.split() for ln in f if ln.strip() and not ln.startswith("#")]
        ids = set()
        for toks in lines:
            tok = dict(t.split("=", 1) for t in toks)
            n += 1
            cid = tok["id"]
            assert cid not in ids, cid
            ids.add(cid)
            try:
                res = replay(tok)
                err = None
            except Exception as e:
                err = err_token(e)
                if "INTERNAL_ASSERT" in err and tok["op"] == "interpolate":
                    # the u8 C=3 1x1 torch bug: the golden came from a channels_last copy
                    x = load_array(tok["in"], tok["dtype"]).contiguous(memory_format=torch.channels_last)
                    g = lambda k: parse_value(k, tok[k])  # noqa: E731
                    res = F.interpolate(x, size=g("size"), scale_factor=g("scale"), mode=g("mode"),
                                        align_corners=g("align_corners"),
                                        recompute_scale_factor=g("recompute"), antialias=g("antialias"))
                    err = None
            if "error" in tok:
                if err != tok["error"]:
                    bad += 1
                    print(f"{fam}: {cid}: expected error {tok['error']}, got {err or 'success'}")
                continue
            if err is not None:
                bad += 1
                print(f"{fam}: {cid}: replay raised {err}")
                continue
            out, idx = res if isinstance(res, tuple) else (res, None)
            if not same(to_numpy(out), np.load(os.path.join(HERE, tok["out"]))):
                bad += 1
                print(f"{fam}: {cid}: output differs")
            if ("indices" in tok) != (idx is not None) or (
                    idx is not None and not same(to_numpy(idx), np.load(os.path.join(HERE, tok["indices"])))):
                bad += 1
                print(f"{fam}: {cid}: indices differ")
    print(f"verify: {n} cases replayed, {bad} mismatches")
    return 1 if bad else 0

# ==========================================================================

FAMILIES = {
    "interpolate": lambda fam, a: gen_interpolate(fam, a.modes),
    "pool": lambda fam, a: gen_pool(fam),
    "unpool": lambda fam, a: gen_unpool(fam),
    "shuffle": lambda fam, a: gen_shuffle(fam),
    "grid": lambda fam, a: gen_grid(fam),
    "backward": lambda fam, a: gen_backward(fam),
    "backward_interp": lambda fam, a: gen_backward_interp(fam),
    "conv": lambda fam, a: gen_conv(fam),
}
ALL_MODES = "nearest,nearest-exact,linear,bilinear,trilinear,bicubic,area,lanczos,errors"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", default="interpolate,pool,unpool,shuffle,grid,backward,backward_interp,conv")
    ap.add_argument("--modes", default=ALL_MODES,
                    help="interpolate modes to generate (plus 'errors'); default: all")
    ap.add_argument("--outdir", default=HERE)
    ap.add_argument("--verify", action="store_true",
                    help="replay every committed case from its manifest tokens alone and compare")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary copy and report whether anything differs")
    a = ap.parse_args()
    a.modes = set(a.modes.split(","))
    fams = a.families.split(",")
    for f in fams:
        if f not in FAMILIES:
            ap.error(f"unknown family {f}")

    if a.verify:
        return verify(fams)
    if a.check:
        tmp = tempfile.mkdtemp()
        try:
            for f in fams:
                if os.path.exists(os.path.join(a.outdir, f)):
                    shutil.copytree(os.path.join(a.outdir, f), os.path.join(tmp, f))
                if os.path.exists(os.path.join(a.outdir, f + ".txt")):
                    shutil.copy(os.path.join(a.outdir, f + ".txt"), tmp)
            for f in fams:
                fam = Family(f, tmp)
                FAMILIES[f](fam, a)
                fam.write()
            cmp = filecmp.dircmp(a.outdir, tmp)
            diffs = []

            def walk(c, pre=""):
                diffs.extend(pre + x for x in c.diff_files + c.right_only)
                diffs.extend(pre + x for x in c.left_only if x.endswith(".npy"))
                for n, sub in c.subdirs.items():
                    if n in fams:
                        walk(sub, pre + n + "/")
            walk(cmp)
            diffs = [d for d in diffs if d.split("/")[0].split(".")[0] in fams]
            if diffs:
                print("differs: " + " ".join(sorted(diffs)[:20]))
                return 1
            print("golden files are up to date")
            return 0
        finally:
            shutil.rmtree(tmp)

    total = 0
    for f in fams:
        torch.manual_seed(0)
        fam = Family(f, a.outdir)
        FAMILIES[f](fam, a)
        total += fam.write()
    print(f"total {total} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
