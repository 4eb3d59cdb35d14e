#pragma once
// The HTML report of `kldiv llm-compare --html`: headline numbers, histograms of the per-token KL
// and Δp (inline SVG), the statistics table and the per-file table, with the JSON numbers
// embedded; one self-contained file.

#include <string>

#include "kldiv/llm/model_comparison.hpp"

namespace kldiv::report {

// `json` is the --json document of the same comparison, embedded for machines.
std::string llm_comparison_html(const std::string& reference, const std::string& candidate,
                                const llm::model_comparison& comparison, const std::string& json);

}  // namespace kldiv::report
