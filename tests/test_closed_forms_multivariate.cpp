// Tests of the multivariate closed forms (src/distributions/closed_forms_multivariate.cpp) through
// the public kl_divergence: the nine Gaussian pairs against the textbook formula in long double
// (far apart) and its series in the whitened difference E (nearly equal), the three Gaussian
// representations of one distribution against each other, Dirichlet against Beta quadrature and
// the Fisher form, Multinomial against n × categorical, Wishart against Gamma (d = 1) and Monte
// Carlo (Bartlett sampler), and bad parameters.

#include <gtest/gtest.h>
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"

#include <algorithm>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

namespace kd = kldiv::distributions;
using ld = long double;
using vec = std::vector<double>;
constexpr double inf = std::numeric_limits<double>::infinity();

kd::kl_result kl(const kd::distribution& p, const kd::distribution& q) { return kd::kl_divergence(p, q); }

// D(P‖Q) by its closed form; fails the test if another method was used.
double closed(const kd::distribution& p, const kd::distribution& q) {
    const kd::kl_result r = kl(p, q);
    EXPECT_EQ(r.method, kd::kl_method::closed_form) << kd::to_spec(p) << " vs " << kd::to_spec(q);
    return r.value;
}

void expect_rel(double actual, double expected, double tolerance) {
    EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected)) << actual << " vs " << expected;
}

// ---- Gaussians in long double ----

struct ld_matrix {
    std::size_t n = 0;
    std::vector<ld> v;
    explicit ld_matrix(std::size_t size) : n(size), v(size * size, 0.0L) {}
    ld& operator()(std::size_t i, std::size_t j) { return v[i * n + j]; }
    ld operator()(std::size_t i, std::size_t j) const { return v[i * n + j]; }
};

ld_matrix covariance_ld(const kd::multivariate_normal& g) {
    const std::size_t d = g.dimension();
    ld_matrix s(d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k <= std::min(i, j); ++k)
                s(i, j) += static_cast<ld>(g.scale_tril(i, k)) * g.scale_tril(j, k);
    return s;
}

ld_matrix covariance_ld(const kd::lowrank_multivariate_normal& g) {
    const std::size_t d = g.dimension();
    ld_matrix s(d);
    for (std::size_t i = 0; i < d; ++i) {
        s(i, i) = g.cov_diag[i];
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k < g.cov_factor.cols; ++k)
                s(i, j) += static_cast<ld>(g.cov_factor(i, k)) * g.cov_factor(j, k);
    }
    return s;
}

ld_matrix covariance_ld(const kd::diagonal_normal& g) {
    ld_matrix s(g.dimension());
    for (std::size_t i = 0; i < g.dimension(); ++i) s(i, i) = static_cast<ld>(g.scale[i]) * g.scale[i];
    return s;
}

ld_matrix covariance_ld(const kd::distribution& d) {
    return std::visit(
        [](const auto& g) -> ld_matrix {
            if constexpr (requires { covariance_ld(g); })
                return covariance_ld(g);
            else
                throw std::logic_error("not a Gaussian");
        },
        d);
}

std::vector<ld> loc_ld(const kd::distribution& d) {
    return std::visit(
        [](const auto& g) -> std::vector<ld> {
            if constexpr (requires { g.loc.size(); })
                return {g.loc.begin(), g.loc.end()};
            else
                throw std::logic_error("not a Gaussian");
        },
        d);
}

ld_matrix cholesky(const ld_matrix& a) {
    ld_matrix l(a.n);
    for (std::size_t j = 0; j < a.n; ++j) {
        ld s = a(j, j);
        for (std::size_t k = 0; k < j; ++k) s -= l(j, k) * l(j, k);
        l(j, j) = std::sqrt(s);
        for (std::size_t i = j + 1; i < a.n; ++i) {
            ld t = a(i, j);
            for (std::size_t k = 0; k < j; ++k) t -= l(i, k) * l(j, k);
            l(i, j) = t / l(j, j);
        }
    }
    return l;
}

// L⁻¹ X by forward substitution, column by column.
ld_matrix solve_lower(const ld_matrix& l, const ld_matrix& x) {
    ld_matrix y(x.n);
    for (std::size_t c = 0; c < x.n; ++c)
        for (std::size_t i = 0; i < x.n; ++i) {
            ld s = x(i, c);
            for (std::size_t k = 0; k < i; ++k) s -= l(i, k) * y(k, c);
            y(i, c) = s / l(i, i);
        }
    return y;
}

