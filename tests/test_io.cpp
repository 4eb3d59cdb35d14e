// Tests for include/kldiv/io/distribution_file.hpp: every accepted format and every error path.
// .npy files are built here byte by byte from the published format (numpy/lib/format.py), so the
// tests do not need NumPy; tests/data/io/*.npy, written by NumPy itself (make_npy.py), check that
// the reader agrees with real files.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/distribution_file.hpp"
#include "src/io/input_file.hpp"
#include "tests/npy_bytes.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::io::labeled_vector;
using kldiv::io::parse_values;
using kldiv::io::read_distribution;
using kldiv::test::big_endian_bytes;
using kldiv::test::little_endian_bytes;
using kldiv::test::npy;
using kldiv::test::npy_dict;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const fs::path data_dir = fs::path(KLDIV_TEST_DATA) / "io";

// The message of the kldiv::error that `f` throws (the test fails if it throws nothing or another type).
std::string error_of(const std::function<void()>& f, const std::string& function = "read_distribution") {
    try {
        f();
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), function);
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected kldiv::error, got another exception: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected kldiv::error, nothing was thrown";
    return {};
}

// ----- .npy bytes, from the published format ------------------------------------------------------

std::string f8_le(std::initializer_list<double> values) {
    std::string out;
    for (double v : values) out += little_endian_bytes(std::bit_cast<std::uint64_t>(v), 8);
    return out;
}

std::string f8_be(std::initializer_list<double> values) {
    std::string out;
    for (double v : values) out += big_endian_bytes(std::bit_cast<std::uint64_t>(v), 8);
    return out;
}

std::string f4_le(std::initializer_list<float> values) {
    std::string out;
    for (float v : values) out += little_endian_bytes(std::bit_cast<std::uint32_t>(v), 4);
    return out;
}

std::string f4_be(std::initializer_list<float> values) {
    std::string out;
    for (float v : values) out += big_endian_bytes(std::bit_cast<std::uint32_t>(v), 4);
    return out;
}

// ----- a private temporary directory per test -------------------------------------------------------

class IoTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "kldiv_test_io_XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // Writes `bytes` exactly as given and returns the path.
    fs::path write(const std::string& name, std::string_view bytes) {
        const fs::path path = dir_ / name;
        std::ofstream out(path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        EXPECT_TRUE(out.good());
        return path;
    }

    labeled_vector read_bytes(const std::string& name, std::string_view bytes) {
        return read_distribution(write(name, bytes));
    }

    std::string error_for(const std::string& name, std::string_view bytes) {
        const fs::path path = write(name, bytes);
        const std::string message = error_of([&] { read_distribution(path); });
        EXPECT_THAT(message, HasSubstr(path.string())) << "the message must name the file";
        return message;
    }

    fs::path dir_;
};

// ===== .npy: accepted files =========================================================================

TEST_F(IoTest, NpyLittleEndianFloat64) {
    const labeled_vector v = read_bytes("p.npy", npy(npy_dict("<f8", "(3,)"), f8_le({0.25, 0.5, 0.25})));
    EXPECT_THAT(v.values, ElementsAre(0.25, 0.5, 0.25));
    EXPECT_THAT(v.labels, IsEmpty());
}

TEST_F(IoTest, NpyBigEndianFloat64) {
    const labeled_vector v = read_bytes("p.npy", npy(npy_dict(">f8", "(2,)"), f8_be({0.1, 0.9})));
    EXPECT_THAT(v.values, ElementsAre(0.1, 0.9));
}

TEST_F(IoTest, NpyFloat32BothByteOrdersWidenExactly) {
    const float third = 1.0f / 3.0f;
    EXPECT_THAT(read_bytes("le.npy", npy(npy_dict("<f4", "(2,)"), f4_le({third, 0.5f}))).values,
                ElementsAre(static_cast<double>(third), 0.5));
    EXPECT_THAT(read_bytes("be.npy", npy(npy_dict(">f4", "(2,)"), f4_be({third, 0.5f}))).values,
                ElementsAre(static_cast<double>(third), 0.5));
}

TEST_F(IoTest, NpyVersions2And3) {
    EXPECT_THAT(read_bytes("v2.npy", npy(npy_dict("<f8", "(2,)"), f8_le({0.3, 0.7}), 2)).values, ElementsAre(0.3, 0.7));
    EXPECT_THAT(read_bytes("v3.npy", npy(npy_dict("<f8", "(2,)"), f8_le({0.3, 0.7}), 3)).values, ElementsAre(0.3, 0.7));
}

