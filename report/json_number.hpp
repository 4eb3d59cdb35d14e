#pragma once
// Numbers in kldiv's JSON documents: full precision, and since JSON has no infinity, ±inf written as
// the strings "inf" and "-inf" (float("inf") in Python reads them).

#include <nlohmann/json.hpp>

#include <cmath>

namespace kldiv::report {

inline nlohmann::ordered_json json_number(double x) {
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

}  // namespace kldiv::report
