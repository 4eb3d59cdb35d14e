// read_table (include/kldiv/io/table_file.hpp): the tables of tests/data/tables, written by pandas
// and NumPy, against what pandas reads from them (expected.json, from generate_tables.py); then the
// rules and every refusal on hand-written input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/table_file.hpp"
#include "tests/npy_bytes.hpp"
#include "tests/run_command.hpp"

#if !defined(KLDIV_SANITIZED)
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

// Every byte allocated through operator new, now and at the peak, for the test of memory bounds
// (the ordinary build only: the sanitizers have their own allocator).
namespace {
std::atomic<std::size_t> allocated{0}, allocated_peak{0};
}

void* operator new(std::size_t n) {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr) throw std::bad_alloc();
    const std::size_t now = allocated += malloc_usable_size(p);
    std::size_t peak = allocated_peak.load();
    while (now > peak && !allocated_peak.compare_exchange_weak(peak, now)) {
    }
    return p;
}
void operator delete(void* p) noexcept {
    if (p == nullptr) return;
    allocated -= malloc_usable_size(p);
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
#endif

namespace {

namespace fs = std::filesystem;
using kldiv::io::column_schema;
using kldiv::io::column_type;
using kldiv::io::missing_code;
using kldiv::io::read_table;
using kldiv::io::table;
using kldiv::io::table_column;
using kldiv::io::table_options;
using kldiv::test::little_endian_bytes;
using kldiv::test::npy;
using kldiv::test::npy_dict;
using testing::ElementsAre;
using testing::HasSubstr;

const fs::path data_dir = fs::path(KLDIV_TEST_DATA) / "tables";

// The message of the kldiv::error that read_table throws on `path` ("no error" when it throws none).
std::string error_of(const fs::path& path, const table_options& options = {}) {
    try {
        read_table(path, options);
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "read_table");
        return e.what();
    }
    return "no error";
}

// What the test expects a reader to have said about `path`: "read_table: <path>: <message>".
std::string message(const fs::path& path, const std::string& message) {
    return "read_table: " + path.string() + ": " + message;
}

const table_column& column(const table& t, std::string_view name) {
    const table_column* c = t.find(name);
    if (c == nullptr) throw std::runtime_error("no column " + std::string(name));
    return *c;
}

// The texts of a boolean or categorical column, "<missing>" where missing.
std::vector<std::string> texts(const table_column& c) {
    std::vector<std::string> out;
    for (std::uint32_t code : c.codes) out.push_back(code == missing_code ? "<missing>" : c.categories.at(code));
    return out;
}

// ----- the tables pandas wrote, as pandas reads them ---------------------------------------------------

TEST(TableFile, ReadsWhatPandasReads) {
    std::ifstream in(data_dir / "expected.json");
    ASSERT_TRUE(in) << "tests/data/tables/expected.json (run generate_tables.py)";
    const nlohmann::json expected = nlohmann::json::parse(in);
    std::size_t checked = 0, total = 0;
    for (const auto& e : expected.at("tables")) {
        total += e.at("columns").size();
        const std::string file = e.at("file");
        SCOPED_TRACE(file);
        table_options options;
        for (const auto& name : e.at("categorical")) options.categorical.push_back(name);
        const table t = read_table(data_dir / file, options);
        ASSERT_EQ(t.rows, e.at("rows").get<std::size_t>());
        ASSERT_EQ(t.columns.size(), e.at("columns").size());
        for (std::size_t j = 0; j < t.columns.size(); ++j) {
            const table_column& c = t.columns[j];
            const auto& want = e.at("columns")[j];
            SCOPED_TRACE(c.name);
            EXPECT_EQ(c.name, want.at("name").get<std::string>());
            const std::string type = want.at("type");
            ASSERT_EQ(kldiv::name(c.type), type);
            EXPECT_EQ(c.declared, options.categorical.end() !=
                                      std::find(options.categorical.begin(), options.categorical.end(), c.name));
            const auto& values = want.at("values");
            if (c.type == column_type::numeric) {
                ASSERT_EQ(c.numbers.size(), t.rows);
                EXPECT_TRUE(c.codes.empty() && c.categories.empty());
                for (std::size_t i = 0; i < t.rows; ++i) {
                    const auto& v = values[i];
                    if (v.is_null()) {
                        EXPECT_TRUE(std::isnan(c.numbers[i])) << "row " << i;
                    } else if (v.is_string()) {
                        EXPECT_EQ(c.numbers[i], (v == "inf" ? 1 : -1) * std::numeric_limits<double>::infinity());
                    } else {
                        EXPECT_EQ(c.numbers[i], v.get<double>()) << "row " << i;
                    }
                }
                ++checked;
                continue;
            }
            ASSERT_EQ(c.codes.size(), t.rows);
            EXPECT_TRUE(c.numbers.empty());
            std::vector<std::string> want_texts, first_seen;
            for (const auto& v : values) {
                const std::string text = v.is_null()      ? "<missing>"
                                         : v.is_boolean() ? (v.get<bool>() ? "true" : "false")
                                                          : v.get<std::string>();
                want_texts.push_back(text);
                if (!v.is_null() && std::find(first_seen.begin(), first_seen.end(), text) == first_seen.end()) {
                    first_seen.push_back(text);
                }
            }
            EXPECT_EQ(texts(c), want_texts);
            if (c.type == column_type::boolean) {
                EXPECT_THAT(c.categories, ElementsAre("false", "true"));
            } else {
                EXPECT_EQ(c.categories, first_seen);  // in order of first appearance
            }
            ++checked;
        }
    }
    EXPECT_EQ(checked, total);
    EXPECT_GE(total, 30u);
}

// ----- text: the rules --------------------------------------------------------------------------------

TEST(TableFile, TextLayoutRules) {
    const kldiv::test::scratch_dir dir;
    // Comments and blank lines before the header; blanks around fields trimmed; a '#' line after
    // the header is a row ("#N/A" is a missing marker); CR-only line ends.
    const table t =
        read_table(dir.write("a.csv", "# made by hand\n\n  x , city \r1, New York\r\r#N/A,\" Ulm \"\r  2.5 ,#3\r"));
    EXPECT_EQ(t.rows, 3u);
    EXPECT_EQ(column(t, "x").type, column_type::numeric);
    EXPECT_TRUE(std::isnan(column(t, "x").numbers[1]));
    EXPECT_EQ(column(t, "x").numbers[2], 2.5);
    EXPECT_THAT(texts(column(t, "city")), ElementsAre("New York", " Ulm ", "#3"));

    // One column: no delimiter on the header, so commas; spaces stay inside a field.
    const table one = read_table(dir.write("one.csv", "place\nNew York\nBad Ems\n"));
    EXPECT_THAT(texts(column(one, "place")), ElementsAre("New York", "Bad Ems"));

    // Tabs: a line of tabs is a row of missing values, not a blank line.
    const table tsv = read_table(dir.write("t.tsv", "a\tb\tc\n1\tx\ttrue\n\t\t\n3\ty\tFALSE\n"));
    EXPECT_EQ(tsv.rows, 3u);
    EXPECT_TRUE(std::isnan(column(tsv, "a").numbers[1]));
    EXPECT_THAT(texts(column(tsv, "b")), ElementsAre("x", "<missing>", "y"));
    EXPECT_THAT(texts(column(tsv, "c")), ElementsAre("true", "<missing>", "false"));

    // Semicolons when the header has both ';' and ','.
    const table semi = read_table(dir.write("s.csv", "a;b,c\n1;2\n"));
    EXPECT_EQ(semi.columns.size(), 2u);
    EXPECT_EQ(semi.columns[1].name, "b,c");
}

TEST(TableFile, TypesAreInferredFromTheFieldsPresent) {
    const kldiv::test::scratch_dir dir;
    const table t = read_table(dir.write("t.csv",
                                         "num,mixed,truth,both,none,inf,quoted\n"
                                         "1,1,True,1,,inf,\"2\"\n"
                                         "-2e3,x,fAlSe,true,NA,-inf,\"NA\"\n"
                                         "NaN,2,,,null,1e308,\"\"\n"));
    EXPECT_EQ(column(t, "num").type, column_type::numeric);
    EXPECT_THAT(column(t, "num").numbers[1], -2000.0);
    EXPECT_EQ(column(t, "mixed").type, column_type::categorical);
    EXPECT_THAT(texts(column(t, "mixed")), ElementsAre("1", "x", "2"));
    EXPECT_EQ(column(t, "truth").type, column_type::boolean);
    EXPECT_THAT(column(t, "truth").codes, ElementsAre(1u, 0u, missing_code));
    EXPECT_EQ(column(t, "both").type, column_type::categorical);  // numbers and booleans
    EXPECT_EQ(column(t, "none").type, column_type::numeric);      // nothing but missing values
    EXPECT_EQ(column(t, "inf").numbers[0], std::numeric_limits<double>::infinity());
    EXPECT_EQ(column(t, "inf").numbers[1], -std::numeric_limits<double>::infinity());
    EXPECT_EQ(column(t, "quoted").type, column_type::numeric);
    EXPECT_EQ(column(t, "quoted").numbers[0], 2.0);
    EXPECT_TRUE(std::isnan(column(t, "quoted").numbers[1]));  // quoted markers are missing too
    EXPECT_TRUE(std::isnan(column(t, "quoted").numbers[2]));
    for (const table_column& c : t.columns) EXPECT_FALSE(c.declared);
}

TEST(TableFile, DeclaredTypes) {
    const kldiv::test::scratch_dir dir;
    const fs::path path = dir.write("d.csv", "zip,score,code\n02139,1,1\n1.0,2,x\n1,3,1\n");
    table_options options;
    options.categorical = {"zip"};
    options.numeric = {"score"};
    const table t = read_table(path, options);
    EXPECT_EQ(column(t, "zip").type, column_type::categorical);
    EXPECT_TRUE(column(t, "zip").declared);
    EXPECT_THAT(column(t, "zip").categories, ElementsAre("02139", "1.0", "1"));  // "1" and "1.0" differ
    EXPECT_TRUE(column(t, "score").declared);
    EXPECT_FALSE(column(t, "code").declared);
    EXPECT_EQ(column(t, "code").type, column_type::categorical);

    table_options wrong;
    wrong.numeric = {"code"};
    EXPECT_EQ(error_of(path, wrong),
              message(path, "line 3, column 7 (code): \"x\" is not a number, but column code is declared numeric"));
    table_options absent;
    absent.numeric = {"income"};
    EXPECT_EQ(error_of(path, absent),
              message(path,
                      "the header (line 1) has no column income, which is declared numeric (the file's columns: zip, "
                      "score, code)"));
    table_options twice;
    twice.numeric = {"zip"};
    twice.categorical = {"zip"};
    EXPECT_THAT(error_of(path, twice), HasSubstr("column zip is declared both numeric and categorical"));
}

TEST(TableFile, SchemaOfAnotherTable) {
    const kldiv::test::scratch_dir dir;
    const table reference =
        read_table(dir.write("reference.csv", "id,age,smoker,city\n1,34,true,Ulm\n2,51,false,Bonn\n"));
    const std::vector<column_schema> schema = kldiv::io::schema_of(reference);
    ASSERT_EQ(schema.size(), 4u);
    EXPECT_EQ(schema[1].name, "age");
    EXPECT_EQ(schema[2].type, column_type::boolean);
    EXPECT_EQ(schema[3].type, column_type::categorical);
    table_options like;
    like.like = schema;

    // Columns in another order, an extra one (inferred), numbers in a categorical column kept as text.
    const table current =
        read_table(dir.write("current.csv", "city,extra,age,id,smoker\n7,x,40,3,TRUE\nUlm,y,,4,\n"), like);
    EXPECT_EQ(column(current, "city").type, column_type::categorical);
    EXPECT_TRUE(column(current, "city").declared);
    EXPECT_THAT(texts(column(current, "city")), ElementsAre("7", "Ulm"));
    EXPECT_FALSE(column(current, "extra").declared);
    EXPECT_EQ(column(current, "smoker").type, column_type::boolean);

    // The message the header promises, to the letter.
    std::string rows = "id,age,smoker,city\n";
    for (int i = 1; i < 16; ++i) rows += std::to_string(i) + "," + std::to_string(20 + i) + ",true,Ulm\n";
    const fs::path bad = dir.write("current.csv", rows + "16,forty,false,Bonn\n");
    EXPECT_EQ(error_of(bad, like),
              message(bad,
                      "line 17, column 4 (age): \"forty\" is not a number, but column age is numeric in the "
                      "reference"));
    const fs::path lacking = dir.write("lacking.csv", "id,city,smoker\n1,Ulm,true\n");
    EXPECT_EQ(error_of(lacking, like),
              message(lacking,
                      "the header (line 1) has no column age, which the reference has (the file's columns: id, city, "
                      "smoker)"));
    const fs::path maybe = dir.write("maybe.csv", "id,age,smoker,city\n1,2,maybe,Ulm\n");
    EXPECT_EQ(error_of(maybe, like),
              message(maybe,
                      "line 2, column 5 (smoker): \"maybe\" is not true or false, but column smoker is boolean in "
                      "the reference"));

    // A declaration beats the schema.
    like.numeric = {"city"};
    EXPECT_THAT(error_of(dir.write("c.csv", "id,age,smoker,city\n1,2,true,Ulm\n"), like),
                HasSubstr("(city): \"Ulm\" is not a number, but column city is declared numeric"));
}

// ----- text: hostile input --------------------------------------------------------------------------

TEST(TableFile, RaggedRowsAndQuotes) {
    const kldiv::test::scratch_dir dir;
    const fs::path fewer =
        dir.write("fewer.csv", "a,b,c,d,e\n1,2,3,4,5\n\n1,2,3,4,5\n1,2,3,4,5\n\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n");
    EXPECT_EQ(error_of(fewer),
              message(fewer,
                      "line 9: 4 fields, but the header (line 1) has 5; every row must have as many fields as the "
                      "header (delimiter: comma; quote fields that hold it)"));
    EXPECT_THAT(error_of(dir.write("more.tsv", "a\tb\n1\t2\t3\n")),
                HasSubstr("line 2: 3 fields, but the header (line 1) has 2; every row must have as many fields as "
                          "the header (delimiter: tab;"));
    EXPECT_THAT(error_of(dir.write("one.csv", "a,b\nx\n")), HasSubstr("line 2: 1 field, but the header"));
    // After the header a line starting with '#' is a row, not a comment (pandas has no comments).
    EXPECT_THAT(error_of(dir.write("hash.csv", "a,b\n1,2\n# note\n")), HasSubstr("line 3: 1 field, but the header"));
    // The shape is reported before a field that breaks its column's rule on the same line.
    table_options numeric;
    numeric.numeric = {"a"};
    EXPECT_THAT(error_of(dir.write("both.csv", "a,b\nx\n"), numeric), HasSubstr("line 2: 1 field, but"));

    const fs::path unclosed = dir.write("q.csv", "a,b\n1,\"open\n2,3\n");
    EXPECT_EQ(error_of(unclosed),
              message(unclosed,
                      "line 2, column 3: the quote opened here is not closed (a quoted field must end on the same "
                      "line)"));
    EXPECT_THAT(error_of(dir.write("after.csv", "a,b\n1,\"x\"y\n")),
                HasSubstr("line 2, column 6: text after the closing quote of the field at column 3"));
}

TEST(TableFile, HeaderRules) {
    const kldiv::test::scratch_dir dir;
    const fs::path repeated = dir.write("r.csv", "id,größe,id\n1,2,3\n");
    EXPECT_EQ(error_of(repeated),
              message(repeated,
                      "line 1, column 10: the column name \"id\" is also at column 1, but column names "
                      "must be distinct"));
    const fs::path unnamed = dir.write("u.csv", ",a,b\n0,1,2\n");
    EXPECT_THAT(error_of(unnamed),
                HasSubstr(": line 1, column 1: column 1 has an empty name, but every column must be named (an unnamed "
                          "index, as DataFrame.to_csv writes it? save with index=False, or name it)"));
    EXPECT_THAT(error_of(dir.write("u2.csv", "a,,b\n1,2,3\n")), HasSubstr("line 1, column 3: column 2 has an empty"));

    // A header-less file is read as pandas reads it: the first line names the columns.
    const table headless = read_table(dir.write("h.csv", "1,2,3\n4,5,6\n"));
    EXPECT_EQ(headless.rows, 1u);
    EXPECT_EQ(headless.columns[2].name, "3");
    EXPECT_THAT(error_of(dir.write("h2.csv", "1,2,1\n4,5,6\n")),
                HasSubstr("column names must be distinct (is line 1 data? a table's first line must name its "
                          "columns, as pandas.read_csv reads it)"));

    // A header and no rows: a table of 0 rows, types as declared or numeric.
    table_options options;
    options.categorical = {"b"};
    const table empty = read_table(dir.write("e.csv", "# nothing yet\na,b\n\n"), options);
    EXPECT_EQ(empty.rows, 0u);
    ASSERT_EQ(empty.columns.size(), 2u);
    EXPECT_EQ(empty.columns[0].type, column_type::numeric);
    EXPECT_EQ(empty.columns[1].type, column_type::categorical);
    EXPECT_TRUE(empty.columns[0].numbers.empty());

    const fs::path nothing = dir.write("n.csv", "\n# only a comment\n  \n");
    EXPECT_EQ(error_of(nothing),
              message(nothing,
                      "has no header line (the file is empty, or has only blank lines and '#' comments), but a "
                      "table starts with a line of column names"));
    EXPECT_THAT(error_of(dir.write("z.csv", "")), HasSubstr("has no header line"));
}

TEST(TableFile, BinaryAndEncodingRefusals) {
    const kldiv::test::scratch_dir dir;
    const fs::path nul = dir.write("nul.csv", std::string("a,b\n1,2\n3,x\0y\n", 14));
    EXPECT_EQ(error_of(nul),
              message(nul,
                      "line 3, column 4: a NUL byte: this looks like a binary file, not text (a .npy file must "
                      "start with \"\\x93NUMPY\")"));
    EXPECT_THAT(error_of(dir.write("u16.csv",
                                   "\xFF\xFE"
                                   "a\0,\0b\0")),
                HasSubstr("starts with a UTF-16 byte order mark, but text files must be UTF-8 (or ASCII)"));
    EXPECT_THAT(error_of(dir.write("z.csv", std::string("PK\x03\x04\x14\0\0\0", 8))), HasSubstr("is a zip archive"));
    // A UTF-8 byte order mark is skipped, in both passes.
    const table bom = read_table(dir.write("bom.csv", "\xEF\xBB\xBFname,v\nx,1\n"));
    EXPECT_EQ(bom.columns[0].name, "name");
    // Bytes that are not UTF-8 are kept as they are in categories, and shown escaped in messages.
    const table latin = read_table(dir.write("l.csv", "a\nZ\xFCrich\n"));
    EXPECT_EQ(latin.columns[0].categories.at(0), "Z\xFCrich");
    table_options numeric;
    numeric.numeric = {"a"};
    EXPECT_THAT(error_of(dir.path() / "l.csv", numeric), HasSubstr("(a): \"Z\\xfcrich\" is not a number"));
}

TEST(TableFile, NumbersBeyondADouble) {
    const kldiv::test::scratch_dir dir;
    const std::string rule = " is outside the range of a double (magnitudes from about 4.9e-324 to 1.8e308, or 0)";
    const fs::path big = dir.write("big.csv", "x,y\n1,2\n3,1e999\n");
    EXPECT_EQ(error_of(big), message(big, "line 3, column 3 (y): \"1e999\"" + rule));
    EXPECT_THAT(error_of(dir.write("tiny.csv", "x\n-1e-400\n")), HasSubstr("(x): \"-1e-400\"" + rule));
    table_options numeric;
    numeric.numeric = {"x"};
    EXPECT_THAT(error_of(dir.write("d.csv", "x\n1e999\n"), numeric), HasSubstr("line 2, column 1 (x): \"1e999\""));
    // In a column of text it is text.
    EXPECT_THAT(texts(column(read_table(dir.write("t.csv", "x\n1e999\nabc\n")), "x")), ElementsAre("1e999", "abc"));
    EXPECT_EQ(column(read_table(dir.write("s.csv", "x\n1e-310\n")), "x").numbers[0], 1e-310);  // subnormal
    // A long field is shortened in the message.
    std::string file = "x\n", shortened = "\"";  // appended: GCC 12 warns falsely on "x" + string
    file.append(100, 'q');
    shortened.append(40, 'q');
    EXPECT_THAT(error_of(dir.write("l.csv", file + "\n"), numeric), HasSubstr(shortened + "...\" is not a number"));
}

// ----- .npy -----------------------------------------------------------------------------------------

std::string i4_le(std::initializer_list<std::int32_t> values) {
    std::string out;
    for (std::int32_t v : values) out += little_endian_bytes(static_cast<std::uint32_t>(v), 4);
    return out;
}

TEST(TableFile, NpyArrays) {
    const kldiv::test::scratch_dir dir;
    // int32, 3 rows x 2 columns, C order.
    const table ints = read_table(dir.write("i.npy", npy(npy_dict("<i4", "(3, 2)"), i4_le({1, -2, 3, -4, 5, -6}))));
    EXPECT_EQ(ints.rows, 3u);
    ASSERT_EQ(ints.columns.size(), 2u);
    EXPECT_EQ(ints.columns[0].name, "0");
    EXPECT_THAT(ints.columns[0].numbers, ElementsAre(1, 3, 5));
    EXPECT_THAT(ints.columns[1].numbers, ElementsAre(-2, -4, -6));
    // The same bytes in Fortran order: column by column.
    const table fortran =
        read_table(dir.write("f.npy", npy(npy_dict("<i4", "(3, 2)", true), i4_le({1, -2, 3, -4, 5, -6}))));
    EXPECT_THAT(fortran.columns[0].numbers, ElementsAre(1, -2, 3));
    EXPECT_THAT(fortran.columns[1].numbers, ElementsAre(-4, 5, -6));
    // bool, one column of 0 and 1.
    const table bools = read_table(dir.write("b.npy", npy(npy_dict("|b1", "(4,)"), std::string("\1\0\0\1", 4))));
    EXPECT_EQ(bools.columns[0].type, column_type::numeric);
    EXPECT_THAT(bools.columns[0].numbers, ElementsAre(1, 0, 0, 1));
    // No rows.
    const table none = read_table(dir.write("0.npy", npy(npy_dict("<f8", "(0, 3)"), "")));
    EXPECT_EQ(none.rows, 0u);
    EXPECT_EQ(none.columns.size(), 3u);
    // A file named .npy that is not one is refused as an .npy file.
    EXPECT_THAT(error_of(dir.write("x.npy", "a,b\n1,2\n")), HasSubstr("but an npy file starts with the magic string"));
}

TEST(TableFile, NpySchemaAndDeclarations) {
    const kldiv::test::scratch_dir dir;
    const fs::path labels = dir.write("l.npy", npy(npy_dict("<i4", "(4, 2)"), i4_le({7, 0, -1, 1, 7, 1, 300, 0})));
    const std::vector<column_schema> schema = {{"0", column_type::categorical}, {"1", column_type::boolean}};
    table_options like;
    like.like = schema;
    const table t = read_table(labels, like);
    EXPECT_THAT(t.columns[0].categories, ElementsAre("7", "-1", "300"));
    EXPECT_THAT(t.columns[0].codes, ElementsAre(0u, 1u, 0u, 2u));
    EXPECT_TRUE(t.columns[0].declared);
    EXPECT_THAT(texts(t.columns[1]), ElementsAre("false", "true", "true", "false"));

    const fs::path twos = dir.write("t.npy", npy(npy_dict("<i4", "(2, 2)"), i4_le({1, 0, 2, 2})));
    EXPECT_EQ(error_of(twos, like),
              message(twos,
                      "element (1, 1) = 2 is not 0 or 1 (false or true), but column 1 is boolean in the "
                      "reference"));
    const std::vector<column_schema> wider = {{"5", column_type::numeric}};
    table_options wide;
    wide.like = wider;
    EXPECT_EQ(error_of(twos, wide),
              message(twos, "the array has no column 5, which the reference has (the file's columns: 0, 1)"));

    // Floats as categories: NaN is missing, the rest their shortest text.
    table_options categorical;
    categorical.categorical = {"0"};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::string floats;
    for (double v : {0.5, nan, 2.0, 0.5}) floats += little_endian_bytes(std::bit_cast<std::uint64_t>(v), 8);
    const table f = read_table(dir.write("f.npy", npy(npy_dict("<f8", "(4,)"), floats)), categorical);
    EXPECT_THAT(texts(f.columns[0]), ElementsAre("0.5", "<missing>", "2", "0.5"));
}

TEST(TableFile, NpyRefusals) {
    const kldiv::test::scratch_dir dir;
    // A header claiming 10^12 rows: refused by its size, before anything is allocated.
    const fs::path huge = dir.write("huge.npy", npy(npy_dict("<f8", "(1000000000000, 3)"), std::string(24, '\0')));
    EXPECT_THAT(error_of(huge),
                HasSubstr("header field 'shape' is (1000000000000, 3) of float64 ('<f8'), which needs 24000000000000 "
                          "data bytes after the header (from byte offset 128), but the file has 24 (truncated file, or "
                          "a wrong shape)"));
    // No data to bound it: a column count beyond any table's.
    EXPECT_THAT(error_of(dir.write("wide.npy", npy(npy_dict("<f8", "(0, 1000000000000)"), ""))),
                HasSubstr("more than 1048576 columns, the most a table may have"));
    EXPECT_THAT(error_of(dir.write("nocol.npy", npy(npy_dict("<f8", "(5, 0)"), ""))),
                HasSubstr("the table has no columns, but it needs at least one"));
    EXPECT_THAT(error_of(dir.write("3d.npy", npy(npy_dict("<f8", "(1, 1, 1)"), std::string(8, '\0')))),
                HasSubstr("'shape' is (1, 1, 1), but a table needs shape (n,) (one column) or (n, d) (d columns)"));
    EXPECT_THAT(error_of(dir.write("s.npy", npy(npy_dict("<U3", "(1,)"), std::string(12, '\0')))),
                HasSubstr("'descr' is '<U3' (unicode string), but a table file must hold float16, float32, float64, "
                          "integers or booleans"));
    EXPECT_THAT(error_of(dir.write("short.npy", npy(npy_dict("<i4", "(2,)"), i4_le({1})))),
                HasSubstr("(truncated file, or a wrong shape)"));
    // uint64 above 2^63 - 1: numbers as doubles, categories refused by name.
    const fs::path u8 = dir.write("u8.npy", npy(npy_dict("<u8", "(1,)"), little_endian_bytes(~std::uint64_t{0}, 8)));
    EXPECT_EQ(read_table(u8).columns[0].numbers[0], 18446744073709551616.0);
    table_options categorical;
    categorical.categorical = {"0"};
    EXPECT_THAT(error_of(u8, categorical),
                HasSubstr("element 0 = 18446744073709551615, but it must fit in a signed 64-bit integer"));
}

// Memory is the table's: 8 bytes a numeric field, 4 a categorical one, never a string per field
// (500 000 fields as strings would take 16 MB more than the 3.6 MB table).
TEST(TableFile, MemoryIsTheTables) {
#if defined(KLDIV_SANITIZED)
    GTEST_SKIP() << "memory bounds are tested in the ordinary build";
#else
    const kldiv::test::scratch_dir dir;
    const std::size_t rows = 100000;
    std::string text = "a,b,c,d,city\n";
    for (std::size_t i = 0; i < rows; ++i) {
        const std::string n = std::to_string(i);
        text += n + ".5," + n + ",-" + n + ",1e-" + std::to_string(i % 300) + "," + (i % 3 ? "Ulm" : "Bonn") + "\n";
    }
    const fs::path path = dir.write("big.csv", text);
    text = std::string();
    const std::size_t before = allocated.load();
    allocated_peak = before;
    const table t = read_table(path);
    const std::size_t table_bytes = rows * (4 * sizeof(double) + sizeof(std::uint32_t));
    EXPECT_EQ(column(t, "city").categories.size(), 2u);
    EXPECT_EQ(column(t, "d").numbers[299], 1e-299);
    EXPECT_LT(allocated_peak.load() - before, table_bytes + (std::size_t{1} << 20));
#endif
}

TEST(TableFile, NamesAndLookups) {
    EXPECT_EQ(kldiv::name(column_type::categorical), "categorical");
    EXPECT_EQ(kldiv::parse<column_type>("boolean", "type", "read_table"), column_type::boolean);
    const kldiv::test::scratch_dir dir;
    const table t = read_table(dir.write("t.csv", "a,b\n1,x\n"));
    EXPECT_EQ(t.find("b"), &t.columns[1]);
    EXPECT_EQ(t.find("c"), nullptr);
    EXPECT_THAT(error_of(dir.path() / "missing.csv"), HasSubstr("missing.csv: cannot open it"));
}

}  // namespace