TEST_F(IoTest, NpyHeaderSyntaxVariantsPythonAccepts) {
    // Other key order, double quotes, no trailing comma, a Python 2 long, no padding or newline.
    const std::string d = R"({"shape": (2L,), "fortran_order": False, "descr": "<f8"})";
    EXPECT_THAT(read_bytes("a.npy", npy(d, f8_le({1.0, 2.0}), 1, false)).values, ElementsAre(1.0, 2.0));
    // fortran_order True is irrelevant for 1-D data.
    const std::string f = "{'descr': '<f8', 'fortran_order': True, 'shape': (1,)}";
    EXPECT_THAT(read_bytes("b.npy", npy(f, f8_le({4.0}))).values, ElementsAre(4.0));
}

TEST_F(IoTest, NpyDetectedByMagicWhateverTheExtension) {
    EXPECT_THAT(read_bytes("p.bin", npy(npy_dict("<f8", "(2,)"), f8_le({0.5, 0.5}))).values, ElementsAre(0.5, 0.5));
    EXPECT_THAT(read_bytes("p.csv", npy(npy_dict("<f8", "(1,)"), f8_le({1.0}))).values, ElementsAre(1.0));
}

TEST_F(IoTest, NpyKeepsSpecialValuesForTheMeasuresToJudge) {
    const double inf = std::numeric_limits<double>::infinity();
    const labeled_vector v = read_bytes("p.npy", npy(npy_dict("<f8", "(4,)"), f8_le({-0.5, inf, std::nan(""), 0.0})));
    ASSERT_EQ(v.values.size(), 4u);
    EXPECT_EQ(v.values[0], -0.5);
    EXPECT_EQ(v.values[1], inf);
    EXPECT_TRUE(std::isnan(v.values[2]));
}

