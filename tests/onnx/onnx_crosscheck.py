#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Random cases nobody chose in advance: `clresample onnx` against ONNX's
reference evaluator (onnx.reference) and, where it runs the case,
onnxruntime. Test-time only (pip install onnx onnxruntime numpy); CI does
not run it.

    python3 tests/onnx/onnx_crosscheck.py --cli ./clresample [--cases 40] [--seed 1] [--ops Resize,MaxPool]

For every op, --cases random attribute sets and inputs; prints one line per
disagreement and a summary per op: cases, agree with the reference, agree
with onnxruntime (of those it ran), refused by clresample (exit 2: an
attribute combination it rejects; each listed). Exit 1 on any disagreement
with the reference.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

try:
    import onnxruntime as ort  # noqa: E402
except ImportError:  # pragma: no cover
    ort = None

RTOL, ATOL = 1e-4, 1e-5
F32 = TensorProto.FLOAT


def fmt(v):
    if isinstance(v, (list, tuple)):
        return ",".join(fmt(x) for x in v)
    if isinstance(v, float):
        return repr(float(np.float32(v)))
    return str(v)


class Case:
    def __init__(self, op, inputs, attrs, nout=1, opset=None, exact=False, int_inputs=()):
        self.op, self.inputs, self.attrs, self.nout = op, inputs, attrs, nout
        self.opset, self.exact, self.int_inputs = opset, exact, int_inputs


def rnd_pool(rng, op):
    sp = int(rng.integers(1, 4))
    shape = [int(rng.integers(1, 3)), int(rng.integers(1, 4))] + [int(rng.integers(3, 9 if sp < 3 else 6)) for _ in range(sp)]
    k = [int(rng.integers(1, 4)) for _ in range(sp)]
    a = {"kernel_shape": k}
    if rng.random() < 0.6:
        a["strides"] = [int(rng.integers(1, 4)) for _ in range(sp)]
    if rng.random() < 0.4 and op != "AveragePool_old":
        a["dilations"] = [int(rng.integers(1, 3)) for _ in range(sp)]
    r = rng.random()
    if r < 0.3:
        a["auto_pad"] = str(rng.choice(["SAME_UPPER", "SAME_LOWER", "VALID"]))
    elif r < 0.7:
        a["pads"] = [int(rng.integers(0, kk)) for kk in k] + [int(rng.integers(0, kk)) for kk in k]
    if rng.random() < 0.3 and "auto_pad" not in a:
        a["ceil_mode"] = 1
    x = rng.standard_normal(shape).astype(np.float32)
    nout = 1
    if op == "AveragePool" and rng.random() < 0.5:
        a["count_include_pad"] = 1
    if op == "LpPool":
        a["p"] = int(rng.integers(1, 4))
    if op == "MaxPool":
        if rng.random() < 0.5:
            nout = 2
            if sp == 2 and rng.random() < 0.5:
                a["storage_order"] = 1
        if rng.random() < 0.2:
            x[tuple(rng.integers(0, s) for s in shape)] = np.nan
    # every output length >= 1
    return Case(op, [x], a, nout, exact=op == "MaxPool")


def rnd_global(rng, op):
    sp = int(rng.integers(1, 4))
    shape = [int(rng.integers(1, 3)), int(rng.integers(1, 4))] + [int(rng.integers(1, 7)) for _ in range(sp)]
    a = {}
    if op == "GlobalLpPool":
        a["p"] = int(rng.integers(1, 4))
    return Case(op, [rng.standard_normal(shape).astype(np.float32)], a, exact=op == "GlobalMaxPool")


def rnd_d2s(rng, op):
    b = int(rng.integers(1, 4))
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    h, w = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    a = {"blocksize": b}
    if op == "DepthToSpace":
        x = rng.standard_normal((n, c * b * b, h, w)).astype(np.float32)
        a["mode"] = str(rng.choice(["DCR", "CRD"]))
    else:
        x = rng.standard_normal((n, c, h * b, w * b)).astype(np.float32)
    return Case(op, [x], a, exact=True)


