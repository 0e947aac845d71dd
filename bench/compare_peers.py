#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/compare_peers.py -- clresample's benchmark workloads through its peers.

Runs the workloads of bench/bench.c (W1..W24; W21, dense conv, in a table of its own; W9a, W9d: pooling's and W9b, W9e:
interpolate's input gradient against torch's backward) through
  * PyTorch's CPU operators (torch._C._nn.*, into preallocated outputs with
    out=, so neither side pays for allocating the result),
  * OpenCV's cv2.resize (python3-opencv or opencv-python-headless),
  * oneDNN, through PyTorch's mkldnn tensors (pooling only: PyTorch exposes
    no oneDNN resampling),
with the same inputs, the same thread count and the same warm / cold method,
and prints the times and the ratios beside clresample's own numbers (taken
from `clresample-bench --json`, run by this script or read from a file).

None of this is a dependency of the library or of CI; a missing peer is
reported as n/a.

  python3 bench/compare_peers.py --bench ./bench/clresample-bench      # run ours too
  python3 bench/compare_peers.py --ours ours.json                      # ours from a file
  python3 bench/compare_peers.py --quick                               # smoke test

Threads: --threads N (default: CPUs online) sets torch.set_num_threads(N),
cv2.setNumThreads(N), OMP_NUM_THREADS / MKL_NUM_THREADS, and
POCL_CPU_MAX_CU_COUNT=N for the clresample run; all of them are printed.
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

SMALL = (1, 3, 512, 512)
LARGE = (8, 64, 128, 128)

# id -> description (must match bench/bench.c)
WORKLOADS = {
    "W1": dict(what="nearest x2", op="interp", mode="nearest", scale=2.0, dtype="f32"),
    "W2": dict(what="bilinear x2", op="interp", mode="bilinear", scale=2.0, dtype="f32"),
    "W3": dict(what="bicubic x2", op="interp", mode="bicubic", scale=2.0, dtype="f32"),
    "W4": dict(what="bilinear x0.5 antialias", op="interp", mode="bilinear_aa", scale=0.5, dtype="f32"),
    "W5": dict(what="avg pool 2x2 s2", op="avg", k=2, s=2, p=0, dtype="f32"),
    "W6": dict(what="max pool 2x2 s2", op="max", k=2, s=2, p=0, dtype="f32"),
    "W7": dict(what="max pool 3x3 s2 p1 +indices", op="max_idx", k=3, s=2, p=1, dtype="f32"),
    "W8": dict(what="adaptive avg pool 7x7", op="adaptive_avg", out=7, dtype="f32"),
    "W9b": dict(what="bilinear x2 backward", op="interp_bw", mode="bilinear", scale=2.0, dtype="f32"),
    "W9c": dict(what="bicubic x2 backward", op="interp_bw", mode="bicubic", scale=2.0, dtype="f32"),
    "W9c2": dict(what="bicubic x0.5 antialias backward", op="interp_bw", mode="bicubic_aa", scale=0.5, dtype="f32"),
    "W9e": dict(what="trilinear x2 backward", op="interp_bw", mode="trilinear", scale=2.0, dtype="f32",
                shape=(1, 16, 32, 64, 64)),
    "W10": dict(what="trilinear x2", op="interp", mode="trilinear", scale=2.0, dtype="f32",
                shape=(1, 16, 32, 64, 64)),
    "W11": dict(what="u8 bilinear 1080p->720p aa", op="interp", mode="bilinear_aa", size=(720, 1280),
                dtype="u8", shape=(1, 3, 1080, 1920)),
    "W12": dict(what="bilinear x2 (f16 storage)", op="interp", mode="bilinear", scale=2.0, dtype="f16"),
    "W13a": dict(what="bilinear 128->181", op="interp", mode="bilinear", size=(181, 181), dtype="f32",
                 shape=(8, 64, 128, 128)),
    "W13b": dict(what="bilinear 128->91", op="interp", mode="bilinear", size=(91, 91), dtype="f32",
                 shape=(8, 64, 128, 128)),
    "W14a": dict(what="bicubic x0.75", op="interp", mode="bicubic", scale=0.75, dtype="f32"),
    "W14b": dict(what="bicubic x1.33", op="interp", mode="bicubic", scale=1.33, dtype="f32"),
    "W15a": dict(what="u8 bilinear 1080p->640x640", op="interp", mode="bilinear", size=(640, 640), dtype="u8",
                 shape=(1, 3, 1080, 1920)),
    "W15b": dict(what="u8 bilinear 1080p->224 aa", op="interp", mode="bilinear_aa", size=(224, 224), dtype="u8",
                 shape=(1, 3, 1080, 1920)),
    "W16": dict(what="bilinear 64->512 corners", op="interp", mode="bilinear", align_corners=True, size=(512, 512),
                dtype="f32", shape=(1, 21, 64, 64)),
    "W17": dict(what="u8 nearest 1080p->720p", op="interp", mode="nearest", size=(720, 1280), dtype="u8",
                shape=(1, 3, 1080, 1920)),
    "W18": dict(what="area 1080p->224", op="interp", mode="area", size=(224, 224), dtype="f32",
                shape=(1, 3, 1080, 1920)),
    "W19": dict(what="grid_sample bilinear affine", op="grid", dtype="f32", shape=(8, 64, 128, 128)),
    # clrs_resize_batch: 64 uint8 RGB images of mixed sizes (batch_sizes()) -> 224x224; the peers one by one
    "W20": dict(what="u8 batch 64 mixed->224 aa", op="batch", mode="bilinear_aa", size=(224, 224), dtype="u8",
                shape=(64, 3, 0, 0)),
    # convolution: torch = F.conv2d / F.conv_transpose2d with oneDNN off (torch.backends.mkldnn), onednn = on
    "W22": dict(what="depthwise conv 3x3 s2 p1", op="conv", k=3, s=2, p=1, cout=64, groups=64, pmode="zeros",
                dtype="f32", shape=(8, 64, 128, 128)),
    "W23": dict(what="BlurPool 3x3 s2 reflect", op="conv", k=3, s=2, p=1, cout=64, groups=64, pmode="reflect",
                blur=True, dtype="f32", shape=(8, 64, 128, 128)),
    "W24": dict(what="conv_transpose 4x4 s2 p1 64->32", op="convt", k=4, s=2, p=1, cout=32, groups=1,
                dtype="f32", shape=(2, 64, 64, 64)),
    # compute-bound: its own table (dense_conv())
    "W21": dict(what="dense conv 3x3 s2 64->128", op="dense_conv", dtype="f32", shape=(8, 64, 128, 128)),
    # pooling backward: the shape is the forward input's (= grad_input's)
    "W9a": dict(what="max pool 2x2 s2 backward (indices)", op="max_bw", k=2, s=2, p=0, dtype="f32"),
    "W9d": dict(what="adaptive avg pool 7x7 backward", op="adaptive_avg_bw", out=7, dtype="f32"),
}


