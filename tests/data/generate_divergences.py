#!/usr/bin/python3
"""Generate tests/data/divergence_cases.tsv: references for the measures of include/kldiv/divergences.hpp.

Run from the repository root (a few seconds):

    /usr/bin/python3 tests/data/generate_divergences.py            # writes tests/data/divergence_cases.tsv

Each measure is evaluated from its textbook definition with mpmath at mp.dps = 200, on the exact
values of the stored vectors: p̂ = p/Σp and q̂ = q/Σq with the sums taken exactly (every double is an
exact binary fraction, which mpmath holds without rounding at this precision). No non-negative
rewriting, no series: the 200 digits absorb the cancellation of nearly equal inputs (the closest
pairs here differ by 1e-13 relative, so Σ p̂^α q̂^(1−α) − 1 loses ~30 digits), and each value is
recomputed at 260 digits and must agree to 40 significant digits (values below 1e-150, the 200-digit
sums' rounding where the true value is 0, are written as 0).

The orders α and weights β are the doubles the test passes (float("0.999999"), not the decimal: near
α = 1 the difference is 3e-11 of 1 − α).

Lines (tab-separated):
    vector  ID  DTYPE  NORMALIZE  P  Q        P and Q comma-separated float.hex() values
    value   ID  MEASURE  ALPHA  BETA  REFERENCE   in nats for the logarithmic measures, 25 digits or inf
DTYPE float32 marks vectors whose values are floats (the test passes them as std::span<const float>);
NORMALIZE 1 marks vectors that are not probability vectors (the test sets options::normalize).
"""

import argparse
import random
import sys

import mpmath
from mpmath import mp, mpf

ALPHAS_RENYI = ["0", "1e-20", "1e-12", "0.1", "0.5", "0.9", "0.999", "0.999999", "1", "1.000001", "1.001", "1.5", "2", "3", "10",
                "100", "inf"]
ALPHAS_TSALLIS = ["0", "1e-12", "0.1", "0.5", "0.999999", "1", "1.000001", "2", "3", "10"]
ALPHAS_SKEW = ["1e-20", "1e-12", "0.01", "0.5", "0.99", "1"]


def normalized(v):
    s = mpmath.fsum(mpf(x) for x in v)
    return [mpf(x) / s for x in v]


def kl(p, q):
    total = mpf(0)
    for a, b in zip(p, q):
        if a == 0:
            continue
        if b == 0:
            return mpmath.inf
        total += a * mpmath.log(a / b)
    return total


def power_sum(p, q, alpha):
    """Σ p^α q^(1−α) over the events where the term is defined (0^0 = 1 is not used: α = 0 sums q over supp P)."""
    total = mpf(0)
    for a, b in zip(p, q):
        if a == 0:
            continue
        if b == 0:
            if alpha > 1:
                return mpmath.inf
            continue
        total += a ** alpha * b ** (1 - alpha)
    return total


def renyi(p, q, alpha):
    if alpha == 1:
        return kl(p, q)
    if alpha == mpmath.inf:
        worst = mpf(0)
        for a, b in zip(p, q):
            if a > 0:
                if b == 0:
                    return mpmath.inf
                worst = max(worst, a / b)
        return mpmath.log(worst)
    s = power_sum(p, q, alpha)
    if s == mpmath.inf:
        return mpmath.inf
    if s == 0:
        return mpmath.inf
    return mpmath.log(s) / (alpha - 1)


def tsallis(p, q, alpha):
    if alpha == 1:
        return kl(p, q)
    s = power_sum(p, q, alpha)
    if s == mpmath.inf:
        return mpmath.inf
    return (s - 1) / (alpha - 1)


def js(p, q, beta):
    m = [beta * a + (1 - beta) * b for a, b in zip(p, q)]
    return settled(beta * kl(p, m) + (1 - beta) * kl(q, m))


def settled(v):
    """0 for the working precision's rounding of a true 0 (before a square root magnifies it)."""
    return mpf(0) if abs(v) < mpf(10) ** -150 else v


def chi2(p, q):
    total = mpf(0)
    for a, b in zip(p, q):
        if b == 0:
            if a > 0:
                return mpmath.inf
            continue
        total += (a - b) ** 2 / b
    return total


def squared_hellinger(p, q):
    return settled(mpmath.fsum((mpmath.sqrt(a) - mpmath.sqrt(b)) ** 2 for a, b in zip(p, q)) / 2)


