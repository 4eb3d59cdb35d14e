#pragma once
// How the CLI prints numbers: 6 significant digits for people, full precision for machines.

#include <fmt/core.h>

#include <cmath>
#include <string>

#include "report/json_number.hpp"
#include "report/json_text.hpp"

namespace kldiv::cli {

inline std::string human(double x) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return fmt::format("{:.6g}", x);
}

using report::json_number;
using report::json_text;

}  // namespace kldiv::cli
