#pragma once
// D(P_i‖Q_i) for a batch of diagonal Gaussians, one per matrix row, with the gradients a VAE needs.
//
// Row i of P is N(μp_i, diag exp(lvp_i)), given by its means and its log-variances lv = ln σ²
// (the encoder's outputs); Q likewise, or the standard normal N(0, I) when Q's views are empty:
//   D_i = Σ_j ½ [φ(u_ij) + (μp_ij − μq_ij)²·e^(−lvq_ij)],  u = lvq − lvp,  φ(u) = e^(−u) − 1 + u ≥ 0.
// With Q = N(0, I) this is −½ Σ_j (1 + lvp − μp² − e^lvp), PyTorch's usual VAE expression, written
// so that nothing cancels: both parts of every term are ≥ 0, and φ is evaluated by its series
// Σ_{k≥2} (−u)^k/k! (terms to u^17, truncation below 3.1e-18 relative) for |u| ≤ 0.75 and as
// expm1(−u) + u beyond (φ ≥ 0.22 there: the cancellation costs at most a factor 3), so each term
// keeps a relative error of about 1e-15 (6e-16 measured against mpmath) however close the two
// Gaussians are, and is exactly 0 for equal coordinates. Each row is summed in double, compensated,
// also for float input; a row's value and gradients do not depend on the number of threads.
//
// Gradients of the per-coordinate term, with e = e^(−lvq) (= 1 for the standard normal):
//   ∂/∂μp = (μp − μq)·e            ∂/∂lvp = ½ (e^(lvp − lvq) − 1)
//   ∂/∂μq = −(μp − μq)·e           ∂/∂lvq = ½ (1 − e^(lvp − lvq) − (μp − μq)²·e)
// written into the caller's buffers with respect to the *reduced* loss, as in losses.hpp: row i's
// gradient is scaled by w_i / Σ w for reduction::mean, by w_i for sum, by 1 for none (each row's
// own loss), and by 1/ln(base) for the unit; masked rows get zero gradients. Masked rows are not
// read, so padding rows may hold anything.
//
// Range: means and log-variances must be finite (else kldiv::error). A value that overflows a
// double is +inf, which is then the true value: e^(lvp − lvq) beyond 1.8e308 (lvp − lvq > 709.78)
// makes the row's D, ∂/∂lvp and −∂/∂lvq +inf. The mean part (μp − μq)²·e^(−lvq) is evaluated as
// ((μp − μq)·e^(−lvq/2))², finite wherever its true value is; for |lvq| > 1400 (variances outside
// the double range) or |μp − μq| > 1.8e308 it is evaluated in log space, to a relative error of
// about |ln value|·1e-16. Float gradients beyond the float range are ±inf.
//
//   namespace kd = kldiv::distributions;
//   kd::normal_rows<float> posterior{{mu, batch, latent}, {logvar, batch, latent}};
//   double loss = 0;
//   kd::kl_divergence_rows(posterior, {}, std::span(&loss, 1),          // Q = N(0, I), mean over rows
//                          {.mean_p = {grad_mu, batch, latent}, .log_var_p = {grad_logvar, batch, latent}});

#include <cstdint>
#include <span>

#include "kldiv/row_options.hpp"
#include "kldiv/units.hpp"
#include "kldiv/views.hpp"

namespace kldiv::distributions {

// A batch of diagonal Gaussians: row i is N(mean.row(i), diag exp(log_var.row(i))). Both views have
// the same shape (any row strides). Both empty: the standard normal N(0, I), as Q.
template <class T>
struct normal_rows {
    matrix_view<const T> mean{};
    matrix_view<const T> log_var{};
};

// Where the gradients go (same shape as the inputs, any row stride, not overlapping them); an
// empty view is not computed. The Q gradients need a given Q.
template <class T>
struct normal_rows_gradients {
    matrix_view<T> mean_p{};
    matrix_view<T> log_var_p{};
    matrix_view<T> mean_q{};
    matrix_view<T> log_var_q{};
};

struct normal_rows_options {
    log_base base{};                     // unit of the values (and so of the gradients)
    reduction reduce = reduction::mean;  // as for the losses: a training loss is reduced
    row_options rows{};
};

// Writes D(P_i‖Q_i) (one value per row for reduction::none, masked rows 0; otherwise the one
// reduced value) into `out`, and the gradients asked for. Throws kldiv::error naming the function,
// the argument, the element [row, col], the value and the rule, before writing anything.
void kl_divergence_rows(const normal_rows<float>& p, const normal_rows<float>& q, std::span<double> out,
                        const normal_rows_gradients<float>& gradients = {}, const normal_rows_options& opts = {});
void kl_divergence_rows(const normal_rows<double>& p, const normal_rows<double>& q, std::span<double> out,
                        const normal_rows_gradients<double>& gradients = {}, const normal_rows_options& opts = {});

}  // namespace kldiv::distributions
