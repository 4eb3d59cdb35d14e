#!/usr/bin/python3
"""Generate tests/data/von_mises_large_kappa.tsv: D(VonMises(μ1, κ1) ‖ VonMises(μ2, κ2)) for large
and very different concentrations (κ up to 1e300), where the double-precision closed form must
avoid cancelling κ1 against κ2 (issue 15: κ1 = 1e20, κ2 = 1 came out as 0).

Run from the repository root (a few seconds):

    /usr/bin/python3 tests/data/generate_von_mises_large_kappa.py

Needs mpmath (Debian: python3-mpmath). The reference is the closed form evaluated in mpmath at
400 and 450 significant digits (κ1 − (κ2 − κ1) A cancels 300 of them at κ = 1e300; they must agree to 1e-25 relative; the second is written):
    D = ln I0(κ2) − ln I0(κ1) − (κ2 − κ1) A(κ1) + κ2 A(κ1) (1 − cos(μ1 − μ2)),   A = I1/I0,
with mpmath's besseli (exponentially scaled through its asymptotic expansion for huge κ, which
mpmath evaluates to the working precision). The formula is the expectation of
ln p − ln q = κ1 cos(x − μ1) − κ2 cos(x − μ2) − ln I0(κ1) + ln I0(κ2) under P, with E cos(x − μ1) = A(κ1).
Written: a header line `p<TAB>q<TAB>kl_nats`, then one line per pair with 20 significant digits.
"""

from mpmath import besseli, cos, log, mp, mpf, nstr

PAIRS = [
    ((0.0, 1e20), (0.0, 1.0)),
    ((0.0, 1.0), (0.0, 1e20)),
    ((0.0, 1e300), (0.0, 1.0)),
    ((0.0, 1.0), (0.0, 1e300)),
    ((0.0, 1e300), (0.0, 1e299)),
    ((0.0, 1e6), (0.5, 2.0)),
    ((0.0, 40.0), (0.0, 2.0)),
    ((0.0, 2.0), (0.0, 40.0)),
    ((0.0, 1e8), (0.0, 29.0)),
    ((1.0, 1e10), (1.0, 1e10 * (1 + 1e-6))),
    ((0.0, 1e300), (1e-100, 1e300)),
]


def kl(p, q, dps):
    with mp.workdps(dps):
        (m1, k1), (m2, k2) = (mpf(p[0]), mpf(p[1])), (mpf(q[0]), mpf(q[1]))
        a = besseli(1, k1) / besseli(0, k1)
        return (log(besseli(0, k2)) - log(besseli(0, k1)) - (k2 - k1) * a + k2 * a * (1 - cos(m1 - m2)))


def main():
    lines = ["p\tq\tkl_nats"]
    for p, q in PAIRS:
        low, high = kl(p, q, 400), kl(p, q, 450)
        with mp.workdps(450):
            assert abs(low - high) <= mpf(10) ** -25 * abs(high), (p, q, low, high)
        lines.append(f"von_mises({p[0]!r}, {p[1]!r})\tvon_mises({q[0]!r}, {q[1]!r})\t{nstr(high, 20)}")
    with open("tests/data/von_mises_large_kappa.tsv", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
