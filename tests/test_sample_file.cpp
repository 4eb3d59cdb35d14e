// read_samples: observations per row from .npy (1-D and 2-D, written by NumPy: tests/data/io/) and
// from delimited text (header, delimiters, comments), and its errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "kldiv/error.hpp"
#include "kldiv/io/sample_file.hpp"
#include "tests/run_command.hpp"

namespace {

using kldiv::io::read_samples;
using testing::ElementsAre;
using testing::HasSubstr;

const std::filesystem::path data_dir = std::filesystem::path(KLDIV_TEST_DATA) / "io";

std::string error_of(const std::filesystem::path& path) {
    try {
        read_samples(path);
    } catch (const kldiv::error& e) {
        return e.what();
    }
    return "no error";
}

TEST(SampleFile, NpyOneAndTwoDimensional) {
    const auto column = read_samples(data_dir / "f8_little.npy");
    EXPECT_EQ(column.rows, 4u);
    EXPECT_EQ(column.cols, 1u);
    EXPECT_THAT(column.values, ElementsAre(0.1, 0.2, 0.3, 0.4));
    const auto matrix = read_samples(data_dir / "f8_2d.npy");
    EXPECT_EQ(matrix.rows, 2u);
    EXPECT_EQ(matrix.cols, 3u);
    EXPECT_THAT(matrix.values, ElementsAre(0, 1, 2, 3, 4, 5));
    EXPECT_THAT(read_samples(data_dir / "f4_big.npy").values, ElementsAre(0.5, 0.25, 0.125, 0.125));
    EXPECT_THAT(error_of(data_dir / "i8.npy"), HasSubstr("read_samples: "));
    EXPECT_THAT(error_of(data_dir / "i8.npy"), HasSubstr("but a sample file must hold float16, float32 or float64"));
}

TEST(SampleFile, DelimitedTextWithHeaderCommentsAndDelimiters) {
    const kldiv::test::scratch_dir dir;
    const auto csv = read_samples(dir.write("x.csv", "\xEF\xBB\xBFx,y\r\n# a comment\r\n1,2\r\n\r\n3, 4e-1\r\n"));
    EXPECT_EQ(csv.rows, 2u);
    EXPECT_EQ(csv.cols, 2u);
    EXPECT_THAT(csv.names, ElementsAre("x", "y"));
    EXPECT_THAT(csv.values, ElementsAre(1, 2, 3, 0.4));
    const auto blanks = read_samples(dir.write("x.txt", "  1   2  3\n4\t5 6\n"));
    EXPECT_EQ(blanks.cols, 3u);
    EXPECT_THAT(blanks.values, ElementsAre(1, 2, 3, 4, 5, 6));
    EXPECT_THAT(read_samples(dir.write("x.tsv", "1.5\t-2\n")).values, ElementsAre(1.5, -2));
    EXPECT_THAT(read_samples(dir.write("one.txt", "0.5\n+1\nnan\n")).values.size(), 3u);
}

TEST(SampleFile, ErrorsNameFileLineAndRule) {
    const kldiv::test::scratch_dir dir;
    EXPECT_THAT(error_of(dir.write("ragged.csv", "1,2\n3\n")),
                HasSubstr("ragged.csv: line 2: 1 fields, but the first line has 2"));
    EXPECT_THAT(error_of(dir.write("bad.csv", "1,2\n3,x\n")),
                HasSubstr("bad.csv: line 2, column 3 (field 2): \"x\" is not a number"));
    EXPECT_THAT(error_of(dir.write("empty.csv", "# nothing\n\n")), HasSubstr("empty.csv: no observations"));
    EXPECT_THAT(error_of(dir.write("header.csv", "a,b\n")), HasSubstr("no observations"));
    EXPECT_THAT(error_of(dir.path() / "missing.csv"), HasSubstr("missing.csv: cannot open it"));
}

// Numbers beyond a double are refused as the distribution reader refuses them, never read as 0
// or ±inf; subnormals are read.
TEST(SampleFile, OutOfRangeNumbersAreErrors) {
    const kldiv::test::scratch_dir dir;
    const std::string rule = " is outside the range of a double (magnitudes from about 4.9e-324 to 1.8e308, or 0)";
    EXPECT_EQ(error_of(dir.write("big.csv", "1,2\n3, 1e999\n")),
              "read_samples: " + (dir.path() / "big.csv").string() + ": line 2, column 4 (field 2): \"1e999\"" + rule);
    EXPECT_THAT(error_of(dir.write("minus.txt", "1\n-1e999\n")),
                HasSubstr("line 2, column 1 (field 1): \"-1e999\"" + rule));
    EXPECT_THAT(error_of(dir.write("tiny.txt", "0.5\n1e-400\n")),
                HasSubstr("line 2, column 1 (field 1): \"1e-400\"" + rule));
    EXPECT_THAT(read_samples(dir.write("subnormal.txt", "1e-310\n0\n")).values, ElementsAre(1e-310, 0.0));
}

// A blank field's place in the message: found by fuzz_npy (the column of a null view was undefined).
TEST(SampleFile, BlankFieldsAreNamedByTheirColumn) {
    const kldiv::test::scratch_dir dir;
    EXPECT_EQ(
        error_of(dir.write("blank.csv", "1,2\n3,  \n")),
        "read_samples: " + (dir.path() / "blank.csv").string() + ": line 2, column 3 (field 2): \"\" is not a number");
    EXPECT_THAT(error_of(dir.write("empty.csv", "1,2\n,4\n")),
                HasSubstr("line 2, column 1 (field 1): \"\" is not a number"));
}

}  // namespace
