#pragma once
// kldiv::options from the keyword arguments every Python measure shares (base, on_zero, epsilon,
// normalize, sum_tolerance, beta, alpha): one spelling of them for the bindings.

#include <optional>
#include <string>

#include "kldiv/names.hpp"
#include "kldiv/options.hpp"

inline kldiv::options measure_options(double base, const std::string& on_zero, std::optional<double> epsilon,
                                      bool normalize, double sum_tolerance, double beta, double alpha = 1.0) {
    kldiv::options o;
    if (base > 0.0) o.base = kldiv::log_base(base);  // 0: the default unit (nats)
    o.on_zero = kldiv::parse<kldiv::zero_support>(on_zero, "on_zero", "kldiv");
    if (epsilon) o.epsilon = *epsilon;  // the core checks it where on_zero = smooth uses it
    o.normalize = normalize;
    o.sum_tolerance = sum_tolerance;
    o.beta = beta;
    o.alpha = alpha;
    return o;
}
