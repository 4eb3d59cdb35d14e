#pragma once
// The documents of a row-by-row comparison (`kldiv compare` on matrices): the measures of every row
// pair (the six of the KL family by default, or the divergences asked for with --measure), their
// summaries, the --json document and the --per-row CSV.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kldiv/batch.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/summary.hpp"

namespace kldiv::report {

// One measure's value for every row.
struct row_column {
    std::string key;     // JSON key and CSV column: "kl", or a divergence's name ("renyi_divergence")
    std::string symbol;  // as tables print it: "D(P‖Q)", or the name as the command line spells it
    std::vector<double> values;
};

struct row_measures {
    std::vector<row_column> columns;
    std::vector<measure> divergences;  // the measures of the columns when they are divergences, else empty

    // kl, reverse_kl, js, entropy_p, entropy_q, cross_entropy, in that order.
    static row_measures kl_family(std::size_t rows);
    // One column per measure, in the order given.
    static row_measures of(std::span<const measure> measures, std::size_t rows);
    // The six columns of kl_family as measure_rows fills them.
    row_outputs outputs();
};

// Each column's summary over the rows at kldiv::default_quantile_levels. Throws kldiv::error naming
// `function` (no rows, a NaN).
std::vector<value_summary> summarize_rows(const row_measures& m, const char* function);

// The quantile levels as JSON keys ("0.01", …) and as table headings ("p1", …).
inline constexpr std::array<const char*, 5> quantile_keys{"0.01", "0.05", "0.5", "0.95", "0.99"};
inline constexpr std::array<const char*, 5> quantile_labels{"p1", "p5", "p50", "p95", "p99"};
static_assert(quantile_keys.size() == default_quantile_levels.size());

// The --json document: p, q, rows, events, input, temperature, unit, beta (and alpha where a
// divergence reads it), quantile_method, and for each column {mean, min, max, quantiles} (and the
// unit of a divergence that is a pure number); +inf as the string "inf".
nlohmann::ordered_json row_comparison_json(const std::string& p_name, const std::string& q_name, std::size_t rows,
                                           std::size_t events, const batch_options& opts, const row_measures& m,
                                           const std::vector<value_summary>& summaries);

// "row," and the columns' keys, then one line per row (from 0), each number the shortest text that
// reads back to the same double ("inf" where infinite).
std::string per_row_csv(const row_measures& m);

}  // namespace kldiv::report
