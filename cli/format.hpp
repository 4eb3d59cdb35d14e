#pragma once
// How the CLI prints numbers: 6 significant digits for people, full precision for machines.

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

namespace kldiv::cli {

inline std::string human(double x) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return fmt::format("{:.6g}", x);
}

// JSON has no infinity: +inf is written as the string "inf" (float("inf") in Python reads it).
inline nlohmann::ordered_json json_number(double x) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

}  // namespace kldiv::cli
