"""Issue 15 in Python: inputs that crashed the interpreter or gave wrong answers with no error now
raise ValueError naming the argument, the value and the rule (the library's checks, shared with
the command line)."""
import numpy as np
import pytest

import kldiv
import kldiv.estimate
import kldiv.llm


def test_a_base_below_one_is_refused():
    # base=0.5 made every divergence negative.
    with pytest.raises(ValueError, match=r"base = 0.5, but a logarithm base must be finite and > 1"):
        kldiv.kl_divergence([0.2, 0.8], [0.5, 0.5], base=0.5)


def test_a_huge_smoothing_epsilon_is_refused():
    # epsilon=1e308 gave NaN.
    with pytest.raises(ValueError, match=r"kl_divergence: epsilon = 1e\+308, but smoothing needs an epsilon in \(0, 1\]"):
        kldiv.kl_divergence([0.5, 0.5], [1.0, 0.0], on_zero="smooth", epsilon=1e308)


def test_a_huge_bin_count_is_refused_before_allocating():
    # bin_count=2**64-1 was a SIGSEGV.
    x = np.linspace(0.0, 1.0, 50)
    with pytest.raises(ValueError, match=r"bin_count = 18446744073709551615, but at most 2\^26 = 67108864 bins are allowed"):
        kldiv.estimate.kl_divergence_histogram(x, x + 0.1, bins="fixed", bin_count=2**64 - 1)


@pytest.mark.parametrize("shape", [(4, 0), (0, 2**61)])
def test_an_empty_vocabulary_is_refused(tmp_path, shape):
    # A .npy of 0 columns divided by zero (SIGFPE killed the interpreter).
    path = tmp_path / "empty.npy"
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % shape
    header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    with pytest.raises(ValueError, match=r"holds rows over %d tokens, but a vocabulary must have 2 to 16777216" % shape[1]):
        kldiv.llm.compare(str(path), str(path))
