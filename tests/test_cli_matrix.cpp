// Tests of `kldiv matrix`: the .npy it writes is the library's divergence_matrix, NumPy's layout,
// JSON, and bad input (one line, no file left).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/divergence_matrix.hpp"
#include "kldiv/io/matrix_file.hpp"

#include <bit>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/npy_bytes.hpp"
#include "tests/run_command.hpp"

namespace {

using kldiv::test::command_result;
using kldiv::test::scratch_dir;
using testing::HasSubstr;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

// A float64 .npy of rows × cols values.
std::string npy_f8(const std::vector<double>& v, std::size_t rows, std::size_t cols) {
    std::string data;
    for (const double x : v) data += kldiv::test::little_endian_bytes(std::bit_cast<std::uint64_t>(x), 8);
    return kldiv::test::npy(
        kldiv::test::npy_dict("<f8", "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"), data);
}

std::vector<double> random_rows(std::size_t rows, std::size_t cols, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-3.0, 3.0);
    std::vector<double> v(rows * cols);
    for (double& x : v) x = u(rng);
    return v;
}

TEST(CliMatrix, WritesTheLibrarysMatrixAsNpy) {
    const scratch_dir dir;
    const std::size_t n = 6, m = 4, cols = 11;
    const std::vector<double> a = random_rows(n, cols, 1), b = random_rows(m, cols, 2);
    const auto pa = dir.write("a.npy", npy_f8(a, n, cols));
    const auto pb = dir.write("b.npy", npy_f8(b, m, cols));
    const auto out = dir.path() / "d.npy";
    const command_result r = kldiv_cli({"matrix", pa.string(), pb.string(), "--input", "logits", "--measure", "renyi",
                                        "--alpha", "0.5", "--base", "bits", "-o", out.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("rows"), 6);
    EXPECT_EQ(j.at("columns"), 4);
    EXPECT_EQ(j.at("measure"), "renyi_divergence");
    EXPECT_EQ(j.at("unit"), "bits");
    const kldiv::io::matrix_file written = kldiv::io::read_matrix(out);
    ASSERT_TRUE(written.is_double);
    ASSERT_EQ(written.rows, n);
    ASSERT_EQ(written.cols, m);
    std::vector<double> expected(n * m);
    kldiv::divergence_matrix(
        kldiv::matrix_view<const double>(a.data(), n, cols), kldiv::matrix_view<const double>(b.data(), m, cols),
        {expected.data(), n, m}, kldiv::measure::renyi_divergence,
        {.input = kldiv::input_kind::logits, .measure = {.base = kldiv::log_base::bits(), .alpha = 0.5}});
    EXPECT_EQ(written.f64, expected);
    // Every pair of rows of A: symmetric, zero diagonal.
    const command_result square =
        kldiv_cli({"matrix", pa.string(), "--input", "logits", "--measure", "hellinger", "-o", out.string()});
    ASSERT_EQ(square.exit_code, 0) << square.err;
    EXPECT_THAT(square.out, HasSubstr("6 × 6 matrix of hellinger between the rows of"));
    const kldiv::io::matrix_file s = kldiv::io::read_matrix(out);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_EQ(s.f64[i * n + i], 0.0);
        for (std::size_t k = 0; k < n; ++k) EXPECT_EQ(s.f64[i * n + k], s.f64[k * n + i]);
    }
}

TEST(CliMatrix, BadInputLeavesNoFile) {
    const scratch_dir dir;
    const std::vector<double> a = random_rows(3, 4, 3);
    const auto pa = dir.write("a.npy", npy_f8(a, 3, 4));
    const auto out = dir.path() / "d.npy";
    const command_result probs = kldiv_cli({"matrix", pa.string(), "-o", out.string()});
    EXPECT_EQ(probs.exit_code, 1);
    EXPECT_THAT(probs.err, HasSubstr("but probabilities must be >= 0; if these are logits, add --input logits"));
    EXPECT_FALSE(std::filesystem::exists(out));
    const command_result alpha = kldiv_cli(
        {"matrix", pa.string(), "--input", "logits", "--measure", "skew", "--alpha", "0", "-o", out.string()});
    EXPECT_EQ(alpha.exit_code, 2);
    EXPECT_THAT(alpha.err, HasSubstr("--alpha = 0, but the weight of Q in skew_divergence must lie in (0, 1]"));
    const command_result same = kldiv_cli({"matrix", pa.string(), "--input", "logits", "-o", pa.string()});
    EXPECT_NE(same.exit_code, 0);
    EXPECT_THAT(same.err, HasSubstr("--output"));
    EXPECT_FALSE(std::filesystem::exists(out));
    const command_result missing = kldiv_cli({"matrix", pa.string()});
    EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
