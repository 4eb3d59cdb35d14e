// Distribution specs and family validation: parse ↔ to_spec, names and aliases, named and default
// parameters, errors that name the family, the parameter, the value and the rule; supports and
// the +∞-by-support rule of kl_divergence.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"

namespace kd = kldiv::distributions;
using ::testing::HasSubstr;

namespace {

std::string message_of(const std::string& spec) {
    try {
        kd::parse(spec);
    } catch (const kldiv::error& e) {
        return e.what();
    }
    return "no error";
}

std::string canonical(const std::string& spec) { return kd::to_spec(kd::parse(spec)); }

}  // namespace

TEST(DistributionSpec, PositionalAndNamedParametersInPyTorchOrder) {
    const auto g = std::get<kd::gamma>(kd::parse("gamma(concentration=2, rate=3)"));
    EXPECT_EQ(g.concentration, 2.0);
    EXPECT_EQ(g.rate, 3.0);
    const auto t = std::get<kd::student_t>(kd::parse("studentt(3, scale=2)"));
    EXPECT_EQ(t.df, 3.0);
    EXPECT_EQ(t.loc, 0.0);  // PyTorch's default
    EXPECT_EQ(t.scale, 2.0);
    const auto w = std::get<kd::weibull>(kd::parse("weibull(2, 0.5)"));
    EXPECT_EQ(w.scale, 2.0);
    EXPECT_EQ(w.concentration, 0.5);
    const auto p = std::get<kd::pareto>(kd::parse("Pareto(1.5, alpha=3)"));
    EXPECT_EQ(p.scale, 1.5);
    EXPECT_EQ(p.alpha, 3.0);
}

TEST(DistributionSpec, NamesIgnoreCaseAndUnderscoresAndAcceptAliases) {
    EXPECT_EQ(canonical("StudentT(3)"), "student_t(3, 0, 1)");
    EXPECT_EQ(canonical("t(3, 1, 2)"), "student_t(3, 1, 2)");
    EXPECT_EQ(canonical("HALF_NORMAL(2)"), "half_normal(2)");
    EXPECT_EQ(canonical("chisquared(4)"), "chi2(4)");
    EXPECT_EQ(canonical("mvn([0, 1], [[4, 2], [2, 2]])"), "multivariate_normal([0, 1], scale_tril=[[2, 0], [1, 1]])");
    EXPECT_EQ(canonical("negbinomial(2.5, 0.25)"), "negative_binomial(2.5, 0.25)");
}

TEST(DistributionSpec, PrintedSpecsParseBackExactly) {
    for (const char* spec :
         {"normal(0.1, 0.30000000000000004)", "gamma(1e-300, 1.7976931348623157e+308)", "binomial(12, 0.3)",
          "categorical([0.125, 0.375, 0.5])", "dirichlet([0.5, 1, 2])", "von_mises(-1, 0)",
          "lowrank_multivariate_normal([1, 2], [[1], [0.5]], [1, 2])", "diagonal_normal([0, 1], [2, 3])",
          "wishart(3.5, scale_tril=[[1, 0], [0.5, 2]])", "mixture([0.25, 0.75], [normal(0, 1), laplace(2, 1)])",
          "mixture([0.5, 0.5], [multivariate_normal([0], scale_tril=[[1]]), multivariate_normal([1], "
          "scale_tril=[[2]])])"}) {
        EXPECT_EQ(canonical(spec), spec);
        EXPECT_EQ(canonical(canonical(spec)), spec);
    }
}

