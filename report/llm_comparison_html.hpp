#pragma once
// The HTML report of `kldiv llm-compare --html`: headline numbers, histograms of the per-token KL
// and Δp (inline SVG), the statistics table and the per-file table, for each candidate, with the
// JSON numbers embedded; one self-contained file.

#include <string>
#include <vector>

#include "kldiv/llm/model_comparison.hpp"

namespace kldiv::report {

// One candidate's comparison with the reference, and the candidate's input as the user gave it.
struct candidate_comparison {
    std::string input;
    const llm::model_comparison& comparison;
};

// The page of one candidate, or of several (a table of them first, then each one's section), with
// every statistic computed (reverse KL and JS when asked for, perplexities with the actual tokens).
// `json` is the --json document of the same comparison, embedded for machines.
std::string llm_comparison_html(const std::string& reference, const std::vector<candidate_comparison>& candidates,
                                const std::string& json);

}  // namespace kldiv::report
