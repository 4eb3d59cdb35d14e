// The scalar twins of the block kernels: the same summaries, event by event, with the C library's
// exp, expm1 and log1p. Written for clarity; robust for every finite input.

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "src/batch/block_kernels.hpp"
#include "src/core/generators.hpp"
#include "src/core/terms.hpp"

namespace kldiv::detail {
namespace {

// One side of a log-space block: weights from x, differences d = (x − y)/T, shifted by s = d at the
// block's heaviest event (then |E[d] − s| is at most √block_size standard deviations of d, which
// bounds the cancellation in the fold; see blocks.hpp). x and y are the rows as given: x − y is
// formed exactly (a two-sum), so v = d − s takes one rounding.
void reference_side(const double* x, const double* y, std::size_t n, double inv_t, bool divergence, log_block& out) {
    out = log_block{};
    double top = -INFINITY, absent = -INFINITY;
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] > top) {
            top = x[i];
            out.shift = (x[i] - y[i]) * inv_t;
        }
        if (divergence && x[i] == -INFINITY) absent = std::max(absent, y[i]);
    }
    if (absent > -INFINITY) {
        out.absent_max = absent * inv_t;
        for (std::size_t i = 0; i < n; ++i) {
            if (x[i] == -INFINITY) out.absent_weight += std::exp((y[i] - absent) * inv_t);
        }
    }
    if (top == -INFINITY) return;
    out.max = top * inv_t;
    if (!std::isfinite(out.shift)) out.shift = 0.0;  // the heaviest event is outside Q: unused
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] == -INFINITY) continue;
        const double gap = (top - x[i]) * inv_t;
        const double w = std::exp(-gap);
        out.weight += w;
        if (gap > 0.0) out.below += w;
        out.spread += w * gap;
        if (!divergence) continue;
        if (y[i] == -INFINITY) {
            out.outside = true;
            continue;
        }
        const double_double d = exact_difference(x[i], y[i]);
        const double v = std::fma(d.hi, inv_t, -out.shift) + d.lo * inv_t;
        // w·φ(v); for v < −1 as exp((y − m)/T + s) − w + w·v, which cannot overflow through exp(−v).
        out.phi += v < -1.0 ? std::exp(std::fma(y[i] - top, inv_t, out.shift)) - w + w * v : w * phi(v);
        out.offset += w * v;
    }
    out.spread /= out.weight;
    if (!divergence) return;
    out.phi /= out.weight;
    out.offset /= out.weight;
    out.unstable = !out.outside && !std::isfinite(out.phi);
}

template <class T>
void load(const T* v, std::size_t n, double* out, bool& bad) {
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = static_cast<double>(v[i]);
        if (!(out[i] < INFINITY)) bad = true;  // NaN or +inf
    }
}

// f(δ) = (1+δ) ln(1+δ) − δ and ψ(δ) = δ − ln(1+δ) times q, for p, q > 0 and c = S^Q/S^P.
struct prob_terms {
    double forward, reverse;
};

prob_terms terms_of(double p, double q, const pair_scale& s) {
    const double_double c = s.c;
    const double delta = s.excess(p, q);
    if (delta <= 1.0 && delta >= -0.5) return {q * kl_generator(delta), q * reverse_kl_generator(delta)};
    // Far from 1: ln ρ from ρ = c p/q itself (1 + δ has lost ρ's digits when p ≪ q), without
    // overflow or underflow; then q·f = c p (ln ρ − 1) + q and q·ψ = (c p − q) − q ln ρ.
    const double ratio = c.hi * p / q;
    const double log_ratio =
        ratio >= DBL_MIN && ratio <= DBL_MAX ? std::log(ratio) : std::log(c.hi) + std::log(p) - std::log(q);
    return {c.hi * p * (log_ratio - 1.0) + q, std::fma(c.hi, p, -q) - q * log_ratio};
}

}  // namespace

template <class T>
void reference_log_blocks(const T* a, const T* b, const log_segment& s, log_block* p_out, log_block* q_out,
                          bool& bad) noexcept {
    double x[block_size], y[block_size];
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        load(a + start, n, x, bad);
        load(b + start, n, y, bad);
        const double inv_t = s.inv_temperature;
        if (s.p_side != side::none) reference_side(x, y, n, inv_t, s.p_side == side::divergence, p_out[k - s.first]);
        if (s.q_side != side::none) reference_side(y, x, n, inv_t, s.q_side == side::divergence, q_out[k - s.first]);
    }
}

