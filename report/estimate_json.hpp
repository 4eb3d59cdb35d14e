#pragma once
// The JSON of an estimate from data (`kldiv estimate --json`): x, y, the value under the key of its
// quantity (kl, cross_entropy or entropy), unit, method, and the interval and the permutation test
// when they were computed; +inf as the string "inf".

#include <string>

#include <nlohmann/json.hpp>

#include "kldiv/estimate/from_data.hpp"

namespace kldiv::report {

// `x_name` and `y_name` say where the data came from (y_name is left out for the entropy);
// `opts` are the options the estimate was made with (the unit, the interval's method and seed).
nlohmann::ordered_json estimate_json(const std::string& x_name, const std::string& y_name,
                                     const estimate::data_options& opts, const estimate::data_result& r);

}  // namespace kldiv::report
