// Tests of the pieces under the numerical KL methods: the log densities
// (src/distributions/log_density.hpp) integrate or sum to 1 and agree with Boost.Math's pdfs, the
// distribution functions (cdf.hpp) agree with the densities, and the samplers (sampling.hpp) give
// each family's mean and variance within 5 standard errors (quantiles for the heavy tails), the
// same points for the same stream.

#include <gtest/gtest.h>
#include "kldiv/distributions/spec.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include <boost/math/distributions.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/bessel.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "src/common/random_stream.hpp"
#include "src/distributions/cdf.hpp"
#include "src/distributions/line_components.hpp"
#include "src/distributions/log_density.hpp"
#include "src/distributions/sampling.hpp"
#include "src/distributions/support.hpp"

namespace {

namespace kd = kldiv::distributions;
namespace kdd = kldiv::distributions::detail;
constexpr double pi = std::numbers::pi;
const double euler_gamma = 0.57721566490153286061;

const std::vector<std::string> continuous_families = {"normal(1, 2)",
                                                      "half_normal(2)",
                                                      "log_normal(0.5, 0.7)",
                                                      "laplace(1, 2)",
                                                      "cauchy(1, 2)",
                                                      "gumbel(1, 2)",
                                                      "logistic(1, 2)",
                                                      "exponential(2)",
                                                      "gamma(0.5, 2)",
                                                      "gamma(3, 2)",
                                                      "inverse_gamma(5, 2)",
                                                      "chi2(3)",
                                                      "beta(0.5, 0.5)",
                                                      "beta(2, 5)",
                                                      "continuous_bernoulli(0.3)",
                                                      "continuous_bernoulli(0.5)",
                                                      "uniform(-1, 3)",
                                                      "pareto(1, 5)",
                                                      "weibull(1.5, 2)",
                                                      "student_t(10, 1, 2)",
                                                      "von_mises(1, 2)",
                                                      "mixture([0.3, 0.7], [normal(0, 1), gamma(2, 1)])"};
const std::vector<std::string> discrete_families = {"bernoulli(0.3)",
                                                    "binomial(10, 0.3)",
                                                    "binomial(1000, 0.7)",
                                                    "categorical([0.2, 0.5, 0.3])",
                                                    "geometric(0.3)",
                                                    "poisson(4)",
                                                    "poisson(50)",
                                                    "negative_binomial(3.5, 0.4)",
                                                    "negative_binomial(0.5, 0.8)",
                                                    "mixture([0.5, 0.5], [poisson(3), binomial(4, 0.5)])"};

TEST(LogDensity, ContinuousIntegratesToOne) {
    boost::math::quadrature::tanh_sinh<double> finite;
    boost::math::quadrature::exp_sinh<double> ray;
    for (const auto& spec : continuous_families) {
        SCOPED_TRACE(spec);
        const kd::distribution d = kd::parse(spec);
        const kdd::line_density lp(d);
        kdd::support s = kdd::support_of(d);
        if (s.kind == kdd::space::circle) s = {kdd::space::reals, 1.0 - pi, 1.0 + pi};
        // Pieces between the support's ends, 0 and 1 (the mixture's kink is at 0); beta needs ln(1 − x)
        // exactly near 1, which tanh-sinh gives as the distance to the piece's end.
        std::vector<double> cuts{s.low, s.high};
        for (const double c : {0.0, 1.0})
            if (c > s.low && c < s.high) cuts.insert(cuts.end() - 1, c);
        double total = 0.0;
        for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
            const double a = cuts[i], b = cuts[i + 1];
            if (std::isinf(a) || std::isinf(b)) {
                total += ray.integrate([&](double x) { return std::exp(lp(kdd::at(x))); }, a, b, 1e-12);
            } else {
                total += finite.integrate(
                    [&](double x, double xc) {
                        return std::exp(
                            lp(kdd::real_point{x, std::log(x), std::log(xc > 0 ? (1.0 - b) + xc : (1.0 - a) + xc)}));
                    },
                    a, b, 1e-12);
            }
        }
        EXPECT_NEAR(total, 1.0, 1e-10);
    }
}

