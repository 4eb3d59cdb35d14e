// HalfCauchy(scale) (include/kldiv/distributions/half_cauchy.hpp): construction, specs, the closed
// form of the pair, quadrature against other families, the tail rule and the sampler, against
// mpmath quadrature of p·(ln p − ln q) from densities written in tests/data/generate_new_families_kl.py.

#include <gtest/gtest.h>
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"
#include "tests/spec_kl.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace {

namespace kd = kldiv::distributions;

using kldiv_test::kl;

TEST(HalfCauchy, ValidatesItsScale) {
    EXPECT_EQ(kd::half_cauchy(2.5).scale, 2.5);
    EXPECT_THROW(kd::half_cauchy(0.0), kldiv::error);
    EXPECT_THROW(kd::half_cauchy(-1.0), kldiv::error);
    EXPECT_THROW(static_cast<void>(kd::half_cauchy(std::numeric_limits<double>::infinity())), kldiv::error);
    try {
        kd::parse("half_cauchy(-2)");
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_NE(std::string(e.what()).find("half_cauchy: scale = -2"), std::string::npos) << e.what();
    }
}

TEST(HalfCauchy, SpecsRoundTrip) {
    EXPECT_EQ(kd::to_spec(kd::parse("HalfCauchy(2)")), "half_cauchy(2)");
    EXPECT_EQ(kd::to_spec(kd::parse("half_cauchy(scale=0.25)")), "half_cauchy(0.25)");
    EXPECT_EQ(kd::family_name(kd::parse("half_cauchy(1)")), "half_cauchy");
}

TEST(HalfCauchy, ClosedFormOfThePairMatchesQuadratureByMpmath) {
    const auto r = kl("half_cauchy(0.7)", "half_cauchy(2.3)");
    EXPECT_EQ(r.method, kd::kl_method::closed_form);
    EXPECT_NEAR(r.value, 0.33469603721995712872, 1e-15);
    EXPECT_EQ(kl("half_cauchy(1.3)", "half_cauchy(1.3)").value, 0.0);
    // kldiv's own quadrature agrees with its closed form.
    const auto q = kl("half_cauchy(0.7)", "half_cauchy(2.3)", kd::method_choice::numerical);
    EXPECT_EQ(q.method, kd::kl_method::quadrature);
    EXPECT_NEAR(q.value, 0.33469603721995712872, 1e-9);
}

TEST(HalfCauchy, OtherPairsByQuadrature) {
    const auto a = kl("half_normal(1.2)", "half_cauchy(0.8)");
    EXPECT_EQ(a.method, kd::kl_method::quadrature);
    EXPECT_NEAR(a.value, 0.18505784550746266562, 1e-9);
    const auto b = kl("half_cauchy(1.5)", "log_normal(0.3, 1.1)");
    EXPECT_EQ(b.method, kd::kl_method::quadrature);
    EXPECT_NEAR(b.value, 0.2005551132527952054, 1e-8);
}

TEST(HalfCauchy, HeavyTailAgainstLighterTailsIsInfinite) {
    // E|X| = ∞ under a half-Cauchy, and −ln q grows like x (exponential, gamma) or x² (half-normal).
    for (const char* q : {"half_normal(1)", "exponential(1)", "gamma(2, 1)", "normal(0, 3)"}) {
        const auto r = kl("half_cauchy(1)", q);
        EXPECT_EQ(r.value, std::numeric_limits<double>::infinity()) << q;
        EXPECT_EQ(r.method, kd::kl_method::infinite_by_support) << q;
    }
    EXPECT_EQ(kl("half_cauchy(1)", "uniform(0, 5)").method, kd::kl_method::infinite_by_support);
}

TEST(HalfCauchy, MonteCarloFromItsSamplerAgreesWithTheClosedForm) {
    const auto r = kl("half_cauchy(0.7)", "half_cauchy(2.3)", kd::method_choice::monte_carlo);
    EXPECT_EQ(r.method, kd::kl_method::monte_carlo);
    EXPECT_LT(std::fabs(r.value - 0.33469603721995712872), 5 * r.error);
}

TEST(HalfCauchy, MixesWithOtherHalfLineFamilies) {
    const auto r = kl("mixture([0.5, 0.5], [half_cauchy(1), exponential(1)])", "half_cauchy(1)");
    EXPECT_EQ(r.method, kd::kl_method::quadrature);
    EXPECT_GT(r.value, 0.0);
    EXPECT_LT(r.value, std::log(2.0));  // D(½P1 + ½P2 ‖ P1) ≤ ln 2
}

}  // namespace
