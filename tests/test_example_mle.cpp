// Tests of the examples/mle program: maximum likelihood = minimum KL divergence on Bortkiewicz's
// horse-kick data (examples/data/horse-kicks.csv).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "kldiv/discrete.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace fs = std::filesystem;

#ifdef KLDIV_MLE_PATH

namespace {

using kldiv::test::command_result;

command_result mle(const std::vector<std::string>& args) { return kldiv::test::run_command(KLDIV_MLE_PATH, args); }

}  // namespace

TEST(MleExample, MinimumKlIsTheSampleMean) {
    const command_result r = mle({"--json"});  // the bundled data set
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["observations"], 200);
    EXPECT_NEAR(j["lambda_mle"].get<double>(), 0.61, 1e-12);          // 122 deaths / 200 corps-years
    EXPECT_NEAR(j["lambda_grid_argmin"].get<double>(), 0.61, 1e-12);  // grid step 0.01
    EXPECT_NEAR(j["lambda_golden"].get<double>(), 0.61, 1e-6);
    EXPECT_NEAR(j["lambda_golden"].get<double>(), 0.61, 1e-8);  // what the example claims
}

TEST(MleExample, CrossEntropyMinusKlIsTheDataEntropyAtEveryLambda) {
    const command_result r = mle({"--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    // H(P_data) from the counts, independently of the program.
    const std::vector<double> p{109 / 200.0, 65 / 200.0, 22 / 200.0, 3 / 200.0, 1 / 200.0, 0.0};
    const double h = kldiv::entropy(std::span<const double>(p));
    EXPECT_NEAR(j["entropy_data"].get<double>(), h, 1e-14);
    EXPECT_LT(j["max_constant_deviation"].get<double>(), 1e-12);
    EXPECT_LT(j["max_loglik_deviation"].get<double>(), 1e-12);
    ASSERT_GE(j["grid"].size(), 100u);
    double smallest = INFINITY, at = 0;
    for (const nlohmann::json& g : j["grid"]) {
        const double kl = g["kl"], ce = g["cross_entropy"], ll = g["loglik_per_obs"];
        EXPECT_NEAR(ce - kl, h, 1e-12) << "lambda = " << g["lambda"];
        EXPECT_NEAR(ll, -ce, 1e-12) << "lambda = " << g["lambda"];
        EXPECT_GE(kl, 0.0);
        if (kl < smallest) smallest = kl, at = g["lambda"];
    }
    EXPECT_NEAR(at, 0.61, 1e-12);
    // Log-likelihood per observation at the MLE, from the Poisson pmf directly.
    const double lambda = 0.61;
    const double counts[] = {109, 65, 22, 3, 1};
    double ll = 0;
    for (int k = 0; k < 5; ++k) ll += counts[k] * (k * std::log(lambda) - lambda - std::lgamma(k + 1.0));
    EXPECT_NEAR(j["loglik_per_obs_at_mle"].get<double>(), ll / 200, 1e-13);
    EXPECT_NEAR(j["cross_entropy_at_mle"].get<double>(), -ll / 200, 1e-13);
}

TEST(MleExample, TextAndHtmlReports) {
    const kldiv::test::scratch_dir dir;
    const fs::path report = dir.path() / "mle.html";
    const command_result r = mle({"--html", report.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("λ̂ = sample mean = 0.61"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("at λ = 0.61"), std::string::npos);
    EXPECT_NE(r.out.find("\nReport: " + report.string() + "\n"), std::string::npos);  // where it wrote
    const std::string html = kldiv::test::read_text(report);
    // The bundled data is named as in the checkout, not by the build machine's absolute path.
    EXPECT_NE(html.find("examples/data/horse-kicks.csv"), std::string::npos);
    EXPECT_EQ(html.find("/examples/data/horse-kicks.csv"), std::string::npos);
    EXPECT_EQ(r.out.find(std::string("/examples/data/horse-kicks.csv")), std::string::npos) << r.out;
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("id=\"kldiv-data\""), std::string::npos);
    for (const char* external : {"http:", "https:", "<link", "src=", "url("}) {
        EXPECT_EQ(html.find(external), std::string::npos) << external;
    }
}

TEST(MleExample, BadInputFailsWithoutReport) {
    const kldiv::test::scratch_dir dir;
    const fs::path bad = dir.write("bad.csv", "deaths,corps_years\n0,10\n2,5\n");  // 1 is missing
    for (const fs::path& input : {bad, dir.path() / "missing.csv"}) {
        const command_result r = mle({input.string(), "--html", (dir.path() / "r.html").string()});
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_FALSE(fs::exists(dir.path() / "r.html"));
    }
}

#else

TEST(MleExample, Skipped) { GTEST_SKIP() << "KLDIV_MLE_PATH is not defined (the examples are not built)"; }

#endif
