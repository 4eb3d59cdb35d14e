#!/usr/bin/python3
"""Sweep the univariate closed forms at extreme parameters and write tests/data/extreme_parameters.tsv.

Issue 15 ("no silent wrong answer on any input"): every parameter of a family with closed forms is
set in turn to 1e-300, 1e-20, 1e20, 1e300 and 1e308 (those within its domain; locations also negative),
the other parameters and the other distribution moderate, in both orders. The reference is
    D(P‖Q) = E_P[ln p] − E_P[ln q],
with E_P[ln p] (the negentropy) and the expectations of the statistics that ln q needs (x, x², ln x,
ln(1 − x), 1/x, x^k, (ln x)², e^(−x/β)) written for each P family from its textbook closed forms,
evaluated in mpmath at 600 and 700 significant digits (parameters of 1e300 cancel 300 of them);
the two must agree to 1e-25 relative, the second is written. These are independent of the library's
cancellation-free rearrangements.

Run from the repository root:

    /usr/bin/python3 tests/data/generate_extreme_parameters.py            # writes the TSV
    /usr/bin/python3 tests/data/generate_extreme_parameters.py --sweep K [FAMILY...]
        # compares the command K (e.g. build/cli/kldiv) on every pair (or those with P or Q in FAMILY)

--sweep prints each pair whose closed form is wrong beyond 1e-10 relative (or finite where the
truth is +inf), and each refusal (an error is acceptable where the value is beyond doubles). The TSV
keeps the pairs whose true value is representable: header `p<TAB>q<TAB>kl_nats`, 20 digits, or inf.
Needs mpmath (Debian: python3-mpmath).
"""

import json
import subprocess
import sys

from mpmath import (besseli, beta as B, cos, digamma, e, euler, exp, gamma as G, hyp1f1, inf, isinf, log, loggamma,
                    mp, mpf, nstr, pi, polygamma, sqrt)

EXTREMES = [1e-300, 1e-20, 1e20, 1e300, 1e308]
LOCATIONS = [1e-300, 1e20, -1e20, 1e300, -1e300, 1e308]


def trigamma(x):
    return polygamma(1, x)


def lnB(a, b):
    return loggamma(a) + loggamma(b) - loggamma(a + b)


class lazy:
    """A statistic evaluated when asked for (it may be infinite, or need a condition)."""

    def __init__(self, f):
        self.f = f

    def __call__(self):
        return self.f()


# ---- P families: negentropy, support (low, high), and expectations of statistics.
class P:
    def __init__(self, negentropy, low, high, **stats):
        self.negentropy, self.low, self.high, self.stats = negentropy, low, high, stats

    def __getattr__(self, name):
        stats = self.__dict__.get("stats", {})
        if name in stats:
            value = stats[name]
            return value() if isinstance(value, lazy) else value
        raise AttributeError(name)

    def has(self, *names):
        return all(n in self.stats for n in names)


def p_gamma(a, r):
    a, r = mpf(a), mpf(r)
    mlog = digamma(a) - log(r)
    return P(-(a - log(r) + loggamma(a) + (1 - a) * digamma(a)), 0, inf,
             mean=a / r, var=a / r**2, mean_log=mlog, var_log=trigamma(a),
             mean_inv=lazy(lambda: r / (a - 1) if a > 1 else inf),
             power=lambda k: exp(loggamma(a + k) - loggamma(a) - k * log(r)) if a + k > 0 else inf,
             mgf=lambda t: (1 - t / r) ** (-a) if t < r else inf)


def p_inverse_gamma(a, r):
    a, r = mpf(a), mpf(r)
    return P(-(a + log(r) + loggamma(a) - (1 + a) * digamma(a)), 0, inf,
             mean_log=log(r) - digamma(a), var_log=trigamma(a), mean_inv=a / r,
             mean=lazy(lambda: r / (a - 1) if a > 1 else inf),
             var=lazy(lambda: r**2 / ((a - 1)**2 * (a - 2)) if a > 2 else inf),
             power=lambda k: exp(k * log(r) + loggamma(a - k) - loggamma(a)) if a - k > 0 else inf)