TEST_F(IoTest, NpyLargerThanOneReadChunk) {
    std::string data;
    const std::size_t n = 20000;  // 160 000 bytes: several 64 KiB chunks
    for (std::size_t i = 0; i < n; ++i)
        data += little_endian_bytes(std::bit_cast<std::uint64_t>(static_cast<double>(i)), 8);
    const labeled_vector v = read_bytes("big.npy", npy(npy_dict("<f8", "(20000,)"), data));
    ASSERT_EQ(v.values.size(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(v.values[i], static_cast<double>(i));
}

TEST(NpyWrittenByNumpy, Float64LittleEndian) {
    EXPECT_THAT(read_distribution(data_dir / "f8_little.npy").values, ElementsAre(0.1, 0.2, 0.3, 0.4));
}

TEST(NpyWrittenByNumpy, Float32BigEndian) {
    EXPECT_THAT(read_distribution(data_dir / "f4_big.npy").values, ElementsAre(0.5, 0.25, 0.125, 0.125));
}

TEST(NpyWrittenByNumpy, Version2) {
    EXPECT_THAT(read_distribution(data_dir / "f8_version2.npy").values, ElementsAre(1.0, 2.0, 3.0));
}

TEST(NpyWrittenByNumpy, TwoDimensionalIsRefused) {
    const std::string m = error_of([] { read_distribution(data_dir / "f8_2d.npy"); });
    EXPECT_THAT(m, HasSubstr("'shape' is (2, 3), a 2-D array, but a distribution file needs a 1-D array"));
}

TEST(NpyWrittenByNumpy, IntegerDtypeIsRefused) {
    const std::string m = error_of([] { read_distribution(data_dir / "i8.npy"); });
    EXPECT_THAT(m,
                HasSubstr("'descr' is '<i8' (int64), but a distribution file must hold float16, float32 or float64"));
}

// ===== .npy: errors ===============================================================================

TEST_F(IoTest, NpyWrongMagic) {
    std::string bytes = npy(npy_dict("<f8", "(1,)"), f8_le({1.0}));
    bytes[0] = 'X';
    EXPECT_THAT(error_for("p.npy", bytes),
                HasSubstr("bytes 0-5 are 'XNUMPY', but an npy file starts with the magic string"));
    EXPECT_THAT(error_for("q.npy", "0.5\n0.5\n"), HasSubstr("bytes 0-5 are '0.5\\n0.'"));
}

TEST_F(IoTest, NpyTruncatedAnywhere) {
    const std::string whole = npy(npy_dict("<f8", "(3,)"), f8_le({0.2, 0.3, 0.5}));  // 128 + 24 bytes
    EXPECT_THAT(error_for("a.npy", ""), HasSubstr("0 bytes long, too short for an npy file"));
    EXPECT_THAT(error_for("b.npy", whole.substr(0, 4)), HasSubstr("4 bytes long, too short for an npy file"));
    EXPECT_THAT(error_for("c.npy", whole.substr(0, 7)), HasSubstr("ends inside the version field"));
    EXPECT_THAT(error_for("d.npy", whole.substr(0, 9)), HasSubstr("ends inside the header length field (bytes 8-9)"));
    EXPECT_THAT(
        error_for("e.npy", whole.substr(0, 60)),
        HasSubstr("the header length field (bytes 8-9) says 118 bytes, but only 50 bytes follow (truncated file?)"));
    EXPECT_THAT(error_for("f.npy", whole.substr(0, 140)),
                HasSubstr("which needs 24 data bytes after the header (from byte offset 128), but the file has 12 "
                          "(truncated file, or a wrong shape)"));
}

TEST_F(IoTest, NpyExtraBytesAfterTheData) {
    EXPECT_THAT(
        error_for("p.npy", npy(npy_dict("<f8", "(1,)"), f8_le({0.5, 0.5}))),
        HasSubstr("needs 8 data bytes after the header (from byte offset 128), but the file has 16 (extra bytes"));
}

TEST_F(IoTest, NpyVersionMustExist) {
    std::string v4 = npy(npy_dict("<f8", "(1,)"), f8_le({1.0}));
    v4[6] = 4;
    EXPECT_THAT(error_for("a.npy", v4),
                HasSubstr("bytes 6-7 give npy format version 4.0, but only versions 1.0, 2.0 and 3.0 exist"));
    std::string v11 = npy(npy_dict("<f8", "(1,)"), f8_le({1.0}));
    v11[7] = 1;
    EXPECT_THAT(error_for("b.npy", v11), HasSubstr("version 1.1"));
}

TEST_F(IoTest, NpyDtypeMustBeAFloat) {
    // float16 (either byte order) widens exactly, as in every other .npy reader: 0.25 = 0x3400, 0.75 = 0x3a00.
    const fs::path half = dir_ / "half.npy";
    std::ofstream(half, std::ios::binary) << npy(npy_dict("<f2", "(2,)"), std::string("\x00\x34\x00\x3a", 4));
    EXPECT_EQ(kldiv::io::read_distribution(half).values, (std::vector<double>{0.25, 0.75}));
    std::ofstream(half, std::ios::binary) << npy(npy_dict(">f2", "(2,)"), std::string("\x34\x00\x3a\x00", 4));
    EXPECT_EQ(kldiv::io::read_distribution(half).values, (std::vector<double>{0.25, 0.75}));
    EXPECT_THAT(error_for("a.npy", npy(npy_dict("<i8", "(2,)"), std::string(16, '\0'))),
                HasSubstr("'descr' is '<i8' (int64), but a distribution file must hold float16, float32 or float64 "
                          "('<f2', '<f4', '<f8', '>f2', '>f4', '>f8'); convert it with a.astype(numpy.float64)"));
    EXPECT_THAT(error_for("b.npy", npy(npy_dict("<i4", "(2,)"), std::string(8, '\0'))), HasSubstr("'<i4' (int32)"));
    EXPECT_THAT(error_for("c.npy", npy(npy_dict("|b1", "(2,)"), std::string(2, '\0'))), HasSubstr("'|b1' (bool)"));
    EXPECT_THAT(error_for("d.npy", npy(npy_dict("<c16", "(1,)"), std::string(16, '\0'))), HasSubstr("(complex128)"));
    EXPECT_THAT(error_for("e.npy", npy(npy_dict("<U3", "(1,)"), std::string(12, '\0'))), HasSubstr("(unicode string)"));
    EXPECT_THAT(error_for("f.npy", npy(npy_dict("float64", "(1,)"), f8_le({1.0}))), HasSubstr("'descr' is 'float64'"));
    const std::string structured = "{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (1,), }";
    EXPECT_THAT(
        error_for("g.npy", npy(structured, f8_le({1.0, 2.0}))),
        HasSubstr("'descr' is a structured dtype (a list of fields), but only plain float arrays are supported"));
}

TEST_F(IoTest, NpyShapeMustBeOneDimensional) {
    EXPECT_THAT(error_for("a.npy", npy(npy_dict("<f8", "(2, 2)"), f8_le({1, 2, 3, 4}))),
                HasSubstr("'shape' is (2, 2), a 2-D array, but a distribution file needs a 1-D array of shape (n,); "
                          "flatten one row or column with a.ravel()"));
    EXPECT_THAT(error_for("b.npy", npy(npy_dict("<f8", "(1, 1, 2)"), f8_le({1, 2}))), HasSubstr("a 3-D array"));
    EXPECT_THAT(error_for("c.npy", npy(npy_dict("<f8", "()"), f8_le({1}))), HasSubstr("'shape' is (), a 0-D array"));
    EXPECT_THAT(error_for("d.npy", npy(npy_dict("<f8", "(0,)"), "")),
                HasSubstr("'shape' is (0,): the array holds no values"));
}

TEST_F(IoTest, NpyHostileShapeDoesNotAllocate) {
    // 10^15 float64 would be 8 PB: the size check must come first (bad_alloc would fail error_of).
    EXPECT_THAT(
        error_for("a.npy", npy(npy_dict("<f8", "(1000000000000000,)"), f8_le({1.0}))),
        HasSubstr("needs 8000000000000000 data bytes after the header (from byte offset 128), but the file has 8"));
    EXPECT_THAT(error_for("b.npy", npy(npy_dict("<f8", "(9223372036854775807,)"), f8_le({1.0}))),
                HasSubstr("whose size in bytes does not fit in 64 bits"));
    EXPECT_THAT(error_for("c.npy", npy(npy_dict("<f8", "(4294967296, 4294967296)"), "")),
                HasSubstr("whose element count does not fit in 64 bits"));
    EXPECT_THAT(error_for("d.npy", npy(npy_dict("<f8", "(99999999999999999999999,)"), "")),
                HasSubstr("'shape' has a dimension too large for 64 bits"));
    // A header length of 2^31 with a v2 file: refused before reading it.
    std::string v2 = npy(npy_dict("<f8", "(1,)"), f8_le({1.0}), 2);
    v2.replace(8, 4, little_endian_bytes(0x80000000u, 4));
    EXPECT_THAT(error_for("e.npy", v2), HasSubstr("says 2147483648 bytes, but headers over 1048576 bytes are refused"));
}

TEST_F(IoTest, NpyHeaderDictSyntax) {
    auto bad = [&](const std::string& d) { return error_for("p.npy", npy(d, f8_le({1.0}))); };
    EXPECT_THAT(bad("['descr', '<f8']"),
                HasSubstr("npy header, byte offset 10: expected '{' at the start of the header dict"));
    EXPECT_THAT(bad("{'descr' '<f8', 'fortran_order': False, 'shape': (1,)}"),
                HasSubstr("byte offset 19: expected ':' after the key 'descr', found ''<f8', 'fort'"));
    EXPECT_THAT(bad("{'descr': '<f8', 'shape': (1,)}"), HasSubstr("npy header lacks the key 'fortran_order'"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}"),
                HasSubstr("unexpected key 'extra' (an npy header holds exactly 'descr', 'fortran_order' and 'shape')"));
    EXPECT_THAT(bad("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}"),
                HasSubstr("the key 'descr' appears twice"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}"),
                HasSubstr("'fortran_order' must be True or False, found '0, 'shape': '"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1)}"),
                HasSubstr("'shape' is (1), which Python reads as an integer, not a tuple (write (1,))"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}"),
                HasSubstr("'shape' must be a tuple of integers such as (3,)"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}"),
                HasSubstr("'shape' has a negative dimension, but dimensions must be >= 0"));
    EXPECT_THAT(
        bad("{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}"),
        HasSubstr("byte offset 27: expected '}' or ',' after a value in the header dict, found 'fortran_orde'"));
    EXPECT_THAT(bad("{'descr': '<f8}"), HasSubstr("the string opened here is not closed"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk"), HasSubstr("unexpected 'junk"));
    EXPECT_THAT(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)"),
                HasSubstr("expected '}' or ',' after a value in the header dict"));
}

// ===== delimited text: accepted files ===============================================================

TEST(TextFiles, OneColumn) {
    const labeled_vector v = read_distribution(data_dir / "column.txt");
    EXPECT_THAT(v.values, ElementsAre(0.1, 0.2, 0.7));
    EXPECT_THAT(v.labels, IsEmpty());
}

TEST(TextFiles, OneColumnWithHeaderCommentsAndBlankLines) {
    const labeled_vector v = read_distribution(data_dir / "column_header.csv");
    EXPECT_THAT(v.values, ElementsAre(0.25, 0.75));
    EXPECT_THAT(v.labels, IsEmpty());
}

TEST(TextFiles, OneRowWithSpacesAfterCommas) {
    EXPECT_THAT(read_distribution(data_dir / "row.csv").values, ElementsAre(0.2, 0.3, 0.5));
}

TEST(TextFiles, OneRowTsvWithHeaderGivesLabels) {
    const labeled_vector v = read_distribution(data_dir / "row_header.tsv");
    EXPECT_THAT(v.values, ElementsAre(0.5, 0.3, 0.2));
    EXPECT_THAT(v.labels, ElementsAre("sun", "rain", "snow"));
}

TEST(TextFiles, LabelValueWithHeaderQuotesAndPlusSign) {
    const labeled_vector v = read_distribution(data_dir / "label_value.csv");
    EXPECT_THAT(v.values, ElementsAre(0.5, 0.25, 0.25));
    EXPECT_THAT(v.labels, ElementsAre("Smith, J.", "say \"hi\"", "plain label"));
}

TEST(TextFiles, SemicolonSeparated) {
    const labeled_vector v = read_distribution(data_dir / "semicolon.csv");
    EXPECT_THAT(v.values, ElementsAre(0.5, 0.5));
    EXPECT_THAT(v.labels, ElementsAre("x", "y"));
}

TEST(TextFiles, WhitespaceSeparated) {
    EXPECT_THAT(read_distribution(data_dir / "whitespace.txt").values, ElementsAre(0.1, 0.2, 0.7));
}

TEST(TextFiles, TwoNumericColumnsAreLabelValue) {
    const labeled_vector v = read_distribution(data_dir / "numeric_labels.csv");
    EXPECT_THAT(v.values, ElementsAre(10.0, 20.0, 30.0));
    EXPECT_THAT(v.labels, ElementsAre("1", "2", "3"));
}

TEST(TextFiles, SpecialValuesAreParsedNotJudged) {
    const labeled_vector v = read_distribution(data_dir / "special_values.txt");
    ASSERT_EQ(v.values.size(), 4u);
    EXPECT_TRUE(std::isnan(v.values[0]));
    EXPECT_EQ(v.values[1], std::numeric_limits<double>::infinity());
    EXPECT_EQ(v.values[2], -std::numeric_limits<double>::infinity());
    EXPECT_EQ(v.values[3], 1e-300);
}

TEST_F(IoTest, WindowsLineEndingsAndByteOrderMark) {
    const labeled_vector v = read_bytes("w.csv", "\xEF\xBB\xBFletter,count\r\na,1\r\nb,3\r\n");
    EXPECT_THAT(v.values, ElementsAre(1.0, 3.0));
    EXPECT_THAT(v.labels, ElementsAre("a", "b"));
}

TEST_F(IoTest, OldMacLineEndingsAndNoFinalNewline) {
    EXPECT_THAT(read_bytes("m.txt", "0.5\r0.25\r0.25").values, ElementsAre(0.5, 0.25, 0.25));
}

TEST_F(IoTest, SmallShapes) {
    EXPECT_THAT(read_bytes("a.txt", "1\n").values, ElementsAre(1.0));
    EXPECT_THAT(read_bytes("b.csv", "0.3,0.7").values, ElementsAre(0.3, 0.7));
    const labeled_vector header_row = read_bytes("c.csv", "x,y\n0.3,0.7\n");
    EXPECT_THAT(header_row.values, ElementsAre(0.3, 0.7));
    EXPECT_THAT(header_row.labels, ElementsAre("x", "y"));
    const labeled_vector single_event = read_bytes("d.csv", "a,1\n");
    EXPECT_THAT(single_event.values, ElementsAre(1.0));
    EXPECT_THAT(single_event.labels, ElementsAre("a"));
    // pandas' to_csv with the index: an empty first header field.
    const labeled_vector pandas = read_bytes("e.csv", ",count\n0,5\n1,7\n");
    EXPECT_THAT(pandas.values, ElementsAre(5.0, 7.0));
    EXPECT_THAT(pandas.labels, ElementsAre("0", "1"));
}

TEST_F(IoTest, QuotedFieldsAnywhere) {
    const labeled_vector a = read_bytes("a.csv", "\"a,b\", \"0.5\"\n\"\",\"0.5\"\n");
    EXPECT_THAT(a.values, ElementsAre(0.5, 0.5));
    EXPECT_THAT(a.labels, ElementsAre("a,b", ""));
    const labeled_vector b = read_bytes("b.txt", "\"New York\" 0.75\n\"Paris\"\t0.25\n");
    EXPECT_THAT(b.values, ElementsAre(0.75, 0.25));
    EXPECT_THAT(b.labels, ElementsAre("New York", "Paris"));
    const labeled_vector c = read_bytes("c.tsv", "a b\t0.5\nc; d\t0.5\n");
    EXPECT_THAT(c.labels, ElementsAre("a b", "c; d"));
}

TEST_F(IoTest, LongRowAndManyRows) {
    std::string row, rows;
    for (int i = 0; i < 100000; ++i) {
        const std::string number = std::to_string(i);
        if (i > 0) row += ',';
        row += number;
        rows += "token";
        rows += number;
        rows += '\t';
        rows += number;
        rows += '\n';
    }
    const labeled_vector r = read_bytes("row.csv", row);
    ASSERT_EQ(r.values.size(), 100000u);
    EXPECT_EQ(r.values[99999], 99999.0);
    const labeled_vector m = read_bytes("rows.tsv", rows);
    ASSERT_EQ(m.values.size(), 100000u);
    EXPECT_EQ(m.labels[12345], "token12345");
    EXPECT_EQ(m.values[12345], 12345.0);
}

TEST_F(IoTest, ReadsFromAPipe) {
    const fs::path fifo = dir_ / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] {
        std::ofstream out(fifo, std::ios::binary);
        out << "a,0.25\nb,0.75\n";
    });
    const labeled_vector v = read_distribution(fifo);
    writer.join();
    EXPECT_THAT(v.values, ElementsAre(0.25, 0.75));
    EXPECT_THAT(v.labels, ElementsAre("a", "b"));
}

