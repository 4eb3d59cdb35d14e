#pragma once
// Summary statistics of per-row values — one divergence per row of a batch, per position of a
// model comparison — as `kldiv compare` on matrices prints them and `kldiv.summarize` returns them.
//
//   std::vector<double> kl(n);  // from kl_divergence_rows
//   kldiv::value_summary s = kldiv::summarize(kl);  // s.mean, s.quantiles[2] (the median), …

#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace kldiv {

// The q-quantile (0 ≤ q ≤ 1) of `sorted` (ascending, not empty, no NaN) by linear interpolation
// between the order statistics at h = (n − 1)·q: numpy.quantile's default method ("linear", type 7
// of Hyndman and Fan), with NumPy's two-sided lerp, so that finite values agree with numpy.quantile
// bit for bit. Between a finite value and +inf the quantile is +inf (NumPy gives NaN there).
double quantile(std::span<const double> sorted, double q) noexcept;

// The quantile levels reported unless others are asked for.
inline constexpr std::array<double, 5> default_quantile_levels{0.01, 0.05, 0.5, 0.95, 0.99};

struct value_summary {
    std::size_t count = 0;
    double mean = 0.0;            // compensated sum / count; +inf if a value is +inf
    double stddev = 0.0;          // sample standard deviation (n − 1); 0 for one value; NaN with an infinite value
    double standard_error = 0.0;  // stddev / √n, the standard error of the mean
    double min = 0.0, max = 0.0;
    std::vector<double> quantiles;  // at the levels asked for, in their order
};

// The summary of `values` (not empty; no NaN; −inf and +inf allowed, the divergences may be
// infinite). Throws kldiv::error naming `function`, the value and the rule: no values, a NaN, a
// level outside [0, 1].
value_summary summarize(std::span<const double> values, std::span<const double> levels = default_quantile_levels,
                        const char* function = "summarize");

}  // namespace kldiv