TEST(LogDensity, DiscreteSumsToOne) {
    for (const auto& spec : discrete_families) {
        SCOPED_TRACE(spec);
        const kdd::line_density lp(kd::parse(spec));
        double total = 0.0;
        for (double k = 0; k < 5000; ++k) total += std::exp(lp(kdd::at(k)));
        EXPECT_NEAR(total, 1.0, 1e-12);  // ln n! by lgamma: about 1e-16 · ln(1000!) for binomial(1000, ·)
        EXPECT_EQ(lp(kdd::at(-1.0)), -std::numeric_limits<double>::infinity());
        EXPECT_EQ(lp(kdd::at(0.5)), -std::numeric_limits<double>::infinity());
    }
}

// Against Boost.Math's pdfs (an independent implementation) at points across each support.
TEST(LogDensity, MatchesBoostPdfs) {
    namespace bm = boost::math;
    struct family {
        std::string spec;
        std::function<double(double)> pdf;
        std::vector<double> points;
    };
    const std::vector<family> families = {
        {"normal(1, 2)", [](double x) { return bm::pdf(bm::normal(1, 2), x); }, {-5, 0, 1, 7}},
        {"log_normal(0.5, 0.7)", [](double x) { return bm::pdf(bm::lognormal(0.5, 0.7), x); }, {0.1, 1, 4}},
        {"laplace(1, 2)", [](double x) { return bm::pdf(bm::laplace(1, 2), x); }, {-5, 1, 3}},
        {"cauchy(1, 2)", [](double x) { return bm::pdf(bm::cauchy(1, 2), x); }, {-50, 1, 3}},
        {"gumbel(1, 2)", [](double x) { return bm::pdf(bm::extreme_value(1, 2), x); }, {-3, 1, 9}},
        {"logistic(1, 2)", [](double x) { return bm::pdf(bm::logistic(1, 2), x); }, {-9, 1, 4}},
        {"gamma(0.5, 2)", [](double x) { return bm::pdf(bm::gamma_distribution<>(0.5, 0.5), x); }, {1e-5, 0.3, 4}},
        {"inverse_gamma(5, 2)", [](double x) { return bm::pdf(bm::inverse_gamma(5, 2), x); }, {0.1, 0.5, 3}},
        {"chi2(3)", [](double x) { return bm::pdf(bm::chi_squared(3), x); }, {0.1, 3, 12}},
        {"beta(2, 5)", [](double x) { return bm::pdf(bm::beta_distribution<>(2, 5), x); }, {0.01, 0.3, 0.9}},
        {"pareto(1, 5)", [](double x) { return bm::pdf(bm::pareto(1, 5), x); }, {1, 1.5, 4}},
        {"weibull(1.5, 2)", [](double x) { return bm::pdf(bm::weibull(2, 1.5), x); }, {0.1, 1.5, 4}},
        {"student_t(10, 1, 2)", [](double x) { return bm::pdf(bm::students_t(10), (x - 1) / 2) / 2; }, {-9, 1, 4}},
        {"binomial(10, 0.3)", [](double x) { return bm::pdf(bm::binomial(10, 0.3), x); }, {0, 3, 10}},
        {"poisson(4)", [](double x) { return bm::pdf(bm::poisson(4), x); }, {0, 4, 20}},
        {"geometric(0.3)", [](double x) { return bm::pdf(bm::geometric(0.3), x); }, {0, 4, 20}},
        {"negative_binomial(3.5, 0.4)",
         [](double x) { return bm::pdf(bm::negative_binomial(3.5, 0.6), x); },
         {0, 4, 20}},
        {"von_mises(1, 2)",
         [](double x) { return std::exp(2 * std::cos(x - 1)) / (2 * pi * bm::cyl_bessel_i(0, 2.0)); },
         {-2, 1, 3}},
        {"von_mises(0, 800)",  // I0(800) ≈ 1e346 overflows a double: the reference in long double
         [](double x) {
             return static_cast<double>(std::exp(800.0L * std::cos(static_cast<long double>(x))) /
                                        (2 * std::numbers::pi_v<long double> * bm::cyl_bessel_i(0, 800.0L)));
         },
         {0, 0.01, 0.05}},
    };
    for (const auto& f : families) {
        SCOPED_TRACE(f.spec);
        const kdd::line_density lp(kd::parse(f.spec));
        for (const double x : f.points) EXPECT_NEAR(std::exp(lp(kdd::at(x))) / f.pdf(x), 1.0, 1e-12) << "x = " << x;
    }
}