TEST(InputFile, AnEndlessDeviceIsReadOnlyUpToTheLimit) {
    // /dev/zero was read until memory ran out; the limit is 256 MiB (a smaller one here, for speed).
    EXPECT_EQ(kldiv::io::detail::max_stream_bytes, std::uint64_t{1} << 28);
    EXPECT_EQ(error_of([] { kldiv::io::detail::open_input_file("/dev/zero", "read_distribution", 1 << 20); }),
              "read_distribution: /dev/zero: not a regular file, and longer than 1048576 bytes, the most kldiv reads "
              "from a pipe or device; save it to a file");
    const auto small = kldiv::io::detail::open_input_file("/dev/null", "read_distribution", 1 << 20);
    EXPECT_EQ(small.size, 0u);
}

// ===== delimited text: errors =======================================================================

TEST(TextErrors, Ragged) {
    const std::string m = error_of([] { read_distribution(data_dir / "ragged.csv"); });
    EXPECT_THAT(m, HasSubstr("ragged.csv: line 2: 3 fields, but line 1 has 2; every row must have the same number of "
                             "fields (delimiter: comma)"));
}

TEST(TextErrors, NonNumericWithLineAndColumn) {
    const std::string m = error_of([] { read_distribution(data_dir / "non_numeric.csv"); });
    EXPECT_THAT(m, HasSubstr("non_numeric.csv: line 4, column 1: \"abc\" is not a number"));
}

