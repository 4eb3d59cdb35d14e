#!/usr/bin/python3
"""Generate tests/data/distribution_kl.tsv: reference values of D(P‖Q) for parametric distributions.

Run from the repository root (about 4.5 CPU-minutes, so 2-3 minutes on 2 idle cores):

    /usr/bin/python3 tests/data/generate_distribution_kl.py       # writes tests/data/distribution_kl.tsv
    /usr/bin/python3 tests/data/generate_distribution_kl.py -j 4 -o out.tsv

Needs numpy and mpmath (Debian: python3-numpy, python3-mpmath). The output is deterministic: the
random parameters come from numpy.random.default_rng(2026), rounded to one or two decimals, and
the references from mpmath. Progress goes to stderr.

What it writes: a header line `p<TAB>q<TAB>kl_nats`, then one line per case: the spec of P, the spec
of Q (the distribution spec syntax of issue 5: canonical family names, positional parameters, every
real number printed with repr() of the Python float, so the spec denotes exactly the double the
reference was computed with; integer counts printed as integers) and D(P‖Q) in nats with 20
significant digits, or `inf` where the divergence is infinite (the reason is given with each such
case below).

Independence from the closed forms: no KL formula is used. Each density is written here from its
definition (PyTorch's parameterizations, as the spec syntax defines them) and the divergence is computed as
    ∫ p(x) (log p(x) − log q(x)) dx      by mpmath.quad (tanh-sinh), or
    Σ p(k) (log p(k) − log q(k))         by direct summation until the terms fall below 10^-(dps+5)
                                          of the sum (three terms in a row, past the bulk of P).
For the near-identical pairs (true KL 5e-20 .. 7e-9, or 0) the equal, term-wise non-negative integrand
p·(r − 1 + e^−r), r = log p − log q, is used instead (∫q = ∫p = 1 over the common support), so no
cancellation happens. The integration range is split at the support ends and at the locations, kinks
and ±scale marks of P and Q. At a finite support end a power substitution x = e ± w·t^m (m = 4 or 6)
tames the algebraic singularities of beta/gamma/Weibull-type densities (x^(c−1) becomes t^(mc−1),
mild for the concentrations c >= 0.3 used here; x is formed with enough extra bits to keep 1 − x
exact), and an infinite tail is mapped by x = a + c(v^-m − 1) (m = 6 or 8), which makes the heavy
algebraic tails (Pareto, Student t, Cauchy, inverse gamma) smooth.
Multivariate cases: d-dimensional quadrature is used for the 2-dimensional normal pairs (Gauss-Legendre
in the whitened coordinates of P, truncated at |z| = 12 or 13, where the neglected mass is < 1e-31)
and the Dirichlet K = 3 pairs (tanh-sinh on the unit square, x = (u, (1−u)v, (1−u)(1−v))). Elsewhere an
exact identity reduces the pair to univariate ones, whose KLs are then computed as above:
diagonal_normal d = 3 (sum over the coordinates), multinomial (n × categorical), Dirichlet K = 2
(= beta of the first coordinate) and Wishart d = 1 (wishart(df, [[s]]) = gamma(df/2, 1/(2s))).

Precision check: every finite value is computed twice, with different precision and different
quadrature settings (splitting, substitution exponents, interval limits); the script stops with an
AssertionError unless the two agree to 1e-20 relative. The second (more precise) value is written:
    univariate integrals and sums   mp.dps 35 and 50 (near-identical pairs: 50 and 65)
    2-dimensional quadratures       mp.dps 25 and 32
"""

import argparse
import multiprocessing
import os
import sys
import time
from collections import namedtuple

import numpy as np
from mpmath import (atanh, besseli, cos, exp, expm1, inf, isfinite, log, log1p, loggamma, mag, mp,
                    mpf, nstr, pi, quad, sqrt)

SEED = 2026
TOLERANCE = mpf(10) ** -20        # required relative agreement of the two computations
DIGITS = 20                       # significant digits written
MAXDEGREE = 10                    # tanh-sinh levels allowed for the univariate integrals

# ---------------------------------------------------------------------------------------- specs


def fmt(value):
    """Spec text of a parameter: repr of a float, an int as is, lists in brackets, nested specs."""
    if isinstance(value, Dist):
        return value.spec
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, float)
    return repr(value)


class Dist:
    """A distribution: its spec text and what the reference computation needs.

    kind       'continuous' (logpdf(x)), 'discrete' (logpdf(k), k integer), 'normal2' (logpdf(x1, x2),
               mean `mu`, covariance `cov`), 'simplex3' (logpdf(log x1, log x2, log x3)) or 'product'
               (only `parts`: KL(P‖Q) = factor × Σ KL(P.parts[i] ‖ Q.parts[i]) by an exact identity).
    support    (lo, hi), ±inf allowed; logpdf is -inf outside.
    points     interior split points (continuous) / the bulk's end after which tails may stop (discrete).
    scale      width used by the tail substitution.
    """

    def __init__(self, name, args, kind, logpdf=None, support=None, points=(), scale=None,
                 parts=None, factor=1, mu=None, cov=None):
        self.name, self.args = name, args
        self.kind, self.logpdf, self.support = kind, logpdf, support
        self.points, self.scale = [mpf(x) for x in points], scale
        self.parts, self.factor, self.mu, self.cov = parts, factor, mu, cov

    @property
    def spec(self):
        return "%s(%s)" % (self.name, ", ".join(fmt(a) for a in self.args))

    def named(self, name, args):
        """The same distribution under another family's name (chi2 = gamma)."""
        self.name, self.args = name, args
        return self


def per_prec(f):
    """f() computed once per working precision (normalizing constants)."""
    cache = {}

    def get():
        if mp.prec not in cache:
            cache[mp.prec] = f()
        return cache[mp.prec]
    return get


NEG_INF = -inf
NEGLIGIBLE = -10000   # log of a contribution that is dropped (e^-10000 is far below any tolerance)


