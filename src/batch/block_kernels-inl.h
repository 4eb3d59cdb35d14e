// Per-target bodies of the block kernels (Highway): compiled once for every SIMD target by
// block_kernels.cpp. Lanes are double; float rows are widened on load. Accuracy: the summaries agree
// with the scalar twins (block_reference.cpp) to about 1e-14 relative; the transcendental functions
// are Highway's Exp, Expm1, Log and Log1p on doubles (at most 4 ulp).

#if defined(KLDIV_BLOCK_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_BLOCK_KERNELS_INL_H_
#undef KLDIV_BLOCK_KERNELS_INL_H_
#else
#define KLDIV_BLOCK_KERNELS_INL_H_
#endif

#include <algorithm>
#include <cmath>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<double>;
using V = hn::Vec<D>;
using M = hn::Mask<D>;

// v²·Σ_{k≥0} (−v)^k/(k+2)!: φ(v) = exp(−v) − 1 + v for |v| ≤ 0.1 (the scalar twin's series).
HWY_INLINE V PhiSeries(D d, V v) {
    V s = hn::Set(d, 1.0 / 479001600);
    const double c[] = {1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040,
                        1.0 / 720,      1.0 / 120,     1.0 / 24,     1.0 / 6,     1.0 / 2};
    for (double ck : c) s = hn::NegMulAdd(v, s, hn::Set(d, ck));  // ck − v·s
    return hn::Mul(hn::Mul(v, v), s);
}

// f(δ) = (1+δ) ln(1+δ) − δ for |δ| ≤ 0.01: Σ_{k≥2} (−1)^k δ^k/(k(k−1)), as terms.hpp.
HWY_INLINE V FSeries(D d, V x) {
    V s = hn::Set(d, 1.0 / 90);
    const double c[] = {1.0 / 72, 1.0 / 56, 1.0 / 42, 1.0 / 30, 1.0 / 20, 1.0 / 12, 1.0 / 6, 1.0 / 2};
    for (double ck : c) s = hn::NegMulAdd(x, s, hn::Set(d, ck));
    return hn::Mul(hn::Mul(x, x), s);
}

// ψ(h) = h − ln(1+h) for |h| ≤ 0.01: Σ_{k≥2} (−1)^k h^k/k.
HWY_INLINE V PsiSeries(D d, V h) {
    V s = hn::Set(d, 1.0 / 10);
    const double c[] = {1.0 / 9, 1.0 / 8, 1.0 / 7, 1.0 / 6, 1.0 / 5, 1.0 / 4, 1.0 / 3, 1.0 / 2};
    for (double ck : c) s = hn::NegMulAdd(h, s, hn::Set(d, ck));
    return hn::Mul(hn::Mul(h, h), s);
}

HWY_INLINE double Sum(D d, V v) { return hn::GetLane(hn::SumOfLanes(d, v)); }

// Copies n events of a row, times `scale`, into the aligned buffer out, padded with `pad` to a whole
// number of vectors; returns the padded length. `bad` collects lanes failing `ok`.
template <class T, class Ok>
HWY_INLINE std::size_t LoadBlock(D d, const T* HWY_RESTRICT v, std::size_t n, double scale, double pad,
                                 double* HWY_RESTRICT out, Ok ok, M& bad) {
    const std::size_t lanes = hn::Lanes(d);
    const V vscale = hn::Set(d, scale);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        V x;
        if constexpr (sizeof(T) == sizeof(double)) {
            x = hn::LoadU(d, v + i);
        } else {
            x = hn::PromoteTo(d, hn::LoadU(hn::Rebind<float, D>(), v + i));
        }
        x = hn::Mul(x, vscale);
        bad = hn::Or(bad, hn::Not(ok(x)));
        hn::Store(x, d, out + i);
    }
    if (i < n) {
        HWY_ALIGN double tail[HWY_MAX_BYTES / sizeof(double)];
        for (std::size_t j = 0; j < lanes; ++j) tail[j] = i + j < n ? static_cast<double>(v[i + j]) * scale : pad;
        const V x = hn::Load(d, tail);
        bad = hn::Or(bad, hn::Not(ok(x)));
        hn::Store(x, d, out + i);
        i += lanes;
    }
    return i;
}