TEST(LogDensity, Multivariate) {
    const auto at = [](const std::string& spec, std::vector<double> x) {
        return kdd::log_density_function(kd::parse(spec))(x);
    };
    // N(μ, Σ) at μ: −(d/2) ln 2π − ½ ln|Σ|, |Σ| = 2·1·1.5 − … (det of [[2, .5, 0], [.5, 1, 0], [0, 0, 1.5]] = 2.625).
    const double log_det = std::log(2.625);
    const std::string mvn = "multivariate_normal([1, 2, 3], [[2, 0.5, 0], [0.5, 1, 0], [0, 0, 1.5]])";
    EXPECT_NEAR(at(mvn, {1, 2, 3}), -1.5 * std::log(2 * pi) - 0.5 * log_det, 1e-14);
    // One step along the first axis: −½ eᵀ Σ⁻¹ e = −½ (Σ⁻¹)_11 = −½ · 1/1.75.
    EXPECT_NEAR(at(mvn, {2, 2, 3}) - at(mvn, {1, 2, 3}), -0.5 / 1.75, 1e-14);
    EXPECT_NEAR(at("diagonal_normal([0, 1], [1, 2])", {1, 1}), -std::log(2 * pi) - std::log(2.0) - 0.5, 1e-14);
    EXPECT_NEAR(at("lowrank_multivariate_normal([0, 0], [[1], [1]], [1, 1])", {0, 0}),
                -std::log(2 * pi) - 0.5 * std::log(3.0), 1e-14);  // Σ = [[2, 1], [1, 2]]
    EXPECT_NEAR(at("mixture([0.25, 0.75], [multivariate_normal([0], [[1]]), multivariate_normal([2], [[4]])])", {1}),
                std::log(0.25 * std::exp(-0.5) / std::sqrt(2 * pi) + 0.75 * std::exp(-0.125) / std::sqrt(8 * pi)),
                1e-14);
    // Dirichlet([2, 3, 5]) at x = (0.2, 0.3, 0.5), the point given as ln x.
    const double dirichlet = boost::math::lgamma(10.0) - boost::math::lgamma(2.0) - boost::math::lgamma(3.0) -
                             boost::math::lgamma(5.0) + std::log(0.2) + 2 * std::log(0.3) + 4 * std::log(0.5);
    EXPECT_NEAR(at("dirichlet([2, 3, 5])", {std::log(0.2), std::log(0.3), std::log(0.5)}), dirichlet, 1e-13);
    // Wishart(ν = 5, Σ = I₂) at X = diag(4, 1) (point: its Cholesky factor diag(2, 1)):
    // (ν−3)/2 ln|X| − tr X/2 − ν ln 2 − ln Γ₂(5/2), ln Γ₂(a) = ½ ln π + ln Γ(a) + ln Γ(a − ½).
    const double wishart = std::log(4.0) - 2.5 - 5 * std::log(2.0) -
                           (0.5 * std::log(pi) + boost::math::lgamma(2.5) + boost::math::lgamma(2.0));
    EXPECT_NEAR(at("wishart(5, [[1, 0], [0, 1]])", {2, 0, 0, 1}), wishart, 1e-13);
    // Multinomial(5, [0.2, 0.3, 0.5]) sums to 1 over the count vectors.
    const auto multinomial = kdd::log_density_function(kd::parse("multinomial(5, [0.2, 0.3, 0.5])"));
    double total = 0.0;
    for (double a = 0; a <= 5; ++a)
        for (double b = 0; a + b <= 5; ++b) total += std::exp(multinomial(std::vector<double>{a, b, 5 - a - b}));
    EXPECT_NEAR(total, 1.0, 1e-14);
    EXPECT_EQ(multinomial(std::vector<double>{1, 1, 1}), -std::numeric_limits<double>::infinity());
}