def log_sum_exp(terms):
    top = max(terms)
    if top == NEG_INF:
        return top
    return top + log(sum(exp(t - top) for t in terms if t - top > NEGLIGIBLE))

# ------------------------------------------------------------------- univariate continuous families


def normal(loc, scale):
    m, s = mpf(loc), mpf(scale)
    c = per_prec(lambda: -log(s) - log(2 * pi) / 2)
    return Dist("normal", (loc, scale), "continuous", lambda x: c() - ((x - m) / s) ** 2 / 2,
                (-inf, inf), (m - 3 * s, m, m + 3 * s), s)


def half_normal(scale):
    s = mpf(scale)
    c = per_prec(lambda: log(2 / pi) / 2 - log(s))
    return Dist("half_normal", (scale,), "continuous",
                lambda x: c() - (x / s) ** 2 / 2 if x >= 0 else NEG_INF, (mpf(0), inf), (s, 3 * s), s)


def log_normal(loc, scale):
    m, s = mpf(loc), mpf(scale)
    c = per_prec(lambda: -log(s) - log(2 * pi) / 2)

    def logpdf(x):
        if x <= 0:
            return NEG_INF
        lx = log(x)
        return c() - lx - ((lx - m) / s) ** 2 / 2
    return Dist("log_normal", (loc, scale), "continuous", logpdf, (mpf(0), inf),
                (exp(m - 2 * s), exp(m), exp(m + 2 * s)), exp(m) * s)


def laplace(loc, scale):
    m, b = mpf(loc), mpf(scale)
    c = per_prec(lambda: -log(2 * b))
    return Dist("laplace", (loc, scale), "continuous", lambda x: c() - abs(x - m) / b,
                (-inf, inf), (m - 3 * b, m, m + 3 * b), b)


def cauchy(loc, scale):
    m, s = mpf(loc), mpf(scale)
    c = per_prec(lambda: -log(pi * s))
    return Dist("cauchy", (loc, scale), "continuous", lambda x: c() - log1p(((x - m) / s) ** 2),
                (-inf, inf), (m - s, m, m + s), s)


def gumbel(loc, scale):
    m, s = mpf(loc), mpf(scale)
    c = per_prec(lambda: -log(s))

    def logpdf(x):
        z = (x - m) / s
        return c() - z - exp(-z)
    return Dist("gumbel", (loc, scale), "continuous", logpdf, (-inf, inf),
                (m - 2 * s, m, m + 3 * s), s)


def logistic(loc, scale):
    m, s = mpf(loc), mpf(scale)
    c = per_prec(lambda: -log(s))

    def logpdf(x):
        z = abs(x - m) / s
        return c() - z - 2 * log1p(exp(-z))
    return Dist("logistic", (loc, scale), "continuous", logpdf, (-inf, inf),
                (m - 3 * s, m, m + 3 * s), s)


def exponential(rate):
    r = mpf(rate)
    c = per_prec(lambda: log(r))
    return Dist("exponential", (rate,), "continuous", lambda x: c() - r * x if x >= 0 else NEG_INF,
                (mpf(0), inf), (1 / r, 3 / r), 1 / r)


def gamma(concentration, rate):
    a, b = mpf(concentration), mpf(rate)
    c = per_prec(lambda: a * log(b) - loggamma(a))
    mean, sd = a / b, sqrt(a) / b
    return Dist("gamma", (concentration, rate), "continuous",
                lambda x: c() + (a - 1) * log(x) - b * x if x > 0 else NEG_INF, (mpf(0), inf),
                [x for x in (mean - 2 * sd, mean, mean + 3 * sd) if x > 0], sd)


def inverse_gamma(concentration, rate):
    a, b = mpf(concentration), mpf(rate)
    c = per_prec(lambda: a * log(b) - loggamma(a))
    mode = b / (a + 1)
    return Dist("inverse_gamma", (concentration, rate), "continuous",
                lambda x: c() - (a + 1) * log(x) - b / x if x > 0 else NEG_INF, (mpf(0), inf),
                (mode / 2, mode, 4 * mode), mode)


def chi2(df):
    return gamma(df / 2, 0.5).named("chi2", (df,))


def beta(concentration1, concentration0):
    a, b = mpf(concentration1), mpf(concentration0)
    c = per_prec(lambda: loggamma(a + b) - loggamma(a) - loggamma(b))
    return Dist("beta", (concentration1, concentration0), "continuous",
                lambda x: c() + (a - 1) * log(x) + (b - 1) * log(1 - x) if 0 < x < 1 else NEG_INF,
                (mpf(0), mpf(1)), (a / (a + b),), mpf(1))


def continuous_bernoulli(probs):
    lam = mpf(probs)
    # C(λ) = 2 atanh(1 − 2λ) / (1 − 2λ), with the limit 2 at λ = 1/2.
    c = per_prec(lambda: log(2) if lam == 0.5 else log(2 * atanh(1 - 2 * lam) / (1 - 2 * lam)))
    return Dist("continuous_bernoulli", (probs,), "continuous",
                lambda x: c() + x * log(lam) + (1 - x) * log1p(-lam) if 0 <= x <= 1 else NEG_INF,
                (mpf(0), mpf(1)), (0.5,), mpf(1))


def uniform(low, high):
    lo, hi = mpf(low), mpf(high)
    c = per_prec(lambda: -log(hi - lo))
    return Dist("uniform", (low, high), "continuous", lambda x: c() if lo <= x <= hi else NEG_INF,
                (lo, hi), ((lo + hi) / 2,), hi - lo)


def pareto(scale, alpha):
    s, a = mpf(scale), mpf(alpha)
    c = per_prec(lambda: log(a) + a * log(s))
    return Dist("pareto", (scale, alpha), "continuous",
                lambda x: c() - (a + 1) * log(x) if x >= s else NEG_INF, (s, inf), (2 * s, 4 * s), s)


