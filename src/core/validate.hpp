#pragma once
// Validation at the boundary: every public function checks its inputs here once, then calls
// noexcept kernels. Messages name the function, the offending value and the rule.

#include <cfloat>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/options.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"

namespace kldiv::detail {

inline void check_options(const char* function, const options& opts) {
    if (!(opts.sum_tolerance >= 0.0 && std::isfinite(opts.sum_tolerance))) {
        throw error(function, "sum_tolerance = " + to_text(opts.sum_tolerance) + ", but it must be finite and >= 0");
    }
    if (opts.on_zero == zero_support::smooth && !(opts.epsilon > 0.0 && opts.epsilon <= max_smoothing_epsilon)) {
        throw error(function, "epsilon = " + to_text(opts.epsilon) + ", but smoothing needs an epsilon in (0, 1]");
    }
}

inline void check_beta(const char* function, double beta) {
    if (!(beta > 0.0 && beta < 1.0)) {
        throw error(function, "beta = " + to_text(beta) + ", but the Jensen-Shannon weight must lie in (0, 1)");
    }
}

// Checks that v is a probability vector (or, with normalize, a non-negative vector with a positive
// finite sum) and returns its exact sum.
template <class T>
double_double validated_sum(const char* function, const char* name, std::span<const T> v, const options& opts) {
    if (v.empty()) throw error(function, std::string(name) + " is empty, but a distribution needs at least one event");
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double x = static_cast<double>(v[i]);
        if (x >= 0.0 && x <= DBL_MAX) continue;
        const std::string at = std::string(name) + "[" + std::to_string(i) + "] = " + to_text(x);
        if (std::isnan(x) || std::isinf(x)) throw error(function, at + ", but probabilities must be finite");
        throw error(function, at + ", but probabilities must be >= 0");
    }
    const double_double sum = exact_sum(v);
    const double total = sum.value();
    if (!std::isfinite(total)) {  // finite entries whose sum overflows (NaN from the compensation)
        throw error(function, std::string(name) + " sums to inf, but the sum must be finite");
    }
    if (opts.normalize) {
        if (total <= 0.0) {
            throw error(function, std::string(name) + " sums to 0, but normalizing needs a positive sum");
        }
        if (total < DBL_MIN) {  // 1/sum would overflow: refused, not answered with inf or NaN
            throw error(function, std::string(name) + " sums to " + to_text(total) +
                                      ", but normalizing needs a sum >= " + to_text(DBL_MIN) +
                                      " (the smallest normal double): scale the values up");
        }
    } else if (!(std::fabs(total - 1.0) <= opts.sum_tolerance)) {
        throw error(function, std::string(name) + " sums to " + to_text(total) + ", but must sum to 1 within " +
                                  to_text(opts.sum_tolerance) + " (set normalize to rescale it)");
    }
    return sum;
}

template <class T>
void check_same_size(const char* function, std::span<const T> p, std::span<const T> q) {
    if (p.size() != q.size()) {
        throw error(function, "p has " + std::to_string(p.size()) + " events and q has " + std::to_string(q.size()) +
                                  ", but both must have the same number of events");
    }
}

// With zero_support::error: throws at the first event where `a` has mass and `b` has none.
template <class T>
void check_support(const char* function, const char* a_name, std::span<const T> a, const char* b_name,
                   std::span<const T> b) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] > 0 && b[i] == 0) {
            const std::string index = std::string("[").append(std::to_string(i)).append("]");
            std::string message = a_name;
            message += index + " = " + to_text(static_cast<double>(a[i])) + " > 0 where ";
            message += b_name;
            message += index + " = 0, and on_zero = error forbids events outside ";
            message += b_name;
            message += "'s support";
            throw error(function, message);
        }
    }
}

// p̂ + ε for every event (p̂ = v / Σv), as doubles; the caller renormalizes by the exact sum.
template <class T>
std::vector<double> smoothed(std::span<const T> v, double_double sum, double epsilon) {
    std::vector<double> out(v.size());
    const double inverse = 1.0 / sum.hi;
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<double>(v[i]) * inverse + epsilon;
    return out;
}

// Which directions on_zero = error guards.
enum class support_rule { none, p_within_q, q_within_p, both };

// Validates a pair and calls f(p, Sp, q, Sq) with the vectors to measure and their exact sums:
// the inputs themselves, or their smoothed copies (as double) under zero_support::smooth.
template <class T, class F>
auto with_pair(const char* function, std::span<const T> p, std::span<const T> q, const options& opts, support_rule rule,
               F&& f) {
    check_options(function, opts);
    check_same_size(function, p, q);
    const double_double sp = validated_sum(function, "p", p, opts);
    const double_double sq = validated_sum(function, "q", q, opts);
    if (opts.on_zero == zero_support::smooth) {
        const std::vector<double> ps = smoothed(p, sp, opts.epsilon);
        const std::vector<double> qs = smoothed(q, sq, opts.epsilon);
        return f(std::span<const double>(ps), exact_sum(std::span<const double>(ps)), std::span<const double>(qs),
                 exact_sum(std::span<const double>(qs)));
    }
    if (opts.on_zero == zero_support::error) {
        if (rule == support_rule::p_within_q || rule == support_rule::both) check_support(function, "p", p, "q", q);
        if (rule == support_rule::q_within_p || rule == support_rule::both) check_support(function, "q", q, "p", p);
    }
    return f(p, sp, q, sq);
}

// The single-vector twin of with_pair.
template <class T, class F>
auto with_one(const char* function, std::span<const T> p, const options& opts, F&& f) {
    check_options(function, opts);
    const double_double sp = validated_sum(function, "p", p, opts);
    if (opts.on_zero == zero_support::smooth) {
        const std::vector<double> ps = smoothed(p, sp, opts.epsilon);
        return f(std::span<const double>(ps), exact_sum(std::span<const double>(ps)));
    }
    return f(p, sp);
}

}  // namespace kldiv::detail
