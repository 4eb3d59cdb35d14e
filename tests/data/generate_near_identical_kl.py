#!/usr/bin/python3
"""Generate tests/data/near_identical_kl.tsv: D(P‖Q) for nearly identical and identical pairs of the
multivariate families and categoricals, where textbook formulas lose their digits.

Run from the repository root (a few seconds):

    /usr/bin/python3 tests/data/generate_near_identical_kl.py      # writes tests/data/near_identical_kl.tsv

Needs numpy and mpmath. Deterministic: parameters from numpy.random.default_rng(2026), rounded to two
decimals, then Q's parameters are P's times (1 + δ·u), u uniform in (−1, 1), rounded to doubles, for
δ = 1e-6, 1e-9, 1e-12 (covariance and precision matrices perturbed in their lower triangle and
mirrored, so they stay symmetric). Every pair is also written against itself, with reference 0.

The file has the layout of distribution_kl.tsv (p<TAB>q<TAB>kl_nats, specs with repr() of each double,
so they denote exactly the doubles the references were computed from). The references come from the
definitions in mpmath, from the exact parameter values, at 60 and again at 90 digits (the two must
agree to 1e-25 relative; the second is written, 20 significant digits):
    normals (full by covariance or by precision Λ, Σ = Λ⁻¹; low-rank as the matrix W Wᵀ + diag D; diagonal)
        ½ [tr(Σq⁻¹Σp) − d + ln det Σq − ln det Σp + (μp − μq)ᵀ Σq⁻¹ (μp − μq)]
    Wishart (by covariance, or by precision Λ, Σ = Λ⁻¹)
        (νp/2)(tr(Σq⁻¹Σp) − d) + (νq/2)(ln det Σq − ln det Σp) + ((νp − νq)/2) ψ_d(νp/2)
        + ln Γ_d(νq/2) − ln Γ_d(νp/2),   ψ_d(a) = Σ_i ψ(a − i/2),  ln Γ_d(a) = Σ_i ln Γ(a − i/2) + const
    categorical, multinomial
        n Σ_k p_k ln(p_k/q_k) over the normalized weights
At δ = 1e-12 these values are about 1e-24 and the terms about 1: the working precision leaves more
than 30 correct digits.
"""

import argparse

import numpy as np
from mpmath import digamma, log, loggamma, matrix, mp, mpf, nstr

SEED = 2026
DELTAS = (1e-6, 1e-9, 1e-12)
DIGITS = 20


def fmt(value):
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def spec(name, *args):
    return name + "(" + ", ".join(fmt(a) for a in args) + ")"


def mat(rows):
    return matrix([[mpf(x) for x in row] for row in rows])


def logdet(m):
    return log(mp.det(m))


def gaussian_kl(mu_p, cov_p, mu_q, cov_q):
    d = len(mu_p)
    inv_q = cov_q ** -1
    delta = matrix([mpf(a) - mpf(b) for a, b in zip(mu_p, mu_q)])
    trace = sum((inv_q * cov_p)[i, i] for i in range(d))
    maha = (delta.T * inv_q * delta)[0, 0]
    return (trace - d + logdet(cov_q) - logdet(cov_p) + maha) / 2


def lowrank_cov(w, diag):
    m = mat(w)
    cov = m * m.T
    for i, v in enumerate(diag):
        cov[i, i] += mpf(v)
    return cov


def diagonal_cov(scale):
    cov = matrix(len(scale))
    for i, s in enumerate(scale):
        cov[i, i] = mpf(s) ** 2
    return cov


def wishart_kl(nu_p, cov_p, nu_q, cov_q):
    d = cov_p.rows
    a_p, a_q = mpf(nu_p) / 2, mpf(nu_q) / 2
    trace = sum((cov_q ** -1 * cov_p)[i, i] for i in range(d))
    psi = sum(digamma(a_p - mpf(i) / 2) for i in range(d))
    gammas = sum(loggamma(a_q - mpf(i) / 2) - loggamma(a_p - mpf(i) / 2) for i in range(d))
    return (a_p * (trace - d) + a_q * (logdet(cov_q) - logdet(cov_p)) + (a_p - a_q) * psi + gammas)


def categorical_kl(wp, wq, n=1):
    sp, sq = sum(mpf(v) for v in wp), sum(mpf(v) for v in wq)
    return n * sum((mpf(a) / sp) * log((mpf(a) / sp) / (mpf(b) / sq)) for a, b in zip(wp, wq) if a > 0)


# ------------------------------------------------------------------------------------- parameters

rng = np.random.default_rng(SEED)


def rounded(shape, low, high):
    return np.round(rng.uniform(low, high, shape), 2)


def perturbed(x, delta):
    x = np.asarray(x, dtype=float)
    return x * (1.0 + delta * rng.uniform(-1.0, 1.0, x.shape))


def spd(d):
    a = rounded((d, d), -1.0, 1.0)
    return np.round(a @ a.T + d * np.eye(d) * 0.5, 2)


def perturbed_symmetric(m, delta):
    low = np.tril(perturbed(m, delta))
    return low + np.tril(low, -1).T