TEST(TextErrors, EmptyAndCommentsOnly) {
    EXPECT_THAT(error_of([] { read_distribution(data_dir / "empty.csv"); }),
                HasSubstr("empty.csv: holds no values (the file is empty, or has only blank lines and '#' comments)"));
    EXPECT_THAT(error_of([] { read_distribution(data_dir / "comments_only.csv"); }), HasSubstr("holds no values"));
}

TEST(TextErrors, DecimalCommaGetsAHint) {
    EXPECT_THAT(error_of([] { read_distribution(data_dir / "decimal_comma.csv"); }),
                HasSubstr("line 1, column 3: \"0,5\" is not a number (write decimals with '.', not ',')"));
}

TEST(TextErrors, MissingFileNamesPathAndReason) {
    const fs::path missing = data_dir / "no_such_file.csv";
    const std::string m = error_of([&] { read_distribution(missing); });
    EXPECT_THAT(m, HasSubstr(missing.string() + ": cannot open it: No such file or directory"));
    EXPECT_THAT(error_of([] { read_distribution(data_dir); }),
                HasSubstr(": cannot read it: it is a directory, not a file"));
    EXPECT_THAT(error_of([] { read_distribution(""); }), HasSubstr("the file name is empty"));
}

TEST_F(IoTest, TextErrorPlaces) {
    EXPECT_THAT(error_for("a.csv", "p\n"),
                HasSubstr("line 1: looks like a header (its value field \"p\" is not a number), but no values follow"));
    EXPECT_THAT(error_for("b.csv", "0.1,0.2,0.7\n0.3,0.3,0.4\n"),
                HasSubstr("line 2: a second row of 3 values, but a distribution file holds one column, one row, or two "
                          "columns (label,value)"));
    EXPECT_THAT(error_for("c.csv", "0.1,,0.9\n"),
                HasSubstr("line 1, column 5: an empty field, but a value is needed here"));
    EXPECT_THAT(error_for("d.csv", "0.5,0.5,\n"), HasSubstr("line 1, column 9: an empty field"));
    EXPECT_THAT(error_for("e.csv", "a,0.5\n\"b,0.5\n"),
                HasSubstr("line 2, column 1: the quote opened here is not closed"));
    EXPECT_THAT(error_for("f.csv", "\"a\"x,0.5\nb,0.5\n"),
                HasSubstr("line 1, column 4: text after the closing quote of the field at column 1"));
    EXPECT_THAT(error_for("g.txt", "\"a\"x 0.5\n"), HasSubstr("line 1, column 4: text right after the closing quote"));
    EXPECT_THAT(error_for("h.csv", ",0.5\nb,0.5\n"), HasSubstr("line 1, column 1: an empty label"));
    EXPECT_THAT(error_for("i.txt", "1e400\n"),
                HasSubstr("line 1, column 1: \"1e400\" is outside the range of a double"));
    EXPECT_THAT(
        error_for("j.txt", "a b 0.5\nc 0.5\n"),
        HasSubstr("line 2: 2 fields, but line 1 has 3; every row must have the same number of fields (delimiter: "
                  "spaces/tabs); quote labels that contain spaces"));
    EXPECT_THAT(error_for("k.txt", "++1\n"), HasSubstr("\"++1\" is not a number"));
    EXPECT_THAT(error_for("l.txt", "0.1\t0.2\n0.3 0.4\n"), HasSubstr("line 2: 1 field, but line 1 has 2"));
    EXPECT_THAT(error_for("m.txt", "0.1\t0.2   0.7\n"),
                HasSubstr("line 1, column 5: \"0.2   0.7\" is not a number (the first line separates fields with tabs, "
                          "this one with spaces; use one delimiter)"));
}

