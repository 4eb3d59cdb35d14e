#pragma once
// A pair of log-space rows (logits or log-probabilities, p = softmax(a/T)) as the events of the
// divergence sums (src/core/divergence_terms.hpp), without materializing the rows, so that nearly
// equal rows keep their digits.
//
// With d = (a − b)/T (x − y formed exactly) the event ratio is ρ = p̂/q̂ = exp(d − C), C = ln(Z_a/Z_b);
// C = r + ln(1 + X) with r the value of d at Q's heaviest event that P shares and
//   X = Σ_{both} q̂ expm1(d − r) + Σ_{q=0} exp(a/T − ln Z_b − r) − Σ_{p=0} q̂,
// a sum of small terms when P ≈ Q. Then u = ln ρ = (d − r) − ln(1 + X) and δ = expm1(u) have full
// relative precision. Construction reads the rows three times (two normalizers, then X), compensated.

#include <cmath>
#include <cstddef>

#include "src/common/exact_sum.hpp"
#include "src/core/divergence_terms.hpp"

namespace kldiv::detail {

// The normalizer of a log-space row, ln Σ exp(v_i/T) = top/T + log_sum, kept in two parts so that
// ln p_i = (v_i − top)/T − log_sum keeps its digits however large the values are (v_i − top is exact
// where it matters: near the top). Two passes, compensated.
struct log_scale {
    double top = -INFINITY;  // max v_i, as given
    double log_sum = 0.0;    // ln Σ exp((v_i − top)/T) ≥ 0
    double inv_t = 1.0;

    double log_p(double v) const noexcept { return (v - top) * inv_t - log_sum; }
};

template <class T>
log_scale log_normalizer(const T* v, std::size_t n, double inv_t) noexcept {
    log_scale s;
    s.inv_t = inv_t;
    for (std::size_t i = 0; i < n; ++i) s.top = std::max(s.top, static_cast<double>(v[i]));
    compensated_sum sum;
    for (std::size_t i = 0; i < n; ++i) sum.add(std::exp((static_cast<double>(v[i]) - s.top) * inv_t));
    s.log_sum = std::log(sum.value());
    return s;
}

template <class T>
class log_space_events {
public:
    log_space_events(const T* a, const T* b, std::size_t n, double inv_t) noexcept
        : a_(a), b_(b), n_(n), inv_t_(inv_t), la_(log_normalizer(a, n, inv_t)), lb_(log_normalizer(b, n, inv_t)) {
        for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
            if (x > -INFINITY && y > heaviest_) {
                heaviest_ = y;
                x_r_ = x;
                r_ = difference(i, 0.0);
            }
        }
        // 1 + X = Q(both) + Σ_{both} q̂ expm1(d − r) + Σ_{q=0} exp(a/T − ln Z_b − r), Q(both) = 1 − Q(p=0).
        compensated_sum shared, near, p_zero, q_zero;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>(a[i]), y = static_cast<double>(b[i]);
            if (y > -INFINITY) {
                const double qh = std::exp(lb_.log_p(y));
                if (x > -INFINITY) {
                    shared.add(qh);
                    near.add(qh * std::expm1(difference(i, r_)));
                } else {
                    p_zero.add(qh);
                }
            } else if (x > -INFINITY) {  // exp(a/T − ln Z_b − r), r = (x_r − y_r)/T
                q_zero.add(std::exp(((x - x_r_) + (heaviest_ - lb_.top)) * inv_t - lb_.log_sum));
            }
        }
        // X itself when Q(both) ≥ 1/2 (X is then small for nearly equal rows); else 1 + X as a sum
        // that does not cancel (from 1 − Q(p=0) it would lose Q(both)'s digits when Q(both) is small).
        log_ratio_ = shared.value() >= 0.5 ? std::log1p(near.value() + q_zero.value() - p_zero.value())
                                           : std::log(shared.value() + near.value() + q_zero.value());
    }

    template <bool logs, class F>
    void each(F&& f) const {
        for (std::size_t i = 0; i < n_; ++i) {
            const double x = static_cast<double>(a_[i]), y = static_cast<double>(b_[i]);
            if (x == -INFINITY && y == -INFINITY) continue;
            event e{x > -INFINITY ? std::exp(la_.log_p(x)) : 0.0, y > -INFINITY ? std::exp(lb_.log_p(y)) : 0.0, 0.0,
                    0.0, 0.0};
            if (y == -INFINITY) {
                e.delta = infinity;
            } else if (x == -INFINITY) {
                e.delta = -1.0;
            } else {
                e.u = difference(i, r_) - log_ratio_;
                e.delta = std::expm1(e.u);
            }
            if constexpr (logs) {
                if (y > -INFINITY) e.log_q = lb_.log_p(y);
            }
            f(e);
        }
    }

private:
    // d_i − r with one rounding of (x − y)/T − r.
    double difference(std::size_t i, double r) const noexcept {
        const double_double d = exact_difference(static_cast<double>(a_[i]), static_cast<double>(b_[i]));
        return std::fma(d.hi, inv_t_, -r) + d.lo * inv_t_;
    }

    const T* a_;
    const T* b_;
    std::size_t n_;
    double inv_t_;
    log_scale la_, lb_;
    double r_ = 0.0, heaviest_ = -INFINITY, x_r_ = 0.0, log_ratio_ = 0.0;
};

}  // namespace kldiv::detail
