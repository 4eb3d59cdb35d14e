// Tests of `kldiv estimate`: the three methods on files, the JSON keys, the interval and the
// permutation test, equality with the library call, and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kldiv/estimate/from_data.hpp"
#include "tests/run_command.hpp"

namespace {

namespace ke = kldiv::estimate;
using kldiv::test::command_result;
using testing::HasSubstr;
using testing::StartsWith;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

// n observations of d normals with mean `shift`, as CSV text (17 digits: read back exactly).
std::pair<std::string, std::vector<double>> normal_sample(std::size_t n, std::size_t d, double shift, unsigned seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> z;
    std::ostringstream text;
    text.precision(17);
    std::vector<double> values;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) {
            values.push_back(z(g) + shift);
            text << values.back() << (j + 1 < d ? "," : "\n");
        }
    return {text.str(), values};
}

TEST(CliEstimate, KnnOnCsvSamplesMatchesTheLibraryWithIntervalAndTest) {
    const kldiv::test::scratch_dir dir;
    const auto [x_text, x] = normal_sample(1500, 2, 0.0, 1);
    const auto [y_text, y] = normal_sample(1500, 2, 0.5, 2);
    const auto xf = dir.write("x.csv", "a,b\n" + x_text), yf = dir.write("y.csv", y_text);
    const command_result r = kldiv_cli({"estimate", xf.string(), yf.string(), "--k", "4", "--ci", "0.9", "--resamples",
                                        "60", "--permutations", "39", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ke::data_options o;
    o.knn.k = 4;
    const auto expected = ke::estimate_from_data(kldiv::matrix_view<const double>(x.data(), 1500, 2),
                                                 kldiv::matrix_view<const double>(y.data(), 1500, 2), o);
    EXPECT_EQ(j.at("kl").get<double>(), expected.value.value);
    EXPECT_NEAR(j.at("kl").get<double>(), 0.25, 0.1);  // D(N(0, I)‖N((½, ½), I)) = ¼; sd ≈ 0.03 here
    EXPECT_EQ(j.at("unit"), "nats");
    EXPECT_THAT(j.at("method").get<std::string>(), HasSubstr("knn"));
    const auto& interval = j.at("interval");
    EXPECT_EQ(interval.at("level").get<double>(), 0.9);
    EXPECT_EQ(interval.at("resamples").get<int>(), 60);
    EXPECT_LT(interval.at("low").get<double>(), interval.at("high").get<double>());
    const auto& test = j.at("permutation_test");
    EXPECT_EQ(test.at("permutations").get<int>(), 39);
    EXPECT_EQ(test.at("p_value").get<double>(), 1.0 / 40);  // the observed split beats every permutation
}

TEST(CliEstimate, ResamplingProgressGoesToStderrWhenAskedFor) {
    const kldiv::test::scratch_dir dir;
    const auto p = dir.write("p.csv", "a,10\nb,20\nc,30\n").string(),
               q = dir.write("q.csv", "a,15\nb,15\nc,30\n").string();
    std::vector<std::string> args{
        "estimate", p, q, "--method", "counts", "--ci", "0.9", "--resamples", "50", "--permutations", "19", "--json"};
    const std::string progress = kldiv::test::progress_output(KLDIV_CLI_PATH, args);
    EXPECT_THAT(progress, HasSubstr("bootstrap: 50/50 resamples (100%), "));
    EXPECT_THAT(progress, HasSubstr("permutation test: 19/19 permutations (100%), "));
    // BCa counts the leave-one-out statistics too: one per non-zero count of each side.
    args.insert(args.end(), {"--interval", "bca"});
    EXPECT_THAT(kldiv::test::progress_output(KLDIV_CLI_PATH, args), HasSubstr("bootstrap: 56/56 statistics (100%), "));
}

// The neighbour searches of kNN (the long part of a large sample) report their progress once; the
// bootstrap's resamples report theirs, not each resample's searches.
TEST(CliEstimate, NearestNeighbourProgressGoesToStderrWhenAskedFor) {
    const kldiv::test::scratch_dir dir;
    const auto x = dir.write("x.csv", normal_sample(700, 3, 0.0, 5).first).string();
    const auto y = dir.write("y.csv", normal_sample(500, 3, 0.2, 6).first).string();
    const std::string kl = kldiv::test::progress_output(KLDIV_CLI_PATH, {"estimate", x, y, "--json"});
    EXPECT_THAT(kl, HasSubstr("nearest neighbours: 1400/1400 points (100%), "));  // x in x and x in y
    const std::string entropy =
        kldiv::test::progress_output(KLDIV_CLI_PATH, {"estimate", x, "--measure", "entropy", "--json"});
    EXPECT_THAT(entropy, HasSubstr("nearest neighbours: 700/700 points (100%), "));
    const std::string with_ci =
        kldiv::test::progress_output(KLDIV_CLI_PATH, {"estimate", x, y, "--ci", "0.9", "--resamples", "20", "--json"});
    EXPECT_THAT(with_ci, HasSubstr("bootstrap: 20/20 resamples (100%), "));
    std::size_t searches = 0;
    for (std::size_t at = with_ci.find("nearest neighbours: 1400/1400"); at != std::string::npos;
         at = with_ci.find("nearest neighbours: 1400/1400", at + 1))
        ++searches;
    EXPECT_EQ(searches, 1u) << with_ci;
}

TEST(CliEstimate, HistogramAndCounts) {
    const kldiv::test::scratch_dir dir;
    const auto [x_text, x] = normal_sample(20000, 1, 0.0, 3);
    const auto [y_text, y] = normal_sample(20000, 1, 1.0, 4);
    const auto hist = kldiv_cli({"estimate", dir.write("x.txt", x_text).string(), dir.write("y.txt", y_text).string(),
                                 "--method", "hist", "--json"});
    ASSERT_EQ(hist.exit_code, 0) << hist.err;
    const auto h = nlohmann::json::parse(hist.out);
    EXPECT_NEAR(h.at("kl").get<double>(), 0.5, 0.05);                       // D(N(0,1)‖N(1,1)) = ½
    EXPECT_THAT(h.at("method").get<std::string>(), HasSubstr("jeffreys"));  // the histogram default
    const auto counts = kldiv_cli({"estimate", dir.write("p.csv", "a,10\nb,20\nc,30\n").string(),
                                   dir.write("q.csv", "a,20\nb,20\nc,20\n").string(), "--method", "counts", "--base",
                                   "bits", "--json"});
    ASSERT_EQ(counts.exit_code, 0) << counts.err;
    const auto c = nlohmann::json::parse(counts.out);
    const double p[] = {1.0 / 6, 2.0 / 6, 3.0 / 6};
    double d = 0;
    for (double v : p) d += v * std::log2(v * 3);
    EXPECT_NEAR(c.at("kl").get<double>(), d, 1e-15);
    EXPECT_EQ(c.at("unit"), "bits");
}

TEST(CliEstimate, EntropyAndCrossEntropy) {
    const kldiv::test::scratch_dir dir;
    const auto p = dir.write("p.csv", "a,10\nb,20\nc,30\n"), q = dir.write("q.csv", "a,20\nb,20\nc,20\n");
    const double pk[] = {1.0 / 6, 2.0 / 6, 3.0 / 6};
    double h = 0, cross = 0;
    for (double v : pk) h -= v * std::log(v), cross -= v * std::log(1.0 / 3);
    const auto entropy = kldiv_cli({"estimate", p.string(), "--method", "counts", "--measure", "entropy", "--json"});
    ASSERT_EQ(entropy.exit_code, 0) << entropy.err;
    const auto e = nlohmann::json::parse(entropy.out);
    EXPECT_NEAR(e.at("entropy").get<double>(), h, 1e-15);
    EXPECT_FALSE(e.contains("y"));
    EXPECT_FALSE(e.contains("kl"));
    const auto both = kldiv_cli({"estimate", p.string(), q.string(), "--method", "counts", "--measure", "cross-entropy",
                                 "--ci", "0.9", "--resamples", "50", "--json"});
    ASSERT_EQ(both.exit_code, 0) << both.err;
    const auto c = nlohmann::json::parse(both.out);
    EXPECT_NEAR(c.at("cross_entropy").get<double>(), cross, 1e-15);
    EXPECT_LE(c.at("interval").at("low").get<double>(), c.at("interval").at("high").get<double>());
    const auto [x_text, x] = normal_sample(5000, 1, 0.0, 5);
    const auto knn = kldiv_cli({"estimate", dir.write("x.txt", x_text).string(), "--measure", "entropy"});
    ASSERT_EQ(knn.exit_code, 0) << knn.err;
    EXPECT_THAT(knn.out, HasSubstr("H(X) = 1.4"));  // ½ ln(2πe) = 1.419; sd ≈ 0.015 here
    EXPECT_THAT(knn.out, HasSubstr("Kozachenko-Leonenko"));
    // One sample for the entropy, two for the others; no permutation test of an entropy.
    EXPECT_THAT(kldiv_cli({"estimate", p.string(), q.string(), "--measure", "entropy"}).err,
                HasSubstr("--measure entropy reads X alone"));
    EXPECT_THAT(kldiv_cli({"estimate", p.string()}).err,
                HasSubstr("Y is missing, but --measure kl-divergence needs X and Y"));
    const auto test = kldiv_cli({"estimate", p.string(), q.string(), "--method", "counts", "--measure", "cross-entropy",
                                 "--permutations", "9"});
    EXPECT_EQ(test.exit_code, 1);
    EXPECT_THAT(test.err, HasSubstr("it tests P = Q with D(P||Q) only"));
    EXPECT_EQ(test.out, "");
}

TEST(CliEstimate, BadInput) {
    const kldiv::test::scratch_dir dir;
    const auto one = dir.write("one.csv", "1\n2\n3\n"), two = dir.write("two.csv", "1,2\n3,4\n5,6\n");
    const command_result dims = kldiv_cli({"estimate", one.string(), two.string()});
    EXPECT_EQ(dims.exit_code, 1);
    EXPECT_THAT(dims.err, StartsWith("kldiv estimate: "));
    EXPECT_EQ(dims.out, "");
    const command_result few = kldiv_cli({"estimate", one.string(), one.string(), "--k", "5"});
    EXPECT_EQ(few.exit_code, 1);
    EXPECT_THAT(few.err, HasSubstr("k"));
    EXPECT_EQ(kldiv_cli({"estimate", one.string(), one.string(), "--method", "magic"}).exit_code, 2);
    EXPECT_THAT(kldiv_cli({"estimate", (dir.path() / "missing.csv").string(), one.string()}).err,
                HasSubstr("missing.csv: cannot open it"));
}

// Sizes and levels that crashed, allocated without bound or silently dropped the interval.
TEST(CliEstimate, OutOfRangeOptionsAreRefusedBeforeAnyWork) {
    const kldiv::test::scratch_dir dir;
    const auto [x_text, x] = normal_sample(200, 1, 0.0, 3);
    const auto [y_text, y] = normal_sample(200, 1, 0.3, 4);
    const std::string xf = dir.write("x.csv", x_text).string(), yf = dir.write("y.csv", y_text).string();
    const auto fails = [&](std::vector<std::string> args, int code, const std::string& message) {
        args.insert(args.begin(), {"estimate", xf, yf});
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, code) << message << "\n" << r.err;
        EXPECT_THAT(r.err, HasSubstr(message));
        EXPECT_EQ(r.out, "");
    };
    // SIGSEGV (2^64 − 1 bins), 1.5 GB before the cap (2e8 bins).
    for (const std::string bins : {"18446744073709551615", "200000000", "0"})
        fails({"--method", "hist", "--bins", "fixed", "--bin-count", bins}, 2,
              "--bin-count: Value " + bins + " not in range 1 to 67108864");
    // The rules that need a bin count, without one (the core's message spoke of "bins = 0").
    for (const std::string rule : {"fixed", "quantile"})
        fails({"--method", "hist", "--bins", rule}, 1,
              "--bins " + rule + " is given without --bin-count, but that rule needs the number of bins per axis");
    // 8 GB of statistics up front.
    fails({"--ci", "0.9", "--resamples", "1000000000"}, 2, "--resamples: Value 1000000000 not in range 1 to 10000000");
    fails({"--permutations", "1000000000"}, 2, "--permutations: Value 1000000000 not in range 1 to 10000000");
    // Counts of 1e18 asked std::vector for more than max_size() (its own text reached the user).
    {
        const std::string pf = dir.write("p.csv", "1e18\n5\n").string(), qf = dir.write("q.csv", "3\n4\n").string();
        const command_result r = kldiv_cli({"estimate", pf, qf, "--method", "counts", "--ci", "0.9"});
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_THAT(r.err, HasSubstr("p_counts totals 1e+18 observations, but resampling lists each one (4 bytes) and "
                                     "takes at most 100000000"));
    }
    // No interval, silently.
    for (const std::string level : {"nan", "0", "-1", "1", "1.5"}) {
        const command_result r = kldiv_cli({"estimate", xf, yf, "--ci", level});
        EXPECT_EQ(r.exit_code, 2) << level;  // an option's value: a usage error
        EXPECT_THAT(r.err, HasSubstr("--ci = " + level + ", but a confidence level must be in (0, 1), e.g. 0.95"));
        EXPECT_EQ(r.out, "");
    }
}

TEST(CliEstimate, AHugeThreadCountIsClampedNotFatal) {
    // --threads 4294967295 with a bootstrap: std::bad_alloc escaped a worker and std::terminate aborted.
    const kldiv::test::scratch_dir dir;
    const auto [x_text, x] = normal_sample(100, 1, 0.0, 5);
    const auto [y_text, y] = normal_sample(100, 1, 0.3, 6);
    const std::string xf = dir.write("x.csv", x_text).string(), yf = dir.write("y.csv", y_text).string();
    const command_result one =
        kldiv_cli({"estimate", xf, yf, "--ci", "0.9", "--resamples", "50", "--threads", "1", "--json"});
    const command_result many =
        kldiv_cli({"estimate", xf, yf, "--ci", "0.9", "--resamples", "50", "--threads", "4294967295", "--json"});
    ASSERT_EQ(many.exit_code, 0) << many.err;
    EXPECT_EQ(many.out, one.out);  // the same numbers on any thread count
    // --threads 100000 took 990 MB (a thread each); now at most 1024 threads, each without scratch
    // beyond its items.
    KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS();
    const auto peak = kldiv::test::measure_peak_memory(
        KLDIV_CLI_PATH, {"estimate", xf, yf, "--ci", "0.9", "--resamples", "3000", "--threads", "100000"});
    EXPECT_EQ(peak.exit_code, 0);
    EXPECT_LT(peak.mib, 200.0);
}

TEST(CliEstimate, QuantileBinsBeyondTheDataAreNotAllocated) {
    // --bins quantile --bin-count 67108864 on 10 points peaked at 2.4 GB: bins beyond the N - 1 gaps
    // of the N pooled values are empty, so the rule makes at most N - 1 (docs/measures/estimation.md).
    const kldiv::test::scratch_dir dir;
    const std::string xf = dir.write("x.csv", "0.5\n2.0\n3.5\n1.0\n4.0\n").string();
    const std::string yf = dir.write("y.csv", "6.0\n5.5\n7.0\n9.0\n8.0\n").string();
    const std::vector<std::string> args{"estimate", xf, yf, "--method", "hist", "--bins", "quantile", "--json"};
    auto with_bins = [&](const std::string& count) {
        std::vector<std::string> all = args;
        all.insert(all.end(), {"--bin-count", count});
        return all;
    };
    const command_result capped = kldiv_cli(with_bins("67108864")), exact = kldiv_cli(with_bins("9"));
    ASSERT_EQ(capped.exit_code, 0) << capped.err;
    EXPECT_EQ(capped.out, exact.out);  // the same 9 bins
    KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS();
    const auto peak = kldiv::test::measure_peak_memory(KLDIV_CLI_PATH, with_bins("67108864"));
    EXPECT_EQ(peak.exit_code, 0);
    EXPECT_LT(peak.mib, 64.0);
}

TEST(CliEstimate, AOneLineSampleFileCostsItsBytesAndItsDoubles) {
    // The sample reader kept a view per field (16 bytes each) besides the line and the doubles: a
    // 34 MB line of 4·10^6 numbers peaked at 149 MB, now 71 MB.
    const kldiv::test::scratch_dir dir;
    const std::size_t n = 2'000'000;
    const std::string line = kldiv::test::one_line_of_numbers(n);
    const std::string xf = dir.write("x.csv", line + "\n").string();
    const double file_mib = static_cast<double>(line.size()) / (1 << 20), doubles_mib = 8.0 * n / (1 << 20);
    // One observation of 2·10^6 variables: read whole, then refused by the histogram estimator.
    const std::vector<std::string> args{"estimate", xf, "--measure", "entropy", "--method", "hist"};
    EXPECT_THAT(kldiv_cli(args).err, HasSubstr("2000000 columns"));
    KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS();
    const auto peak = kldiv::test::measure_peak_memory(KLDIV_CLI_PATH, args);
    EXPECT_EQ(peak.exit_code, 1);
    // The program alone takes about 10 MiB.
    EXPECT_LT(peak.mib, file_mib + doubles_mib + 16.0)
        << "file " << file_mib << " MiB, doubles " << doubles_mib << " MiB";
}

TEST(CliEstimate, OutOfRangeNumbersInASampleFileAreErrors) {
    // 1e999, -1e999 and 1e-400 were read as 0.
    const kldiv::test::scratch_dir dir;
    const std::string yf = dir.write("y.csv", "0.1\n0.2\n0.3\n0.4\n0.5\n0.6\n0.7\n").string();
    for (const std::string v : {"1e999", "-1e999", "1e-400"}) {
        const std::string xf = dir.write("x.csv", "0.5\n" + v + "\n0.25\n0.3\n0.1\n0.9\n0.7\n").string();
        const command_result r = kldiv_cli({"estimate", xf, yf});
        EXPECT_EQ(r.exit_code, 1) << v;
        EXPECT_THAT(r.err,
                    HasSubstr("x.csv: line 2, column 1 (field 1): \"" + v + "\" is outside the range of a double"));
        EXPECT_EQ(r.out, "");
    }
}

}  // namespace
