// The scalar twins of the block kernels: the same summaries, event by event, with the C library's
// exp, expm1 and log1p. Written for clarity; robust for every finite input.

#include <algorithm>
#include <cmath>

#include "../terms.hpp"
#include "block_kernels.hpp"

namespace kldiv::detail {
namespace {

// One side of a log-space block: weights from x, differences d = x − y, shifted by s = d at the
// block's heaviest event (then |E[d] − s| is at most √block_size standard deviations of d, which
// bounds the cancellation in the fold; see blocks.hpp).
void reference_side(const double* x, const double* y, std::size_t n, bool divergence, log_block& out) {
    out = log_block{};
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] > out.max) {
            out.max = x[i];
            out.shift = x[i] - y[i];
        }
    }
    if (out.max == -INFINITY) return;
    if (!std::isfinite(out.shift)) out.shift = 0.0;  // the heaviest event is outside Q: unused
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] == -INFINITY) continue;
        const double w = std::exp(x[i] - out.max);
        out.weight += w;
        out.spread += w * (out.max - x[i]);
        if (!divergence) continue;
        if (y[i] == -INFINITY) {
            out.outside = true;
            continue;
        }
        const double v = (x[i] - y[i]) - out.shift;
        // w·φ(v); for v < −1 as exp(y − m + s) − w + w·v, which cannot overflow through exp(−v).
        out.phi += v < -1.0 ? std::exp((y[i] - out.max) + out.shift) - w + w * v : w * phi_log(v);
        out.offset += w * v;
    }
    out.spread /= out.weight;
    if (!divergence) return;
    out.phi /= out.weight;
    out.offset /= out.weight;
    out.unstable = !out.outside && !std::isfinite(out.phi);
}

template <class T>
void load_scaled(const T* v, std::size_t n, double scale, double* out, bool& bad) {
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<double>(v[i]) * scale;
        if (!(out[i] < INFINITY)) bad = true;  // NaN or +inf
    }
}

// f(δ) = (1+δ) ln(1+δ) − δ and ψ(δ) = δ − ln(1+δ) times q, for p, q > 0 and c = S^Q/S^P.
struct prob_terms {
    double forward, reverse;
};

prob_terms terms_of(double p, double q, double c) {
    const double delta = std::fma(c, p, -q) / q;
    if (delta <= 1.0) return {q * phi(delta), q * psi(delta)};
    // Far from 1: ln ρ without overflow, then q·f = c p (ln ρ − 1) + q and q·ψ = (c p − q) − q ln ρ.
    const double log_ratio = std::isfinite(delta) && delta > -1.0 ? std::log1p(delta)
                                                                  : std::log(c * p) - std::log(q);
    return {c * p * (log_ratio - 1.0) + q, (c * p - q) - q * log_ratio};
}

}  // namespace

template <class T>
void reference_log_blocks(const T* a, const T* b, const log_segment& s, log_block* p_out, log_block* q_out,
                          bool& bad) noexcept {
    double x[block_size], y[block_size];
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        load_scaled(a + start, n, s.inv_temperature, x, bad);
        load_scaled(b + start, n, s.inv_temperature, y, bad);
        if (s.p_side != side::none) reference_side(x, y, n, s.p_side == side::divergence, p_out[k - s.first]);
        if (s.q_side != side::none) reference_side(y, x, n, s.q_side == side::divergence, q_out[k - s.first]);
    }
}

template <class T>
void reference_prob_blocks(const T* p, const T* q, const prob_segment& s, prob_block* out, bool& bad) noexcept {
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        prob_block& o = out[k - s.first];
        o = prob_block{};
        for (std::size_t i = start; i < start + n; ++i) {
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            if (!(pv >= 0.0 && pv < INFINITY && qv >= 0.0 && qv < INFINITY)) bad = true;
            o.sum_p += pv;
            o.sum_q += qv;
        }
        if (bad) continue;
        const double c = o.sum_q / o.sum_p, inv_sp = 1.0 / o.sum_p, inv_sq = 1.0 / o.sum_q;
        for (std::size_t i = start; i < start + n; ++i) {
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            if (s.request.entropy) {
                // p·(−ln p̂) ≥ 0, clamped: where p̂ rounds to about 1 the logarithm is a rounding error.
                if (pv > 0.0) o.entropy_p += pv * std::max(0.0, -std::log(pv * inv_sp));
                if (qv > 0.0) o.entropy_q += qv * std::max(0.0, -std::log(qv * inv_sq));
            }
            if (pv > 0.0 && qv > 0.0) {
                const prob_terms t = terms_of(pv, qv, c);
                o.kl += t.forward;
                o.reverse_kl += t.reverse;
            } else if (pv > 0.0) {
                o.outside_p = true;
            } else if (qv > 0.0) {
                o.outside_q = true;
                o.kl += qv;  // q̂ f(−1) = q̂: P has no mass here
            }
        }
        if (o.sum_q > 0.0) {
            o.kl /= o.sum_q;
            o.reverse_kl /= o.sum_q;
        }
        if (o.sum_p > 0.0) o.entropy_p /= o.sum_p;
        if (o.sum_q > 0.0) o.entropy_q /= o.sum_q;
    }
}

template void reference_log_blocks(const float*, const float*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_log_blocks(const double*, const double*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_prob_blocks(const float*, const float*, const prob_segment&, prob_block*, bool&) noexcept;
template void reference_prob_blocks(const double*, const double*, const prob_segment&, prob_block*,
                                    bool&) noexcept;
template void reference_log_blocks(const float16*, const float16*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_log_blocks(const bfloat16*, const bfloat16*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_prob_blocks(const float16*, const float16*, const prob_segment&, prob_block*,
                                    bool&) noexcept;
template void reference_prob_blocks(const bfloat16*, const bfloat16*, const prob_segment&, prob_block*,
                                    bool&) noexcept;

}  // namespace kldiv::detail
