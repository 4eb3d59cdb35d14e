#include "kldiv/io/table_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "src/io/delimited_text.hpp"
#include "src/io/input_file.hpp"
#include "src/io/npy.hpp"
#include "src/io/number.hpp"

namespace kldiv::io {
namespace {

constexpr const char* reader_name = "read_table";

// More columns than anyone's table has; a header (or an .npy shape) claiming more is refused before
// a column is made (an .npy of shape (0, 10^12) holds no data to bound it).
constexpr std::size_t max_columns = std::size_t{1} << 20;

constexpr std::string_view missing_markers[] = {"",     "#N/A",   "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN",
                                                "-nan", "1.#IND", "1.#QNAN",  "<NA>", "N/A",     "NA",       "NULL",
                                                "NaN",  "None",   "n/a",      "nan",  "null"};

bool is_missing(std::string_view text) noexcept {
    if (text.empty()) return true;
    if (text.size() > 8 || std::string_view("#-1<Nn").find(text.front()) == std::string_view::npos) return false;
    return std::find(std::begin(missing_markers), std::end(missing_markers), text) != std::end(missing_markers);
}

// 1 for true, 0 for false (any letter case), -1 for anything else.
int boolean_of(std::string_view text) noexcept {
    auto is = [&](std::string_view word) {
        if (text.size() != word.size()) return false;
        for (std::size_t i = 0; i < word.size(); ++i) {
            const char c = text[i];
            if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != word[i]) return false;
        }
        return true;
    };
    return is("true") ? 1 : is("false") ? 0 : -1;
}

// A column's name in a message, unquoted: printable, shortened after 40 bytes.
std::string name_shown(std::string_view name) {
    const std::string quoted = detail::shown(name);
    return quoted.substr(1, quoted.size() - 2);
}

// "a, b, c" — up to 8 names, then how many more.
std::string names_listed(const std::vector<std::string>& names) {
    std::string out;
    const std::size_t most = 8;
    for (std::size_t i = 0; i < names.size() && i < most; ++i) out += (i > 0 ? ", " : "") + name_shown(names[i]);
    if (names.size() > most) out += " and " + std::to_string(names.size() - most) + " more";
    return out;
}

// How a column is to be read: the type it must have and who said so, or inference.
enum class rule_source { inferred, declared, schema };

struct column_rule {
    column_type type = column_type::numeric;
    rule_source source = rule_source::inferred;
};

// "column age is numeric in the reference", "column age is declared numeric".
std::string rule_text(const std::string& name, const column_rule& rule) {
    const std::string type(kldiv::name(rule.type));
    return "column " + name_shown(name) + " is " +
           (rule.source == rule_source::schema ? type + " in the reference" : "declared " + type);
}

// The rule of each of the file's columns (`names`, distinct) from the options, which must name
// columns the file has; `columns_are` says where the names come from, for messages.
std::vector<column_rule> rules_for(const std::vector<std::string>& names, const table_options& options,
                                   const detail::reporter& report, const std::string& columns_are) {
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(names.size());
    for (std::size_t j = 0; j < names.size(); ++j) index.emplace(names[j], j);
    std::vector<column_rule> rules(names.size());
    auto column_of = [&](const std::string& name, const std::string& which) {
        const auto found = index.find(name);
        if (found == index.end()) {
            report.fail(columns_are + " no column " + name_shown(name) + ", which " + which +
                        " (the file's columns: " + names_listed(names) + ")");
        }
        return found->second;
    };
    for (const column_schema& s : options.like) {
        column_rule& r = rules[column_of(s.name, "the reference has")];
        if (r.source == rule_source::inferred) r = {s.type, rule_source::schema};
    }
    for (const auto* declared : {&options.numeric, &options.categorical}) {
        const column_type type = declared == &options.numeric ? column_type::numeric : column_type::categorical;
        for (const std::string& name : *declared) {
            column_rule& r = rules[column_of(name, "is declared " + std::string(kldiv::name(type)))];
            if (r.source == rule_source::declared && r.type != type) {
                report.fail("column " + name_shown(name) +
                            " is declared both numeric and categorical; declare each column once");
            }
            r = {type, rule_source::declared};
        }
    }
    return rules;
}

// The categories of the categorical columns as they are met: each distinct text of a column gets
// the column's next code.
class column_dictionaries {
public:
    explicit column_dictionaries(const std::vector<table_column>& columns) : of_(columns.size(), 0) {
        for (std::size_t j = 0; j < columns.size(); ++j) {
            if (columns[j].type == column_type::categorical) {
                of_[j] = columns_.size();
                columns_.emplace_back();
            }
        }
    }
    std::uint32_t code_of(std::size_t j, std::string_view text, const table& t, const detail::reporter& report) {
        one& d = columns_[of_[j]];
        const auto found = d.index.find(text);
        if (found != d.index.end()) return found->second;
        if (d.texts.size() >= missing_code) {
            report.fail("column " + name_shown(t.columns[j].name) + " has more than " +
                        std::to_string(missing_code - 1) + " distinct categories, the most a column may have");
        }
        const auto code = static_cast<std::uint32_t>(d.texts.size());
        d.texts.emplace_back(text);
        d.index.emplace(d.texts.back(), code);
        return code;
    }
    // Moves every column's categories into the table.
    void finish(table& t) {
        for (std::size_t j = 0; j < t.columns.size(); ++j) {
            if (t.columns[j].type != column_type::categorical) continue;
            one& d = columns_[of_[j]];
            d.index.clear();
            t.columns[j].categories.assign(std::make_move_iterator(d.texts.begin()),
                                           std::make_move_iterator(d.texts.end()));
            d.texts.clear();
        }
    }

private:
    struct one {
        std::deque<std::string> texts;  // a deque: the index's keys view them, and they never move
        std::unordered_map<std::string_view, std::uint32_t> index;
    };
    std::vector<one> columns_;
    std::vector<std::size_t> of_;  // column -> its dictionary
};

// Columns laid out for `rows` rows from their names and types: NaN and missing_code everywhere,
// categories of boolean columns set.
std::vector<table_column> make_columns(std::vector<std::string>& names, const std::vector<column_rule>& rules,
                                       const std::vector<column_type>& types, std::size_t rows) {
    std::vector<table_column> columns(names.size());
    for (std::size_t j = 0; j < names.size(); ++j) {
        table_column& c = columns[j];
        c.name = std::move(names[j]);
        c.type = types[j];
        c.declared = rules[j].source != rule_source::inferred;
        if (c.type == column_type::numeric) {
            c.numbers.assign(rows, std::numeric_limits<double>::quiet_NaN());
        } else {
            c.codes.assign(rows, missing_code);
            if (c.type == column_type::boolean) c.categories = {"false", "true"};
        }
    }
    return columns;
}

// ----- delimited text ------------------------------------------------------------------------

class text_table {
public:
    text_table(detail::input_file& file, const table_options& options)
        : file_(file), options_(options), report_(file.name, reader_name) {}

