#!/usr/bin/python3
"""Writes the tiny .npy fixtures that tests/test_io.cpp reads, with NumPy itself, so the reader is
checked against files NumPy really writes (the tests also build .npy files byte by byte).

Run from anywhere:  /usr/bin/python3 tests/data/io/make_npy.py
Made with NumPy 1.24.2 (Debian 12, python3-numpy); the files are byte-stable across NumPy versions
that write format 1.0 headers padded to 64 bytes.
"""
import os

import numpy as np
from numpy.lib import format as npy_format

here = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(here, name)
    with open(path, "wb") as f:
        npy_format.write_array(f, array, version=version, allow_pickle=False)
    print(path, array.dtype.str, array.shape, os.path.getsize(path), "bytes")


save("f8_little.npy", np.array([0.1, 0.2, 0.3, 0.4], dtype="<f8"))
save("f4_big.npy", np.array([0.5, 0.25, 0.125, 0.125], dtype=">f4"))
save("f8_version2.npy", np.array([1.0, 2.0, 3.0], dtype="<f8"), version=(2, 0))
save("f8_2d.npy", np.arange(6, dtype="<f8").reshape(2, 3))
save("i8.npy", np.arange(3, dtype="<i8"))
