#include "kldiv/io/distribution_file.hpp"

#include "kldiv/error.hpp"
#include "src/io/delimited_text.hpp"
#include "src/io/input_file.hpp"
#include "src/io/npy.hpp"
#include "src/io/number.hpp"

namespace kldiv::io {
namespace {

constexpr const char* reader_name = "read_distribution";

labeled_vector read_npy_distribution(detail::input_file& file) {
    using namespace detail;
    const npy_header h = read_npy_header(file, reader_name);
    require_npy_float(h, file.name, reader_name, "a distribution file", "a.astype(numpy.float64)");
    if (h.shape.size() != 1) {
        throw error(reader_name, file.name + ": npy header field 'shape' is " + npy_shape_text(h.shape) + ", a " +
                                     std::to_string(h.shape.size()) +
                                     "-D array, but a distribution file needs a 1-D array of shape (n,)" +
                                     (h.shape.empty() ? "" : "; flatten one row or column with a.ravel()"));
    }
    if (h.element_count == 0) {
        throw error(reader_name, file.name +
                                     ": npy header field 'shape' is (0,): the array holds no values, but a "
                                     "distribution needs at least one event");
    }
    check_npy_data_size(h, file.size, file.name, reader_name);  // before allocating
    labeled_vector result;
    result.values.resize(static_cast<std::size_t>(h.element_count));
    read_npy_values(file, h, std::span<double>(result.values), reader_name);
    return result;
}

}  // namespace

labeled_vector read_distribution(const std::filesystem::path& path) {
    detail::input_file file = detail::open_input_file(path, reader_name);
    if (detail::is_npy_input(file, path)) return read_npy_distribution(file);
    labeled_vector result = detail::parse_delimited_text(*file.stream, file.name, reader_name);
    if (file.stream->bad()) throw error(reader_name, file.name + ": cannot read it: read error");
    return result;
}

std::vector<double> parse_values(std::string_view text, std::string_view what) {
    const std::string source(what);
    auto fail = [&](std::size_t at, const std::string& rule) {
        throw error("parse_values", source + ", character " + std::to_string(at + 1) + ": " + rule);
    };
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    std::vector<double> values;
    std::size_t i = 0;
    bool comma_pending = false;  // a comma has been seen since the last value
    std::size_t comma_at = 0;
    while (true) {
        while (i < text.size() && blank(text[i])) ++i;
        if (i >= text.size()) break;
        if (text[i] == ',') {
            if (values.empty()) fail(i, "a comma before the first value");
            if (comma_pending) fail(i, "two commas with no value between them");
            comma_pending = true;
            comma_at = i;
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < text.size() && !blank(text[i]) && text[i] != ',') ++i;
        const std::string_view token = text.substr(start, i - start);
        double v = 0.0;
        const detail::number_status status = detail::parse_number(token, v);
        if (status == detail::number_status::out_of_range) {
            fail(start, "\"" + std::string(token) + "\"" + detail::out_of_range_rule);
        } else if (status != detail::number_status::ok) {
            fail(start, "\"" + std::string(token) + "\" is not a number (give values like 0.2,0.8 or \"0.2 0.8\")");
        }
        values.push_back(v);
        comma_pending = false;
    }
    if (comma_pending) fail(comma_at, "a comma after the last value");
    if (values.empty()) {
        throw error("parse_values", source + " is empty, but it needs at least one value (e.g. 0.2,0.8)");
    }
    return values;
}

}  // namespace kldiv::io
