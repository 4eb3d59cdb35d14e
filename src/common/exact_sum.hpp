#pragma once
// Sums kept as an unevaluated pair hi + lo (double-double), accumulated with Neumaier's
// compensated summation: for n terms the error is about eps·|sum| + n·eps²·Σ|x|, far below what
// any measure here needs (its normalizer error enters the KL value only squared).

#include <cmath>
#include <span>

namespace kldiv::detail {

struct double_double {
    double hi = 0.0;
    double lo = 0.0;
    double value() const noexcept { return hi + lo; }
};

class compensated_sum {
public:
    void add(double x) noexcept {
        const double t = sum_ + x;
        if (std::fabs(sum_) >= std::fabs(x)) {
            compensation_ += (sum_ - t) + x;
        } else {
            compensation_ += (x - t) + sum_;
        }
        sum_ = t;
    }
    double_double result() const noexcept {
        const double hi = sum_ + compensation_;
        return {hi, compensation_ - (hi - sum_)};
    }
    double value() const noexcept { return sum_ + compensation_; }

private:
    double sum_ = 0.0;
    double compensation_ = 0.0;
};

template <class T>
double_double exact_sum(std::span<const T> values) noexcept {
    compensated_sum s;
    for (const T v : values) s.add(static_cast<double>(v));
    return s.result();
}

// x − y exactly, as hi + lo (Knuth's two-sum): hi the rounded difference, lo its rounding error.
inline double_double exact_difference(double x, double y) noexcept {
    const double hi = x - y, b = hi - x;
    return {hi, (x - (hi - b)) - (y + b)};
}

// a / b in double-double, for b.hi > 0: quotient to about eps² relative.
inline double_double divide(double_double a, double_double b) noexcept {
    const double hi = a.hi / b.hi;
    const double residual = std::fma(-hi, b.hi, a.hi);  // exact: a.hi − hi·b.hi
    const double lo = (residual + a.lo - hi * b.lo) / b.hi;
    return {hi, lo};
}

}  // namespace kldiv::detail

namespace kldiv::detail {

// Σ term(i) for i < n, compensated; +inf as soon as a term is +inf.
template <class Term>
double sum_terms(std::size_t n, Term&& term) {
    compensated_sum s;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = term(i);
        if (std::isinf(x)) return x;
        s.add(x);
    }
    return s.value();
}

}  // namespace kldiv::detail
