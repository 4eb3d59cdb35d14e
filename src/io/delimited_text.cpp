#include "delimited_text.hpp"

#include <cstdio>
#include <utility>
#include <vector>

#include "kldiv/error.hpp"
#include "number.hpp"

namespace kldiv::io::detail {
namespace {

enum class delimiter { whitespace, comma, tab, semicolon };

const char* delimiter_name(delimiter d) {
    switch (d) {
        case delimiter::comma: return "comma";
        case delimiter::tab: return "tab";
        case delimiter::semicolon: return "semicolon";
        case delimiter::whitespace: break;
    }
    return "spaces/tabs";
}

char delimiter_char(delimiter d) {
    switch (d) {
        case delimiter::comma: return ',';
        case delimiter::tab: return '\t';
        case delimiter::semicolon: return ';';
        case delimiter::whitespace: break;
    }
    return ' ';
}

struct field {
    std::string text;
    std::size_t column = 0;
    bool quoted = false;
};

struct row {
    std::size_t line = 0;
    std::vector<field> fields;
};

// Quotes a field's text for a message, shortened when long.
std::string shown(const std::string& text) {
    std::string out = "\"";
    std::size_t count = 0;
    for (unsigned char c : text) {
        if (++count > 40) {
            out += "...";
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out + "\"";
}

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

// Lines ending in \n, \r\n or \r (the terminator is not part of the line).
class line_reader {
public:
    explicit line_reader(std::istream& in) : buffer_(in.rdbuf()) {}

    bool next(std::string& line) {
        line.clear();
        if (buffer_ == nullptr) return false;
        using traits = std::char_traits<char>;
        auto c = buffer_->sbumpc();
        if (traits::eq_int_type(c, traits::eof())) return false;
        while (!traits::eq_int_type(c, traits::eof()) && c != '\n' && c != '\r') {
            line.push_back(traits::to_char_type(c));
            c = buffer_->sbumpc();
        }
        if (c == '\r' && buffer_->sgetc() == '\n') buffer_->sbumpc();
        ++number_;
        return true;
    }

    std::size_t number() const noexcept { return number_; }

private:
    std::streambuf* buffer_;
    std::size_t number_ = 0;
};

// Columns count UTF-8 code points from 1; positions are asked for in increasing order.
class column_counter {
public:
    explicit column_counter(const std::string& line) : line_(line) {}
    std::size_t at(std::size_t byte) {
        while (byte_ < byte && byte_ < line_.size()) {
            if ((static_cast<unsigned char>(line_[byte_]) & 0xc0) != 0x80) ++column_;
            ++byte_;
        }
        return column_ + (byte > byte_ ? byte - byte_ : 0);
    }

private:
    const std::string& line_;
    std::size_t byte_ = 0;
    std::size_t column_ = 1;
};

delimiter detect_delimiter(const std::string& line) {
    bool quoted = false, tab = false, comma = false, semicolon = false;
    for (char c : line) {
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted) {
            tab |= c == '\t';
            comma |= c == ',';
            semicolon |= c == ';';
        }
    }
    if (tab) return delimiter::tab;
    if (semicolon && comma) return delimiter::semicolon;  // "0,25;0,75": decimal commas
    if (comma) return delimiter::comma;
    if (semicolon) return delimiter::semicolon;
    return delimiter::whitespace;
}

// Reads the quoted field starting at line[i] == '"'; returns the index after the closing quote.
std::size_t read_quoted(const std::string& line, std::size_t i, field& f, std::size_t line_number, const reporter& report) {
    f.quoted = true;
    std::size_t j = i + 1;
    for (;;) {
        if (j >= line.size()) {
            report.fail(line_number, f.column, "the quote opened here is not closed (a quoted field must end on the same line)");
        }
        if (line[j] == '"') {
            if (j + 1 < line.size() && line[j + 1] == '"') {
                f.text.push_back('"');
                j += 2;
                continue;
            }
            return j + 1;
        }
        f.text.push_back(line[j++]);
    }
}

void split_line(const std::string& line, std::size_t line_number, delimiter d, std::vector<field>& out,
                const reporter& report) {
    out.clear();
    column_counter columns(line);
    const std::size_t n = line.size();
    std::size_t i = 0;
    if (d == delimiter::whitespace) {
        auto blank = [](char c) { return c == ' ' || c == '\t'; };
        for (;;) {
            while (i < n && blank(line[i])) ++i;
            if (i >= n) break;
            field f;
            f.column = columns.at(i);
            if (line[i] == '"') {
                i = read_quoted(line, i, f, line_number, report);
                if (i < n && !blank(line[i])) {
                    report.fail(line_number, columns.at(i),
                                "text right after the closing quote of the field at column " + std::to_string(f.column) +
                                    " (separate fields with spaces or tabs)");
                }
            } else {
                const std::size_t start = i;
                while (i < n && !blank(line[i])) ++i;
                f.text = line.substr(start, i - start);
            }
            out.push_back(std::move(f));
        }
        return;
    }
    const char c = delimiter_char(d);
    auto blank = [d](char ch) { return ch == ' ' || (ch == '\t' && d != delimiter::tab); };
    for (;;) {
        while (i < n && blank(line[i])) ++i;
        field f;
        f.column = columns.at(i);
        if (i < n && line[i] == '"') {
            i = read_quoted(line, i, f, line_number, report);
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
            f.text = line.substr(start, end - start);
        }
        out.push_back(std::move(f));
        if (i >= n) break;
        ++i;  // past the delimiter; a delimiter at the end of the line leaves an empty last field
    }
}

// "0,25" when the delimiter is not a comma: a number written with a decimal comma.
bool decimal_comma_number(const std::string& text) {
    if (text.find(',') == std::string::npos) return false;
    std::string dotted = text;
    for (char& c : dotted) {
        if (c == ',') c = '.';
    }
    return is_number(dotted);
}

// "0.1   0.2" in a tab-separated line: numbers separated by spaces.
bool space_separated_numbers(const std::string& text) {
    if (text.find_first_of(" ") == std::string::npos) return false;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > start && !is_number(std::string_view(text).substr(start, i - start))) return false;
    }
    return true;
}

enum class layout { column, row, label_value };

}  // namespace