ld_matrix transposed(const ld_matrix& a) {
    ld_matrix t(a.n);
    for (std::size_t i = 0; i < a.n; ++i)
        for (std::size_t j = 0; j < a.n; ++j) t(i, j) = a(j, i);
    return t;
}

// L⁻¹ S L⁻ᵀ for symmetric S.
ld_matrix whitened(const ld_matrix& l, const ld_matrix& s) { return solve_lower(l, transposed(solve_lower(l, s))); }

// δᵀ Σq⁻¹ δ with δ = μp − μq.
ld mahalanobis(const std::vector<ld>& mp, const std::vector<ld>& mq, const ld_matrix& lq) {
    ld total = 0.0L;
    std::vector<ld> y(mp.size());
    for (std::size_t i = 0; i < mp.size(); ++i) {
        ld s = mp[i] - mq[i];
        for (std::size_t k = 0; k < i; ++k) s -= lq(i, k) * y[k];
        y[i] = s / lq(i, i);
        total += y[i] * y[i];
    }
    return total;
}

// The textbook formula ½[tr(Σq⁻¹Σp) − d − ln det(Σq⁻¹Σp) + δᵀΣq⁻¹δ] in long double (for pairs far
// enough apart that its cancellation costs nothing at double precision).
double reference_far(const kd::distribution& p, const kd::distribution& q) {
    const ld_matrix sp = covariance_ld(p), lq = cholesky(covariance_ld(q)), lp = cholesky(sp);
    const ld_matrix m = whitened(lq, sp);
    ld trace = 0.0L, log_det = 0.0L;
    for (std::size_t i = 0; i < sp.n; ++i) {
        trace += m(i, i);
        log_det += 2.0L * (std::log(lp(i, i)) - std::log(lq(i, i)));
    }
    const auto d = static_cast<ld>(sp.n);
    return static_cast<double>(0.5L * (trace - d - log_det + mahalanobis(loc_ld(p), loc_ld(q), lq)));
}

// For nearly equal pairs: with E = Lq⁻¹(Σp − Σq)Lq⁻ᵀ (the difference formed exactly in long
// double), tr M − d − ln det M = tr(E²)/2 − tr(E³)/3 + tr(E⁴)/4 − …
double reference_near(const kd::distribution& p, const kd::distribution& q) {
    const ld_matrix sq = covariance_ld(q), lq = cholesky(sq);
    ld_matrix difference = covariance_ld(p);
    for (std::size_t i = 0; i < sq.v.size(); ++i) difference.v[i] -= sq.v[i];
    const ld_matrix e = whitened(lq, difference);
    const std::size_t d = e.n;
    ld_matrix power = e;  // E^k
    ld series = 0.0L;
    for (int k = 2; k <= 6; ++k) {
        ld_matrix next(d);
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j)
                for (std::size_t l = 0; l < d; ++l) next(i, j) += power(i, l) * e(l, j);
        power = next;
        ld trace = 0.0L;
        for (std::size_t i = 0; i < d; ++i) trace += power(i, i);
        series += (k % 2 == 0 ? trace : -trace) / k;
    }
    return static_cast<double>(0.5L * (series + mahalanobis(loc_ld(p), loc_ld(q), lq)));
}

// ---- random Gaussians ----

struct gaussian_parameters {
    vec loc;
    kd::matrix factor;  // W (d × r)
    vec diag;           // D
};

gaussian_parameters random_parameters(std::mt19937_64& rng, std::size_t d, std::size_t r) {
    std::normal_distribution<double> z(0.0, 1.0);
    std::uniform_real_distribution<double> u(0.3, 2.0);
    gaussian_parameters g{vec(d), kd::matrix(d, r), vec(d)};
    for (double& x : g.loc) x = z(rng);
    for (double& x : g.factor.values) x = 0.8 * z(rng);
    for (double& x : g.diag) x = u(rng);
    return g;
}

kd::matrix full_covariance(const gaussian_parameters& g) {
    const std::size_t d = g.loc.size();
    kd::matrix s(d, d);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            double t = i == j ? g.diag[i] : 0.0;
            for (std::size_t k = 0; k < g.factor.cols; ++k) t += g.factor(i, k) * g.factor(j, k);
            s(i, j) = t;
        }
    return s;
}