// One side of a log-space block (see reference_side in block_reference.cpp): weights from x,
// differences x − y. `w` is scratch for the weights.
HWY_INLINE void Side(D d, const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, std::size_t n,
                     bool divergence, double* HWY_RESTRICT w, log_block& out) {
    const std::size_t lanes = hn::Lanes(d);
    const V neg_inf = hn::Set(d, -INFINITY);
    V vmax = neg_inf;
    for (std::size_t i = 0; i < n; i += lanes) vmax = hn::Max(vmax, hn::Load(d, x + i));
    out = log_block{};
    out.max = hn::GetLane(hn::MaxOfLanes(d, vmax));
    if (out.max == -INFINITY) return;
    const V m = hn::Set(d, out.max);
    V weight = hn::Zero(d), weighted_d = hn::Zero(d), spread = hn::Zero(d);
    M outside = hn::FirstN(d, 0);
    for (std::size_t i = 0; i < n; i += lanes) {
        const V vx = hn::Load(d, x + i), vy = hn::Load(d, y + i);
        const M has_p = hn::Gt(vx, neg_inf);
        const V vw = hn::Exp(d, hn::Sub(vx, m));  // 0 where x = −inf
        hn::Store(vw, d, w + i);
        weight = hn::Add(weight, vw);
        spread = hn::MulAdd(vw, hn::IfThenElseZero(has_p, hn::Sub(m, vx)), spread);
        const M q_zero = hn::Eq(vy, neg_inf);
        outside = hn::Or(outside, hn::And(has_p, q_zero));
        weighted_d = hn::MulAdd(vw, hn::IfThenElseZero(hn::AndNot(q_zero, has_p), hn::Sub(vx, vy)), weighted_d);
    }
    out.weight = Sum(d, weight);
    out.shift = Sum(d, weighted_d) / out.weight;
    out.spread = Sum(d, spread) / out.weight;
    out.outside = !hn::AllFalse(d, outside);
    if (!divergence || out.outside) return;
    const V s = hn::Set(d, out.shift), small = hn::Set(d, 0.1), minus_one = hn::Set(d, -1.0);
    V phi = hn::Zero(d), offset = hn::Zero(d);
    for (std::size_t i = 0; i < n; i += lanes) {
        const V vx = hn::Load(d, x + i), vy = hn::Load(d, y + i), vw = hn::Load(d, w + i);
        const M has_p = hn::Gt(vx, neg_inf);  // and so y > −inf: no event is outside here
        const V v = hn::IfThenElseZero(has_p, hn::Sub(hn::Sub(vx, vy), s));
        const M near = hn::Le(hn::Abs(v), small);
        V term;
        if (hn::AllTrue(d, near)) {
            term = hn::Mul(vw, PhiSeries(d, v));
        } else {
            const V far = hn::Mul(vw, hn::Add(hn::Expm1(d, hn::Neg(v)), v));
            term = hn::IfThenElse(near, hn::Mul(vw, PhiSeries(d, v)), far);
            const M below = hn::Lt(v, minus_one);
            if (!hn::AllFalse(d, below)) {
                // exp(y − m + s) − w + w·v: exp(−v) alone could overflow where w underflows.
                const V e = hn::Exp(d, hn::Add(hn::Sub(vy, m), s));
                term = hn::IfThenElse(below, hn::MulAdd(vw, v, hn::Sub(e, vw)), term);
            }
        }
        phi = hn::Add(phi, term);
        offset = hn::MulAdd(vw, v, offset);
    }
    out.phi = Sum(d, phi) / out.weight;
    out.offset = Sum(d, offset) / out.weight;
    out.unstable = !std::isfinite(out.phi);
}

template <class T>
void LogBlocks(const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, const log_segment& s, log_block* p_out,
               log_block* q_out, bool& bad) {
    const D d;
    HWY_ALIGN double x[block_size], y[block_size], w[block_size];
    M bad_lanes = hn::FirstN(d, 0);
    const V inf = hn::Set(d, INFINITY);
    const auto ok = [&](V v) { return hn::Lt(v, inf); };  // NaN and +inf are bad
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        const std::size_t padded = LoadBlock(d, a + start, n, s.inv_temperature, -INFINITY, x, ok, bad_lanes);
        LoadBlock(d, b + start, n, s.inv_temperature, -INFINITY, y, ok, bad_lanes);
        if (s.p_side != side::none) Side(d, x, y, padded, s.p_side == side::divergence, w, p_out[k - s.first]);
        if (s.q_side != side::none) Side(d, y, x, padded, s.q_side == side::divergence, w, q_out[k - s.first]);
    }
    if (!hn::AllFalse(d, bad_lanes)) bad = true;
}