TEST(DistributionFunction, AgreesWithTheDensity) {
    for (const auto& spec : continuous_families) {
        const kd::distribution d = kd::parse(spec);
        if (kdd::support_of(d).kind == kdd::space::circle) continue;
        SCOPED_TRACE(spec);
        const auto components = kdd::line_components(d);
        const double x = kdd::quantile(components.front().component, 0.3, false);
        const double below = kdd::mass_below(d, x), above = kdd::mass_above(d, x);
        EXPECT_NEAR(below + above, 1.0, 1e-14);
        if (components.size() == 1) {
            EXPECT_NEAR(below, 0.3, 1e-12);
            const double far = kdd::quantile(components.front().component, 1e-20, true);
            if (far < kdd::support_of(d).high) {
                EXPECT_NEAR(kdd::mass_above(d, far), 1e-20, 1e-29);  // the tail keeps its digits
            }
        }
    }
    // Discrete: P(X < k) + P(X = k) + P(X > k) = 1.
    for (const auto& spec : discrete_families) {
        SCOPED_TRACE(spec);
        const kd::distribution d = kd::parse(spec);
        const kdd::line_density lp(d);
        EXPECT_NEAR(kdd::mass_below(d, 3) + std::exp(lp(kdd::at(3))) + kdd::mass_above(d, 3), 1.0, 1e-14);
    }
    // Q's mass outside P's support, gaps included.
    EXPECT_NEAR(kdd::mass_outside_support(kd::parse("uniform(0, 4)"),
                                          kd::parse("mixture([0.5, 0.5], [uniform(0, 1), uniform(2, 3)])")),
                0.5, 1e-15);
    EXPECT_NEAR(kdd::mass_outside_support(kd::parse("categorical([0.1, 0.2, 0.3, 0.4])"),
                                          kd::parse("categorical([0.5, 0, 0.5, 0])")),
                0.6, 1e-15);
    EXPECT_NEAR(kdd::mass_outside_support(kd::parse("multinomial(3, [0.2, 0.3, 0.5])"),
                                          kd::parse("multinomial(3, [0.5, 0.5, 0])")),
                1.0 - 0.125, 1e-15);
}

// Sample moments of a statistic y = g(point) within 5 standard errors of their true values.
struct moments_check {
    double mean, variance;
};

void expect_moments(const std::vector<double>& y, moments_check truth) {
    const double n = static_cast<double>(y.size());
    double m = 0.0;
    for (const double v : y) m += v;
    m /= n;
    double m2 = 0.0, m4 = 0.0;
    for (const double v : y) {
        const double d = (v - m) * (v - m);
        m2 += d;
        m4 += d * d;
    }
    m2 /= n - 1.0;
    m4 /= n;
    EXPECT_NEAR(m, truth.mean, 5.0 * std::sqrt(truth.variance / n));
    EXPECT_NEAR(m2, truth.variance, 5.0 * std::sqrt((m4 - m2 * m2) / n));
}

std::vector<std::vector<double>> draw(const std::string& spec, std::size_t n, std::uint64_t seed = 7) {
    const kd::distribution d = kd::parse(spec);
    const auto sampler = kdd::sampler_for(d);
    kdd::random_stream stream(seed, 0);
    std::vector<std::vector<double>> out(n, std::vector<double>(kdd::point_size(d)));
    for (auto& x : out) sampler(stream, x);
    return out;
}

std::vector<double> first_coordinate(const std::vector<std::vector<double>>& points) {
    std::vector<double> y;
    for (const auto& x : points) y.push_back(x[0]);
    return y;
}

