// Tests of `kldiv llm-reference`: a float32 .npy reference (tests/data/llm_compare_numpy.py) saved
// in each encoding, then `kldiv llm-compare FILE CANDIDATE` must agree with `kldiv llm-compare
// INPUT CANDIDATE` within the file's stated bound (docs/formats/kldiv-reference.md): mean and
// largest KL within reference_kl_error_bound(D, delta, dropped mass), perplexity within a factor
// e^{2·delta}; with float32 also within 1e-6 relative. The file's size is the layout's, its token
// ids (from --tokens) are those llm-compare uses, a llama.cpp base file is refused, and --verify's largest
// decode error is within the per-value bound. Bad input (tests/data/llm_reference_inputs.py) gives
// exit code 1, a message naming the file, row, value and rule, and no output file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/io/reference_file.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::io::reference_kl_error_bound;
using kldiv::test::command_result;
using nlohmann::json;
using testing::HasSubstr;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

json json_of(const std::vector<std::string>& args) {
    const command_result r = kldiv_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");  // no progress line when stderr is not a terminal
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
}

std::uint64_t pad8(std::uint64_t x) { return (x + 7) / 8 * 8; }

// The file size the format document gives: a 64-byte header, then chunks of rows_per_chunk rows
// (the last holds the rest), each a 24-byte chunk header and its token ids, q16 anchors and
// values, every section padded to 8 bytes.
std::uint64_t reference_file_size(std::uint64_t rows, std::uint64_t n_vocab, std::uint64_t value_bytes,
                                  std::uint64_t rows_per_chunk, bool tokens, bool anchors) {
    std::uint64_t size = 64;
    for (std::uint64_t first = 0; first < rows; first += rows_per_chunk) {
        const std::uint64_t n = std::min(rows_per_chunk, rows - first);
        size += 24 + (tokens ? pad8(4 * n) : 0) + (anchors ? pad8(4 * n) : 0) + pad8(n * n_vocab * value_bytes);
    }
    return size;
}

// llm-compare through the reference file `via` agrees with llm-compare on the input (`direct`)
// within the bound the file states (`made`, llm-reference's JSON).
void expect_within_stated_bound(const json& via, const json& direct, const json& made) {
    const double delta = made.at("error_bound").at("delta"), dropped = made.at("error_bound").at("dropped_mass");
    for (const char* key : {"mean", "max"}) {
        const double d = direct.at("kl").at(key);
        EXPECT_NEAR(via.at("kl").at(key).get<double>(), d, reference_kl_error_bound(d, delta, dropped) + 1e-12) << key;
    }
    const double ppl = direct.at("perplexity").at("reference").at("mean");
    EXPECT_NEAR(via.at("perplexity").at("reference").at("mean").get<double>() / ppl, 1.0,
                std::expm1(2 * delta) + 1e-12);
    EXPECT_EQ(via.at("scored_with_token"), direct.at("scored_with_token"));
}

// The inputs of tests/data/llm_compare_numpy.py and tests/data/llm_reference_inputs.py, made once.
class CliLlmReference : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new kldiv::test::scratch_dir;
        for (const char* script : {"/llm_compare_numpy.py", "/llm_reference_inputs.py"}) {
            const command_result made = kldiv::test::run_command(
                "/usr/bin/python3", {std::string(KLDIV_TEST_DATA) + script, dir_->path().string()});
            ASSERT_EQ(made.exit_code, 0) << script << ": " << made.err;
        }
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string file(const std::string& name) { return (dir_->path() / name).string(); }

    inline static kldiv::test::scratch_dir* dir_ = nullptr;
};