def p_weibull(lam, k):
    lam, k = mpf(lam), mpf(k)
    return P(-(euler * (1 - 1 / k) + log(lam / k) + 1), 0, inf,
             mean_log=log(lam) - euler / k, var_log=pi**2 / (6 * k**2),
             mean=lam * G(1 + 1 / k), var=lam**2 * (G(1 + 2 / k) - G(1 + 1 / k)**2),
             mean_inv=lazy(lambda: G(1 - 1 / k) / lam if k > 1 else inf),
             power=lambda m: exp(m * log(lam) + loggamma(1 + m / k)) if 1 + m / k > 0 else inf)


def p_log_normal(mu, s):
    mu, s = mpf(mu), mpf(s)
    return P(-(mu + mpf(1) / 2 + log(s * sqrt(2 * pi))), 0, inf,
             mean_log=mu, var_log=s**2, mean=exp(mu + s**2 / 2), var=(exp(s**2) - 1) * exp(2 * mu + s**2),
             mean_inv=exp(-mu + s**2 / 2), power=lambda m: exp(m * mu + m**2 * s**2 / 2))


def p_half_normal(s):
    s = mpf(s)
    return P(-(log(s * sqrt(pi / 2)) + mpf(1) / 2), 0, inf,
             mean=s * sqrt(2 / pi), var=s**2 * (1 - 2 / pi), mean_log=log(s) - (euler + log(2)) / 2,
             var_log=pi**2 / 8, mean_inv=inf,
             power=lambda m: exp(m * log(s) + m / 2 * log(2) + loggamma((m + 1) / 2)) / sqrt(pi),
             mgf=lambda t: 2 * exp(s**2 * t**2 / 2) * mp.ncdf(s * t))


def p_beta(a, b):
    a, b = mpf(a), mpf(b)
    s = a + b
    return P(-lnB(a, b) + (a - 1) * digamma(a) + (b - 1) * digamma(b) - (s - 2) * digamma(s), 0, 1,
             mean=a / s, var=a * b / (s**2 * (s + 1)), mean_log=digamma(a) - digamma(s),
             mean_log1m=digamma(b) - digamma(s), var_log=trigamma(a) - trigamma(s),
             mean_inv=lazy(lambda: (s - 1) / (a - 1) if a > 1 else inf),
             power=lambda k: exp(loggamma(a + k) + loggamma(s) - loggamma(a) - loggamma(s + k)) if a + k > 0 else inf,
             mgf=lambda t: hyp1f1(a, s, t))


def p_uniform(lo, hi):
    lo, hi = mpf(lo), mpf(hi)
    w = hi - lo

    def mean_log():
        return (hi * log(hi) - hi - (lo * log(lo) - lo if lo > 0 else 0)) / w if lo >= 0 else None

    stats = dict(mean=(lo + hi) / 2, var=w**2 / 12, mgf=lambda t: (exp(t * hi) - exp(t * lo)) / (t * w))
    if lo >= 0:
        stats["mean_log"] = lazy(mean_log)
    if hi <= 1:
        stats["mean_log1m"] = lazy(lambda: p_uniform(1 - hi, 1 - lo).mean_log)
    return P(-log(w), lo, hi, **stats)


def p_pareto(sc, al):
    sc, al = mpf(sc), mpf(al)
    return P(log(al / sc) - 1 / al - 1, sc, inf, mean_log=log(sc) + 1 / al, var_log=1 / al**2,
             mean=lazy(lambda: al * sc / (al - 1) if al > 1 else inf),
             var=lazy(lambda: sc**2 * al / ((al - 1)**2 * (al - 2)) if al > 2 else inf),
             power=lambda m: al * sc**m / (al - m) if m < al else inf)


def p_normal(mu, s):
    mu, s = mpf(mu), mpf(s)
    return P(-log(s * sqrt(2 * pi * e)), -inf, inf, mean=mu, var=s**2, mgf=lambda t: exp(mu * t + s**2 * t**2 / 2))


