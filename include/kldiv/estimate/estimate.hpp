#pragma once
// What an estimator of an information quantity from data returns: the value, how it was obtained,
// and (when asked for) a bootstrap confidence interval.

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>

#include "kldiv/names.hpp"

namespace kldiv::estimate {

// The estimators of an information quantity from data: from count vectors, from samples binned on
// one shared histogram, or from samples by k nearest neighbours.
enum class estimator { knn, histogram, counts };

// "knn", "histogram", "counts"; the alias "hist" (kldiv/names.hpp).
inline std::span<const named<estimator>> names_of(estimator) noexcept {
    static constexpr named<estimator> table[] = {{estimator::knn, "knn"},
                                                 {estimator::histogram, "histogram"},
                                                 {estimator::counts, "counts"},
                                                 {estimator::histogram, "hist"}};
    return table;
}

struct confidence_interval {
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();
    double level = 0.0;         // e.g. 0.95; 0 when no interval was computed
    std::size_t resamples = 0;  // bootstrap resamples used
};

struct estimate {
    double value = 0.0;  // in the unit asked for
    estimator method = estimator::counts;
    std::string detail;  // the estimator's settings, e.g. "Wang-Kulkarni-Verdu, k=5, l=5", "miller-madow"
    confidence_interval interval;
};

// The method and its settings as reports print them: "knn (Wang-Kulkarni-Verdu, k=5, l=5)",
// "counts (miller-madow)", "histogram (freedman-diaconis, 12 bins; counts (jeffreys, a=1/2))".
inline std::string describe(const estimate& e) { return name(e.method, '-') + " (" + e.detail + ")"; }

}  // namespace kldiv::estimate