template <class T>
void ProbBlocks(const T* HWY_RESTRICT p, const T* HWY_RESTRICT q, const prob_segment& s, prob_block* out,
                bool& bad) {
    const D d;
    const std::size_t lanes = hn::Lanes(d);
    HWY_ALIGN double x[block_size], y[block_size];
    M bad_lanes = hn::FirstN(d, 0);
    const V zero = hn::Zero(d), inf = hn::Set(d, INFINITY);
    const auto ok = [&](V v) { return hn::And(hn::Ge(v, zero), hn::Lt(v, inf)); };
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        const std::size_t padded = LoadBlock(d, p + start, n, 1.0, 0.0, x, ok, bad_lanes);
        LoadBlock(d, q + start, n, 1.0, 0.0, y, ok, bad_lanes);
        prob_block& o = out[k - s.first];
        o = prob_block{};
        V sp = zero, sq = zero;
        for (std::size_t i = 0; i < padded; i += lanes) {
            sp = hn::Add(sp, hn::Load(d, x + i));
            sq = hn::Add(sq, hn::Load(d, y + i));
        }
        o.sum_p = Sum(d, sp);
        o.sum_q = Sum(d, sq);
        if (!hn::AllFalse(d, bad_lanes)) break;
        V hp = zero, hq = zero, fwd = zero, rev = zero;
        M outside_p = hn::FirstN(d, 0), outside_q = outside_p;
        const V c = hn::Set(d, o.sum_q / o.sum_p), inv_sp = hn::Set(d, 1.0 / o.sum_p),
                inv_sq = hn::Set(d, 1.0 / o.sum_q), small = hn::Set(d, 0.01);
        // p·(−ln p̂) ≥ 0, clamped: where p̂ rounds to about 1 the logarithm is a rounding error.
        const auto entropy_term = [&](V v, V inv, M has) {
            return hn::IfThenElseZero(has, hn::Mul(v, hn::Max(zero, hn::Neg(hn::Log(d, hn::Mul(v, inv))))));
        };
        for (std::size_t i = 0; i < padded; i += lanes) {
            const V vp = hn::Load(d, x + i), vq = hn::Load(d, y + i);
            const M has_p = hn::Gt(vp, zero), has_q = hn::Gt(vq, zero);
            if (s.request.entropy) {
                hp = hn::Add(hp, entropy_term(vp, inv_sp, has_p));
                hq = hn::Add(hq, entropy_term(vq, inv_sq, has_q));
            }
            if (!s.request.phi && !s.request.reverse) continue;
            const M both = hn::And(has_p, has_q);
            outside_p = hn::Or(outside_p, hn::AndNot(has_q, has_p));
            outside_q = hn::Or(outside_q, hn::AndNot(has_p, has_q));
            const V delta = hn::IfThenElseZero(both, hn::Div(hn::MulSub(c, vp, vq), vq));
            const M near = hn::Le(hn::Abs(delta), small);
            V f, g;
            if (hn::AllTrue(d, near)) {
                f = FSeries(d, delta);
                g = PsiSeries(d, delta);
            } else {
                const V l = hn::Log1p(d, delta);
                f = hn::IfThenElse(near, FSeries(d, delta), hn::MulAdd(delta, l, hn::Sub(l, delta)));
                g = hn::IfThenElse(near, PsiSeries(d, delta), hn::Sub(delta, l));
                // Far above 1 (q tiny against p) δ loses range: leave such blocks to the scalar twin.
                if (!hn::AllFalse(d, hn::Gt(delta, hn::Set(d, 1e300)))) o.unstable = true;
            }
            // Where P has no mass, q̂ f(−1) = q̂.
            fwd = hn::Add(fwd, hn::IfThenElse(both, hn::Mul(vq, f), hn::IfThenElseZero(has_q, vq)));
            rev = hn::MulAdd(vq, g, rev);
        }
        o.kl = Sum(d, fwd) / o.sum_q;
        o.reverse_kl = Sum(d, rev) / o.sum_q;
        o.entropy_p = o.sum_p > 0.0 ? Sum(d, hp) / o.sum_p : 0.0;
        o.entropy_q = o.sum_q > 0.0 ? Sum(d, hq) / o.sum_q : 0.0;
        o.outside_p = !hn::AllFalse(d, outside_p);
        o.outside_q = !hn::AllFalse(d, outside_q);
        if (o.sum_p == 0.0 || o.sum_q == 0.0) o.kl = o.reverse_kl = 0.0;
        o.unstable = o.unstable || !std::isfinite(o.kl) || !std::isfinite(o.reverse_kl);
        if (o.unstable) reference_prob_blocks(p, q, prob_segment{s.cols, k, k + 1, s.request}, &o, bad);
    }
    if (!hn::AllFalse(d, bad_lanes)) bad = true;
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::detail
HWY_AFTER_NAMESPACE();

#endif  // KLDIV_BLOCK_KERNELS_INL_H_
