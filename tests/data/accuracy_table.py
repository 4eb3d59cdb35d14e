#!/usr/bin/python3
"""Relative error of kldiv's Python functions (the batched kernels) and of SciPy / PyTorch on the
cases where one-liners go wrong, against mpmath at 60 digits computed from the definitions
(Σ p ln(p/q) over the normalized vectors, no shared algebra). Prints the markdown table of
docs/measures/kl_divergence.md ("Where the one-liners are wrong"):

    PYTHONPATH=build/python /usr/bin/python3 tests/data/accuracy_table.py [--check]

With --check it exits 1 when a kldiv error exceeds the bound the documentation states for its
case (ctest runs it so). About 20 s on 2 cores.
"""
import argparse
import sys

import mpmath
import numpy as np
import scipy.spatial.distance
import scipy.special
import scipy.stats
import torch

import kldiv

mpmath.mp.dps = 60


def exact_logs(v, logits):
    """ln of the normalized row, from the float64 values as given."""
    if logits:
        top = max(mpmath.mpf(x) for x in v if x != -np.inf)
        z = top + mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(x) - top) for x in v if x != -np.inf))
        return [mpmath.mpf(x) - z if x != -np.inf else None for x in v]
    s = mpmath.fsum(mpmath.mpf(x) for x in v)
    return [mpmath.log(mpmath.mpf(x) / s) if x > 0 else None for x in v]


def exact(p, q, measure, logits=False):
    lp, lq = exact_logs(p, logits), exact_logs(q, logits)
    if measure == "entropy":
        return -mpmath.fsum(mpmath.exp(a) * a for a in lp if a is not None)
    if measure in ("kl", "reverse"):
        if measure == "reverse":
            lp, lq = lq, lp
        if any(a is not None and b is None for a, b in zip(lp, lq)):
            return mpmath.inf
        return mpmath.fsum(mpmath.exp(a) * (a - b) for a, b in zip(lp, lq) if a is not None)
    total = mpmath.mpf(0)  # JS, β = 1/2
    for a, b in zip(lp, lq):
        pa = mpmath.exp(a) if a is not None else mpmath.mpf(0)
        pb = mpmath.exp(b) if b is not None else mpmath.mpf(0)
        m = (pa + pb) / 2
        if a is not None:
            total += pa / 2 * (a - mpmath.log(m))
        if b is not None:
            total += pb / 2 * (b - mpmath.log(m))
    return total


def ours(p, q, measure, logits=False):
    kind = "logits" if logits else "probs"
    options = {"input": kind} if logits else {"input": kind, "normalize": True}
    if measure == "entropy":
        return float(kldiv.entropy(p, **options))
    if measure == "kl":
        return float(kldiv.kl_divergence(p, q, **options))
    if measure == "reverse":
        return float(kldiv.kl_divergence(q, p, **options))
    return float(kldiv.js_divergence(p, q, **options))


def peer(p, q, measure, logits=False):
    """SciPy on probabilities; PyTorch 1.13 on logits (log_softmax, then kl_div)."""
    if logits:
        a, b = torch.log_softmax(torch.tensor(p), -1), torch.log_softmax(torch.tensor(q), -1)
        if measure == "entropy":
            return float(-(a.exp() * a).nansum())
        if measure == "kl":
            return float(torch.nn.functional.kl_div(b, a, log_target=True, reduction="sum"))
        if measure == "reverse":
            return float(torch.nn.functional.kl_div(a, b, log_target=True, reduction="sum"))
        m = ((a.exp() + b.exp()) / 2).log()
        return float((torch.nn.functional.kl_div(m, a, log_target=True, reduction="sum")
                      + torch.nn.functional.kl_div(m, b, log_target=True, reduction="sum")) / 2)
    p, q = np.asarray(p) / np.sum(p), np.asarray(q) / np.sum(q)
    if measure == "entropy":
        return float(scipy.stats.entropy(p))
    if measure == "kl":
        return float(np.sum(scipy.special.rel_entr(p, q)))
    if measure == "reverse":
        return float(np.sum(scipy.special.rel_entr(q, p)))
    return float(scipy.spatial.distance.jensenshannon(p, q) ** 2)


def relative_error(got, want):
    if want == mpmath.inf or want == 0:
        return 0.0 if got == want else float("inf")
    if not np.isfinite(got):
        return float("inf")
    return float(abs(mpmath.mpf(got) - want) / abs(want))


def near_pair(n, delta, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.1, 1.0, n)
    q = p * (1 + delta * rng.uniform(-1, 1, n))
    return p / p.sum(), q / q.sum()


def cases():
    """(label, p, q, logits, measures, kldiv's stated bound)."""
    out = []
    for n in (100, 2000, 20000):
        for delta in (1e-6, 1e-10, 1e-12):
            p, q = near_pair(n, delta, n)
            out.append((f"probabilities agreeing to δ = {delta:g}, n = {n}", p, q, False,
                        ("kl", "reverse", "js"), 1e-12))
    for delta in (1e-6, 1e-10, 1e-12):
        rng = np.random.default_rng(7)
        a = rng.normal(0, 3, 2000)
        b = a + 7.25 + delta * rng.uniform(-1, 1, 2000)  # a constant offset: the same softmax but δ
        out.append((f"float64 logits agreeing to δ = {delta:g} (offset 7.25), n = 2000", a, b, True,
                    ("kl", "reverse", "js"), 1e-12))
    for t in (1e-20, 1e-300, 5e-324):
        out.append((f"p = [.5, .5 − t, t], q = [.25, .25, .5], t = {t:g}", np.array([0.5, 0.5 - t, t]),
                    np.array([0.25, 0.25, 0.5]), False, ("reverse", "kl"), 1e-14))
    out.append(("p = [1, 1e-17] (unnormalized)", np.array([1.0, 1e-17]), np.array([0.5, 0.5]), False,
                ("entropy",), 1e-14))
    out.append(("logits a = [0, 1, −inf, 2], b = [.5, .2, 1, 1.5] (a masked event of P)",
                np.array([0, 1, -np.inf, 2.0]), np.array([0.5, 0.2, 1, 1.5]), True, ("kl", "entropy", "js"), 1e-14))
    rng = np.random.default_rng(11)
    p = rng.uniform(0, 1, 5000)
    p[::3] = 0.0
    q = rng.uniform(0.5, 1, 5000)
    out.append(("probabilities, P zero on a third of 5000 events", p, q, False, ("kl", "reverse", "js"), 1e-12))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when kldiv exceeds a stated bound")
    args = parser.parse_args()
    names = {"kl": "D(P‖Q)", "reverse": "D(Q‖P)", "js": "JS", "entropy": "H(P)"}
    print("| case | measure | exact | kldiv | SciPy (probabilities) / PyTorch (logits) | kldiv's bound |")
    print("|---|---|---:|---:|---:|---:|")
    failures = []
    for label, p, q, logits, measures, bound in cases():
        for m in measures:
            want = exact(p, q, m, logits)
            mine = relative_error(ours(p, q, m, logits), want)
            with np.errstate(all="ignore"):
                theirs = relative_error(peer(p, q, m, logits), want)
            print(f"| {label} | {names[m]} | {mpmath.nstr(want, 6)} | {mine:.1e} | {theirs:.1e} | {bound:.0e} |")
            if mine > bound:
                failures.append(f"{label}, {names[m]}: relative error {mine:.2e} > {bound:.0e}")
    for f in failures:
        print("exceeds its bound:", f, file=sys.stderr)
    if args.check and failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