TEST(Sampling, UnivariateMoments) {
    const double g1 = std::tgamma(1.5), g2 = std::tgamma(2.0);  // Γ(1 + 1/k), Γ(1 + 2/k) for k = 2
    const double l = std::log(0.3 / 0.7);
    const std::vector<std::pair<std::string, moments_check>> cases = {
        {"bernoulli(0.3)", {0.3, 0.21}},
        {"binomial(10, 0.3)", {3, 2.1}},
        {"binomial(1000, 0.7)", {700, 210}},  // BTRS
        {"categorical([0.2, 0.5, 0.3])", {1.1, 0.49}},
        {"geometric(0.3)", {0.7 / 0.3, 0.7 / 0.09}},
        {"poisson(4)", {4, 4}},
        {"poisson(50)", {50, 50}},  // PTRS
        {"negative_binomial(3.5, 0.4)", {3.5 * 0.4 / 0.6, 3.5 * 0.4 / 0.36}},
        {"normal(1, 2)", {1, 4}},
        {"half_normal(2)", {2 * std::sqrt(2 / pi), 4 * (1 - 2 / pi)}},
        {"log_normal(0.5, 0.5)", {std::exp(0.625), (std::exp(0.25) - 1) * std::exp(1.25)}},
        {"laplace(1, 2)", {1, 8}},
        {"gumbel(1, 2)", {1 + 2 * euler_gamma, pi * pi * 4 / 6}},
        {"logistic(1, 2)", {1, pi * pi * 4 / 3}},
        {"exponential(2)", {0.5, 0.25}},
        {"gamma(0.5, 2)", {0.25, 0.125}},
        {"gamma(3, 2)", {1.5, 0.75}},
        {"inverse_gamma(5, 2)", {0.5, 4.0 / 48.0}},
        {"chi2(3)", {3, 6}},
        {"beta(0.5, 0.5)", {0.5, 0.125}},
        {"beta(2, 5)", {2.0 / 7.0, 10.0 / (49.0 * 8.0)}},
        // Density ∝ e^(xL), L = ln(λ/(1−λ)): mean λ/(2λ−1) − 1/L, variance 1/L² − λ(1−λ)/(2λ−1)².
        {"continuous_bernoulli(0.3)", {0.3 / (0.6 - 1) - 1 / l, 1 / (l * l) - 0.21 / 0.16}},
        {"uniform(-1, 3)", {1, 16.0 / 12.0}},
        {"pareto(1, 5)", {1.25, 5.0 / 48.0}},
        {"weibull(1.5, 2)", {1.5 * g1, 2.25 * (g2 - g1 * g1)}},
        {"student_t(10, 1, 2)", {1, 5}},
        {"mixture([0.3, 0.7], [normal(0, 1), normal(4, 2)])", {2.8, 0.3 * 1 + 0.7 * 4 + 0.21 * 16}},
    };
    for (const auto& [spec, truth] : cases) {
        SCOPED_TRACE(spec);
        const auto points = draw(spec, 40000);
        expect_moments(first_coordinate(points), truth);
        for (const auto& x : points) {  // the point is {x, ln x, ln(1 − x)}
            if (x[0] > 0) {
                ASSERT_NEAR(x[1], std::log(x[0]), 1e-13 * std::max(1.0, std::fabs(x[1])));
            }
            if (x[0] < 0.5) {
                ASSERT_NEAR(x[2], std::log1p(-x[0]), 1e-13);
            }
        }
    }
}

TEST(Sampling, VonMisesCircularMoments) {
    for (const double kappa : {1e-9, 0.5, 5.0}) {
        SCOPED_TRACE(kappa);
        const auto points = draw("von_mises(1, " + std::to_string(kappa) + ")", 40000);
        std::vector<double> c, s;
        for (const auto& x : points) {
            c.push_back(std::cos(x[0] - 1));
            s.push_back(std::sin(x[0] - 1));
        }
        // E cos = A = I1/I0, E cos² = (1 + I2/I0)/2, E sin = 0, E sin² = (1 − I2/I0)/2.
        const double i0 = boost::math::cyl_bessel_i(0, kappa), a = boost::math::cyl_bessel_i(1, kappa) / i0,
                     r2 = boost::math::cyl_bessel_i(2, kappa) / i0;
        expect_moments(c, {a, (1 + r2) / 2 - a * a});
        expect_moments(s, {0, (1 - r2) / 2});
    }
    // Above κ = 1e6 the sampler draws N(loc, 1/κ), which differs from von Mises by O(1/κ) relative.
    const auto angles = first_coordinate(draw("von_mises(1, 2000000)", 40000));
    std::vector<double> theta;
    for (const double x : angles) theta.push_back(x - 1);
    expect_moments(theta, {0, 1 / 2e6});
}

TEST(Sampling, HeavyTailsByQuantiles) {
    for (const std::string spec : {"cauchy(1, 2)", "student_t(1.5, 0, 1)", "pareto(1, 0.5)", "inverse_gamma(0.5, 1)"}) {
        SCOPED_TRACE(spec);
        const kd::distribution d = kd::parse(spec);
        const auto y = first_coordinate(draw(spec, 40000));
        for (const double u : {0.05, 0.5, 0.95}) {
            const double x = kdd::quantile(kdd::line_components(d).front().component, u, false);
            double below = 0.0;
            for (const double v : y) below += v < x;
            EXPECT_NEAR(below / 40000.0, u, 5.0 * std::sqrt(u * (1 - u) / 40000.0)) << "u = " << u;
        }
    }
}

