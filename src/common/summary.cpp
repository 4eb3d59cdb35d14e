#include "kldiv/summary.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "kldiv/error.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"

namespace kldiv {

double quantile(std::span<const double> sorted, double q) noexcept {
    const double h = static_cast<double>(sorted.size() - 1) * q;
    const double below = std::floor(h);
    const auto lo = static_cast<std::size_t>(below);
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double t = h - below, a = sorted[lo], b = sorted[hi];
    if (t == 0.0 || a == b) return a;
    if (std::isinf(a) || std::isinf(b)) return std::isinf(b) ? b : a;  // beside an infinite value
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

value_summary summarize(std::span<const double> values, std::span<const double> levels, const char* function) {
    if (values.empty()) throw error(function, "no values, but a summary needs at least one");
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isnan(values[i])) {
            throw error(function, "values[" + std::to_string(i) + "] = nan, but a summary needs numbers");
        }
    }
    for (const double level : levels) {
        if (!(level >= 0.0 && level <= 1.0)) {
            throw error(function, "quantile level " + detail::to_text(level) + ", but levels must be in [0, 1]");
        }
    }
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    value_summary s;
    s.count = sorted.size();
    s.min = sorted.front();
    s.max = sorted.back();
    const double n = static_cast<double>(s.count);
    if (std::isinf(s.min) || std::isinf(s.max)) {
        // +inf and −inf together have no mean; one of them is the mean.
        s.mean = std::isinf(s.min) && std::isinf(s.max) && s.min != s.max ? NAN : std::isinf(s.max) ? s.max : s.min;
        s.stddev = s.standard_error = NAN;
    } else {
        detail::compensated_sum sum;  // in ascending order: the mean of many rows keeps its digits
        for (const double x : sorted) sum.add(x);
        s.mean = sum.value() / n;
        detail::compensated_sum squares;
        for (const double x : sorted) squares.add((x - s.mean) * (x - s.mean));
        s.stddev = s.count > 1 ? std::sqrt(squares.value() / (n - 1.0)) : 0.0;
        s.standard_error = s.stddev / std::sqrt(n);
    }
    s.quantiles.reserve(levels.size());
    for (const double level : levels) s.quantiles.push_back(quantile(sorted, level));
    return s;
}

}  // namespace kldiv