TEST_F(IoTest, ColumnsCountCharactersAfterTheByteOrderMark) {
    EXPECT_THAT(error_for("a.csv",
                          "\xEF\xBB\xBF"
                          "x,0.5\nb,oops\n"),
                HasSubstr("line 2, column 3: \"oops\""));
    EXPECT_THAT(error_for("b.csv",
                          "\xEF\xBB\xBF"
                          "été,0.5\nçà,oops\n"),
                HasSubstr("line 2, column 4: \"oops\""));
}

TEST_F(IoTest, FileBytesInMessagesAreEscapedOneWay) {
    // The readers had four escapers of their own (\x0a in one, \x5c for a backslash in another);
    // all use kldiv::printable now: \0 \t \n \r, \xHH for other control bytes, UTF-8 kept.
    EXPECT_THAT(error_for("a.csv", "x,0.5\nb,0\x1b[2J\n"),
                HasSubstr("line 2, column 3: \"0\\x1b[2J\" is not a number"));
    EXPECT_THAT(error_for("b.csv", "x,0.5\nb,\"0\\5\x7f\"\n"),
                HasSubstr("line 2, column 3: \"0\\5\\x7f\" is not a number"));
    EXPECT_THAT(error_for("c.npy", std::string("\x01\t\r\0\\\xe9 and more", 15)),
                HasSubstr("bytes 0-5 are '\\x01\\t\\r\\0\\\\xe9'"));
    // A long field is shortened after 40 bytes, at a character boundary (é is bytes 40 and 41).
    const std::string long_field = std::string(39, 'a') + "\xc3\xa9zzz";
    EXPECT_THAT(error_for("d.csv", "x,0.5\nb," + long_field + "\n"),
                HasSubstr("line 2, column 3: \"" + std::string(39, 'a').append("...\" is not a number")));
    EXPECT_THAT(error_for("e.csv", "x,0.5\nb," + std::string(38, 'a') + "\xc3\xa9zzz\n"),
                HasSubstr(std::string(38, 'a').append("\xc3\xa9...\" is not a number")));
}

