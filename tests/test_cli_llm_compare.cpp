// Tests of `kldiv llm-compare` on .npy inputs against an independent float64 NumPy computation of
// every statistic (tests/data/llm_compare_numpy.py): float32 reference logits, a float16 candidate
// in two shards (selected by a pattern), token ids with unknowns, a mask. Tolerances: 1e-5 relative
// for means and errors (the float rows' weights are single precision, about 1e-7), the stated
// percentile bound plus that for percentiles; exact for counts and top-k overlaps. Then bad input:
// clear errors, exit code 1 and nothing on stdout. And the memory bound: 192 MB of rows streamed
// with --buffer-mib 16 peak below 80 MiB (the buffer, two or three 16 MB summaries and the
// process itself; measured 68.7).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

using kldiv::test::command_result;
using nlohmann::json;
using testing::HasSubstr;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

void expect_close(const json& got, const json& want, double relative, const std::string& where) {
    ASSERT_TRUE(got.is_number()) << where << ": " << got;
    const double g = got.get<double>(), w = want.get<double>();
    EXPECT_NEAR(g, w, relative * std::fabs(w) + 1e-15) << where;
}

void expect_mean_se(const json& got, const json& want, const std::string& where, double relative = 1e-5) {
    expect_close(got.at("mean"), want.at("mean"), relative, where + ".mean");
    expect_close(got.at("standard_error"), want.at("standard_error"), relative, where + ".standard_error");
}

class CliLlmCompare : public testing::Test {
protected:
    void SetUp() override {
        const command_result made = kldiv::test::run_command(
            "/usr/bin/python3", {KLDIV_TEST_DATA "/llm_compare_numpy.py", dir.path().string()});
        ASSERT_EQ(made.exit_code, 0) << made.err;
        expected = json::parse(kldiv::test::read_text(dir.path() / "expected.json"));
    }
    std::string file(const std::string& name) const { return (dir.path() / name).string(); }

    kldiv::test::scratch_dir dir;
    json expected;
};

