#include "src/io/delimited_text.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "src/io/number.hpp"

namespace kldiv::io::detail {

line_reader::line_reader(std::istream& in) : buffer_(in.rdbuf()) {
    if (buffer_ == nullptr) return;
    // The bytes left, when the stream can tell (files and in-memory streams can; a failed seek
    // leaves the position where it was).
    const auto here = buffer_->pubseekoff(0, std::ios::cur, std::ios::in);
    if (here == std::streampos(-1)) return;
    const auto end = buffer_->pubseekoff(0, std::ios::end, std::ios::in);
    buffer_->pubseekpos(here, std::ios::in);
    if (end != std::streampos(-1) && end >= here) left_ = static_cast<std::uint64_t>(end - here);
}

bool line_reader::next(std::string& line) {
    line.clear();
    if (buffer_ == nullptr) return false;
    using traits = std::char_traits<char>;
    auto c = buffer_->sbumpc();
    if (traits::eq_int_type(c, traits::eof())) return false;
    while (!traits::eq_int_type(c, traits::eof()) && c != '\n' && c != '\r') {
        if (line.size() == line.capacity() && line.size() >= (std::size_t{1} << 16) && left_ > line.size()) {
            // A long line: room for the rest of the input at once, rather than doubling (which
            // held up to twice the line while it copied).
            line.reserve(static_cast<std::size_t>(left_));
        }
        line.push_back(traits::to_char_type(c));
        c = buffer_->sbumpc();
    }
    if (c == '\r' && buffer_->sgetc() == '\n') buffer_->sbumpc();
    left_ -= std::min<std::uint64_t>(left_, line.size() + 1);
    ++number_;
    return true;
}

const char* delimiter_name(delimiter d) noexcept {
    switch (d) {
        case delimiter::comma:
            return "comma";
        case delimiter::tab:
            return "tab";
        case delimiter::semicolon:
            return "semicolon";
        case delimiter::whitespace:
            break;
    }
    return "spaces/tabs";
}

char delimiter_char(delimiter d) noexcept {
    switch (d) {
        case delimiter::comma:
            return ',';
        case delimiter::tab:
            return '\t';
        case delimiter::semicolon:
            return ';';
        case delimiter::whitespace:
            break;
    }
    return ' ';
}

std::string shown(std::string_view text) {
    constexpr std::size_t most = 40;
    std::size_t cut = std::min(text.size(), most);
    while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
    std::string out(1, '"');  // built by appending: GCC 12 warns falsely on "\"" + string
    out += printable(text.substr(0, cut));
    if (cut < text.size()) out += "...";
    out += '"';
    return out;
}

void check_text_line(std::string& line, std::size_t number, const reporter& report) {
    if (number == 1) {
        if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
        if (line.starts_with("\xFF\xFE") || line.starts_with("\xFE\xFF")) {
            report.fail("starts with a UTF-16 byte order mark, but text files must be UTF-8 (or ASCII)");
        }
        if (line.starts_with("PK\x03\x04")) {
            report.fail(
                "is a zip archive (an .npz?), but only single arrays (.npy) and text are read; save the "
                "array with numpy.save");
        }
    }
    if (const std::size_t nul = line.find('\0'); nul != std::string::npos) {
        report.fail(number, column_counter(line).at(nul),
                    "a NUL byte: this looks like a binary file, not text (a .npy file must start with "
                    "\"\\x93NUMPY\")");
    }
}

delimiter detect_delimiter(std::string_view line) noexcept {
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

std::size_t read_quoted(const std::string& line, std::size_t i, field& f, std::string& scratch, std::size_t line_number,
                        const reporter& report) {
    f.quoted = true;
    const std::size_t first = i + 1;
    bool copied = false;
    std::size_t j = first;
    for (;;) {
        if (j >= line.size()) {
            report.fail(line_number, f.column,
                        "the quote opened here is not closed (a quoted field must end on the same line)");
        }
        if (line[j] == '"') {
            if (j + 1 < line.size() && line[j + 1] == '"') {
                if (!copied) scratch.assign(line, first, j - first);
                copied = true;
                scratch.push_back('"');
                j += 2;
                continue;
            }
            f.text = copied ? std::string_view(scratch) : std::string_view(line).substr(first, j - first);
            return j + 1;
        }
        if (copied) scratch.push_back(line[j]);
        ++j;
    }
}

namespace {

// A line kept for later: its text and its field count. Fields are split again when they are read,
// so a line of n fields costs its bytes, not n strings (a one-line file of 10^7 numbers).
struct row {
    std::size_t line = 0;
    std::string text;
    std::size_t fields = 0;
};

// "0,25" when the delimiter is not a comma: a number written with a decimal comma.
bool decimal_comma_number(std::string_view text) {
    if (text.find(',') == std::string_view::npos) return false;
    std::string dotted(text);
    for (char& c : dotted) {
        if (c == ',') c = '.';
    }
    return is_number(dotted);
}

// "0.1   0.2" in a tab-separated line: numbers separated by spaces.
bool space_separated_numbers(std::string_view text) {
    if (text.find(' ') == std::string_view::npos) return false;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > start && !is_number(text.substr(start, i - start))) return false;
    }
    return true;
}

enum class layout { column, row, label_value };

}  // namespace

