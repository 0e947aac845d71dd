# SPDX-License-Identifier: MIT
"""The Python layer itself: arrays in and out, out=, layouts, errors, contexts,
devices, threads, images."""
import threading

import numpy as np
import pytest

import clresample as cr

X = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)


def test_done_means():
    y = cr.interpolate(np.ones((1, 1, 2, 2), np.float32), scale_factor=2, mode="bilinear")
    assert isinstance(y, np.ndarray) and y.shape == (1, 1, 4, 4) and (y == 1).all()


def test_bilinear_readme_values():
    x = np.array([[[[1, 2], [3, 4]]]], np.float32)
    y = cr.interpolate(x, scale_factor=2, mode="bilinear")
    np.testing.assert_allclose(y[0, 0, 0], [1.0, 1.25, 1.75, 2.0])


def test_channels_last_and_strided_inputs_are_read_in_place():
    cl = np.ascontiguousarray(X.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    want = cr.interpolate(X, size=(7, 9), mode="bicubic")
    got = cr.interpolate(cl, size=(7, 9), mode="bicubic")
    np.testing.assert_array_equal(got, want)
    assert got.strides[1] == got.itemsize  # channels-last in, channels-last out
    view = X[:, ::2, 1:, ::2]
    np.testing.assert_array_equal(cr.max_pool2d(view, 2, 1),
                                  cr.max_pool2d(np.ascontiguousarray(view), 2, 1))


def test_negative_strides_are_copied():
    flipped = X[..., ::-1]
    np.testing.assert_array_equal(cr.avg_pool2d(flipped, 2),
                                  cr.avg_pool2d(np.ascontiguousarray(flipped), 2))


def test_out_is_written_and_returned():
    out = np.full((2, 3, 8, 10), -1, np.float32)
    r = cr.interpolate(X, scale_factor=2, out=out)
    assert r is out and (out != -1).all()
    np.testing.assert_array_equal(out, cr.interpolate(X, scale_factor=2))
    with pytest.raises(ValueError):
        cr.interpolate(X, scale_factor=2, out=np.empty((2, 3, 8, 9), np.float32))
    with pytest.raises(TypeError):
        cr.interpolate(X, scale_factor=2, out=np.empty((2, 3, 8, 10), np.float64))
    ro = np.empty((2, 3, 8, 10), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        cr.interpolate(X, scale_factor=2, out=ro)


def test_out_strided_view():
    big = np.zeros((2, 3, 8, 20), np.float32)
    cr.interpolate(X, scale_factor=2, out=big[..., ::2])
    np.testing.assert_array_equal(big[..., ::2], cr.interpolate(X, scale_factor=2))
    assert (big[..., 1::2] == 0).all()


def test_unbatched_pooling():
    y, i = cr.max_pool2d(X[0], 2, return_indices=True)
    y4, i4 = cr.max_pool2d(X[:1], 2, return_indices=True)
    assert y.shape == (3, 2, 2)
    np.testing.assert_array_equal(y, y4[0])
    np.testing.assert_array_equal(cr.max_unpool2d(y, i, 2, output_size=(4, 5)),
                                  cr.max_unpool2d(y4, i4, 2, output_size=(4, 5))[0])


def test_pool_family_shapes():
    x1 = X.reshape(2, 3, 20)
    x3 = X.reshape(2, 3, 2, 2, 5)
    assert cr.max_pool1d(x1, 3, 2, 1, 2, True).shape == (2, 3, 10)
    assert cr.avg_pool1d(x1, 4).shape == (2, 3, 5)
    assert cr.lp_pool1d(x1, 2.0, 4).shape == (2, 3, 5)
    assert cr.avg_pool3d(x3, (1, 2, 2), divisor_override=3).shape == (2, 3, 2, 1, 2)
    assert cr.lp_pool3d(x3, float("inf"), (1, 2, 5)).shape == (2, 3, 2, 1, 1)
    assert cr.adaptive_avg_pool2d(X, (None, 2)).shape == (2, 3, 4, 2)
    assert cr.adaptive_avg_pool1d(x1, 0).shape == (2, 3, 0)
    y, i = cr.adaptive_max_pool3d(x3, 1, return_indices=True)
    assert y.shape == i.shape == (2, 3, 1, 1, 1) and i.dtype == np.int64
    assert (y.reshape(-1) == X.reshape(6, -1).max(1)).all()
    y, i = cr.fractional_max_pool2d(X, 2, output_size=(2, 3), return_indices=True)
    assert y.shape == (2, 3, 2, 3)
    s = np.full((2, 3, 3), 0.5, np.float32)
    a = cr.fractional_max_pool3d(x3, 1, output_ratio=(0.5, 0.5, 0.5), _random_samples=s)
    b = cr.fractional_max_pool3d(x3, 1, output_ratio=(0.5, 0.5, 0.5), _random_samples=s)
    np.testing.assert_array_equal(a, b)
    ps = cr.pixel_shuffle(np.arange(2 * 8 * 3 * 3, dtype=np.float32).reshape(2, 8, 3, 3), 2)
    assert ps.shape == (2, 2, 6, 6)
    np.testing.assert_array_equal(cr.pixel_unshuffle(ps, 2),
                                  np.arange(2 * 8 * 3 * 3, dtype=np.float32).reshape(2, 8, 3, 3))
    five = np.arange(2 * 2 * 4 * 2 * 2, dtype=np.float32).reshape(2, 2, 4, 2, 2)
    np.testing.assert_array_equal(cr.pixel_shuffle(five, 2).reshape(4, 1, 4, 4),
                                  cr.pixel_shuffle(five.reshape(4, 4, 2, 2), 2))


def test_uint8():
    u = (np.arange(64) % 256).astype(np.uint8).reshape(1, 1, 8, 8)
    assert cr.interpolate(u, scale_factor=0.5, mode="area").dtype == np.uint8
    y = cr.max_pool2d(u, 2)
    assert y.dtype == np.uint8 and y.max() == u.max()


def test_grid_sample_identity():
    theta = np.array([[[1, 0, 0], [0, 1, 0]]] * 2, np.float32)
    grid = cr.affine_grid(theta, [2, 3, 4, 5], align_corners=False)
    assert grid.shape == (2, 4, 5, 2)
    y = cr.grid_sample(X, grid, align_corners=False)
    np.testing.assert_allclose(y, X, rtol=1e-6, atol=1e-5)
    theta3 = np.zeros((1, 3, 4), np.float64)
    assert cr.affine_grid(theta3, (1, 1, 2, 3, 4)).shape == (1, 2, 3, 4, 3)


def test_resize_batch():
    rng = np.random.default_rng(7)
    imgs = [rng.integers(0, 256, size=(1, 3, h, w), dtype=np.uint8) for h, w in ((9, 13), (20, 6), (5, 5))]
    imgs[1] = np.ascontiguousarray(imgs[1].transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)  # channels-last
    y = cr.resize_batch(imgs, (7, 8), mode="bilinear", antialias=True)
    assert y.shape == (3, 3, 7, 8) and y.dtype == np.uint8
    for i, x in enumerate(imgs):
        np.testing.assert_array_equal(y[i:i + 1], cr.interpolate(x, size=(7, 8), mode="bilinear", antialias=True))
    f = [rng.random((2, 2, h, w), dtype=np.float32) for h, w in ((4, 9), (11, 3))]
    yf = cr.resize_batch(f, 5, mode="bicubic")
    assert yf.shape == (4, 2, 5, 5)
    np.testing.assert_array_equal(yf[2:], cr.interpolate(f[1], size=5, mode="bicubic"))
    with pytest.raises(ValueError):
        cr.resize_batch([], (4, 4))
    with pytest.raises(cr.Error, match="image 1 has channel count 1 but image 0 has 3"):
        cr.resize_batch([imgs[0], imgs[0][:, :1]], (4, 4))


def test_resize_image():
    img = (np.arange(6 * 8 * 3) % 251).astype(np.uint8).reshape(6, 8, 3)
    half = cr.resize_image(img, (4, None), mode="bicubic", antialias=True)
    assert half.shape == (3, 4, 3) and half.dtype == np.uint8
    want = cr.interpolate(np.ascontiguousarray(img.transpose(2, 0, 1))[None], size=(3, 4),
                          mode="bicubic", antialias=True)[0].transpose(1, 2, 0)
    np.testing.assert_array_equal(half, want)
    g16 = np.arange(20, dtype=np.uint16).reshape(4, 5) * 1000
    assert cr.resize_image(g16, scale=2.0).shape == (8, 10)
    assert cr.resize_image(img[:, ::2], (None, 3)).shape == (3, 2, 3)
    with pytest.raises(ValueError):
        cr.resize_image(img)
    with pytest.raises(ValueError):
        cr.resize_image(img[None], (2, 2))


@pytest.mark.parametrize("call,exc", [
    (lambda: cr.interpolate(X, size=4, scale_factor=2), ValueError),
    (lambda: cr.interpolate(X), ValueError),
    (lambda: cr.interpolate(X, size=(4, 4, 4)), ValueError),
    (lambda: cr.interpolate(X, size=(4.0, 4)), TypeError),
    (lambda: cr.interpolate(X, size=4, align_corners=True), ValueError),
    (lambda: cr.interpolate(X, size=4, recompute_scale_factor=True), ValueError),
    (lambda: cr.interpolate(X, size=4, mode="cubic"), NotImplementedError),
    (lambda: cr.interpolate(X[0, 0], size=4), NotImplementedError),
    (lambda: cr.interpolate(X, scale_factor=0.0), ValueError),
    (lambda: cr.interpolate(X, size=4, mode="lanczos"), ValueError),
    (lambda: cr.interpolate(X.astype(np.int32), size=4), TypeError),
    (lambda: cr.interpolate("nope", size=4), TypeError),
    (lambda: cr.max_pool2d(X, 3, padding=2), ValueError),
    (lambda: cr.max_pool2d(X, 2, dilation=0), ValueError),
    (lambda: cr.max_pool2d(X[0, 0, 0], 2), ValueError),
    (lambda: cr.max_pool2d(X, 2.5), TypeError),
    (lambda: cr.avg_pool2d(X, 2, divisor_override=0), ValueError),
    (lambda: cr.lp_pool2d(X, 0.0, 2), ValueError),
    (lambda: cr.adaptive_avg_pool2d(X, -1), ValueError),
    (lambda: cr.fractional_max_pool2d(X, 2), ValueError),
    (lambda: cr.max_unpool2d(X, np.full(X.shape, 99, np.int64), 2), ValueError),
    (lambda: cr.max_unpool2d(X, np.zeros(X.shape, np.int32), 2), TypeError),
    (lambda: cr.max_unpool2d(X, np.zeros(X.shape, np.int64), 2, output_size=(1, 2, 3)),
     ValueError),
    (lambda: cr.pixel_shuffle(X, 2), ValueError),
    (lambda: cr.max_unpool2d(X, np.zeros((1,) * 6, np.int64), 2), ValueError),
    (lambda: cr.grid_sample(X, np.zeros((2, 3, 3, 2), np.float32), mode="cubic"), ValueError),
    (lambda: cr.grid_sample(X, np.zeros((2, 3, 3, 3), np.float32)), ValueError),
    (lambda: cr.affine_grid(np.zeros((1, 2, 3), np.float32), [1, 1, 2]), NotImplementedError),
    (lambda: cr.affine_grid(np.zeros((1, 3, 4), np.float32), [1, 1, 2, 2]), ValueError),
    (lambda: cr.affine_grid(np.zeros((1, 2, 3), np.uint8), [1, 1, 2, 2]), ValueError),
])
def test_errors(call, exc):
    with pytest.raises(exc):
        call()


def test_library_errors_carry_message_and_status():
    with pytest.raises(cr.InvalidArgumentError) as ei:
        cr.max_pool2d(X, 3, padding=2)
    e = ei.value
    assert isinstance(e, ValueError) and isinstance(e, cr.Error)
    assert e.status < 0 and e.status_name.startswith("CLRS_ERR_")
    assert e.message and e.status_name in str(e)


def test_devices_and_context():
    devs = cr.devices()
    assert devs and sum(d.is_default for d in devs) <= 1
    assert all(d.reason for d in devs)
    with cr.Context() as ctx:
        assert ctx.device.name
        y = cr.interpolate(X, scale_factor=2, context=ctx)
        np.testing.assert_array_equal(y, cr.interpolate(X, scale_factor=2))
    with pytest.raises(ValueError):
        cr.interpolate(X, scale_factor=2, context=ctx)  # closed
    with pytest.raises(cr.DeviceError) as ei:
        cr.Context(device="NoSuchPlatform:GPU:nothing")
    assert ei.value.message
    with pytest.raises(TypeError):
        cr.interpolate(X, scale_factor=2, context="cpu")


def test_threads_share_the_default_context():
    cr.set_default_context(None)
    results, errors = {}, []
    xs = [np.random.default_rng(i).random((1, 2, 9, 11), np.float32) for i in range(8)]

    def work(i):
        try:
            for _ in range(5):
                results[i] = (cr.interpolate(xs[i], size=(5, 7), mode="bilinear",
                                             antialias=True),
                              cr.max_pool2d(xs[i], 3, 2, return_indices=True)[1])
            cr.max_pool2d(xs[i], 3, padding=2)
        except cr.InvalidArgumentError as e:
            if "pad" not in e.message:
                errors.append(e)  # each thread sees its own last error
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    ctx = cr.default_context()
    assert ctx is cr.default_context()
    for i, x in enumerate(xs):
        np.testing.assert_array_equal(results[i][0], cr.interpolate(x, size=(5, 7),
                                      mode="bilinear", antialias=True))


def test_help_reads_like_pytorch():
    doc = cr.interpolate.__doc__
    for word in ("size", "scale_factor", "align_corners", "recompute_scale_factor",
                 "antialias", "Args:", "Returns:"):
        assert word in doc
    for name in cr.__all__:
        obj = getattr(cr, name)
        if callable(obj):
            assert obj.__doc__, name


class Producer:
    """A minimal DLPack producer (any CPU array library) over a numpy array, so the
    capsule path runs without torch."""

    def __init__(self, a):
        self.a = a

    def __dlpack__(self, stream=None):
        return self.a.__dlpack__()

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()


def test_dlpack_producer_without_torch():
    base = np.random.default_rng(3).random((2, 4, 6, 10), np.float32)
    for x in (base, base[:, ::2, 1:, ::3],
              np.ascontiguousarray(base.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)):
        y = cr.interpolate(Producer(x), size=(5, 7), mode="bilinear")
        assert isinstance(y, np.ndarray)  # no from_dlpack to answer with: numpy
        np.testing.assert_array_equal(y, cr.interpolate(np.ascontiguousarray(x), size=(5, 7),
                                                        mode="bilinear"))
    out = np.zeros((2, 4, 3, 5), np.float32)
    assert cr.max_pool2d(Producer(base), 2, out=Producer(out)) is not None
    np.testing.assert_array_equal(out, cr.max_pool2d(base, 2))
    u16 = (np.arange(24, dtype=np.uint16) * 1000).reshape(2, 4, 3)
    np.testing.assert_array_equal(cr.resize_image(Producer(u16), scale=2.0),
                                  cr.resize_image(u16, scale=2.0))


def test_dlpack_refuses_other_devices():
    class OnGPU(Producer):
        def __dlpack_device__(self):
            return (2, 0)  # kDLCUDA
    with pytest.raises(TypeError):
        cr.interpolate(OnGPU(X), scale_factor=2)