    table read() {
        infer();
        return fill();
    }

private:
    detail::input_file& file_;
    const table_options& options_;
    detail::reporter report_;
    detail::delimiter delimiter_ = detail::delimiter::comma;
    std::size_t header_line_ = 0;
    std::vector<std::string> names_;
    std::vector<column_rule> rules_;
    // Inference (columns without a rule): what the non-missing fields have been.
    struct seen {
        bool number = false, boolean = false, other = false;
    };
    std::vector<seen> seen_;
    std::size_t rows_ = 0;

    // Lines of the file from its start: blank lines skipped, and '#' comments before the header;
    // every line's bytes checked.
    class lines {
    public:
        lines(detail::input_file& file, const detail::reporter& report) : reader_(*file.stream), report_(report) {
            file.stream->clear();
            file.stream->seekg(0);
        }
        bool next(std::string& line, bool before_header, detail::delimiter d) {
            while (reader_.next(line)) {
                detail::check_text_line(line, reader_.number(), report_);
                // Blank: only spaces, and tabs unless they separate fields ("\t\t" is a row of three
                // missing values in a TSV file).
                const bool tab_fields = !before_header && d == detail::delimiter::tab;
                const std::size_t first = line.find_first_not_of(tab_fields ? " " : " \t");
                if (first == std::string::npos || (before_header && line[first] == '#')) continue;
                return true;
            }
            return false;
        }
        std::size_t number() const noexcept { return reader_.number(); }