def p_gumbel(mu, b):
    mu, b = mpf(mu), mpf(b)
    return P(-(log(b) + euler + 1), -inf, inf, mean=mu + b * euler, var=pi**2 * b**2 / 6,
             mgf=lambda t: G(1 - b * t) * exp(mu * t) if b * t < 1 else inf)


def p_laplace(mu, b):
    mu, b = mpf(mu), mpf(b)
    return P(-(1 + log(2 * b)), -inf, inf, mean=mu, var=2 * b**2,
             mgf=lambda t: exp(mu * t) / (1 - b**2 * t**2) if abs(b * t) < 1 else inf)


def p_logistic(mu, s):
    mu, s = mpf(mu), mpf(s)
    return P(-(log(s) + 2), -inf, inf, mean=mu, var=s**2 * pi**2 / 3,
             mgf=lambda t: exp(mu * t) * B(1 - s * t, 1 + s * t) if abs(s * t) < 1 else inf)


def p_continuous_bernoulli(lam):
    lam = mpf(lam)
    y = log(lam / (1 - lam)) / 2  # density ∝ e^(2 y x) on [0, 1]
    if y == 0:
        return p_uniform(0, 1)
    lc = log(2 * y / (exp(2 * y) - 1))  # ln C = −ln ∫₀¹ e^(2yx) dx
    mean = 1 / (1 - exp(-2 * y)) - 1 / (2 * y)
    return P(lc + 2 * y * mean, 0, 1, mean=mean,
             mgf=lambda t: exp(lc) * (exp(2 * y + t) - 1) / (2 * y + t))


P_FAMILIES = {
    "gamma": p_gamma, "exponential": lambda r: p_gamma(1, r), "chi2": lambda k: p_gamma(mpf(k) / 2, mpf(1) / 2),
    "inverse_gamma": p_inverse_gamma, "weibull": p_weibull, "log_normal": p_log_normal,
    "half_normal": p_half_normal, "beta": p_beta, "uniform": p_uniform, "pareto": p_pareto,
    "normal": p_normal, "gumbel": p_gumbel, "laplace": p_laplace, "logistic": p_logistic,
    "continuous_bernoulli": p_continuous_bernoulli,
}


# ---- Q families: E_P[ln q] from P's statistics (None where this sweep does not cover the pair).
def within(p, low, high):
    return p.low >= low and p.high <= high


def q_gamma(p, a, r):
    a, r = mpf(a), mpf(r)
    if not within(p, 0, inf):
        return -inf
    return a * log(r) - loggamma(a) + (a - 1) * p.mean_log - r * p.mean


def q_inverse_gamma(p, a, r):
    a, r = mpf(a), mpf(r)
    if not within(p, 0, inf):
        return -inf
    return a * log(r) - loggamma(a) - (a + 1) * p.mean_log - r * p.mean_inv


def q_weibull(p, lam, k):
    lam, k = mpf(lam), mpf(k)
    if not within(p, 0, inf):
        return -inf
    return log(k / lam) + (k - 1) * (p.mean_log - log(lam)) - p.power(k) / lam**k


def q_log_normal(p, mu, s):
    mu, s = mpf(mu), mpf(s)
    if not within(p, 0, inf):
        return -inf
    return -p.mean_log - log(s * sqrt(2 * pi)) - (p.var_log + (p.mean_log - mu)**2) / (2 * s**2)


def q_half_normal(p, s):
    s = mpf(s)
    if not within(p, 0, inf):
        return -inf
    return log(sqrt(2 / pi) / s) - (p.var + p.mean**2) / (2 * s**2)


def q_normal(p, mu, s):
    mu, s = mpf(mu), mpf(s)
    return -log(s * sqrt(2 * pi)) - (p.var + (p.mean - mu)**2) / (2 * s**2)


def q_gumbel(p, mu, b):
    mu, b = mpf(mu), mpf(b)
    return -log(b) - (p.mean - mu) / b - exp(mu / b) * p.mgf(-1 / b)


