// The JSON document of a model comparison (report/llm_comparison_json.hpp).

#include "report/llm_comparison_json.hpp"

#include <fmt/core.h>

#include <cmath>
#include <iterator>

#include "report/json_number.hpp"

namespace kldiv::report {
namespace {

using llm::comparison_statistics;
using llm::distribution_statistics;
using llm::mean_with_error;
using nlohmann::ordered_json;

ordered_json json_of(const mean_with_error& m) {
    return {{"mean", json_number(m.mean)}, {"standard_error", json_number(m.standard_error)}};
}

// "99.9", "99", "0.1": a percentile's key.
std::string percentile_key(double p) { return fmt::format("{}", p); }

ordered_json json_of(const distribution_statistics& d) {
    ordered_json out{{"mean", json_number(d.mean.mean)},
                     {"standard_error", json_number(d.mean.standard_error)},
                     {"median", json_number(d.percentiles[5])},
                     {"min", json_number(d.min)},
                     {"max", json_number(d.max)}};
    ordered_json percentiles;
    for (std::size_t i = 0; i < std::size(llm::reported_percentiles); ++i) {
        percentiles[percentile_key(llm::reported_percentiles[i])] = json_number(d.percentiles[i]);
    }
    out["percentiles"] = percentiles;
    out["percentile_error"] = json_number(d.percentile_error);
    return out;
}

// `full`: the distributions with their percentiles (overall), else their means only (per file).
ordered_json json_of(const comparison_statistics& s, bool full) {
    ordered_json out{{"scored", s.positions}, {"scored_with_token", s.positions_with_token}};
    out["kl"] = full ? json_of(s.kl) : json_of(s.kl.mean);
    if (!std::isnan(s.reverse_kl.mean)) out["reverse_kl"] = json_of(s.reverse_kl);
    if (!std::isnan(s.js.mean)) out["js"] = json_of(s.js);
    out["same_top"] = {{"fraction", json_number(s.same_top.mean)},
                       {"standard_error", json_number(s.same_top.standard_error)}};
    out["top_k_overlap"] = {{"5", json_of(s.top5_overlap)}, {"10", json_of(s.top10_overlap)}};
    if (s.top_k != 0 && s.top_k != 5 && s.top_k != 10)
        out["top_k_overlap"][std::to_string(s.top_k)] = json_of(s.top_k_overlap);
    if (s.positions_with_token > 0) {
        out["delta_p"] = full ? json_of(s.delta_p) : json_of(s.delta_p.mean);
        out["rms_delta_p"] = json_of(s.rms_delta_p);
        out["floored_next_token"] = {{"reference", s.floored_token_reference},
                                     {"candidate", s.floored_token_candidate}};
        out["perplexity"] = {
            {"reference", json_of(s.ppl_reference)},   {"candidate", json_of(s.ppl_candidate)},
            {"ln_ratio", json_of(s.ln_ppl_ratio)},     {"ratio", json_of(s.ppl_ratio)},
            {"difference", json_of(s.ppl_difference)}, {"ln_correlation", json_number(s.ln_ppl_correlation)}};
    }
    return out;
}

}  // namespace

ordered_json llm_comparison_json(const std::string& reference_input, const std::string& candidate_input,
                                 const llm::model_comparison& comparison) {
    const llm::model_comparison& r = comparison;
    ordered_json out;
    out["reference"] = {{"input", reference_input}, {"format", r.reference_format}};
    out["candidate"] = {{"input", candidate_input}, {"format", r.candidate_format}};
    out["vocabulary"] = r.vocabulary;
    out["positions"] = r.positions;
    out["token_source"] = r.token_source;
    out["unit"] = "nats";
    out.update(json_of(r.overall.statistics(), true));
    ordered_json files = ordered_json::array();
    for (const auto& f : r.files) {
        ordered_json entry{{"file", f.file}, {"first_position", f.first_row}};
        entry.update(json_of(f.statistics, false));
        files.push_back(entry);
    }
    out["files"] = files;
    return out;
}

}  // namespace kldiv::report
