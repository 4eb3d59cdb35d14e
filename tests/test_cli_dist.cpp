// Tests of `kldiv dist`: the human and JSON outputs of each method, units, --list, --bounds, bad
// input (exit 1, one line naming the problem) and bad usage (exit 2).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <vector>

#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "tests/run_command.hpp"

namespace {

namespace kd = kldiv::distributions;
using kldiv::test::command_result;
using testing::HasSubstr;
using testing::StartsWith;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

nlohmann::json json_of(std::vector<std::string> args) {
    args.insert(args.begin(), "dist");
    args.push_back("--json");
    const command_result r = kldiv_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return nlohmann::json::parse(r.out);
}

std::string six_digits(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", x);
    return buffer;
}

// D(N(0,1)‖Laplace(0,2)) = ln(2b) − ½ ln(2πe) + E|x|/b with E|x| = √(2/π), b = 2.
const double normal_laplace =
    std::log(4.0) - 0.5 * std::log(2 * std::numbers::pi * std::numbers::e) + std::sqrt(2 / std::numbers::pi) / 2;

TEST(CliDist, ClosedFormTable) {
    const command_result r = kldiv_cli({"dist", "normal(0,1)", "laplace(0,2)"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "P = normal(0, 1)\nQ = laplace(0, 2)\n\nD(P‖Q) = " + six_digits(normal_laplace) +
                         " nats  (closed form)\n");
}

TEST(CliDist, JsonCarriesValueUnitMethodAndError) {
    const auto closed = json_of({"normal(0,1)", "laplace(scale=2, loc=0)"});
    EXPECT_EQ(closed.at("p"), "normal(0, 1)");
    EXPECT_EQ(closed.at("q"), "laplace(0, 2)");
    EXPECT_NEAR(closed.at("kl").get<double>(), normal_laplace, 1e-15);
    EXPECT_EQ(closed.at("unit"), "nats");
    EXPECT_EQ(closed.at("method"), "closed_form");
    EXPECT_EQ(closed.at("error").get<double>(), 0.0);
    EXPECT_FALSE(closed.contains("samples"));

    const auto bits = json_of({"normal(0,1)", "laplace(0,2)", "--base", "bits"});
    EXPECT_EQ(bits.at("unit"), "bits");
    EXPECT_NEAR(bits.at("kl").get<double>(), normal_laplace / std::log(2.0), 1e-15);

    const auto infinite = json_of({"normal(0,1)", "exponential(1)"});
    EXPECT_EQ(infinite.at("kl"), "inf");
    EXPECT_EQ(infinite.at("method"), "infinite_by_support");

    const auto quadrature = json_of({"student_t(3)", "normal(0,1)"});
    EXPECT_EQ(quadrature.at("method"), "quadrature");
    const double error = quadrature.at("error").get<double>();
    EXPECT_GT(error, 0.0);
    EXPECT_LT(error, 1e-9);
    kd::kl_options numerical;
    numerical.method = kd::method_choice::numerical;
    EXPECT_EQ(quadrature.at("kl").get<double>(),
              kd::kl_divergence(kd::parse("student_t(3)"), kd::parse("normal(0, 1)"), numerical).value);

    const auto summation = json_of({"binomial(8, 0.3)", "binomial(10, 0.4)"});
    EXPECT_EQ(summation.at("method"), "summation");
}

TEST(CliDist, MonteCarloReportsSamplesSeedAndMeetsTheTarget) {
    const std::vector<std::string> pair{"mvn([0, 0], [[1, 0], [0, 1]])",
                                        "mvn([1, 0], [[2, 0], [0, 1]])",
                                        "--method",
                                        "monte-carlo",
                                        "--mc-error",
                                        "0.005",
                                        "--seed",
                                        "11"};
    const auto mc = json_of(pair);
    EXPECT_EQ(mc.at("method"), "monte_carlo");
    EXPECT_EQ(mc.at("seed"), 11);
    EXPECT_GT(mc.at("samples").get<std::uint64_t>(), 0u);
    const double se = mc.at("error").get<double>();
    EXPECT_LE(se, 0.005);                                        // the target is met
    const double truth = 0.5 * (0.5 - 1 + std::log(2.0) + 0.5);  // D(N(0, I)‖N((1,0), diag(2,1)))
    EXPECT_NEAR(mc.at("kl").get<double>(), truth, 5 * se);
    auto threads = pair;
    threads.insert(threads.end(), {"--threads", "1"});
    EXPECT_EQ(json_of(threads).at("kl"), mc.at("kl"));  // the seed fixes the bits, whatever the threads
}

TEST(CliDist, MonteCarloProgressGoesToStderrWhenAskedFor) {
    std::vector<std::string> args{"dist",       "normal(0, 1)", "laplace(0, 1)", "--method", "monte-carlo",
                                  "--mc-error", "1e-3",         "--max-samples", "100000",   "--json"};
    const std::string progress = kldiv::test::progress_output(KLDIV_CLI_PATH, args);
    EXPECT_THAT(progress, HasSubstr("Monte Carlo: 16384/65536 samples (25%), "));  // the pilot, of the plan
    EXPECT_THAT(progress, HasSubstr("Monte Carlo: 65536/65536 samples (100%), "));
    for (const char* off : {"--no-progress", "--quiet"}) {  // --quiet: the older name
        std::vector<std::string> both = args;
        both.insert(both.end(), {"--progress", off});
        const command_result r = kldiv_cli(both);
        EXPECT_EQ(r.exit_code, 2);  // a usage error
        EXPECT_THAT(r.err, HasSubstr("--progress excludes --no-progress"));
    }
}

TEST(CliDist, MonteCarloShortOfItsTargetSaysSo) {
    // 1e-6 nats needs ~10^12 samples here: --max-samples stops it first. The value and its error
    // are printed (exit 0), JSON says converged: false, and stderr says what to do.
    const std::vector<std::string> args{"dist",       "normal(0, 1)", "laplace(0, 1)", "--method", "monte-carlo",
                                        "--mc-error", "1e-6",         "--max-samples", "100000"};
    const command_result text = kldiv_cli(args);
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("(Monte Carlo standard error, 100000 samples, seed 2026)"));
    EXPECT_THAT(text.err, StartsWith("kldiv dist: Monte Carlo stopped at --max-samples 100000 with a standard error "
                                     "of "));
    EXPECT_THAT(text.err, HasSubstr(" nats, above --mc-error 1e-06 nats; give a larger --max-samples"));
    std::vector<std::string> json_args = args;
    json_args.push_back("--json");
    const auto j = nlohmann::json::parse(kldiv_cli(json_args).out);
    EXPECT_EQ(j.at("converged"), false);
    EXPECT_GT(j.at("error").get<double>(), 1e-6);
    json_args[6] = "1e-3";  // reachable
    EXPECT_EQ(nlohmann::json::parse(kldiv_cli(json_args).out).at("converged"), true);
}

TEST(CliDist, BoundsForGaussianMixtures) {
    const auto j = json_of({"mixture([0.3, 0.7], [normal(0, 1), normal(2, 0.5)])", "normal(1, 1.5)", "--bounds"});
    const auto& e = j.at("gaussian_mixture_estimates");
    EXPECT_LE(e.at("lower_bound").get<double>(), j.at("kl").get<double>());
    EXPECT_GE(e.at("upper_bound").get<double>(), j.at("kl").get<double>());
    EXPECT_TRUE(e.contains("variational"));
    EXPECT_TRUE(e.contains("product"));
    const command_result human = kldiv_cli({"dist", "normal(0, 1)", "normal(1, 2)", "--bounds"});
    EXPECT_THAT(human.out, HasSubstr("Gaussian mixture estimates"));
    const command_result bad = kldiv_cli({"dist", "normal(0, 1)", "gamma(2, 1)", "--bounds"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_THAT(bad.err, HasSubstr("but it must be a Gaussian or a mixture of Gaussians"));
}

TEST(CliDist, ListShowsFamiliesParametersAndClosedFormPairs) {
    const command_result r = kldiv_cli({"dist", "--list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("  gamma(concentration, rate)\n"));
    EXPECT_THAT(r.out, HasSubstr("  student_t(df, loc=0, scale=1)\n"));
    EXPECT_THAT(r.out, HasSubstr("  multivariate_normal(loc, covariance_matrix)  or precision_matrix=, scale_tril=\n"));
    EXPECT_THAT(r.out, HasSubstr("also written t\n"));
    EXPECT_THAT(r.out, HasSubstr("\n  weibull: "));
    const auto list = nlohmann::json::parse(kldiv_cli({"dist", "--list", "--json"}).out);
    ASSERT_EQ(list.size(), kd::families().size());
    std::size_t pairs = 0;
    for (const auto& f : list) pairs += f.at("closed_form_with").size();
    EXPECT_EQ(pairs, kd::closed_form_pairs().size());
    EXPECT_EQ(list.at(0).at("name"), "bernoulli");
}

TEST(CliDist, BadInputAndUsage) {
    const auto fails = [](const std::vector<std::string>& args, int code, const std::string& message) {
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, code) << r.out;
        EXPECT_THAT(r.err, HasSubstr(message));
        EXPECT_EQ(r.out, "");
    };
    fails({"dist", "normal(0, -1)", "normal(0, 1)"}, 1,
          "kldiv dist: P = 'normal(0, -1)': normal: scale = -1, but it must be finite and > 0\n");
    fails({"dist", "normal(0, 1", "normal(0, 1)"}, 1, "kldiv dist: in 'normal(0, 1' at position 12");
    fails({"dist", "normal(0, 1)", "mvn([0], [[1]])"}, 1, "both must be on the same space");
    fails({"dist", "student_t(3)", "normal(0, 1)", "--method", "closed"}, 1, "has no closed form");
    fails({"dist", "normal(0, 1)", "normal(0, 2)", "--base", "1"}, 2, "--base: 1, but a logarithm base must be");
    fails({"dist", "normal(0, 1)"}, 2, "P and Q (or --list) is required");
    fails({"dist", "normal(0, 1)", "normal(0, 2)", "--method", "exact"}, 2, "--method");
    fails({"dist", "--list", "normal(0, 1)"}, 2, "--list");
    // Boost's own text ("Error in function boost::math::lgamma<double>(double): numeric overflow") leaked.
    fails({"dist", "student_t(1e308)", "normal(0, 1)"}, 1,
          "against normal(0, 1): a special function overflows at these parameters, beyond what double precision "
          "evaluates\n");
    // dirichlet([1e308, 1]) against dirichlet([1, 1]) is answered (708.2, like beta); a sum beyond doubles is not.
    fails({"dist", "dirichlet([1e308, 1e308])", "dirichlet([1, 1])"}, 1,
          "dirichlet([1e+308, 1e+308]): the sum of its concentrations exceeds the double range\n");
    // Swept the same point 2^26 times (k + 1 == k at 1e308): about a minute, then an error.
    fails({"dist", "negative_binomial(1e308, 0.5)", "negative_binomial(1, 0.5)"}, 1,
          "summation cannot step through P's points around 1e+308, beyond 2^53 where consecutive integers are not all "
          "doubles; ask for Monte Carlo\n");
    fails({"dist", "normal(0, 1)", "normal(0, 2)", "--base", "0.5"}, 2,
          "--base: 0.5, but a logarithm base must be finite and > 1");
    fails({"dist", "normal(0, 1)", "normal(0, 2)", "--max-samples", "18446744073709551615"}, 2,
          "--max-samples: Value 18446744073709551615 not in range 2 to 1099511627776");
}

TEST(CliDist, VonMisesAtLargeConcentrations) {
    // The closed form gave 0 here (true 22.680703821652308231, mpmath: tests/data/extreme_parameters.tsv).
    const command_result r = kldiv_cli({"dist", "von_mises(0,1e20)", "von_mises(0,1)", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NEAR(nlohmann::json::parse(r.out).at("kl").get<double>(), 22.680703821652308231, 1e-11);
}

TEST(CliDist, MonteCarloReportsTheSamplesItDrew) {
    // --max-samples 2^40 reported 2^40 after drawing a few thousand.
    const command_result r =
        kldiv_cli({"dist", "mixture([0.5, 0.5], [normal(0, 1), normal(3, 1)])", "normal(1, 2)", "--method",
                   "monte-carlo", "--mc-error", "0.05", "--max-samples", "1099511627776", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto samples = nlohmann::json::parse(r.out).at("samples").get<std::uint64_t>();
    EXPECT_EQ(samples % 4096, 0u);
    EXPECT_GE(samples, 16384u);
    EXPECT_LT(samples, 1u << 20);
}

}  // namespace
