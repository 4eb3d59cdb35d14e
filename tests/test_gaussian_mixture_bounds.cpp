// Tests of include/kldiv/distributions/gaussian_mixture_bounds.hpp: single Gaussians (where the
// variational approximation and the upper bound are the closed form), the bounds against the true
// divergence (1-D: Gauss–Kronrod quadrature; 2-D: Monte Carlo with this file's own sampler), the
// upper bound against the convexity bound, and the accepted inputs.

#include <gtest/gtest.h>
#include "kldiv/distributions/gaussian_mixture_bounds.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <vector>

namespace {

namespace kd = kldiv::distributions;
using vec = std::vector<double>;

void expect_rel(double actual, double expected, double tolerance) {
    EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected)) << actual << " vs " << expected;
}

// A 2-D Gaussian component: weight, mean, lower factor (l11, l21, l22).
struct component {
    double weight;
    double m1, m2;
    double l11, l21, l22;
};

using mixture2 = std::vector<component>;

kd::gaussian_mixture as_mixture(const mixture2& m, std::size_t d) {
    vec w;
    std::vector<kd::multivariate_normal> c;
    for (const component& k : m) {
        w.push_back(k.weight);
        if (d == 1)
            c.push_back(kd::multivariate_normal::from_scale_tril({k.m1}, kd::matrix(1, 1, {k.l11})));
        else
            c.push_back(
                kd::multivariate_normal::from_scale_tril({k.m1, k.m2}, kd::matrix(2, 2, {k.l11, 0, k.l21, k.l22})));
    }
    return {w, c};
}

double total_weight(const mixture2& m) {
    double s = 0;
    for (const component& k : m) s += k.weight;
    return s;
}

// ln of the mixture density at (x1, x2) (d = 1 uses x1 only).
double log_density(const mixture2& m, std::size_t d, double x1, double x2) {
    std::vector<double> terms;
    for (const component& k : m) {
        const double z1 = (x1 - k.m1) / k.l11;
        if (d == 1) {
            terms.push_back(std::log(k.weight) - 0.5 * z1 * z1 - std::log(k.l11) -
                            0.5 * std::log(2 * std::numbers::pi));
        } else {
            const double z2 = (x2 - k.m2 - k.l21 * z1) / k.l22;
            terms.push_back(std::log(k.weight) - 0.5 * (z1 * z1 + z2 * z2) - std::log(k.l11 * k.l22) -
                            std::log(2 * std::numbers::pi));
        }
    }
    const double top = *std::max_element(terms.begin(), terms.end());
    double s = 0;
    for (double t : terms) s += std::exp(t - top);
    return top + std::log(s) - std::log(total_weight(m));
}

// D(f‖g) in 1-D by 61-point Gauss–Kronrod on pieces a quarter of the narrowest standard
// deviation wide, covering f's mass (±40 standard deviations); checks the rule's error estimate.
double quadrature_1d(const mixture2& f, const mixture2& g) {
    double low = 1e300, high = -1e300, narrowest = 1e300;
    for (const component& k : f) {
        low = std::min(low, k.m1 - 40 * k.l11);
        high = std::max(high, k.m1 + 40 * k.l11);
    }
    for (const mixture2* m : {&f, &g})
        for (const component& k : *m) narrowest = std::min(narrowest, k.l11);
    const auto integrand = [&](double x) {
        const double lf = log_density(f, 1, x, 0);
        return std::exp(lf) * (lf - log_density(g, 1, x, 0));
    };
    const int pieces = static_cast<int>(std::ceil((high - low) / (0.25 * narrowest)));
    double sum = 0, error_sum = 0;
    for (int i = 0; i < pieces; ++i) {
        const double a = low + (high - low) * i / pieces, b = low + (high - low) * (i + 1) / pieces;
        double error = 0;
        sum += boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, a, b, 0, 0.0, &error);
        error_sum += error;
    }
    EXPECT_LT(error_sum, 1e-12 * std::max(1.0, std::fabs(sum)));
    return sum;
}

struct estimate {
    double mean, standard_error;
};