TEST_F(IoTest, BinaryLookingText) {
    EXPECT_THAT(error_for("a.csv", std::string("0.5\n0.2\0\n", 9)),
                HasSubstr("line 2, column 4: a NUL byte: this looks like a binary file"));
    EXPECT_THAT(error_for("b.csv",
                          "\xFF\xFE"
                          "0\0.\0"
                          "5\0"),
                HasSubstr("UTF-16 byte order mark"));
    EXPECT_THAT(error_for("c.npz", "PK\x03\x04rest"), HasSubstr("is a zip archive (an .npz?)"));
}

// ===== malformed input never crashes ==============================================================

TEST_F(IoTest, MutatedFilesGiveValuesOrKldivErrors) {
    // Deterministic mutations of valid files: each read must return values or throw kldiv::error
    // (never crash, never throw anything else; run under the sanitizers for the full check).
    const std::vector<std::string> seeds = {
        npy(npy_dict("<f8", "(3,)"), f8_le({0.2, 0.3, 0.5})),
        npy(npy_dict(">f4", "(2,)"), f4_be({0.5f, 0.5f}), 2),
        "letter,count\n\"a, b\",1\nc,2\n",
        "# c\n0.1\t0.9\n",
        "p\n0.5\n0.5\n",
    };
    std::mt19937 rng(12345);
    const std::string alphabet = "\",;\t\n\r #0.e-+()'{}:\x93";
    for (int iteration = 0; iteration < 3000; ++iteration) {
        std::string bytes = seeds[rng() % seeds.size()];
        const int mutations = 1 + static_cast<int>(rng() % 4);
        for (int m = 0; m < mutations && !bytes.empty(); ++m) {
            const std::size_t at = rng() % bytes.size();
            switch (rng() % 4) {
                case 0:
                    bytes[at] = static_cast<char>(rng());
                    break;
                case 1:
                    bytes.erase(at, 1 + rng() % 8);
                    break;
                case 2:
                    bytes.insert(at, 1, alphabet[rng() % alphabet.size()]);
                    break;
                default:
                    bytes.resize(at);
                    break;
            }
        }
        std::string name = std::to_string(iteration);
        name += iteration % 2 == 0 ? ".npy" : ".csv";
        const fs::path path = write(name, bytes);
        try {
            const labeled_vector v = read_distribution(path);
            EXPECT_FALSE(v.values.empty());
            EXPECT_TRUE(v.labels.empty() || v.labels.size() == v.values.size());
        } catch (const kldiv::error&) {
        }
    }
}

