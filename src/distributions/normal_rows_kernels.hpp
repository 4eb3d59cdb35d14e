#pragma once
// One row of kl_divergence_rows for diagonal Gaussians (include/kldiv/distributions/normal_rows.hpp):
// the per-coordinate terms and gradients in scalar form (used by the scalar twin and by the SIMD
// kernel for coordinates outside its fast range), the SIMD kernel (Highway, dispatched at run time,
// normal_rows_kernels-inl.h) and its plain scalar twin (normal_rows_reference.cpp).

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <numbers>

#include "src/core/generators.hpp"

namespace kldiv::distributions::detail {

// The mean part of one coordinate: m = (μp − μq)²·e^(−lvq) and its derivative g = (μp − μq)·e^(−lvq)
// (with respect to μp).
struct mean_part {
    double m = 0.0, g = 0.0;
};

// Fast range of mean_part_of: |lvq| ≤ this and a finite difference of means; e^(−lvq/2) is then a
// normal double, and (μp − μq)·e^(−lvq/2) keeps full relative precision.
inline constexpr double mean_part_lvq_limit = 1400.0;

inline mean_part mean_part_of(double mp, double mq, double lvq) noexcept {
    const double d = mp - mq;
    if (d == 0.0) return {};
    if (std::fabs(d) <= DBL_MAX && std::fabs(lvq) <= mean_part_lvq_limit) {
        const double h = std::exp(-0.5 * lvq);
        const double dh = d * h;
        return {dh * dh, dh * h};
    }
    // Extreme parameters: in log space, relative error about |ln m|·1e-16.
    const double log_d =
        std::fabs(d) <= DBL_MAX ? std::log(std::fabs(d)) : std::log(std::fabs(0.5 * mp - 0.5 * mq)) + std::numbers::ln2;
    return {std::exp(2.0 * log_d - lvq), std::copysign(std::exp(log_d - lvq), d)};
}

// One row: inputs (mean_q and log_var_q null for the standard normal), outputs (null: not wanted),
// and the factors of the gradients (the reduction weight and the unit).
template <class T>
struct normal_row {
    std::size_t cols = 0;
    const T* mean_p = nullptr;
    const T* log_var_p = nullptr;
    const T* mean_q = nullptr;
    const T* log_var_q = nullptr;
    T* grad_mean_p = nullptr;
    T* grad_log_var_p = nullptr;
    T* grad_mean_q = nullptr;
    T* grad_log_var_q = nullptr;
    double scale = 1.0;  // multiplies every gradient
};

// The gradients of one coordinate, times `scale`, from e^(lvp−lvq) − 1 and its mean part.
template <class T>
void store_coordinate_gradients(const normal_row<T>& r, std::size_t j, double expm1_t, const mean_part& mp) noexcept {
    const double half = 0.5 * r.scale;
    if (r.grad_mean_p) r.grad_mean_p[j] = static_cast<T>(r.scale * mp.g);
    if (r.grad_mean_q) r.grad_mean_q[j] = static_cast<T>(-(r.scale * mp.g));
    if (r.grad_log_var_p) r.grad_log_var_p[j] = static_cast<T>(half * expm1_t);
    if (r.grad_log_var_q) r.grad_log_var_q[j] = static_cast<T>(-(half * (expm1_t + mp.m)));
}

// 2·KL of coordinate j (φ(u) + m, both ≥ 0), storing its gradients where wanted.
template <class T>
double coordinate(const normal_row<T>& r, std::size_t j) noexcept {
    const double lvp = static_cast<double>(r.log_var_p[j]);
    const double lvq = r.log_var_q ? static_cast<double>(r.log_var_q[j]) : 0.0;
    const double t = lvp - lvq;  // −u
    const mean_part mp =
        mean_part_of(static_cast<double>(r.mean_p[j]), r.mean_q ? static_cast<double>(r.mean_q[j]) : 0.0, lvq);
    store_coordinate_gradients(r, j, std::expm1(t), mp);
    return kldiv::detail::phi(-t) + mp.m;
}

// D(P‖Q) of the row in nats (and its gradients): the SIMD kernel, and its scalar twin.
template <class T>
double normal_row_kl(const normal_row<T>& r) noexcept;
template <class T>
double reference_normal_row_kl(const normal_row<T>& r) noexcept;

}  // namespace kldiv::distributions::detail
