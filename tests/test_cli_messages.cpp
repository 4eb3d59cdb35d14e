// Tests of the command's error messages: bytes from files (a .npy dtype, labels, file names) reach
// stderr printable — control characters and bytes that are not UTF-8 as C-style escapes (\x1b, \0,
// \xff), never raw — and a subcommand's own errors are not prefixed twice.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

using kldiv::test::command_result;
using testing::HasSubstr;
using testing::Not;
using namespace std::string_literals;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

// A version 1.0 .npy file whose header is `dict` (padded to 64 bytes), with no data.
std::string npy_with_header(const std::string& dict) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY\x01\x00"s;
    out += static_cast<char>(header.size() & 0xff);
    out += static_cast<char>(header.size() >> 8);
    return out + header;
}

// No raw control character other than the final newline, and no byte that is not UTF-8.
void expect_printable(const std::string& err) {
    ASSERT_FALSE(err.empty());
    for (std::size_t i = 0; i + 1 < err.size(); ++i) {
        const auto c = static_cast<unsigned char>(err[i]);
        EXPECT_FALSE(c < 0x20 || c == 0x7f) << "raw byte " << int(c) << " at " << i << " in " << err;
        EXPECT_NE(c, 0xff) << err;
    }
    EXPECT_EQ(err.back(), '\n');
}

TEST(CliMessages, NpyDtypeBytesAreEscaped) {
    const kldiv::test::scratch_dir dir;
    const auto bad = dir.write(
        "bad.npy", npy_with_header("{'descr': '\x1b[2J\0<f8\xff', 'fortran_order': False, 'shape': (2,), }"s));
    const auto good = dir.write("good.csv", "0.5\n0.5\n");
    const command_result r = kldiv_cli({"compare", bad.string(), good.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("\\x1b[2J\\0<f8\\xff"));
    expect_printable(r.err);
}

TEST(CliMessages, LabelsAndFileNamesAreEscaped) {
    const kldiv::test::scratch_dir dir;
    const auto p = dir.write("p\x1b.csv", "a,0.5\nb\x1b]0;title\x07,0.5\n");
    const auto q = dir.write("q.csv", "a,0.5\nc,0.5\n");
    const command_result r = kldiv_cli({"compare", p.string(), q.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("'b\\x1b]0;title\\x07'"));
    expect_printable(r.err);
    const command_result missing = kldiv_cli({"compare", (dir.path() / "gone\x1b[1m.csv").string(), q.string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_THAT(missing.err, HasSubstr("gone\\x1b[1m.csv"));
    expect_printable(missing.err);
    // explain's table on stdout shows them escaped too (a label "x\x1b[31m" coloured the rest of it).
    const auto same = dir.write("same.csv", "a,0.5\nb\x1b]0;title\x07,0.5\n");
    const command_result table = kldiv_cli({"explain", p.string(), same.string()});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_THAT(table.out, HasSubstr("P = " + (dir.path() / "p\\x1b.csv").string()));
    EXPECT_THAT(table.out, HasSubstr("  b\\x1b]0;title\\x07  "));
    for (const char c : table.out) {
        EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << "raw byte " << int(c);
    }
}

TEST(CliMessages, SubcommandErrorsAreNotPrefixedTwice) {
    const kldiv::test::scratch_dir dir;
    const auto x = dir.write("x.csv", "1\n2\n3\n4\n5\n6\n7\n");
    const command_result r = kldiv_cli({"estimate", x.string(), x.string(), "--measure", "entropy"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, testing::StartsWith("kldiv estimate: Y = "));
    EXPECT_THAT(r.err, Not(HasSubstr("kldiv: kldiv")));
}

TEST(CliMessages, UnsignedOptionsTakeDigitsOnly) {
    // CLI11 read "-1" as 2^64 - 1: --seed -1 ran with seed 18446744073709551615, --k -1 asked for
    // k = 18446744073709551615, --top -1 printed a range up to 1.8e308 in 309 digits.
    const kldiv::test::scratch_dir dir;
    const std::string x = dir.write("x.csv", "1\n2\n3\n4\n5\n6\n7\n").string();
    const std::string p = dir.write("p.csv", "0.25\n0.75\n").string(), q = dir.write("q.csv", "0.5\n0.5\n").string();
    const auto refused = [](const std::vector<std::string>& args, const std::string& message) {
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args[1];
        EXPECT_THAT(r.err, HasSubstr(message)) << args[1];
        EXPECT_EQ(r.out, "");
    };
    refused({"estimate", x, x, "--seed", "-1"}, "--seed: '-1' is not a whole number >= 0");
    refused({"estimate", x, x, "--k", "-1"}, "--k: '-1' is not a whole number >= 0");
    refused({"estimate", x, x, "--seed", "0x10"}, "--seed: '0x10' is not a whole number >= 0");
    refused({"explain", p, q, "--top", "-1"}, "--top: '-1' is not a whole number >= 0");
    refused({"dist", "normal(0, 1)", "normal(1, 1)", "--max-samples", "+5"},
            "--max-samples: '+5' is not a whole number >= 0");
    refused({"estimate", x, x, "--threads", "4294967296"}, "--threads = 4294967296");  // beyond the type
    EXPECT_EQ(kldiv_cli({"estimate", x, x, "--seed", "18446744073709551615", "--k", "2"}).exit_code, 0);
}

}  // namespace
