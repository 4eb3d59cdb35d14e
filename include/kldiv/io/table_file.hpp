#pragma once
// Reading a table — named columns of numbers or categories, one observation per row — for
// `kldiv drift` and kldiv::drift.
//
// read_table(path, options) — the format in full, with its messages, is docs/formats/tables.md:
//   .npy (a file starting with the npy magic, or named *.npy): a 1-D array (one column) or a 2-D
//       array (n × d, C or Fortran order) of floats (float16/32/64), signed or unsigned integers or
//       booleans, either byte order. Every column is numeric (booleans too: 0 and 1); NaN is a
//       missing value. Columns are named "0", "1", …, "d-1" (as pandas names the columns of
//       DataFrame(array)). A column declared (or in the schema) categorical holds each distinct
//       value's text: integers in decimal, booleans "false"/"true", floats in the shortest text that
//       reads back as the same double (1.0 is "1"); one that is boolean in the schema must hold 0
//       and 1 only. The size of the data is checked against the shape before anything is allocated.
//   anything else: delimited text with a header line of column names (CSV, TSV, semicolon; the
//       delimiter detected on the header as read_distribution does: tab, else ';' when the line has
//       both ';' and ',', else ',', else ';'; a header with none of them is one column, and commas
//       then separate fields), fields quoted "like, this" with "" for a quote inside (a quoted field
//       ends on its line), lines ending in \n, \r\n or \r, a UTF-8 byte order mark skipped, blank
//       lines skipped (a line of tabs in a TSV file is a row of missing values), fields trimmed of
//       surrounding spaces (and tabs, unless tabs separate fields). Lines starting with '#' before
//       the header are comments; after it, every line is a row (pandas has no comments, and "#N/A"
//       starts many a row). Every row must have as many fields as the header. Column names must be
//       distinct and not empty. A header-less file is read as pandas reads it: its first row names
//       the columns. A table has at most 2^20 columns.
//   Pipes and devices are read whole first, up to 256 MiB. Text is read twice (types and shape
//   first, then the values): memory is the table's (8 bytes a numeric field, 4 a categorical one,
//   and each distinct category once), never a string per field.
//
// Missing values: in text, a field that is empty or one of pandas' default missing markers ("",
// "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
// "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", as in pandas 2; 1.5 lacks "None")
// unquoted or quoted; in .npy files NaN.
//
// Column types, inferred from the non-missing fields unless declared (table_options):
//   numeric      every field a number (read as read_distribution reads numbers: a magnitude beyond
//                a double or below its smallest subnormal but not 0 is an error, never ±inf or 0;
//                "inf" and "-inf" are read as ±inf).
//   boolean      every field one of true/false (any letter case); held as categories "false" and
//                "true".
//   categorical  anything else (numbers and booleans mixed too); each distinct text (after
//                trimming) is one category.
//   A column with no non-missing field is numeric. A column declared numeric whose field is not a
//   number is an error naming the file, line, column and field; a column declared categorical keeps
//   numbers as their text ("1" and "1.0" are two categories). A column declared both ways is an
//   error.
//
// A schema (`like`, the types of another table, usually the reference's) makes the reader check
// that every column it names exists and read each with the schema's type: a field of a numeric
// column that is not a number is then an error naming the file, line, column and field ("current.csv:
// line 17, column 3 (age): "forty" is not a number, but column age is numeric in the reference"), and
// a field of a boolean column that is not true or false likewise. Columns of this table that the
// schema does not name are read by inference; a declaration (numeric, categorical) overrides the
// schema.
//
// Errors throw kldiv::error with function() == "read_table" naming the file, the line and column
// (characters from 1, and the column's name in parentheses where a field is at fault) or the npy
// element, the field (shortened) and the rule: no header, an empty or repeated column name, a row
// with more or fewer fields than the header ("line 9: 4 fields, but the header (line 1) has 5; …"),
// a quote not closed, a NUL byte, a UTF-16 byte order mark, a declared or schema column the file
// does not have, an .npy dtype or shape that is not a table's, or data shorter or longer than the
// shape. A file with a header and no rows is read as a table of 0 rows (the caller decides whether
// that is an error).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kldiv/names.hpp"

namespace kldiv::io {

enum class column_type { numeric, boolean, categorical };

// "numeric", "boolean", "categorical" (kldiv/names.hpp).
inline std::span<const named<column_type>> names_of(column_type) noexcept {
    static constexpr named<column_type> table[] = {{column_type::numeric, "numeric"},
                                                   {column_type::boolean, "boolean"},
                                                   {column_type::categorical, "categorical"}};
    return table;
}

// The code of a missing value in a categorical column.
inline constexpr std::uint32_t missing_code = std::numeric_limits<std::uint32_t>::max();

struct table_column {
    std::string name;
    column_type type = column_type::numeric;
    bool declared = false;  // the type came from table_options or a schema, not from inference
    // numeric: one value per row, NaN where missing.
    std::vector<double> numbers;
    // boolean and categorical: one code per row indexing `categories`, missing_code where missing;
    // categories in order of first appearance (boolean: always {"false", "true"}).
    std::vector<std::uint32_t> codes;
    std::vector<std::string> categories;
};

struct table {
    std::size_t rows = 0;
    std::vector<table_column> columns;

    // The column named `name`, or nullptr.
    const table_column* find(std::string_view name) const noexcept;
};

// A column's name and type, as another table is to be read.
struct column_schema {
    std::string name;
    column_type type = column_type::numeric;
};

struct table_options {
    std::vector<std::string> numeric;      // columns read as numbers whatever they hold
    std::vector<std::string> categorical;  // columns read as categories whatever they hold
    std::span<const column_schema> like;   // the schema to follow (see above); empty: infer
};

table read_table(const std::filesystem::path& path, const table_options& options = {});

// The schema of a table: each column's name and type.
std::vector<column_schema> schema_of(const table& t);

}  // namespace kldiv::io
