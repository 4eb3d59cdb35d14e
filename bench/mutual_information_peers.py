#!/usr/bin/python3
"""Mutual information estimated by kldiv beside scikit-learn's mutual_info_regression and
mutual_info_classif on the same data, in one run: time (medians) and the estimates.

    PYTHONPATH=build/python /usr/bin/python3 bench/mutual_information_peers.py [--n 100000] [--features 4] [--repeat 5]

Data: X with --features columns, y = a mix of them plus noise (continuous) or its sign classes
(discrete). scikit-learn scales every continuous variable to unit variance and adds noise of 1e-10
(seeded); kldiv.mutual_information does the same, with its own generator, so both estimate from data
that differ by 1e-10: the estimates agree to about 1e-12. scikit-learn computes on one thread (it
has no threads option for mutual information); kldiv is timed on 1 thread and on every core.
"""
import argparse
import os
import statistics
import time

import numpy as np
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

import kldiv


def timed(f, repeat):
    result = f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    X = rng.standard_normal((args.n, args.features))
    weights = np.linspace(1.0, 0.0, args.features)
    y = X @ weights + rng.standard_normal(args.n)
    classes = (y > 0).astype(int) + (y > 1.5)
    cores = os.cpu_count()
    print(f"n = {args.n}, {args.features} features, k = 3; medians of {args.repeat}; {cores} cores")
    print(f"  {'target':<12}{'scikit-learn':>14}{'kldiv 1':>10}{'kldiv ' + str(cores):>10}{'ratio 1':>9}"
          f"{'ratio ' + str(cores):>9}   largest |difference| of the estimates")
    for label, peer, ours in [
        ("continuous", lambda: mutual_info_regression(X, y, n_neighbors=3, random_state=0),
         lambda threads: kldiv.mutual_information(X, y, k=3, threads=threads)),
        ("discrete", lambda: mutual_info_classif(X, classes, n_neighbors=3, random_state=0),
         lambda threads: kldiv.mutual_information(X, classes, discrete_target=True, k=3, threads=threads)),
    ]:
        t_peer, v_peer = timed(peer, args.repeat)
        t1, v1 = timed(lambda: ours(1), args.repeat)
        tn, _ = timed(lambda: ours(0), args.repeat)
        difference = np.max(np.abs(np.maximum(v1, 0) - v_peer))
        print(f"  {label:<12}{t_peer:>12.3f} s{t1:>8.3f} s{tn:>8.3f} s{t_peer / t1:>8.1f}×{t_peer / tn:>8.1f}×"
              f"   {difference:.1e}")
        print(f"  {'':<12}estimates: scikit-learn {np.round(v_peer, 4)}, kldiv {np.round(v1, 4)}")


if __name__ == "__main__":
    main()