def weibull(scale, concentration):
    lam, k = mpf(scale), mpf(concentration)
    c = per_prec(lambda: log(k) - log(lam))

    def logpdf(x):
        if x <= 0:
            return NEG_INF
        lz = log(x) - log(lam)
        return c() + (k - 1) * lz - exp(k * lz)
    return Dist("weibull", (scale, concentration), "continuous", logpdf, (mpf(0), inf),
                (lam / 2, lam, 2 * lam), lam)


def student_t(df, loc, scale):
    nu, m, s = mpf(df), mpf(loc), mpf(scale)
    c = per_prec(lambda: loggamma((nu + 1) / 2) - loggamma(nu / 2) - log(nu * pi) / 2 - log(s))
    return Dist("student_t", (df, loc, scale), "continuous",
                lambda x: c() - (nu + 1) / 2 * log1p(((x - m) / s) ** 2 / nu), (-inf, inf),
                (m - 5 * s, m - s, m, m + s, m + 5 * s), s)


def von_mises(loc, concentration):
    m, kappa = mpf(loc), mpf(concentration)
    c = per_prec(lambda: -log(2 * pi * besseli(0, kappa)))
    # One period of the circle, centred on loc: the density is periodic, so any period gives the
    # same integral, and Q's log density needs no reduction.
    return Dist("von_mises", (loc, concentration), "continuous",
                lambda x: c() + kappa * cos(x - m), (m - pi, m + pi), (m - pi / 2, m, m + pi / 2), mpf(1))


def mixture(weights, components):
    assert all(d.kind == "continuous" for d in components)
    total = sum(mpf(w) for w in weights)
    log_w = [log(mpf(w) / total) for w in weights]
    return Dist("mixture", (weights, components), "continuous",
                lambda x: log_sum_exp([lw + d.logpdf(x) for lw, d in zip(log_w, components)]),
                (min(d.support[0] for d in components), max(d.support[1] for d in components)),
                sorted(set(x for d in components for x in d.points)),
                max(d.scale for d in components))

# --------------------------------------------------------------------------- discrete families


def bernoulli(probs):
    p = mpf(probs)
    return Dist("bernoulli", (probs,), "discrete",
                lambda k: (log(p) if k == 1 else log1p(-p)) if k in (0, 1) else NEG_INF, (0, 1))


def binomial(total_count, probs):
    n, p = total_count, mpf(probs)
    c = per_prec(lambda: loggamma(n + 1))
    return Dist("binomial", (total_count, probs), "discrete",
                lambda k: (c() - loggamma(k + 1) - loggamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p)
                           if 0 <= k <= n else NEG_INF), (0, n))


def categorical(probs):
    total = sum(mpf(w) for w in probs)
    log_p = [log(mpf(w) / total) for w in probs]
    return Dist("categorical", (probs,), "discrete",
                lambda k: log_p[k] if 0 <= k < len(log_p) else NEG_INF, (0, len(probs) - 1))


def geometric(probs):
    p = mpf(probs)
    mean = (1 - p) / p
    return Dist("geometric", (probs,), "discrete", lambda k: k * log1p(-p) + log(p) if k >= 0 else NEG_INF,
                (0, inf), (mean + 6 * sqrt(mean / p) + 10,))


def poisson(rate):
    lam = mpf(rate)
    return Dist("poisson", (rate,), "discrete",
                lambda k: k * log(lam) - lam - loggamma(k + 1) if k >= 0 else NEG_INF,
                (0, inf), (lam + 6 * sqrt(lam) + 10,))


def negative_binomial(total_count, probs):
    r, p = mpf(total_count), mpf(probs)
    c = per_prec(lambda: r * log1p(-p) - loggamma(r))
    mean = r * p / (1 - p)
    return Dist("negative_binomial", (total_count, probs), "discrete",
                lambda k: c() + loggamma(k + r) - loggamma(k + 1) + k * log(p) if k >= 0 else NEG_INF,
                (0, inf), (mean + 6 * sqrt(mean / (1 - p)) + 10,))

# ------------------------------------------------------------------------- multivariate families


def normal2(name, args, mu, cov, parts=None):
    """A 2-dimensional normal with mean mu and covariance [[a, b], [b, c]] (mpf, exact)."""
    (a, b), (_, c) = cov
    det = a * c - b * b
    assert det > 0
    const = per_prec(lambda: -log(2 * pi) - log(det) / 2)

    def logpdf(x1, x2):
        d1, d2 = x1 - mu[0], x2 - mu[1]
        return const() - (c * d1 * d1 - 2 * b * d1 * d2 + a * d2 * d2) / (2 * det)
    return Dist(name, args, "normal2", logpdf, mu=mu, cov=cov, parts=parts)


def multivariate_normal(loc, covariance_matrix):
    assert covariance_matrix[0][1] == covariance_matrix[1][0]
    return normal2("multivariate_normal", (loc, covariance_matrix), [mpf(x) for x in loc],
                   [[mpf(x) for x in row] for row in covariance_matrix])


def lowrank_multivariate_normal(loc, cov_factor, cov_diag):
    """Σ = W Wᵀ + diag(D), d = 2; computed exactly (the build runs at 300 bits)."""
    w = [mpf(row[0]) for row in cov_factor]
    cov = [[w[0] * w[0] + mpf(cov_diag[0]), w[0] * w[1]], [w[1] * w[0], w[1] * w[1] + mpf(cov_diag[1])]]
    return normal2("lowrank_multivariate_normal", (loc, cov_factor, cov_diag), [mpf(x) for x in loc], cov)


def diagonal_normal(loc, scale):
    # Identity: the coordinates are independent, so D(P‖Q) = Σ_i D(normal_i ‖ normal'_i) between two
    # diagonal normals; against other 2-dimensional normals it is integrated as a normal2.
    parts = [normal(m, s) for m, s in zip(loc, scale)]
    args = (loc, scale)
    if len(loc) != 2:
        return Dist("diagonal_normal", args, "product", parts=parts)
    cov = [[mpf(scale[0]) ** 2, mpf(0)], [mpf(0), mpf(scale[1]) ** 2]]
    return normal2("diagonal_normal", args, [mpf(x) for x in loc], cov, parts)