TEST(DistributionSpec, LogitsAndPrecisionAreAlternatives) {
    EXPECT_DOUBLE_EQ(std::get<kd::bernoulli>(kd::parse("bernoulli(logits=0)")).probs, 0.5);
    EXPECT_NEAR(std::get<kd::bernoulli>(kd::parse("bernoulli(logits=-800)")).probs, 0.0, 1e-300);
    const auto c = std::get<kd::categorical>(kd::parse("categorical(logits=[0, 0, 0, 0])"));
    EXPECT_THAT(c.probs, ::testing::ElementsAre(0.25, 0.25, 0.25, 0.25));
    // Precision [[2, 0], [0, 0.5]] is covariance diag(0.5, 2).
    const auto m = std::get<kd::multivariate_normal>(kd::parse("mvn([0, 0], precision_matrix=[[2, 0], [0, 0.5]])"));
    const auto s = m.covariance();
    EXPECT_NEAR(s(0, 0), 0.5, 1e-15);
    EXPECT_NEAR(s(1, 1), 2.0, 1e-15);
    EXPECT_EQ(s(0, 1), 0.0);
    EXPECT_THAT(message_of("bernoulli(0.5, logits=1)"), HasSubstr("bernoulli: give exactly one of probs or logits"));
    EXPECT_THAT(message_of("mvn([0], [[1]], scale_tril=[[1]])"),
                HasSubstr("give exactly one of covariance_matrix, precision_matrix or scale_tril"));
}

TEST(DistributionSpec, WeightsAreNormalizedLikePyTorch) {
    EXPECT_THAT(std::get<kd::categorical>(kd::parse("categorical([1, 3])")).probs, ::testing::ElementsAre(0.25, 0.75));
    EXPECT_THAT(std::get<kd::mixture>(kd::parse("mixture([2, 2], [normal(0,1), gamma(2,1)])")).weights,
                ::testing::ElementsAre(0.5, 0.5));
}

TEST(DistributionSpec, MixturesOfGaussianKindsBecomeGaussianMixtures) {
    const auto g = std::get<kd::gaussian_mixture>(
        kd::parse("mixture([1, 1], [diagonal_normal([0, 0], [1, 2]), lowrank_mvn([1, 1], [[1], [1]], [1, 1])])"));
    ASSERT_EQ(g.components.size(), 2u);
    const auto s = g.components[1].covariance();
    EXPECT_NEAR(s(0, 1), 1.0, 1e-15);
    EXPECT_NEAR(s(1, 1), 2.0, 1e-15);
    EXPECT_THAT(message_of("mixture([1, 1], [normal(0, 1), mvn([0], [[1]])])"),
                HasSubstr("mixture: components mix univariate and multivariate"));
    EXPECT_THAT(message_of("mixture([1, 1], [normal(0, 1), poisson(2)])"),
                HasSubstr("components mix normal and poisson"));
    EXPECT_THAT(message_of("mixture([1], [dirichlet([1, 2])])"), HasSubstr("components must be univariate"));
    EXPECT_THAT(message_of("mixture([1, 2, 3], [normal(0, 1)])"),
                HasSubstr("components has 1 values, but it must have 3"));
}

// Found by fuzz_spec_round_trip: normalizing the printed probabilities again moved them by an ulp.
TEST(DistributionSpec, NormalizedWeightsPrintAndParseBackExactly) {
    const std::string once = canonical("multinomial(15, [75, 85, 91])");
    EXPECT_EQ(once, "multinomial(15, [0.29880478087649404, 0.3386454183266932, 0.36254980079681276])");
    EXPECT_EQ(canonical(once), once);
    for (const std::string spec : {"categorical([1, 1, 1])", "categorical([0.1, 0.2, 0.3, 0.4, 7])",
                                   "mixture([3, 1, 7], [normal(0, 1), normal(1, 1), normal(2, 3)])"}) {
        EXPECT_EQ(canonical(canonical(spec)), canonical(spec)) << spec;
    }
    // Probabilities that sum to 1 within rounding are kept as written; others are still normalized.
    const kd::distribution d = kd::parse("categorical([0.1, 0.2, 0.7])");
    const auto& c = std::get<kd::categorical>(d);
    EXPECT_EQ(c.probs[0], 0.1);
    EXPECT_EQ(c.probs[2], 0.7);
    EXPECT_EQ(canonical("categorical([1, 3])"), "categorical([0.25, 0.75])");
}

