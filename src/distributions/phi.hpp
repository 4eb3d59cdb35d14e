#pragma once
// φ(u) = e^(−u) − 1 + u ≥ 0, the gap of the exponential's tangent: the term that keeps divergences
// between nearly equal distributions free of cancellation (normal and Gaussian closed forms, the
// quadrature integrand, the batched Gaussian kernel).

#include <cfloat>
#include <cmath>
#include <cstddef>

namespace kldiv::distributions::detail {

// φ(u) = e^(−u) − 1 + u = u²·Σ_{k≥0} c_k u^k with c_k = (−1)^k/(k+2)!, used for |u| ≤ phi_series_limit.
// Sixteen terms (to u^17): the first omitted term is below 3.1e-18 of φ at |u| = 0.75.
inline constexpr double phi_series_limit = 0.75;
struct series {
    double c[16];
};
inline constexpr series phi_series = [] {
    series s{};
    double factorial = 2.0;  // (k + 2)!, exact in double up to 17!
    for (std::size_t k = 0; k < 16; ++k) {
        s.c[k] = (k % 2 == 0 ? 1.0 : -1.0) / factorial;
        factorial *= static_cast<double>(k + 3);
    }
    return s;
}();

// φ(u) ≥ 0 for any u, relative error below 1e-15 (+inf when e^(−u) overflows).
inline double phi(double u) noexcept {
    if (std::fabs(u) <= phi_series_limit) {
        double sum = 0.0;
        for (std::size_t k = 16; k-- > 0;) sum = sum * u + phi_series.c[k];
        return u * u * sum;
    }
    const double e = std::expm1(-u);
    return e == INFINITY ? e : e + u;  // u = −inf (an overflowed difference) would give inf − inf
}

}  // namespace kldiv::distributions::detail
