// Tests of `kldiv compare`: golden output, JSON keys and values, every input form, bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/comparison.hpp"
#include "kldiv/divergences.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

using kldiv::test::command_result;
using kldiv::test::read_text;
using kldiv::test::scratch_dir;
using testing::HasSubstr;
using testing::StartsWith;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

TEST(CliCompare, GoldenTable) {
    const command_result r = kldiv_cli({"compare", "--p", "0.2,0.8", "--q", "0.5,0.5"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, read_text(std::string(KLDIV_TEST_DATA) + "/cli/compare-inline.txt"));
    EXPECT_EQ(r.err, "");
}

TEST(CliCompare, JsonKeysAndValues) {
    const command_result r =
        kldiv_cli({"compare", "--p", "0.1,0.2,0.7", "--q", "0.3,0.3,0.4", "--json", "--beta", "0.25"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    const std::vector<double> p{0.1, 0.2, 0.7}, q{0.3, 0.3, 0.4};
    const kldiv::comparison c = kldiv::compare(p, q, {.beta = 0.25});
    EXPECT_EQ(j.at("unit"), "nats");  // nats by default, as in every command and in Python
    EXPECT_EQ(j.at("events"), 3);
    EXPECT_EQ(j.at("entropy_p").get<double>(), c.entropy_p);
    EXPECT_EQ(j.at("entropy_q").get<double>(), c.entropy_q);
    EXPECT_EQ(j.at("cross_entropy_pq").get<double>(), c.cross_entropy_pq);
    EXPECT_EQ(j.at("cross_entropy_qp").get<double>(), c.cross_entropy_qp);
    EXPECT_EQ(j.at("kl_pq").get<double>(), c.kl_pq);
    EXPECT_EQ(j.at("kl_qp").get<double>(), c.kl_qp);
    EXPECT_EQ(j.at("jeffreys").get<double>(), c.jeffreys);
    EXPECT_EQ(j.at("js").get<double>(), c.js);
    EXPECT_EQ(j.at("beta").get<double>(), 0.25);
}

TEST(CliCompare, Units) {
    for (const auto& [base, unit] : std::vector<std::pair<std::string, std::string>>{
             {"nats", "nats"}, {"bits", "bits"}, {"dits", "dits"}, {"3", "base-3 units"}}) {
        const command_result r = kldiv_cli({"compare", "--p", "0.2,0.8", "--q", "0.5,0.5", "--json", "--base", base});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(nlohmann::json::parse(r.out).at("unit"), unit);
    }
    const command_result nats = kldiv_cli({"compare", "--p", "0.2,0.8", "--q", "0.5,0.5", "--base", "nats"});
    EXPECT_THAT(nats.out, HasSubstr("0.192745 nats"));
    EXPECT_THAT(nats.out, HasSubstr("extra nats per event"));
}

TEST(CliCompare, FilesCountsAndLabels) {
    const scratch_dir dir;
    const auto p = dir.write("p.csv", "letter,count\na,2\nb,8\n");
    const auto q = dir.write("q.tsv", "letter\tcount\na\t5\nb\t5\n");
    const command_result r = kldiv_cli({"compare", p.string(), q.string(), "--counts", "--json", "--base", "nats"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j.at("kl_pq").get<double>(), 0.192744757021757429884, 1e-16);
    EXPECT_EQ(j.at("p"), p.string());

    // The same numbers without --counts are not probabilities: an error, naming the rule.
    const command_result raw = kldiv_cli({"compare", p.string(), q.string()});
    EXPECT_EQ(raw.exit_code, 1);
    EXPECT_THAT(raw.err, HasSubstr("sums to 10, but must sum to 1"));

    const auto other = dir.write("other.csv", "letter,count\na,5\nc,5\n");
    const command_result mismatch = kldiv_cli({"compare", p.string(), other.string(), "--counts"});
    EXPECT_EQ(mismatch.exit_code, 1);
    EXPECT_EQ(mismatch.err,
              "kldiv compare: event 1 is 'b' in P but 'c' in Q, but both must list the same events in "
              "the same order\n");
}

// The user's own text quoted in a message keeps its words: a label "beta = 0" is not shown as a flag.
TEST(CliCompare, QuotedUserTextIsNotRewrittenAsFlags) {
    const scratch_dir dir;
    const auto p = dir.write("p.csv", "beta = 0,0.5\nb,0.5\n"), q = dir.write("q.csv", "x,0.5\nb,0.5\n");
    const command_result r = kldiv_cli({"compare", p.string(), q.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "kldiv compare: event 0 is 'beta = 0' in P but 'x' in Q, but both must list the same events in "
              "the same order\n");
}

TEST(CliCompare, InfiniteDivergenceIsTheStringInf) {
    const command_result r =
        kldiv_cli({"compare", "--p", "0.5,0.5,0", "--q", "0.25,0.25,0.5", "--json", "--base", "bits"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("kl_pq").get<double>(), 1.0);
    EXPECT_EQ(j.at("kl_qp"), "inf");
    EXPECT_EQ(j.at("jeffreys"), "inf");
    const command_result smooth =
        kldiv_cli({"compare", "--p", "0.5,0.5,0", "--q", "0.25,0.25,0.5", "--json", "--on-zero", "smooth"});
    ASSERT_EQ(smooth.exit_code, 0) << smooth.err;
    EXPECT_TRUE(nlohmann::json::parse(smooth.out).at("kl_qp").is_number());
}

TEST(CliCompare, BadInputGivesOneLineAndExitCode1) {
    const scratch_dir dir;
    const auto garbage = dir.write("garbage.csv", "0.5\nhello\n");
    const struct {
        std::vector<std::string> args;
        std::string message;
    } cases[] = {
        {{"--p", "0.2,-0.2,1", "--q", "0.3,0.3,0.4"},
         "kldiv compare: p[1] = -0.2, but probabilities must be >= 0; if these are logits, add --input logits"},
        {{"--p", "0.5,nan,0.5", "--q", "0.3,0.3,0.4"}, "kldiv compare: p[1] = nan, but probabilities must be finite"},
        {{"--p", "0.5,0.5", "--q", "0.2,0.3,0.5"}, "has 2 events and Q (--q 0.2,0.3,0.5) has 3"},
        {{"--p", "0.5,0.7", "--q", "0.5,0.5"},
         "kldiv compare: p sums to 1.2, but must sum to 1 within 1e-06 (counts or weights: add --counts to rescale "
         "them)"},
        {{"--p", "0.5,0.5", "--q", "1,0", "--on-zero", "error"}, "p[1] = 0.5 > 0 where q[1] = 0"},
        {{(dir.path() / "missing.csv").string(), "--q", "0.5,0.5"}, "missing.csv"},
        {{garbage.string(), "--q", "0.5,0.5"}, "garbage.csv"},
        {{"--p", "0.5,0.5"}, "kldiv compare: no Q: give a file (CSV/TSV/.npy) or inline values with --q"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"compare"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 1) << c.message;
        EXPECT_THAT(r.err, HasSubstr(c.message));
        EXPECT_THAT(r.err, StartsWith("kldiv compare: "));
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.out, "");
    }
}

TEST(CliCompare, AOneLineFileCostsItsBytesAndItsDoubles) {
    // A one-line CSV held each field as a string with its place (48 bytes a field): a 34 MB line of
    // 4·10^6 numbers peaked at 280 MB. Now the line and the doubles: 71 MB.
    const scratch_dir dir;
    const std::size_t n = 2'000'000;
    const std::string line = kldiv::test::one_line_of_numbers(n);
    const std::string pf = dir.write("p.csv", line + "\n").string();
    const double file_mib = static_cast<double>(line.size()) / (1 << 20), doubles_mib = 8.0 * n / (1 << 20);
    // P is read whole, then refused against a Q of two events.
    const std::vector<std::string> args{"compare", pf, "--q", "0.5,0.5"};
    EXPECT_THAT(kldiv_cli(args).err, HasSubstr("has 2000000 events and Q (--q 0.5,0.5) has 2"));
    KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS();
    const auto peak = kldiv::test::measure_peak_memory(KLDIV_CLI_PATH, args);
    EXPECT_EQ(peak.exit_code, 1);
    // The program alone takes about 10 MiB.
    EXPECT_LT(peak.mib, file_mib + doubles_mib + 16.0)
        << "file " << file_mib << " MiB, doubles " << doubles_mib << " MiB";
}

// Output that cannot be written (stdout closed, a full disk) is an error, not a success.
TEST(CliCompare, AnUnwritableStdoutIsAnError) {
    const command_result r = kldiv::test::run_command(
        "/bin/bash", {"-c", std::string("'") + KLDIV_CLI_PATH + "' compare --p 0.2,0.8 --q 0.5,0.5 --json >&-"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "kldiv: the output could not be written to stdout: Bad file descriptor\n");
}

TEST(CliCompare, UsageErrorsExitWith2) {
    EXPECT_EQ(kldiv_cli({"compare", "--no-such-option"}).exit_code, 2);
    // An option's value against a rule the library checks: a usage error too, named by the flag.
    const command_result beta = kldiv_cli({"compare", "--p", "0.5,0.5", "--q", "0.5,0.5", "--beta", "2"});
    EXPECT_EQ(beta.exit_code, 2);
    EXPECT_EQ(beta.err, "kldiv compare: --beta = 2, but the Jensen-Shannon weight must lie in (0, 1)\n");
    // --epsilon without --on-zero smooth did nothing, silently (Python refused it).
    const command_result epsilon = kldiv_cli({"compare", "--p", "0.2,0.8", "--q", "0.5,0.5", "--epsilon", "2"});
    EXPECT_EQ(epsilon.exit_code, 2);
    EXPECT_EQ(epsilon.err,
              "kldiv compare: --epsilon = 2 is given with --on-zero infinity, but --epsilon is the "
              "smoothing amount of --on-zero smooth and nothing else uses it\n");
    // A unit that is not one: a usage error naming the flag, the value and the rule.
    for (const char* base : {"1", "0.5", "nan", "bitz"}) {
        const command_result r = kldiv_cli({"compare", "--p", "0.2,0.8", "--q", "0.5,0.5", "--base", base});
        EXPECT_EQ(r.exit_code, 2) << base;
        EXPECT_THAT(r.err, StartsWith("--base: ")) << r.err;
        EXPECT_THAT(r.err, HasSubstr("base must be")) << r.err;
        EXPECT_EQ(r.out, "");
    }
    EXPECT_EQ(kldiv_cli({"no-such-command"}).exit_code, 2);
    EXPECT_EQ(kldiv_cli({}).exit_code, 0);  // kldiv alone prints its help (test_cli_help.cpp)
    const command_result help = kldiv_cli({"compare", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_THAT(help.out, HasSubstr("--counts"));
}

}  // namespace

namespace {

TEST(CliCompare, MeasuresAreTheLibrarysDivergences) {
    const std::vector<double> p{0.1, 0.2, 0.7}, q{0.3, 0.3, 0.4};
    const command_result r =
        kldiv_cli({"compare", "--p", "0.1,0.2,0.7", "--q", "0.3,0.3,0.4", "--measure", "renyi-divergence,tv",
                   "--measure", "pearson_chi2", "--alpha", "inf", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("alpha"), "inf");
    EXPECT_FALSE(j.contains("beta"));  // no measure asked for reads it
    const auto& m = j.at("measures");
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].at("measure"), "renyi_divergence");
    EXPECT_EQ(m[0].at("unit"), "nats");
    EXPECT_EQ(m[0].at("value").get<double>(),
              kldiv::divergence(p, q, kldiv::measure::renyi_divergence, {.alpha = INFINITY}));
    EXPECT_NEAR(m[0].at("value").get<double>(), std::log(0.7 / 0.4), 1e-15);  // D_∞ = ln max p/q
    EXPECT_EQ(m[1].at("measure"), "total_variation");
    EXPECT_EQ(m[1].at("unit"), "");
    EXPECT_NEAR(m[1].at("value").get<double>(), 0.3, 1e-15);
    EXPECT_EQ(m[2].at("measure"), "pearson_chi2");
    EXPECT_NEAR(m[2].at("value").get<double>(), 0.04 / 0.3 + 0.01 / 0.3 + 0.09 / 0.4, 1e-15);

    const command_result table =
        kldiv_cli({"compare", "--p", "0.1,0.2,0.7", "--q", "0.3,0.3,0.4", "--measure", "renyi", "--alpha", "2"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out, HasSubstr("  renyi-divergence "));
    EXPECT_THAT(table.out, HasSubstr("nats    Rényi divergence of order 2"));

    const command_result bad_alpha =
        kldiv_cli({"compare", "--p", "0.5,0.5", "--q", "0.5,0.5", "--measure", "skew", "--alpha", "2"});
    EXPECT_EQ(bad_alpha.exit_code, 2);
    EXPECT_THAT(bad_alpha.err, HasSubstr("--alpha = 2, but the weight of Q in skew_divergence must lie in (0, 1]"));
    const command_result bad_name = kldiv_cli({"compare", "--p", "0.5,0.5", "--q", "0.5,0.5", "--measure", "kl,bogus"});
    EXPECT_EQ(bad_name.exit_code, 2);
    EXPECT_THAT(bad_name.err, HasSubstr("--measure: 'bogus', but it must be kl-divergence, reverse-kl"));
}

}  // namespace
