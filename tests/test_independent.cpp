// Independent(components) (include/kldiv/distributions/distribution.hpp): products of independent
// components of any families. D between products of as many components is the sum of the
// componentwise divergences, each by its own method; references by mpmath quadrature
// (tests/data/generate_new_families_kl.py) and the Gaussian closed forms.

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

TEST(Independent, SpecsFlattenAndRoundTrip) {
    EXPECT_EQ(kd::to_spec(kd::parse("Independent([independent([normal(0, 1)]), beta(2, 3)])")),
              "independent([normal(0, 1), beta(2, 3)])");
    EXPECT_EQ(kd::to_spec(kd::parse("product(components=[poisson(2), mvn([0, 0], [[1, 0], [0, 1]])])")),
              "independent([poisson(2), multivariate_normal([0, 0], scale_tril=[[1, 0], [0, 1]])])");
    EXPECT_THROW(kd::parse("independent([])"), kldiv::error);
    EXPECT_THROW(kd::parse("independent([1, 2])"), kldiv::error);
}

TEST(Independent, SumOfComponentwiseClosedForms) {
    const auto r = kl("independent([gamma(2, 3), beta(2, 3)])", "independent([gamma(0.8, 1.1), beta(1.5, 1.5)])");
    EXPECT_EQ(r.method, kd::kl_method::closed_form);
    EXPECT_EQ(r.error, 0.0);
    EXPECT_NEAR(r.value, 0.19537590094235923268 + 0.13352832729089788945, 1e-14);
}

TEST(Independent, NamesTheLeastExactMethodAndAddsErrors) {
    const auto r = kl("independent([normal(0.5, 1.3), student_t(4), gamma(2, 3)])",
                      "independent([laplace(-0.2, 0.9), normal(0, 1.5), gamma(0.8, 1.1)])");
    EXPECT_EQ(r.method, kd::kl_method::quadrature);  // student_t ‖ normal has no closed form
    EXPECT_GT(r.error, 0.0);
    const double truth = 0.22213935868819579583 + 0.087088068878615211766 + 0.19537590094235923268;
    EXPECT_NEAR(r.value, truth, 1e-9);
    EXPECT_LE(std::fabs(r.value - truth), std::max(10 * r.error, 1e-12));
}

TEST(Independent, MonteCarloComponents) {
    const auto r = kl("independent([logistic_normal([0.4], [0.8]), gamma(2, 3)])",
                      "independent([dirichlet([2.5, 1.5]), gamma(0.8, 1.1)])");
    EXPECT_EQ(r.method, kd::kl_method::monte_carlo);
    EXPECT_GT(r.samples, 0u);
    EXPECT_LE(r.error, 2e-3 * 1.2);
    EXPECT_LT(std::fabs(r.value - (0.1172648407887221421 + 0.19537590094235923268)), 5 * r.error);
}

TEST(Independent, AnInfiniteComponentMakesTheSumInfinite) {
    const auto r = kl("independent([normal(0, 1), half_cauchy(1)])", "independent([normal(0, 2), exponential(1)])");
    EXPECT_EQ(r.value, std::numeric_limits<double>::infinity());
    EXPECT_EQ(r.method, kd::kl_method::infinite_by_support);
}

TEST(Independent, ProductsOfNormalsMeetTheGaussianFamilies) {
    const std::string p = "independent([normal(0.5, 1.3), normal(-1, 0.4)])";
    const double truth = kl("normal(0.5, 1.3)", "normal(0, 1)").value + kl("normal(-1, 0.4)", "normal(2, 3)").value;
    for (const std::string q :
         {"diagonal_normal([0, 2], [1, 3])", "mvn([0, 2], [[1, 0], [0, 9]])", "lowrank_mvn([0, 2], [[0], [0]], [1, 9])",
          "independent([normal(0, 1), normal(2, 3)])"}) {
        const auto r = kl(p, q);
        EXPECT_EQ(r.method, kd::kl_method::closed_form) << q;
        EXPECT_NEAR(r.value, truth, 1e-14) << q;
    }
    EXPECT_NEAR(kl("mvn([0, 2], [[1, 0], [0, 9]])", "independent([normal(0.5, 1.3), normal(-1, 0.4)])").value,
                kl("normal(0, 1)", "normal(0.5, 1.3)").value + kl("normal(2, 3)", "normal(-1, 0.4)").value, 1e-13);
}

TEST(Independent, OneComponentIsThatComponent) {
    EXPECT_NEAR(kl("independent([gamma(2, 3)])", "gamma(0.8, 1.1)").value, 0.19537590094235923268, 1e-14);
}

TEST(Independent, StructuresThatDoNotMatchAreRefused) {
    try {
        kl("independent([normal(0, 1), normal(0, 1)])", "independent([normal(0, 1), normal(0, 1), normal(0, 1)])");
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_NE(std::string(e.what()).find("a product of as many components"), std::string::npos) << e.what();
    }
    EXPECT_THROW(kl("independent([normal(0, 1), gamma(2, 2)])", "mvn([0, 0], [[1, 0], [0, 1]])"), kldiv::error);
    EXPECT_THROW(kl("independent([normal(0, 1), normal(0, 2)])", "dirichlet([1, 2])"), kldiv::error);
    // Componentwise spaces must agree, as for any pair.
    EXPECT_THROW(
        kl("independent([normal(0, 1), dirichlet([1, 2])])", "independent([normal(0, 1), dirichlet([1, 2, 3])])"),
        kldiv::error);
}

}  // namespace
