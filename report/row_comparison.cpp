// The documents of a row-by-row comparison (report/row_comparison.hpp).
#include "report/row_comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "kldiv/names.hpp"
#include "report/json_number.hpp"

namespace kldiv::report {

row_measures row_measures::kl_family(std::size_t rows) {
    row_measures m;
    for (const auto& [key, symbol] :
         {std::pair{"kl", "D(P‖Q)"}, std::pair{"reverse_kl", "D(Q‖P)"}, std::pair{"js", "JS(P,Q)"},
          std::pair{"entropy_p", "H(P)"}, std::pair{"entropy_q", "H(Q)"}, std::pair{"cross_entropy", "H(P,Q)"}}) {
        m.columns.push_back({key, symbol, std::vector<double>(rows)});
    }
    return m;
}

row_measures row_measures::of(std::span<const measure> measures, std::size_t rows) {
    row_measures m;
    for (const measure d : measures) {
        m.columns.push_back({name(d), name(d, '-'), std::vector<double>(rows)});
        m.divergences.push_back(d);
    }
    return m;
}

row_outputs row_measures::outputs() {
    return {.kl = columns[0].values,
            .reverse_kl = columns[1].values,
            .js = columns[2].values,
            .entropy_p = columns[3].values,
            .entropy_q = columns[4].values,
            .cross_entropy = columns[5].values};
}

std::vector<value_summary> summarize_rows(const row_measures& m, const char* function) {
    std::vector<value_summary> out;
    for (const row_column& c : m.columns) out.push_back(summarize(c.values, default_quantile_levels, function));
    return out;
}

nlohmann::ordered_json row_comparison_json(const std::string& p_name, const std::string& q_name, std::size_t rows,
                                           std::size_t events, const batch_options& opts, const row_measures& m,
                                           const std::vector<value_summary>& summaries) {
    nlohmann::ordered_json j{
        {"p", p_name},
        {"q", q_name},
        {"rows", rows},
        {"events", events},
        {"input", name(opts.input)},
        {"temperature", opts.temperature},
        {"unit", opts.measure.base.unit()},
        {"beta", opts.measure.beta},
    };
    if (std::any_of(m.divergences.begin(), m.divergences.end(), [](measure d) { return uses_alpha(d); })) {
        j["alpha"] = json_number(opts.measure.alpha);
    }
    j["quantile_method"] = "linear";
    for (std::size_t k = 0; k < m.columns.size(); ++k) {
        const value_summary& s = summaries[k];
        nlohmann::ordered_json quantiles;
        for (std::size_t i = 0; i < quantile_keys.size(); ++i)
            quantiles[quantile_keys[i]] = json_number(s.quantiles[i]);
        nlohmann::ordered_json column{{"mean", json_number(s.mean)},
                                      {"min", json_number(s.min)},
                                      {"max", json_number(s.max)},
                                      {"quantiles", std::move(quantiles)}};
        if (!m.divergences.empty() && !in_log_units(m.divergences[k])) column["unit"] = "";  // a pure number
        j[m.columns[k].key] = std::move(column);
    }
    return j;
}

std::string per_row_csv(const row_measures& m) {
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out), "row");
    for (const row_column& c : m.columns) fmt::format_to(std::back_inserter(out), ",{}", c.key);
    out.push_back('\n');
    const std::size_t rows = m.columns.empty() ? 0 : m.columns[0].values.size();
    for (std::size_t i = 0; i < rows; ++i) {
        fmt::format_to(std::back_inserter(out), "{}", i);
        for (const row_column& c : m.columns) fmt::format_to(std::back_inserter(out), ",{}", c.values[i]);
        out.push_back('\n');
    }
    return fmt::to_string(out);
}

}  // namespace kldiv::report
