#pragma once
// What an estimator of an information quantity from data returns: the value, how it was obtained,
// and (when asked for) a bootstrap confidence interval.

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace kldiv::estimate {

struct confidence_interval {
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();
    double level = 0.0;         // e.g. 0.95; 0 when no interval was computed
    std::size_t resamples = 0;  // bootstrap resamples used
};

struct estimate {
    double value = 0.0;  // in the unit asked for
    std::string method;  // e.g. "knn (Wang-Kulkarni-Verdu, k=5)", "counts (miller-madow)"
    confidence_interval interval;
};

}  // namespace kldiv::estimate