// D(f‖g) in 2-D by Monte Carlo over n samples of f.
estimate monte_carlo_2d(const mixture2& f, const mixture2& g, std::mt19937_64& rng, int n) {
    std::vector<double> w;
    for (const component& k : f) w.push_back(k.weight);
    std::discrete_distribution<std::size_t> pick(w.begin(), w.end());
    std::normal_distribution<double> z(0.0, 1.0);
    double sum = 0, sum_squares = 0;
    for (int i = 0; i < n; ++i) {
        const component& k = f[pick(rng)];
        const double z1 = z(rng), z2 = z(rng);
        const double x1 = k.m1 + k.l11 * z1, x2 = k.m2 + k.l21 * z1 + k.l22 * z2;
        const double r = log_density(f, 2, x1, x2) - log_density(g, 2, x1, x2);
        sum += r;
        sum_squares += r * r;
    }
    const double mean = sum / n;
    return {mean, std::sqrt((sum_squares / n - mean * mean) / (n - 1))};
}

// A random mixture of k components; `spread` scales the distances between the means.
mixture2 random_mixture(std::mt19937_64& rng, int k, double spread) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> z(0.0, 1.0);
    mixture2 m;
    for (int i = 0; i < k; ++i)
        m.push_back({0.2 + u(rng), spread * z(rng), spread * z(rng), 0.4 + u(rng), 0.5 * z(rng), 0.4 + u(rng)});
    return m;
}

// Σ_ab π_a ω_b D(f_a‖g_b), the convexity bound.
double convexity_bound(const kd::gaussian_mixture& f, const kd::gaussian_mixture& g) {
    double s = 0;
    for (std::size_t a = 0; a < f.components.size(); ++a)
        for (std::size_t b = 0; b < g.components.size(); ++b)
            s += f.weights[a] * g.weights[b] * kd::kl_divergence(f.components[a], g.components[b]).value;
    return s;
}

void check_bounds(const kd::gaussian_mixture_estimates& e, const kd::gaussian_mixture& f, const kd::gaussian_mixture& g,
                  double truth, double tolerance) {
    EXPECT_GE(e.upper_bound, truth - tolerance);
    EXPECT_LE(e.lower_bound, truth + tolerance);
    EXPECT_GE(e.lower_bound, 0.0);
    EXPECT_LE(e.upper_bound, convexity_bound(f, g) * (1 + 1e-12));
}

TEST(GaussianMixtureBounds, SingleGaussiansGiveTheClosedForm) {
    const char* pairs[][2] = {
        {"normal(0.5, 2)", "normal(-1, 0.7)"},
        {"mvn([1, 0], [[2, 0.5], [0.5, 1]])", "mvn([0, 0.5], [[1, -0.3], [-0.3, 0.5]])"},
        {"mixture([1], [mvn([1, 0, 2], [[2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 3]])])",
         "diagonal_normal([0, 0, 1], [1, 2, 0.5])"},
    };
    for (const auto& pair : pairs) {
        const kd::distribution p = kd::parse(pair[0]), q = kd::parse(pair[1]);
        const auto e = kd::gaussian_mixture_kl_estimates(p, q);
        // Closed form of the single pair, through kl_divergence on Gaussians.
        const auto single = [](const kd::distribution& d) -> kd::distribution {
            if (const auto* m = std::get_if<kd::gaussian_mixture>(&d)) return m->components.front();
            return d;
        };
        const double exact = kd::kl_divergence(single(p), single(q)).value;
        expect_rel(e.variational, exact, 1e-12);
        expect_rel(e.upper_bound, exact, 1e-12);
        EXPECT_LE(e.lower_bound, exact);
    }
    // The product approximation of single Gaussians: ln N(0; 0, 2Σp) − ln N(μp; μq, Σp + Σq).
    const auto e = kd::gaussian_mixture_kl_estimates(kd::parse("normal(0.5, 2)"), kd::parse("normal(-1, 0.7)"));
    const double vp = 4, vq = 0.49, dm = 1.5;
    const double expected = -0.5 * std::log(2 * std::numbers::pi * 2 * vp) +
                            0.5 * (std::log(2 * std::numbers::pi * (vp + vq)) + dm * dm / (vp + vq));
    expect_rel(e.product, expected, 1e-13);
}

TEST(GaussianMixtureBounds, OneDimensionAgainstQuadrature) {
    std::mt19937_64 rng(21);
    std::printf("%-12s %12s %12s %12s %12s %12s\n", "1-D case", "truth", "variational", "product", "upper", "lower");
    for (double spread : {0.3, 1.0, 3.0, 10.0}) {
        for (int trial = 0; trial < 3; ++trial) {
            const mixture2 fm = random_mixture(rng, 1 + trial, spread), gm = random_mixture(rng, 3 - trial, spread);
            const kd::gaussian_mixture f = as_mixture(fm, 1), g = as_mixture(gm, 1);
            const double truth = quadrature_1d(fm, gm);
            const auto e = kd::gaussian_mixture_kl_estimates(f, g);
            std::printf("spread %-5g %12.6g %12.6g %12.6g %12.6g %12.6g\n", spread, truth, e.variational, e.product,
                        e.upper_bound, e.lower_bound);
            check_bounds(e, f, g, truth, 1e-10 * std::max(1.0, truth));
        }
    }
}

