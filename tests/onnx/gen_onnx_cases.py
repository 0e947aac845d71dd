#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write ONNX's own node test cases for the operators clresample implements
(tests/onnx/node/<case>/{in_K.npy,out_K.npy} and tests/onnx/cases.txt), so
that tests/test_onnx_cli.sh can run every one through `clresample onnx`.

Needs `pip install onnx numpy` (a venv); CI never runs this, it only reads
what this wrote. The cases come from onnx.backend.test.case.node (the
generator of ONNX's backend test data). Where a stored expected output
differs from onnx.reference's evaluation by more than the float tolerance
(a few cases store values rounded to 4 decimals), the reference evaluator's
output is stored instead and the line says `expected=reference`.

cases.txt: one line per case, fields separated by tabs:
  NAME  TOLERANCE  OPTYPE  ARGS...
TOLERANCE is `exact` (bit-exact: nearest, max, indices, permutations) or
`rtol=R,atol=A`; ARGS are the `clresample onnx` arguments after OPTYPE,
file names relative to the case's directory (`""` = omitted input).
"""
import argparse
import os
import shutil
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import onnx  # noqa: E402
from onnx import helper  # noqa: E402
from onnx.backend.test.case.node import collect_testcases  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

OPS = ["Resize", "Upsample", "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
       "GlobalLpPool", "MaxUnpool", "DepthToSpace", "SpaceToDepth", "GridSample", "AffineGrid", "Conv",
       "ConvTranspose"]
FLOAT_RTOL, FLOAT_ATOL = 1e-5, 1e-6


def attr_value(a):
    v = helper.get_attribute_value(a)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, float):
        return repr(float(np.float32(v)))
    if isinstance(v, (list, tuple)):
        return ",".join(repr(float(np.float32(x))) if isinstance(x, float) else str(x) for x in v)
    return str(v)


def exact_case(op, attrs):
    if op in ("MaxPool", "GlobalMaxPool", "MaxUnpool", "DepthToSpace", "SpaceToDepth", "AffineGrid"):
        return op != "AffineGrid"
    if op in ("Resize", "Upsample", "GridSample"):
        return attrs.get("mode", "nearest" if op != "GridSample" else "linear") == "nearest"
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    node_dir = os.path.join(args.out, "node")
    shutil.rmtree(node_dir, ignore_errors=True)
    os.makedirs(node_dir)
    lines = []
    base = {}
    cases = sorted(collect_testcases(None), key=lambda c: c.name)
    for c in cases:
        nodes = list(c.model.graph.node)
        if len(nodes) != 1 or nodes[0].op_type not in OPS:
            continue
        base[c.name] = c
    # Expanded variants (the op as a function of other ops): same data,
    # same op; run them as the op itself.
    expanded = {}
    for c in cases:
        for b in base:
            if c.name.startswith(b + "_expanded"):
                expanded[c.name] = (b, c)
    todo = [(n, c, c) for n, c in base.items()] + [(n, base[b], c) for n, (b, c) in expanded.items()]
    for name, bc, dc in sorted(todo, key=lambda t: t[0]):
        node = bc.model.graph.node[0]
        op = node.op_type
        opset = [o.version for o in bc.model.opset_import if o.domain in ("", "ai.onnx")][0]
        attrs = {a.name: attr_value(a) for a in node.attribute}
        for k, (ins, outs) in enumerate(dc.data_sets):
            cname = name[5:] if name.startswith("test_") else name
            if len(dc.data_sets) > 1:
                cname += "_%d" % k
            d = os.path.join(node_dir, cname)
            os.makedirs(d)
            argv = [op]
            ii = 0
            for nm in node.input:
                if nm == "":
                    argv.append('""')
                    continue
                f = "in_%d.npy" % ii
                np.save(os.path.join(d, f), np.asarray(ins[ii]))
                argv.append(f)
                ii += 1
            # reference evaluator for the rounded cases
            how = "node"
            ref = None
            try:
                feeds = {nm: ins[i] for i, nm in enumerate([x for x in node.input if x])}
                ref = ReferenceEvaluator(bc.model).run(None, feeds)
            except Exception as e:  # noqa: BLE001
                print("note: %s: reference evaluator failed: %s" % (cname, e), file=sys.stderr)
            exact = exact_case(op, attrs)
            for j, o in enumerate(outs):
                o = np.asarray(o)
                if ref is not None and o.dtype.kind == "f" and not exact:
                    r = np.asarray(ref[j]).astype(o.dtype)
                    if r.shape == o.shape and not np.allclose(r, o, rtol=FLOAT_RTOL, atol=FLOAT_ATOL, equal_nan=True):
                        print("note: %s: stored output %d differs from onnx.reference by %g; using the reference"
                              % (cname, j, float(np.nanmax(np.abs(r.astype(np.float64) - o)))), file=sys.stderr)
                        o = r
                        how = "reference"
                np.save(os.path.join(d, "out_%d.npy" % j), o)
            argv.append("-o")
            argv += ["out_%d.npy" % j for j in range(len(outs))]
            argv += ["--opset", str(opset)]
            for a, v in sorted(attrs.items()):
                argv += ["--" + a, v]
            tol = "exact" if exact else "rtol=%g,atol=%g" % (FLOAT_RTOL, FLOAT_ATOL)
            if how == "reference":
                tol += ",expected=reference"
            lines.append("\t".join([cname, tol] + argv))
    with open(os.path.join(args.out, "cases.txt"), "w") as f:
        f.write("# ONNX node test cases, written by tests/onnx/gen_onnx_cases.py from onnx %s, numpy %s\n"
                % (onnx.__version__, np.__version__))
        f.write("# NAME\tTOLERANCE\tOPTYPE ARGS... (run as `clresample onnx OPTYPE ARGS...` in node/NAME)\n")
        for ln in lines:
            f.write(ln + "\n")
    print("%d cases" % len(lines))


if __name__ == "__main__":
    main()
