#!/usr/bin/python3
"""The divergences of kldiv/divergences.hpp beside the NumPy/SciPy one-liners people write: accuracy on
nearly equal distributions (against mpmath) and speed on rows, in one run.

    PYTHONPATH=build/python /usr/bin/python3 bench/divergences_peers.py [--rows 64] [--events 32000] [--repeat 7]

Matrices: every pair of rows of 1000 × 100 and 200 × 5000 probability rows against SciPy's cdist
(jensenshannon; Hellinger as the Euclidean distance of the square roots over √2; total variation as
half the cityblock distance).

Accuracy: 1000 events, q = p·(1 ± δ) renormalized, the relative error of each against the definition
at 60 digits. Speed: N × V float64 probability rows and float32 logits rows; the one-liners as NumPy
evaluates them (one thread: NumPy's elementwise operations do not thread), kldiv on 1 thread and on
every core; medians of --repeat runs, the contenders alternated.
"""
import argparse
import os
import statistics
import sys
import time

import mpmath
import numpy as np
import scipy.special
from scipy.spatial.distance import jensenshannon

import kldiv


def reference(p, q, measure, alpha):
    mpmath.mp.dps = 60
    P = [mpmath.mpf(float(x)) for x in p]
    Q = [mpmath.mpf(float(x)) for x in q]
    sp, sq = mpmath.fsum(P), mpmath.fsum(Q)
    a = mpmath.mpf(alpha)
    s = mpmath.fsum((x / sp) ** a * (y / sq) ** (1 - a) for x, y in zip(P, Q))
    if measure == "renyi_divergence":
        return float(mpmath.log(s) / (a - 1))
    return float((s - 1) / (a - 1))


ONE_LINERS = {
    ("renyi_divergence", 2.0): lambda p, q: np.log(np.sum(p ** 2 / q, axis=-1)),
    ("renyi_divergence", 0.5): lambda p, q: -2 * np.log(np.sum(np.sqrt(p * q), axis=-1)),
    ("tsallis_divergence", 0.5): lambda p, q: (np.sum(np.sqrt(p * q), axis=-1) - 1) / -0.5,
}


def accuracy():
    rng = np.random.default_rng(1)
    p = rng.random(1000)
    p /= p.sum()
    print("accuracy on 1000 events, q = p(1 ± δ): relative error against mpmath at 60 digits")
    print(f"  {'δ':>6}  {'measure':<22}{'NumPy one-liner':>18}{'kldiv':>12}")
    for d in (1e-4, 1e-6, 1e-8):
        q = p * (1 + d * rng.uniform(-1, 1, p.size))
        q /= q.sum()
        for (measure, alpha), one_liner in ONE_LINERS.items():
            ref = reference(p, q, measure, alpha)
            ours = kldiv.divergence(p, q, measure, alpha=alpha)
            print(f"  {d:>6.0e}  {measure + ' ' + str(alpha):<22}{abs(one_liner(p, q) - ref) / ref:>18.1e}"
                  f"{abs(ours - ref) / ref:>12.1e}")


