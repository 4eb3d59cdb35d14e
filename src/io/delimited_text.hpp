#pragma once
// Delimited text (CSV, TSV, semicolon- or whitespace-separated): the pieces every text reader shares
// — lines, delimiter detection, quoted fields with their line and column, the checks of a text
// file's bytes, the wording of messages — and the reader of one distribution.
//
// Lines end in \n, \r\n or \r; a UTF-8 byte order mark is skipped. The delimiter is detected on one
// line, outside double quotes: tab if it has one, else ';' if it has both ';' and ',' (decimal
// commas), else ',' , else ';', else runs of spaces and tabs. Fields are trimmed of surrounding
// blanks; a field may be quoted "like, this" with "" for a quote inside, and must end on its line.
// Line and column numbers in messages count from 1; columns count characters (UTF-8 code points).
//
// A distribution file (parse_delimited_text): blank lines and lines whose first non-blank character
// is '#' are skipped; the delimiter is detected on the first remaining line. Every row must have the
// same number of fields. The first line is a header when its value field is not a number (the only
// field of a column, the second of a label,value row, the first of a single row). Shapes (after an
// optional header):
//   one field per row               a column of values (the header, if any, is dropped)
//   two fields, two or more rows    label,value rows: labels kept, even when they look numeric
//   one row of n >= 2 fields        a row of values; a header line above it gives the labels

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "kldiv/error.hpp"
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

// A field's text quoted for a message: kldiv::printable, shortened after 40 bytes (at a character
// boundary) with "...".
std::string shown(std::string_view text);

// Messages about one input: "<function>: <source>: line 3, column 7: <message>".
class reporter {
public:
    reporter(const std::string& source, const char* function) : source_(source), function_(function) {}

    [[noreturn]] void fail(const std::string& message) const { throw error(function_, source_ + ": " + message); }
    [[noreturn]] void fail(std::size_t line, const std::string& message) const {
        fail("line " + std::to_string(line) + ": " + message);
    }
    [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& message) const {
        fail("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message);
    }

private:
    const std::string& source_;
    const char* function_;
};

// Checks line `number` of a text file as read: on line 1 removes a UTF-8 byte order mark and
// refuses a UTF-16 one and a zip archive (an .npz); on every line refuses a NUL byte (a binary file).
void check_text_line(std::string& line, std::size_t number, const reporter& report);

enum class delimiter { whitespace, comma, tab, semicolon };

const char* delimiter_name(delimiter d) noexcept;  // "comma", "tab", "semicolon", "spaces/tabs"
char delimiter_char(delimiter d) noexcept;         // ',', '\t', ';', ' '
delimiter detect_delimiter(std::string_view line) noexcept;

// One field of a line, as split_line hands it over: `text` views the line (or, for a quoted field
// with "" inside, the splitter's scratch copy) and is valid only until the next field.
struct field {
    std::string_view text;
    std::size_t column = 0;  // of its first character (its opening quote when quoted), from 1
    bool quoted = false;
};

// Reads the quoted field starting at line[i] == '"'; returns the index after the closing quote.
// The field's text is line[i + 1, end - 1) when it holds no "", else a copy in `scratch`.
std::size_t read_quoted(const std::string& line, std::size_t i, field& f, std::string& scratch, std::size_t line_number,
                        const reporter& report);

// Splits `line` and calls visit(index, field) for each field in order until it returns false;
// returns the number of fields visited. Malformed quoting is reported on the way.
template <class Visit>
std::size_t split_line(const std::string& line, std::size_t line_number, delimiter d, const reporter& report,
                       Visit&& visit) {
    std::string scratch;
    column_counter columns(line);
    const std::size_t n = line.size();
    std::size_t i = 0, count = 0;
    if (d == delimiter::whitespace) {
        auto blank = [](char c) { return c == ' ' || c == '\t'; };
        for (;;) {
            while (i < n && blank(line[i])) ++i;
            if (i >= n) break;
            field f;
            f.column = columns.at(i);
            if (line[i] == '"') {
                i = read_quoted(line, i, f, scratch, line_number, report);
                if (i < n && !blank(line[i])) {
                    report.fail(line_number, columns.at(i),
                                "text right after the closing quote of the field at column " +
                                    std::to_string(f.column) + " (separate fields with spaces or tabs)");
                }
            } else {
                const std::size_t start = i;
                while (i < n && !blank(line[i])) ++i;
                f.text = std::string_view(line).substr(start, i - start);
            }
            if (!visit(count++, f)) break;
        }
        return count;
    }
    const char c = delimiter_char(d);
    auto blank = [d](char ch) { return ch == ' ' || (ch == '\t' && d != delimiter::tab); };
    for (;;) {
        while (i < n && blank(line[i])) ++i;
        field f;
        f.column = columns.at(i);
        if (i < n && line[i] == '"') {
            i = read_quoted(line, i, f, scratch, line_number, report);
            while (i < n && blank(line[i])) ++i;
            if (i < n && line[i] != c) {
                report.fail(line_number, columns.at(i),
                            "text after the closing quote of the field at column " + std::to_string(f.column) +
                                " (a quoted field must end at the delimiter, " + delimiter_name(d) + ")");
            }
        } else {
            const std::size_t start = i;
            while (i < n && line[i] != c) ++i;
            std::size_t end = i;
            while (end > start && blank(line[end - 1])) --end;
            f.text = std::string_view(line).substr(start, end - start);
        }
        if (!visit(count++, f)) break;
        if (i >= n) break;
        ++i;  // past the delimiter; a delimiter at the end of the line leaves an empty last field
    }
    return count;
}

// Reads `in` to its end. `source` names it in messages ("<source>: line 3, column 7: ...").
labeled_vector parse_delimited_text(std::istream& in, const std::string& source, const char* function);

}  // namespace kldiv::io::detail