// Found by fuzzing (issue 15): ~40,000 nested '[' overflowed the stack of the recursive parser.
TEST(DistributionSpec, NestingIsCappedWithAClearError) {
    const std::string deep = "normal(" + std::string(40000, '[') + "0" + std::string(40000, ']') + ", 1)";
    const std::string message = message_of(deep);
    EXPECT_THAT(message, HasSubstr("at position 71: calls and lists nested at most 64 deep"));
    // The message quotes 120 bytes around the place, not the 80 KB spec.
    EXPECT_THAT(message, HasSubstr("parse: in '..." + std::string(120, '[') + "...' at position 71"));
    EXPECT_LT(message.size(), 300u);
    EXPECT_THAT(message_of("mixture(" + std::string(100, '[') + ")"), HasSubstr("nested at most 64 deep"));
    EXPECT_THAT(message_of(std::string(100, 'a') + std::string(30, '(')), HasSubstr("expected a number"));
    std::string calls = "n(";
    for (int i = 0; i < 70; ++i) calls += "n(";
    EXPECT_THAT(message_of(calls), HasSubstr("at position 129: calls and lists nested at most 64 deep"));
    // What a family really needs (5 levels) is far below the cap.
    EXPECT_EQ(canonical("mixture([1], [mvn([0], [[1]])])"),
              "mixture([1], [multivariate_normal([0], scale_tril=[[1]])])");
}

// nan and inf are numbers (any case), refused by the parameter's rule, not read as a family name.
TEST(DistributionSpec, NanAndInfAreValuesThatTheParameterRuleRefuses) {
    EXPECT_THAT(message_of("normal(nan,1)"), HasSubstr("normal: loc = nan, but it must be finite"));
    EXPECT_THAT(message_of("normal(0, NaN)"), HasSubstr("normal: scale = nan, but it must be finite and > 0"));
    EXPECT_THAT(message_of("normal(0, inf)"), HasSubstr("normal: scale = inf, but it must be finite and > 0"));
    EXPECT_THAT(message_of("normal(Infinity, 1)"), HasSubstr("normal: loc = inf, but it must be finite"));
    EXPECT_THAT(message_of("normal(loc = nan, scale = 1)"), HasSubstr("normal: loc = nan"));
    EXPECT_THAT(message_of("dirichlet([1, nan])"), HasSubstr("concentration[1] = nan"));
    EXPECT_THAT(message_of("normal(nan(1), 1)"), HasSubstr("normal: loc must be a number"));
    EXPECT_THAT(message_of("normal(nanx, 1)"), HasSubstr("expected '(' after the family name"));
}

