#pragma once
// How large a drift measure is expected to be when nothing moved, and whether the observed one is
// larger than chance: the permutation null of each measure at the column's sample sizes, its
// p-values, a bootstrap interval, and the control of false alarms across columns.
//
// Permutation null (the distribution of the measure when reference and current rows are exchangeable,
// i.e. drawn from one distribution). Bins hold fixed in every draw, so only the counts move:
//   continuous numeric columns (bins.hpp's `continuous`): the quantile edges are reference values, so
//     the reference's counts are the same in every permutation and the current's counts are those of
//     m values dropped at random into the n + 1 gaps between the n reference values: Dirichlet-
//     multinomial(m; α), α_b = the reference's count in bin b (+1 in the first bin, which also holds
//     the gap below the smallest value). Exact for the default quantile bins and data without ties.
//   other columns: the pooled count of each bin is split at random, the current side's share drawn
//     from the multivariate hypergeometric distribution (the exact permutation distribution of
//     counts in fixed bins). Categorical columns split every current-only category on its own and put
//     each category that the permuted reference lacks into "new", as the observed table does.
// p-value of each measure (large = evidence of drift): Besag & Clifford's sequential Monte Carlo
// p-value (Biometrika 76 (1991) 633–642): draws go on until the measure has been reached or exceeded
// by `stop_after` of them, at draw L, giving p = stop_after / L; or, after `permutations` draws with
// g < stop_after exceedances, p = (g + 1)/(permutations + 1). Draws continue for every measure until
// each has stopped, but never fewer than `min_permutations`, whose mean is the expected value (the
// measure's bias at these sample sizes). So an undrifted column costs a few hundred draws and a
// drifted one `permutations`, which bounds how small a p-value can be: 1/(permutations + 1).
// The report bins' measures (all but ks and wasserstein) and the missing rate are drawn over the
// report bins (a draw summed over groups of bins is the same draw over the groups), cheaply; ks and
// wasserstein over the fine bins, for as many draws only when one of them is the tested measure,
// otherwise min_permutations (their p-values then reach down to 1/(min_permutations + 1)).
// `permutations` reports the tested measure's draws.
// Draw b of a column uses its own random stream seeded from (seed, the column's name, b): results are
// the same bits for any thread count, column order or column selection.
//
// Missing values: the number of missing current values under permutation is hypergeometric; the
// |missing rate difference| is one more statistic of the report bins' draws, with its own sequential
// p-value.
//
// Bootstrap interval: each side's counts redrawn from the multinomial of its observed proportions
// (the bins held fixed), the measure recomputed, the percentile interval at `level`.
//
// Multiple testing across the columns of one window (adjusted p-values, as statsmodels'
// multipletests): holm (the default: the chance of any false alarm at most α), benjamini_hochberg
// (the expected share of false alarms among the flagged columns at most α), none.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kldiv/drift/measures.hpp"
#include "kldiv/names.hpp"

namespace kldiv::drift {

enum class correction { holm, benjamini_hochberg, none };

// "holm", "benjamini_hochberg", "none"; the aliases "bh", "fdr_bh" (kldiv/names.hpp).
inline std::span<const named<correction>> names_of(correction) noexcept {
    static constexpr named<correction> table[] = {{correction::holm, "holm"},
                                                  {correction::benjamini_hochberg, "benjamini_hochberg"},
                                                  {correction::none, "none"},
                                                  {correction::benjamini_hochberg, "bh"},
                                                  {correction::benjamini_hochberg, "fdr_bh"}};
    return table;
}

// Adjusted p-values in the order given (NaN entries are left NaN and not counted).
std::vector<double> adjust(std::span<const double> p_values, correction c);

// The most draws of either kind.
inline constexpr std::size_t max_draws = 10'000'000;

struct calibration_options {
    std::size_t permutations = 10'000;   // the most permutation draws per column (--permutations); 0: none
    std::size_t min_permutations = 200;  // at least this many (or permutations, if fewer)
    std::size_t stop_after = 10;         // exceedances that end the draws of a measure (>= 1)
    std::size_t resamples = 200;         // bootstrap draws for the interval (--resamples); 0: none
    double level = 0.95;                 // of the interval, in (0, 1) (--level)
    std::uint64_t seed = 2026;           // --seed
};

// Throws kldiv::error unless every option is in range.
void validate(const calibration_options& opts);

struct measure_calibration {
    measure_values value{};     // the observed measures (measures.hpp)
    measure_values expected{};  // mean under the permutation null (NaN without draws)
    measure_values p_value{};   // NaN without draws
    measure_values low{}, high{};
    std::size_t permutations = 0;  // draws made for the tested measure
    double missing_p_value = 0.0;  // NaN without draws
};

// The missing counts beside a pair (column_counts::missing of each side).
struct missing_counts {
    double reference = 0.0, current = 0.0;
};

// `tested` is the measure the decision rests on: when it is ks or wasserstein, their draws go on as
// the others' do; otherwise they stop at min_permutations.
measure_calibration calibrate(const column_pair& pair, missing_counts missing, const measure_options& measure,
                              const calibration_options& opts, drift::measure tested = measure::js_divergence);

}  // namespace kldiv::drift