// ===== parse_values ===============================================================================

TEST(ParseValues, CommasAndOrWhitespace) {
    EXPECT_THAT(parse_values("0.2,0.8", "--p"), ElementsAre(0.2, 0.8));
    EXPECT_THAT(parse_values("0.2 0.8", "--p"), ElementsAre(0.2, 0.8));
    EXPECT_THAT(parse_values("  0.2 ,\t0.3,0.5  ", "--p"), ElementsAre(0.2, 0.3, 0.5));
    EXPECT_THAT(parse_values("+0.5 1e-3\n2", "--p"), ElementsAre(0.5, 1e-3, 2.0));
    EXPECT_THAT(parse_values("1", "--p"), ElementsAre(1.0));
    const std::vector<double> special = parse_values("nan,inf,-0.1", "--q");
    EXPECT_TRUE(std::isnan(special[0]));
    EXPECT_EQ(special[1], std::numeric_limits<double>::infinity());
    EXPECT_EQ(special[2], -0.1);
}

TEST(ParseValues, Errors) {
    auto message = [](std::string_view text) { return error_of([&] { parse_values(text, "--p"); }, "parse_values"); };
    EXPECT_THAT(message(""), HasSubstr("parse_values: --p is empty, but it needs at least one value (e.g. 0.2,0.8)"));
    EXPECT_THAT(message("  \t"), HasSubstr("--p is empty"));
    EXPECT_THAT(message("0.2,abc"), HasSubstr("parse_values: --p, character 5: \"abc\" is not a number"));
    EXPECT_THAT(message("0.2,,0.8"), HasSubstr("--p, character 5: two commas with no value between them"));
    EXPECT_THAT(message(",0.2"), HasSubstr("--p, character 1: a comma before the first value"));
    EXPECT_THAT(message("0.2, 0.8 ,"), HasSubstr("--p, character 10: a comma after the last value"));
    EXPECT_THAT(message("0.2;0.8"), HasSubstr("\"0.2;0.8\" is not a number"));
    EXPECT_THAT(message("1e999"), HasSubstr("\"1e999\" is outside the range of a double"));
}

}  // namespace
