// LogisticNormal(loc, scale) (include/kldiv/distributions/logistic_normal.hpp): construction, specs,
// the closed form of the pair (that of the underlying normals) against mpmath quadrature in the
// logit of the point (tests/data/generate_new_families_kl.py), and the log density and sampler through
// Monte Carlo: against the closed form, and against a Dirichlet (no closed form) by mpmath.

#include <gtest/gtest.h>
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"
#include "tests/spec_kl.hpp"

#include <cmath>
#include <string>

namespace {

namespace kd = kldiv::distributions;

using kldiv_test::kl;

TEST(LogisticNormal, ValidatesItsParameters) {
    EXPECT_EQ(kd::logistic_normal({0.0, 1.0}, {1.0, 2.0}).components(), 3u);
    EXPECT_THROW(kd::logistic_normal({}, {}), kldiv::error);
    EXPECT_THROW(kd::logistic_normal({0.0, 1.0}, {1.0}), kldiv::error);
    EXPECT_THROW(kd::logistic_normal({0.0}, {0.0}), kldiv::error);
    EXPECT_THROW(kd::logistic_normal({NAN}, {1.0}), kldiv::error);
}

TEST(LogisticNormal, SpecsRoundTrip) {
    EXPECT_EQ(kd::to_spec(kd::parse("LogisticNormal([0, 0.5], [1, 2])")), "logistic_normal([0, 0.5], [1, 2])");
    EXPECT_EQ(kd::to_spec(kd::parse("logistic_normal(loc=[1], scale=[0.5])")), "logistic_normal([1], [0.5])");
}

TEST(LogisticNormal, PairIsThatOfTheUnderlyingNormals) {
    // K = 2 against mpmath: ∫ p ln(p/q) over the simplex, densities by the change of variables.
    const auto r = kl("logistic_normal([0.4], [0.8])", "logistic_normal([-0.3], [1.7])");
    EXPECT_EQ(r.method, kd::kl_method::closed_form);
    EXPECT_NEAR(r.value, 0.44927353248018632393, 1e-15);
    // K = 4: the sum over the coordinates of normal pairs, each by quadrature.
    const auto four =
        kl("logistic_normal([0.4, -1, 2], [0.8, 1.5, 0.3])", "logistic_normal([-0.3, 0, 1], [1.7, 1, 1])");
    double sum = 0.0;
    for (const auto& [p, q] : {std::pair{"normal(0.4, 0.8)", "normal(-0.3, 1.7)"},
                               {"normal(-1, 1.5)", "normal(0, 1)"},
                               {"normal(2, 0.3)", "normal(1, 1)"}})
        sum += kl(p, q, kd::method_choice::numerical).value;
    EXPECT_NEAR(four.value, sum, 1e-9 * sum);
    EXPECT_EQ(kl("logistic_normal([1, 2], [3, 4])", "logistic_normal([1, 2], [3, 4])").value, 0.0);
}

TEST(LogisticNormal, MonteCarloFromItsDensityAndSampler) {
    const auto r = kl("logistic_normal([0.4, -1, 2], [0.8, 1.5, 0.3])", "logistic_normal([-0.3, 0, 1], [1.7, 1, 1])",
                      kd::method_choice::monte_carlo, 5e-3);
    const double truth =
        kl("logistic_normal([0.4, -1, 2], [0.8, 1.5, 0.3])", "logistic_normal([-0.3, 0, 1], [1.7, 1, 1])").value;
    EXPECT_EQ(r.method, kd::kl_method::monte_carlo);
    EXPECT_LT(std::fabs(r.value - truth), 5 * r.error);
}

TEST(LogisticNormal, AgainstDirichletByMonteCarlo) {
    const auto r = kl("logistic_normal([0.4], [0.8])", "dirichlet([2.5, 1.5])", kd::method_choice::automatic, 2e-3);
    EXPECT_EQ(r.method, kd::kl_method::monte_carlo);
    EXPECT_LT(std::fabs(r.value - 0.1172648407887221421), 5 * r.error);
}

TEST(LogisticNormal, OtherSpacesAreRefused) {
    EXPECT_THROW(kl("logistic_normal([0.4], [0.8])", "logistic_normal([0, 1], [1, 1])"), kldiv::error);
    EXPECT_THROW(kl("logistic_normal([0.4], [0.8])", "diagonal_normal([0.4], [0.8])"), kldiv::error);
}

}  // namespace
