// drift_json (report/drift_json.hpp).
#include "report/drift_json.hpp"

#include <cmath>

#include "kldiv/names.hpp"
#include "report/json_number.hpp"

namespace kldiv::report {
namespace {

using json = nlohmann::ordered_json;

json number_or_null(double x) { return std::isnan(x) ? json(nullptr) : json_number(x); }

json settings_json(const drift::drift_options& o) {
    json s;
    s["binning"] = name(o.binning.rule);
    s["bin_count"] = o.binning.bin_count;
    s["resolution"] = o.binning.resolution;
    s["max_sample"] = o.binning.max_sample;
    s["measure"] = name(o.measure);
    s["rule"] = name(o.decide);
    s["alpha"] = o.alpha;
    s["correction"] = name(o.correct);
    s["empty_bins"] = name(o.measures.on_empty);
    s["pseudocount"] = o.measures.pseudocount;
    s["epsilon"] = o.measures.epsilon;
    s["unit"] = o.measures.base.unit();
    s["permutations"] = o.calibration.permutations;
    s["min_permutations"] = o.calibration.min_permutations;
    s["stop_after"] = o.calibration.stop_after;
    s["resamples"] = o.calibration.resamples;
    s["level"] = o.calibration.level;
    s["seed"] = o.calibration.seed;
    if (o.window_rows > 0) s["window_rows"] = o.window_rows;
    if (!o.time_column.empty()) {
        s["time_column"] = o.time_column;
        s["window_seconds"] = o.window_seconds;
        s["epoch_seconds"] = o.epoch_seconds;
    }
    return s;
}

json column_json(const drift::column_result& c) {
    json j;
    j["name"] = c.name;
    j["type"] = name(c.type);
    j["type_from"] = c.declared ? "declared" : "inferred";
    j["drifted"] = c.drifted;
    j["tested"] = name(c.tested);
    j["adjusted_p_value"] = number_or_null(c.adjusted_p_value);
    j["null_model"] = c.type != io::column_type::numeric ? "counts" : (c.continuous ? "ranks" : "counts");
    j["permutations"] = c.permutations;
    j["reference"] = {{"count", c.reference_count}, {"missing", c.reference_missing}};
    j["current"] = {{"count", c.current_count}, {"missing", c.current_missing}};
    j["missing_p_value"] = number_or_null(c.missing_p_value);
    json measures = json::object();
    for (std::size_t k = 0; k < drift::measure_count; ++k) {
        const auto m = static_cast<drift::measure>(k);
        const drift::measure_result& r = c[m];
        if (std::isnan(r.value)) continue;
        measures[name(m)] = {{"value", json_number(r.value)},
                             {"expected", number_or_null(r.expected)},
                             {"p_value", number_or_null(r.p_value)},
                             {"interval", {number_or_null(r.low), number_or_null(r.high)}}};
    }
    j["measures"] = measures;
    if (c.type == io::column_type::numeric) {
        j["bounds"] = {{"ks", number_or_null(c.bounds.ks)}, {"wasserstein", number_or_null(c.bounds.wasserstein)}};
        j["reference"]["range"] = {number_or_null(c.reference_min), number_or_null(c.reference_max)};
        j["current"]["range"] = {number_or_null(c.current_min), number_or_null(c.current_max)};
    }
    json bins = json::array();
    for (std::size_t k = 0; k < c.labels.size(); ++k) {
        bins.push_back({{"bin", c.labels[k]},
                        {"reference", c.reference_counts[k]},
                        {"current", c.current_counts[k]},
                        {"contribution", number_or_null(c.contributions[k])}});
    }
    j["bins"] = bins;
    return j;
}

}  // namespace

json drift_json(const drift::drift_result& r, const drift::drift_options& opts) {
    json out;
    out["reference_rows"] = r.reference_rows;
    out["current_rows"] = r.current_rows;
    if (!opts.time_column.empty()) out["rows_without_time"] = r.rows_without_time;
    out["settings"] = settings_json(opts);
    out["settings"]["permutations_used"] = r.permutations;
    json windows = json::array();
    for (const drift::window_result& w : r.windows) {
        json jw;
        jw["window"] = w.label;
        jw["start"] = json_number(w.start);
        jw["end"] = json_number(w.end);
        jw["rows"] = w.rows;
        jw["drifted"] = w.drifted;
        json columns = json::array();
        for (const drift::column_result& c : w.columns) columns.push_back(column_json(c));
        jw["columns"] = columns;
        windows.push_back(jw);
    }
    out["windows"] = windows;
    return out;
}

}  // namespace kldiv::report