def multinomial(total_count, probs):
    # Identity: log p(x)/q(x) = Σ_i x_i log(p_i/q_i) and E x_i = n p_i, so D = n · D(cat(p) ‖ cat(q)).
    return Dist("multinomial", (total_count, probs), "product", parts=[categorical(probs)],
                factor=total_count)


def dirichlet(concentration):
    if len(concentration) == 2:
        # Identity: Dirichlet([a, b]) is the law of (X, 1 − X) with X ~ beta(a, b).
        return Dist("dirichlet", (concentration,), "product", parts=[beta(*concentration)])
    assert len(concentration) == 3
    al = [mpf(a) for a in concentration]
    c = per_prec(lambda: loggamma(sum(al)) - sum(loggamma(a) for a in al))
    return Dist("dirichlet", (concentration,), "simplex3",
                lambda *logx: c() + sum((a - 1) * lx for a, lx in zip(al, logx)))


def wishart(df, covariance_matrix):
    # Identity: for d = 1, wishart(df, [[s]]) is s·χ²_df = gamma(df/2, rate 1/(2s)).
    ((s,),) = covariance_matrix
    return Dist("wishart", (df, covariance_matrix), "product", parts=[gamma(mpf(df) / 2, 1 / (2 * mpf(s)))])

# ------------------------------------------------------------------------------ KL computations


# One of the two computations of a value: working precision and quadrature settings.
Run = namedtuple("Run", "dps fine m_end m_tail")
RUNS = (Run(35, False, 4, 6), Run(50, True, 6, 8))
NEAR_RUNS = (Run(50, False, 4, 6), Run(65, True, 6, 8))
RUNS_2D = (Run(25, False, 0, 0), Run(32, True, 0, 0))


def integrand(P, Q, nonneg):
    """p (log p − log q), or for near-identical pairs the equal p (r − 1 + e^−r), r = log p − log q.
    Far in the tails (p |r| < e^-10000) the value is taken as 0: exp() of the astronomically large
    arguments met there (Gumbel: log p = −e^−z) would be slow and is irrelevant."""
    def f(x):
        lp = P.logpdf(x)
        if lp == NEG_INF:
            return mpf(0)
        r = lp - Q.logpdf(x)
        if r == 0 or lp + log(abs(r)) < NEGLIGIBLE:
            return mpf(0)
        return exp(lp) * (r + expm1(-r) if nonneg else r)
    return f


def end_piece(f, e, w, m):
    """∫ f over [e, e + w] (w < 0: [e + w, e]) with x = e + w t^m, t in [0, 1]: smooths an
    algebraic singularity at the support end e. x is formed with enough extra bits that x − e
    (and so 1 − x at e = 1) is exact."""
    def g(t):
        d = w * t ** m
        with mp.extraprec(max(0, mag(e) - mag(d)) + 10 if e else 0):
            x = e + d
        return f(x) * abs(w) * m * t ** (m - 1)
    return quad(g, [0, 1], maxdegree=MAXDEGREE)


def tail_piece(f, a, direction, c, m):
    """∫ f over [a, inf) (direction +1) or (-inf, a] (direction -1) with x = a ± c (v^-m − 1)."""
    def g(v):
        w = v ** -m
        return f(a + direction * c * (w - 1)) * c * m * w / v
    return quad(g, [0, 1], maxdegree=MAXDEGREE)


def integrate_1d(P, Q, run, nonneg):
    lo, hi = P.support
    cuts = sorted(set([lo, hi] + [x for x in P.points + Q.points if lo < x < hi]))
    if run.fine:
        cuts = sorted(set(cuts + [(a + b) / 2 for a, b in zip(cuts, cuts[1:])
                                  if isfinite(a) and isfinite(b)]))
    assert len(cuts) >= 3, "need an interior split point"
    f = integrand(P, Q, nonneg)
    total = mpf(0)
    for a, b in zip(cuts, cuts[1:]):
        if a == -inf:
            total += tail_piece(f, b, -1, P.scale, run.m_tail)
        elif b == inf:
            total += tail_piece(f, a, +1, P.scale, run.m_tail)
        elif a == lo:
            total += end_piece(f, a, b - a, run.m_end)
        elif b == hi:
            total += end_piece(f, b, a - b, run.m_end)
        else:
            total += quad(f, [a, b], maxdegree=MAXDEGREE)
    return total


def sum_discrete(P, Q, run, nonneg):
    lo, hi = P.support
    eps = mpf(10) ** -(run.dps + 5)
    total, small, k = mpf(0), 0, lo
    while k <= hi:
        lp = P.logpdf(k)
        if lp != NEG_INF:
            r = lp - Q.logpdf(k)
            term = exp(lp) * (r + expm1(-r) if nonneg else r)
            total += term
            if hi == inf and k > P.points[0]:
                small = small + 1 if abs(term) <= eps * abs(total) else 0
                if small == 3:
                    break
        k += 1
    return total


def integrate_normal2(P, Q, run):
    """∫∫ p (log p − log q) dx in P's whitened coordinates x = mu + L z (L L^T = cov, p(x) |L| is
    the standard normal density of z), Gauss-Legendre on the square |z_i| <= 12 (13)."""
    (a, b), (_, c) = P.cov
    l11 = sqrt(a)
    l21 = b / l11
    l22 = sqrt(c - l21 * l21)

    def f(z1, z2):
        x1 = P.mu[0] + l11 * z1
        x2 = P.mu[1] + l21 * z1 + l22 * z2
        lp = P.logpdf(x1, x2)
        return exp(lp) * l11 * l22 * (lp - Q.logpdf(x1, x2))
    cuts = [-13, 0.5, 13] if run.fine else [-12, 0, 12]
    return quad(f, cuts, cuts, method="gauss-legendre")


