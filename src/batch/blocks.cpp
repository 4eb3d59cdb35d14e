#include "src/batch/blocks.hpp"

#include <algorithm>
#include <limits>

#include "src/common/exact_sum.hpp"
#include "src/core/generators.hpp"
#include "src/core/kernels.hpp"

namespace kldiv::detail {

log_row fold_log_blocks(std::span<const log_block> blocks, bool want_kl) noexcept {
    log_row row;
    double top = -INFINITY;
    for (const log_block& b : blocks) {
        top = std::max(top, b.max);
        row.outside = row.outside || b.outside;
        row.finite = row.finite && !b.unstable;
    }
    if (top == -INFINITY) {  // no mass at all: the caller reports it
        row.log_normalizer = -INFINITY;
        row.finite = false;
        return row;
    }
    // W = Σ exp(a − M) = C + R: C events at the maximum M (weight 1 each, counted exactly) and R, the
    // rest, summed apart, so that ln W = ln C + ln(1 + R/C) keeps its digits when P is nearly a point
    // mass (H(P) is then tiny and ln W a good part of it).
    double total = 0.0, ties = 0.0, rest = 0.0;
    for (const log_block& b : blocks) {
        if (b.max == -INFINITY) continue;
        const double w = b.weight * std::exp(b.max - top);
        total += w;
        if (b.max == top) {
            const double at_top = std::round(b.weight - b.below);
            ties += at_top;
            rest += b.below;
        } else {
            rest += w;
        }
    }
    const double log_total = std::log(ties) + std::log1p(rest / ties);
    // H(P) = ln W + Σ π_k ((M − m_k) + E_k[m_k − a]); every piece ≥ 0. r = Σ π_k (s_k + g_k) = E_p[d].
    double spread = 0.0, reference = 0.0;
    for (const log_block& b : blocks) {
        if (b.max == -INFINITY) continue;
        const double share = b.weight * std::exp(b.max - top) / total;
        spread += share * ((top - b.max) + b.spread);
        reference += share * (b.shift + b.offset);
    }
    row.entropy = log_total + spread;
    row.log_normalizer = top + log_total;
    if (!want_kl) return row;
    if (row.outside) {
        row.kl = std::numeric_limits<double>::infinity();
        return row;
    }
    double mean_offset = 0.0, y = 0.0;
    for (const log_block& b : blocks) {
        if (b.max == -INFINITY) continue;
        const double share = b.weight * std::exp(b.max - top) / total;
        const double delta = b.shift - reference;
        mean_offset += share * (delta + b.offset);
        y += share * (phi(delta) + std::exp(-delta) * b.phi - b.offset * std::expm1(-delta));
    }
    // ḡ + ln(1 + h) = Y − ψ(h), h = Y − ḡ: the second form near 0, the first once ln(1 + h) is not
    // small (ψ(h) ≈ h would cancel Y; ḡ is only rounding, so nothing cancels in the first).
    const double h = y - mean_offset;
    double kl = h > 0.5 ? mean_offset + std::log1p(h) : y - reverse_kl_generator(h);
    // Q's mass where P has none: + ln(1 + Z_out/Z_S) (see blocks.hpp).
    double log_absent = -INFINITY;
    for (const log_block& b : blocks) {
        if (b.absent_max == -INFINITY) continue;
        const double l = b.absent_max + std::log(b.absent_weight);
        const double hi = std::max(log_absent, l), lo = std::min(log_absent, l);
        log_absent = hi + std::log1p(std::exp(lo - hi));
    }
    if (log_absent > -INFINITY) {
        const double x = log_absent - (row.log_normalizer - reference + std::log1p(h));
        kl += x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    }
    row.finite = row.finite && std::isfinite(kl);
    row.kl = std::max(0.0, kl);
    return row;
}

prob_row fold_prob_blocks(std::span<const prob_block> blocks, const block_request& request,
                          std::span<double> scratch) noexcept {
    const std::size_t n = blocks.size();
    const std::span<double> mass_p = scratch.first(n), mass_q = scratch.subspan(n, n);
    bool outside_p = false, outside_q = false;
    compensated_sum total_p, total_q;
    for (std::size_t k = 0; k < n; ++k) {
        mass_p[k] = blocks[k].sum_p.value();
        mass_q[k] = blocks[k].sum_q.value();
        for (const double x : {blocks[k].sum_p.hi, blocks[k].sum_p.lo}) total_p.add(x);
        for (const double x : {blocks[k].sum_q.hi, blocks[k].sum_q.lo}) total_q.add(x);
        outside_p = outside_p || blocks[k].outside_p;
        outside_q = outside_q || blocks[k].outside_q;
    }
    const std::span<const double> cp(mass_p), cq(mass_q);
    const double_double sp = total_p.result(), sq = total_q.result();
    prob_row row;
    row.sum_p = sp.value();
    row.sum_q = sq.value();
    if (!(row.sum_p > 0.0 && row.sum_q > 0.0)) return row;  // the caller reports empty rows
    // Chain rule: the divergence between the blocks' masses plus the mass-weighted inner divergences.
    double inner = 0.0, inner_reverse = 0.0, inner_hp = 0.0, inner_hq = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        const double share_p = mass_p[k] / row.sum_p, share_q = mass_q[k] / row.sum_q;
        if (share_p > 0.0) {
            inner += share_p * blocks[k].kl;
            inner_hp += share_p * blocks[k].entropy_p;
        }
        if (share_q > 0.0) {
            inner_reverse += share_q * blocks[k].reverse_kl;
            inner_hq += share_q * blocks[k].entropy_q;
        }
    }
    constexpr double inf = std::numeric_limits<double>::infinity();
    // The divergence between the blocks' masses, from their double-double sums.
    const auto masses_kl = [&](auto mass_a, double_double sa, auto mass_b, double_double sb) {
        const pair_scale s(sa, sb);
        return sum_terms(n, [&](std::size_t k) { return kl_term(mass_a(blocks[k]), mass_b(blocks[k]), s); });
    };
    const auto of_p = [](const prob_block& b) { return b.sum_p; };
    const auto of_q = [](const prob_block& b) { return b.sum_q; };
    if (request.phi) row.kl = outside_p ? inf : masses_kl(of_p, sp, of_q, sq) + inner;
    if (request.reverse) row.reverse_kl = outside_q ? inf : masses_kl(of_q, sq, of_p, sp) + inner_reverse;
    if (request.entropy) {
        // The masses rounded to double, with their own exact sums: H(π) must see the same numbers.
        row.entropy_p = entropy_nats(cp, exact_sum(cp)) + inner_hp;
        row.entropy_q = entropy_nats(cq, exact_sum(cq)) + inner_hq;
    }
    return row;
}

}  // namespace kldiv::detail