def q_beta(p, a, b):
    a, b = mpf(a), mpf(b)
    if not within(p, 0, 1):
        return -inf
    return -lnB(a, b) + (a - 1) * p.mean_log + (b - 1) * p.mean_log1m


def q_uniform(p, lo, hi):
    lo, hi = mpf(lo), mpf(hi)
    return -log(hi - lo) if within(p, lo, hi) else -inf


def q_pareto(p, sc, al):
    sc, al = mpf(sc), mpf(al)
    if not within(p, sc, inf):
        return -inf
    return log(al) + al * log(sc) - (al + 1) * p.mean_log


def q_continuous_bernoulli(p, lam):
    lam = mpf(lam)
    y = log(lam / (1 - lam)) / 2
    if not within(p, 0, 1):
        return -inf
    if y == 0:
        return mpf(0)
    return log(2 * y / (exp(2 * y) - 1)) + 2 * y * p.mean


Q_FAMILIES = {
    "gamma": (q_gamma, ("mean_log", "mean")), "exponential": (lambda p, r: q_gamma(p, 1, r), ("mean_log", "mean")),
    "chi2": (lambda p, k: q_gamma(p, mpf(k) / 2, mpf(1) / 2), ("mean_log", "mean")),
    "inverse_gamma": (q_inverse_gamma, ("mean_log", "mean_inv")), "weibull": (q_weibull, ("mean_log", "power")),
    "log_normal": (q_log_normal, ("mean_log", "var_log")), "half_normal": (q_half_normal, ("mean", "var")),
    "normal": (q_normal, ("mean", "var")), "gumbel": (q_gumbel, ("mean", "mgf")),
    "beta": (q_beta, ("mean_log", "mean_log1m")), "uniform": (q_uniform, ()), "pareto": (q_pareto, ("mean_log",)),
    "continuous_bernoulli": (q_continuous_bernoulli, ("mean",)),
}

# Pairs outside the moment scheme, by their textbook closed forms.
def d_poisson(p, q):
    l1, l2 = mpf(p[0]), mpf(q[0])
    return l1 * log(l1 / l2) - l1 + l2


def bernoulli_terms(p1, p2):
    p1, p2 = mpf(p1), mpf(p2)
    return p1 * log(p1 / p2) + (1 - p1) * log((1 - p1) / (1 - p2))


def d_geometric(p, q):  # failures before the first success
    p1, p2 = mpf(p[0]), mpf(q[0])
    return log(p1 / p2) + (1 - p1) / p1 * log((1 - p1) / (1 - p2))


def d_negative_binomial(p, q):  # successes (probability probs) before total_count failures
    if p[0] != q[0]:
        return None
    r, p1, p2 = mpf(p[0]), mpf(p[1]), mpf(q[1])
    return r * log((1 - p1) / (1 - p2)) + r * p1 / (1 - p1) * log(p1 / p2)


def d_binomial(p, q):
    return None if p[0] != q[0] else mpf(p[0]) * bernoulli_terms(p[1], q[1])


def d_bernoulli_poisson(p, q):
    x, lam = mpf(p[0]), mpf(q[0])
    return (1 - x) * log(1 - x) + x * log(x) + lam - x * log(lam)


def d_cauchy(p, q):
    (m1, g1), (m2, g2) = [(mpf(a), mpf(b)) for a, b in (p, q)]
    return log(((g1 + g2)**2 + (m1 - m2)**2) / (4 * g1 * g2))


def laplace_cross(mean_abs, m, b):  # −E[ln q] for Laplace(m, b)
    return log(2 * b) + mean_abs / b


def d_laplace(p, q):
    (m1, b1), (m2, b2) = [(mpf(a), mpf(b)) for a, b in (p, q)]
    d = abs(m1 - m2)
    return -(1 + log(2 * b1)) + laplace_cross(d + b1 * exp(-d / b1), m2, b2)