TEST(Sampling, MultivariateMoments) {
    const std::size_t n = 40000;
    {  // Σ = [[2, 0.5], [0.5, 1]]
        const auto p = draw("multivariate_normal([1, -1], [[2, 0.5], [0.5, 1]])", n);
        std::vector<double> x0, x1, prod;
        for (const auto& x : p) {
            x0.push_back(x[0]);
            x1.push_back(x[1]);
            prod.push_back((x[0] - 1) * (x[1] + 1));
        }
        expect_moments(x0, {1, 2});
        expect_moments(x1, {-1, 1});
        expect_moments(prod, {0.5, 2 * 1 + 0.25});  // Var(XY) = Σ11Σ22 + Σ12² for centred normals
    }
    {  // Σ = W Wᵀ + D = [[2, 1], [1, 1.5]]
        const auto p = draw("lowrank_multivariate_normal([0, 0], [[1], [1]], [1, 0.5])", n);
        std::vector<double> x1, prod;
        for (const auto& x : p) {
            x1.push_back(x[1]);
            prod.push_back(x[0] * x[1]);
        }
        expect_moments(x1, {0, 1.5});
        expect_moments(prod, {1, 2 * 1.5 + 1});
        expect_moments(first_coordinate(draw("diagonal_normal([3, 0], [0.5, 2])", n)), {3, 0.25});
    }
    expect_moments(first_coordinate(draw("mixture([0.3, 0.7], [multivariate_normal([0, 0], [[1, 0], [0, 1]]), "
                                         "multivariate_normal([4, 0], [[4, 0], [0, 1]])])",
                                         n)),
                   {2.8, 0.3 + 2.8 + 0.21 * 16});
    {  // Dirichlet([2, 3, 5]): E x_k = α_k/α₀, Var = α_k(α₀ − α_k)/(α₀²(α₀ + 1)); the point is ln x.
        const auto p = draw("dirichlet([2, 3, 5])", n);
        std::vector<double> x0, x2, total;
        for (const auto& x : p) {
            x0.push_back(std::exp(x[0]));
            x2.push_back(std::exp(x[2]));
            total.push_back(std::exp(x[0]) + std::exp(x[1]) + std::exp(x[2]));
        }
        expect_moments(x0, {0.2, 2.0 * 8.0 / (100.0 * 11.0)});
        expect_moments(x2, {0.5, 25.0 / 1100.0});
        for (const double t : total) ASSERT_NEAR(t, 1.0, 1e-15);
    }
    {  // Wishart(ν = 5, Σ): E X = νΣ, Var X_ij = ν(Σ_ij² + Σ_ii Σ_jj); the point is C with X = C Cᵀ.
        const auto p = draw("wishart(5, [[2, 0.3], [0.3, 1]])", n);
        std::vector<double> x00, x01, x11;
        for (const auto& c : p) {
            ASSERT_EQ(c[1], 0.0);
            x00.push_back(c[0] * c[0]);
            x01.push_back(c[2] * c[0]);
            x11.push_back(c[2] * c[2] + c[3] * c[3]);
        }
        expect_moments(x00, {10, 5 * 8});
        expect_moments(x01, {1.5, 5 * (0.09 + 2)});
        expect_moments(x11, {5, 5 * 2});
    }
    {  // Multinomial(30, [0.2, 0.3, 0.5]): E n_k = n p_k, Var = n p_k (1 − p_k); counts sum to n.
        const auto p = draw("multinomial(30, [0.2, 0, 0.3, 0.5])", n);
        std::vector<double> n0, n3;
        for (const auto& x : p) {
            n0.push_back(x[0]);
            n3.push_back(x[3]);
            ASSERT_EQ(x[0] + x[1] + x[2] + x[3], 30.0);
            ASSERT_EQ(x[1], 0.0);
        }
        expect_moments(n0, {6, 30 * 0.2 * 0.8});
        expect_moments(n3, {15, 30 * 0.25});
    }
}

TEST(Sampling, SameStreamSamePoints) {
    const std::string spec = "mixture([0.3, 0.7], [gamma(0.5, 1), student_t(3, 0, 1)])";
    EXPECT_EQ(first_coordinate(draw(spec, 1000, 11)), first_coordinate(draw(spec, 1000, 11)));
    EXPECT_NE(first_coordinate(draw(spec, 1000, 11)), first_coordinate(draw(spec, 1000, 12)));
    kdd::random_stream a(5, 0), b(5, 1);
    EXPECT_NE(a.bits(), b.bits());
    for (int i = 0; i < 100000; ++i) {
        const double u = a.uniform();
        ASSERT_GT(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
}

}  // namespace