labeled_vector parse_delimited_text(std::istream& in, const std::string& source, const char* function) {
    const reporter report(source, function);
    line_reader reader(in);
    std::string line;
    delimiter delim = delimiter::whitespace;
    bool detected = false;
    std::size_t width = 0, first_line = 0;

    auto next_row = [&](row& r) -> bool {
        while (reader.next(line)) {
            if (reader.number() == 1) {
                if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
                if (line.starts_with("\xFF\xFE") || line.starts_with("\xFE\xFF")) {
                    report.fail("starts with a UTF-16 byte order mark, but text files must be UTF-8 (or ASCII)");
                }
                if (line.starts_with("PK\x03\x04")) {
                    report.fail("is a zip archive (an .npz?), but only single arrays (.npy) and text are read; save the "
                                "array with numpy.save");
                }
            }
            if (const std::size_t nul = line.find('\0'); nul != std::string::npos) {
                report.fail(reader.number(), column_counter(line).at(nul),
                            "a NUL byte: this looks like a binary file, not text (a .npy file must start with "
                            "\"\\x93NUMPY\")");
            }
            const std::size_t first = line.find_first_not_of(" \t");
            if (first == std::string::npos || line[first] == '#') continue;
            if (!detected) {
                delim = detect_delimiter(line);
                detected = true;
            }
            r.line = reader.number();
            split_line(line, r.line, delim, r.fields, report);
            if (width == 0) {
                width = r.fields.size();
                first_line = r.line;
            } else if (r.fields.size() != width) {
                report.fail(r.line, std::to_string(r.fields.size()) + (r.fields.size() == 1 ? " field" : " fields") +
                                        ", but line " + std::to_string(first_line) + " has " + std::to_string(width) +
                                        "; every row must have the same number of fields (delimiter: " +
                                        delimiter_name(delim) + ")" +
                                        (delim == delimiter::whitespace ? "; quote labels that contain spaces" : ""));
            }
            return true;
        }
        return false;
    };

    auto value_of = [&](const field& f, std::size_t line_number) -> double {
        double v = 0.0;
        switch (parse_number(f.text, v)) {
            case number_status::ok: return v;
            case number_status::empty:
                report.fail(line_number, f.column,
                            f.quoted ? "an empty quoted field, but a value is needed here"
                                     : "an empty field, but a value is needed here (a stray delimiter?)");
            case number_status::out_of_range:
                report.fail(line_number, f.column,
                            shown(f.text) + out_of_range_rule);
            case number_status::not_a_number: break;
        }
        std::string hint;
        if (delim != delimiter::comma && decimal_comma_number(f.text)) hint = " (write decimals with '.', not ',')";
        if (delim == delimiter::tab && !f.quoted && space_separated_numbers(f.text)) {
            hint = " (the first line separates fields with tabs, this one with spaces; use one delimiter)";
        }
        report.fail(line_number, f.column, shown(f.text) + " is not a number" + hint);
    };

    std::vector<row> pending;
    row r;
    while (pending.size() < 3 && next_row(r)) pending.push_back(std::move(r));  // moved: a one-line file of 10^7 fields is not copied
    if (pending.empty()) report.fail("holds no values (the file is empty, or has only blank lines and '#' comments)");

    const std::vector<field>& top = pending[0].fields;
    const std::size_t value_field = width == 2 ? 1 : 0;
    // A header's value field is text; a number written with a decimal comma, or numbers separated by
    // spaces in a tab-separated file, are data with a mistake (reported on line 1 below), not a header.
    const std::string& first_value = top[value_field].text;
    const bool header = !is_number(first_value) && !(delim != delimiter::comma && decimal_comma_number(first_value)) &&
                        !(delim == delimiter::tab && space_separated_numbers(first_value));
    const std::size_t data_rows = pending.size() - (header ? 1 : 0);
    if (data_rows == 0) {
        report.fail(pending[0].line, "looks like a header (its value field " + shown(top[value_field].text) +
                                         " is not a number), but no values follow");
    }
    layout shape = layout::row;
    if (width == 1) {
        shape = layout::column;
    } else if (width == 2) {
        const std::vector<field>& only = pending[header ? 1 : 0].fields;
        shape = data_rows == 1 && is_number(only[0].text) && is_number(only[1].text) ? layout::row : layout::label_value;
    }

    labeled_vector result;
    if (shape == layout::row && header) {
        for (const field& f : top) result.labels.push_back(f.text);
    }
    std::size_t rows_seen = 0;
    auto take = [&](const row& x) {
        ++rows_seen;
        switch (shape) {
            case layout::column: result.values.push_back(value_of(x.fields[0], x.line)); break;
            case layout::label_value:
                if (x.fields[0].text.empty() && !x.fields[0].quoted) {
                    report.fail(x.line, x.fields[0].column, "an empty label (quote it as \"\" if that is meant)");
                }
                result.labels.push_back(x.fields[0].text);
                result.values.push_back(value_of(x.fields[1], x.line));
                break;
            case layout::row:
                if (rows_seen > 1) {
                    report.fail(x.line, "a second row of " + std::to_string(width) +
                                            " values, but a distribution file holds one column, one row, or two "
                                            "columns (label,value)");
                }
                result.values.reserve(width);
                for (const field& f : x.fields) result.values.push_back(value_of(f, x.line));
                break;
        }
    };
    for (std::size_t i = header ? 1 : 0; i < pending.size(); ++i) take(pending[i]);
    pending.clear();
    while (next_row(r)) take(r);
    return result;
}

}  // namespace kldiv::io::detail
