#pragma once
// Numbers in error messages: the shortest text that reads back to the same double.

#include <charconv>
#include <string>

namespace kldiv::detail {

inline std::string to_text(double x) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
    return std::string(buffer, result.ptr);
}

}  // namespace kldiv::detail