    private:
        detail::line_reader reader_;
        const detail::reporter& report_;
    };

    template <class Visit>
    std::size_t split(const std::string& line, std::size_t number, Visit&& visit) const {
        return detail::split_line(line, number, delimiter_, report_, visit);
    }

    std::string where(std::size_t line, const detail::field& f, std::size_t k) const {
        return "line " + std::to_string(line) + ", column " + std::to_string(f.column) + " (" + name_shown(names_[k]) +
               "): ";
    }

    void read_header(lines& in, std::string& line) {
        if (!in.next(line, true, detail::delimiter::comma)) {
            report_.fail(
                "has no header line (the file is empty, or has only blank lines and '#' comments), but a table "
                "starts with a line of column names");
        }
        header_line_ = in.number();
        delimiter_ = detail::detect_delimiter(line);
        if (delimiter_ == detail::delimiter::whitespace) delimiter_ = detail::delimiter::comma;  // one column
        std::unordered_map<std::string_view, std::size_t> columns_at;  // name -> its column in the line
        std::vector<std::size_t> at;
        split(line, header_line_, [&](std::size_t k, const detail::field& f) {
            if (k >= max_columns) {
                report_.fail(header_line_, f.column,
                             "more than " + std::to_string(max_columns) + " columns, the most a table may have");
            }
            names_.emplace_back(f.text);
            at.push_back(f.column);
            return true;
        });
        bool numbers = true;
        for (const std::string& name : names_) numbers = numbers && detail::is_number(name);
        const std::string data_hint =
            numbers ? " (is line " + std::to_string(header_line_) +
                          " data? a table's first line must name its columns, as pandas.read_csv reads it)"
                    : "";
        columns_at.reserve(names_.size());
        for (std::size_t k = 0; k < names_.size(); ++k) {
            if (names_[k].empty()) {
                report_.fail(header_line_, at[k],
                             "column " + std::to_string(k + 1) +
                                 " has an empty name, but every column must be named (an unnamed index, as "
                                 "DataFrame.to_csv writes it? save with index=False, or name it)" +
                                 data_hint);
            }
            const auto [first, inserted] = columns_at.emplace(names_[k], at[k]);
            if (!inserted) {
                report_.fail(header_line_, at[k],
                             "the column name " + detail::shown(names_[k]) + " is also at column " +
                                 std::to_string(first->second) + ", but column names must be distinct" + data_hint);
            }
        }
        rules_ = rules_for(names_, options_, report_, "the header (line " + std::to_string(header_line_) + ") has");
        seen_.assign(names_.size(), seen{});
    }

    // The message for field k of a row when it breaks its column's rule, else "" (inference notes it).
    std::string classify(std::size_t k, const detail::field& f, std::size_t line) {
        if (is_missing(f.text)) return {};
        const column_rule& rule = rules_[k];
        if (rule.source == rule_source::inferred) {
            seen& s = seen_[k];
            if (s.other) return {};
            if (detail::is_number(f.text)) {
                s.number = true;
            } else if (boolean_of(f.text) >= 0) {
                s.boolean = true;
            } else {
                s.other = true;
            }
            return {};
        }
        switch (rule.type) {
            case column_type::numeric: {
                double ignored = 0.0;
                switch (detail::parse_number(f.text, ignored)) {
                    case detail::number_status::ok:
                        return {};
                    case detail::number_status::out_of_range:
                        return where(line, f, k) + detail::shown(f.text) + detail::out_of_range_rule;
                    default:
                        return where(line, f, k) + detail::shown(f.text) + " is not a number, but " +
                               rule_text(names_[k], rule);
                }
            }
            case column_type::boolean:
                if (boolean_of(f.text) >= 0) return {};
                return where(line, f, k) + detail::shown(f.text) + " is not true or false, but " +
                       rule_text(names_[k], rule);
            case column_type::categorical:
                break;
        }
        return {};
    }

    [[noreturn]] void ragged(std::size_t line, std::size_t count) const {
        report_.fail(line, std::to_string(count) + (count == 1 ? " field" : " fields") + ", but the header (line " +
                               std::to_string(header_line_) + ") has " + std::to_string(names_.size()) +
                               "; every row must have as many fields as the header (delimiter: " +
                               detail::delimiter_name(delimiter_) + "; quote fields that hold it)");
    }

