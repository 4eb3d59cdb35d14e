#pragma once
// The drift measures of one column: functions of the reference's and the current data's counts in
// shared bins (bins.hpp). With p the reference's and q the current data's proportions over the
// report bins (fine bins for ks and wasserstein), ln the natural logarithm:
//
//   psi                    population stability index Σ (q − p) ln(q/p), on smoothed proportions
//                          (always natural logarithms, as everyone's thresholds assume)
//   kl_reference_current   D(ref‖cur) = Σ p log(p/q), on smoothed proportions, in the unit of `base`
//   kl_current_reference   D(cur‖ref) = Σ q log(q/p), likewise
//   js_divergence          Jensen–Shannon divergence ½ D(p‖m) + ½ D(q‖m), m = (p + q)/2, in the unit
//                          of `base` (nats by default; at most ln 2 nats, 1 bit)
//   js_distance            √js_divergence in the same base (scipy.spatial.distance.jensenshannon)
//   hellinger              Hellinger distance √(½ Σ (√p − √q)²), in [0, 1]
//   total_variation        ½ Σ |p − q|, in [0, 1]
//   chi2                   Pearson's χ² statistic of the 2 × K table of counts (test of homogeneity,
//                          scipy.stats.chi2_contingency without correction; bins empty on both sides
//                          dropped)
//   ks                     Kolmogorov–Smirnov statistic max |F_ref − F_cur| over the fine bins' edges
//                          (numeric columns); the statistic of the raw values lies in [ks, ks + ks_bound],
//                          ks + ks_bound = the largest max(F_b − G_a, G_b − F_a) over the fine bins
//                          [a, b) (within a bin both empirical CDFs rise monotonically)
//   wasserstein            W₁(ref, cur) / σ_ref (Evidently's normed Wasserstein), numeric columns, with
//                          each side's values spread evenly within each fine bin, between the bin's
//                          edges clipped to that side's own min and max; the distance of the raw
//                          values is within wasserstein_bound = Σ_b (w_b,ref p_b + w_b,cur q_b) / σ_ref
//                          of it, w_b,side the width a side's values were spread over. σ_ref = 0 gives
//                          +inf (0 when the distance is 0); an infinite value on either side gives +inf.
//
// Zero bins. PSI and both KLs are infinite when a bin is empty on one side only; `empty_bins` says
// what is done, before anything else, to the report bins' counts for these three measures (the others
// need nothing: they are finite for any counts):
//   pseudocount  (default) add `pseudocount` (½, Jeffreys/Krichevsky–Trofimov) to every bin's count on
//                both sides, after dropping bins that are empty on both sides;
//   epsilon      replace each zero proportion by `epsilon` (1e-4) without renormalizing (Evidently's
//                and NannyML's rule);
//   infinity     leave them: the measures are +inf.
// Every term is computed in a form that cannot cancel (q·φ(ln(p/q)) style for KL, (q−p)·ln(q/p)
// for PSI, (√p − √q)² for Hellinger), so identical counts give exactly 0.
//
// A side with no counted value (every value missing) gives NaN for every measure.

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "kldiv/drift/bins.hpp"
#include "kldiv/names.hpp"
#include "kldiv/units.hpp"

namespace kldiv::drift {

enum class measure {
    psi,
    kl_reference_current,
    kl_current_reference,
    js_divergence,
    js_distance,
    hellinger,
    total_variation,
    chi2,
    ks,
    wasserstein
};
inline constexpr std::size_t measure_count = 10;

// Each measure's name (kldiv/names.hpp); aliases "kl" (kl_reference_current), "js" (js_divergence),
// "tv" (total_variation), "chi_squared" (chi2), "kolmogorov_smirnov" (ks).
inline std::span<const named<measure>> names_of(measure) noexcept {
    static constexpr named<measure> table[] = {{measure::psi, "psi"},
                                               {measure::kl_reference_current, "kl_reference_current"},
                                               {measure::kl_current_reference, "kl_current_reference"},
                                               {measure::js_divergence, "js_divergence"},
                                               {measure::js_distance, "js_distance"},
                                               {measure::hellinger, "hellinger"},
                                               {measure::total_variation, "total_variation"},
                                               {measure::chi2, "chi2"},
                                               {measure::ks, "ks"},
                                               {measure::wasserstein, "wasserstein"},
                                               {measure::kl_reference_current, "kl"},
                                               {measure::js_divergence, "js"},
                                               {measure::total_variation, "tv"},
                                               {measure::chi2, "chi_squared"},
                                               {measure::ks, "kolmogorov_smirnov"}};
    return table;
}

// True for the measures of numeric columns only (ks, wasserstein).
bool numeric_only(measure m) noexcept;

enum class empty_bins { pseudocount, epsilon, infinity };

// "pseudocount", "epsilon", "infinity" (kldiv/names.hpp).
inline std::span<const named<empty_bins>> names_of(empty_bins) noexcept {
    static constexpr named<empty_bins> table[] = {
        {empty_bins::pseudocount, "pseudocount"}, {empty_bins::epsilon, "epsilon"}, {empty_bins::infinity, "infinity"}};
    return table;
}

struct measure_options {
    log_base base{};                                // the unit of the KLs, js_divergence, js_distance (--base)
    empty_bins on_empty = empty_bins::pseudocount;  // --empty-bins
    double pseudocount = 0.5;                       // > 0, finite (--pseudocount)
    double epsilon = 1e-4;                          // in (0, 1) (--epsilon)
};

// Throws kldiv::error unless the pseudocount and epsilon are in range.
void validate(const measure_options& opts);

using measure_values = std::array<double, measure_count>;

// The two sides' counts of one column and what the numeric measures need beside them.
struct column_pair {
    const column_bins* bins = nullptr;
    std::span<const double> reference;  // fine-bin (numeric) or category-bin counts
    std::span<const double> current;
    std::span<const double> current_new;  // categorical: each new category's count (summing to the last bin)
    // numeric: each side's finite range, whether it holds ±inf, and σ_ref
    double reference_min = 0.0, reference_max = 0.0, current_min = 0.0, current_max = 0.0;
    bool infinite = false;
    double reference_sd = 0.0;
};

column_pair pair_of(const column_bins& bins, const column_counts& reference, const column_counts& current);

// Every measure of the pair (NaN for ks and wasserstein on categorical columns).
measure_values measures(const column_pair& pair, const measure_options& opts = {});

// The error bounds of ks and wasserstein against the raw values (above).
struct binning_bounds {
    double ks = 0.0;
    double wasserstein = 0.0;
};
binning_bounds bounds(const column_pair& pair);

// Each report bin's share of measure m (terms ≥ 0 summing to the measure, for psi, both KLs,
// js_divergence, hellinger's square, total_variation, chi2 and wasserstein; for js_distance those of
// js_divergence, for ks the total variation's). One per report bin.
std::vector<double> contributions(const column_pair& pair, measure m, const measure_options& opts = {});

}  // namespace kldiv::drift