kd::distribution as_lowrank(const gaussian_parameters& g) {
    return kd::lowrank_multivariate_normal(g.loc, g.factor, g.diag);
}
kd::distribution as_full(const gaussian_parameters& g) {
    return kd::multivariate_normal::from_covariance(g.loc, full_covariance(g));
}
kd::distribution as_diagonal(const gaussian_parameters& g) {
    vec scale(g.diag.size());
    for (std::size_t i = 0; i < scale.size(); ++i) scale[i] = std::sqrt(g.diag[i]);
    return kd::diagonal_normal(g.loc, scale);
}

// ---- Gaussians ----

TEST(MultivariateClosedForms, EqualDistributionsGiveExactlyZero) {
    const char* specs[] = {
        "multivariate_normal([1, -2, 0.5], [[2, 0.3, 0.1], [0.3, 1, -0.2], [0.1, -0.2, 0.7]])",
        "lowrank_multivariate_normal([1, 2, 3], [[1, 0.5], [0.2, -1], [0.3, 0.3]], [0.5, 1, 2])",
        // Gave 1.3e-34: the filter formed g_p − g_q·ℓp/ℓq from rounded quantities.
        "lowrank_multivariate_normal([0.1, -0.3, 0.7, 1.1], [[0.31, -0.7], [1.3, 0.2], [0.3, 0.9], [-0.6, 0.45]], "
        "[0.3, 1.7, 0.9, 2.2])",
        "diagonal_normal([0.1, 0.2], [1.5, 0.25])",
        "dirichlet([0.3, 2, 7.5])",
        "multinomial(12, [0.1, 0.6, 0.3])",
        "multinomial(5, [0, 0.5, 0.5])",
        "wishart(4.5, [[2, 0.5, 0], [0.5, 1, 0.1], [0, 0.1, 3]])",
    };
    for (const char* spec : specs) {
        const kd::distribution d = kd::parse(spec);
        EXPECT_EQ(closed(d, d), 0.0) << spec;
    }
}

TEST(MultivariateClosedForms, TwoDimensionalFullCovarianceAgainstExplicitFormula) {
    // Σp = [[2, 0.6], [0.6, 1]], Σq = [[1, -0.3], [-0.3, 0.5]], μp = (1, -1), μq = (0, 0.5).
    const ld a = 2, b = 0.6L, c = 1, e = 1, f = -0.3L, g = 0.5L;
    const ld det_p = a * c - b * b, det_q = e * g - f * f;
    // Σq⁻¹ = [[g, −f], [−f, e]] / det_q
    const ld trace = (g * a - 2 * f * b + e * c) / det_q;
    const ld dx = 0 - 1, dy = 0.5L + 1;
    const ld maha = (g * dx * dx - 2 * f * dx * dy + e * dy * dy) / det_q;
    const auto expected = static_cast<double>(0.5L * (trace - 2 + std::log(det_q / det_p) + maha));
    const double value =
        closed(kd::parse("mvn([1, -1], [[2, 0.6], [0.6, 1]])"), kd::parse("mvn([0, 0.5], [[1, -0.3], [-0.3, 0.5]])"));
    expect_rel(value, expected, 1e-14);
}

TEST(MultivariateClosedForms, AllNinePairsAgainstLongDouble) {
    std::mt19937_64 rng(11);
    for (std::size_t d : {1, 2, 3, 6, 9}) {
        for (std::size_t r : {1, 2, 4}) {
            const gaussian_parameters gp = random_parameters(rng, d, r), gq = random_parameters(rng, d, r + 1);
            const kd::distribution ps[] = {as_full(gp), as_lowrank(gp), as_diagonal(gp)};
            const kd::distribution qs[] = {as_full(gq), as_lowrank(gq), as_diagonal(gq)};
            for (const auto& p : ps)
                for (const auto& q : qs) {
                    const double value = closed(p, q), expected = reference_far(p, q);
                    EXPECT_GT(value, 0.0);
                    expect_rel(value, expected, 1e-12);
                }
        }
    }
}

TEST(MultivariateClosedForms, LowRankAndFullRepresentationsAgree) {
    // lowrank(μ, W, D) and multivariate_normal(μ, W Wᵀ + D) are one distribution.
    std::mt19937_64 rng(12);
    for (int trial = 0; trial < 10; ++trial) {
        const gaussian_parameters gp = random_parameters(rng, 7, 3), gq = random_parameters(rng, 7, 2);
        const double full = closed(as_full(gp), as_full(gq));
        expect_rel(closed(as_lowrank(gp), as_lowrank(gq)), full, 1e-12);
        expect_rel(closed(as_full(gp), as_lowrank(gq)), full, 1e-12);
        expect_rel(closed(as_lowrank(gp), as_full(gq)), full, 1e-12);
    }
}

