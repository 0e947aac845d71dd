# SPDX-License-Identifier: MIT
"""clresample.onnx against the committed ONNX goldens (tests/golden/onnx_resize.txt,
onnx_pool.txt: onnx.reference / onnxruntime results)."""
import numpy as np
import pytest

import clresample as cr
import goldens as G

NP = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "u8": np.uint8}


def _cases(name):
    path = G.GOLDEN / name
    if not path.is_file():
        return []
    return [G.parse(ln) for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]


RESIZE = [c for c in _cases("onnx_resize.txt") if c["dtype"] in NP]
POOL = [c for c in _cases("onnx_pool.txt") if c["dtype"] in NP]
_DATA = {}


def _data(n):
    if n not in _DATA:
        _DATA[n] = np.load(G.GOLDEN / "onnx_resize" / f"data{n}.npy")
    return _DATA[n]


def _opt(c, k, conv=str):
    v = c.get(k, "-")
    return None if v == "-" else conv(v)


def _list(c, k, conv):
    v = c.get(k, "-")
    return None if v == "-" else [conv(x) for x in v.split(",")]


def _check(got, want, tol):
    assert got.shape == want.shape, (got.shape, want.shape)
    if tol == 0 or got.dtype.kind != "f":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                   rtol=tol, atol=tol)


@pytest.mark.parametrize("c", RESIZE, ids=[c["name"] for c in RESIZE])
def test_onnx_resize(c):
    d = _data(c["data"])
    xs = [int(v) for v in c["xshape"].split(",")]
    ys = [int(v) for v in c["yshape"].split(",")]
    x = d[int(c["x"]):int(c["x"]) + int(np.prod(xs))].reshape(xs).astype(NP[c["dtype"]])
    want = d[int(c["y"]):int(c["y"]) + int(np.prod(ys))].reshape(ys).astype(NP[c["dtype"]])
    opset = int(c["opset"])
    if c["op"] == "Upsample":
        y = cr.onnx.upsample(x, _list(c, "scales", float), mode=c["mode"], opset=opset)
    else:
        kw = {k: v for k, v in dict(
            coordinate_transformation_mode=_opt(c, "ctm"), nearest_mode=_opt(c, "nearest_mode"),
            keep_aspect_ratio_policy=_opt(c, "policy")).items() if v is not None}
        for k, conv in (("cubic_coeff_a", float), ("exclude_outside", int),
                        ("extrapolation_value", float), ("antialias", int)):
            if _opt(c, k) is not None:
                kw[k] = conv(c[k])
        y = cr.onnx.resize(x, _list(c, "roi", float), _list(c, "scales", float),
                           _list(c, "sizes", int), mode=c["mode"], axes=_list(c, "axes", int),
                           opset=opset, **kw)
    tol = 0 if c["mode"] == "nearest" or c["dtype"] == "u8" else \
        (1e-5 if c["dtype"] == "f32" else 1e-3 if c["dtype"] == "f16" else 1e-10)
    if c["dtype"] == "u8" and c["mode"] != "nearest":
        # one unit, as tests/test_onnx_resize.c: float maths vs the reference's float64
        assert y.shape == want.shape
        assert np.abs(y.astype(int) - want.astype(int)).max(initial=0) <= 1
        return
    _check(y, want, tol)


@pytest.mark.parametrize("c", POOL, ids=[c["id"] for c in POOL])
def test_onnx_pool(c):
    x = G.load(c["in"])
    want = G.load(c["out"])
    op, tol = c["op"], float(c["tol"])
    ints = lambda k: _list(c, k, int)  # noqa: E731
    common = dict(auto_pad=_opt(c, "auto_pad") or "NOTSET", ceil_mode=int(c.get("ceil_mode", 0)),
                  pads=ints("pads"), strides=ints("strides"))
    if op == "MaxPool":
        y = cr.onnx.max_pool(x, ints("kernel_shape"), dilations=ints("dilations"),
                             storage_order=int(c.get("storage_order", 0)),
                             return_indices="idx" in c, **common)
        if "idx" in c:
            y, idx = y
            np.testing.assert_array_equal(idx, G.load(c["idx"]))
    elif op == "AveragePool":
        y = cr.onnx.average_pool(x, ints("kernel_shape"), dilations=ints("dilations"),
                                 count_include_pad=int(c.get("count_include_pad", 0)), **common)
    elif op == "LpPool":
        y = cr.onnx.lp_pool(x, ints("kernel_shape"), dilations=ints("dilations"),
                            p=int(c.get("p", 2)), **common)
    elif op == "GlobalMaxPool":
        y = cr.onnx.global_max_pool(x)
    elif op == "GlobalAveragePool":
        y = cr.onnx.global_average_pool(x)
    elif op == "GlobalLpPool":
        y = cr.onnx.global_lp_pool(x, p=int(c.get("p", 2)))
    elif op == "MaxUnpool":
        y = cr.onnx.max_unpool(x, G.load(c["I"]), _list(c, "output_shape", int),
                               kernel_shape=ints("kernel_shape"), pads=ints("pads"),
                               strides=ints("strides"))
    elif op == "DepthToSpace":
        y = cr.onnx.depth_to_space(x, int(c["blocksize"]), mode=c.get("mode", "DCR"))
    elif op == "SpaceToDepth":
        y = cr.onnx.space_to_depth(x, int(c["blocksize"]), mode=c.get("mode", "DCR"))
    else:
        raise AssertionError(op)
    _check(y, want, tol)


def test_onnx_errors():
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(ValueError):
        cr.onnx.resize(x, scales=[1, 1, 2, 2], sizes=[1, 1, 8, 8])
    with pytest.raises(ValueError):
        cr.onnx.resize(x, scales=[1, 1, 2, 2], mode="bogus")
    with pytest.raises(ValueError):
        cr.onnx.max_pool(x, [2, 2], auto_pad="SAME")
    with pytest.raises(ValueError):
        cr.onnx.depth_to_space(x, 2, mode="XYZ")