def d_normal_laplace(p, q):
    (m1, s), (m2, b) = [(mpf(a), mpf(c)) for a, c in (p, q)]
    d = m1 - m2
    mean_abs = s * sqrt(2 / pi) * exp(-d**2 / (2 * s**2)) + d * (1 - 2 * mp.ncdf(-d / s))
    return -log(s * sqrt(2 * pi * e)) + laplace_cross(mean_abs, m2, b)


def d_uniform_laplace(p, q):
    (lo, hi), (m, b) = [(mpf(a), mpf(c)) for a, c in (p, q)]
    u, v = lo - m, hi - m
    if u >= 0 or v <= 0:
        mean_abs = abs(u + v) / 2
    else:
        mean_abs = (u**2 + v**2) / (2 * (v - u))
    return -log(hi - lo) + laplace_cross(mean_abs, m, b)


def d_bernoulli(p, q):
    return bernoulli_terms(p[0], q[0])


def d_dirichlet(p, q):
    a1, a2 = [mpf(x) for x in p], [mpf(x) for x in q]
    s1, s2 = sum(a1), sum(a2)
    return (loggamma(s1) - loggamma(s2) + sum(loggamma(y) - loggamma(x) + (x - y) * (digamma(x) - digamma(s1))
                                              for x, y in zip(a1, a2)))


def d_von_mises(p, q):
    # E_P[ln p − ln q] with ln p − ln q = κ1 cos(x − μ1) − κ2 cos(x − μ2) − ln I0(κ1) + ln I0(κ2) and
    # E_P cos(x − μ1) = A(κ1) = I1(κ1)/I0(κ1), E_P sin(x − μ1) = 0.
    (m1, k1), (m2, k2) = [(mpf(a), mpf(c)) for a, c in (p, q)]
    a = besseli(1, k1) / besseli(0, k1)
    return log(besseli(0, k2)) - log(besseli(0, k1)) + k1 * a - k2 * a * cos(m1 - m2)


DIRECT = {("dirichlet", "dirichlet"): d_dirichlet, ("von_mises", "von_mises"): d_von_mises, ("poisson", "poisson"): d_poisson, ("geometric", "geometric"): d_geometric,
          ("negative_binomial", "negative_binomial"): d_negative_binomial, ("binomial", "binomial"): d_binomial,
          ("bernoulli", "bernoulli"): d_bernoulli, ("bernoulli", "poisson"): d_bernoulli_poisson,
          ("cauchy", "cauchy"): d_cauchy, ("laplace", "laplace"): d_laplace, ("normal", "laplace"): d_normal_laplace,
          ("uniform", "laplace"): d_uniform_laplace}

# Moderate parameters, and which parameters are locations (may be negative) or probabilities.
MODERATE = {
    "gamma": (2.5, 1.5), "exponential": (1.5,), "chi2": (3.0,), "inverse_gamma": (3.5, 2.0), "weibull": (1.5, 2.5),
    "log_normal": (0.3, 0.7), "half_normal": (1.3,), "beta": (2.5, 1.5), "uniform": (0.2, 0.7),
    "pareto": (1.5, 2.5), "normal": (0.3, 1.2), "gumbel": (0.3, 1.2), "laplace": (0.3, 1.2), "logistic": (0.3, 1.2),
    "continuous_bernoulli": (0.3,), "poisson": (2.5,), "geometric": (0.3,), "negative_binomial": (4.0, 0.3),
    "binomial": (10.0, 0.3), "bernoulli": (0.3,), "cauchy": (0.3, 1.2), "dirichlet": (2.5, 1.5, 0.7),
    "von_mises": (0.3, 1.2),
}
KIND = {"log_normal": "ls", "normal": "ls", "gumbel": "ls", "laplace": "ls", "logistic": "ls", "uniform": "lh",
        "continuous_bernoulli": "p", "geometric": "p", "bernoulli": "p", "cauchy": "ls", "negative_binomial": "np",
        "binomial": "np", "von_mises": "vm"}

