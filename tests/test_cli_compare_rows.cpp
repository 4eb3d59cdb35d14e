// Tests of `kldiv compare` on 2-D .npy files (one distribution per row): values against the 1-D
// library on softmax-normalized rows, the summary statistics and their quantiles, the per-row CSV,
// the JSON keys, and bad input (exit code 1, one line, no output file left behind).
// The .npy files are written here byte by byte (format 1.0, numpy/lib/format.py), without NumPy.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/comparison.hpp"
#include "kldiv/discrete.hpp"
#include "kldiv/divergences.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::test::command_result;
using kldiv::test::read_text;
using kldiv::test::scratch_dir;
using testing::HasSubstr;
using testing::StartsWith;

constexpr double inf = std::numeric_limits<double>::infinity();

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

using matrix = std::vector<std::vector<double>>;

std::string little_endian(std::uint64_t v, int bytes) {
    std::string out;
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

// A .npy file, format 1.0: the header dict padded with spaces so that the data starts at a
// multiple of 64 bytes (as numpy writes), then `data`.
std::string npy_file(const std::string& descr, const std::string& shape, bool fortran, const std::string& data) {
    std::string header =
        "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header.push_back('\n');
    return std::string("\x93NUMPY\x01\x00", 8) + little_endian(header.size(), 2) + header + data;
}

std::string f8_bytes(const std::vector<double>& values) {
    std::string out;
    for (double v : values) out += little_endian(std::bit_cast<std::uint64_t>(v), 8);
    return out;
}

// IEEE half precision bits of v, which must be 0 or a normal float16 (e.g. a small integer or half-integer).
std::uint16_t half_bits(double v) {
    if (v == 0.0) return 0;
    int e = 0;
    const double m = std::frexp(std::fabs(v), &e);  // |v| = m · 2^e, m in [0.5, 1)
    const auto exponent = static_cast<std::uint16_t>(e - 1 + 15);
    const auto mantissa = static_cast<std::uint16_t>((2.0 * m - 1.0) * 1024.0);
    return static_cast<std::uint16_t>((v < 0 ? 0x8000 : 0) | (exponent << 10) | mantissa);
}

// `rows` as a 2-D '<f2', '<f4' or '<f8' array, in C order or, with `fortran`, column-major.
std::string npy(const matrix& rows, const std::string& descr, bool fortran = false) {
    const std::size_t r = rows.size(), c = rows.empty() ? 0 : rows[0].size();
    std::string data;
    const auto put = [&](double v) {
        if (descr == "<f2") {
            data += little_endian(half_bits(v), 2);
        } else if (descr == "<f4") {
            data += little_endian(std::bit_cast<std::uint32_t>(static_cast<float>(v)), 4);
        } else {
            data += f8_bytes({v});
        }
    };
    if (fortran) {
        for (std::size_t j = 0; j < c; ++j)
            for (std::size_t i = 0; i < r; ++i) put(rows[i][j]);
    } else {
        for (const auto& row : rows)
            for (double v : row) put(v);
    }
    return npy_file(descr, std::string("(") + std::to_string(r) + ", " + std::to_string(c) + ")", fortran, data);
}

// p = softmax(a / t), in double.
std::vector<double> softmax(const std::vector<double>& a, double t) {
    const double top = *std::max_element(a.begin(), a.end()) / t;
    std::vector<double> p(a.size());
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += p[i] = std::exp(a[i] / t - top);
    for (double& x : p) x /= sum;
    return p;
}

// The per-row CSV: header, then one vector of values per row (the row index is checked).
std::vector<std::vector<double>> parse_csv(const std::string& text, std::string& header) {
    std::istringstream in(text);
    std::getline(in, header);
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(in, line);) {
        std::vector<double> values;
        std::istringstream fields(line);
        std::string field;
        std::getline(fields, field, ',');
        EXPECT_EQ(field, std::to_string(rows.size()));
        while (std::getline(fields, field, ',')) values.push_back(std::strtod(field.c_str(), nullptr));
        rows.push_back(values);
    }
    return rows;
}

// Logits (float32-representable, so that both sides of the test see the same numbers).
matrix random_logits(std::size_t rows, std::size_t cols, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-6.0, 6.0);
    matrix m(rows, std::vector<double>(cols));
    for (auto& row : m)
        for (double& v : row) v = static_cast<float>(u(rng));
    return m;
}