template <class T>
void reference_prob_blocks(const T* p, const T* q, const prob_segment& s, prob_block* out, bool& bad) noexcept {
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        prob_block& o = out[k - s.first];
        o = prob_block{};
        compensated_sum sum_p, sum_q;
        for (std::size_t i = start; i < start + n; ++i) {
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            if (!(pv >= 0.0 && pv < INFINITY && qv >= 0.0 && qv < INFINITY)) bad = true;
            sum_p.add(pv);
            sum_q.add(qv);
        }
        o.sum_p = sum_p.result();
        o.sum_q = sum_q.result();
        if (bad) continue;
        const scale sp(o.sum_p), sq(o.sum_q);
        const pair_scale pq(o.sum_p, o.sum_q);
        const double_double c = pq.c;
        for (std::size_t i = start; i < start + n; ++i) {
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            if (s.request.entropy) {
                // p·(−ln p̂) ≥ 0, with ln p̂ accurate also where p̂ is close to 1.
                if (pv > 0.0) o.entropy_p += pv * std::max(0.0, -log_normalized(pv, sp));
                if (qv > 0.0) o.entropy_q += qv * std::max(0.0, -log_normalized(qv, sq));
            }
            if (pv > 0.0 && qv > 0.0) {
                const prob_terms t = terms_of(pv, qv, pq);
                o.kl += t.forward;
                o.reverse_kl += t.reverse;
            } else if (pv > 0.0) {
                o.outside_p = true;
                o.reverse_kl += c.hi * pv;  // p̂ g(∞) = p̂ (in units of q̂): Q has no mass here
            } else if (qv > 0.0) {
                o.outside_q = true;
                o.kl += qv;  // q̂ f(−1) = q̂: P has no mass here
            }
        }
        if (o.sum_q.hi > 0.0) {
            o.kl /= o.sum_q.hi;
            o.reverse_kl /= o.sum_q.hi;
        }
        if (o.sum_p.hi > 0.0) o.entropy_p /= o.sum_p.hi;
        if (o.sum_q.hi > 0.0) o.entropy_q /= o.sum_q.hi;
    }
}

template void reference_log_blocks(const float*, const float*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_log_blocks(const double*, const double*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_prob_blocks(const float*, const float*, const prob_segment&, prob_block*, bool&) noexcept;
template void reference_prob_blocks(const double*, const double*, const prob_segment&, prob_block*, bool&) noexcept;
template void reference_log_blocks(const float16*, const float16*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_log_blocks(const bfloat16*, const bfloat16*, const log_segment&, log_block*, log_block*,
                                   bool&) noexcept;
template void reference_prob_blocks(const float16*, const float16*, const prob_segment&, prob_block*, bool&) noexcept;
template void reference_prob_blocks(const bfloat16*, const bfloat16*, const prob_segment&, prob_block*, bool&) noexcept;

template <class T>
bool reference_family_sum(const T* p, const T* q, std::size_t n, double_double sp, double_double sq, term_kind kind,
                          double& out) noexcept {
    const double_double c = divide(sq, sp);
    const double inv_sp = 1.0 / sp.hi, inv_sq = 1.0 / sq.hi;
    compensated_sum blocks;
    bool infinite = false;
    double largest = 0.0;  // max |δ| where both are positive (see FamilySum)
    for (std::size_t start = 0; start < n; start += block_size) {
        double block = 0.0;
        for (std::size_t i = start; i < std::min(n, start + block_size); ++i) {
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            const double t = family_term(pv, qv, c, inv_sp, inv_sq, kind);
            if (pv > 0.0 && qv > 0.0)
                largest = std::max(largest, std::fabs((std::fma(c.hi, pv, -qv) + c.lo * pv) / qv));
            if (std::isnan(t)) return false;
            if (std::isinf(t)) {
                infinite = true;
            } else {
                block += t;
            }
        }
        blocks.add(block);
    }
    if (c.lo != 0.0 && largest <= 0x1p-90) return false;
    out = infinite ? INFINITY : blocks.value();
    return true;
}

template bool reference_family_sum(const float*, const float*, std::size_t, double_double, double_double, term_kind,
                                   double&) noexcept;
template bool reference_family_sum(const double*, const double*, std::size_t, double_double, double_double, term_kind,
                                   double&) noexcept;

}  // namespace kldiv::detail