def canon_id(s):
    """'w13a', '13a' -> 'W13a' (bench.c's spelling)."""
    s = s.strip()
    for k in WORKLOADS:
        if s.lower() in (k.lower(), k[1:].lower()):
            return k
    raise SystemExit(f"compare_peers: unknown workload '{s}' ({', '.join(WORKLOADS)})")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", help="path of clresample-bench (or 'clresample' to run `clresample bench`)")
    ap.add_argument("--ours", help="read clresample's results from this --json file instead of running it")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--workloads", default="all")
    ap.add_argument("--size", default="all", choices=["small", "large", "all"])
    ap.add_argument("--layout", default="all", choices=["nchw", "nhwc", "all"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--warm", dest="modes", action="store_const", const=["warm"])
    g.add_argument("--cold", dest="modes", action="store_const", const=["cold"])
    g.add_argument("--both", dest="modes", action="store_const", const=["warm", "cold"])
    ap.add_argument("--flush-mb", type=int, default=0, help="cache-flush buffer (default: as clresample-bench)")
    ap.add_argument("--quick", action="store_true", help="small, nchw, 3 runs, warm only")
    ap.add_argument("--stat", default="median", choices=["median", "min"],
                    help="statistic compared in the table (both are in --json); min resists disturbance")
    ap.add_argument("--json", action="store_true", help="print the merged results as JSON on stdout")
    a = ap.parse_args()
    if a.quick:
        a.size, a.runs, a.warmup = "small", 3, 1
        if a.layout == "all":
            a.layout = "nchw"
        if a.modes is None:
            a.modes = ["warm"]
    if a.modes is None:
        a.modes = ["warm", "cold"]
    return a


ARGS = parse_args()
THREADS = max(1, ARGS.threads)
# before numpy / torch / cv2 start their thread pools
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[var] = str(THREADS)

import numpy as np  # noqa: E402

try:
    import torch  # noqa: E402
    import torch.nn.functional as F  # noqa: E402

    torch.set_num_threads(THREADS)
except ImportError:  # pragma: no cover
    torch = None
try:
    import cv2  # noqa: E402

    cv2.setNumThreads(THREADS)
except ImportError:  # pragma: no cover
    cv2 = None


def llc_bytes():
    best, best_level = 0, -1
    for i in range(8):
        base = f"/sys/devices/system/cpu/cpu0/cache/index{i}"
        try:
            level = int(open(base + "/level").read())
            s = open(base + "/size").read().strip()
        except OSError:
            continue
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
        size = int(s.rstrip("KMG")) * mult
        if level > best_level or (level == best_level and size > best):
            best, best_level = size, level
    return best


def flush_bytes():
    if ARGS.flush_mb:
        return ARGS.flush_mb << 20
    llc = llc_bytes()
    want = 2 * llc if llc else 256 << 20
    return min(max(want, 64 << 20), 1024 << 20)


# ---------------------------------------------------------------------------
# clresample's numbers


def run_ours():
    if ARGS.ours:
        with open(ARGS.ours) as f:
            return json.load(f), "read from " + ARGS.ours
    cand = [ARGS.bench] if ARGS.bench else []
    cand += [os.environ.get("CLRESAMPLE_BENCH"), "./bench/clresample-bench",
             os.path.join(os.path.dirname(os.path.abspath(__file__)), "clresample-bench")]
    exe = next((c for c in cand if c and (c == "clresample" or os.access(c, os.X_OK))), None)
    if exe is None:
        print("compare_peers: no clresample-bench found (use --bench PATH or --ours FILE); "
              "showing peers only", file=sys.stderr)
        return [], "not run"
    cmd = [exe] + (["bench"] if os.path.basename(exe) == "clresample" else [])
    cmd += ["--json", "--runs", str(ARGS.runs), "--warmup", str(ARGS.warmup), "--size", ARGS.size,
            "--layout", ARGS.layout, "--no-first-call"]
    cmd += ["--both"] if len(ARGS.modes) == 2 else ["--" + ARGS.modes[0]]
    if ARGS.workloads != "all":
        cmd += ["--workloads", ARGS.workloads]
    if ARGS.flush_mb:
        cmd += ["--flush-mb", str(ARGS.flush_mb)]
    env = dict(os.environ, POCL_CPU_MAX_CU_COUNT=str(THREADS))
    print("compare_peers: running " + " ".join(cmd) + f"  (POCL_CPU_MAX_CU_COUNT={THREADS})", file=sys.stderr)
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=False)
    if out.returncode not in (0, 1):
        print(f"compare_peers: clresample-bench exited with {out.returncode}", file=sys.stderr)
    return json.loads(out.stdout.decode() or "[]"), " ".join(cmd)


# ---------------------------------------------------------------------------
# Peers


def out_hw(w, shape):
    if "size" in w:
        return w["size"]
    sp = shape[2:]
    return tuple(int(s * w["scale"]) for s in sp) if w["op"] in ("interp", "interp_bw") else None


def batch_sizes(n):
    """W20's image sizes (H, W), as bench/bench.c draws them: a 64-bit LCG from 0x20202020,
    each side 200 + (state >> 33) % 801."""
    st, out = 0x20202020, []
    for _ in range(n):
        hw = []
        for _ in range(2):
            st = (st * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            hw.append(200 + (st >> 33) % 801)
        out.append(tuple(hw))
    return out


def make_input(w, shape, nhwc):
    rng = np.random.default_rng(12345)
    if w["op"] == "batch":  # a list of (1, C, H, W) images
        return [rng.integers(0, 256, size=(1, shape[1]) + hw, dtype=np.uint8) for hw in batch_sizes(shape[0])]
    if w["dtype"] == "u8":
        a = rng.integers(0, 256, size=shape, dtype=np.uint8)
    else:
        a = rng.random(size=shape, dtype=np.float32)
        if w["dtype"] == "f16":
            a = a.astype(np.float16)
    return a


def conv_call(w, x_np, shape, nhwc, mkldnn):
    """W22-W24 through F.conv2d / F.conv_transpose2d with oneDNN on or off (outputs allocated per call;
    W23 as antialiased-cnns' BlurPool: F.pad reflect, then the depthwise binomial)."""
    x = torch.from_numpy(x_np)
    if nhwc:
        x = x.contiguous(memory_format=torch.channels_last)
    c, k, g = shape[1], w["k"], w["groups"]
    ws = [c, w["cout"] // g, k, k] if w["op"] == "convt" else [w["cout"], c // g, k, k]
    wt = torch.rand(ws)
    if w.get("blur"):
        b = torch.tensor([1.0, 2.0, 1.0])
        wt = (b[:, None] * b[None, :] / 16).expand(ws).contiguous()
    if nhwc:
        wt = wt.contiguous(memory_format=torch.channels_last)
    s, p = w["s"], w["p"]
    if w["op"] == "convt":
        f0 = lambda: F.conv_transpose2d(x, wt, None, s, p, 0, g)  # noqa: E731
    elif w["pmode"] != "zeros":
        f0 = lambda: F.conv2d(F.pad(x, [p] * 4, mode=w["pmode"]), wt, None, s, 0, 1, g)  # noqa: E731
    else:
        f0 = lambda: F.conv2d(x, wt, None, s, p, 1, g)  # noqa: E731

    def f():
        with torch.backends.mkldnn.flags(enabled=mkldnn):
            return f0()
    if mkldnn and not torch.backends.mkldnn.is_available():
        return None, "n/a (no torch mkldnn)"
    return f, ("oneDNN on" if mkldnn else "oneDNN off") + " (allocates its output)"


def torch_op(w, x_np, shape, nhwc):
    """A callable running the workload with PyTorch into preallocated outputs."""
    if torch is None:
        return None, "torch not installed"
    if w["op"] in ("conv", "convt"):
        return conv_call(w, x_np, shape, nhwc, False)
    if w["op"] == "batch":  # F.interpolate(antialias=True) image by image, into preallocated outputs
        mf = torch.channels_last if nhwc else torch.contiguous_format
        xs = [torch.from_numpy(a).contiguous(memory_format=mf) for a in x_np]
        o = list(w["size"])
        ys = [torch.empty([1, shape[1]] + o, dtype=torch.uint8).contiguous(memory_format=mf) for _ in xs]

        def run_batch():
            for xi, yi in zip(xs, ys):
                torch._C._nn._upsample_bilinear2d_aa(xi, o, False, None, None, out=yi)
        return run_batch, "_upsample_bilinear2d_aa image by image"
    x = torch.from_numpy(x_np)
    rank = len(shape)
    mf = (torch.channels_last_3d if rank == 5 else torch.channels_last) if nhwc else torch.contiguous_format
    x = x.contiguous(memory_format=mf)
    nn = torch._C._nn
    op = w["op"]

    def empty(sizes, dtype=None):
        return torch.empty(sizes, dtype=dtype or x.dtype).contiguous(memory_format=mf)

    n, c = shape[0], shape[1]
    if op == "interp_bw":  # grad_output (the forward output's shape) -> grad_input
        o = list(out_hw(w, shape))
        rng = np.random.default_rng(54321)
        g = torch.from_numpy(rng.random(size=[n, c] + o, dtype=np.float32)).contiguous(memory_format=mf)
        gi = empty(list(shape))
        s = w["scale"]
        aten = torch.ops.aten
        if w["mode"] == "bilinear":
            return (lambda: aten.upsample_bilinear2d_backward.grad_input(g, o, list(shape), False, s, s,
                                                                          grad_input=gi)), ""
        if w["mode"] == "bicubic":
            return (lambda: aten.upsample_bicubic2d_backward.grad_input(g, o, list(shape), False, s, s,
                                                                         grad_input=gi)), ""
        if w["mode"] == "bicubic_aa":
            return (lambda: aten._upsample_bicubic2d_aa_backward.grad_input(g, o, list(shape), False, s, s,
                                                                             grad_input=gi)), ""
        return (lambda: aten.upsample_trilinear3d_backward.grad_input(g, o, list(shape), False, s, s, s,
                                                                       grad_input=gi)), ""
    if op == "interp":
        o = list(out_hw(w, shape))
        y = empty([n, c] + o)
        s = w.get("scale")
        m = w["mode"]
        ac = bool(w.get("align_corners", False))
        if m == "nearest":
            return (lambda: nn.upsample_nearest2d(x, o, s, s, out=y)), ""
        if m == "bilinear":
            return (lambda: nn.upsample_bilinear2d(x, o, ac, s, s, out=y)), ""
        if m == "bicubic":
            return (lambda: nn.upsample_bicubic2d(x, o, ac, s, s, out=y)), ""
        if m == "bilinear_aa":
            return (lambda: nn._upsample_bilinear2d_aa(x, o, ac, s, s, out=y)), ""
        if m == "area":
            return (lambda: nn.adaptive_avg_pool2d(x, o, out=y)), "adaptive_avg_pool2d (F.interpolate's area)"
        if m == "trilinear":
            return (lambda: nn.upsample_trilinear3d(x, o, False, s, s, s, out=y)), ""
    h, wd = shape[2], shape[3]
    if op in ("avg", "max", "max_idx"):
        k, st, p = w["k"], w["s"], w["p"]
        oh, ow = (h + 2 * p - k) // st + 1, (wd + 2 * p - k) // st + 1
        y = empty([n, c, oh, ow])
        if op == "avg":
            return (lambda: nn.avg_pool2d(x, [k, k], [st, st], [p, p], False, True, None, out=y)), ""
        if op == "max":
            # no out= variant without indices; F.max_pool2d picks torch's own kernel
            return (lambda: F.max_pool2d(x, k, st, p)), "F.max_pool2d (allocates its output)"
        i = empty([n, c, oh, ow], torch.long)
        return (lambda: nn.max_pool2d_with_indices(x, [k, k], [st, st], [p, p], [1, 1], False, out=(y, i))), ""
    if op == "adaptive_avg":
        y = empty([n, c, w["out"], w["out"]])
        return (lambda: nn.adaptive_avg_pool2d(x, [w["out"], w["out"]], out=y)), ""
    aten = torch.ops.aten
    if op == "max_bw":  # the backward alone: indices from the forward, run once
        k, st = w["k"], w["s"]
        y, i = nn.max_pool2d_with_indices(x, [k, k], [st, st], [0, 0], [1, 1], False)
        go = torch.rand(y.shape).contiguous(memory_format=mf)
        i = i.contiguous(memory_format=mf)
        gi = empty(list(shape))
        return (lambda: aten.max_pool2d_with_indices_backward.grad_input(
            go, x, [k, k], [st, st], [0, 0], [1, 1], False, i, grad_input=gi)), "aten backward into grad_input"
    if op == "adaptive_avg_bw":
        go = torch.rand([n, c, w["out"], w["out"]]).contiguous(memory_format=mf)
        gi = empty(list(shape))
        return (lambda: aten._adaptive_avg_pool2d_backward.out(go, x, out=gi)), "aten backward into out"
    if op == "grid":
        g = torch.from_numpy(affine_grid_np(shape))
        return (lambda: torch.grid_sampler_2d(x, g, 0, 0, False)), "torch.grid_sampler_2d (allocates its output)"
    return None, "n/a"


def affine_grid_np(shape):
    """W19's kind of grid: per image a rotation by up to 30 degrees, a scale in
    [0.8, 1.2] and a shift of up to 0.1 of F.affine_grid's base coordinates."""
    n, _, h, wd = shape
    rng = np.random.default_rng(2024)
    ys, xs = np.meshgrid((2 * np.arange(h) + 1) / h - 1, (2 * np.arange(wd) + 1) / wd - 1, indexing="ij")
    g = np.empty((n, h, wd, 2), np.float32)
    for i in range(n):
        a, sc, tx, ty = (rng.random() - 0.5) * 1.0472, 0.8 + 0.4 * rng.random(), (rng.random() - 0.5) * 0.2, \
            (rng.random() - 0.5) * 0.2
        g[i, ..., 0] = sc * (np.cos(a) * xs - np.sin(a) * ys) + tx
        g[i, ..., 1] = sc * (np.sin(a) * xs + np.cos(a) * ys) + ty
    return g


def opencv_op(w, x_np, shape, nhwc):
    """cv2.resize per plane (NCHW) or per image (NHWC), into preallocated outputs."""
    if cv2 is None:
        return None, "cv2 not installed"
    if len(shape) != 4:
        return None, "n/a (no 3-D resize)"
    if w["dtype"] == "f16":
        return None, "n/a (cv2.resize has no float16)"
    if w["op"] == "grid":
        return None, "n/a (cv2.remap: not the same semantics)"
    if w["op"] == "interp_bw":
        return None, "n/a (no gradients in cv2)"
    if w["op"] == "batch":
        return opencv_batch(w, x_np, shape, nhwc, cv2.INTER_AREA, "INTER_AREA (cv2's antialiased downscale)")
    op = w["op"]
    n, c, h, wd = shape
    note = ""
    if op == "interp":
        oh, ow = out_hw(w, shape)
        interp = {"nearest": cv2.INTER_NEAREST, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC,
                  "bilinear_aa": cv2.INTER_AREA, "area": cv2.INTER_AREA}[w["mode"]]
        if w["mode"] == "bilinear_aa":
            note = "INTER_AREA (cv2's antialiased downscale; a different filter)"
        if w.get("align_corners"):
            note = "INTER_LINEAR (cv2 has no align_corners: other coordinates)"
    elif op == "avg" and w["k"] == w["s"] and w["p"] == 0:
        oh, ow, interp = h // w["k"], wd // w["k"], cv2.INTER_AREA
        note = "INTER_AREA at 1/k (= avg pool)"
    else:
        return None, "n/a (no pooling in cv2)"
    if nhwc:
        x = np.ascontiguousarray(np.transpose(x_np, (0, 2, 3, 1)))
        y = np.empty((n, oh, ow, c), dtype=x.dtype)
        if c > 512:
            return None, "n/a (more than 512 channels)"

        def run():
            for i in range(n):
                cv2.resize(x[i], (ow, oh), dst=y[i], interpolation=interp)
        return run, note
    x = np.ascontiguousarray(x_np).reshape(n * c, h, wd)
    y = np.empty((n * c, oh, ow), dtype=x.dtype)

    def run_planes():
        for i in range(n * c):
            cv2.resize(x[i], (ow, oh), dst=y[i], interpolation=interp)
    return run_planes, (note + "; " if note else "") + "one call per plane"


def opencv_batch(w, x_np, shape, nhwc, interp, note):
    """cv2.resize image by image (NHWC: one call per image; NCHW: one per plane)."""
    oh, ow = w["size"]
    if nhwc:
        xs = [np.ascontiguousarray(np.transpose(a[0], (1, 2, 0))) for a in x_np]
        ys = [np.empty((oh, ow, shape[1]), dtype=np.uint8) for _ in xs]

        def run():
            for xi, yi in zip(xs, ys):
                cv2.resize(xi, (ow, oh), dst=yi, interpolation=interp)
        return run, note + "; one call per image"
    xs = [np.ascontiguousarray(a[0][c]) for a in x_np for c in range(shape[1])]
    ys = [np.empty((oh, ow), dtype=np.uint8) for _ in xs]

    def run_planes():
        for xi, yi in zip(xs, ys):
            cv2.resize(xi, (ow, oh), dst=yi, interpolation=interp)
    return run_planes, note + "; one call per plane"


def opencv_linear_op(w, x_np, shape, nhwc):
    """W20 only: cv2.resize INTER_LINEAR (no antialias: cheaper, aliased) image by image."""
    if cv2 is None:
        return None, "cv2 not installed"
    return opencv_batch(w, x_np, shape, nhwc, cv2.INTER_LINEAR, "INTER_LINEAR (no antialias)")


def onednn_op(w, x_np, shape, nhwc):
    """oneDNN pooling through torch's mkldnn tensors (output allocated per call)."""
    if torch is None or not torch.backends.mkldnn.is_available():
        return None, "n/a (no torch mkldnn)"
    if w["op"] in ("conv", "convt"):
        return conv_call(w, x_np, shape, nhwc, True)
    if w["op"] not in ("avg", "max", "max_idx", "adaptive_avg") or w["dtype"] != "f32":
        return None, "n/a (PyTorch exposes no oneDNN resampling)"
    x = torch.from_numpy(x_np)
    if nhwc:
        x = x.contiguous(memory_format=torch.channels_last)
    xm = x.to_mkldnn()
    op = w["op"]
    try:
        if op == "avg":
            f = lambda: F.avg_pool2d(xm, w["k"], w["s"], w["p"])  # noqa: E731
        elif op in ("max", "max_idx"):
            f = lambda: F.max_pool2d(xm, w["k"], w["s"], w["p"])  # noqa: E731
        else:
            f = lambda: F.adaptive_avg_pool2d(xm, w["out"])  # noqa: E731
        f()
    except RuntimeError as e:
        return None, "n/a (" + str(e).split("\n")[0][:90] + ")"
    return f, ("no indices (oneDNN has none); " if op == "max_idx" else "") + "own memory format"


class Flusher:
    def __init__(self, nbytes):
        self.nbytes = nbytes
        self.buf = None
        self.v = 0.0

    def __call__(self):
        if self.buf is None:
            n = self.nbytes // 4
            self.buf = torch.empty(n, dtype=torch.float32) if torch is not None else np.empty(n, np.float32)
        self.v += 1.0
        if torch is not None:
            self.buf.fill_(self.v)  # multi-threaded, like the OpenCL fill kernel
        else:
            self.buf.fill(self.v)


def cpu_mark():
    """(time, busy jiffies of all CPUs, this process's jiffies) to measure other processes' load."""
    try:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:9]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
        t = os.times()
        return time.monotonic(), busy, (t.user + t.system) * os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def other_cpu(a, b):
    """Share of the machine's CPU time used by other processes between two marks."""
    if a is None or b is None:
        return None
    ticks = (b[0] - a[0]) * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)
    if ticks < 10:
        return None
    return max(0.0, (b[1] - a[1]) - (b[2] - a[2])) / ticks


def time_it(f, mode, flush):
    for _ in range(ARGS.warmup if mode == "warm" else 1):
        f()
    ts = []
    for _ in range(ARGS.runs):
        if mode == "cold":
            flush()
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts)