# The closed-form pairs of `kldiv dist --list` that this sweep covers (laplace Q needs E|x − μ|).
PAIRS = {
    "beta": ["normal", "exponential", "gamma", "chi2", "beta", "continuous_bernoulli", "uniform"],
    "chi2": ["normal", "half_normal", "log_normal", "gumbel", "exponential", "gamma", "inverse_gamma", "chi2", "weibull"],
    "continuous_bernoulli": ["normal", "exponential", "continuous_bernoulli", "uniform"],
    "exponential": ["normal", "half_normal", "log_normal", "gumbel", "exponential", "gamma", "inverse_gamma", "chi2",
                    "weibull"],
    "gamma": ["normal", "half_normal", "log_normal", "gumbel", "exponential", "gamma", "inverse_gamma", "chi2", "weibull"],
    "gumbel": ["normal", "gumbel"],
    "half_normal": ["normal", "half_normal", "exponential", "gamma", "chi2"],
    "inverse_gamma": ["normal", "exponential", "gamma", "inverse_gamma", "chi2"],
    "laplace": ["normal", "gumbel"],
    "log_normal": ["normal", "log_normal", "exponential", "gamma", "chi2", "weibull"],
    "logistic": ["normal", "gumbel"],
    "normal": ["normal", "gumbel"],
    "pareto": ["normal", "exponential", "gamma", "chi2", "pareto"],
    "uniform": ["normal", "gumbel", "exponential", "gamma", "chi2", "beta", "continuous_bernoulli", "uniform", "pareto"],
    "weibull": ["normal", "log_normal", "exponential", "gamma", "chi2", "weibull"],
}


def variants(family):
    """Parameter tuples of `family`: each parameter in turn at its extremes, the others moderate."""
    base = MODERATE[family]
    kind = KIND.get(family, "")
    out = []
    for i in range(len(base)):
        if kind == "p" or kind == "np" and i == 1:
            values = [1e-300, 1e-20]
        elif kind == "np":
            values = [1e20, 1e300] if family == "negative_binomial" else [1e6, 1e15]
        elif kind == "p":
            values = [1e-300, 1e-20]
        elif kind == "vm" and i == 0:
            values = [1e-300, 3.0]  # a circular location: only its difference matters
        elif kind in ("ls", "lh") and i == 0:
            values = LOCATIONS
        elif kind == "lh":
            values = [1e20, 1e300]
        else:
            values = EXTREMES
        for v in values:
            params = list(base)
            params[i] = v
            if kind == "lh" and i == 0 and params[0] >= params[1]:
                params[1] = 1.5 * params[0]  # uniform(low, 1.5 low)
            out.append(tuple(params))
    return out


def spec(family, params):
    if family == "dirichlet":
        return f"dirichlet([{', '.join(repr(float(x)) for x in params)}])"
    return f"{family}({', '.join(repr(float(x)) for x in params)})"


def kl(pf, pp, qf, qp, dps):
    with mp.workdps(dps):
        if (pf, qf) in DIRECT:
            return DIRECT[pf, qf](pp, qp)
        p = P_FAMILIES[pf](*pp)
        q, needs = Q_FAMILIES[qf]
        if not p.has(*needs):
            return None
        cross = q(p, *qp)
        if cross == -inf:
            return inf
        return p.negentropy - cross


