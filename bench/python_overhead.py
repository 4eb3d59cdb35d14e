#!/usr/bin/python3
"""What the Python call adds to the C++ kernel, in one run.

    /usr/bin/python3 bench/python_overhead.py [BUILD_DIR]      (default: build)

kldiv.kl_divergence(a, b, input="logits") on 64×256000 float32 logits (b = a + 0.01·N(0,1)),
median of repeated calls, against BUILD_DIR/bench/bench_batch's logits_kl_near at the same shape
and thread count (median of 5 repetitions, run before and after, the better kept).
"""
import os
import sys
import time

import numpy as np

import gbench

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
sys.path.insert(0, os.path.join(BUILD, "python"))
import kldiv  # noqa: E402  (the build tree's package)

ROWS, COLS = 64, 256000


def python_seconds():
    rng = np.random.default_rng(1)
    a = rng.normal(0, 2, (ROWS, COLS)).astype(np.float32)
    b = (a + 0.01 * rng.standard_normal((ROWS, COLS))).astype(np.float32)
    kldiv.kl_divergence(a, b, input="logits")
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < 3.0 or len(times) < 10:
        t0 = time.perf_counter()
        kldiv.kl_divergence(a, b, input="logits")
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def cpp_seconds():
    name = f"bench::logits_kl_near/rows:{ROWS}/cols:{COLS}/threads:2/real_time"
    runs = gbench.medians(BUILD, "bench_batch", f"logits_kl_near/rows:{ROWS}/cols:{COLS}/threads:2")
    return runs[name]["real_time"] * 1e-3  # ms


def main():
    before = cpp_seconds()
    py = python_seconds()
    after = cpp_seconds()
    cpp = min(before, after)
    print(f"{ROWS}x{COLS} float32 logits, 2 threads: C++ kernel {cpp * 1e3:.2f} ms, "
          f"Python kldiv.kl_divergence {py * 1e3:.2f} ms, ratio {py / cpp:.3f}")


if __name__ == "__main__":
    main()