def layout_name(shape, nhwc):
    return ("ndhwc" if nhwc else "ncdhw") if len(shape) == 5 else ("nhwc" if nhwc else "nchw")


def moved_bytes(w, shape, x_np):
    if w["op"] == "batch":
        return sum(a.nbytes for a in x_np) + shape[0] * shape[1] * w["size"][0] * w["size"][1]
    es = x_np.itemsize
    n_in = int(np.prod(shape))
    if w["op"] == "grid":
        return (2 * n_in + shape[0] * shape[2] * shape[3] * 2) * es  # input, output, grid
    if w["op"] in ("conv", "convt"):  # input, weight, output
        k, s, p, c, co = w["k"], w["s"], w["p"], shape[1], w["cout"]
        o = [(h - 1) * s - 2 * p + k if w["op"] == "convt" else (h + 2 * p - k) // s + 1 for h in shape[2:]]
        return (n_in + c * co // w["groups"] * k * k + shape[0] * co * o[0] * o[1]) * es
    if w["op"] in ("interp", "interp_bw"):
        o = out_hw(w, shape)
        n_out = shape[0] * shape[1] * int(np.prod(o))
    elif w["op"] in ("adaptive_avg", "adaptive_avg_bw"):
        n_out = shape[0] * shape[1] * w["out"] ** 2
    else:
        k, s, p = w["k"], w["s"], w["p"]
        oh, ow = (shape[2] + 2 * p - k) // s + 1, (shape[3] + 2 * p - k) // s + 1
        n_out = shape[0] * shape[1] * oh * ow
    extra = n_out * 8 if w["op"] in ("max_idx", "max_bw") else 0
    return (n_in + n_out) * es + extra


def versions():
    v = {"python": platform.python_version(), "numpy": np.__version__}
    if torch is not None:
        v["torch"] = torch.__version__
        m = re.search(r"MKL-DNN v([0-9.]+)", torch.__config__.show())
        v["onednn"] = m.group(1) if m else "?"
    if cv2 is not None:
        v["opencv"] = cv2.__version__
    return v


def fmt(x, w=8, p=3):
    return f"{x:{w}.{p}f}" if isinstance(x, (int, float)) and x == x else f"{'n/a':>{w}}"


def dense_conv():
    """W21: F.conv2d 3x3 stride 2 padding 1, 64 -> 128 channels, bias, f32 NCHW (8, 64, 128, 128): compute-bound,
    so times (warm, median and min; torch allocates its output) and GFLOP/s = 2*N*Cout*Hout*Wout*Cin*9 / median:
    torch CPU with oneDNN (mkldnn) on and off, and clresample-bench's W21 rows (conv/clblast, conv/general and
    the device's GEMM peak), run here in text mode."""
    n, c, hw, k = 8, 64, 128, 128
    flops = 2.0 * n * k * (hw // 2) ** 2 * c * 9
    print(f"\nW21 dense conv 3x3 s2 p1 64->128 (8x64x128x128 f32 nchw, bias), warm; {THREADS} threads", file=OUT)
    print(f"{'':4} {'':40} {'med ms':>9} {'min ms':>9} {'GFLOP/s':>8}", file=OUT)
    if torch is None:
        print("W21  torch: n/a (not installed)", file=OUT)
    else:
        g = torch.Generator().manual_seed(21)
        x, w = torch.rand(n, c, hw, hw, generator=g), torch.rand(k, c, 3, 3, generator=g) - 0.5
        b = torch.rand(k, generator=g)
        for label, on in (("torch CPU, mkldnn on (oneDNN)", True), ("torch CPU, mkldnn off", False)):
            with torch.backends.mkldnn.flags(enabled=on):
                med, mn = time_it(lambda: F.conv2d(x, w, b, stride=2, padding=1), "warm", None)
            print(f"{'W21':4} {label:40} {med:9.2f} {mn:9.2f} {flops / med / 1e6:8.2f}", file=OUT)
    try:  # onnxruntime's CPU provider (MLAS im2col + SGEMM), where torch is missing or beside it
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper

        rng = np.random.default_rng(21)
        w, b = rng.random((k, c, 3, 3), dtype=np.float32) - 0.5, rng.random(k, dtype=np.float32)
        node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)
        graph = helper.make_graph([node], "w21", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                                [n, c, hw, hw])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, k, hw // 2, hw // 2])],
                                  [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = THREADS, 1
        sess = ort.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
                                    .SerializeToString(), so, providers=["CPUExecutionProvider"])
        xo = rng.random((n, c, hw, hw), dtype=np.float32)
        med, mn = time_it(lambda: sess.run(None, {"x": xo}), "warm", None)
        label = f"onnxruntime {ort.__version__} CPU (MLAS)"
        print(f"{'W21':4} {label:40} {med:9.2f} {mn:9.2f} {flops / med / 1e6:8.2f}", file=OUT)
    except ImportError:
        print("W21  onnxruntime: n/a (not installed)", file=OUT)
    cand = [ARGS.bench, os.environ.get("CLRESAMPLE_BENCH"), "./bench/clresample-bench"]
    exe = next((e for e in cand if e and (e == "clresample" or os.access(e, os.X_OK))), None)
    if exe is None:
        print("W21  clresample: no clresample-bench (--bench PATH)", file=OUT)
        return
    cmd = [exe] + (["bench"] if os.path.basename(exe) == "clresample" else [])
    cmd += ["--workloads", "W21", "--runs", str(ARGS.runs), "--warmup", str(ARGS.warmup), "--warm", "--no-first-call"]
    env = dict(os.environ, POCL_CPU_MAX_CU_COUNT=str(THREADS))
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=False).stdout.decode()
    for line in out.splitlines():
        m = re.match(r"^(W21|peak)\s.*?(conv/\w+)\s+\|\s+([\d.]+)\s+([\d.]+)\s+\|\s+([\d.]+)", line)
        if m:
            label = ("clresample " if m.group(1) == "W21" else "GEMM 1024^3 (1x1 conv) ") + m.group(2)
            print(f"{m.group(1):4} {label:40} {float(m.group(3)):9.2f} {float(m.group(4)):9.2f} "
                  f"{float(m.group(5)):8.2f}", file=OUT)


def main():
    if "W21" in (list(WORKLOADS) if ARGS.workloads == "all" else ARGS.workloads.upper().split(",")):
        dense_conv()
        if ARGS.workloads.upper() == "W21":
            return
    ours, how = run_ours()
    ours_ix = {}
    meta = {}
    for o in ours:
        if o.get("kind") == "op":
            ours_ix[(o["workload"], o["size"], o["layout"], o["mode"])] = o
            meta = o
    sel = list(WORKLOADS) if ARGS.workloads == "all" else [canon_id(s) for s in ARGS.workloads.split(",")]
    sel = [s if s.startswith("W") else "W" + s for s in sel]
    sel = [next((k for k in WORKLOADS if k.upper() == s), s) for s in sel]  # W9A -> W9a
    sel = [s for s in sel if s != "W21"]  # dense_conv()
    sizes = ["small", "large"] if ARGS.size == "all" else [ARGS.size]
    layouts = [False, True] if ARGS.layout == "all" else [ARGS.layout == "nhwc"]
    flush = Flusher(flush_bytes())
    vers = versions()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for wid in sel:
        w = WORKLOADS[wid]
        for size in (["fixed"] if "shape" in w else sizes):
            shape = w.get("shape") or (SMALL if size == "small" else LARGE)
            for nhwc in layouts:
                x_np = make_input(w, shape, nhwc)
                lay = layout_name(shape, nhwc)
                peers = {}
                mks = (("torch", torch_op), ("opencv", opencv_op), ("onednn", onednn_op))
                if w["op"] == "batch":
                    mks += (("opencv_linear", opencv_linear_op),)
                for name, mk in mks:
                    try:
                        f, note = mk(w, x_np, shape, nhwc)
                    except Exception as e:  # a peer that cannot run this workload
                        f, note = None, "n/a (" + str(e).split("\n")[0][:60] + ")"
                    peers[name] = (f, note)
                for mode in ARGS.modes:
                    r = dict(workload=wid, what=w["what"], size=size, layout=lay, mode=mode, dtype=w["dtype"],
                             shape="x".join(map(str, shape)), bytes=moved_bytes(w, shape, x_np), threads=THREADS)
                    if w["op"] == "batch":
                        r["images"] = shape[0]
                    o = ours_ix.get((wid, size, lay, mode), {})
                    mn = ARGS.stat == "min"
                    r["ours_kernel_ms"] = o.get("min_ms" if mn else "median_ms")
                    r["ours_wall_ms"] = o.get("wall_min_ms" if mn else "wall_median_ms")
                    r["ours_host_ms"] = o.get("host_min_ms" if mn else "host_median_ms")
                    r["copy_gbps"] = o.get("copy_gbps")
                    r["ours_status"] = o.get("status", "not run")
                    m0 = cpu_mark()
                    for name, (f, note) in peers.items():
                        if f is None:
                            r[name + "_ms"] = r[name + "_median_ms"] = r[name + "_min_ms"] = None
                        else:
                            try:
                                med, mn_ms = time_it(f, mode, flush)
                                r[name + "_median_ms"], r[name + "_min_ms"] = med, mn_ms
                                r[name + "_ms"] = mn_ms if ARGS.stat == "min" else med
                            except Exception as e:
                                r[name + "_ms"] = r[name + "_median_ms"] = r[name + "_min_ms"] = None
                                note = "n/a (" + str(e).split("\n")[0][:60] + ")"
                        r[name + "_note"] = note
                    r["other_cpu"] = other_cpu(m0, cpu_mark())
                    r["ours_other_cpu"] = o.get("other_cpu")
                    rows.append(r)
                    print_row(r)
                del peers
    print_notes(rows)
    print(f"\nthreads: {THREADS} everywhere (torch.set_num_threads, cv2.setNumThreads, OMP_NUM_THREADS, "
          f"POCL_CPU_MAX_CU_COUNT); {date}", file=OUT)
    print("versions: " + ", ".join(f"{k} {v}" for k, v in vers.items())
          + (f", clresample {meta.get('version')} on {meta.get('device')} (PoCL {meta.get('driver')})" if meta else ""),
          file=OUT)
    print(f"clresample numbers: {how}", file=OUT)
    if ARGS.json:
        json.dump(dict(date=date, threads=THREADS, stat=ARGS.stat, versions=vers, rows=rows), sys.stdout, indent=1)
        print()


OUT = sys.stderr if ARGS.json else sys.stdout
HEADER_DONE = [False]


def print_row(r):
    if not HEADER_DONE[0]:
        HEADER_DONE[0] = True
        print("times in ms, %s of %d runs (%s); ratio = peer time / clresample wall time (> 1: clresample "
              "is faster);\n%%copy = effective GB/s / clresample's copy-kernel GB/s in the same cache state;\n"
              "oth = share of the machine's CPU used by other processes while the peers (and ours) ran\n"
              % (ARGS.stat, ARGS.runs, "+".join(ARGS.modes)), file=OUT)
        print(f"{'id':4} {'size':5} {'lay':5} {'mode':4} | {'ours krn':>8} {'ours wall':>9} {'ours host':>9} | "
              f"{'torch':>8} {'opencv':>8} {'oneDNN':>8} | {'t/ours':>6} {'cv/ours':>7} {'dn/ours':>7} | "
              f"{'%copy: ours':>11} {'torch':>5} {'cv2':>5} {'dnnl':>5} | {'oth':>4} {'(ours)':>6}", file=OUT)
    wall = r["ours_wall_ms"]

    def ratio(x):
        return f"{x / wall:6.2f}" if x and wall else f"{'n/a':>6}"

    def pct(ms):
        if not ms or not r["copy_gbps"]:
            return f"{'-':>5}"
        return f"{100 * r['bytes'] / (ms * 1e-3) / 1e9 / r['copy_gbps']:4.0f}%"
    print(f"{r['workload']:4} {r['size']:5} {r['layout']:5} {r['mode']:4} | {fmt(r['ours_kernel_ms'])} "
          f"{fmt(r['ours_wall_ms'], 9)} {fmt(r['ours_host_ms'], 9)} | {fmt(r['torch_ms'])} {fmt(r['opencv_ms'])} "
          f"{fmt(r['onednn_ms'])} | {ratio(r['torch_ms'])} {ratio(r['opencv_ms']):>7} {ratio(r['onednn_ms']):>7} | "
          f"{pct(r['ours_kernel_ms']):>11} {pct(r['torch_ms'])} {pct(r['opencv_ms'])} {pct(r['onednn_ms'])} | "
          f"{share(r['other_cpu']):>4} {share(r['ours_other_cpu']):>6}",
          file=OUT, flush=True)
    if r.get("images"):  # a batch workload: images/s of each
        def ips(ms):
            return f"{r['images'] / (ms * 1e-3):.0f}" if ms else "n/a"
        print(f"     images/s: ours kernel {ips(r['ours_kernel_ms'])}, wall {ips(r['ours_wall_ms'])}, "
              f"host {ips(r['ours_host_ms'])} | torch {ips(r['torch_ms'])} | cv2 INTER_AREA "
              f"{ips(r['opencv_ms'])}, INTER_LINEAR {ips(r.get('opencv_linear_ms'))}", file=OUT, flush=True)


def wl_order(wid):
    """W9a -> (9, 'a'): numeric order, then the letter."""
    m = re.match(r"W(\d+)(.*)", wid)
    return (int(m.group(1)), m.group(2)) if m else (0, wid)


def share(x):
    return f"{100 * x:3.0f}%" if isinstance(x, (int, float)) else "-"


def print_notes(rows):
    seen = {}
    for r in rows:
        for p in ("torch", "opencv", "opencv_linear", "onednn"):
            n = r.get(p + "_note")
            if n:
                seen.setdefault((r["workload"], p), n)
    if seen:
        print("\nnotes:", file=OUT)
        for (wid, p), n in sorted(seen.items(), key=lambda kv: (wl_order(kv[0][0]), kv[0][1])):
            print(f"  {wid:4} {p:7} {n}", file=OUT)


if __name__ == "__main__":
    main()