def integrate_simplex3(P, Q, run):
    """∫ p (log p − log q) over the simplex: x = (u, (1−u)v, (1−u)(1−v)), dx1 dx2 = (1−u) du dv,
    tanh-sinh on the unit square."""
    def f(u, v):
        lw = log1p(-u)
        logx = (log(u), lw + log(v), lw + log1p(-v))
        lp = P.logpdf(*logx)
        return exp(lp + lw) * (lp - Q.logpdf(*logx))
    cuts = [0, 0.5, 1] if run.fine else [0, 1]
    return quad(f, cuts, cuts)


def reduces(P, Q):
    """Whether an exact identity reduces the pair to univariate pairs (see the families)."""
    return P.parts is not None and Q.parts is not None


def kl(P, Q, run, nonneg=False):
    if reduces(P, Q):
        assert P.factor == Q.factor and len(P.parts) == len(Q.parts)
        return P.factor * sum(kl(p, q, run, nonneg) for p, q in zip(P.parts, Q.parts))
    if P.kind == "continuous":
        return integrate_1d(P, Q, run, nonneg)
    if P.kind == "discrete":
        return sum_discrete(P, Q, run, nonneg)
    if P.kind == "normal2":
        return integrate_normal2(P, Q, run)
    assert P.kind == "simplex3" == Q.kind
    return integrate_simplex3(P, Q, run)

# ----------------------------------------------------------------------------------------- cases


Case = namedtuple("Case", "group p q reason near")


