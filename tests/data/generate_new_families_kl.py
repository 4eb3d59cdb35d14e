"""References for tests/test_half_cauchy.cpp, test_logistic_normal.cpp and test_independent.cpp:
D(P‖Q) by mpmath quadrature of p·(ln p − ln q), from densities written here (never from kldiv's
closed forms), each at two precisions that must agree to 1e-20. Run with /usr/bin/python3; prints
the C++ initializers the tests hold."""
import mpmath as mp

inf = mp.inf


def half_cauchy(s):
    return lambda x: 2 / (mp.pi * s * (1 + (x / s) ** 2))


def half_normal(s):
    return lambda x: mp.sqrt(2 / mp.pi) / s * mp.exp(-x * x / (2 * s * s))


def log_normal(m, s):
    return lambda x: mp.exp(-(mp.log(x) - m) ** 2 / (2 * s * s)) / (x * s * mp.sqrt(2 * mp.pi))


def normal(m, s):
    return lambda x: mp.exp(-((x - m) / s) ** 2 / 2) / (s * mp.sqrt(2 * mp.pi))


def laplace(m, b):
    return lambda x: mp.exp(-abs(x - m) / b) / (2 * b)


def gamma(a, r):
    return lambda x: r ** a * x ** (a - 1) * mp.exp(-r * x) / mp.gamma(a)


def beta(a, b):
    return lambda x: x ** (a - 1) * (1 - x) ** (b - 1) / mp.beta(a, b)


def student_t(nu):
    return lambda x: mp.gamma((nu + 1) / 2) / (mp.sqrt(nu * mp.pi) * mp.gamma(nu / 2)) * (1 + x * x / nu) ** (-(nu + 1) / 2)


def log_sigmoid(y):
    return -mp.log1p(mp.exp(-y)) if y >= 0 else y - mp.log1p(mp.exp(y))


def in_logit(log_density_of_x0):
    # A density of x0 on (0, 1) (K = 2: x0 = σ(y), since ln(d − i) = 0), as a function of the point's
    # logit y = ln x0 − ln(1 − x0): ln q(x0) from ln x0 = ln σ(y), ln(1 − x0) = ln σ(−y).
    return lambda y: log_density_of_x0(log_sigmoid(y), log_sigmoid(-y))


def logistic_normal_1(m, s):
    # The density of x0 on (0, 1) by the change of variables y = logit(x0): N(y) / (x0 (1 − x0)).
    return in_logit(lambda lx, l1x: mp.log(normal(m, s)(lx - l1x)) - lx - l1x)


def beta_in_logit(a, b):
    return in_logit(lambda lx, l1x: (a - 1) * lx + (b - 1) * l1x - mp.log(mp.beta(a, b)))


def kl_in_logit(m, s, log_q):
    # ∫ p(x0) ln(p/q) dx0 over (0, 1), with x0 = σ(y): ∫ N(y) [ln p(x0(y)) − ln q(x0(y))] dy.
    log_p = logistic_normal_1(m, s)

    def at(dps):
        with mp.workdps(dps):
            return mp.quad(lambda y: normal(m, s)(y) * (log_p(y) - log_q(y)), [-inf, m - 5 * s, m, m + 5 * s, inf])
    a, b = at(40), at(60)
    assert abs(a - b) < mp.mpf("1e-20") * max(1, abs(b)), (a, b)
    return b


def kl(p, q, points):
    def at(dps):
        with mp.workdps(dps):
            return mp.quad(lambda x: p(x) * (mp.log(p(x)) - mp.log(q(x))) if p(x) > 0 else mp.mpf(0), points,
                           maxdegree=10)
    a, b = at(40), at(60)
    assert abs(a - b) < mp.mpf("1e-20") * max(1, abs(b)), (a, b)
    return b


cases = {
    "half_cauchy(0.7) || half_cauchy(2.3)": kl(half_cauchy(0.7), half_cauchy(2.3), [0, 0.7, 2.3, 10, 100, inf]),
    "half_normal(1.2) || half_cauchy(0.8)": kl(half_normal(1.2), half_cauchy(0.8), [0, 0.8, 1.2, 5, 20, inf]),
    "half_cauchy(1.5) || log_normal(0.3, 1.1)": kl(half_cauchy(1.5), log_normal(0.3, 1.1),
                                                 [0, mp.mpf("1e-8"), 0.01, 0.3, 1.5, 10, 1e3, 1e6, inf]),
    "logistic_normal([0.4], [0.8]) || logistic_normal([-0.3], [1.7])": kl_in_logit(
        0.4, 0.8, logistic_normal_1(-0.3, 1.7)),
    "logistic_normal([0.4], [0.8]) || dirichlet([2.5, 1.5])": kl_in_logit(0.4, 0.8, beta_in_logit(2.5, 1.5)),
    "normal(0.5, 1.3) || laplace(-0.2, 0.9)": kl(normal(0.5, 1.3), laplace(-0.2, 0.9), [-inf, -0.2, 0.5, inf]),
    "gamma(2, 3) || gamma(0.8, 1.1)": kl(gamma(2, 3), gamma(0.8, 1.1), [0, 0.1, 0.7, 5, inf]),
    "beta(2, 3) || beta(1.5, 1.5)": kl(beta(2, 3), beta(1.5, 1.5), [0, 0.4, 1]),
    "student_t(4) || normal(0, 1.5)": kl(student_t(4), normal(0, 1.5), [-inf, -5, 0, 5, inf]),
}
for name, value in cases.items():
    print(f'    {{"{name}", {mp.nstr(value, 20)}}},')
