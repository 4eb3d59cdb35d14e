#pragma once
// The documents of a row-by-row comparison (`kldiv compare` on matrices): the six measures of every
// row pair, their summaries, the --json document and the --per-row CSV.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kldiv/batch.hpp"
#include "kldiv/summary.hpp"

namespace kldiv::report {

// The six measures, one value per row, in the order of the CSV columns and the JSON keys.
struct row_measures {
    std::vector<double> kl, reverse_kl, js, entropy_p, entropy_q, cross_entropy;
    explicit row_measures(std::size_t rows);
    row_outputs outputs();  // every measure asked for, into these vectors
};

struct row_measure_info {
    const char* key;     // JSON key and CSV column
    const char* symbol;  // as tables print it: "D(P‖Q)"
    std::vector<double> row_measures::*values;
};

inline constexpr std::array<row_measure_info, 6> row_measure_list{{
    {"kl", "D(P‖Q)", &row_measures::kl},
    {"reverse_kl", "D(Q‖P)", &row_measures::reverse_kl},
    {"js", "JS(P,Q)", &row_measures::js},
    {"entropy_p", "H(P)", &row_measures::entropy_p},
    {"entropy_q", "H(Q)", &row_measures::entropy_q},
    {"cross_entropy", "H(P,Q)", &row_measures::cross_entropy},
}};

// Each measure's summary over the rows at kldiv::default_quantile_levels, in row_measure_list's
// order. Throws kldiv::error naming `function` (no rows, a NaN).
std::array<value_summary, 6> summarize_rows(const row_measures& m, const char* function);

// The quantile levels as JSON keys ("0.01", …) and as table headings ("p1", …).
inline constexpr std::array<const char*, 5> quantile_keys{"0.01", "0.05", "0.5", "0.95", "0.99"};
inline constexpr std::array<const char*, 5> quantile_labels{"p1", "p5", "p50", "p95", "p99"};
static_assert(quantile_keys.size() == default_quantile_levels.size());

// The --json document: p, q, rows, events, input, temperature, unit, beta, quantile_method, and
// for each measure {mean, min, max, quantiles}; +inf as the string "inf".
nlohmann::ordered_json row_comparison_json(const std::string& p_name, const std::string& q_name, std::size_t rows,
                                           std::size_t events, const batch_options& opts,
                                           const std::array<value_summary, 6>& summaries);

// "row,kl,reverse_kl,js,entropy_p,entropy_q,cross_entropy" and one line per row (from 0), each
// number the shortest text that reads back to the same double ("inf" where infinite).
std::string per_row_csv(const row_measures& m);

}  // namespace kldiv::report