def measures(p, q):
    """(measure, alpha, beta, value) for every measure of the pair."""
    out = [("kl_divergence", "1", "0.5", kl(p, q)), ("reverse_kl", "1", "0.5", kl(q, p)),
           ("jeffreys", "1", "0.5", kl(p, q) + kl(q, p))]
    for beta in ("0.5", "0.3"):
        v = js(p, q, mpf(float(beta)))
        out += [("js_divergence", "1", beta, v), ("js_distance", "1", beta, mpmath.sqrt(v))]
    for a in ALPHAS_RENYI:
        out.append(("renyi_divergence", a, "0.5", renyi(p, q, mpf(float(a)))))
    for a in ALPHAS_TSALLIS:
        out.append(("tsallis_divergence", a, "0.5", tsallis(p, q, mpf(float(a)))))
    h2 = squared_hellinger(p, q)
    bc = mpmath.fsum(mpmath.sqrt(a * b) for a, b in zip(p, q))
    out += [("pearson_chi2", "1", "0.5", chi2(p, q)), ("neyman_chi2", "1", "0.5", chi2(q, p)),
            ("squared_hellinger", "1", "0.5", h2), ("hellinger", "1", "0.5", mpmath.sqrt(h2)),
            ("total_variation", "1", "0.5", mpmath.fsum(abs(a - b) for a, b in zip(p, q)) / 2),
            ("bhattacharyya", "1", "0.5", mpmath.inf if bc == 0 else -mpmath.log(bc)),
            ("triangular", "1", "0.5",
             mpmath.fsum((a - b) ** 2 / (a + b) for a, b in zip(p, q) if a + b > 0))]
    for a in ALPHAS_SKEW:
        w = mpf(float(a))
        out.append(("skew_divergence", a, "0.5", kl(p, [w * y + (1 - w) * x for x, y in zip(p, q)])))
    return out


def cases():
    """(dtype, normalize, p, q) with exact double (or float) values, from a seeded generator."""
    rng = random.Random(20261208)

    def uniforms(n, power=1):
        return [rng.random() ** power for _ in range(n)]

    def unit(v):
        s = sum(v)
        return [x / s for x in v]

    def as_float(v):
        import struct
        return [struct.unpack("f", struct.pack("f", x))[0] for x in v]

    out = []
    for n in (1, 2, 5, 50):
        out.append(("float64", 0, unit(uniforms(n)), unit(uniforms(n))))
    out.append(("float64", 0, unit(uniforms(40, 4)), unit(uniforms(40, 4))))
    p = unit(uniforms(30))
    out.append(("float64", 0, p, list(p)))  # identical
    for d in (1e-2, 1e-5, 1e-9, 1e-13):
        q = unit([x * (1 + d * (2 * rng.random() - 1)) for x in p])
        out.append(("float64", 0, p, q))
    z = unit([0.0 if i % 4 == 1 else x for i, x in enumerate(uniforms(20))])
    out.append(("float64", 0, z, unit(uniforms(20))))  # zeros in p
    out.append(("float64", 0, unit(uniforms(20)), z))  # zeros in q
    out.append(("float64", 0, z, unit([0.0 if i % 4 == 1 else x for i, x in enumerate(uniforms(20))])))
    out.append(("float64", 0, [0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.25, 0.75]))  # disjoint
    out.append(("float64", 0, [1.0, 0.0, 0.0], [0.25, 0.25, 0.5]))  # all but one zero
    tiny = [1.0, 1e-300, 3e-310, 0.5e-200]
    out.append(("float64", 1, tiny, [1e-300, 1.0, 1e-250, 2e-5]))  # enormous ratios, subnormals
    out.append(("float64", 1, [1.0, 1e-30], [1e-30, 1.0]))
    out.append(("float64", 1, [3.0, 0.0, 7.0, 12.0, 1.0], [1.0, 2.0, 6.0, 13.0, 1.0]))  # counts
    out.append(("float64", 1, [3.0, 1.0, 7.0], [9.0, 3.0, 21.0]))  # proportional counts: equal
    out.append(("float64", 0, [1 - 2 ** -52, 2 ** -52], [1 - 2 ** -50, 2 ** -50]))
    a = as_float(unit(uniforms(25)))
    b = as_float(unit([x * (1 + 1e-4 * (2 * rng.random() - 1)) for x in a]))
    out.append(("float32", 1, a, b))
    out.append(("float32", 1, as_float(unit(uniforms(25))), as_float(unit(uniforms(25)))))
    return out


def fmt(v):
    if v == mpmath.inf:
        return "inf"
    return mpmath.nstr(v, 25, min_fixed=-5, max_fixed=5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", default="tests/data/divergence_cases.tsv")
    args = parser.parse_args()
    lines = ["# generated by tests/data/generate_divergences.py (/usr/bin/python3 tests/data/generate_divergences.py), "
             f"mpmath {mpmath.__version__} at mp.dps = 200; do not edit"]
    for i, (dtype, normalize, p, q) in enumerate(cases()):
        lines.append("\t".join(["vector", str(i), dtype, str(normalize), ",".join(float.hex(float(x)) for x in p),
                                ",".join(float.hex(float(x)) for x in q)]))
        values = {}
        for dps in (200, 260):
            mp.dps = dps
            values[dps] = measures(normalized(p), normalized(q))
        for (name, alpha, beta, v), (_, _, _, w) in zip(values[200], values[260]):
            if not (mpmath.isinf(v) and v == w) and abs(v - w) > abs(w) * mpf(10) ** -40 + mpf(10) ** -150:
                sys.exit(f"case {i} {name} alpha {alpha}: {v} at 200 digits, {w} at 260")
            if abs(w) < mpf(10) ** -150:  # exactly 0 (equal distributions, or D_0 with full support)
                v = mpf(0)
            lines.append("\t".join(["value", str(i), name, alpha, beta, fmt(v)]))
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.output}: {len(cases())} vector pairs, {len(lines) - 1 - len(cases())} values", file=sys.stderr)


if __name__ == "__main__":
    main()