TEST_F(CliLlmCompare, StatisticsEqualNumpy) {
    const command_result r =
        kldiv_cli({"llm-compare", file("ref.npy"), file("cand-*.npy"), "--tokens", file("tokens.npy"), "--mask",
                   file("mask.npy"), "--reverse", "--json", "--threads", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j.at("positions"), 300);
    EXPECT_EQ(j.at("vocabulary"), 2000);
    EXPECT_EQ(j.at("scored"), expected.at("positions"));
    EXPECT_EQ(j.at("scored_with_token"), expected.at("positions_with_token"));
    EXPECT_EQ(j.at("token_source"), "--tokens");
    EXPECT_EQ(j.at("candidate").at("format"), "npy float16");
    const json& kl = j.at("kl");
    expect_mean_se(kl, expected.at("kl"), "kl");
    expect_close(kl.at("max"), expected.at("kl").at("max"), 1e-5, "kl.max");
    expect_close(kl.at("min"), expected.at("kl").at("min"), 1e-5, "kl.min");
    for (const auto& [key, want] : expected.at("kl").at("percentiles").items()) {
        const double bound = kl.at("percentile_error").get<double>() + 1e-5 * want.get<double>();
        EXPECT_NEAR(kl.at("percentiles").at(key).get<double>(), want.get<double>(), bound) << "kl " << key;
    }
    EXPECT_EQ(kl.at("median"), kl.at("percentiles").at("50"));
    expect_mean_se(j.at("reverse_kl"), expected.at("reverse_kl"), "reverse_kl");
    const json& dp = j.at("delta_p");
    expect_mean_se(dp, expected.at("delta_p"), "delta_p", 1e-4);
    for (const auto& [key, want] : expected.at("delta_p").at("percentiles").items()) {
        EXPECT_NEAR(dp.at("percentiles").at(key).get<double>(), want.get<double>(), 2e-6) << "delta_p " << key;
    }
    expect_mean_se(j.at("rms_delta_p"), expected.at("rms_delta_p"), "rms_delta_p");
    EXPECT_EQ(j.at("same_top").at("fraction").get<double>(), expected.at("same_top").at("fraction").get<double>());
    for (const char* k : {"5", "10"}) {
        EXPECT_NEAR(j.at("top_k_overlap").at(k).at("mean").get<double>(),
                    expected.at("top_k_overlap").at(k).at("mean").get<double>(), 1e-15);
    }
    EXPECT_FALSE(j.at("top_k_overlap").contains("20"));  // not asked for
    for (const char* key : {"reference", "candidate", "ln_ratio", "ratio", "difference"}) {
        expect_mean_se(j.at("perplexity").at(key), expected.at("perplexity").at(key), std::string("perplexity.") + key);
    }
    expect_close(j.at("perplexity").at("ln_correlation"), expected.at("perplexity").at("ln_correlation"), 1e-6,
                 "ln_correlation");
    // Per candidate file.
    ASSERT_EQ(j.at("files").size(), 2u);
    for (std::size_t f = 0; f < 2; ++f) {
        EXPECT_EQ(j.at("files")[f].at("scored"), expected.at("files")[f].at("positions"));
        expect_close(j.at("files")[f].at("kl").at("mean"), expected.at("files")[f].at("kl_mean"), 1e-5, "file kl");
    }
    EXPECT_THAT(j.at("files")[1].at("file").get<std::string>(), HasSubstr("cand-1.npy"));
    EXPECT_EQ(j.at("files")[1].at("first_position"), 180);
}

// --top-k K: the overlap of the K most likely tokens too, as NumPy's stable argsort gives it.
TEST_F(CliLlmCompare, TopKOverlapOfAnyK) {
    const command_result r = kldiv_cli(
        {"llm-compare", file("ref.npy"), file("cand-*.npy"), "--mask", file("mask.npy"), "--top-k", "20", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    const json& top = j.at("top_k_overlap");
    EXPECT_EQ(top.size(), 3u);
    expect_mean_se(top.at("20"), expected.at("top_k_overlap").at("20"), "top 20", 1e-13);
    const command_result text =
        kldiv_cli({"llm-compare", file("ref.npy"), file("cand-*.npy"), "--mask", file("mask.npy"), "--top-k", "20"});
    EXPECT_THAT(text.out, HasSubstr("\ntop-20 overlap : "));
    for (const char* bad : {"0", "101", "-1"}) {
        const command_result refused = kldiv_cli({"llm-compare", file("ref.npy"), file("cand-*.npy"), "--top-k", bad});
        EXPECT_EQ(refused.exit_code, 2) << bad;
        EXPECT_THAT(refused.err, HasSubstr("--top-k")) << bad;
    }
}

// A vocabulary smaller than k: the overlap is out of the tokens there are (a model against itself
// shares all of them: 100%, not 7 of 10).
TEST_F(CliLlmCompare, TopKOverlapOfAVocabularySmallerThanK) {
    const command_result made = kldiv::test::run_command(
        "/usr/bin/python3", {"-c",
                             "import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(3)"
                             ".normal(size=(40, 7)).astype(np.float32))",
                             file("v7.npy")});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const command_result r = kldiv_cli({"llm-compare", file("v7.npy"), file("v7.npy"), "--top-k", "100", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    for (const char* k : {"5", "10", "100"}) EXPECT_EQ(j.at("top_k_overlap").at(k).at("mean"), 1.0) << k;
}

// The candidate as one safetensors tensor gives the same numbers as its .npy shards.
TEST_F(CliLlmCompare, ProgressGoesToStderrWhenAskedFor) {
    const std::string progress =
        kldiv::test::progress_output(KLDIV_CLI_PATH, {"llm-compare", file("ref.npy"), file("cand-*.npy"), "--json"});
    EXPECT_THAT(progress, HasSubstr("llm-compare: 300/300 positions (100%), "));
    EXPECT_THAT(progress, HasSubstr(" GB/s, "));
}

TEST_F(CliLlmCompare, SafetensorsCandidate) {
    const auto run = [&](const std::string& candidate) {
        const command_result r =
            kldiv_cli({"llm-compare", file("ref.npy"), file(candidate), "--tokens", file("tokens.npy"), "--json"});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out);
    };
    const json st = run("whole.safetensors"), npy = run("cand-*.npy");
    EXPECT_EQ(st.at("candidate").at("format"), "safetensors F16");
    EXPECT_EQ(st.at("kl").at("max"), npy.at("kl").at("max"));
    EXPECT_EQ(st.at("kl").at("percentiles"), npy.at("kl").at("percentiles"));
    EXPECT_NEAR(st.at("kl").at("mean").get<double>(), npy.at("kl").at("mean").get<double>(),
                1e-15 * npy.at("kl").at("mean").get<double>());  // one file against two merged
    EXPECT_EQ(st.at("files").size(), 1u);
}

// A llama.cpp base file as the reference (written by the script from the published layout): its
// token ids give the actual next tokens; its clamped rows' code-0 tokens are one lumped event, the
// script's coarsened KL summed directly.
TEST_F(CliLlmCompare, LlamaBaseFileAsReference) {
    const json want = json::parse(kldiv::test::read_text(dir.path() / "expected-llama.json"));
    const command_result r = kldiv_cli({"llm-compare", file("llama-base.kld"), file("llama-cand.npy"), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j.at("reference").at("format"), "llama.cpp KL base");
    EXPECT_EQ(j.at("token_source"), "reference");
    EXPECT_EQ(j.at("scored"), want.at("rows"));
    EXPECT_EQ(j.at("scored_with_token"), want.at("rows"));
    expect_mean_se(j.at("kl"), want.at("kl"), "kl");
    EXPECT_NEAR(j.at("same_top").at("fraction").get<double>(), want.at("same_top").get<double>(), 1e-12);
    expect_close(j.at("perplexity").at("reference").at("mean"), want.at("ppl_reference"), 1e-5, "ppl_reference");
    // The candidate must have one row per scored position of the base file.
    const command_result wrong = kldiv_cli({"llm-compare", file("llama-base.kld"), file("ref.npy")});
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_THAT(wrong.err, HasSubstr("must match"));
}

// The real llama.cpp files of tests/data/llama-cpp-kld (its README.md: a reference, a Q8_0 candidate
// both as float logits and as llama.cpp's own file, and the exact statistics from both models' float
// logits): every statistic under expected.json's `tolerances` agrees with `exact` within them, for
// each candidate form; PPL(ref) within the logits' ln-ratio bar (1.25 × the mean decode bound of
// ln p(x)), relative. No actual token is floored in these files, and the reports say so.
TEST(CliLlmCompareLlamaCpp, RealFilesAgreeWithTheExactStatistics) {
    const std::string dir = KLDIV_LLAMA_CPP_FIXTURE "/";
    const json expected = json::parse(kldiv::test::read_text(dir + "expected.json"));
    const json& exact = expected.at("exact");
    for (const auto& [candidate, form] : {std::pair{"candidate_logits.npy", "logits"}, {"candidate.kld", "kld"}}) {
        const command_result r = kldiv_cli({"llm-compare", dir + "reference.kld", dir + candidate, "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const json j = json::parse(r.out);
        EXPECT_EQ(j.at("scored"), 126);
        EXPECT_EQ(j.at("scored_with_token"), 126);
        EXPECT_EQ(j.at("floored_next_token"), json({{"reference", 0}, {"candidate", 0}}));
        for (const auto& [key, bar] : expected.at("tolerances").at(form).items()) {
            std::string pointer = "/" + key;
            std::replace(pointer.begin(), pointer.end(), '.', '/');
            const double want = exact.at(json::json_pointer(pointer)).get<double>();
            const double got = key == "same_top.count" ? j.at("same_top").at("fraction").get<double>() * 126
                                                       : j.at(json::json_pointer(pointer)).get<double>();
            const double allowed = bar.contains("relative") ? bar.at("relative").get<double>() * std::fabs(want)
                                                            : bar.at("absolute").get<double>();
            EXPECT_NEAR(got, want, allowed + 1e-12) << candidate << ": " << key;
        }
        const double ppl = exact.at("perplexity").at("reference").at("mean").get<double>();
        const double bar =
            expected.at("tolerances").at("logits").at("perplexity.ln_ratio.mean").at("absolute").get<double>();
        EXPECT_NEAR(j.at("perplexity").at("reference").at("mean").get<double>(), ppl, bar * ppl) << candidate;
    }
    const command_result human = kldiv_cli({"llm-compare", dir + "reference.kld", dir + "candidate.kld"});
    ASSERT_EQ(human.exit_code, 0) << human.err;
    EXPECT_THAT(human.out, HasSubstr("actual token floored        : 0 in the reference, 0 in the candidate"));
}

// The real files, changed in one place: a NaN logit in the .npy candidate at position 70, token 7;
// a candidate .kld whose token at position 70 differs from the reference's. Each error names the
// file, the position and the token.
TEST(CliLlmCompareLlamaCpp, BadCandidatesAreNamedByFileAndPosition) {
    const std::string dir = KLDIV_LLAMA_CPP_FIXTURE "/";
    const kldiv::test::scratch_dir scratch;
    std::string logits = kldiv::test::read_text(dir + "candidate_logits.npy");
    const std::size_t data = logits.size() - std::size_t{126} * 32000 * 4;  // after the .npy header
    const float nan = NAN;
    logits.replace(data + (std::size_t{70} * 32000 + 7) * 4, 4, reinterpret_cast<const char*>(&nan), 4);
    const auto nan_file = scratch.write("nan.npy", logits);
    command_result r = kldiv_cli({"llm-compare", dir + "reference.kld", nan_file.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err,
                HasSubstr("candidate file " + nan_file.string() +
                          " (its row 70), position 70: token id 7 has the value nan, but a logit must be a number"));
    // Row 70 is chunk 1, position 64 + 7, predicting the token at chunk offset 72: id 128 + 72.
    std::string kld = kldiv::test::read_text(dir + "candidate.kld");
    const std::size_t at = 20 + 4 * (128 + 72);
    const std::int32_t other = 123;
    kld.replace(at, 4, reinterpret_cast<const char*>(&other), 4);
    const auto tokens_file = scratch.write("tokens.kld", kld);
    r = kldiv_cli({"llm-compare", dir + "reference.kld", tokens_file.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("position 70: reference file " + dir +
                                 "reference.kld (its row 70) predicts token id 363 and "
                                 "candidate file " +
                                 tokens_file.string() +
                                 " (its row 70) token id 123, but both models "
                                 "must have read the same tokens"));
}

TEST_F(CliLlmCompare, HumanReportAndWithoutTokens) {
    const command_result r = kldiv_cli({"llm-compare", file("ref.npy"), file("cand-*.npy")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("KL divergence D(reference‖candidate)"));
    EXPECT_THAT(r.out, HasSubstr("token ids: none"));
    EXPECT_THAT(r.out, HasSubstr("same top token"));
    EXPECT_THAT(r.out, HasSubstr("Per candidate file"));
    EXPECT_THAT(r.out, testing::Not(HasSubstr("Perplexity")));
    EXPECT_EQ(r.err, "");  // no progress line when stderr is not a terminal
}

// --html: one self-contained page with the two histograms and the --json document embedded; a
// report that cannot be written leaves no file and an error.
TEST_F(CliLlmCompare, HtmlReport) {
    const std::string html = file("report.html");
    const command_result r = kldiv_cli(
        {"llm-compare", file("ref.npy"), file("cand-*.npy"), "--tokens", file("tokens.npy"), "--json", "--html", html});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string page = kldiv::test::read_text(html);
    std::size_t svgs = 0;
    for (std::size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1)) ++svgs;
    EXPECT_EQ(svgs, 2u);
    EXPECT_THAT(page, HasSubstr("Per-token KL divergence"));
    EXPECT_THAT(page, HasSubstr("Per candidate file"));
    EXPECT_THAT(page, HasSubstr("PPL(reference)"));                 // the perplexities, with the tokens given
    EXPECT_THAT(page, testing::Not(HasSubstr("mean reverse KL")));  // not asked for
    EXPECT_THAT(page, testing::Not(HasSubstr("src=")));             // nothing fetched from anywhere
    const std::string open = "<script type=\"application/json\" id=\"llm-compare\">";
    const std::size_t begin = page.find(open) + open.size(), end = page.find("</script>", begin);
    ASSERT_NE(page.find(open), std::string::npos);
    EXPECT_EQ(json::parse(page.substr(begin, end - begin)), json::parse(r.out));
    const command_result bad = kldiv_cli(
        {"llm-compare", file("ref.npy"), file("cand-*.npy"), "--html", (dir.path() / "missing" / "r.html").string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_THAT(bad.err, HasSubstr("r.html"));
}

// Several candidates in one run: one row each, and each one's numbers are those of a run alone.
TEST_F(CliLlmCompare, SeveralCandidatesOneRowEach) {
    const std::vector<std::string> common{"--tokens", file("tokens.npy"), "--reverse-kl", "--js"};
    std::vector<std::string> both{"llm-compare", file("ref.npy"), file("cand-*.npy"), file("ref.npy")};
    both.insert(both.end(), common.begin(), common.end());
    std::vector<std::string> alone{"llm-compare", file("ref.npy"), file("cand-*.npy"), "--json"};
    alone.insert(alone.end(), common.begin(), common.end());

    const std::string html = file("both.html");
    std::vector<std::string> json_args = both;
    json_args.insert(json_args.end(), {"--json", "--html", html});
    const command_result r = kldiv_cli(json_args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j.at("candidates").size(), 2u);
    EXPECT_EQ(j.at("reference").at("input"), file("ref.npy"));
    EXPECT_EQ(j.at("candidates")[0], json::parse(kldiv_cli(alone).out));  // bit for bit
    const json& itself = j.at("candidates")[1];                           // the reference against itself
    EXPECT_EQ(itself.at("kl").at("mean"), 0.0);
    EXPECT_EQ(itself.at("same_top").at("fraction"), 1.0);
    EXPECT_EQ(itself.at("perplexity").at("ratio").at("mean"), 1.0);

    const command_result table = kldiv_cli(both);
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out, HasSubstr("\ncandidate "));
    EXPECT_THAT(table.out, HasSubstr("mean D(cand‖ref)"));
    EXPECT_THAT(table.out, HasSubstr("\n" + file("cand-*.npy") + " "));
    EXPECT_THAT(table.out, HasSubstr("\n" + file("ref.npy") + " "));

    // The page: a table of the candidates, then each one's statistics, every one asked for.
    const std::string page = kldiv::test::read_text(html);
    EXPECT_THAT(page, HasSubstr("Candidates against the reference"));
    for (const char* shown : {"mean reverse KL", "mean JS", "PPL(reference)", "PPL(candidate)", "top-5 overlap"})
        EXPECT_THAT(page, HasSubstr(shown)) << shown;
    std::size_t svgs = 0;
    for (std::size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1)) ++svgs;
    EXPECT_EQ(svgs, 3u);  // KL and Δp of the first; the reference against itself has only Δp (every KL is 0)
}

// A candidate whose vocabulary is padded (two more tokens, at -inf or far below): refused with a
// hint, and with --vocabulary the first tokens of both are compared, renormalized over them.
TEST_F(CliLlmCompare, PaddedVocabulariesAreComparedOverTheSharedTokens) {
    const command_result made = kldiv::test::run_command(
        "/usr/bin/python3",
        {"-c",
         "import numpy as np, sys; d = sys.argv[1]; c = np.load(d + '/ref.npy').astype(np.float32); "
         "c[:, :7] += 0.25; np.save(d + '/plain.npy', c); "
         "np.save(d + '/padded.npy', np.concatenate([c, np.full((c.shape[0], 2), -np.inf, np.float32)], 1))",
         dir.path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const command_result refused = kldiv_cli({"llm-compare", file("ref.npy"), file("padded.npy")});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_EQ(refused.err,
              "kldiv llm-compare: the reference has 300 positions over 2000 tokens and the candidate has 300 positions "
              "over 2002 tokens, "
              "but they must match (if one vocabulary is padded, compare the first tokens of both with --vocabulary "
              "= 2000)\n");
    const command_result plain =
        kldiv_cli({"llm-compare", file("ref.npy"), file("plain.npy"), "--tokens", file("tokens.npy"), "--json"});
    const command_result padded = kldiv_cli({"llm-compare", file("ref.npy"), file("padded.npy"), "--tokens",
                                             file("tokens.npy"), "--json", "--vocabulary", "2000"});
    ASSERT_EQ(padded.exit_code, 0) << padded.err;
    json a = json::parse(plain.out), b = json::parse(padded.out);
    EXPECT_GT(a.at("kl").at("mean").get<double>(), 1e-5);
    EXPECT_EQ(b.at("vocabulary"), 2000);
    for (json* j : {&a, &b}) j->erase("candidate"), j->erase("files");  // the names differ
    EXPECT_EQ(a, b);  // -inf padding carries no mass: the same numbers, bit for bit
    const command_result beyond =
        kldiv_cli({"llm-compare", file("ref.npy"), file("padded.npy"), "--vocabulary", "2001"});
    EXPECT_EQ(beyond.exit_code, 2);  // an option's value: a usage error
    EXPECT_EQ(beyond.err,
              "kldiv llm-compare: --vocabulary = 2001, but the reference has 2000 tokens: the tokens "
              "compared must be in every model\n");
    const command_result one = kldiv_cli({"llm-compare", file("ref.npy"), file("padded.npy"), "--vocabulary", "1"});
    EXPECT_EQ(one.exit_code, 2);
    EXPECT_EQ(one.err,
              "kldiv llm-compare: --vocabulary = 1, but a comparison needs at least 2 tokens (0: the models' "
              "own)\n");
}

TEST_F(CliLlmCompare, BadInputGivesClearErrorsAndNoOutput) {
    const auto fails = [&](const std::vector<std::string>& args, const std::string& words) {
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 1) << words;
        EXPECT_EQ(r.out, "") << words;
        EXPECT_THAT(r.err, HasSubstr(words));
    };
    // Positions differ: one shard against the whole reference.
    fails({"llm-compare", file("ref.npy"), file("cand-0.npy")}, "must match");
    // Token ids of another length (the mask has 300 entries, the candidate 180 rows).
    fails({"llm-compare", file("cand-0.npy"), file("cand-0.npy"), "--tokens", file("tokens.npy")},
          "the token ids has 300 entries, but the models have 180 positions");
    // Nothing to score: a mask of zeros printed nan everywhere with exit 0.
    const command_result made = kldiv::test::run_command(
        "/usr/bin/python3",
        {"-c", "import numpy as np, sys; np.save(sys.argv[1], np.zeros(300, np.uint8))", file("none.npy")});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    fails({"llm-compare", file("ref.npy"), file("cand-*.npy"), "--mask", file("none.npy")},
          "kldiv llm-compare: the mask leaves out all 300 positions, so nothing is compared\n");
    // A truncated file.
    const std::string full = kldiv::test::read_text(dir.path() / "cand-1.npy");
    const auto cut = dir.write("cut.npy", full.substr(0, full.size() - 10));
    fails({"llm-compare", file("cand-1.npy"), cut.string()}, "cut.npy");
    // Not a model file; no match for a pattern.
    fails({"llm-compare", file("expected.json"), file("ref.npy")}, "not a .npy array");
    fails({"llm-compare", file("ref.npy"), file("nothing-*.npy")}, "matches no file");
    // A 1-D array as rows; a float array as token ids.
    fails({"llm-compare", file("tokens.npy"), file("tokens.npy")},
          "but a file of model rows must hold float16, float32 or float64");
    fails({"llm-compare", file("ref.npy"), file("cand-*.npy"), "--tokens", file("ref.npy")},
          "must be a 1-D array of integers or booleans");
}

TEST(CliLlmCompareMemory, ALongStreamStaysWithinTheBound) {
    const kldiv::test::scratch_dir dir;
    KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS();
    const std::string script = KLDIV_TEST_DATA "/llm_compare_memory.py";
    const command_result made = kldiv::test::run_command("/usr/bin/python3", {script, "write", dir.path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const command_result r =
        kldiv::test::run_command("/usr/bin/python3", {script, "measure", KLDIV_CLI_PATH, dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream fields(r.out);
    double peak_mib = 0;
    int scored = 0;
    fields >> peak_mib >> scored;
    EXPECT_EQ(scored, 2400);
    EXPECT_GT(peak_mib, 16.0);  // the buffer was used
    EXPECT_LT(peak_mib, 80.0);  // while the input is 192 MB
}

}  // namespace