COORD = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
         "tf_crop_and_resize"]


def rnd_resize(rng, op):
    sp = int(rng.integers(1, 4))
    shape = [int(rng.integers(1, 3)), int(rng.integers(1, 3))] + [int(rng.integers(1, 9)) for _ in range(sp)]
    rank = len(shape)
    mode = str(rng.choice(["nearest", "linear", "cubic"]))
    a = {"mode": mode}
    ctm = str(rng.choice(COORD))
    a["coordinate_transformation_mode"] = ctm
    if mode == "nearest":
        a["nearest_mode"] = str(rng.choice(["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]))
    if mode == "cubic":
        if rng.random() < 0.5:
            a["cubic_coeff_a"] = float(rng.choice([-0.5, -0.75, -0.6]))
        if rng.random() < 0.4:
            a["exclude_outside"] = 1
    if mode != "nearest" and rng.random() < 0.3:
        a["antialias"] = 1
    # axes: the spatial ones, sometimes given explicitly (maybe reordered)
    axes = list(range(2, rank))
    if rng.random() < 0.3:
        rng.shuffle(axes)
        a["axes"] = [int(x) for x in axes]
    x = rng.standard_normal(shape).astype(np.float32)
    if ctm == "tf_crop_and_resize":
        lo = rng.uniform(-0.3, 0.5, len(axes))
        hi = rng.uniform(0.5, 1.3, len(axes))
        roi = np.concatenate([lo, hi]).astype(np.float32)
        a["extrapolation_value"] = float(np.float32(rng.choice([0.0, -1.5, 10.0])))
    else:
        roi = None
    if rng.random() < 0.5:
        scales = np.array([float(np.float32(rng.choice([0.5, 0.6, 0.75, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0])))
                           for _ in axes], np.float32)
        if "axes" not in a:
            scales = np.concatenate([np.ones(2, np.float32), scales])
        sizes = None
    else:
        sizes = np.array([int(rng.integers(1, 13)) for _ in axes], np.int64)
        if "axes" not in a:
            sizes = np.concatenate([np.array(shape[:2], np.int64), sizes])
        scales = None
        if rng.random() < 0.3 and len(axes) > 1:
            a["keep_aspect_ratio_policy"] = str(rng.choice(["not_larger", "not_smaller"]))
    if roi is not None and "axes" not in a:
        roi = np.concatenate([np.zeros(2, np.float32), roi[:len(axes)], np.ones(2, np.float32), roi[len(axes):]])
    inputs = [x, roi, scales, sizes]
    while inputs and inputs[-1] is None:
        inputs.pop()
    return Case(op, inputs, a, exact=mode == "nearest", opset=19)


def rnd_grid(rng, op):
    five = rng.random() < 0.3
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    sp = 3 if five else 2
    ins = [int(rng.integers(1, 7)) for _ in range(sp)]
    outs = [int(rng.integers(1, 6)) for _ in range(sp)]
    x = rng.standard_normal([n, c] + ins).astype(np.float32)
    g = rng.uniform(-1.3, 1.3, [n] + outs + [sp]).astype(np.float32)
    modes = ["linear", "nearest"] + ([] if five else ["cubic"])
    a = {"mode": str(rng.choice(modes)), "padding_mode": str(rng.choice(["zeros", "border", "reflection"])),
         "align_corners": int(rng.integers(0, 2))}
    return Case(op, [x, g], a, exact=a["mode"] == "nearest")


def rnd_affine(rng, op):
    five = rng.random() < 0.4
    n = int(rng.integers(1, 3))
    theta = rng.standard_normal((n, 3, 4) if five else (n, 2, 3)).astype(np.float32)
    size = [n, int(rng.integers(1, 3))] + [int(rng.integers(1, 6)) for _ in range(3 if five else 2)]
    return Case(op, [theta, np.array(size, np.int64)], {"align_corners": int(rng.integers(0, 2))})


def rnd_unpool(rng, op):
    sp = int(rng.integers(1, 3))
    k = [int(rng.integers(1, 4)) for _ in range(sp)]
    s = [int(rng.integers(1, 3)) for _ in range(sp)]
    shape = [1, int(rng.integers(1, 3))] + [int(rng.integers(4, 8)) for _ in range(sp)]
    x = rng.standard_normal(shape).astype(np.float32)
    pool = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=k, strides=s)
    g = helper.make_graph([pool], "g", [helper.make_tensor_value_info("x", F32, None)],
                          [helper.make_tensor_value_info("y", F32, None),
                           helper.make_tensor_value_info("i", TensorProto.INT64, None)])
    y, i = ReferenceEvaluator(helper.make_model(g)).run(None, {"x": x})
    inputs = [y, i]
    if rng.random() < 0.5:
        inputs.append(np.array(shape, np.int64))
    return Case(op, inputs, {"kernel_shape": k, "strides": s}, exact=True)


def rnd_conv(rng, op):
    """Conv: every attribute. ConvTranspose: the forms onnx.reference computes
    correctly (no output_padding; group 1, or one input and output channel per
    group without B; see docs/onnx.md), output_shape within the natural size +-1."""
    sp = int(rng.integers(1, 4))
    g = int(rng.choice([1, 1, 2, 3]))
    ks = [int(rng.integers(1, 4)) for _ in range(sp)]
    s = [int(rng.integers(1, 4)) for _ in range(sp)]
    d = [int(rng.integers(1, 3)) for _ in range(sp)]
    xs = [int(rng.integers(max(ks) * max(d), 9 if sp < 3 else 7)) for _ in range(sp)]
    a = {"strides": s, "dilations": d, "group": g}
    if rng.random() < 0.4:
        a["kernel_shape"] = ks
    r = rng.random()
    if r < 0.4:
        a["auto_pad"] = str(rng.choice(["SAME_UPPER", "SAME_LOWER", "VALID"]))
    elif r < 0.8:
        a["pads"] = [int(rng.integers(0, k)) for k in ks + ks]
    if op == "Conv":
        cg, m = int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
        x = rng.standard_normal((int(rng.integers(1, 3)), cg * g, *xs)).astype(np.float32)
        w = rng.standard_normal((m, cg, *ks)).astype(np.float32)
        withb = rng.random() < 0.5
    else:
        m = g if g > 1 else int(rng.integers(1, 3))
        x = rng.standard_normal((int(rng.integers(1, 3)), g, *xs)).astype(np.float32)
        w = rng.standard_normal((g, m // g, *ks)).astype(np.float32)
        withb = g == 1 and rng.random() < 0.5
        if rng.random() < 0.3 and "pads" not in a:
            nat = [s[i] * (xs[i] - 1) + (ks[i] - 1) * d[i] + 1 for i in range(sp)]
            a["output_shape"] = [nat[i] - int(rng.integers(0, 2)) for i in range(sp)]
    inputs = [x, w] + ([rng.standard_normal(m).astype(np.float32)] if withb else [])
    return Case(op, inputs, a)


GEN = {"MaxPool": rnd_pool, "AveragePool": rnd_pool, "LpPool": rnd_pool, "GlobalMaxPool": rnd_global,
       "GlobalAveragePool": rnd_global, "GlobalLpPool": rnd_global, "DepthToSpace": rnd_d2s,
       "SpaceToDepth": rnd_d2s, "Resize": rnd_resize, "GridSample": rnd_grid, "AffineGrid": rnd_affine,
       "MaxUnpool": rnd_unpool, "Conv": rnd_conv, "ConvTranspose": rnd_conv}


def model_of(case):
    names = []
    vis = []
    for k, t in enumerate(case.inputs):
        if t is None:
            names.append("")
            continue
        nm = "in%d" % k
        names.append(nm)
        vis.append(helper.make_tensor_value_info(nm, helper.np_dtype_to_tensor_dtype(t.dtype), list(t.shape)))
    outs = ["out%d" % k for k in range(case.nout)]
    node = helper.make_node(case.op, names, outs, **case.attrs)
    ovis = [helper.make_tensor_value_info(o, F32 if k == 0 else TensorProto.INT64, None) for k, o in enumerate(outs)]
    g = helper.make_graph([node], "g", vis, ovis)
    opsets = [helper.make_opsetid("", case.opset or 22)]
    m = helper.make_model(g, opset_imports=opsets)
    m.ir_version = 10
    return m, {n: t for n, t in zip(names, case.inputs) if n}


def close(a, b, exact):
    if a.shape != b.shape:
        return False
    if exact or a.dtype.kind != "f":
        return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="./clresample")
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default=",".join(GEN))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    bad_total = 0
    with tempfile.TemporaryDirectory() as td:
        for op in args.ops.split(","):
            n = agree = ort_n = ort_agree = refused = ref_fail = 0
            for it in range(args.cases):
                case = GEN[op](rng, op)
                m, feeds = model_of(case)
                try:
                    ref = ReferenceEvaluator(m).run(None, feeds)
                except Exception as e:  # noqa: BLE001
                    ref_fail += 1
                    if args.verbose:
                        print("  reference refused %s %s: %s" % (op, case.attrs, str(e)[:120]))
                    continue
                n += 1
                argv = [args.cli, "onnx", op]
                for k, t in enumerate(case.inputs):
                    if t is None:
                        argv.append("")
                    else:
                        p = os.path.join(td, "in%d.npy" % k)
                        np.save(p, t)
                        argv.append(p)
                outs = [os.path.join(td, "out%d.npy" % k) for k in range(case.nout)]
                argv += ["-o"] + outs + ["--opset", str(case.opset or 22)]
                for k, v in case.attrs.items():
                    argv += ["--" + k, fmt(v)]
                for o in outs:
                    if os.path.exists(o):
                        os.unlink(o)
                r = subprocess.run(argv, capture_output=True, text=True)
                if r.returncode == 2:
                    refused += 1
                    print("  refused: %s %s: %s" % (op, case.attrs, r.stderr.strip()[:200]))
                    continue
                if r.returncode != 0:
                    bad_total += 1
                    print("FAIL %s %s: exit %d %s" % (op, case.attrs, r.returncode, r.stderr.strip()[:200]))
                    continue
                got = [np.load(o) for o in outs]
                ok = all(close(np.asarray(e), g, case.exact) for e, g in zip(ref, got))
                if ok:
                    agree += 1
                else:
                    bad_total += 1
                    e, g = np.asarray(ref[0]), got[0]
                    d = (np.nanmax(np.abs(e.astype(np.float64) - g)) if e.shape == g.shape else "shape %s vs %s"
                         % (g.shape, e.shape))
                    print("FAIL %s %s shapes %s: differs from onnx.reference (%s)"
                          % (op, case.attrs, [t.shape if t is not None else None for t in case.inputs], d))
                if ort is not None:
                    try:
                        so = ort.SessionOptions()
                        so.log_severity_level = 4
                        sess = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
                        res = sess.run(None, feeds)
                        ort_n += 1
                        if all(close(np.asarray(e), g, case.exact) for e, g in zip(res, got)):
                            ort_agree += 1
                        elif args.verbose:
                            print("  onnxruntime differs: %s %s" % (op, case.attrs))
                    except Exception:  # noqa: BLE001
                        pass
            print("%-18s %3d cases: %3d agree with onnx.reference, %3d/%3d with onnxruntime, %d refused"
                  " (exit 2), %d the reference itself refused" % (op, n, agree, ort_agree, ort_n, refused, ref_fail))
    print("onnx %s, onnxruntime %s, numpy %s" % (onnx.__version__, ort.__version__ if ort else "-", np.__version__))
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main())