def timed(f, repeat):
    f()  # warm up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def speed(rows, events, repeat):
    rng = np.random.default_rng(2)
    logits_p = rng.standard_normal((rows, events), dtype=np.float32) * 3
    logits_q = logits_p + 0.1 * rng.standard_normal((rows, events), dtype=np.float32)
    P = scipy.special.softmax(logits_p.astype(np.float64), axis=-1)
    Q = scipy.special.softmax(logits_q.astype(np.float64), axis=-1)
    cores = os.cpu_count()
    print(f"\nspeed: {rows} rows × {events} events; medians of {repeat}; ratio = peer time / kldiv time")
    print(f"  {'input':<16}{'measure':<22}{'peer':>10}{'kldiv 1':>10}{'kldiv ' + str(cores):>10}"
          f"{'ratio 1':>9}{'ratio ' + str(cores):>9}   peer")
    cases = [
        ("probs float64", "hellinger", 1.0, lambda: np.sqrt(0.5 * np.sum((np.sqrt(P) - np.sqrt(Q)) ** 2, axis=-1)),
         "np.sqrt(0.5*sum((sqrt(P)-sqrt(Q))**2))", (P, Q, "probs")),
        ("probs float64", "renyi_divergence", 2.0, lambda: np.log(np.sum(P ** 2 / Q, axis=-1)),
         "np.log(sum(P**2/Q))", (P, Q, "probs")),
        ("probs float64", "total_variation", 1.0, lambda: 0.5 * np.abs(P - Q).sum(axis=-1),
         "0.5*abs(P-Q).sum()", (P, Q, "probs")),
        ("probs float64", "js_distance", 1.0, lambda: jensenshannon(P, Q, axis=-1),
         "scipy jensenshannon(axis=-1)", (P, Q, "probs")),
        ("logits float32", "hellinger", 1.0,
         lambda: np.sqrt(0.5 * np.sum((np.sqrt(scipy.special.softmax(logits_p, axis=-1)) -
                                       np.sqrt(scipy.special.softmax(logits_q, axis=-1))) ** 2, axis=-1)),
         "softmax, then the one-liner", (logits_p, logits_q, "logits")),
        ("logits float32", "renyi_divergence", 2.0,
         lambda: np.log(np.sum(scipy.special.softmax(logits_p, axis=-1) ** 2 /
                               scipy.special.softmax(logits_q, axis=-1), axis=-1)),
         "softmax, then the one-liner", (logits_p, logits_q, "logits")),
    ]
    for label, measure, alpha, peer, peer_text, (a, b, kind) in cases:
        t_peer = timed(peer, repeat)
        t1 = timed(lambda: kldiv.divergence(a, b, measure, alpha=alpha, input=kind, threads=1), repeat)
        tn = timed(lambda: kldiv.divergence(a, b, measure, alpha=alpha, input=kind, threads=0), repeat)
        print(f"  {label:<16}{measure + (' ' + str(alpha) if measure.startswith('renyi') else ''):<22}"
              f"{t_peer * 1e3:>8.1f}ms{t1 * 1e3:>8.1f}ms{tn * 1e3:>8.1f}ms{t_peer / t1:>8.1f}×{t_peer / tn:>8.1f}×"
              f"   {peer_text}")


def matrices(repeat):
    from scipy.spatial.distance import cdist
    rng = np.random.default_rng(3)
    cores = os.cpu_count()
    print(f"\nmatrices of every pair of rows: medians of {repeat}; ratio = SciPy time / kldiv time")
    print(f"  {'rows × events':<16}{'measure':<18}{'SciPy cdist':>12}{'kldiv 1':>10}{'kldiv ' + str(cores):>10}"
          f"{'ratio 1':>9}{'ratio ' + str(cores):>9}  largest |difference|")
    for n, v in ((1000, 100), (200, 5000)):
        a = rng.random((n, v))
        a /= a.sum(1, keepdims=True)
        for measure, peer in (("js_distance", lambda: cdist(a, a, "jensenshannon")),
                              ("hellinger", lambda: cdist(np.sqrt(a), np.sqrt(a)) / np.sqrt(2)),
                              ("total_variation", lambda: cdist(a, a, "cityblock") / 2)):
            t_peer = timed(peer, repeat)
            t1 = timed(lambda: kldiv.divergence_matrix(a, measure=measure, threads=1), repeat)
            tn = timed(lambda: kldiv.divergence_matrix(a, measure=measure), repeat)
            difference = np.max(np.abs(peer() - kldiv.divergence_matrix(a, measure=measure)))
            print(f"  {f'{n} × {v}':<16}{measure:<18}{t_peer:>10.3f} s{t1:>8.3f} s{tn:>8.3f} s{t_peer / t1:>8.2f}×"
                  f"{t_peer / tn:>8.2f}×  {difference:.1e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--events", type=int, default=32000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"kldiv {kldiv.__version__}, NumPy {np.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    accuracy()
    speed(args.rows, args.events, args.repeat)
    matrices(max(1, args.repeat // 3))


if __name__ == "__main__":
    main()