// W with one nonzero entry per column, in distinct rows, keeps W Wᵀ + D diagonal, so the
// distribution is at once a diagonal_normal, a multivariate_normal and a lowrank normal.
std::vector<kd::distribution> three_representations(const vec& loc, double w0, double w2, const vec& diag) {
    const kd::matrix factor(3, 2, {w0, 0, 0, 0, 0, w2});
    const vec variance{diag[0] + w0 * w0, diag[1], diag[2] + w2 * w2};
    kd::matrix covariance(3, 3);
    vec scale(3);
    for (std::size_t i = 0; i < 3; ++i) {
        covariance(i, i) = variance[i];
        scale[i] = std::sqrt(variance[i]);
    }
    return {kd::diagonal_normal(loc, scale), kd::multivariate_normal::from_covariance(loc, covariance),
            kd::lowrank_multivariate_normal(loc, factor, diag)};
}

TEST(MultivariateClosedForms, ThreeRepresentationsOfDiagonalCovarianceAgree) {
    const auto ps = three_representations({0.5, -1, 2}, 0.7, -1.3, {0.4, 2.5, 0.9});
    const auto qs = three_representations({0, 0.3, 1}, 1.1, 0.2, {1.2, 0.8, 0.6});
    const double expected = reference_far(ps[0], qs[0]);
    for (const auto& p : ps)
        for (const auto& q : qs) expect_rel(closed(p, q), expected, 1e-12);
}

TEST(MultivariateClosedForms, DiagonalIsTheSumOfUnivariateNormals) {
    const vec mp{0.5, -3, 2, 7}, sp{1, 0.1, 3, 1e-3}, mq{0, -2.5, 2, 7.001}, sq{2, 0.2, 3, 2e-3};
    ld expected = 0.0L;
    double via_normals = 0.0;
    for (std::size_t i = 0; i < mp.size(); ++i) {
        const ld ratio = static_cast<ld>(sp[i]) / sq[i], z = (static_cast<ld>(mp[i]) - mq[i]) / sq[i];
        expected += 0.5L * (ratio * ratio - 1 - 2 * std::log(ratio) + z * z);
        via_normals += kl(kd::normal(mp[i], sp[i]), kd::normal(mq[i], sq[i])).value;
    }
    const double value = closed(kd::diagonal_normal(mp, sp), kd::diagonal_normal(mq, sq));
    expect_rel(value, static_cast<double>(expected), 1e-14);
    expect_rel(value, via_normals, 1e-13);
}

// A relative perturbation of size t of every parameter.
double perturbed(double x, std::mt19937_64& rng, double t) {
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    return x * (1.0 + t * u(rng));
}

// Every pair of ps and qs, nearly equal, against reference_near; returns the worst relative error.
double check_nearly_equal(const std::vector<kd::distribution>& ps, const std::vector<kd::distribution>& qs) {
    double worst = 0.0;
    for (const auto& p : ps)
        for (const auto& q : qs) {
            const double value = closed(p, q), expected = reference_near(p, q);
            EXPECT_GT(expected, 0.0);
            EXPECT_GE(value, 0.0);
            const double error = std::fabs(value - expected) / expected;
            worst = std::max(worst, error);
            EXPECT_LE(error, 1e-5) << kd::to_spec(p) << " vs " << kd::to_spec(q) << ": " << value << " vs " << expected;
        }
    return worst;
}

