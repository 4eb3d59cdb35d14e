#!/usr/bin/python3
"""kldiv.drift against the same computation done the way the drift tools do it (Evidently's and
NannyML's stattests: pandas/NumPy histograms and SciPy per column), side by side in one run.

    PYTHONPATH=build/python /usr/bin/python3 bench/drift_peers.py [--rows 10000000 --columns 100]
        [--dtype float32] [--threads 2] [--peer-columns 100] [--repeats 1]

Data: two tables of --rows rows × --columns numeric columns (pandas DataFrames, contiguous columns),
standard normal, the current table's odd columns shifted by 0.01 (drift that only a large sample
shows). Generated once, from a fixed seed; then timed:

- kldiv: kldiv.drift(reference, current, threads=T) with its defaults: reference profile (bins from a
  2^18-row sample's quantiles), every measure (PSI, both KLs, JS divergence and distance, Hellinger,
  total variation, χ², KS, normed Wasserstein) per column, permutation p-values, expected values and
  bootstrap intervals, Holm across columns;
- kldiv measures only: the same with permutations=0, resamples=0 (what the peers compute);
- peers: per column, as Evidently's stattests do: 10 equal-width bins over the pooled column
  (numpy.histogram_bin_edges), both sides' proportions by numpy.histogram with empty bins set to
  1e-4, then PSI, KL (scipy.stats.entropy), JS distance (scipy.spatial.distance.jensenshannon),
  Hellinger, total variation and χ² (scipy.stats.chisquare) on the proportions, and KS
  (scipy.stats.ks_2samp) and normed Wasserstein (scipy.stats.wasserstein_distance / numpy.std) on the
  raw values; in one process, and in T processes splitting the columns (fork, the tables shared).
  With --peer-columns below --columns the peers run on that many columns and their time is scaled
  to all of them (printed as such).

Printed: each contender's seconds (median of --repeats), the rows × columns per second, and kldiv's
speed-up over each peer variant. The machine and the command belong beside the numbers in
docs/performance.md.
"""
import argparse
import multiprocessing
import os
import statistics
import time

import numpy as np
import pandas as pd
import scipy.spatial.distance as ssd
import scipy.stats as st

import kldiv


def tables(rows, columns, dtype, seed=2026):
    rng = np.random.default_rng(seed)
    # Generated as (columns, rows) so that each column is contiguous, as pandas keeps them.
    ref = rng.standard_normal((columns, rows), dtype=np.float32 if dtype == "float32" else np.float64)
    cur = rng.standard_normal((columns, rows), dtype=ref.dtype)
    cur[1::2] += ref.dtype.type(0.01)
    names = [f"x{j}" for j in range(columns)]
    return (pd.DataFrame({n: ref[j] for j, n in enumerate(names)}, copy=False),
            pd.DataFrame({n: cur[j] for j, n in enumerate(names)}, copy=False))


def peer_column(r, c, bins=10, eps=1e-4):
    """One column's drift measures as Evidently's stattests compute them."""
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins=bins)
    p = np.histogram(r, edges)[0] / len(r)
    q = np.histogram(c, edges)[0] / len(c)
    p, q = np.where(p == 0, eps, p), np.where(q == 0, eps, q)
    return {
        "psi": float(np.sum((p - q) * np.log(p / q))),
        "kl": float(st.entropy(p, q)),
        "js_distance": float(ssd.jensenshannon(p, q)),
        "hellinger": float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2)),
        "total_variation": float(0.5 * np.abs(p - q).sum()),
        "chi2": float(st.chisquare(q * len(c), p * len(c) * q.sum() / p.sum())[0]),
        "ks": float(st.ks_2samp(r, c).statistic),
        "wasserstein": float(st.wasserstein_distance(r, c) / np.std(r)),
    }


_SHARED = {}


def _peer_columns(names):
    ref, cur = _SHARED["ref"], _SHARED["cur"]
    return [peer_column(ref[n].to_numpy(), cur[n].to_numpy()) for n in names]


def peers(ref, cur, names, processes):
    _SHARED["ref"], _SHARED["cur"] = ref, cur
    if processes <= 1:
        return _peer_columns(names)
    groups = [names[k::processes] for k in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(_peer_columns, groups)


def timed(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--peer-columns", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    peer_columns = args.peer_columns or args.columns
    print(f"{args.rows} rows x {args.columns} columns ({args.dtype}) per table, {os.cpu_count()} cores, "
          f"kldiv {kldiv.__version__}, numpy {np.__version__}, scipy {__import__('scipy').__version__}")
    start = time.perf_counter()
    ref, cur = tables(args.rows, args.columns, args.dtype)
    print(f"tables made in {time.perf_counter() - start:.1f} s")

    results = {}
    result = {}

    def run_kldiv(**options):
        result["r"] = kldiv.drift(ref, cur, threads=args.threads, **options)

    results["kldiv (all, calibrated)"] = timed(lambda: run_kldiv(), args.repeats)
    drifted = result["r"].drifted
    results["kldiv (measures only)"] = timed(lambda: run_kldiv(permutations=0, resamples=0), args.repeats)
    names = list(ref.columns[:peer_columns])
    scale = args.columns / peer_columns
    results["peers, 1 process"] = scale * timed(lambda: peers(ref, cur, names, 1), args.repeats)
    if args.threads > 1:
        results[f"peers, {args.threads} processes"] = scale * timed(lambda: peers(ref, cur, names, args.threads),
                                                                    args.repeats)
    values = args.rows * args.columns
    print(f"\n{'contender':<28} {'seconds':>9} {'values/s':>12}")
    for name, seconds in results.items():
        note = f" (scaled from {peer_columns} columns)" if name.startswith("peers") and scale != 1 else ""
        print(f"{name:<28} {seconds:9.2f} {2 * values / seconds:12.3g}{note}")
    print()
    for ours in ("kldiv (all, calibrated)", "kldiv (measures only)"):
        for peer in [k for k in results if k.startswith("peers")]:
            print(f"{ours} vs {peer}: {results[peer] / results[ours]:.1f}x")
    expected = {f"x{j}" for j in range(1, args.columns, 2)}
    print(f"\ndrifted columns found by kldiv: {len(drifted)} of {args.columns} "
          f"({len(set(drifted) & expected)} of the {len(expected)} shifted, "
          f"{len(set(drifted) - expected)} unshifted)")


if __name__ == "__main__":
    main()
