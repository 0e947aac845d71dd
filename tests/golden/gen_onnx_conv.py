#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for clresample's ONNX Conv and ConvTranspose
(include/clresample/onnx.h, src/ops/onnx_conv.c): writes
tests/golden/onnx_conv.txt (manifest, the format of tests/golden/README.md)
and tests/golden/onnx_conv/*.npy, read by tests/test_onnx_conv.

Sources:
  node    ONNX's own node test cases (onnx.backend.test.case.node) for Conv
          and ConvTranspose, pointing at the CLI's copies in ../onnx/node/
          (written by tests/onnx/gen_onnx_cases.py), expected outputs as
          ONNX ships them.
  ref     random cases run through onnx.reference.ReferenceEvaluator,
          covering auto_pad x strides x dilations x group x asymmetric pads
          x output_padding x output_shape, ranks 3..5, with and without B.
  refpads ConvTranspose with output_shape where onnx.reference does not
          follow the ONNX docs' pads rule (it ignores output_shape's pads
          for NOTSET and pads 0 at the begin): onnx.reference run with the
          docs' pads given explicitly (same output size).
f16 cases: onnx.reference on the inputs widened to f32, rounded to f16 once.

Every case is also computed by `spec` below (float64, the ONNX docs' rules,
written from them independently of onnx.reference); a case where the two
disagree beyond the tolerance is not written and is counted in the header.

Usage: /path/to/venv/bin/python tests/golden/gen_onnx_conv.py   (needs onnx, numpy)
"""
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
SUB = "onnx_conv"
OUTDIR = os.path.join(HERE, SUB)
OPSET = 22
NODE_DIR = os.path.join(HERE, "..", "onnx", "node")
TOL = {"f32": 1e-5, "f16": 2e-3}
NP2DT = {np.dtype("float32"): "f32", np.dtype("float16"): "f16"}

files = {}


def save(name, arr):
    files[name] = np.ascontiguousarray(arr)
    return f"{SUB}/{name}"


def lst(v):
    return ",".join(str(int(t)) for t in v)


# ---- the ONNX docs' rules, in float64 -------------------------------------------
def spec_pads(op, xs, ks, s, d, pads, auto_pad, op_pad, out_shape):
    sp = len(xs)
    b, e = [0] * sp, [0] * sp
    for i in range(sp):
        eff = (ks[i] - 1) * d[i] + 1
        if op == "Conv":
            if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
                out = -(-xs[i] // s[i])
                tot = max(0, (out - 1) * s[i] + eff - xs[i])
                b[i] = tot // 2 if auto_pad == "SAME_UPPER" else tot - tot // 2
                e[i] = tot - b[i]
            elif auto_pad == "NOTSET" and pads is not None:
                b[i], e[i] = pads[i], pads[sp + i]
        else:
            if out_shape is not None or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
                want = out_shape[i] if out_shape is not None else xs[i] * s[i]
                tot = s[i] * (xs[i] - 1) + op_pad[i] + eff - want
                if auto_pad == "SAME_UPPER":
                    b[i] = tot // 2
                    e[i] = tot - b[i]
                else:
                    e[i] = tot // 2
                    b[i] = tot - e[i]
            elif auto_pad == "NOTSET" and pads is not None:
                b[i], e[i] = pads[i], pads[sp + i]
    return b, e


def spec(op, x, w, bias, s, d, g, b, e, op_pad):
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    n, c = x.shape[:2]
    sp = x.ndim - 2
    ks = w.shape[2:]
    if op == "Conv":
        xp = np.pad(x, [(0, 0), (0, 0)] + [(b[i], e[i]) for i in range(sp)])
        out = [(xp.shape[2 + i] - ((ks[i] - 1) * d[i] + 1)) // s[i] + 1 for i in range(sp)]
        m = w.shape[0]
        y = np.zeros((n, m, *out))
        cg, mg = c // g, m // g
        for kk in np.ndindex(*ks):
            sl = tuple(slice(kk[i] * d[i], kk[i] * d[i] + (out[i] - 1) * s[i] + 1, s[i]) for i in range(sp))
            patch = xp[(slice(None), slice(None)) + sl]  # n, c, out...
            for gi in range(g):
                wk = w[gi * mg:(gi + 1) * mg, :, *kk]  # mg, cg
                y[:, gi * mg:(gi + 1) * mg] += np.einsum("oc,nc...->no...", wk, patch[:, gi * cg:(gi + 1) * cg])
    else:
        mg = w.shape[1]
        m = mg * g
        cg = c // g
        full = [(x.shape[2 + i] - 1) * s[i] + (ks[i] - 1) * d[i] + 1 + op_pad[i] for i in range(sp)]
        lo = [max(0, -b[i]) for i in range(sp)]
        hi = [max(0, -e[i]) for i in range(sp)]
        big = np.zeros((n, m, *[lo[i] + full[i] + hi[i] for i in range(sp)]))
        for kk in np.ndindex(*ks):
            sl = tuple(slice(lo[i] + kk[i] * d[i], lo[i] + kk[i] * d[i] + (x.shape[2 + i] - 1) * s[i] + 1, s[i])
                       for i in range(sp))
            for gi in range(g):
                wk = w[gi * cg:(gi + 1) * cg, :, *kk]  # cg, mg
                big[(slice(None), slice(gi * mg, (gi + 1) * mg)) + sl] += np.einsum(
                    "co,nc...->no...", wk, x[:, gi * cg:(gi + 1) * cg])
        out = [full[i] - b[i] - e[i] for i in range(sp)]
        sl = tuple(slice(lo[i] + b[i], lo[i] + b[i] + out[i]) for i in range(sp))
        y = big[(slice(None), slice(None)) + sl]
    if bias is not None:
        y = y + bias.astype(np.float64).reshape((1, -1) + (1,) * sp)
    return y


# ---- onnx.reference -----------------------------------------------------------------
def run_ref(op, x, w, bias, attrs):
    tp = TensorProto.FLOAT
    ins = [helper.make_tensor_value_info("X", tp, None), helper.make_tensor_value_info("W", tp, None)]
    names = ["X", "W"]
    feeds = {"X": x.astype(np.float32), "W": w.astype(np.float32)}
    if bias is not None:
        ins.append(helper.make_tensor_value_info("B", tp, None))
        names.append("B")
        feeds["B"] = bias.astype(np.float32)
    node = helper.make_node(op, names, ["Y"], **attrs)
    graph = helper.make_graph([node], "g", ins, [helper.make_tensor_value_info("Y", tp, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    return np.asarray(ReferenceEvaluator(model).run(None, feeds)[0])


def ref_via_conv(x, w, bias, s, d, g, b, e, op_pad):
    """ConvTranspose as onnx.reference's Conv computes it: the input with
    s-1 zeros between elements, padded (k-1)d - begin before and (k-1)d -
    end + output_padding after (cropped where negative), convolved with
    dilation d and the flipped kernel, channels transposed per group."""
    sp = x.ndim - 2
    ks = w.shape[2:]
    n, c = x.shape[:2]
    cg, mg = c // g, w.shape[1]
    u = np.zeros((n, c, *[(x.shape[2 + i] - 1) * s[i] + 1 for i in range(sp)]), np.float32)
    u[(slice(None), slice(None)) + tuple(slice(None, None, s[i]) for i in range(sp))] = x
    for i in range(sp):
        eff1 = (ks[i] - 1) * d[i]
        pb, pe = eff1 - b[i], eff1 - e[i] + op_pad[i]
        ax = 2 + i
        if pb < 0:
            u = np.take(u, range(-pb, u.shape[ax]), axis=ax)
        if pe < 0:
            u = np.take(u, range(0, u.shape[ax] + pe), axis=ax)
        widths = [(0, 0)] * u.ndim
        widths[ax] = (max(pb, 0), max(pe, 0))
        u = np.pad(u, widths)
    wf = np.flip(w, axis=tuple(range(2, w.ndim)))
    wc = np.concatenate([np.swapaxes(wf[gi * cg:(gi + 1) * cg], 0, 1) for gi in range(g)], axis=0)
    return run_ref("Conv", u, wc.astype(np.float32), bias, {"group": g, "dilations": list(d)})


skipped = {}


def skip(reason):
    skipped[reason] = skipped.get(reason, 0) + 1


def random_case(rng, op, idx, dtype):
    while True:
        sp = int(rng.choice([1, 2, 2, 3]))
        g = int(rng.choice([1, 1, 2, 3]))
        cg, mg = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        n = int(rng.integers(1, 3))
        ks = [int(rng.integers(1, 5 if sp < 3 else 4)) for _ in range(sp)]
        s = [int(rng.integers(1, 4)) for _ in range(sp)]
        d = [int(rng.integers(1, 3)) for _ in range(sp)]
        xs = [int(rng.integers(1, 10 if sp < 3 else 6)) for _ in range(sp)]
        auto_pad = str(rng.choice(["NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"]))
        pads = None
        if auto_pad == "NOTSET" and rng.random() < 0.8:
            pads = [int(rng.integers(0, ks[i] * d[i] if op == "Conv" else ks[i])) for i in range(sp)] + \
                   [int(rng.integers(0, ks[i] * d[i] if op == "Conv" else ks[i])) for i in range(sp)]
        op_pad, out_shape = [0] * sp, None
        if op == "ConvTranspose":
            if rng.random() < 0.5:
                op_pad = [int(rng.integers(0, max(s[i], d[i]))) for i in range(sp)]
            if rng.random() < 0.35:
                nat = [s[i] * (xs[i] - 1) + op_pad[i] + (ks[i] - 1) * d[i] + 1 for i in range(sp)]
                out_shape = [max(1, nat[i] + int(rng.integers(-2, 2))) for i in range(sp)]
                pads = None  # output_shape decides the pads
        b, e = spec_pads(op, xs, ks, s, d, pads, auto_pad, op_pad, out_shape)
        if op == "Conv":
            if any(xs[i] + b[i] + e[i] < (ks[i] - 1) * d[i] + 1 for i in range(sp)):
                continue
        else:
            full = [(xs[i] - 1) * s[i] + (ks[i] - 1) * d[i] + 1 + op_pad[i] for i in range(sp)]
            if any(full[i] - b[i] - e[i] < 1 for i in range(sp)):
                continue
        break
    c, m = cg * g, mg * g
    x = rng.standard_normal((n, c, *xs)).astype(dtype)
    wshape = (m, cg, *ks) if op == "Conv" else (c, mg, *ks)
    w = (rng.standard_normal(wshape) / np.sqrt(cg * np.prod(ks))).astype(dtype)
    bias = rng.standard_normal(m).astype(dtype) if rng.random() < 0.5 else None
    attrs = {"group": g, "strides": s, "dilations": d}
    if rng.random() < 0.5:
        attrs["kernel_shape"] = ks
    if auto_pad != "NOTSET":
        attrs["auto_pad"] = auto_pad
    if pads is not None:
        attrs["pads"] = pads
    if op == "ConvTranspose":
        if any(op_pad):
            attrs["output_padding"] = op_pad
        if out_shape is not None:
            attrs["output_shape"] = out_shape
    want = spec(op, x, w, bias, s, d, g, b, e, op_pad)
    src = "ref"
    try:
        y = run_ref(op, x, w, bias, attrs)
    except Exception as ex:  # noqa: BLE001
        y = None
        why = f"{op}: onnx.reference raises ({type(ex).__name__})"
    dt = NP2DT[np.dtype(dtype)]
    tol = TOL[dt]
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0

    def agrees(r):
        return r is not None and r.shape == want.shape and np.max(np.abs(r - want), initial=0) <= 1e-5 * scale

    if not agrees(y):
        if y is not None:
            why = (f"{op}: onnx.reference differs from the ONNX docs' rule "
                   f"({'shape' if y.shape != want.shape else 'values'}; auto_pad {auto_pad}"
                   f"{', output_shape' if out_shape is not None else ''})")
        if op == "ConvTranspose" and min(b + e) >= 0 and out_shape is not None:
            a2 = {k: v for k, v in attrs.items() if k not in ("output_shape", "auto_pad")}
            a2["pads"] = b + e
            try:
                y2 = run_ref(op, x, w, bias, a2)
            except Exception:  # noqa: BLE001
                y2 = None
            if agrees(y2):
                skip(why + " -> written from onnx.reference with the docs' pads (src=refpads)")
                y, src = y2, "refpads"
                y2 = None
        if src == "ref" and op == "ConvTranspose":
            try:
                y3 = ref_via_conv(x, w, bias, s, d, g, b, e, op_pad)
            except Exception:  # noqa: BLE001
                y3 = None
            if agrees(y3):
                skip(why + " -> written from onnx.reference's Conv on the zero-stuffed input (src=refconv)")
                y, src = y3, "refconv"
            else:
                skip(why + " (dropped)")
                return None
        elif src == "ref":
            skip(why + " (dropped)")
            return None
    cid = f"r{idx:03d}_{op}_{dt}"
    line = [f"id={cid}", f"src={src}", f"op={op}", f"dtype={dt}", f"rank={x.ndim}",
            f"in={save(cid + '_x.npy', x)}", f"W={save(cid + '_w.npy', w)}"]
    if bias is not None:
        line.append(f"B={save(cid + '_b.npy', bias)}")
    for k in ("auto_pad", "kernel_shape", "strides", "pads", "dilations", "group", "output_padding", "output_shape"):
        if k in attrs:
            v = attrs[k]
            line.append(f"{k}={v if isinstance(v, (str, int)) else lst(v)}")
    line += [f"out={save(cid + '_y.npy', np.asarray(y).astype(dtype))}", f"tol={tol:g}"]
    return " ".join(line)


def node_cases():
    from onnx.backend.test.case.node import collect_testcases
    lines = []
    for c in sorted(collect_testcases(None), key=lambda c: c.name):
        nodes = list(c.model.graph.node)
        if len(nodes) != 1 or nodes[0].op_type not in ("Conv", "ConvTranspose"):
            continue
        node = nodes[0]
        name = c.name[5:]
        d = os.path.join(NODE_DIR, name)
        if not os.path.isdir(d):
            sys.exit(f"{d} missing: run tests/onnx/gen_onnx_cases.py first")
        line = [f"id=node_{name}", "src=node", f"op={node.op_type}", "dtype=f32",
                f"rank={np.load(os.path.join(d, 'in_0.npy')).ndim}", f"in=../onnx/node/{name}/in_0.npy",
                f"W=../onnx/node/{name}/in_1.npy"]
        if len([i for i in node.input if i]) > 2:
            line.append(f"B=../onnx/node/{name}/in_2.npy")
        for a in sorted(node.attribute, key=lambda a: a.name):
            v = helper.get_attribute_value(a)
            v = v.decode() if isinstance(v, bytes) else v
            line.append(f"{a.name}={v if isinstance(v, (str, int)) else lst(v)}")
        line += [f"out=../onnx/node/{name}/out_0.npy", "tol=1e-05"]
        lines.append(" ".join(line))
    return lines


def main():
    lines = node_cases()
    nn = len(lines)
    idx = 0
    for op in ("Conv", "ConvTranspose"):
        rng = np.random.default_rng(zlib.crc32(("onnx_conv " + op).encode()))
        for dtype, count in ((np.float32, 80), (np.float16, 12)):
            k = 0
            while k < count:
                ln = random_case(rng, op, idx, dtype)
                idx += 1
                if ln is not None:
                    lines.append(ln)
                    k += 1
    # f16: widen the stored inputs for the reference (done in run_ref: float32)
    os.makedirs(OUTDIR, exist_ok=True)
    for f in os.listdir(OUTDIR):
        os.remove(os.path.join(OUTDIR, f))
    for name, arr in files.items():
        np.save(os.path.join(OUTDIR, name), arr)
    head = [f"# generated by tests/golden/gen_onnx_conv.py with onnx {onnx.__version__} numpy {np.__version__}",
            "# family: onnx_conv (include/clresample/onnx.h); format: tests/golden/README.md. One case per line;",
            "# src=node: ONNX's node test case (expected output as ONNX ships it); src=ref: onnx.reference",
            "# (f16: on the inputs widened to f32, rounded to f16 once); src=refpads: onnx.reference given the",
            "# ONNX docs' pads explicitly where it does not derive them from output_shape as the docs say;",
            "# src=refconv: ConvTranspose where onnx.reference's ConvTranspose raises or is wrong (its col2im",
            "# path breaks on output_padding, group > 1 with several channels per group or with B, and some output_shape",
            "# cases): onnx.reference's Conv on the input with stride-1 zeros between elements, padded",
            "# (k-1)d - begin / (k-1)d - end + output_padding, with the flipped kernel (ref_via_conv).",
            "# W: the weight, B: the bias (absent: none). Attributes use ONNX's names and list order (pads: all",
            "# begins, then all ends). tol: |got - want| <= tol * max(1, max|want|).",
            f"# {nn} node cases, {len(lines) - nn} random cases. Notes (random cases that onnx.reference and the",
            "# docs' rule, computed independently in float64, disagree on):"]
    for reason, n in sorted(skipped.items()):
        head.append(f"# note: {n} x {reason}")
    with open(os.path.join(HERE, "onnx_conv.txt"), "w") as fh:
        fh.write("\n".join(head + lines) + "\n")
    print(f"{nn} node + {len(lines) - nn} random cases; {len(files)} files", file=sys.stderr)
    for reason, n in sorted(skipped.items()):
        print(f"  {n} x {reason}", file=sys.stderr)


if __name__ == "__main__":
    main()