std::size_t column_counter::at(std::size_t byte) {
    while (byte_ < byte && byte_ < line_.size()) {
        if ((static_cast<unsigned char>(line_[byte_]) & 0xc0) != 0x80) ++column_;
        ++byte_;
    }
    return column_ + (byte > byte_ ? byte - byte_ : 0);
}

labeled_vector parse_delimited_text(std::istream& in, const std::string& source, const char* function) {
    const reporter report(source, function);
    line_reader reader(in);
    delimiter delim = delimiter::whitespace;
    bool detected = false;
    std::size_t width = 0, first_line = 0;

    auto split = [&](const row& r, auto&& visit) { return split_line(r.text, r.line, delim, report, visit); };
    auto next_row = [&](row& r) -> bool {
        std::string& line = r.text;
        while (reader.next(line)) {
            check_text_line(line, reader.number(), report);
            const std::size_t first = line.find_first_not_of(" \t");
            if (first == std::string::npos || line[first] == '#') continue;
            if (!detected) {
                delim = detect_delimiter(line);
                detected = true;
            }
            r.line = reader.number();
            r.fields = split(r, [](std::size_t, const field&) { return true; });
            if (width == 0) {
                width = r.fields;
                first_line = r.line;
            } else if (r.fields != width) {
                report.fail(r.line,
                            std::to_string(r.fields) + (r.fields == 1 ? " field" : " fields") + ", but line " +
                                std::to_string(first_line) + " has " + std::to_string(width) +
                                "; every row must have the same number of fields (delimiter: " + delimiter_name(delim) +
                                ")" + (delim == delimiter::whitespace ? "; quote labels that contain spaces" : ""));
            }
            return true;
        }
        return false;
    };
    // The text of field k of a row (k < its field count).
    auto text_of = [&](const row& r, std::size_t k) {
        std::string text;
        split(r, [&](std::size_t i, const field& f) {
            if (i < k) return true;
            text = f.text;
            return false;
        });
        return text;
    };

    auto value_of = [&](const field& f, std::size_t line_number) -> double {
        double v = 0.0;
        switch (parse_number(f.text, v)) {
            case number_status::ok:
                return v;
            case number_status::empty:
                report.fail(line_number, f.column,
                            f.quoted ? "an empty quoted field, but a value is needed here"
                                     : "an empty field, but a value is needed here (a stray delimiter?)");
            case number_status::out_of_range:
                report.fail(line_number, f.column, shown(f.text) + out_of_range_rule);
            case number_status::not_a_number:
                break;
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
    while (pending.size() < 3 && next_row(r)) pending.push_back(std::move(r));  // moved: a one-line file is not copied
    if (pending.empty()) report.fail("holds no values (the file is empty, or has only blank lines and '#' comments)");

    const row& top = pending[0];
    const std::size_t value_field = width == 2 ? 1 : 0;
    // A header's value field is text; a number written with a decimal comma, or numbers separated by
    // spaces in a tab-separated file, are data with a mistake (reported on line 1 below), not a header.
    const std::string first_value = text_of(top, value_field);
    const bool header = !is_number(first_value) && !(delim != delimiter::comma && decimal_comma_number(first_value)) &&
                        !(delim == delimiter::tab && space_separated_numbers(first_value));
    const std::size_t data_rows = pending.size() - (header ? 1 : 0);
    if (data_rows == 0) {
        report.fail(top.line, "looks like a header (its value field " + shown(first_value) +
                                  " is not a number), but no values follow");
    }
    layout shape = layout::row;
    if (width == 1) {
        shape = layout::column;
    } else if (width == 2) {
        const row& only = pending[header ? 1 : 0];
        shape = data_rows == 1 && is_number(text_of(only, 0)) && is_number(text_of(only, 1)) ? layout::row
                                                                                             : layout::label_value;
    }

    labeled_vector result;
    if (shape == layout::row && header) {
        result.labels.reserve(width);
        split(top, [&](std::size_t, const field& f) {
            result.labels.emplace_back(f.text);
            return true;
        });
    }
    std::size_t rows_seen = 0;
    auto take = [&](const row& x) {
        ++rows_seen;
        switch (shape) {
            case layout::column:
                split(x, [&](std::size_t, const field& f) {
                    result.values.push_back(value_of(f, x.line));
                    return false;
                });
                break;
            case layout::label_value:
                split(x, [&](std::size_t i, const field& f) {
                    if (i == 1) {
                        result.values.push_back(value_of(f, x.line));
                        return false;
                    }
                    if (f.text.empty() && !f.quoted) {
                        report.fail(x.line, f.column, "an empty label (quote it as \"\" if that is meant)");
                    }
                    result.labels.emplace_back(f.text);
                    return true;
                });
                break;
            case layout::row:
                if (rows_seen > 1) {
                    report.fail(x.line, "a second row of " + std::to_string(width) +
                                            " values, but a distribution file holds one column, one row, or two "
                                            "columns (label,value)");
                }
                result.values.reserve(width);
                split(x, [&](std::size_t, const field& f) {
                    result.values.push_back(value_of(f, x.line));
                    return true;
                });
                break;
        }
    };
    for (std::size_t i = header ? 1 : 0; i < pending.size(); ++i) take(pending[i]);
    pending.clear();
    while (next_row(r)) take(r);
    return result;
}

}  // namespace kldiv::io::detail
