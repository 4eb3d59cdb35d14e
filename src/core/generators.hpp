#pragma once
// The functions whose weighted sums are the divergences, each ≥ 0 and 0 only at 0, evaluated
// without cancellation (series near 0), so that sums of them cannot cancel either:
//
//   φ(u) = e^(−u) − 1 + u                 log space: D(P‖Q) = Σ p·φ(ln p − ln q) over P's support
//   kl_generator(δ) = (1+δ)·ln(1+δ) − δ   ratio space: D(P‖Q) = Σ q·f(p/q − 1)
//   reverse_kl_generator(δ) = δ − ln(1+δ) ratio space: D(Q‖P) = Σ q·g(p/q − 1)
//
// φ serves the batched logits kernels, the Gaussian closed forms, the quadrature integrand and the
// batched Gaussian kernel; the two generators the discrete measures and the probability rows.

#include <cfloat>
#include <cmath>
#include <cstddef>

namespace kldiv::detail {

// φ(u) = u²·Σ_{k≥0} c_k u^k with c_k = (−1)^k/(k+2)!, used for |u| ≤ phi_series_limit. Sixteen
// terms (to u^17): the first omitted term is below 3.1e-18 of φ at |u| = 0.75. The SIMD kernels
// evaluate the same coefficients (Estrin's scheme) on their own branch limits.
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

// (1+δ)·ln(1+δ) − δ for finite δ ≥ −1; relative error below 1e-14 (4 eps/|δ| at worst).
inline double kl_generator(double x) noexcept {
    if (std::fabs(x) <= 0.01) {
        // Σ_{k≥2} (−1)^k x^k / (k(k−1)) to k = 10; the first omitted term is < 3e-18 relative.
        return x * x *
               (1.0 / 2 +
                x * (-1.0 / 6 +
                     x * (1.0 / 12 +
                          x * (-1.0 / 20 +
                               x * (1.0 / 30 + x * (-1.0 / 42 + x * (1.0 / 56 + x * (-1.0 / 72 + x * (1.0 / 90)))))))));
    }
    if (x < -0.5) {
        const double r = 1.0 + x;  // exact (Sterbenz); 1 − r = −x exactly
        return r == 0.0 ? 1.0 : r * std::log(r) - x;
    }
    const double l = std::log1p(x);
    return (l - x) + x * l;
}

// δ − ln(1+δ) ≥ 0 for δ > −1, series for |δ| ≤ 0.01 (terms to δ^10).
inline double reverse_kl_generator(double h) noexcept {
    if (std::fabs(h) <= 0.01) {
        return h * h *
               (1.0 / 2 -
                h * (1.0 / 3 -
                     h * (1.0 / 4 -
                          h * (1.0 / 5 -
                               h * (1.0 / 6 - h * (1.0 / 7 - h * (1.0 / 8 - h * (1.0 / 9 - h * (1.0 / 10)))))))));
    }
    return h - std::log1p(h);
}

}  // namespace kldiv::detail
