#pragma once
// The pieces of kldiv::drift::measures that the permutation and bootstrap draws call on counts they
// build themselves (calibration.cpp), without the checks and the grouping of every call.

#include <span>

#include "kldiv/drift/measures.hpp"

namespace kldiv::drift::detail {

// psi, both KLs, js_divergence, js_distance, hellinger, total_variation and chi2 of report-bin
// counts r and c (totals > 0) into v.
void report_measures(std::span<const double> r, std::span<const double> c, const measure_options& o, measure_values& v);

// ks and wasserstein of a numeric pair (totals > 0) into v; nothing for categorical pairs.
void fine_measures(const column_pair& pr, measure_values& v);

}  // namespace kldiv::drift::detail
