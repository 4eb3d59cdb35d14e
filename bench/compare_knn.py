#!/usr/bin/python3
"""k-NN KL estimation: kldiv against the usual Python approach, side by side.

    /usr/bin/python3 bench/compare_knn.py [BUILD_DIR]      (default: build)

The Python estimator is the ITE toolbox's kNN KL estimator (Szabó, BDKL_KnnK) written with SciPy's
cKDTree: build a tree on x and one on y, query x in its own tree for k + 1 neighbours (the first is
the point itself) and in y's tree for k, and
    D = d · mean(ln(ν_k / ρ_k)) + ln(m / (n − 1)).
Both sides: n = m = 10^5 samples of N(0, I_d) against N(0.5, I_d) (true KL d/8 nats), k = 5,
2 threads (cKDTree.query(workers=2), kldiv threads=2), trees built inside the timed region.
kldiv: BUILD_DIR/bench/bench_knn's kl_divergence_knn (median of 3 repetitions).
Python: median of 3 calls. Prints both times, both estimates and the ratio per d.
"""
import sys
import time

import numpy as np
from scipy.spatial import cKDTree

import gbench

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
N, K, THREADS = 100000, 5, 2


def ite_knn_kl(x, y, k, workers):
    n, d = x.shape
    m = y.shape[0]
    rho = cKDTree(x).query(x, k=k + 1, workers=workers)[0][:, -1]
    nu = cKDTree(y).query(x, k=k, workers=workers)[0][:, -1]
    return d * np.mean(np.log(nu / rho)) + np.log(m / (n - 1))


def python_run(d):
    rng = np.random.default_rng(d)
    x = rng.standard_normal((N, d))
    y = rng.standard_normal((N, d)) + 0.5
    times, value = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        value = ite_knn_kl(x, y, K, THREADS)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), value


def cpp_run(d):
    stem = f"kl_divergence_knn/n:{N}/d:{d}/threads:{THREADS}"
    record = gbench.medians(BUILD, "bench_knn", stem + "/", repetitions=3)[f"bench::{stem}/real_time"]
    return record["real_time"] * 1e-3, record["kl"]  # ms


def main():
    print(f"n = m = {N}, k = {K}, {THREADS} threads; true KL = d/8 nats")
    print(f"{'d':>3} {'cKDTree (s)':>12} {'kldiv (s)':>10} {'ratio':>7} {'KL cKDTree':>11} {'KL kldiv':>9}")
    for d in (1, 2, 5, 10):
        py, py_value = python_run(d)
        cpp, cpp_value = cpp_run(d)
        print(f"{d:>3} {py:>12.3f} {cpp:>10.3f} {py / cpp:>7.2f} {py_value:>11.4f} {cpp_value:>9.4f}")


if __name__ == "__main__":
    main()
