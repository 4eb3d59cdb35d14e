#pragma once
// Numbers in input files: std::from_chars in the "general" format (locale-independent), plus a
// leading '+'. "nan" and "inf"/"infinity" are accepted as text; judging them is the measures' job.
// A number whose magnitude is beyond a double (1e999, -1e999) or below its smallest subnormal but
// not zero (1e-400) is out of range: every reader refuses it, with out_of_range_rule, rather than
// read it as ±inf or 0 (std::from_chars leaves the value unset there). Subnormals (1e-310) are read.

#include <charconv>
#include <string_view>
#include <system_error>

namespace kldiv::io::detail {

enum class number_status { ok, empty, not_a_number, out_of_range };

// The rule an out_of_range number breaks, for messages: "<text> is outside the range of a double (…)".
inline constexpr const char* out_of_range_rule =
    " is outside the range of a double (magnitudes from about 4.9e-324 to 1.8e308, or 0)";

// Parses all of `text` (already trimmed) as a double.
inline number_status parse_number(std::string_view text, double& out) noexcept {
    if (text.empty()) return number_status::empty;
    if (text.front() == '+') {
        text.remove_prefix(1);
        if (text.empty() || text.front() == '+' || text.front() == '-') return number_status::not_a_number;
    }
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out, std::chars_format::general);
    if (ptr != end) return number_status::not_a_number;
    if (ec == std::errc::result_out_of_range) return number_status::out_of_range;
    if (ec != std::errc{}) return number_status::not_a_number;
    return number_status::ok;
}

inline bool is_number(std::string_view text) noexcept {
    double ignored;
    const number_status s = parse_number(text, ignored);
    return s == number_status::ok || s == number_status::out_of_range;
}

}  // namespace kldiv::io::detail