TEST(MultivariateClosedForms, NearlyEqualGaussiansKeepTheirPrecision) {
    // Parameters perturbed by about 1e-9 relative: D is about 1e-18..1e-16, far below the
    // rounding noise (d·1e-16) of the textbook formula. Expected error: about d·κ·ε relative to
    // the parameter difference, i.e. ~1e-7 of D here; the issue asks for 1e-4.
    std::mt19937_64 rng(13);
    const double t = 1e-9;
    double worst = 0.0;
    for (std::size_t d : {2, 5, 8}) {
        const gaussian_parameters g = random_parameters(rng, d, 2);
        gaussian_parameters h = g;
        for (double& x : h.loc) x = perturbed(x, rng, t);
        for (double& x : h.factor.values) x = perturbed(x, rng, t);
        for (double& x : h.diag) x = perturbed(x, rng, t);
        // Q as a full normal given by scale_tril (exact parameters): P's factor, perturbed.
        const auto full_g = std::get<kd::multivariate_normal>(as_full(g));
        kd::matrix tril = full_g.scale_tril;
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j <= i; ++j) tril(i, j) = perturbed(tril(i, j), rng, t);
        worst =
            std::max(worst, check_nearly_equal({full_g, as_lowrank(g)},
                                               {kd::multivariate_normal::from_scale_tril(h.loc, tril), as_lowrank(h)}));
        worst = std::max(worst, check_nearly_equal({as_diagonal(g)}, {as_diagonal(h)}));
    }
    // Diagonal covariance, so that all nine pairs are nearly equal.
    const vec loc{0.5, -1, 2}, diag{0.4, 2.5, 0.9};
    vec loc_q = loc, diag_q = diag;
    for (double& x : loc_q) x = perturbed(x, rng, t);
    for (double& x : diag_q) x = perturbed(x, rng, t);
    worst = std::max(worst, check_nearly_equal(
                                three_representations(loc, 0.7, -1.3, diag),
                                three_representations(loc_q, perturbed(0.7, rng, t), perturbed(-1.3, rng, t), diag_q)));
    std::printf("nearly equal Gaussians: worst relative error %.2e\n", worst);
}

TEST(MultivariateClosedForms, LowRankCostsLinearTimeInTheDimension) {
    // d = 200000 (a dense factor would need 320 GB): Σ = D I + c² 1 1ᵀ has eigenvalue D + c²d
    // along 1 and D on its complement, so with δ = t·1:
    //   2D = f(ln λ1) + (d − 1) f(ln λ2) + t² d / (Dq + cq² d),  f(u) = e^u − 1 − u.
    const std::size_t d = 200000;
    const double dp = 1.5, cp = 0.3, dq = 0.8, cq = 0.5, t = 0.01;
    const auto p = kd::lowrank_multivariate_normal(vec(d, t), kd::matrix(d, 1, vec(d, cp)), vec(d, dp));
    const auto q = kd::lowrank_multivariate_normal(vec(d, 0.0), kd::matrix(d, 1, vec(d, cq)), vec(d, dq));
    const ld n = d, l1 = (dp + cp * cp * n) / (dq + cq * cq * n), l2 = static_cast<ld>(dp) / dq;
    const auto f = [](ld lambda) { return lambda - 1 - std::log(lambda); };
    const auto expected = static_cast<double>(0.5L * (f(l1) + (n - 1) * f(l2) + t * t * n / (dq + cq * cq * n)));
    expect_rel(closed(p, q), expected, 1e-11);
}

// ---- Dirichlet ----

