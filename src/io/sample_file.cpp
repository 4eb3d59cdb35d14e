#include "kldiv/io/sample_file.hpp"

#include <algorithm>
#include <istream>
#include <span>
#include <string_view>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "src/io/delimited_text.hpp"
#include "src/io/input_file.hpp"
#include "src/io/npy.hpp"
#include "src/io/number.hpp"

namespace kldiv::io {
namespace {

constexpr const char* reader_name = "read_samples";

sample_matrix from_npy(detail::input_file& file) {
    using namespace detail;
    const npy_header h = read_npy_header(file, reader_name);
    require_npy_float(h, file.name, reader_name, "a sample file", "a.astype(numpy.float64)");
    if (h.shape.size() != 1 && h.shape.size() != 2)
        throw error(reader_name, file.name + ": npy header field 'shape' is " + npy_shape_text(h.shape) +
                                     ", but a sample file needs shape (n,) or (n, d): one observation per row");
    if (h.element_count == 0)
        throw error(reader_name, file.name + ": npy header field 'shape' is " + npy_shape_text(h.shape) +
                                     ": the array holds no observations");
    check_npy_data_size(h, file.size, file.name, reader_name);
    sample_matrix s;
    s.rows = static_cast<std::size_t>(h.shape[0]);
    s.cols = h.shape.size() == 2 ? static_cast<std::size_t>(h.shape[1]) : 1;
    std::vector<double> in_file(s.rows * s.cols);
    read_npy_values(file, h, std::span<double>(in_file), reader_name);
    if (!h.fortran_order || s.cols == 1) {
        s.values = std::move(in_file);
    } else {
        s.values.resize(in_file.size());
        for (std::size_t j = 0; j < s.cols; ++j)
            for (std::size_t i = 0; i < s.rows; ++i) s.values[i * s.cols + j] = in_file[j * s.rows + i];
    }
    return s;
}

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    // A blank field is the empty view at its start, not a null view: messages count its column.
    if (first == std::string_view::npos) return text.substr(0, 0);
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Calls visit(field) for each field of `line`, split at `delimiter` (or at runs of blanks when it is
// ' '), until it returns false; returns the number of fields visited. Nothing is stored per field:
// a one-line file of n numbers costs its bytes and the n doubles.
template <class Visit>
std::size_t for_each_field(std::string_view line, char delimiter, Visit&& visit) {
    constexpr auto npos = std::string_view::npos;
    std::size_t count = 0;
    if (delimiter == ' ') {
        std::size_t at = 0;
        while ((at = line.find_first_not_of(" \t", at)) != npos) {
            const std::size_t end = std::min(line.find_first_of(" \t", at), line.size());
            ++count;
            if (!visit(line.substr(at, end - at))) break;
            at = end;
        }
        return count;
    }
    for (std::size_t start = 0;;) {
        const std::size_t end = line.find(delimiter, start);
        ++count;
        if (!visit(trimmed(line.substr(start, end == npos ? npos : end - start))) || end == npos) return count;
        start = end + 1;
    }
}

// The column of a field of line in messages.
std::size_t column_of(const std::string& line, std::string_view field) {
    return detail::column_counter(line).at(static_cast<std::size_t>(field.data() - line.data()));
}

char delimiter_of(std::string_view line) {
    for (char c : {'\t', ',', ';'})
        if (line.find(c) != std::string_view::npos) return c;
    return ' ';
}

sample_matrix from_text(detail::input_file& file) {
    sample_matrix s;
    std::string line;
    char delimiter = 0;
    detail::line_reader lines(*file.stream);
    while (lines.next(line)) {
        const std::size_t number = lines.number();
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        const std::string_view text = trimmed(line);
        if (text.empty() || text.front() == '#') continue;
        if (delimiter == 0) delimiter = delimiter_of(text);
        const std::size_t count = for_each_field(text, delimiter, [](std::string_view) { return true; });
        const std::string where = file.name + ": line " + std::to_string(number);
        if (s.cols == 0) {
            s.cols = count;
            bool numbers = true;
            for_each_field(text, delimiter, [&](std::string_view f) { return numbers = detail::is_number(f); });
            if (!numbers) {
                for_each_field(text, delimiter, [&](std::string_view f) {
                    s.names.emplace_back(f);
                    return true;
                });
                continue;
            }
        }
        if (count != s.cols)
            throw error(reader_name, where + ": " + std::to_string(count) + " fields, but the first line has " +
                                         std::to_string(s.cols) +
                                         "; every observation must have the same number of variables");
        if (s.rows == 0) s.values.reserve(s.cols);
        std::size_t j = 0;
        for_each_field(text, delimiter, [&](std::string_view f) {
            double x = 0.0;
            const auto status = detail::parse_number(f, x);
            if (status != detail::number_status::ok)
                throw error(reader_name, where + ", column " + std::to_string(column_of(line, f)) + " (field " +
                                             std::to_string(j + 1) + "): \"" + kldiv::printable(f) + "\"" +
                                             (status == detail::number_status::out_of_range ? detail::out_of_range_rule
                                                                                            : " is not a number"));
            s.values.push_back(x);
            ++j;
            return true;
        });
        ++s.rows;
    }
    if (s.rows == 0) throw error(reader_name, file.name + ": no observations (one line of numbers per observation)");
    return s;
}

}  // namespace

sample_matrix read_samples(const std::filesystem::path& path) {
    detail::input_file file = detail::open_input_file(path, reader_name);
    return detail::starts_with_npy_magic(file) ? from_npy(file) : from_text(file);
}

}  // namespace kldiv::io