    // Pass 1: the header, every row's shape and fields; the types of the columns.
    void infer() {
        lines in(file_, report_);
        std::string line;
        read_header(in, line);
        const std::size_t width = names_.size();
        while (in.next(line, false, delimiter_)) {
            const std::size_t number = in.number();
            std::string problem;  // the first field that breaks its column's rule, reported after the shape
            const std::size_t count = split(line, number, [&](std::size_t k, const detail::field& f) {
                if (k < width && problem.empty()) problem = classify(k, f, number);
                return true;
            });
            if (count != width) ragged(number, count);
            if (!problem.empty()) report_.fail(problem);
            ++rows_;
        }
        if (file_.stream->bad()) report_.fail("cannot read it: read error");
    }

    column_type type_of(std::size_t k) const {
        if (rules_[k].source != rule_source::inferred) return rules_[k].type;
        const seen& s = seen_[k];
        if (s.other || (s.number && s.boolean)) return column_type::categorical;
        return s.boolean ? column_type::boolean : column_type::numeric;
    }

    // Pass 2: the values.
    table fill() {
        table t;
        t.rows = rows_;
        std::vector<column_type> types(names_.size());
        for (std::size_t k = 0; k < types.size(); ++k) types[k] = type_of(k);
        std::vector<std::string> names = names_;  // names_ stays for messages
        t.columns = make_columns(names, rules_, types, rows_);
        column_dictionaries dictionaries(t.columns);

        lines in(file_, report_);
        std::string line;
        while (in.number() < header_line_ && in.next(line, true, delimiter_)) {
        }
        for (std::size_t row = 0; row < rows_; ++row) {
            if (!in.next(line, false, delimiter_))
                report_.fail("changed while it was read (fewer rows the second time)");
            const std::size_t number = in.number();
            split(line, number, [&](std::size_t k, const detail::field& f) {
                if (k >= t.columns.size()) return false;
                if (is_missing(f.text)) return true;
                table_column& c = t.columns[k];
                switch (c.type) {
                    case column_type::numeric:
                        c.numbers[row] = number_of(k, f, number);
                        break;
                    case column_type::boolean: {
                        const int b = boolean_of(f.text);
                        if (b < 0) report_.fail(where(number, f, k) + detail::shown(f.text) + " is not true or false");
                        c.codes[row] = static_cast<std::uint32_t>(b);
                        break;
                    }
                    case column_type::categorical:
                        c.codes[row] = dictionaries.code_of(k, f.text, t, report_);
                        break;
                }
                return true;
            });
        }
        dictionaries.finish(t);
        if (file_.stream->bad()) report_.fail("cannot read it: read error");
        return t;
    }