// ln of the Beta(a, b) density.
double log_beta_pdf(double x, double a, double b) {
    return (a - 1) * std::log(x) + (b - 1) * std::log1p(-x) - (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
}

TEST(MultivariateClosedForms, DirichletOfTwoIsBetaByQuadrature) {
    const double cases[][4] = {{2, 3, 1.5, 1.2}, {1.3, 4, 5, 2}, {6, 1.5, 2.5, 2.5}, {3, 3, 3.1, 2.9}};
    boost::math::quadrature::tanh_sinh<double> integrator;
    for (const auto& c : cases) {
        const auto integrand = [&](double x) {
            const double lp = log_beta_pdf(x, c[0], c[1]);
            return std::exp(lp) * (lp - log_beta_pdf(x, c[2], c[3]));
        };
        const double expected = integrator.integrate(integrand, 0.0, 1.0, 1e-14);
        const std::string p = "dirichlet([" + std::to_string(c[0]) + ", " + std::to_string(c[1]) + "])";
        const std::string q = "dirichlet([" + std::to_string(c[2]) + ", " + std::to_string(c[3]) + "])";
        expect_rel(closed(kd::parse(p), kd::parse(q)), expected, 1e-10);
    }
}

TEST(MultivariateClosedForms, DirichletAgainstItsFormulaInLongDouble) {
    // ln Γ(α0) − ln Γ(β0) + Σ_k [ln Γ(β_k) − ln Γ(α_k) + (α_k − β_k)(ψ(α_k) − ψ(α0))] in long double,
    // whose cancellation costs at most ~1e-13 here: far apart (the direct branch), and β within
    // 0.3% … 15% of α (mostly the series branch, |β_k − α_k| ≤ α_k/10).
    std::mt19937_64 rng(14);
    std::uniform_real_distribution<double> u(0.2, 8.0), relative(0.003, 0.15);
    std::bernoulli_distribution sign;
    for (int trial = 0; trial < 40; ++trial) {
        vec a(5), b(5);
        for (std::size_t k = 0; k < 5; ++k) {
            a[k] = u(rng);
            b[k] = trial < 20 ? u(rng) : a[k] * (1 + (sign(rng) ? 1 : -1) * relative(rng));
        }
        ld a0 = 0, b0 = 0, sum = 0;
        for (std::size_t k = 0; k < 5; ++k) {
            a0 += a[k];
            b0 += b[k];
        }
        for (std::size_t k = 0; k < 5; ++k)
            sum += std::lgamma(static_cast<ld>(b[k])) - std::lgamma(static_cast<ld>(a[k])) +
                   (static_cast<ld>(a[k]) - b[k]) *
                       (boost::math::digamma(static_cast<ld>(a[k])) - boost::math::digamma(a0));
        const auto expected = static_cast<double>(std::lgamma(a0) - std::lgamma(b0) + sum);
        expect_rel(closed(kd::dirichlet(a), kd::dirichlet(b)), expected, 1e-12);
    }
}

TEST(MultivariateClosedForms, NearlyEqualDirichletsFollowTheFisherForm) {
    // D(Dir(α)‖Dir(α + h)) = ½ hᵀ F(α) h + O(h³), F = diag ψ'(α_k) − ψ'(α0) 1 1ᵀ; with |h|/α ~ 1e-9
    // the cubic term is ~1e-9 of D.
    std::mt19937_64 rng(15);
    std::uniform_real_distribution<double> u(0.05, 50.0);
    for (int trial = 0; trial < 10; ++trial) {
        vec a(4), b(4);
        for (std::size_t k = 0; k < 4; ++k) {
            a[k] = u(rng);
            b[k] = perturbed(a[k], rng, 1e-9);
        }
        double a0 = 0, h0 = 0, quadratic = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const double h = b[k] - a[k];
            a0 += a[k];
            h0 += h;
            quadratic += boost::math::trigamma(a[k]) * h * h;
        }
        const double expected = 0.5 * (quadratic - boost::math::trigamma(a0) * h0 * h0);
        const double value = closed(kd::dirichlet(a), kd::dirichlet(b));
        EXPECT_GE(value, 0.0);
        expect_rel(value, expected, 1e-6);
    }
}

// ---- Multinomial ----

TEST(MultivariateClosedForms, MultinomialIsTotalCountTimesCategorical) {
    const vec p{0.1, 0.2, 0.3, 0.4}, q{0.25, 0.25, 0.4, 0.1};
    ld categorical = 0.0L;
    for (std::size_t k = 0; k < p.size(); ++k)
        categorical += static_cast<ld>(p[k]) * std::log(static_cast<ld>(p[k]) / q[k]);
    for (std::uint64_t n : {1, 7, 1000}) {
        const double value = closed(kd::multinomial(n, p), kd::multinomial(n, q));
        expect_rel(value, static_cast<double>(n * categorical), 1e-14);
    }
}

TEST(MultivariateClosedForms, MultinomialZeros) {
    // 0·log 0 = 0 where p_k = 0; +∞ where q_k = 0 < p_k; nothing to lose with no draws.
    const double with_zero =
        closed(kd::parse("multinomial(3, [0, 0.5, 0.5])"), kd::parse("multinomial(3, [0.2, 0.4, 0.4])"));
    expect_rel(with_zero, 3 * std::log(0.5 / 0.4), 1e-14);
    const kd::kl_result missing =
        kl(kd::parse("multinomial(3, [0.2, 0.4, 0.4])"), kd::parse("multinomial(3, [0, 0.5, 0.5])"));
    EXPECT_EQ(missing.value, inf);
    EXPECT_EQ(missing.method, kd::kl_method::infinite_by_support);
    EXPECT_EQ(closed(kd::parse("multinomial(0, [0.2, 0.8])"), kd::parse("multinomial(0, [0.7, 0.3])")), 0.0);
    const kd::kl_result other_count =
        kl(kd::parse("multinomial(3, [0.5, 0.5])"), kd::parse("multinomial(4, [0.5, 0.5])"));
    EXPECT_EQ(other_count.value, inf);
    EXPECT_EQ(other_count.method, kd::kl_method::infinite_by_support);
}

// ---- Wishart ----