void expect_close(double actual, double expected, const std::string& what, double relative = 1e-12) {
    EXPECT_NEAR(actual, expected, relative * std::max(1.0, std::fabs(expected))) << what;
}

const char* const measure_keys[] = {"kl", "reverse_kl", "js", "entropy_p", "entropy_q", "cross_entropy"};

TEST(CliCompareRows, LogitsMatchTheLibraryOnSoftmaxRows) {
    const scratch_dir dir;
    const matrix a = random_logits(7, 13, 1), b = random_logits(7, 13, 2);
    const double temperature = 1.5, beta = 0.3;
    for (const std::string descr : {"<f4", "<f8"}) {
        const std::string suffix = descr.substr(1);  // f4 or f8
        const auto p = dir.write(std::string("p") + suffix + ".npy", npy(a, descr));
        const auto q = dir.write(std::string("q") + suffix + ".npy", npy(b, descr));
        const auto csv = dir.path() / (std::string("rows") + suffix + ".csv");
        const command_result r =
            kldiv_cli({"compare", p.string(), q.string(), "--input", "logits", "--temperature", "1.5", "--base", "nats",
                       "--beta", "0.3", "--per-row", csv.string(), "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.err, "");

        std::string header;
        const auto rows = parse_csv(read_text(csv), header);
        EXPECT_EQ(header, "row,kl,reverse_kl,js,entropy_p,entropy_q,cross_entropy");
        ASSERT_EQ(rows.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::vector<double> pi = softmax(a[i], temperature), qi = softmax(b[i], temperature);
            const kldiv::comparison c = kldiv::compare(pi, qi, {.beta = beta});
            const double expected[] = {c.kl_pq, c.kl_qp, c.js, c.entropy_p, c.entropy_q, c.cross_entropy_pq};
            ASSERT_EQ(rows[i].size(), 6u);
            for (std::size_t k = 0; k < 6; ++k) {
                // float32 rows may be measured in single precision where it does not cost accuracy
                // beyond that of the input (see batch.hpp); float64 rows agree to 1e-12.
                expect_close(rows[i][k], expected[k], descr + " row " + std::to_string(i) + " " + measure_keys[k],
                             descr == "<f4" ? 1e-6 : 1e-12);
            }
        }

        const auto j = nlohmann::json::parse(r.out);
        EXPECT_EQ(j.at("rows"), 7);
        EXPECT_EQ(j.at("events"), 13);
        EXPECT_EQ(j.at("input"), "logits");
        EXPECT_EQ(j.at("temperature").get<double>(), 1.5);
        EXPECT_EQ(j.at("unit"), "nats");
        EXPECT_EQ(j.at("beta").get<double>(), 0.3);
        EXPECT_EQ(j.at("quantile_method"), "linear");
        EXPECT_EQ(j.at("p"), p.string());
        for (std::size_t k = 0; k < 6; ++k) {
            std::vector<double> column;
            for (const auto& row : rows) column.push_back(row[k]);
            const auto& s = j.at(measure_keys[k]);
            // The CSV holds every digit: its extremes are the summary's, to the bit.
            EXPECT_EQ(s.at("min").get<double>(), *std::min_element(column.begin(), column.end())) << measure_keys[k];
            EXPECT_EQ(s.at("max").get<double>(), *std::max_element(column.begin(), column.end())) << measure_keys[k];
            double sum = 0.0;
            for (double x : column) sum += x;
            expect_close(s.at("mean").get<double>(), sum / 7.0, measure_keys[k]);
            std::sort(column.begin(), column.end());
            EXPECT_EQ(s.at("quantiles").at("0.5").get<double>(), column[3]) << measure_keys[k];  // (7 − 1) · 0.5 = 3
        }
    }
}

TEST(CliCompareRows, Float16Float32Float64FortranAndCOrderAgree) {
    const scratch_dir dir;
    const matrix a = random_logits(5, 9, 3), b = random_logits(5, 9, 4);
    const auto p4 = dir.write("p4.npy", npy(a, "<f4")), q4 = dir.write("q4.npy", npy(b, "<f4"));
    const auto p8 = dir.write("p8.npy", npy(a, "<f8")), q8 = dir.write("q8.npy", npy(b, "<f8"));
    const auto pf = dir.write("pf.npy", npy(a, "<f4", true));
    const auto csv = [&](const fs::path& p, const fs::path& q, const std::string& name) {
        const auto out = dir.path() / name;
        const command_result r = kldiv_cli(
            {"compare", p.string(), q.string(), "--input", "log_probs", "--normalize", "--per-row", out.string()});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return read_text(out);
    };
    const std::string reference = csv(p4, q4, "c.csv");
    EXPECT_EQ(csv(pf, q4, "f.csv"), reference);  // Fortran order is transposed on reading
    // float32 against float64: the float32 side is widened (exactly), as if both were float64.
    EXPECT_EQ(csv(p8, q4, "d.csv"), csv(p8, q8, "dd.csv"));
    EXPECT_EQ(std::count(reference.begin(), reference.end(), '\n'), 6);

    // float16 is read as float32: the same logits give the same values.
    const matrix small{{1.0, -2.0, 0.5, 3.0}, {0.0, 0.25, -1.5, 2.0}};
    const matrix other{{2.0, 1.0, -0.5, 0.0}, {-3.0, 1.0, 1.5, 0.75}};
    const auto h = dir.write("h.npy", npy(small, "<f2")), f = dir.write("f.npy", npy(small, "<f4"));
    const auto o = dir.write("o.npy", npy(other, "<f4"));
    EXPECT_EQ(csv(h, o, "h.csv"), csv(f, o, "f4.csv"));
    const command_result r = kldiv_cli({"compare", h.string(), o.string(), "--input", "logits"});
    EXPECT_THAT(r.out, StartsWith("P = " + h.string() + " (2 rows × 4 events, float16)\n"));
}

// Row i of P is uniform over 2^k events (k = 0..10, shuffled), Q is uniform over all 1024: then
// H(P) = k bits and D(P‖Q) = 10 − k bits, a known set whose quantiles are easy to compute by hand.
TEST(CliCompareRows, QuantilesOfAKnownSet) {
    const scratch_dir dir;
    const int order[] = {7, 0, 10, 3, 5, 1, 9, 2, 8, 4, 6};
    matrix p, q;
    for (int k : order) {
        std::vector<double> row(1024, 0.0);
        for (int i = 0; i < (1 << k); ++i) row[static_cast<std::size_t>(i)] = 1.0 / (1 << k);
        p.push_back(row);
        q.emplace_back(1024, 1.0 / 1024);
    }
    const auto pf = dir.write("p.npy", npy(p, "<f8")), qf = dir.write("q.npy", npy(q, "<f8"));
    const command_result r = kldiv_cli({"compare", pf.string(), qf.string(), "--json", "--base", "bits"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("unit"), "bits");
    EXPECT_EQ(j.at("input"), "probs");
    // numpy.quantile(range(11), [0.01, 0.05, 0.5, 0.95, 0.99]) = 0.1, 0.5, 5, 9.5, 9.9
    const std::vector<std::pair<std::string, double>> expected{
        {"0.01", 0.1}, {"0.05", 0.5}, {"0.5", 5.0}, {"0.95", 9.5}, {"0.99", 9.9}};
    for (const char* key : {"entropy_p", "kl"}) {
        const auto& s = j.at(key);
        EXPECT_NEAR(s.at("mean").get<double>(), 5.0, 1e-12) << key;
        EXPECT_NEAR(s.at("min").get<double>(), 0.0, 1e-12) << key;
        EXPECT_NEAR(s.at("max").get<double>(), 10.0, 1e-12) << key;
        ASSERT_EQ(s.at("quantiles").size(), expected.size());
        for (const auto& [level, value] : expected) {
            EXPECT_NEAR(s.at("quantiles").at(level).get<double>(), value, 1e-12) << key << " " << level;
        }
    }
    EXPECT_NEAR(j.at("entropy_q").at("min").get<double>(), 10.0, 1e-12);
    EXPECT_NEAR(j.at("cross_entropy").at("max").get<double>(), 10.0, 1e-12);  // H(P,Q) = k + (10 − k)

    // The table: the same numbers, 6 significant digits.
    const command_result table = kldiv_cli({"compare", pf.string(), qf.string(), "--base", "bits"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out,
                StartsWith("P = " + pf.string() + " (11 rows × 1024 events, float64)\nQ = " + qf.string() +
                           " (11 rows × 1024 events, float64)\ninput: probabilities; unit: bits; "
                           "JS mixture M = 0.5 P + 0.5 Q\n\n"
                           "  per row          mean         min          p1          p5         p50         p95"
                           "         p99         max\n"));
    EXPECT_THAT(table.out,
                HasSubstr("\n  H(P)                5           0         0.1         0.5           5         9.5"
                          "         9.9          10\n"));
    EXPECT_THAT(table.out, HasSubstr("\nOver 11 rows; quantiles interpolate linearly"));
}

TEST(CliCompareRows, InfiniteDivergencesAreTheStringInf) {
    const scratch_dir dir;
    const matrix p{{0.5, 0.5, 0.0}, {0.25, 0.25, 0.5}, {0.5, 0.5, 0.0}};
    const matrix q{{0.25, 0.25, 0.5}, {0.5, 0.5, 0.0}, {0.5, 0.25, 0.25}};
    const auto pf = dir.write("p.npy", npy(p, "<f8")), qf = dir.write("q.npy", npy(q, "<f8"));
    const auto csv = dir.path() / "rows.csv";
    const command_result r =
        kldiv_cli({"compare", pf.string(), qf.string(), "--json", "--base", "bits", "--per-row", csv.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    const auto& kl = j.at("kl");  // rows: 1, inf, 0.5 bits; sorted 0.5, 1, inf
    EXPECT_EQ(kl.at("mean"), "inf");
    EXPECT_EQ(kl.at("max"), "inf");
    EXPECT_NEAR(kl.at("min").get<double>(), 0.5, 1e-15);
    EXPECT_NEAR(kl.at("quantiles").at("0.5").get<double>(), 1.0, 1e-15);  // h = 1: the larger finite value
    EXPECT_EQ(kl.at("quantiles").at("0.95"), "inf");                      // h = 1.9: between a finite value and inf
    EXPECT_TRUE(j.at("js").at("max").is_number());                        // JS is always finite

    std::string header;
    const auto rows = parse_csv(read_text(csv), header);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1][0], inf);
    EXPECT_THAT(read_text(csv), HasSubstr("\n1,inf,"));

    // --on-zero smooth: every value finite.
    const command_result smooth = kldiv_cli({"compare", pf.string(), qf.string(), "--json", "--on-zero", "smooth"});
    ASSERT_EQ(smooth.exit_code, 0) << smooth.err;
    EXPECT_TRUE(nlohmann::json::parse(smooth.out).at("kl").at("max").is_number());
}

TEST(CliCompareRows, OneDimensionalInputsAreOneRow) {
    const scratch_dir dir;
    // With --input logits, inline values are one row of logits.
    const command_result r =
        kldiv_cli({"compare", "--p", "1,2,3", "--q", "3,2,1", "--input", "logits", "--json", "--base", "nats"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("rows"), 1);
    EXPECT_EQ(j.at("events"), 3);
    const double kl = kldiv::kl_divergence(std::span<const double>(softmax({1, 2, 3}, 1.0)),
                                           std::span<const double>(softmax({3, 2, 1}, 1.0)));
    expect_close(j.at("kl").at("mean").get<double>(), kl, "1-D logits");
    EXPECT_EQ(j.at("kl").at("min"), j.at("kl").at("quantiles").at("0.99"));

    // Without row options, 1-D .npy files keep the single-distribution table.
    const auto p = dir.write("p.npy", npy({{0.2, 0.8}}, "<f8"));
    const std::string one_d = npy_file("<f8", "(2,)", false, f8_bytes({0.2, 0.8}));
    const auto p1 = dir.write("p1.npy", one_d);
    const command_result table = kldiv_cli({"compare", p1.string(), "--q", "0.5,0.5", "--base", "bits"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out, StartsWith("P = " + p1.string() + " (2 events)\n"));
    EXPECT_THAT(table.out, HasSubstr("D(P‖Q)          0.278072 bits"));

    // A 2-D file against a 1-D one: the matrix reader says why.
    const command_result mixed = kldiv_cli({"compare", p.string(), p1.string()});
    EXPECT_EQ(mixed.exit_code, 1);
    EXPECT_EQ(mixed.err,
              "kldiv compare: " + p1.string() +
                  ": npy header field 'shape' is (2,), a 1-D array, but a matrix file needs a 2-D array of "
                  "shape (rows, cols), one distribution per row; make one row of it with a.reshape(1, -1)\n");
}

TEST(CliCompareRows, BadInputGivesOneLineExitCode1AndNoFile) {
    const scratch_dir dir;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const matrix good{{0.5, 0.5, 0.0}, {0.25, 0.25, 0.5}};
    const auto ok = dir.write("ok.npy", npy(good, "<f4"));
    const auto nan_logits = dir.write("nan.npy", npy({{1.0, 2.0, 3.0}, {1.0, nan, 3.0}}, "<f4"));
    const auto inf_logits = dir.write("inf.npy", npy({{1.0, 2.0, 3.0}, {1.0, 2.0, inf}}, "<f4"));
    const auto negative = dir.write("neg.npy", npy({{0.5, 0.5, 0.0}, {0.75, -0.25, 0.5}}, "<f4"));
    const auto unnormalized = dir.write("sum.npy", npy({{0.5, 0.5, 0.0}, {0.5, 0.5, 0.5}}, "<f4"));
    const auto taller = dir.write("taller.npy", npy({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, "<f4"));
    const auto wider = dir.write("wider.npy", npy({{0.5, 0.5, 0.0, 0.0}, {0.25, 0.25, 0.25, 0.25}}, "<f4"));
    const auto text = dir.write("p.csv", "0.5\n0.5\n");
    const auto three_d = dir.write("cube.npy", npy_file("<f4", "(1, 2, 3)", false, std::string(24, '\0')));
    const auto out = dir.path() / "rows.csv";
    const struct {
        std::vector<std::string> args;
        std::string message;
    } cases[] = {
        {{nan_logits.string(), ok.string(), "--input", "logits"},
         "kldiv compare: p[1, 1] = nan, but logits must not be NaN"},
        {{ok.string(), inf_logits.string(), "--input", "logits"},
         "kldiv compare: q[1, 2] = inf, but logits must be < +inf"},
        {{negative.string(), ok.string()}, "kldiv compare: p[1, 1] = -0.25, but probabilities must be >= 0"},
        {{ok.string(), unnormalized.string()},
         "kldiv compare: row 1 of q sums to 1.5, but must sum to 1 within 1e-06 (counts or weights: add --counts to "
         "rescale them)"},
        // Logits read as log-probabilities (e + 1 + 1): the hint names --input logits, not --counts.
        {{taller.string(), taller.string(), "--input", "log-probs"},
         "kldiv compare: row 0 of p (exponentiated) sums to 4.718281828459045, but must sum to 1 within 1e-06 (if "
         "these are logits, not log-probabilities, give --input logits)"},
        {{ok.string(), taller.string()},
         "kldiv compare: P (" + ok.string() + ") is 2 rows × 3 events and Q (" + taller.string() +
             ") is 3 rows × 3 events, but both must have the same shape"},
        {{wider.string(), ok.string()}, "is 2 rows × 4 events and Q"},
        {{ok.string(), "--q", "0.5,0.5,0"},
         "kldiv compare: P (" + ok.string() +
             ") is a 2-D array, one distribution per row, but Q is given inline with --q"},
        {{ok.string(), text.string()}, "kldiv compare: " + text.string() + ": bytes 0-5 are"},
        {{ok.string(), three_d.string()}, "'shape' is (1, 2, 3), a 3-D array, but a matrix file needs a 2-D array"},
        {{ok.string(), ok.string(), "--on-zero", "error", "--input", "probs"},
         ""},  // P = Q: no event outside Q's support
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"compare"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        args.insert(args.end(), {"--per-row", out.string()});
        const command_result r = kldiv_cli(args);
        if (c.message.empty()) {
            EXPECT_EQ(r.exit_code, 0) << r.err;
            fs::remove(out);
            continue;
        }
        EXPECT_EQ(r.exit_code, 1) << c.message;
        EXPECT_THAT(r.err, HasSubstr(c.message));
        EXPECT_THAT(r.err, StartsWith("kldiv compare: "));
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.out, "");
        EXPECT_FALSE(fs::exists(out)) << c.message;
    }
    // An existing file is left as it was, and no temporary is left beside it.
    dir.write("rows.csv", "old\n");
    const command_result r =
        kldiv_cli({"compare", nan_logits.string(), ok.string(), "--input", "logits", "--per-row", out.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(read_text(out), "old\n");
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        EXPECT_THAT(entry.path().filename().string(), testing::Not(HasSubstr(".tmp-")));
    }
    // An option's value against its rule is a usage error (exit 2), named by the flag.
    for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"--temperature", "2"}, "kldiv compare: --temperature = 2, but a temperature applies only to logits"},
             {{"--input", "logits", "--temperature", "0"},
              "kldiv compare: --temperature = 0, but it must be finite and > 0"}}) {
        std::vector<std::string> command{"compare", ok.string(), ok.string()};
        command.insert(command.end(), args.begin(), args.end());
        const command_result r = kldiv_cli(command);
        EXPECT_EQ(r.exit_code, 2) << message;
        EXPECT_THAT(r.err, StartsWith(message));
        EXPECT_EQ(r.out, "");
    }
}

TEST(CliCompareRows, HelpListsTheRowOptions) {
    const command_result help = kldiv_cli({"compare", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_THAT(help.out, HasSubstr("--input"));
    EXPECT_THAT(help.out, HasSubstr("--temperature"));
    EXPECT_THAT(help.out, HasSubstr("--per-row"));
}

}  // namespace

namespace {

// --measure on rows: each column is the library's divergence of the softmax rows; the CSV's header
// names the measures; the JSON has alpha and marks the pure numbers.
TEST(CliCompareRows, MeasuresAreTheLibrarysDivergencesOfTheRows) {
    const scratch_dir dir;
    const matrix a = random_logits(5, 9, 3), b = random_logits(5, 9, 4);
    const auto p = dir.write("p.npy", npy(a, "<f8"));
    const auto q = dir.write("q.npy", npy(b, "<f8"));
    const auto csv = dir.path() / "rows.csv";
    const command_result r =
        kldiv_cli({"compare", p.string(), q.string(), "--input", "logits", "--measure", "renyi,hellinger", "--measure",
                   "skew", "--alpha", "0.75", "--base", "bits", "--per-row", csv.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string header;
    const auto rows = parse_csv(read_text(csv), header);
    EXPECT_EQ(header, "row,renyi_divergence,hellinger,skew_divergence");
    const kldiv::measure asked[] = {kldiv::measure::renyi_divergence, kldiv::measure::hellinger,
                                    kldiv::measure::skew_divergence};
    ASSERT_EQ(rows.size(), 5u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::vector<double> pi = softmax(a[i], 1.0), qi = softmax(b[i], 1.0);
        for (std::size_t k = 0; k < 3; ++k) {
            const double expected =
                kldiv::divergence(pi, qi, asked[k], {.base = kldiv::log_base::bits(), .alpha = 0.75});
            expect_close(rows[i][k], expected, "row " + std::to_string(i) + " " + kldiv::name(asked[k]));
        }
    }
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("alpha").get<double>(), 0.75);
    EXPECT_EQ(j.at("unit"), "bits");
    EXPECT_EQ(j.at("hellinger").at("unit"), "");  // a pure number
    EXPECT_FALSE(j.at("renyi_divergence").contains("unit"));
    EXPECT_FALSE(j.contains("kl"));
    const command_result table =
        kldiv_cli({"compare", p.string(), q.string(), "--input", "logits", "--measure", "total-variation"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out, HasSubstr("unit: nats (total-variation: no unit)"));
    EXPECT_THAT(table.out, HasSubstr("  total-variation "));
}

}  // namespace

namespace {

// float16 probabilities round away from a sum of 1 by up to 2^-11: the command reads them within that,
// as the library does for float16 rows (three thirds in float16 sum to 0.99976).
TEST(CliCompareRows, Float16ProbabilitiesAreCheckedWithinTheirRounding) {
    const scratch_dir dir;
    const matrix thirds(2, std::vector<double>(3, 1.0 / 3.0));
    const auto h = dir.write("h.npy", npy(thirds, "<f2"));
    const command_result r = kldiv_cli({"compare", h.string(), h.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out).at("kl").at("max").get<double>(), 0.0);
    const auto out = dir.path() / "d.npy";
    const command_result m = kldiv_cli({"matrix", h.string(), "--measure", "hellinger", "-o", out.string()});
    EXPECT_EQ(m.exit_code, 0) << m.err;
    const matrix off(1, std::vector<double>{0.5, 0.5, 0.01});  // 1.01: beyond any rounding
    const auto bad = dir.write("bad.npy", npy(off, "<f2"));
    const command_result refused = kldiv_cli({"compare", bad.string(), bad.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, HasSubstr("but must sum to 1 within 0.00048828125"));
}

}  // namespace