    double number_of(std::size_t k, const detail::field& f, std::size_t line) const {
        double v = 0.0;
        switch (detail::parse_number(f.text, v)) {
            case detail::number_status::ok:
                return v;
            case detail::number_status::out_of_range:
                report_.fail(where(line, f, k) + detail::shown(f.text) + detail::out_of_range_rule);
            default:
                report_.fail(where(line, f, k) + detail::shown(f.text) + " is not a number");
        }
    }
};

// ----- .npy ------------------------------------------------------------------------------------

// The text of an element as a category: integers in decimal, booleans false/true, floats in the
// shortest form that reads back as the same double.
template <class T>
std::string category_text(T value, bool boolean) {
    if (boolean) return value != 0 ? "true" : "false";
    if constexpr (std::is_same_v<T, std::int64_t>) {
        return std::to_string(value);
    } else {
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
        return ec == std::errc{} ? std::string(buffer, end) : std::to_string(value);
    }
}

table read_npy_table(detail::input_file& file, const table_options& options) {
    using namespace detail;
    const reporter report(file.name, reader_name);
    const npy_header h = read_npy_header(file, reader_name);
    const bool integer = is_npy_integer(h);
    if (!integer && h.type == npy_float::none) {
        report.fail("npy header field 'descr' is '" + kldiv::printable(h.descr) + "' (" + npy_dtype_name(h) +
                    "), but a table file must hold float16, float32, float64, integers or booleans; convert it "
                    "with a.astype(numpy.float64), or save text columns as CSV");
    }
    if (h.shape.size() != 1 && h.shape.size() != 2) {
        report.fail("npy header field 'shape' is " + npy_shape_text(h.shape) +
                    ", but a table needs shape (n,) (one column) or (n, d) (d columns)");
    }
    const std::uint64_t rows = h.shape[0];
    const std::uint64_t width = h.shape.size() == 2 ? h.shape[1] : 1;
    if (width == 0) {
        report.fail("npy header field 'shape' is " + npy_shape_text(h.shape) +
                    ": the table has no columns, but it needs at least one");
    }
    if (width > max_columns) {
        report.fail("npy header field 'shape' is " + npy_shape_text(h.shape) + ": more than " +
                    std::to_string(max_columns) + " columns, the most a table may have");
    }
    check_npy_data_size(h, file.size, file.name, reader_name);  // before allocating

    std::vector<std::string> names(static_cast<std::size_t>(width));
    for (std::size_t j = 0; j < names.size(); ++j) names[j] = std::to_string(j);
    const std::vector<column_rule> rules = rules_for(names, options, report, "the array has");
    std::vector<column_type> types(rules.size());
    bool exact = false;  // a categorical column of integers: read them as integers, not doubles
    for (std::size_t j = 0; j < rules.size(); ++j) {
        types[j] = rules[j].source == rule_source::inferred ? column_type::numeric : rules[j].type;
        exact = exact || (integer && types[j] == column_type::categorical);
    }
    std::vector<std::string> column_names = names;
    table t;
    t.rows = static_cast<std::size_t>(rows);
    t.columns = make_columns(column_names, rules, types, t.rows);
    column_dictionaries dictionaries(t.columns);
    const bool boolean_dtype = h.descr.ends_with("b1");

    auto read_as = [&](auto zero) {
        using T = decltype(zero);
        constexpr std::size_t chunk = 8192;
        std::vector<T> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, h.element_count)));
        for (std::uint64_t done = 0; done < h.element_count;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, h.element_count - done));
            read_npy_elements(file, h, std::span<T>(buffer.data(), n), done, reader_name);
            for (std::size_t e = 0; e < n; ++e) {
                const std::uint64_t index = done + e;
                const auto i = static_cast<std::size_t>(h.fortran_order ? index % rows : index / width);
                const auto j = static_cast<std::size_t>(h.fortran_order ? index / rows : index % width);
                const T value = buffer[e];
                table_column& c = t.columns[j];
                if constexpr (!std::is_same_v<T, std::int64_t>) {
                    if (std::isnan(value)) continue;  // missing
                }
                if (c.type == column_type::numeric) {
                    c.numbers[i] = static_cast<double>(value);
                } else if (c.type == column_type::boolean) {
                    if (value != 0 && value != 1) {
                        report.fail("element (" + std::to_string(i) +
                                    (h.shape.size() == 2 ? ", " + std::to_string(j) : "") +
                                    ") = " + category_text(value, false) + " is not 0 or 1 (false or true), but " +
                                    rule_text(names[j], rules[j]));
                    }
                    c.codes[i] = value != 0 ? 1 : 0;
                } else {
                    c.codes[i] = dictionaries.code_of(j, category_text(value, boolean_dtype), t, report);
                }
            }
            done += n;
        }
    };
    if (exact) {
        read_as(std::int64_t{0});
    } else {
        read_as(0.0);
    }
    dictionaries.finish(t);
    return t;
}

}  // namespace

const table_column* table::find(std::string_view name) const noexcept {
    for (const table_column& c : columns) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

table read_table(const std::filesystem::path& path, const table_options& options) {
    detail::input_file file = detail::open_input_file(path, reader_name);
    if (detail::is_npy_input(file, path)) return read_npy_table(file, options);
    return text_table(file, options).read();
}

std::vector<column_schema> schema_of(const table& t) {
    std::vector<column_schema> schema;
    schema.reserve(t.columns.size());
    for (const table_column& c : t.columns) schema.push_back({c.name, c.type});
    return schema;
}

}  // namespace kldiv::io
