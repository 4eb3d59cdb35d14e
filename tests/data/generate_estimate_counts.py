#!/usr/bin/python3
"""Generate tests/data/estimate_counts.tsv: reference values of the count estimators of
include/kldiv/estimate/counts.hpp, computed independently in mpmath (40 digits).

Run from the repository root:  /usr/bin/python3 tests/data/generate_estimate_counts.py

The formulas are written here from Hausser & Strimmer, "Entropy inference and the James-Stein
estimator", JMLR 10 (2009): Dirichlet pseudocounts theta_k = (y_k + a)/(n + K a) (a = 1, 1/2,
1/K, sqrt(n)/K), shrinkage theta_k = lam/K + (1 - lam) y_k/n with
lam = (1 - sum (y_k/n)^2) / ((n - 1) sum (1/K - y_k/n)^2) clipped to [0, 1], and the
Miller-Madow entropy H_ML + (m - 1)/(2n), m = occupied bins. The Miller-Madow cross-entropy is
H_ML(P,Q) - (sum_{y_k>0} (y_k/n)/(z_k/m) - 1)/(2m) and KL = cross-entropy - entropy (the
header states the derivation). Entropy, cross-entropy and KL are summed directly in mpmath.

Output: header `p_counts<TAB>q_counts<TAB>method<TAB>entropy<TAB>cross_entropy<TAB>kl` (counts
comma-separated, values in nats with 25 significant digits, `inf` where infinite).
"""
import mpmath as mp

mp.mp.dps = 40

CASES = [
    ([3, 1, 0, 6], [2, 2, 4, 2]),
    ([10, 0, 5, 5, 1], [4, 3, 3, 2, 8]),
    ([1, 1], [1, 3]),
    ([7, 0, 0], [5, 1, 0]),               # q has a zero where p is 0: plug-in finite
    ([0, 4, 2, 9, 1, 3], [1, 1, 1, 1, 1, 1]),
    ([25, 14, 3, 0, 0, 1, 7, 2], [20, 10, 5, 5, 3, 2, 9, 1]),
    ([5, 5, 5], [1, 2, 3]),               # uniform p: shrinkage lam = 1
    ([1, 0, 0, 0], [2, 1, 1, 0]),         # n = 1: lam = 1
    ([1, 2, 3], [4, 0, 2]),               # q has a zero where p > 0: plug-in +inf
    ([2, 3, 1], [0, 0, 5]),               # q in one bin: shrinkage lam_q = 0, so +inf too
]

METHODS = ["plug-in", "miller-madow", "laplace", "jeffreys", "perks", "minimax", "james-stein"]


def probabilities(y, method):
    y = [mp.mpf(v) for v in y]
    n, K = mp.fsum(y), len(y)
    if method in ("plug-in", "miller-madow"):
        return [v / n for v in y]
    if method == "james-stein":
        ml = [v / n for v in y]
        if n <= 1:
            lam = mp.mpf(1)
        else:
            denominator = (n - 1) * mp.fsum((mp.mpf(1) / K - t) ** 2 for t in ml)
            lam = mp.mpf(1) if denominator == 0 else (1 - mp.fsum(t * t for t in ml)) / denominator
            lam = min(mp.mpf(1), max(mp.mpf(0), lam))
        return [lam / K + (1 - lam) * t for t in ml]
    a = {"laplace": mp.mpf(1), "jeffreys": mp.mpf(1) / 2, "perks": mp.mpf(1) / K,
         "minimax": mp.sqrt(n) / K}[method]
    return [(v + a) / (n + K * a) for v in y]


def entropy(p):
    return -mp.fsum(t * mp.log(t) for t in p if t > 0)


def cross_entropy(p, q):
    if any(a > 0 and b == 0 for a, b in zip(p, q)):
        return mp.inf
    return -mp.fsum(a * mp.log(b) for a, b in zip(p, q) if a > 0)


def fmt(x):
    return "inf" if x == mp.inf else mp.nstr(x, 25, min_fixed=-5, max_fixed=5)


def main():
    with open("tests/data/estimate_counts.tsv", "w") as out:
        out.write("p_counts\tq_counts\tmethod\tentropy\tcross_entropy\tkl\n")
        for y, z in CASES:
            for method in METHODS:
                p, q = probabilities(y, method), probabilities(z, method)
                h, x = entropy(p), cross_entropy(p, q)
                if method == "miller-madow":
                    n, m = sum(y), sum(z)
                    h += mp.mpf(sum(1 for v in y if v > 0) - 1) / (2 * n)
                    if x != mp.inf:
                        ratio = mp.fsum(mp.mpf(a) / n / (mp.mpf(b) / m) for a, b in zip(y, z) if a > 0)
                        x -= (ratio - 1) / (2 * m)
                kl = mp.inf if x == mp.inf else x - h
                out.write("\t".join([",".join(map(str, y)), ",".join(map(str, z)), method,
                                     fmt(h), fmt(x), fmt(kl)]) + "\n")


if __name__ == "__main__":
    main()