TEST(GaussianMixtureBounds, TwoDimensionsAgainstMonteCarlo) {
    std::mt19937_64 rng(22);
    std::printf("%-12s %12s %10s %12s %12s %12s %12s\n", "2-D case", "truth", "+-", "variational", "product", "upper",
                "lower");
    for (double spread : {0.3, 1.0, 4.0}) {
        for (int trial = 0; trial < 2; ++trial) {
            const mixture2 fm = random_mixture(rng, 2 + trial, spread), gm = random_mixture(rng, 3, spread);
            const kd::gaussian_mixture f = as_mixture(fm, 2), g = as_mixture(gm, 2);
            const estimate truth = monte_carlo_2d(fm, gm, rng, 400000);
            const auto e = kd::gaussian_mixture_kl_estimates(f, g);
            std::printf("spread %-5g %12.6g %10.2g %12.6g %12.6g %12.6g %12.6g\n", spread, truth.mean,
                        truth.standard_error, e.variational, e.product, e.upper_bound, e.lower_bound);
            check_bounds(e, f, g, truth.mean, 4 * truth.standard_error);
        }
    }
}

TEST(GaussianMixtureBounds, WellSeparatedComponentsMakeTheVariationalApproximationExact) {
    // Components 60 standard deviations apart, the same arrangement in f and g: D is then the
    // divergence of the weights plus the weighted component divergences, which is what D_var
    // gives (up to terms of order e^(−60²/8)).
    const kd::distribution f = kd::parse("mixture([0.2, 0.8], [normal(0, 1), normal(60, 1)])");
    const kd::distribution g = kd::parse("mixture([0.5, 0.5], [normal(0.5, 1.5), normal(60, 0.8)])");
    const double expected = 0.2 * std::log(0.2 / 0.5) + 0.8 * std::log(0.8 / 0.5) +
                            0.2 * kd::kl_divergence(kd::parse("normal(0, 1)"), kd::parse("normal(0.5, 1.5)")).value +
                            0.8 * kd::kl_divergence(kd::parse("normal(60, 1)"), kd::parse("normal(60, 0.8)")).value;
    const auto e = kd::gaussian_mixture_kl_estimates(f, g);
    expect_rel(e.variational, expected, 1e-12);
    expect_rel(e.upper_bound, expected, 1e-9);
}

TEST(GaussianMixtureBounds, UnivariateNormalMixturesAreOneDimensionalGaussianMixtures) {
    const auto a = kd::gaussian_mixture_kl_estimates(kd::parse("mixture([0.3, 0.7], [normal(0, 1), normal(2, 0.5)])"),
                                                     kd::parse("normal(1, 1.5)"));
    const auto b = kd::gaussian_mixture_kl_estimates(
        kd::parse("mixture([0.3, 0.7], [mvn([0], [[1]]), mvn([2], [[0.25]])])"), kd::parse("mvn([1], [[2.25]])"));
    expect_rel(a.variational, b.variational, 1e-14);
    expect_rel(a.product, b.product, 1e-14);
    expect_rel(a.upper_bound, b.upper_bound, 1e-14);
    EXPECT_NEAR(a.lower_bound, b.lower_bound, 1e-14);
}

TEST(GaussianMixtureBounds, OtherFamiliesAndDimensionsAreErrors) {
    EXPECT_THROW(kd::gaussian_mixture_kl_estimates(kd::parse("mixture([0.5, 0.5], [normal(0, 1), laplace(0, 1)])"),
                                                   kd::parse("normal(0, 1)")),
                 kldiv::error);
    EXPECT_THROW(kd::gaussian_mixture_kl_estimates(kd::parse("gamma(2, 1)"), kd::parse("normal(0, 1)")), kldiv::error);
    EXPECT_THROW(
        kd::gaussian_mixture_kl_estimates(kd::parse("normal(0, 1)"), kd::parse("mvn([0, 0], [[1, 0], [0, 1]])")),
        kldiv::error);
}

}  // namespace
