#pragma once
// The JSON document of a drift comparison (`kldiv drift --json`, kldiv.drift in Python): the settings,
// and per window the columns ranked by drift, each with its counts, missing values, every measure
// (value, expected value under no drift, p-value, interval), the decision and the report bins with the
// tested measure's contributions. NaN (not computed) is null; ±inf are "inf" and "-inf".

#include <nlohmann/json.hpp>

#include "kldiv/drift/drift.hpp"

namespace kldiv::report {

nlohmann::ordered_json drift_json(const drift::drift_result& r, const drift::drift_options& opts);

}  // namespace kldiv::report