def rows(m):
    return [list(map(float, r)) for r in np.asarray(m)]


def cases():
    """(spec of P, spec of Q, reference as a function of nothing, evaluated at the working precision)."""
    out = []
    for delta in DELTAS:
        # multivariate normals given by covariance, d = 3 and 5
        for d in (3, 5):
            mu, cov = rounded(d, -2, 2), spd(d)
            mu_q, cov_q = perturbed(mu, delta), perturbed_symmetric(cov, delta)
            out.append((spec("multivariate_normal", list(mu), rows(cov)),
                        spec("multivariate_normal", list(mu_q), rows(cov_q)),
                        lambda mu=mu, cov=cov, mu_q=mu_q, cov_q=cov_q:
                        gaussian_kl(mu, mat(cov), mu_q, mat(cov_q))))
        # Wishart given by covariance, d = 3, df perturbed as well
        cov, df = spd(3), float(np.round(rng.uniform(3.5, 8), 2))
        cov_q, df_q = perturbed_symmetric(cov, delta), float(perturbed(df, delta))
        out.append((spec("wishart", df, rows(cov)), spec("wishart", df_q, rows(cov_q)),
                    lambda df=df, cov=cov, df_q=df_q, cov_q=cov_q: wishart_kl(df, mat(cov), df_q, mat(cov_q))))
        # the same families given by precision matrices, d = 3
        mu, prec = rounded(3, -2, 2), spd(3)
        mu_q, prec_q = perturbed(mu, delta), perturbed_symmetric(prec, delta)
        out.append((spec("multivariate_normal", list(mu))[:-1] + ", precision_matrix=" + fmt(rows(prec)) + ")",
                    spec("multivariate_normal", list(mu_q))[:-1] + ", precision_matrix=" + fmt(rows(prec_q)) + ")",
                    lambda mu=mu, prec=prec, mu_q=mu_q, prec_q=prec_q:
                    gaussian_kl(mu, mat(prec) ** -1, mu_q, mat(prec_q) ** -1)))
        prec, df = spd(3), float(np.round(rng.uniform(3.5, 8), 2))
        prec_q, df_q = perturbed_symmetric(prec, delta), float(perturbed(df, delta))
        out.append((spec("wishart", df)[:-1] + ", precision_matrix=" + fmt(rows(prec)) + ")",
                    spec("wishart", df_q)[:-1] + ", precision_matrix=" + fmt(rows(prec_q)) + ")",
                    lambda df=df, prec=prec, df_q=df_q, prec_q=prec_q:
                    wishart_kl(df, mat(prec) ** -1, df_q, mat(prec_q) ** -1)))
        # low-rank normals, d = 6, r = 2
        mu, w, diag = rounded(6, -2, 2), rounded((6, 2), -1, 1), rounded(6, 0.3, 2)
        mu_q, w_q, diag_q = perturbed(mu, delta), perturbed(w, delta), perturbed(diag, delta)
        out.append((spec("lowrank_multivariate_normal", list(mu), rows(w), list(diag)),
                    spec("lowrank_multivariate_normal", list(mu_q), rows(w_q), list(diag_q)),
                    lambda mu=mu, w=w, diag=diag, mu_q=mu_q, w_q=w_q, diag_q=diag_q:
                    gaussian_kl(mu, lowrank_cov(w, diag), mu_q, lowrank_cov(w_q, diag_q))))
        # diagonal normals, d = 4
        mu, scale = rounded(4, -2, 2), rounded(4, 0.3, 2)
        mu_q, scale_q = perturbed(mu, delta), perturbed(scale, delta)
        out.append((spec("diagonal_normal", list(mu), list(scale)), spec("diagonal_normal", list(mu_q), list(scale_q)),
                    lambda mu=mu, scale=scale, mu_q=mu_q, scale_q=scale_q:
                    gaussian_kl(mu, diagonal_cov(scale), mu_q, diagonal_cov(scale_q))))
        # categorical and multinomial (weights, normalized on construction)
        wp = rounded(6, 0.05, 1)
        wq = perturbed(wp, delta)
        out.append((spec("categorical", list(wp)), spec("categorical", list(wq)),
                    lambda wp=wp, wq=wq: categorical_kl(wp, wq)))
        out.append((spec("multinomial", 7, list(wp)), spec("multinomial", 7, list(wq)),
                    lambda wp=wp, wq=wq: categorical_kl(wp, wq, 7)))
    identical = [(p, p, lambda: mpf(0)) for p, _, _ in out[:len(out) // len(DELTAS)]]
    return out + identical


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="tests/data/near_identical_kl.tsv")
    args = parser.parse_args()
    lines = ["p\tq\tkl_nats"]
    for p, q, reference in cases():
        values = []
        for dps in (60, 90):
            mp.dps = dps
            values.append(reference())
        low, high = values
        assert high >= 0, (p, q, high)
        assert abs(low - high) <= mpf(10) ** -25 * abs(high), (p, q, low, high)
        lines.append(f"{p}\t{q}\t{nstr(high, DIGITS) if high else '0'}")
    with open(args.output, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
