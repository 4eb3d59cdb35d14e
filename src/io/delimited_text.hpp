#pragma once
// Delimited text holding one distribution: CSV, TSV, semicolon- or whitespace-separated.
//
// Lines end in \n, \r\n or \r; a UTF-8 byte order mark is skipped. Blank lines and lines whose
// first non-blank character is '#' are skipped. The delimiter is detected on the first remaining
// line, outside double quotes: tab if it has one, else ';' if it has both ';' and ',' (decimal
// commas), else ',' , else ';', else runs of spaces and tabs. Fields are trimmed of surrounding
// blanks; a field may be quoted "like, this" with "" for a quote inside. Every row must have the
// same number of fields. The first line is a header when its value field is not a number (the
// only field of a column, the second of a label,value row, the first of a single row).
//
// Shapes (after an optional header):
//   one field per row               a column of values (the header, if any, is dropped)
//   two fields, two or more rows    label,value rows: labels kept, even when they look numeric
//   one row of n >= 2 fields        a row of values; a header line above it gives the labels
// Line and column numbers in messages count from 1; columns count characters (UTF-8 code points).

#include <istream>
#include <string>

#include "kldiv/io/distribution_file.hpp"

namespace kldiv::io::detail {

// Reads `in` to its end. `source` names it in messages ("<source>: line 3, column 7: ...").
labeled_vector parse_delimited_text(std::istream& in, const std::string& source, const char* function);

}  // namespace kldiv::io::detail
