// The documents of a row-by-row comparison (report/row_comparison.hpp).
#include "report/row_comparison.hpp"

#include <fmt/format.h>

#include <iterator>

#include "kldiv/names.hpp"
#include "report/json_number.hpp"

namespace kldiv::report {

row_measures::row_measures(std::size_t rows)
    : kl(rows), reverse_kl(rows), js(rows), entropy_p(rows), entropy_q(rows), cross_entropy(rows) {}

row_outputs row_measures::outputs() {
    return {.kl = kl,
            .reverse_kl = reverse_kl,
            .js = js,
            .entropy_p = entropy_p,
            .entropy_q = entropy_q,
            .cross_entropy = cross_entropy};
}

std::array<value_summary, 6> summarize_rows(const row_measures& m, const char* function) {
    std::array<value_summary, 6> out;
    for (std::size_t k = 0; k < row_measure_list.size(); ++k)
        out[k] = summarize(m.*row_measure_list[k].values, default_quantile_levels, function);
    return out;
}

nlohmann::ordered_json row_comparison_json(const std::string& p_name, const std::string& q_name, std::size_t rows,
                                           std::size_t events, const batch_options& opts,
                                           const std::array<value_summary, 6>& summaries) {
    nlohmann::ordered_json j{
        {"p", p_name},
        {"q", q_name},
        {"rows", rows},
        {"events", events},
        {"input", name(opts.input)},
        {"temperature", opts.temperature},
        {"unit", opts.measure.base.unit()},
        {"beta", opts.measure.beta},
        {"quantile_method", "linear"},
    };
    for (std::size_t k = 0; k < row_measure_list.size(); ++k) {
        const value_summary& s = summaries[k];
        nlohmann::ordered_json quantiles;
        for (std::size_t i = 0; i < quantile_keys.size(); ++i)
            quantiles[quantile_keys[i]] = json_number(s.quantiles[i]);
        j[row_measure_list[k].key] = {{"mean", json_number(s.mean)},
                                      {"min", json_number(s.min)},
                                      {"max", json_number(s.max)},
                                      {"quantiles", std::move(quantiles)}};
    }
    return j;
}

std::string per_row_csv(const row_measures& m) {
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out), "row");
    for (const row_measure_info& info : row_measure_list) fmt::format_to(std::back_inserter(out), ",{}", info.key);
    out.push_back('\n');
    for (std::size_t i = 0; i < m.kl.size(); ++i) {
        fmt::format_to(std::back_inserter(out), "{}", i);
        for (const row_measure_info& info : row_measure_list)
            fmt::format_to(std::back_inserter(out), ",{}", (m.*info.values)[i]);
        out.push_back('\n');
    }
    return fmt::to_string(out);
}

}  // namespace kldiv::report