# Single pairs found wrong outside the grid: beta(1e308, 1) ‖ beta(1, 1) was 0.386 (s1·s2 overflowed),
# nearly identical large concentrations, and von Mises concentrations far apart.
EXTRA = [("beta", (1e308, 1.0), "beta", (1.0, 1.0)), ("beta", (1.0, 1.0), "beta", (1e308, 1.0)),
         ("beta", (1e308, 1e-300), "beta", (2.5, 1.5)), ("beta", (1e308, 1.0), "beta", (1e307, 1.0)),
         ("beta", (1e308, 1.0), "uniform", (0.0, 1.0)), ("beta", (3.0, 1e308), "continuous_bernoulli", (0.3,)),
         # dirichlet's textbook lgamma sum gave 0 here (true 7.5e-13)
         ("dirichlet", (1e20, 1.5), "dirichlet", (1e20 * (1 + 1e-6), 1.5)),
         ("beta", (1e20, 1.5), "beta", (1e20 * (1 + 1e-6), 1.5)),
         # von_mises(0, 1e20) ‖ von_mises(0, 1) was 0 (true 22.68: κ1 cancelled against κ2)
         ("von_mises", (0.0, 1e20), "von_mises", (0.0, 1.0)), ("von_mises", (0.0, 1.0), "von_mises", (0.0, 1e20)),
         ("von_mises", (0.0, 1e300), "von_mises", (0.0, 1e299)), ("von_mises", (0.0, 1e6), "von_mises", (0.5, 2.0)),
         ("von_mises", (0.0, 40.0), "von_mises", (0.0, 2.0)), ("von_mises", (0.0, 2.0), "von_mises", (0.0, 40.0)),
         ("von_mises", (0.0, 1e8), "von_mises", (0.0, 29.0)),
         ("von_mises", (1.0, 1e10), "von_mises", (1.0, 1e10 * (1 + 1e-6))),
         ("von_mises", (0.0, 1e300), "von_mises", (1e-100, 1e300))]


def cases():
    yield from EXTRA
    for pf, qf in DIRECT:
        for pp in variants(pf):
            # binomial and negative_binomial pairs share total_count (the other probability 0.6)
            yield pf, pp, qf, (pp[0], 0.6) if pf in ("binomial", "negative_binomial") else MODERATE[qf]
        for qp in variants(qf):
            yield pf, (qp[0], 0.6) if pf in ("binomial", "negative_binomial") else MODERATE[pf], qf, qp
    for pf, qfs in PAIRS.items():
        for qf in qfs:
            for pp in variants(pf):
                yield pf, pp, qf, MODERATE[qf]
            for qp in variants(qf):
                yield pf, MODERATE[pf], qf, qp


def references(only=()):
    for pf, pp, qf, qp in cases():
        if only and pf not in only and qf not in only:
            continue
        try:
            low, high = kl(pf, pp, qf, qp, 600), kl(pf, pp, qf, qp, 700)
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        if low is None:
            continue
        with mp.workdps(700):
            if not (isinf(high) and isinf(low)) and not abs(low - high) <= mpf(10) ** -25 * abs(high):
                print("reference unstable:", spec(pf, pp), spec(qf, qp), nstr(low, 20), nstr(high, 20), file=sys.stderr)
                continue
            if isinf(high) and high < 0:
                continue
        yield spec(pf, pp), spec(qf, qp), high


def sweep(command, only):
    wrong = refused = checked = 0
    for p, q, truth in references(only):
        run = subprocess.run([command, "dist", "--json", "--method", "closed", p, q], capture_output=True, text=True)
        checked += 1
        if run.returncode != 0:
            refused += 1
            print(f"REFUSED\t{p}\t{q}\t{nstr(truth, 17)}\t{run.stderr.strip()}", flush=True)
            continue
        got = json.loads(run.stdout)["kl"]
        got = float("inf") if got in ("inf", "Infinity", None) else float(got)
        with mp.workdps(50):
            if isinf(truth):
                bad = got != float("inf")
            elif got == float("inf"):
                bad = truth < mpf("1.7976931348623157e308")  # beyond doubles, +inf is the value
            elif got == float("-inf") or got != got:
                bad = True
            else:
                bad = abs(mpf(got) - truth) > mpf(1e-10) * abs(truth)
        if bad:
            wrong += 1
            print(f"WRONG\t{p}\t{q}\ttruth {nstr(truth, 17)}\tgot {got!r}", flush=True)
    print(f"{checked} pairs, {wrong} wrong, {refused} refused", file=sys.stderr)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--sweep":
        sweep(sys.argv[2], sys.argv[3:])
        return
    lines = ["p\tq\tkl_nats"]
    for p, q, truth in references():
        with mp.workdps(30):
            if isinf(truth):
                value = "inf"
            elif abs(truth) > mpf("1.7e308"):
                continue
            else:
                value = nstr(truth, 20)
        lines.append(f"{p}\t{q}\t{value}")
    with open("tests/data/extreme_parameters.tsv", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
