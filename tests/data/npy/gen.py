#!/usr/bin/env python3
"""Regenerates the .npy fixtures used by tests/test_npy.c (run from this directory).

The files are committed; this script only documents how they were made
(numpy.save / numpy.lib.format.write_array, numpy 2.x).
"""
import numpy as np

try:
    from numpy.lib import format as npf
    npf.write_array  # noqa: B018
except AttributeError:  # pragma: no cover
    import numpy.lib.format as npf


def save(name, a, version=None):
    with open(name, "wb") as f:
        npf.write_array(f, a, version=version, allow_pickle=False)


# Supported, version 1.0 (what numpy.save writes by default).
save("f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3) - 2.5)
save("f8_3.npy", np.array([1.5, -2.25, 1e300], dtype="<f8"))
save("f2_2x2.npy", np.array([[0.5, -1.0], [65504.0, 6.1e-5]], dtype="<f2"))
save("u1_4.npy", np.array([0, 1, 254, 255], dtype="u1"))
save("u2_2x3.npy", np.array([[0, 1, 2], [1000, 40000, 65535]], dtype="<u2"))
save("i8_scalar.npy", np.array(-7, dtype="<i8"))
save("f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))
save("i8_5d.npy", np.arange(4, dtype="<i8").reshape(1, 2, 1, 2, 1) - 2**40)
# Other format versions.
save("v2_f4_3.npy", np.array([1, 2, 3], dtype="<f4"), version=(2, 0))
save("v3_f4_3.npy", np.array([1, 2, 3], dtype="<f4"), version=(3, 0))
# Unsupported.
save("fortran_f4_2x3.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
save("bigendian_f4_3.npy", np.array([1, 2, 3], dtype=">f4"))
save("i4_3.npy", np.array([1, 2, 3], dtype="<i4"))
save("bool_3.npy", np.array([True, False, True]))
save("structured_2.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i8")]))