TEST(DistributionSpec, BadParametersNameFamilyParameterValueAndRule) {
    EXPECT_THAT(message_of("normal(0, -1)"), HasSubstr("normal: scale = -1, but it must be finite and > 0"));
    EXPECT_THAT(message_of("normal(0, 0)"), HasSubstr("scale = 0"));
    EXPECT_THAT(message_of("bernoulli(1.5)"), HasSubstr("bernoulli: probs = 1.5, but it must be in [0, 1]"));
    EXPECT_THAT(message_of("geometric(0)"), HasSubstr("geometric: probs = 0, but it must be in (0, 1]"));
    EXPECT_THAT(message_of("uniform(2, 1)"), HasSubstr("uniform: high = 1, but it must be in (2, inf)"));
    EXPECT_THAT(message_of("binomial(2.5, 0.5)"),
                HasSubstr("binomial: total_count = 2.5, but it must be a whole number"));
    EXPECT_THAT(message_of("binomial(1e18, 0.5)"),
                HasSubstr("binomial: total_count = 1e+18, but it must be at most 2^53 = 9007199254740992"));
    EXPECT_THAT(message_of("dirichlet([1])"),
                HasSubstr("dirichlet: concentration has 1 values, but it must have at least 2"));
    EXPECT_THAT(message_of("dirichlet([1, -2])"), HasSubstr("concentration[1] = -2"));
    EXPECT_THAT(message_of("categorical([0, 0])"), HasSubstr("categorical: probs sums to 0"));
    EXPECT_THAT(message_of("mvn([0, 0], [[1, 2], [2, 1]])"), HasSubstr("covariance_matrix must be positive definite"));
    EXPECT_THAT(message_of("mvn([0, 0], [[1, 0.5], [0.4, 1]])"), HasSubstr("the matrix must be symmetric"));
    EXPECT_THAT(message_of("mvn([0, 0], [[1]])"), HasSubstr("covariance_matrix is 1 x 1, but it must be 2 x 2"));
    EXPECT_THAT(message_of("mvn([0, 0], scale_tril=[[1, 1], [0, 1]])"), HasSubstr("scale_tril[0, 1] = 1"));
    EXPECT_THAT(message_of("wishart(0.5, [[1, 0], [0, 1]])"),
                HasSubstr("wishart: df = 0.5, but it must be in (1, inf)"));
    EXPECT_THAT(message_of("diagonal_normal([0, 0], [1])"), HasSubstr("scale has 1 values, but it must have 2"));
    EXPECT_THAT(message_of("lowrank_mvn([0, 0], [[1, 2, 3]], [1, 1])"), HasSubstr("cov_factor is 1 x 3"));
    EXPECT_THAT(message_of("gamma(1)"), HasSubstr("gamma: the parameter rate is missing"));
    EXPECT_THAT(message_of("gamma(1, 2, 3)"), HasSubstr("gamma: takes at most 2 positional parameters"));
    EXPECT_THAT(message_of("gamma(1, shape=2)"), HasSubstr("gamma: has no parameter 'shape'"));
    EXPECT_THAT(message_of("gamma(1, concentration=2)"), HasSubstr("concentration is given twice"));
    EXPECT_THAT(message_of("normal([0], 1)"), HasSubstr("normal: loc must be a number"));
}

TEST(DistributionSpec, SyntaxErrorsSayWhereAndWhat) {
    EXPECT_THAT(message_of("gamma(1, 2"),
                HasSubstr("parse: in 'gamma(1, 2' at position 11: expected ',' or ')', found the end"));
    EXPECT_THAT(message_of("gamma(1, 2) x"), HasSubstr("expected the end of the spec, found 'x'"));
    EXPECT_THAT(message_of("(1, 2)"), HasSubstr("expected a family name"));
    EXPECT_THAT(message_of("normal(0, @)"), HasSubstr("expected a number, a list or a distribution, found '@'"));
    EXPECT_THAT(message_of("normal(loc=0, 1)"), HasSubstr("positional arguments come first"));
    EXPECT_THAT(message_of("frechet(1, 2)"), HasSubstr("unknown family 'frechet'"));
    EXPECT_THAT(message_of(""), HasSubstr("expected a family name"));
}

TEST(DistributionSpec, EveryFamilyIsListedAndBuildsFromItsDefaults) {
    EXPECT_EQ(kd::families().size(), 34u);  // 32 families, mixture and independent
    for (const auto& f : kd::families()) {
        EXPECT_FALSE(f.parameters.empty()) << f.name;
        EXPECT_FALSE(f.support.empty()) << f.name;
    }
}