TEST_F(CliLlmReference, EachEncodingAgreesWithItsInputWithinItsBound) {
    const json direct =
        json_of({"llm-compare", file("ref.npy"), file("cand-*.npy"), "--tokens", file("tokens.npy"), "--json"});
    struct encoding_case {
        std::string encoding, name;
        std::uint64_t value_bytes;
        std::vector<std::string> options;
        double absolute, relative;  // the per-value bound the file must state
    };
    const encoding_case cases[] = {
        {"float32", "f32", 4, {}, 0x1p-150, 0x1p-24},
        {"float16", "f16", 2, {}, 0x1p-25, 0x1p-11},
        {"q16", "q16", 2, {"--rows-per-chunk", "7"}, 0x1p-11, 0},
        {"q16", "q16-coarse", 2, {"--q16-step-log2", "-6"}, 0x1p-7, 0},
    };
    for (const encoding_case& c : cases) {
        SCOPED_TRACE(c.name);
        const std::string out = file(c.name + ".kref");
        std::vector<std::string> args = {"llm-reference", file("ref.npy"),    out,        "--encoding", c.encoding,
                                         "--tokens",      file("tokens.npy"), "--verify", "--json"};
        args.insert(args.end(), c.options.begin(), c.options.end());
        const json made = json_of(args);
        ASSERT_FALSE(made.empty());
        EXPECT_EQ(made.at("rows"), 300);
        EXPECT_EQ(made.at("vocabulary"), 2000);
        EXPECT_EQ(made.at("encoding"), c.encoding);
        EXPECT_EQ(made.at("token_source"), "--tokens");
        EXPECT_EQ(made.at("input").at("format"), "npy float32");
        const std::uint64_t size = fs::file_size(out);
        EXPECT_EQ(made.at("bytes"), size);
        EXPECT_EQ(size,
                  reference_file_size(300, 2000, c.value_bytes, made.at("rows_per_chunk"), true, c.encoding == "q16"));
        EXPECT_DOUBLE_EQ(made.at("compression_ratio").get<double>(),
                         static_cast<double>(fs::file_size(file("ref.npy"))) / size);
        EXPECT_DOUBLE_EQ(made.at("bytes_per_row").get<double>(), size / 300.0);
        const json& bound = made.at("error_bound");
        EXPECT_EQ(bound.at("absolute").get<double>(), c.absolute);
        EXPECT_EQ(bound.at("relative").get<double>(), c.relative);
        EXPECT_EQ(bound.at("dropped_mass").get<double>(), 0.0);
        // delta: q16's half step; the float encodings' relative bound times the largest |ℓ|,
        // at most the rows' span plus ln V.
        const double span = bound.at("largest_span");
        EXPECT_GT(span, 10.0);
        EXPECT_DOUBLE_EQ(bound.at("delta").get<double>(), c.absolute + c.relative * (span + std::log(2000.0)));
        EXPECT_DOUBLE_EQ(bound.at("kl_error_at").at("0.01").get<double>(),
                         reference_kl_error_bound(0.01, bound.at("delta"), 0.0));
        const json& check = made.at("verify");
        EXPECT_LE(check.at("largest_error_to_bound").get<double>(), 1.0);
        EXPECT_LE(check.at("largest_error").get<double>(), bound.at("delta").get<double>());
        EXPECT_EQ(check.at("dropped_values"), 0);
        if (c.encoding == "q16") {  // 600 000 rounding errors reach the half step
            EXPECT_GT(check.at("largest_error").get<double>(), 0.99 * c.absolute);
        }

        const json via = json_of({"llm-compare", out, file("cand-*.npy"), "--json"});
        ASSERT_FALSE(via.empty());
        EXPECT_EQ(via.at("token_source"), "reference");
        EXPECT_EQ(via.at("reference").at("format"), "kldiv reference " + c.encoding);
        expect_within_stated_bound(via, direct, made);
        if (c.encoding == "float32") {
            for (const char* key : {"mean", "max", "min"}) {
                const double d = direct.at("kl").at(key);
                EXPECT_NEAR(via.at("kl").at(key).get<double>(), d, 1e-6 * d) << key;
            }
            EXPECT_EQ(via.at("same_top"), direct.at("same_top"));
        }
    }
}

// A llama.cpp base file is refused: its clamped rows hold floored tokens whose values a kldiv
// reference file cannot mark (docs/llm_reference.md); the message names the file and the reason.
TEST_F(CliLlmReference, LlamaBaseFileIsRefused) {
    const std::string out = file("llama.kref");
    const command_result r = kldiv_cli({"llm-reference", file("llama-base.kld"), out});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr("INPUT " + file("llama-base.kld") + " is a llama.cpp KL base file"));
    EXPECT_THAT(r.err, HasSubstr("a kldiv reference file cannot mark them"));
    EXPECT_FALSE(fs::exists(out));
}

