#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for clresample's ONNX pooling, unpooling and depth/space
operators (include/clresample/onnx.h, src/ops/onnx_pool.c): writes
tests/golden/onnx_pool.txt (manifest, the format of tests/golden/README.md)
and tests/golden/onnx_pool/*.npy.

Two sources:
  node  ONNX's own node test cases (onnx.backend.test.case.node) for MaxPool,
        AveragePool, LpPool, Global*Pool, MaxUnpool, DepthToSpace and
        SpaceToDepth, as ONNX ships them (expected outputs included);
        cases whose input is larger than MAX_NODE_ELEMS are left out (the
        lead's tests/onnx/ carries them for the CLI).
  ref   random cases run through onnx.reference.ReferenceEvaluator.

Every pooling case is also computed by `spec_pool` below (the ONNX operator
docs' rules; the semantics the library implements). A random case where
onnx.reference disagrees with it is not written; it is counted in the
manifest header by reason (known onnx.reference defects: a ceil_mode
window that needs 2+ extra pad elements shifts every window (the extra pad
is split over both ends); SAME_* / VALID auto_pad ignores dilations in the
common path; MaxPool's strided/dilated path puts SAME_LOWER's odd pad at the
end). onnxruntime (when importable) runs every case too and the manifest
header reports how many agree (--no-ort to skip).

Usage: python3 tests/golden/gen_onnx_pool.py [--no-ort]
"""
import os
import sys
import zlib
import argparse
import itertools

import numpy as np
import onnx
from onnx import helper, TensorProto
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
SUB = "onnx_pool"
OUTDIR = os.path.join(HERE, SUB)
MAX_NODE_ELEMS = 4096
OPSET = 22  # pooling; DepthToSpace / SpaceToDepth: 28 (SpaceToDepth's mode)

NP2DT = {np.dtype("float32"): "f32", np.dtype("float64"): "f64", np.dtype("float16"): "f16",
         np.dtype("uint8"): "u8", np.dtype("int64"): "i64"}
TP = {np.dtype("float32"): TensorProto.FLOAT, np.dtype("float64"): TensorProto.DOUBLE,
      np.dtype("float16"): TensorProto.FLOAT16, np.dtype("uint8"): TensorProto.UINT8,
      np.dtype("int64"): TensorProto.INT64}

files = {}


def save(name, arr):
    files[name] = np.ascontiguousarray(arr)
    return f"{SUB}/{name}"


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def lst(v):
    return ",".join(str(int(t)) for t in v)


# ---- the semantics the library implements ------------------------------------------
def spec_shape(op, ins, k, s, pads, d, auto_pad, ceil):
    sp = len(ins)
    out, pb, pe = [], [], []
    for i in range(sp):
        eff = d[i] * (k[i] - 1) + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            o = (ins[i] - 1) // s[i] + 1
            tot = max(0, (o - 1) * s[i] + eff - ins[i])
            small, big = tot // 2, tot - tot // 2
            b, e = (small, big) if auto_pad == "SAME_UPPER" else (big, small)
        elif auto_pad == "VALID":
            o = (ins[i] - eff) // s[i] + 1
            b = e = 0
        else:
            b, e = pads[i], pads[sp + i]
            num = ins[i] + b + e - eff
            if ceil:
                o = -(-num // s[i]) + 1
                if (o - 1) * s[i] >= ins[i] + b:
                    o -= 1
            else:
                o = num // s[i] + 1
        out.append(o)
        pb.append(b)
        pe.append(e)
    return out, pb, pe


def spec_pool(x, op, k, s, pads, d, auto_pad="NOTSET", ceil=0, cip=0, p=2, so=0):
    N, C = x.shape[:2]
    ins = list(x.shape[2:])
    sp = len(ins)
    out, pb, pe = spec_shape(op, ins, k, s, pads, d, auto_pad, ceil)
    y = np.zeros((N, C, *out), dtype=np.float64)
    idx = np.zeros((N, C, *out), dtype=np.int64)
    xf = x.astype(np.float64)
    plane = int(np.prod(ins))
    for n, c in itertools.product(range(N), range(C)):
        for o in itertools.product(*[range(v) for v in out]):
            taps, counted = [], []
            for i in range(sp):
                a = o[i] * s[i] - pb[i]
                pos = [a + j * d[i] for j in range(k[i])]
                taps.append([q for q in pos if 0 <= q < ins[i]])
                counted.append(sum(1 for q in pos if q < ins[i] + pe[i]))
            pts = list(itertools.product(*taps))
            if op == "MaxPool":
                best, bi = None, -1
                for q in pts:
                    v = xf[(n, c, *q)]
                    if best is None or v > best:
                        best, bi = v, q
                y[(n, c, *o)] = best
                if so == 0:
                    flat = np.ravel_multi_index(bi, ins)
                else:
                    flat = np.ravel_multi_index(bi, ins, order="F")
                idx[(n, c, *o)] = (n * C + c) * plane + flat
            else:
                vals = np.array([xf[(n, c, *q)] for q in pts])
                cnt = int(np.prod(counted))
                if op == "AveragePool":
                    y[(n, c, *o)] = vals.sum() / (cnt if cip else len(vals))
                else:
                    y[(n, c, *o)] = (np.prod(k) * (np.abs(vals) ** p).sum() / cnt) ** (1.0 / p)
    return y, idx


# ---- running a node ------------------------------------------------------------------
def make_model(op, inputs, nout, attrs, opset=None):
    if opset is None:
        opset = 28 if op in ("DepthToSpace", "SpaceToDepth") else OPSET
    names = ["X", "I", "S"][: len(inputs)]
    outs = ["Y", "Ind"][:nout]
    node = helper.make_node(op, names, outs, **attrs)
    vin = [helper.make_tensor_value_info(nm, TP[a.dtype], a.shape) for nm, a in zip(names, inputs)]
    vout = [helper.make_tensor_value_info("Y", TP[inputs[0].dtype], None)]
    if nout > 1:
        vout.append(helper.make_tensor_value_info("Ind", TensorProto.INT64, None))
    g = helper.make_graph([node], "g", vin, vout)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 10
    return m, dict(zip(names, inputs))


def run_ref(op, inputs, nout, attrs):
    m, feed = make_model(op, inputs, nout, attrs)
    return ReferenceEvaluator(m).run(None, feed)


ort_stats = {"agree": 0, "differ": [], "fail": []}
ort_used = []


def run_ort(cid, op, inputs, nout, attrs, expect, tol):
    if ort is None:
        return
    m, feed = make_model(op, inputs, nout, attrs)
    try:
        sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
        got = sess.run(None, feed)
    except Exception as e:  # noqa: BLE001
        ort_stats["fail"].append(f"{cid}: {str(e).splitlines()[0][:80]}")
        return
    ok = all(g.shape == e.shape and np.allclose(g.astype(np.float64), e.astype(np.float64), rtol=tol, atol=tol)
             for g, e in zip(got, expect))
    if ok:
        ort_stats["agree"] += 1
    else:
        ort_stats["differ"].append(cid)


# ---- cases --------------------------------------------------------------------------
lines = []
skipped = {}


def skip(reason):
    skipped[reason] = skipped.get(reason, 0) + 1


POOL_ATTRS = ("kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "count_include_pad", "p",
              "storage_order")


def attr_tokens(attrs):
    t = []
    for key in POOL_ATTRS + ("blocksize", "mode"):
        if key in attrs:
            v = attrs[key]
            if isinstance(v, (list, tuple)):
                t.append(f"{key}={lst(v)}")
            elif isinstance(v, bytes):
                t.append(f"{key}={v.decode()}")
            else:
                t.append(f"{key}={v}")
    return t


def tol_of(op, dt):
    if op in ("MaxPool", "GlobalMaxPool", "MaxUnpool", "DepthToSpace", "SpaceToDepth"):
        return 0.0
    return {"f32": 1e-5, "f64": 1e-10, "f16": 2e-3}[dt]


def add_case(cid, src, op, inputs, outputs, attrs, extra=(), node_dir=None, exact_out=False):
    """node_dir: the case's files already committed under tests/onnx/node/NAME
    (in_K.npy, out_K.npy: the lead's CLI cases): referenced, not copied."""
    if node_dir is not None:
        global save
        saved = save
        names = {"x": "in_0", "i": "in_1", "y": "out_0", "ind": "out_1"}

        def save(name, arr):  # noqa: F811
            return f"../onnx/node/{node_dir}/{names[name.rsplit('_', 1)[1][:-4]]}.npy"
        try:
            return add_case(cid, src, op, inputs, outputs, attrs, extra, exact_out=True)
        finally:
            save = saved
    dt = NP2DT[inputs[0].dtype]
    tol = tol_of(op, dt)
    if src == "node" and tol and not exact_out:
        tol = 1e-3  # ONNX's node cases print some outputs to 4 digits; its backend tests use rtol 1e-3
    # (tests/onnx/node/'s copies carry the reference's full-precision outputs where ONNX rounds)
    toks = [f"id={cid}", f"src={src}", f"op={op}", f"dtype={dt}", f"rank={inputs[0].ndim}",
            "in=" + save(f"{cid}_x.npy", inputs[0])]
    if op == "MaxUnpool":
        toks.append("I=" + save(f"{cid}_i.npy", inputs[1].astype(np.int64)))
        if len(inputs) > 2:
            toks.append("output_shape=" + lst(inputs[2]))
    toks += attr_tokens(attrs)
    toks.append("out=" + save(f"{cid}_y.npy", outputs[0]))
    if len(outputs) > 1:
        toks.append("idx=" + save(f"{cid}_ind.npy", outputs[1].astype(np.int64)))
    toks.append(f"tol={tol:g}")
    toks += list(extra)
    lines.append(" ".join(toks))


def node_cases():
    from onnx.backend.test.case.node import collect_testcases
    ops = {"MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "MaxUnpool",
           "DepthToSpace", "SpaceToDepth"}
    n = 0
    for tc in collect_testcases():
        nodes = tc.model.graph.node
        if len(nodes) != 1 or nodes[0].op_type not in ops:
            continue
        node = nodes[0]
        op = node.op_type
        for ds_i, (ins, outs) in enumerate(tc.data_sets):
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            cid = tc.name.replace("test_", "node_", 1) + (f"_{ds_i}" if ds_i else "")
            nd = tc.name.replace("test_", "", 1)
            ndir = os.path.join(HERE, "..", "onnx", "node", nd)
            if ds_i == 0 and os.path.isdir(ndir):
                # the same case as tests/onnx/ holds (ONNX's arrays; checked here)
                for k, a in enumerate(ins):
                    assert np.array_equal(np.load(os.path.join(ndir, f"in_{k}.npy")), a), (nd, k)
                for k, a in enumerate(outs):
                    b = np.load(os.path.join(ndir, f"out_{k}.npy"))
                    assert b.shape == a.shape and np.allclose(b, a, rtol=1e-3, atol=1e-4), (nd, k)
                    outs[k] = b
                add_case(cid, "node", op, list(ins), list(outs), attrs, node_dir=nd)
            elif ins[0].size > MAX_NODE_ELEMS:
                skip(f"node case input > {MAX_NODE_ELEMS} elements")
                continue
            else:
                add_case(cid, "node", op, list(ins), list(outs), attrs)
            run_ort(cid, op, list(ins), len(outs), attrs, list(outs), tol_of(op, NP2DT[ins[0].dtype]) or 1e-6)
            n += 1
    return n


def rand_input(name, shape, dt):
    r = rng_for(name)
    if dt == "u8":
        return r.integers(0, 256, size=shape).astype(np.uint8)
    # distinct values: no max ties, well-conditioned sums
    v = r.permutation(int(np.prod(shape))).reshape(shape).astype(np.float64)
    v = (v / max(1, v.size) - 0.5) * 4.0 + r.uniform(-0.01, 0.01, size=shape)
    return v.astype({"f32": np.float32, "f64": np.float64, "f16": np.float16}[dt])


def pool_random():
    count = 0
    for case_i in range(300):
        r = rng_for(f"pool{case_i}")
        op = ["MaxPool", "AveragePool", "LpPool"][case_i % 3]
        sp = 1 + (case_i // 3) % 3
        dt = "f32"
        if case_i % 17 == 5:
            dt = "f64"
        if op == "MaxPool" and case_i % 11 == 4:
            dt = "f16" if case_i % 2 else "u8"
        ins = [int(r.integers(3, 9 if sp < 3 else 6)) for _ in range(sp)]
        N, C = int(r.integers(1, 3)), int(r.integers(1, 4))
        k = [int(r.integers(1, 4)) for _ in range(sp)]
        s = [int(r.integers(1, 4)) for _ in range(sp)]
        d = [int(r.integers(1, 3)) if r.random() < 0.4 else 1 for _ in range(sp)]
        auto = ["NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"][int(r.integers(0, 6))]
        attrs = {"kernel_shape": k}
        if r.random() < 0.8:
            attrs["strides"] = s
        else:
            s = [1] * sp
        if any(v != 1 for v in d):
            attrs["dilations"] = d
        pads = [0] * (2 * sp)
        ceil = 0
        if auto == "NOTSET":
            pads = [int(r.integers(0, k[i % sp])) for i in range(2 * sp)]
            if r.random() < 0.7:
                attrs["pads"] = pads
            else:
                pads = [0] * (2 * sp)
            ceil = int(r.random() < 0.4)
            if ceil:
                attrs["ceil_mode"] = 1
        else:
            attrs["auto_pad"] = auto
        cip = 0
        if op == "AveragePool" and r.random() < 0.5:
            cip = 1
            attrs["count_include_pad"] = 1
        p = 2
        if op == "LpPool":
            p = [1, 2, 3][int(r.integers(0, 3))]
            attrs["p"] = p
        so = 0
        if op == "MaxPool" and r.random() < 0.4:
            so = 1
            attrs["storage_order"] = 1
        out, _, _ = spec_shape(op, ins, k, s, pads, d, auto, ceil)
        if min(out) < 1:
            continue
        cid = f"r{case_i:03d}_{op}_{sp}d_{dt}"
        x = rand_input(cid, (N, C, *ins), dt)
        nout = 2 if op == "MaxPool" and dt != "u8" or (op == "MaxPool" and case_i % 2) else 1
        ym, im = spec_pool(x, op, k, s, pads, d, auto, ceil, cip, p, so)
        tol = max(tol_of(op, dt) or 0.0, 1e-6) * 4
        expect = [ym.astype(x.dtype)] + ([im] if nout > 1 else [])

        def agrees(res):
            if res[0].shape != expect[0].shape:
                return f"output shape (auto_pad {auto})"
            if not np.allclose(res[0].astype(np.float64), expect[0].astype(np.float64), rtol=tol, atol=1e-6):
                return "ceil_mode window shift" if ceil else f"values (auto_pad {auto})"
            if nout > 1 and not np.array_equal(res[1], im):
                return f"Indices (storage_order {so}, strides {s})"
            return None

        try:
            res = run_ref(op, [x], nout, attrs)
            why = agrees(res)
        except Exception:  # noqa: BLE001
            why = "raises"
        if why is None:
            add_case(cid, "ref", op, [x], res, attrs)
            run_ort(cid, op, [x], nout, attrs, res, tol)
            count += 1
            continue
        # onnx.reference is wrong here (see the module docstring): onnxruntime's result, where it
        # agrees with the ONNX docs' rule
        skip(f"onnx.reference {op}: {why}")
        if ort is None:
            continue
        m, feed = make_model(op, [x], nout, attrs)
        try:
            got = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feed)
        except Exception:  # noqa: BLE001
            skip(f"  ... and onnxruntime raises ({op})")
            continue
        if agrees(got) is None:
            add_case(cid, "ort", op, [x], got, attrs)
            ort_stats["agree"] += 1
            count += 1
            ort_used.append(cid)
        else:
            skip(f"  ... and onnxruntime differs from the ONNX docs too ({op}: {agrees(got)})")
    return count


def global_random():
    count = 0
    for i in range(18):
        op = ["GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool"][i % 3]
        sp = 1 + (i // 3) % 3
        r = rng_for(f"glob{i}")
        dt = "f64" if i >= 15 else "f32"
        shape = (int(r.integers(1, 3)), int(r.integers(1, 4)), *[int(r.integers(1, 7)) for _ in range(sp)])
        attrs = {}
        if op == "GlobalLpPool":
            attrs["p"] = [1, 2, 3][i % 3 if i % 3 else 1]
        cid = f"g{i:02d}_{op}_{sp}d_{dt}"
        x = rand_input(cid, shape, dt)
        ax = tuple(range(2, x.ndim))
        xd = x.astype(np.float64)
        if op == "GlobalLpPool":
            yv = (np.abs(xd) ** attrs["p"]).sum(axis=ax, keepdims=True) ** (1.0 / attrs["p"])
        elif op == "GlobalMaxPool":
            yv = xd.max(axis=ax, keepdims=True)
        else:
            yv = xd.mean(axis=ax, keepdims=True)
        yv = yv.astype(x.dtype)
        src = "ref"
        try:
            res = run_ref(op, [x], 1, attrs)
            ok = res[0].shape == yv.shape and np.allclose(res[0], yv, rtol=1e-5)
        except Exception:  # noqa: BLE001
            ok = False
        if not ok:  # onnx.reference has no GlobalLpPool; its GlobalMaxPool mis-shapes 3-D
            skip(f"onnx.reference {op} {sp}-D: raises or wrong; numpy (the ONNX docs' definition) used")
            res = [yv]
            src = "numpy"
        add_case(cid, src, op, [x], res, attrs)
        run_ort(cid, op, [x], 1, attrs, res, 1e-5)
        count += 1
    return count


def unpool_random():
    count = 0
    for i in range(24):
        r = rng_for(f"unpool{i}")
        sp = 1 + i % 3
        ins = [int(r.integers(2, 7 if sp < 3 else 5)) for _ in range(sp)]
        N, C = int(r.integers(1, 3)), int(r.integers(1, 3))
        k = [int(r.integers(1, 4)) for _ in range(sp)]
        s = [int(r.integers(1, 4)) for _ in range(sp)]
        pads = [int(r.integers(0, k[j % sp])) for j in range(2 * sp)] if r.random() < 0.5 else [0] * (2 * sp)
        pattrs = {"kernel_shape": k, "strides": s, "pads": pads}
        out, _, _ = spec_shape("MaxPool", ins, k, s, pads, [1] * sp, "NOTSET", 0)
        if min(out) < 1:
            continue
        dt = ["f32", "f16", "u8", "f64"][i % 4]
        cid = f"u{i:02d}_MaxUnpool_{sp}d_{dt}"
        x = rand_input(cid, (N, C, *ins), dt)
        # MaxPool's outputs as inputs (by spec_pool: onnx.reference's MaxPool raises on some asymmetric pads)
        y, ind = spec_pool(x, "MaxPool", k, s, pads, [1] * sp)
        inputs = [y.astype(x.dtype), ind]
        inferred = [(out[j] - 1) * s[j] - pads[j] - pads[sp + j] + k[j] for j in range(sp)]
        if min(inferred) < 1 or any(inferred[j] < ins[j] and False for j in range(sp)):
            continue
        if i % 3 == 1:  # a larger output_shape
            inputs.append(np.array([N, C, *[v + int(r.integers(0, 3)) for v in inferred]], dtype=np.int64))
        elif i % 3 == 2:  # the inferred one, given
            inputs.append(np.array([N, C, *inferred], dtype=np.int64))
        # indices must lie inside the inferred tensor
        if ind.max() >= N * C * int(np.prod(inferred)):
            skip("MaxUnpool: MaxPool's index lies outside the inferred shape")
            continue
        attrs = {"kernel_shape": k, "strides": s, "pads": pads}
        res = run_ref("MaxUnpool", inputs, 1, attrs)
        add_case(cid, "ref", "MaxUnpool", inputs, res, attrs)
        run_ort(cid, "MaxUnpool", inputs, 1, attrs, res, 0.0)
        count += 1
    return count


def depth_random():
    count = 0
    for i in range(24):
        r = rng_for(f"depth{i}")
        op = "DepthToSpace" if i % 2 == 0 else "SpaceToDepth"
        b = int(r.integers(1, 4))
        dt = ["f32", "f16", "u8", "f64"][(i // 2) % 4]
        N, C = int(r.integers(1, 3)), int(r.integers(1, 4))
        H, W = int(r.integers(1, 4)), int(r.integers(1, 4))
        attrs = {"blocksize": b}
        if op == "DepthToSpace":
            shape = (N, C * b * b, H, W)
            mode = ["DCR", "CRD", None][(i // 2) % 3]
            if mode:
                attrs["mode"] = mode
        else:
            shape = (N, C, H * b, W * b)
            mode = ["DCR", "CRD", None][(i // 2) % 3]  # opset 28's mode
            if mode:
                attrs["mode"] = mode
        cid = f"d{i:02d}_{op}_{dt}"
        x = rand_input(cid, shape, dt)
        res = run_ref(op, [x], 1, attrs)
        add_case(cid, "ref", op, [x], res, attrs)
        run_ort(cid, op, [x], 1, attrs, res, 0.0)
        count += 1
    return count


def main():
    global ort
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-ort", action="store_true")
    args = ap.parse_args()
    ort = None
    if not args.no_ort:
        try:
            import onnxruntime as _ort
            ort = _ort
        except ImportError:
            pass
    nn = node_cases()
    nr = pool_random() + global_random() + unpool_random() + depth_random()
    os.makedirs(OUTDIR, exist_ok=True)
    for f in os.listdir(OUTDIR):
        if f.endswith(".npy") and f not in files:
            os.remove(os.path.join(OUTDIR, f))
    for name, arr in files.items():
        path = os.path.join(OUTDIR, name)
        import io
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        data = buf.getvalue()
        if not os.path.exists(path) or open(path, "rb").read() != data:
            with open(path, "wb") as fh:
                fh.write(data)
    head = [f"# generated by tests/golden/gen_onnx_pool.py with onnx {onnx.__version__} numpy {np.__version__}"
            + (f" onnxruntime {ort.__version__}" if ort else ""),
            "# family: onnx_pool (include/clresample/onnx.h); format: tests/golden/README.md. One case per line;",
            "# src=node: ONNX's node test case (expected output as ONNX ships it); src=ref: onnx.reference;",
            "# src=numpy: Global*Pool where onnx.reference has none or a wrong one: max, mean, (sum |x|^p)^(1/p)",
            "# in float64, rounded once. src=ort: onnxruntime's result where onnx.reference breaks the ONNX",
            "# docs' rule (it raises, mis-shapes, or gives per-plane Indices) and onnxruntime follows it.",
            "# Attributes use ONNX's names and list order (pads: all begins, then all ends); tol: relative",
            "# tolerance of Y (0: bit-exact); idx: MaxPool's Indices (whole-tensor flat, int64), bit-exact.",
            "# MaxUnpool: I= the indices input, output_shape= the optional third input.",
            f"# {nn} node cases, {nr} random cases. Notes: random cases not written, or written from another",
            "# source (onnx.reference wrong -> src=ort when onnxruntime follows the ONNX docs, else dropped):"]
    for reason, n in sorted(skipped.items()):
        head.append(f"# note: {n} x {reason}")
    if ort:
        head.append(f"# onnxruntime {ort.__version__}: {ort_stats['agree']} cases agree ({len(ort_used)} of them src=ort),"
                    f" {len(ort_stats['differ'])} differ, {len(ort_stats['fail'])} fail to run")
        if ort_stats["differ"]:
            head.append("#   differ: " + " ".join(ort_stats["differ"]))
        for f in ort_stats["fail"]:
            head.append("#   fails: " + f)
    head.append("# ---")
    with open(os.path.join(HERE, "onnx_pool.txt"), "w") as fh:
        fh.write("\n".join(head + lines) + "\n")
    print(f"{nn} node + {nr} random cases; {len(files)} files", file=sys.stderr)
    for reason, n in sorted(skipped.items()):
        print(f"  skipped {n} x {reason}", file=sys.stderr)
    if ort:
        print(f"  onnxruntime: {ort_stats['agree']} agree, {len(ort_stats['differ'])} differ "
              f"{ort_stats['differ'][:20]}, fails {ort_stats['fail'][:5]}", file=sys.stderr)


ort = None
if __name__ == "__main__":
    main()
