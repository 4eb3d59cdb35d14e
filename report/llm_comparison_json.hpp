#pragma once
// The JSON document of a model comparison: what `kldiv llm-compare --json` prints and what
// kldiv.llm.compare and kldiv.dask.llm_compare return in Python (docs/llm_compare.md, "Reports").
// Statistics nest under clear names (kl.mean, kl.percentiles["99.9"], same_top.fraction,
// perplexity.ratio.mean, files[i].kl.mean, …); +inf is written as the string "inf".

#include <string>

#include <nlohmann/json.hpp>

#include "kldiv/llm/model_comparison.hpp"

namespace kldiv::report {

// `reference_input` and `candidate_input` are the models' inputs as the user gave them (a file
// name or a pattern); they are recorded as they are.
nlohmann::ordered_json llm_comparison_json(const std::string& reference_input, const std::string& candidate_input,
                                           const llm::model_comparison& comparison);

}  // namespace kldiv::report
