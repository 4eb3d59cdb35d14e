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

#include <cstdint>
#include <istream>
#include <string>

#include "kldiv/io/distribution_file.hpp"

namespace kldiv::io::detail {

// Lines ending in \n, \r\n or \r (the terminator is not part of the line). A long line is given
// room for the rest of the input at once when the stream can tell its size, so a one-line file of
// S bytes takes S bytes, not up to 2S while a doubling buffer copies.
class line_reader {
public:
    explicit line_reader(std::istream& in);
    bool next(std::string& line);                            // false at the end of the input
    std::size_t number() const noexcept { return number_; }  // of the last line read, from 1

private:
    std::streambuf* buffer_;
    std::uint64_t left_ = 0;  // at least the bytes not yet read, when known (else 0)
    std::size_t number_ = 0;
};

// The column of a byte of a line in messages: UTF-8 code points from 1. Positions are asked for in
// increasing order (the count goes on from the last one).
class column_counter {
public:
    explicit column_counter(const std::string& line) : line_(line) {}
    std::size_t at(std::size_t byte);

private:
    const std::string& line_;
    std::size_t byte_ = 0;
    std::size_t column_ = 1;
};

// Reads `in` to its end. `source` names it in messages ("<source>: line 3, column 7: ...").
labeled_vector parse_delimited_text(std::istream& in, const std::string& source, const char* function);

}  // namespace kldiv::io::detail