// Shards selected by a pattern become one file; the summary for people; an existing OUTPUT is
// replaced.
TEST_F(CliLlmReference, ShardsHumanSummaryAndReplacedOutput) {
    const std::string out = file("cand.kref");
    dir_->write("cand.kref", "an older file");
    const command_result r = kldiv_cli({"llm-reference", file("cand-*.npy"), out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_THAT(r.out, HasSubstr("300 rows over 2000 tokens, q16 (grid step 2^-10), token ids: none"));
    EXPECT_THAT(r.out, HasSubstr("the input (npy float16, "));
    EXPECT_THAT(r.out, HasSubstr("each log-probability: within 0.000488281 nats"));
    EXPECT_THAT(r.out, HasSubstr("D(reference‖candidate) through this file differs from D through INPUT by at most"));
    EXPECT_EQ(kldiv::test::read_text(out).substr(0, 8), "KLDIVREF");
    const json made = json_of({"llm-reference", file("cand-*.npy"), out, "--json"});
    ASSERT_EQ(made.at("input").at("files").size(), 2u);
    EXPECT_THAT(made.at("input").at("files")[1].get<std::string>(), HasSubstr("cand-1.npy"));
    EXPECT_EQ(made.at("input").at("bytes"), fs::file_size(file("cand-0.npy")) + fs::file_size(file("cand-1.npy")));
}

TEST_F(CliLlmReference, BadInputGivesExitCode1AMessageAndNoFile) {
    const std::string out = file("bad.kref");
    const auto fails = [&](std::vector<std::string> args, const std::string& words) {
        args.insert(args.begin(), "llm-reference");
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 1) << words;
        EXPECT_EQ(r.out, "") << words;
        EXPECT_THAT(r.err, HasSubstr(words));
        EXPECT_FALSE(fs::exists(out)) << words;
        for (const auto& entry : fs::directory_iterator(dir_->path())) {
            EXPECT_THAT(entry.path().filename().string(), testing::Not(HasSubstr(".tmp-"))) << words;
        }
    };
    fails({file("nan.npy"), out}, "nan.npy, row 17: reference_writer: " + out +
                                      ": row 17, column 3: logits value nan, but the values must be finite or -inf");
    fails({file("masked-row.npy"), out}, "masked-row.npy, row 5: ");
    fails({file("masked-row.npy"), out}, "every value is -inf, so the row is no distribution");
    fails({file("good.npy"), out, "--input", "log-probs"}, "but log-probabilities must sum to 1 within");
    fails({file("good.npy"), out, "--tokens", file("tokens-short.npy")},
          "tokens-short.npy has 39 entries, but INPUT has 40 rows: one token id per row");
    fails({file("good.npy"), out, "--tokens", file("tokens-large.npy")},
          "element 9 = 50, but token ids must be -1 (unknown) or in [0, 50), the vocabulary of INPUT");
    fails({file("good.npy"), out, "--tokens", file("tokens-float.npy")}, "must be a 1-D array of integers or booleans");
    fails({file("nothing-*.npy"), out}, "INPUT: " + file("nothing-*.npy") + " matches no file");
    fails({file("tokens-short.npy"), out}, "but a file of model rows must hold float16, float32 or float64");
    const std::string full = kldiv::test::read_text(file("good.npy"));
    dir_->write("cut.npy", full.substr(0, full.size() - 10));
    fails({file("cut.npy"), out}, "cut.npy");
    fails({file("good.npy"), out, "--encoding", "float16", "--q16-step-log2", "-8"},
          "--q16-step-log2 is given, but the encoding is float16");
    // OUTPUT may not be an input; an existing OUTPUT is left as it was by an error.
    const command_result same = kldiv_cli({"llm-reference", file("good.npy"), file("./good.npy")});
    EXPECT_EQ(same.exit_code, 1);
    EXPECT_THAT(same.err, HasSubstr("is the same file as INPUT"));
    EXPECT_EQ(kldiv::test::read_text(file("good.npy")), full);
    dir_->write("bad.kref", "an older file");
    EXPECT_EQ(kldiv_cli({"llm-reference", file("nan.npy"), out}).exit_code, 1);
    EXPECT_EQ(kldiv::test::read_text(out), "an older file");
    fs::remove(out);
    // Usage errors: exit code 2.
    EXPECT_EQ(kldiv_cli({"llm-reference", file("good.npy"), out, "--encoding", "int8"}).exit_code, 2);
    EXPECT_EQ(kldiv_cli({"llm-reference", file("good.npy"), out, "--tokens", file("tokens-short.npy"), "--no-tokens"})
                  .exit_code,
              2);
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliLlmReference, ASmallInputGetsASmallBlockNotTheWholeBuffer) {
    // A 2.4 MB input with --buffer-mib 1024 allocated and filled 1 GiB (twice, with --verify).
    KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS();
    const auto peak = kldiv::test::measure_peak_memory(
        KLDIV_CLI_PATH,
        {"llm-reference", file("ref.npy"), file("small-buffer.kref"), "--buffer-mib", "1024", "--verify"});
    EXPECT_EQ(peak.exit_code, 0);
    EXPECT_LT(peak.mib, 64.0);
}

}  // namespace
