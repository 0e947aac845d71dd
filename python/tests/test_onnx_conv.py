# SPDX-License-Identifier: MIT
"""clresample.onnx.conv / conv_transpose against the committed ONNX goldens
(tests/golden/onnx_conv.txt: ONNX's node cases and onnx.reference results), and,
when onnx is importable, against onnx.reference on fresh random cases."""
import numpy as np
import pytest

import clresample as cr
import goldens as G

NP = {"f32": np.float32, "f16": np.float16}


def _cases():
    path = G.GOLDEN / "onnx_conv.txt"
    if not path.is_file():
        return []
    return [G.parse(ln) for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]


CASES = _cases()
pytestmark = pytest.mark.skipif(not cr._lib.HAVE.get("clrs_onnx_conv"),
                                reason="library without clrs_onnx_conv")


def _list(c, k):
    v = c.get(k, "-")
    return None if v == "-" else [int(x) for x in v.split(",")]


def _run(op, x, w, b, **attrs):
    fn = cr.onnx.conv_transpose if op == "ConvTranspose" else cr.onnx.conv
    return fn(x, w, b, **attrs)


@pytest.mark.parametrize("c", CASES, ids=[c["id"] for c in CASES])
def test_onnx_conv_golden(c):
    x, w, want = G.load(c["in"]), G.load(c["W"]), G.load(c["out"])
    b = G.load(c["B"]) if c.get("B", "-") != "-" else None
    attrs = {k: _list(c, k) for k in ("kernel_shape", "strides", "pads", "dilations")}
    attrs["group"] = int(c.get("group", "1"))
    attrs["auto_pad"] = c.get("auto_pad", "NOTSET")
    if c["op"] == "ConvTranspose":
        attrs["output_padding"] = _list(c, "output_padding")
        attrs["output_shape"] = _list(c, "output_shape")
    y = np.asarray(_run(c["op"], x, w, b, **attrs))
    assert y.shape == want.shape and y.dtype == want.dtype
    tol = float(c["tol"])
    scale = max(1.0, float(np.max(np.abs(want.astype(np.float64)), initial=0)))
    assert np.max(np.abs(y.astype(np.float64) - want), initial=0) <= tol * scale


def _reference():
    try:
        from onnx import TensorProto, helper
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        pytest.skip("onnx is not importable")

    def run(op, x, w, b, attrs):
        tp = TensorProto.FLOAT
        names = ["X", "W"] + (["B"] if b is not None else [])
        ins = [helper.make_tensor_value_info(n, tp, None) for n in names]
        node = helper.make_node(op, names, ["Y"], **attrs)
        g = helper.make_graph([node], "g", ins, [helper.make_tensor_value_info("Y", tp, None)])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 22)])
        feeds = dict(zip(names, [x, w] + ([b] if b is not None else [])))
        return ReferenceEvaluator(m).run(None, feeds)[0]
    return run


def test_onnx_conv_random_vs_reference():
    """Conv over every auto_pad, strides, dilations, group and asymmetric pads, and
    ConvTranspose with group 1, or one input and one output channel per group and no B
    (the forms onnx.reference's ConvTranspose computes correctly), on fresh random cases."""
    ref = _reference()
    rng = np.random.default_rng(20261207)
    n = 0
    for i in range(40):
        op = "Conv" if i % 2 == 0 else "ConvTranspose"
        sp = int(rng.integers(1, 4))
        g = int(rng.choice([1, 2]))
        ks = [int(rng.integers(1, 4)) for _ in range(sp)]
        s = [int(rng.integers(1, 3)) for _ in range(sp)]
        d = [int(rng.integers(1, 3)) for _ in range(sp)]
        xs = [int(rng.integers(max(ks) * max(d), 8)) for _ in range(sp)]
        attrs = {"strides": s, "dilations": d, "group": g}
        ap = str(rng.choice(["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"]))
        if op == "Conv":
            cg, m = int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
            x = rng.standard_normal((1, cg * g, *xs)).astype(np.float32)
            w = rng.standard_normal((m, cg, *ks)).astype(np.float32)
            if ap == "NOTSET":
                attrs["pads"] = [int(rng.integers(0, k)) for k in ks + ks]
        else:
            m = g if g > 1 else int(rng.integers(1, 3))  # one output channel per group
            x = rng.standard_normal((1, g, *xs)).astype(np.float32)  # one input channel per group
            w = rng.standard_normal((g, m // g, *ks)).astype(np.float32)
            if ap == "NOTSET":
                attrs["pads"] = [int(rng.integers(0, k)) for k in ks + ks]
        if ap != "NOTSET":
            attrs["auto_pad"] = ap
        # onnx.reference's grouped ConvTranspose adds B[0..M/group) to every group
        b = rng.standard_normal(m).astype(np.float32) if i % 3 and (op == "Conv" or g == 1) else None
        try:
            want = ref(op, x, w, b, attrs)
        except Exception:  # noqa: BLE001  onnx.reference's own limits
            continue
        y = np.asarray(_run(op, x, w, b, **attrs))
        assert y.shape == want.shape, (op, attrs, y.shape, want.shape)
        scale = max(1.0, float(np.max(np.abs(want), initial=0)))
        assert np.max(np.abs(y - want), initial=0) <= 1e-5 * scale, (op, attrs)
        n += 1
    assert n >= 20


def test_onnx_conv_errors():
    x = np.zeros((1, 4, 5, 5), np.float32)
    w = np.zeros((6, 2, 3, 3), np.float32)
    with pytest.raises(ValueError, match="auto_pad"):
        cr.onnx.conv(x, w, group=2, auto_pad="SAME")
    with pytest.raises(ValueError, match="pads has 2 values"):
        cr.onnx.conv(x, w, group=2, pads=[1, 1])
    with pytest.raises(ValueError, match="kernel_shape"):
        cr.onnx.conv(x, w, group=2, kernel_shape=[2, 2])
    with pytest.raises(ValueError, match="group 3"):
        cr.onnx.conv(x, w, group=3)
    with pytest.raises(ValueError, match="output_shape"):
        cr.onnx.conv_transpose(x, np.zeros((4, 1, 3, 3), np.float32), output_shape=[0, 3])
    y = cr.onnx.conv_transpose(x, np.zeros((4, 1, 3, 3), np.float32), output_shape=[9, 4])
    assert np.asarray(y).shape == (1, 1, 9, 4)