TEST(MultivariateClosedForms, WishartOfOneDimensionIsGamma) {
    // Wishart(ν, [[s]]) = Gamma(ν/2, rate 1/(2s)):
    // D = (ap − aq)ψ(ap) − ln Γ(ap) + ln Γ(aq) + aq ln(bp/bq) + ap (bq − bp)/bp.
    const double cases[][4] = {{3, 2, 5, 0.7}, {0.5, 1, 0.8, 1}, {10, 0.1, 2, 3}, {4, 1, 4, 1.5}};
    for (const auto& c : cases) {
        const ld ap = c[0] / 2, bp = 1 / (2.0L * c[1]), aq = c[2] / 2, bq = 1 / (2.0L * c[3]);
        const auto expected = static_cast<double>((ap - aq) * boost::math::digamma(ap) - std::lgamma(ap) +
                                                  std::lgamma(aq) + aq * std::log(bp / bq) + ap * (bq - bp) / bp);
        const kd::distribution p = kd::wishart::from_covariance(c[0], kd::matrix(1, 1, {c[1]}));
        const kd::distribution q = kd::wishart::from_covariance(c[2], kd::matrix(1, 1, {c[3]}));
        expect_rel(closed(p, q), expected, 1e-12);
    }
}

// ln of the Wishart density at X (all d × d, long double, small d).
ld wishart_log_pdf(const ld_matrix& x, double df, const ld_matrix& sigma) {
    const std::size_t d = x.n;
    const ld_matrix lx = cholesky(x), ls = cholesky(sigma), m = whitened(ls, x);
    ld log_det_x = 0, log_det_s = 0, trace = 0, log_multigamma = d * (d - 1) / 4.0L * std::log(std::acos(-1.0L));
    for (std::size_t i = 0; i < d; ++i) {
        log_det_x += 2 * std::log(lx(i, i));
        log_det_s += 2 * std::log(ls(i, i));
        trace += m(i, i);
        log_multigamma += std::lgamma(static_cast<ld>(df) / 2 - static_cast<ld>(i) / 2);
    }
    return (df - d - 1) / 2 * log_det_x - trace / 2 - df * d / 2 * std::log(2.0L) - df / 2 * log_det_s - log_multigamma;
}

// X = L A Aᵀ Lᵀ with A lower triangular, A_ii = √χ²(ν − i), A_ij ~ N(0, 1) below (Bartlett).
ld_matrix bartlett_sample(std::mt19937_64& rng, double df, const ld_matrix& l) {
    std::normal_distribution<double> z(0.0, 1.0);
    const std::size_t d = l.n;
    ld_matrix a(d), la(d), x(d);
    for (std::size_t i = 0; i < d; ++i) {
        a(i, i) = std::sqrt(std::chi_squared_distribution<double>(df - static_cast<double>(i))(rng));
        for (std::size_t j = 0; j < i; ++j) a(i, j) = z(rng);
    }
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k < d; ++k) la(i, j) += l(i, k) * a(k, j);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j)
            for (std::size_t k = 0; k < d; ++k) x(i, j) += la(i, k) * la(j, k);
    return x;
}

TEST(MultivariateClosedForms, WishartAgainstMonteCarlo) {
    struct pair {
        const char* p;
        const char* q;
    };
    const pair cases[] = {
        {"wishart(4, [[2, 0.5], [0.5, 1]])", "wishart(6.5, [[1, -0.2], [-0.2, 0.8]])"},
        {"wishart(3.5, [[1, 0.3, 0], [0.3, 2, 0.4], [0, 0.4, 1.5]])",
         "wishart(5, [[1.5, 0, 0.2], [0, 1, 0], [0.2, 0, 1]])"},
    };
    std::mt19937_64 rng(16);
    for (const auto& c : cases) {
        const kd::distribution p = kd::parse(c.p), q = kd::parse(c.q);
        const auto& wp = std::get<kd::wishart>(p);
        const auto& wq = std::get<kd::wishart>(q);
        ld_matrix lp(wp.dimension()), sp(wp.dimension()), sq(wp.dimension());
        const kd::matrix cp = wp.covariance(), cq = wq.covariance();
        for (std::size_t i = 0; i < lp.v.size(); ++i) {
            lp.v[i] = wp.scale_tril.values[i];
            sp.v[i] = cp.values[i];
            sq.v[i] = cq.values[i];
        }
        const int n = 200000;
        ld sum = 0, sum_squares = 0;
        for (int i = 0; i < n; ++i) {
            const ld_matrix x = bartlett_sample(rng, wp.df, lp);
            const ld r = wishart_log_pdf(x, wp.df, sp) - wishart_log_pdf(x, wq.df, sq);
            sum += r;
            sum_squares += r * r;
        }
        const ld mean = sum / n, standard_error = std::sqrt((sum_squares / n - mean * mean) / (n - 1));
        const double value = closed(p, q);
        std::printf("%s: closed form %.6f, Monte Carlo %.6f +- %.6f\n", c.p, value, static_cast<double>(mean),
                    static_cast<double>(standard_error));
        EXPECT_LE(std::fabs(value - static_cast<double>(mean)), 4 * static_cast<double>(standard_error))
            << c.p << ": " << value << " vs Monte Carlo " << static_cast<double>(mean) << " ± "
            << static_cast<double>(standard_error);
    }
}

