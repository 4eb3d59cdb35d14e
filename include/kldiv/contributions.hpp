#pragma once
// Per-event contributions: which events make two distributions differ.

#include <span>

#include "kldiv/options.hpp"

namespace kldiv {

// out[i] = p̂_i log(p̂_i / q̂_i), the share of event i in D(P‖Q): Σ out = D(P‖Q). An entry is
// negative where q̂_i > p̂_i (Q over-predicts the event), 0 where p_i = 0, and +inf where p_i > 0 = q_i
// (with on_zero = infinity). out.size() must equal p.size(). For the reverse direction swap p and q.
void kl_contributions(std::span<const double> p, std::span<const double> q, std::span<double> out,
                      const options& opts = {});
void kl_contributions(std::span<const float> p, std::span<const float> q, std::span<double> out,
                      const options& opts = {});

// out[i] = −p̂_i log p̂_i, the share of event i in H(P).
void entropy_contributions(std::span<const double> p, std::span<double> out, const options& opts = {});
void entropy_contributions(std::span<const float> p, std::span<double> out, const options& opts = {});

}  // namespace kldiv
