#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for ONNX Resize / Upsample (tests/test_onnx_resize.c).

Writes tests/golden/onnx_resize.txt (the manifest, one case a line, format of
tests/golden/README.md) and the arrays it points into:
tests/golden/onnx_resize/data32.npy (float32: every f32/f16/bf16/u8 case's
input X and expected Y, flattened, values exact in their dtype) and
data64.npy (the f64 cases'). Tokens: x=/y= element offsets into the file
named by data=, xshape=/yshape=, and the operator's attributes and inputs
(`-` = not given).

Sources of the expected outputs:
  * ONNX's own node test cases (onnx.backend.test.case.node, op types Resize
    and Upsample): their stored outputs;
  * random cases over every attribute combination, run by
    onnx.reference.ReferenceEvaluator (computes in float64, casts to X's
    dtype: np.round + saturate for uint8);
  * opset-11 tf_half_pixel_for_nn and opset-10 Resize (the reference does
    not implement them): onnxruntime, when installed.

  python3 tests/golden/gen_onnx_resize.py          # write the files
  python3 tests/golden/gen_onnx_resize.py --ort    # also: reference vs onnxruntime agreement
"""
import argparse
import itertools
import os
import sys
import warnings
import zlib

import numpy as np

warnings.filterwarnings("ignore")
import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402
from onnx.reference.ops import op_resize  # noqa: E402

# The reference receives cubic_coeff_a as a numpy float32 (a FLOAT
# attribute), which makes its cubic coefficients float32 arithmetic; the
# random vectors use the same (float32-rounded) value as a Python float, so
# that the f64 cases are float64 maths throughout. Installed after the node
# cases are collected (their expected outputs are computed on collection).
_ref_run = op_resize.Resize._run


def _run_f64_a(self, *args, **kwargs):
    if kwargs.get("cubic_coeff_a") is not None:
        kwargs["cubic_coeff_a"] = float(kwargs["cubic_coeff_a"])
    return _ref_run(self, *args, **kwargs)

try:
    import ml_dtypes
except ImportError:  # pragma: no cover
    ml_dtypes = None

HERE = os.path.dirname(os.path.abspath(__file__))
OUTDIR = os.path.join(HERE, "onnx_resize")
MANIFEST = os.path.join(HERE, "onnx_resize.txt")

NP = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "u8": np.uint8}
if ml_dtypes is not None:
    NP["bf16"] = ml_dtypes.bfloat16
TP = {"f32": TensorProto.FLOAT, "f64": TensorProto.DOUBLE, "f16": TensorProto.FLOAT16,
      "bf16": TensorProto.BFLOAT16, "u8": TensorProto.UINT8}


def fmt_list(v, floats=False):
    if v is None:
        return "-"
    v = list(v)
    if not v:
        return "-"
    if floats:
        return ",".join(repr(float(a)) for a in v)
    return ",".join(str(int(a)) for a in v)


def make_model(op, opset, dtype, rank, attrs, roi, scales, sizes, roi_dt=TensorProto.FLOAT):
    inputs = [helper.make_tensor_value_info("X", TP[dtype], [None] * rank)]
    names = ["X"]
    if op == "Upsample" and opset < 9:
        node = helper.make_node(op, ["X"], ["Y"], scales=[float(s) for s in scales], **attrs)
        feeds = {}
    else:
        feeds = {}
        if op == "Upsample" or opset == 10:
            names.append("scales")
            inputs.append(helper.make_tensor_value_info("scales", TensorProto.FLOAT, [len(scales)]))
            feeds["scales"] = np.array(scales, np.float32)
        else:
            if roi is not None:
                names.append("roi")
                inputs.append(helper.make_tensor_value_info("roi", roi_dt, [len(roi)]))
                feeds["roi"] = np.array(roi, np.float32 if roi_dt == TensorProto.FLOAT else np.float64)
            else:
                names.append("")
            if scales is not None:
                names.append("scales")
                inputs.append(helper.make_tensor_value_info("scales", TensorProto.FLOAT, [len(scales)]))
                feeds["scales"] = np.array(scales, np.float32)
            else:
                names.append("")
                names.append("sizes")
                inputs.append(helper.make_tensor_value_info("sizes", TensorProto.INT64, [len(sizes)]))
                feeds["sizes"] = np.array(sizes, np.int64)
        node = helper.make_node(op, names, ["Y"], **attrs)
    graph = helper.make_graph([node], "g", inputs, [helper.make_tensor_value_info("Y", TP[dtype], None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 9 if opset >= 19 else 8
    return model, feeds


class Writer:
    def __init__(self):
        self.d32, self.d64, self.lines, self.n32, self.n64 = [], [], [], 0, 0

    def put(self, arr, f64):
        flat = np.asarray(arr).astype(np.float64 if f64 else np.float32).ravel()
        if f64:
            off = self.n64
            self.d64.append(flat)
            self.n64 += flat.size
        else:
            off = self.n32
            self.d32.append(flat)
            self.n32 += flat.size
        return off

    def case(self, name, op, opset, dtype, x, y, attrs, roi, scales, sizes, source):
        f64 = dtype == "f64"
        xo = self.put(x, f64)
        yo = self.put(y, f64)
        a = dict(attrs)
        tok = [f"name={name}", f"op={op}", f"opset={opset}", f"dtype={dtype}",
               f"xshape={fmt_list(x.shape) if x.ndim else '-'}", f"yshape={fmt_list(y.shape)}",
               f"data={'64' if f64 else '32'}", f"x={xo}", f"y={yo}",
               f"mode={a.get('mode', '-')}",
               f"ctm={a.get('coordinate_transformation_mode', '-')}",
               f"nearest_mode={a.get('nearest_mode', '-')}",
               f"cubic_coeff_a={repr(float(np.float32(a['cubic_coeff_a']))) if 'cubic_coeff_a' in a else '-'}",
               f"exclude_outside={a.get('exclude_outside', '-')}",
               f"extrapolation_value={repr(float(np.float32(a['extrapolation_value']))) if 'extrapolation_value' in a else '-'}",
               f"antialias={a.get('antialias', '-')}",
               f"policy={a.get('keep_aspect_ratio_policy', '-')}",
               f"axes={fmt_list(a.get('axes'))}",
               f"roi={fmt_list(roi, True)}", f"scales={fmt_list(scales, True)}", f"sizes={fmt_list(sizes)}",
               f"src={source}"]
        line = " ".join(tok)
        assert len(line) < 2000, line
        self.lines.append(line)

    def write(self, header):
        os.makedirs(OUTDIR, exist_ok=True)
        np.save(os.path.join(OUTDIR, "data32.npy"),
                np.concatenate(self.d32) if self.d32 else np.zeros(0, np.float32))
        np.save(os.path.join(OUTDIR, "data64.npy"),
                np.concatenate(self.d64) if self.d64 else np.zeros(0, np.float64))
        with open(MANIFEST, "w") as f:
            f.write("\n".join(header) + "\n" + "\n".join(self.lines) + "\n")


def node_cases(w):
    from onnx.backend.test.case.node import collect_testcases
    n = 0
    for c in collect_testcases():
        node = c.model.graph.node[0]
        if node.op_type not in ("Resize", "Upsample"):
            continue
        opset = c.model.opset_import[0].version
        ins, outs = c.data_sets[0]
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        for k, v in list(attrs.items()):
            if isinstance(v, bytes):
                attrs[k] = v.decode()
        x = ins[0]
        feed = dict(zip([i.name for i in c.model.graph.input], ins))
        roi = feed.get("roi")
        scales = feed.get("scales")
        sizes = feed.get("sizes")
        if node.op_type == "Upsample" and scales is None:
            scales = attrs.pop("scales", None)
        dt = {np.float32: "f32", np.float64: "f64", np.uint8: "u8", np.float16: "f16"}[x.dtype.type]
        w.case(c.name[len("test_"):], node.op_type, opset, dt, x, outs[0], attrs, roi, scales, sizes, "onnx-node")
        n += 1
    return n


def rand_x(rng, dtype, shape):
    if dtype == "u8":
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    v = rng.uniform(-4.0, 4.0, size=shape)
    if dtype in ("f16", "bf16"):
        v = np.round(v * 64.0) / 64.0  # exact in both
    return v.astype(NP[dtype])


def run_ref(model, x, feeds):
    ref = ReferenceEvaluator(model)
    return ref.run(None, dict(feeds, X=x))[0]


def run_ort(model, x, feeds):
    import onnxruntime as ort
    ort.set_default_logger_severity(4)
    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return s.run(None, dict(feeds, X=x))[0]


def random_cases(w, want_ort):
    rng = np.random.default_rng(zlib.crc32(b"onnx_resize"))
    coords = ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
              "tf_crop_and_resize"]
    nmodes = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
    combos = []
    for coord in coords:
        for nm in nmodes:
            combos.append(dict(mode="nearest", coordinate_transformation_mode=coord, nearest_mode=nm))
        for aa in (0, 1):
            combos.append(dict(mode="linear", coordinate_transformation_mode=coord, antialias=aa))
            combos.append(dict(mode="linear", coordinate_transformation_mode=coord, antialias=aa, exclude_outside=1))
            for a, ex in ((-0.75, 0), (-0.5, 1), (-0.6, 0), (-0.75, 1)):
                combos.append(dict(mode="cubic", coordinate_transformation_mode=coord, antialias=aa,
                                   cubic_coeff_a=a, exclude_outside=ex))
    stats = {"cases": 0, "ort_same": 0, "ort_diff": [], "ort_refused": 0}
    k = 0
    for combo in combos:
        for rep in range(3):
            k += 1
            dtype = ["f32", "f32", "f32", "f64", "f16", "bf16", "u8"][k % 7]
            if dtype == "bf16" and ml_dtypes is None:
                dtype = "f32"
            rank = [4, 3, 4, 5, 2, 1, 4][(k // 7 + rep) % 7]
            shape = [int(v) for v in rng.integers(1, 6, size=rank)]
            if rank >= 3:
                shape[0] = int(rng.integers(1, 3))
            # resized axes: spatial, sometimes N or C, as an axes list (opset 18+)
            spatial = list(range(2, rank)) if rank >= 3 else list(range(rank))
            use_axes = rank >= 2 and rng.random() < 0.45
            if use_axes:
                cand = list(range(rank))
                na = int(rng.integers(1, min(3, rank) + 1))
                axes = [int(a) for a in rng.choice(cand, size=na, replace=False)]
                axes = [a - rank if rng.random() < 0.3 else a for a in axes]
                res = [a % rank for a in axes]
            else:
                axes = None
                res = list(range(rank))
            for d in res:
                shape[d] = int(rng.integers(2, 7))
            n_res = len(res)
            by_sizes = rng.random() < 0.5
            policy = None
            attrs = dict(combo)
            if attrs.get("antialias") == 0:
                del attrs["antialias"]
            if by_sizes:
                sizes = []
                for i, d in enumerate(res):
                    if axes is None and d not in spatial:
                        sizes.append(shape[d])
                    else:
                        sizes.append(int(rng.integers(1, 10)))
                scales = None
                if rng.random() < 0.3:
                    policy = ["not_larger", "not_smaller"][int(rng.integers(0, 2))]
                    attrs["keep_aspect_ratio_policy"] = policy
            else:
                sizes = None
                scales = []
                for i, d in enumerate(res):
                    if axes is None and d not in spatial:
                        scales.append(1.0)
                    else:
                        scales.append(float(np.float32(rng.choice([0.5, 0.6, 0.75, 1.3, 1.5, 1.7, 2.0, 2.5, 3.0,
                                                                    0.34, 0.8]))))
            roi = None
            if combo["coordinate_transformation_mode"] == "tf_crop_and_resize":
                lo = rng.choice([0.0, 0.125, -0.25, 0.25, 0.5], size=n_res)
                hi = rng.choice([1.0, 0.75, 1.25, 0.875, 0.5], size=n_res)
                roi = [float(v) for v in np.concatenate([lo, hi])]
                attrs["extrapolation_value"] = float(rng.choice([0.0, 10.0, -1.5]))
            if axes is not None:
                attrs["axes"] = axes
            x = rand_x(rng, dtype, shape)
            # the reference takes roi as float32 when so typed; give double
            # the reference does not normalise negative axes (np.transpose
            # fails): it gets them as r + a; the manifest keeps them negative
            rattrs = dict(attrs)
            if axes is not None:
                rattrs["axes"] = [a % rank for a in axes]
            model, feeds = make_model("Resize", 19, dtype, rank, rattrs, roi, scales, sizes,
                                      roi_dt=TensorProto.DOUBLE)
            try:
                y = run_ref(model, x, feeds)
            except Exception as e:  # noqa: BLE001
                print("reference failed:", attrs, shape, scales, sizes, e, file=sys.stderr)
                continue
            y = np.asarray(y)
            if y.size > 4096:
                continue
            name = f"rand_{k:03d}_{combo['mode']}_{combo['coordinate_transformation_mode']}"
            w.case(name, "Resize", 19, dtype, x, y, attrs, roi, scales, sizes, "reference")
            stats["cases"] += 1
            if want_ort:
                try:
                    omodel, ofeeds = make_model("Resize", 19, dtype, rank, attrs, roi, scales, sizes)
                    yo = run_ort(omodel, x, ofeeds)
                    tol = 1e-4 if dtype in ("f32", "f64") else (1 if dtype == "u8" else 2e-2)
                    if y.shape == yo.shape and np.allclose(y.astype(np.float64), yo.astype(np.float64),
                                                           rtol=tol, atol=tol):
                        stats["ort_same"] += 1
                    else:
                        stats["ort_diff"].append((name, attrs, x.shape, scales, sizes, y.shape, yo.shape))
                except Exception:  # noqa: BLE001 (dtype or axes onnxruntime does not implement)
                    stats["ort_refused"] += 1
    return stats


def ort_only_cases(w):
    """Modes the reference does not implement: onnxruntime's results."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return 0
    rng = np.random.default_rng(zlib.crc32(b"onnx_resize_ort"))
    n = 0
    for nm in ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"):
        for scales in ([1.0, 1.0, 1.5, 2.0], [1.0, 1.0, 0.6, 0.75], [1.0, 1.0, 2.5, 0.5]):
            x = rand_x(rng, "f32", [1, 2, 4, 5])
            attrs = dict(mode="nearest", coordinate_transformation_mode="tf_half_pixel_for_nn", nearest_mode=nm)
            model, feeds = make_model("Resize", 11, "f32", 4, attrs, [], scales, None)
            feeds["roi"] = np.zeros(0, np.float32)
            y = run_ort(model, x, feeds)
            w.case(f"ort11_tf_half_pixel_for_nn_{nm}_{n}", "Resize", 11, "f32", x, y, attrs, None, scales, None, "onnxruntime")
            n += 1
    for mode in ("nearest", "linear"):
        for scales in ([1.0, 1.0, 1.5, 2.0], [1.0, 1.0, 0.6, 0.75], [1.0, 1.0, 2.5, 0.5], [1.0, 2.0, 1.0, 1.7]):
            x = rand_x(rng, "f32", [1, 2, 4, 5])
            model, feeds = make_model("Resize", 10, "f32", 4, dict(mode=mode), None, scales, None)
            try:
                y = run_ort(model, x, feeds)
            except Exception:  # noqa: BLE001 (onnxruntime: linear on 4-D resizes H, W only)
                continue
            w.case(f"ort10_{mode}_{n}", "Resize", 10, "f32", x, y, dict(mode=mode), None, scales, None, "onnxruntime")
            n += 1
            for uops in (7, 9):
                if min(scales) < 1.0:
                    continue
                model, feeds = make_model("Upsample", uops, "f32", 4, dict(mode=mode), None, scales, None)
                try:
                    y = run_ort(model, x, feeds)
                except Exception:  # noqa: BLE001
                    continue
                w.case(f"ort_upsample{uops}_{mode}_{n}", "Upsample", uops, "f32", x, y, dict(mode=mode), None,
                       scales, None, "onnxruntime")
                n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ort", action="store_true", help="report reference vs onnxruntime agreement")
    args = ap.parse_args()
    w = Writer()
    nn = node_cases(w)
    op_resize.Resize._run = _run_f64_a
    stats = random_cases(w, args.ort)
    no = ort_only_cases(w)
    try:
        import onnxruntime
        ortv = onnxruntime.__version__
    except ImportError:
        ortv = "-"
    header = [
        f"# generated by tests/golden/gen_onnx_resize.py with onnx {onnx.__version__} numpy {np.__version__}"
        f" onnxruntime {ortv}",
        "# family: onnx_resize; format: tests/golden/README.md. One case per line, key=value tokens;",
        "# '-' = not given. x=/y= are element offsets into onnx_resize/data<data>.npy (flattened, C order).",
        f"# {nn} ONNX node test cases (src=onnx-node), {stats['cases']} random cases from",
        "# onnx.reference.ReferenceEvaluator (src=reference, float64 maths cast to X's dtype),",
        f"# {no} cases from onnxruntime (src=onnxruntime: opset-10 Resize, Upsample, tf_half_pixel_for_nn).",
        "# ---",
    ]
    w.write(header)
    print(f"{nn} node cases, {stats['cases']} random, {no} onnxruntime; data32 {w.n32} data64 {w.n64} elements")
    if args.ort:
        ran = stats["cases"] - stats["ort_refused"]
        print(f"reference vs onnxruntime: {stats['ort_same']} of {ran} run agree "
              f"({stats['ort_refused']} refused by onnxruntime)")
        for d in stats["ort_diff"]:
            print("  differ:", d)


if __name__ == "__main__":
    main()
