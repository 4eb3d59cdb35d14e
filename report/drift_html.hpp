#pragma once
// The HTML report of a drift comparison (`kldiv drift --html`, kldiv.drift's to_html): the decision
// rule, the columns ranked by drift, drift over time when there are windows, and per column the
// reference's and the current data's shares in each report bin with the bins that moved most; the
// JSON document (report/drift_json.hpp) rides along in a data block.

#include <string>

#include "kldiv/drift/drift.hpp"

namespace kldiv::report {

std::string drift_html(const std::string& reference_name, const std::string& current_name, const drift::drift_result& r,
                       const drift::drift_options& opts);

}  // namespace kldiv::report