class Draw:
    """Reproducible, readable random parameters: uniform in [lo, hi], rounded to `digits` decimals."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, lo, hi, digits=2):
        return round(float(self.rng.uniform(lo, hi)), digits) + 0.0   # + 0.0: no -0.0

    def int(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))


def build_cases():
    r = Draw(SEED)
    cases = []

    def finite(group, p, q, near=False):
        cases.append(Case(group, p, q, None, near))

    def infinite(group, p, q, reason):
        cases.append(Case(group, p, q, reason, False))

    # Random members of each family, in ranges that keep every integral well conditioned.
    rand = {
        "bernoulli": lambda: bernoulli(r(0.05, 0.95)),
        "geometric": lambda: geometric(r(0.05, 0.95)),
        "poisson": lambda: poisson(r(0.2, 10)),
        "categorical": lambda: categorical([r(0.05, 1) for _ in range(4)]),
        "normal": lambda: normal(r(-2, 2), r(0.3, 3)),
        "half_normal": lambda: half_normal(r(0.3, 3)),
        "log_normal": lambda: log_normal(r(-1, 1), r(0.2, 1.5)),
        "laplace": lambda: laplace(r(-2, 2), r(0.3, 3)),
        "cauchy": lambda: cauchy(r(-2, 2), r(0.3, 3)),
        "gumbel": lambda: gumbel(r(-2, 2), r(0.3, 3)),
        "logistic": lambda: logistic(r(-2, 2), r(0.3, 3)),
        "exponential": lambda: exponential(r(0.2, 5)),
        "gamma": lambda: gamma(r(0.3, 6), r(0.2, 4)),
        "inverse_gamma": lambda: inverse_gamma(r(0.5, 6), r(0.2, 4)),
        "chi2": lambda: chi2(r(0.5, 10)),
        "beta": lambda: beta(r(0.3, 5), r(0.3, 5)),
        "continuous_bernoulli": lambda: continuous_bernoulli(r(0.05, 0.95)),
        "weibull": lambda: weibull(r(0.3, 3), r(0.4, 4)),
        "von_mises": lambda: von_mises(r(-3, 3), r(0.1, 8)),
    }

    # 1. Same family.
    for draw in rand.values():
        for _ in range(3):
            finite(1, draw(), draw())
    for _ in range(3):
        n = r.int(2, 30)
        finite(1, binomial(n, r(0.05, 0.95)), binomial(n, r(0.05, 0.95)))
    finite(1, binomial(6, 0.35), binomial(10, 0.5))
    infinite(1, binomial(12, 0.4), binomial(8, 0.3), "P puts mass on k = 9..12, outside Q's support")
    for _ in range(2):
        rc = r(0.5, 8, 1)
        finite(1, negative_binomial(rc, r(0.05, 0.9)), negative_binomial(rc, r(0.05, 0.9)))
    for _ in range(2):
        finite(1, negative_binomial(r(0.5, 8, 1), r(0.05, 0.9)),
               negative_binomial(r(0.5, 8, 1), r(0.05, 0.9)))
    for _ in range(2):
        lo = r(-2, 1)
        hi = round(lo + r(1, 4), 2)
        p_lo = r(lo, (lo + hi) / 2)
        finite(1, uniform(p_lo, r(p_lo + 0.1, hi)), uniform(lo, hi))
    finite(1, uniform(0.0, 1.0), uniform(0.0, 1.0))
    infinite(1, uniform(0.0, 2.0), uniform(0.5, 3.0), "P has mass on [0, 0.5), outside Q's support")
    infinite(1, uniform(-1.0, 1.0), uniform(-0.5, 0.5), "P's support is wider than Q's")
    for _ in range(2):
        s = r(0.3, 2)
        finite(1, pareto(round(s + r(0, 1), 2), r(0.5, 5)), pareto(s, r(0.5, 5)))
    finite(1, pareto(1.5, 2.5), pareto(1.5, 0.8))
    infinite(1, pareto(1.0, 2.0), pareto(1.2, 2.0), "P has mass on [1, 1.2), below Q's scale")
    for _ in range(2):
        df = r(1, 10)
        finite(1, student_t(df, r(-2, 2), r(0.3, 3)), student_t(df, r(-2, 2), r(0.3, 3)))
    for _ in range(2):
        finite(1, student_t(r(1, 10), r(-2, 2), r(0.3, 3)), student_t(r(1, 10), r(-2, 2), r(0.3, 3)))

    # 2. Near-identical and identical pairs (nonneg integrand, dps 50/65); each perturbed parameter
    #    is written so that its repr is exactly the double used.
    finite(2, normal(0.0, 1.0), normal(1e-07, 1.00000001), near=True)
    finite(2, normal(1000.0, 2.0), normal(1000.000001, 2.0), near=True)
    finite(2, gamma(3.0, 2.0), gamma(3.000000003, 2.0), near=True)
    finite(2, gamma(0.5, 1.5), gamma(0.5, 1.5000000015), near=True)
    finite(2, poisson(4.0), poisson(4.000000004), near=True)
    finite(2, binomial(20, 0.3), binomial(20, 0.3000000003), near=True)
    finite(2, beta(2.5, 1.5), beta(2.5000000025, 1.5000000015), near=True)
    finite(2, weibull(1.5, 2.0), weibull(1.5000000015, 2.0), near=True)
    finite(2, gumbel(0.5, 1.2), gumbel(0.500000001, 1.2), near=True)
    finite(2, exponential(1.5), exponential(1.5000000015), near=True)
    finite(2, laplace(0.0, 1.0), laplace(1e-08, 1.0), near=True)
    finite(2, student_t(4.0, 0.0, 1.0), student_t(4.000000004, 0.0, 1.0), near=True)
    finite(2, von_mises(0.5, 2.0), von_mises(0.5, 2.000000002), near=True)
    finite(2, continuous_bernoulli(0.5), continuous_bernoulli(0.4999), near=True)
    finite(2, continuous_bernoulli(0.4999999), continuous_bernoulli(0.5000001), near=True)
    finite(2, normal(0.3, 1.7), normal(0.3, 1.7), near=True)
    finite(2, gamma(2.5, 0.75), gamma(2.5, 0.75), near=True)

    # 3. PyTorch's cross-family pairs.
    def cover01():
        return uniform(r(-1, 0), r(1, 2))

    def inside01():
        return uniform(r(0, 0.4), r(0.6, 1))

    def positive_uniform():
        lo = r(0, 2)
        return uniform(lo, round(lo + r(0.2, 3), 2))

    def real_uniform():
        lo = r(-2, 1)
        return uniform(lo, round(lo + r(0.2, 4), 2))

    pytorch_pairs = [
        (lambda: bernoulli(r(0.05, 0.95)), lambda: poisson(r(0.2, 5))),
        (rand["beta"], rand["continuous_bernoulli"]),
        (rand["beta"], rand["exponential"]),
        (rand["beta"], rand["gamma"]),
        (rand["beta"], rand["normal"]),
        (rand["beta"], cover01),
        (rand["continuous_bernoulli"], rand["exponential"]),
        (rand["continuous_bernoulli"], rand["normal"]),
        (rand["continuous_bernoulli"], cover01),
        (rand["exponential"], rand["gamma"]),
        (rand["exponential"], rand["gumbel"]),
        (rand["exponential"], rand["normal"]),
        (rand["gamma"], rand["exponential"]),
        (rand["gamma"], rand["gumbel"]),
        (rand["gamma"], rand["normal"]),
        (rand["gumbel"], rand["normal"]),
        (rand["laplace"], rand["normal"]),
        (rand["normal"], rand["gumbel"]),
        (rand["normal"], rand["laplace"]),
        (lambda: pareto(r(0.2, 2), r(1.5, 4)), rand["exponential"]),
        (lambda: pareto(r(0.2, 2), r(1.5, 4)), rand["gamma"]),
        (lambda: pareto(r(0.2, 2), r(2.5, 5)), rand["normal"]),
        (inside01, rand["beta"]),
        (inside01, rand["continuous_bernoulli"]),
        (positive_uniform, rand["exponential"]),
        (positive_uniform, rand["gamma"]),
        (real_uniform, rand["gumbel"]),
        (real_uniform, rand["normal"]),
    ]
    for draw_p, draw_q in pytorch_pairs:
        for _ in range(3):
            finite(3, draw_p(), draw_q())
    for _ in range(3):
        s = r(0.3, 2)
        lo = round(s + r(0, 1), 2)
        finite(3, uniform(lo, round(lo + r(0.2, 3), 2)), pareto(s, r(0.5, 4)))
    finite(3, beta(1.5, 2.5), uniform(0.0, 1.0))
    finite(3, continuous_bernoulli(0.3), uniform(0.0, 1.0))
    finite(3, uniform(0.0, 1.0), beta(0.7, 2.5))
    finite(3, uniform(0.0, 1.0), continuous_bernoulli(0.8))
    finite(3, uniform(0.0, 2.0), exponential(1.5))
    finite(3, uniform(0.0, 1.5), gamma(0.6, 1.2))
    finite(3, uniform(1.2, 3.0), pareto(1.2, 2.5))
    infinite(3, pareto(1.0, 0.9), exponential(1.0), "E_P[x] diverges (alpha <= 1)")
    infinite(3, pareto(0.5, 1.0), exponential(2.0), "E_P[x] diverges (alpha <= 1)")
    infinite(3, pareto(1.0, 0.8), gamma(2.0, 1.0), "E_P[x] diverges (alpha <= 1)")
    infinite(3, pareto(1.0, 2.0), normal(0.0, 1.0), "E_P[x^2] diverges (alpha <= 2)")
    infinite(3, pareto(0.5, 1.5), normal(1.0, 2.0), "E_P[x^2] diverges (alpha <= 2)")
    infinite(3, beta(2.0, 3.0), uniform(0.1, 1.5), "P has mass on (0, 0.1), outside Q's support")
    infinite(3, continuous_bernoulli(0.3), uniform(0.0, 0.9), "P has mass on (0.9, 1]")
    infinite(3, uniform(-1.0, 2.0), beta(2.0, 2.0), "P's support exceeds [0, 1]")
    infinite(3, uniform(0.5, 1.2), continuous_bernoulli(0.4), "P has mass on (1, 1.2]")
    infinite(3, uniform(-0.5, 1.0), exponential(1.0), "P has mass on x < 0")
    infinite(3, uniform(-0.5, 1.0), gamma(2.0, 1.0), "P has mass on x < 0")
    infinite(3, uniform(0.5, 2.0), pareto(1.0, 2.0), "P has mass on [0.5, 1), below Q's scale")
    infinite(3, beta(2.0, 3.0), pareto(0.5, 2.0), "P has mass on (0, 0.5), below Q's scale")
    infinite(3, continuous_bernoulli(0.3), pareto(0.2, 1.5), "P has mass on [0, 0.2)")
    infinite(3, exponential(1.0), beta(2.0, 2.0), "P has mass on (1, inf)")
    infinite(3, exponential(1.0), uniform(0.0, 5.0), "P has mass on (5, inf)")
    infinite(3, exponential(2.0), pareto(0.5, 3.0), "P has mass on [0, 0.5)")
    infinite(3, exponential(1.0), continuous_bernoulli(0.3), "P has mass on (1, inf)")
    infinite(3, gamma(2.0, 1.0), continuous_bernoulli(0.6), "P has mass on (1, inf)")
    infinite(3, gamma(2.0, 1.0), uniform(0.0, 10.0), "P has mass on (10, inf)")
    infinite(3, gamma(2.0, 1.0), beta(2.0, 2.0), "P has mass on (1, inf)")
    infinite(3, gamma(3.0, 2.0), pareto(1.0, 2.0), "P has mass on (0, 1)")
    infinite(3, gumbel(0.0, 1.0), gamma(2.0, 1.0), "P has mass on x <= 0")
    infinite(3, gumbel(1.0, 0.5), exponential(1.0), "P has mass on x < 0")
    infinite(3, gumbel(0.0, 1.0), uniform(-5.0, 5.0), "P's support is the real line")
    infinite(3, laplace(0.0, 1.0), uniform(-5.0, 5.0), "P's support is the real line")
    infinite(3, laplace(2.0, 1.0), exponential(1.0), "P has mass on x < 0")
    infinite(3, laplace(0.5, 0.2), beta(2.0, 2.0), "P has mass outside [0, 1]")
    infinite(3, normal(0.0, 1.0), exponential(1.0), "P has mass on x < 0")
    infinite(3, normal(0.5, 0.1), beta(2.0, 2.0), "P has mass outside [0, 1]")
    infinite(3, normal(3.0, 1.0), gamma(2.0, 1.0), "P has mass on x <= 0")
    infinite(3, normal(0.0, 1.0), continuous_bernoulli(0.5), "P has mass outside [0, 1]")
    infinite(3, pareto(0.5, 2.0), beta(2.0, 2.0), "P has mass on (1, inf)")
    infinite(3, pareto(1.0, 3.0), uniform(0.0, 10.0), "P has mass on (10, inf)")
    infinite(3, pareto(0.2, 3.0), continuous_bernoulli(0.5), "P has mass on (1, inf)")
    infinite(3, poisson(2.0), bernoulli(0.3), "P has mass on k >= 2")
    infinite(3, poisson(2.0), binomial(10, 0.2), "P has mass on k > 10")

    # 4. TensorFlow Probability's further closed-form pairs (the same-family ones are in group 1).
    tfp_pairs = [
        (rand["weibull"], rand["gamma"]),
        (rand["chi2"], rand["gamma"]),
        (rand["gamma"], rand["chi2"]),
        (rand["exponential"], rand["weibull"]),
        (rand["weibull"], rand["exponential"]),
        (rand["gamma"], rand["weibull"]),
        (lambda: gamma(r(1.2, 6), r(0.2, 4)), rand["inverse_gamma"]),
        (lambda: inverse_gamma(r(1.2, 6), r(0.2, 4)), rand["gamma"]),
        (rand["log_normal"], rand["gamma"]),
        (rand["gamma"], rand["log_normal"]),
        (rand["log_normal"], rand["weibull"]),
        (rand["weibull"], rand["log_normal"]),
        (rand["logistic"], rand["normal"]),
        (rand["half_normal"], rand["exponential"]),
        (rand["exponential"], rand["half_normal"]),
    ]
    for draw_p, draw_q in tfp_pairs:
        for _ in range(3):
            finite(4, draw_p(), draw_q())
    infinite(4, gamma(0.8, 1.0), inverse_gamma(2.0, 1.0), "E_P[1/x] diverges (P.concentration <= 1)")
    infinite(4, gamma(1.0, 2.0), inverse_gamma(1.5, 0.5), "E_P[1/x] diverges (P.concentration <= 1)")
    infinite(4, inverse_gamma(1.0, 1.0), gamma(2.0, 1.0), "E_P[x] diverges (P.concentration <= 1)")
    infinite(4, inverse_gamma(0.7, 2.0), gamma(0.5, 0.5), "E_P[x] diverges (P.concentration <= 1)")

    # 5. Pairs without a closed form.
    for _ in range(2):
        finite(5, student_t(3.0, r(-1, 1), r(0.5, 2)), rand["normal"]())
    finite(5, student_t(4.5, 0.0, 1.0), normal(0.0, 1.0))
    infinite(5, student_t(2.0, 0.0, 1.0), normal(0.0, 1.0), "E_P[x^2] diverges (df <= 2)")
    infinite(5, cauchy(0.0, 1.0), normal(0.0, 1.0), "E_P[x^2] diverges")
    for _ in range(2):
        finite(5, rand["normal"](), student_t(r(1, 10), r(-2, 2), r(0.3, 3)))
        finite(5, rand["normal"](), rand["cauchy"]())
        finite(5, rand["laplace"](), rand["cauchy"]())
        finite(5, rand["gumbel"](), rand["logistic"]())
        finite(5, weibull(r(0.3, 3), r(0.4, 0.9)), gamma(r(0.4, 0.9), r(0.2, 4)))
    finite(5, laplace(0.0, 0.5), gumbel(0.0, 1.0))
    infinite(5, laplace(0.0, 2.0), gumbel(0.0, 1.0), "E_P[e^-x] diverges (Laplace scale 2 >= Gumbel scale 1)")
    finite(5, laplace(0.3, 0.8), gumbel(-0.5, 1.5))
    finite(5, mixture([0.3, 0.7], [normal(0.0, 1.0), normal(2.0, 0.5)]), normal(1.0, 1.5))
    finite(5, normal(0.5, 1.0), mixture([0.5, 0.5], [normal(0.0, 1.0), laplace(1.0, 2.0)]))
    finite(5, mixture([0.4, 0.6], [normal(-1.0, 0.8), normal(1.5, 1.2)]),
           mixture([0.5, 0.5], [normal(-0.5, 1.0), normal(2.0, 0.7)]))
    finite(5, mixture([2.0, 1.0, 1.0], [normal(0.0, 1.0), normal(-3.0, 0.5), normal(3.0, 0.5)]),
           mixture([0.5, 0.5], [normal(-1.0, 2.0), laplace(1.0, 1.5)]))
    finite(5, binomial(10, 0.3), poisson(3.0))
    finite(5, poisson(2.0), negative_binomial(3.0, 0.4))
    finite(5, geometric(0.3), poisson(2.0))
    finite(5, poisson(3.5), geometric(0.25))
    finite(5, negative_binomial(2.5, 0.6), poisson(3.0))

    # 6. Multivariate.
    for _ in range(3):
        finite(6, diagonal_normal([r(-2, 2) for _ in range(3)], [r(0.3, 3) for _ in range(3)]),
               diagonal_normal([r(-2, 2) for _ in range(3)], [r(0.3, 3) for _ in range(3)]))
    for k in (3, 4, 4):
        n = r.int(1, 20)
        finite(6, multinomial(n, [r(0.05, 1) for _ in range(k)]),
               multinomial(n, [r(0.05, 1) for _ in range(k)]))
    for _ in range(3):
        finite(6, dirichlet([r(0.3, 5), r(0.3, 5)]), dirichlet([r(0.3, 5), r(0.3, 5)]))
    for _ in range(3):
        finite(6, wishart(r(0.5, 8), [[r(0.2, 3)]]), wishart(r(0.5, 8), [[r(0.2, 3)]]))
    for _ in range(3):
        # P's concentrations >= 1.2 keep the 2-dimensional integrand free of edge singularities.
        finite(6, dirichlet([r(1.2, 5) for _ in range(3)]), dirichlet([r(0.5, 5) for _ in range(3)]))

    def random_cov():
        a, c = r(0.5, 2.5), r(0.5, 2.5)
        b = round(float(r.rng.uniform(-0.8, 0.8)) * (a * c) ** 0.5, 2) + 0.0
        return [[a, b], [b, c]]

    def random_mvn():
        return multivariate_normal([r(-2, 2), r(-2, 2)], random_cov())

    def random_lowrank():
        return lowrank_multivariate_normal([r(-2, 2), r(-2, 2)], [[r(-1.5, 1.5)], [r(-1.5, 1.5)]],
                                           [r(0.2, 2), r(0.2, 2)])

    def random_diagonal():
        return diagonal_normal([r(-2, 2), r(-2, 2)], [r(0.5, 2), r(0.5, 2)])

    for _ in range(3):
        finite(6, random_mvn(), random_mvn())
    for _ in range(2):
        finite(6, random_diagonal(), random_mvn())
        finite(6, random_lowrank(), random_mvn())
    finite(6, random_mvn(), random_lowrank())
    finite(6, random_mvn(), random_diagonal())
    return cases

# ------------------------------------------------------------------------------------------ main


CASES = None   # set in main(); worker processes inherit it (fork)


def runs_for(case):
    if case.p.kind in ("normal2", "simplex3") and not reduces(case.p, case.q):
        return RUNS_2D
    return NEAR_RUNS if case.near else RUNS


def reference(index):
    """(index, text of the value, seconds)."""
    case = CASES[index]
    start = time.time()
    if case.reason is not None:
        return index, "inf", 0.0
    values = []
    for run in runs_for(case):
        mp.dps = run.dps
        values.append(kl(case.p, case.q, run, case.near))
    coarse, fine = values
    assert isfinite(fine) and fine >= 0, (case.p.spec, case.q.spec, fine)
    assert abs(fine - coarse) <= TOLERANCE * fine, (case.p.spec, case.q.spec, coarse, fine)
    return index, nstr(fine, DIGITS, strip_zeros=False), time.time() - start


def main():
    global CASES
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    parser.add_argument("-o", "--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "distribution_kl.tsv"))
    args = parser.parse_args()

    start = time.time()
    with mp.workprec(300):   # parameters derived at build time (wishart rate, lowrank Σ) stay exact
        CASES = build_cases()
    results = {}
    slow_first = sorted(range(len(CASES)), key=lambda i: runs_for(CASES[i]) is not RUNS_2D)
    with multiprocessing.Pool(args.jobs) as pool:
        for done, (index, value, seconds) in enumerate(pool.imap_unordered(reference, slow_first), 1):
            results[index] = value
            case = CASES[index]
            note = case.reason or "%.1f s" % seconds
            print("[%d/%d] %s ‖ %s = %s (%s)" % (done, len(CASES), case.p.spec, case.q.spec, value, note),
                  file=sys.stderr)
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("p\tq\tkl_nats\n")
        for index, case in enumerate(CASES):
            out.write("%s\t%s\t%s\n" % (case.p.spec, case.q.spec, results[index]))
    groups = {}
    for case in CASES:
        groups[case.group] = groups.get(case.group, 0) + 1
    print("wrote %s: %d cases (group: count %s) in %.0f s" % (
        args.output, len(CASES), ", ".join("%d: %d" % g for g in sorted(groups.items())),
        time.time() - start), file=sys.stderr)

if __name__ == "__main__":
    main()