TEST(DistributionSupport, NonNestedSupportsAreInfiniteWithoutIntegration) {
    const auto kl = [](const char* p, const char* q) { return kd::kl_divergence(kd::parse(p), kd::parse(q)); };
    const double inf = std::numeric_limits<double>::infinity();
    for (auto [p, q] : std::vector<std::pair<const char*, const char*>>{
             {"normal(0, 1)", "exponential(1)"},    // the line against a half-line
             {"uniform(-0.5, 0.5)", "beta(2, 2)"},  // sticks out of [0, 1]
             {"pareto(1, 3)", "pareto(2, 3)"},      // starts before Q's scale
             {"uniform(0, 3)", "uniform(1, 4)"},
             {"poisson(2)", "binomial(5, 0.5)"},  // unbounded against bounded counts
             {"binomial(6, 0.5)", "binomial(5, 0.5)"},
             {"bernoulli(1)", "bernoulli(0)"},  // atoms at 1 and at 0
             {"poisson(1)", "gamma(1, 1)"},     // atoms against a density
             {"gamma(1, 1)", "poisson(1)"},     // a density against atoms
             {"multinomial(5, [0.5, 0.5])", "multinomial(6, [0.5, 0.5])"}}) {
        const auto r = kl(p, q);
        EXPECT_EQ(r.value, inf) << p << " || " << q;
        EXPECT_EQ(r.method, kd::kl_method::infinite_by_support) << p << " || " << q;
    }
    EXPECT_EQ(kl("beta(2, 2)", "uniform(-0.5, 1.5)").method, kd::kl_method::closed_form);
}

TEST(DistributionSupport, DifferentSpacesAreAnError) {
    const auto message = [](const char* p, const char* q) {
        try {
            kd::kl_divergence(kd::parse(p), kd::parse(q));
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(message("mvn([0, 0], [[1, 0], [0, 1]])", "mvn([0, 0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])"),
                HasSubstr("kl_divergence: P is multivariate_normal on vectors of dimension 2 and Q is "
                          "multivariate_normal on vectors of dimension 3, but both must be on the same space"));
    EXPECT_THAT(message("normal(0, 1)", "mvn([0], [[1]])"), HasSubstr("both must be on the same space"));
    EXPECT_THAT(message("von_mises(0, 1)", "normal(0, 1)"), HasSubstr("Q is normal on real numbers"));
    EXPECT_THAT(message("dirichlet([1, 1])", "mvn([0, 0], [[1, 0], [0, 1]])"),
                HasSubstr("the simplex of 2 components"));
}

TEST(DistributionKl, UnitsAndOptions) {
    const auto p = kd::parse("normal(0, 1)"), q = kd::parse("normal(1, 2)");
    const double nats = kd::kl_divergence(p, q).value;
    EXPECT_NEAR(nats, std::log(2.0) + 2.0 / 8.0 - 0.5, 1e-15);
    kd::kl_options bits;
    bits.base = kldiv::log_base::bits();
    EXPECT_NEAR(kd::kl_divergence(p, q, bits).value, nats / std::log(2.0), 1e-15);
    kd::kl_options bad;
    bad.tolerance = 0;
    EXPECT_THROW(kd::kl_divergence(p, q, bad), kldiv::error);
    bad = {};
    bad.mc_error = -1;
    EXPECT_THROW(kd::kl_divergence(p, q, bad), kldiv::error);
    kd::kl_options closed;
    closed.method = kd::method_choice::closed_form;
    try {
        kd::kl_divergence(kd::parse("student_t(3)"), q, closed);
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("the pair (student_t, normal) has no closed form"));
    }
}

TEST(DistributionSupport, ComponentsOfWeightZeroDoNotWidenAMixture) {
    // The gamma component has no mass: P lives on [0, 1], inside Q = beta's support.
    const auto r =
        kd::kl_divergence(kd::parse("mixture([1, 0], [uniform(0, 1), gamma(2, 1)])"), kd::parse("beta(2, 2)"));
    EXPECT_NE(r.method, kd::kl_method::infinite_by_support);
    // D(U(0,1)‖Beta(2,2)) = −E ln(6x(1−x)) = −ln 6 + 2.
    EXPECT_NEAR(r.value, 2.0 - std::log(6.0), 1e-9);
}