TEST(MultivariateClosedForms, NearlyEqualWishartsAreQuadratic) {
    // D(P‖Q_t) = c t² + O(t³) for Q_t a perturbation of P by t: halving t quarters D. At t ~ 1e-9
    // the textbook formula gives only rounding noise.
    const kd::matrix tril(3, 3, {1.5, 0, 0, 0.3, 0.9, 0, -0.2, 0.4, 1.1});
    const auto p = kd::wishart::from_scale_tril(4.5, tril);
    const auto q_at = [&](double t) {
        kd::matrix changed = tril;
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j <= i; ++j) changed(i, j) += t * static_cast<double>(i + 2 * j + 1);
        return kd::wishart::from_scale_tril(4.5 * (1 + t), changed);
    };
    const double d1 = closed(p, q_at(2e-9)), d2 = closed(p, q_at(1e-9));
    EXPECT_GT(d2, 0.0);
    expect_rel(d1 / d2, 4.0, 1e-5);
}

// ---- bad input ----

TEST(MultivariateClosedForms, BadParametersAreErrors) {
    const char* bad[] = {
        "mvn([0, 0], [[1, 2], [2, 1]])",                                 // not positive definite
        "mvn([0, 0], [[1, 0.5], [0.4, 1]])",                             // not symmetric
        "mvn([0, 0], [[1, 0], [0, 1], [0, 0]])",                         // not square
        "mvn([0, 0, 0], [[1, 0], [0, 1]])",                              // loc and matrix disagree
        "mvn([0, 0], scale_tril=[[1, 0.5], [0, 1]])",                    // not lower triangular
        "lowrank_multivariate_normal([0, 0], [[1], [1], [1]], [1, 1])",  // W has 3 rows
        "lowrank_multivariate_normal([0, 0], [[1], [1]], [1, 0])",       // D not > 0
        "diagonal_normal([0, 0], [1])",
        "diagonal_normal([0, 0], [1, -1])",
        "wishart(1, [[1, 0], [0, 1]])",  // df ≤ d − 1
        "wishart(3, [[1, 1.5], [1.5, 1]])",
        "dirichlet([1])",
        "dirichlet([1, 0])",
        "multinomial(-1, [0.5, 0.5])",
    };
    for (const char* spec : bad) EXPECT_THROW(kd::parse(spec), kldiv::error) << spec;
    EXPECT_THROW(kl(kd::parse("mvn([0, 0], [[1, 0], [0, 1]])"), kd::parse("diagonal_normal([0, 0, 0], [1, 1, 1])")),
                 kldiv::error);
    EXPECT_THROW(kl(kd::parse("dirichlet([1, 2])"), kd::parse("dirichlet([1, 2, 3])")), kldiv::error);
}

TEST(MultivariateClosedForms, PairsAreListed) {
    const auto pairs = kd::closed_form_pairs();
    const auto listed = [&](std::string_view p, std::string_view q) {
        return std::any_of(pairs.begin(), pairs.end(), [&](const kd::family_pair& f) { return f.p == p && f.q == q; });
    };
    for (std::string_view p : {"multivariate_normal", "lowrank_multivariate_normal", "diagonal_normal"})
        for (std::string_view q : {"multivariate_normal", "lowrank_multivariate_normal", "diagonal_normal"})
            EXPECT_TRUE(listed(p, q)) << p << ", " << q;
    for (std::string_view f : {"dirichlet", "multinomial", "wishart", "logistic_normal"})
        EXPECT_TRUE(listed(f, f)) << f;
}

}  // namespace
