// Per-target bodies of the block kernels (Highway): compiled once for every SIMD target by
// block_kernels.cpp.
//   - Probabilities, and log-space rows of doubles: double lanes (float probabilities are widened on
//     load); Highway's Exp, Expm1 and Log (at most 4 ulp). The summaries agree with the scalar twins
//     (block_reference.cpp) to about 1e-14 relative.
//   - Log-space rows of floats (every target but the portable scalar one): SideF32, full float
//     vectors for the weights (exp-inl.h) and φ, exact differences, double sums: about 1e-7
//     relative to the twins.

#if defined(KLDIV_BLOCK_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_BLOCK_KERNELS_INL_H_
#undef KLDIV_BLOCK_KERNELS_INL_H_
#else
#define KLDIV_BLOCK_KERNELS_INL_H_
#endif

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "hwy/cache_control.h"
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "src/common/exp-inl.h"
#include "src/core/generators.hpp"

HWY_BEFORE_NAMESPACE();
namespace kldiv::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<double>;
using V = hn::Vec<D>;
using M = hn::Mask<D>;

// φ(v) = exp(−v) − 1 + v = v²·Σ_{k≥0} (−v)^k/(k+2)! for |v| ≤ 0.1, by the sixteen coefficients of
// src/core/generators.hpp (terms to v^17, far below double's rounding at |v| ≤ 0.1).
HWY_INLINE V PhiSeries(D d, V v) { return hn::Mul(hn::Mul(v, v), Estrin(d, v, phi_series.c)); }

// ψ(δ) = δ − ln(1+δ) for |δ| ≤ 0.1: Σ_{k=2..17} (−1)^k δ^k/k, error below 2e-17 relative.
HWY_INLINE V PsiSeries(D d, V h) {
    static constexpr double c[16] = {1.0 / 2,  -1.0 / 3,  1.0 / 4,  -1.0 / 5,  1.0 / 6,  -1.0 / 7,
                                     1.0 / 8,  -1.0 / 9,  1.0 / 10, -1.0 / 11, 1.0 / 12, -1.0 / 13,
                                     1.0 / 14, -1.0 / 15, 1.0 / 16, -1.0 / 17};
    return hn::Mul(hn::Mul(h, h), Estrin(d, h, c));
}

HWY_INLINE double Sum(D d, V v) { return hn::GetLane(hn::SumOfLanes(d, v)); }

// a·b − c with a single rounding: the fused operation where the target has it, else Dekker's exact
// product (Veltkamp splitting) — then (a·b)_hi − c is exact where it cancels, as c·p − q does for
// nearly equal rows. Needs |a|, |b| below 2^996 (the split scales by 2^27).
HWY_INLINE V ExactMulSub(D d, V a, V b, V c) {
#if HWY_NATIVE_FMA
    (void)d;
    return hn::MulSub(a, b, c);
#else
    const V split = hn::Set(d, 134217729.0);  // 2^27 + 1
    const auto halves = [&](V x, V& hi, V& lo) {
        const V t = hn::Mul(split, x);
        hi = hn::Sub(t, hn::Sub(t, x));
        lo = hn::Sub(x, hi);
    };
    V a_hi, a_lo, b_hi, b_lo;
    halves(a, a_hi, a_lo);
    halves(b, b_hi, b_lo);
    const V product = hn::Mul(a, b);
    const V error =
        hn::Add(hn::Add(hn::Add(hn::Sub(hn::Mul(a_hi, b_hi), product), hn::Mul(a_hi, b_lo)), hn::Mul(a_lo, b_hi)),
                hn::Mul(a_lo, b_lo));
    return hn::Add(hn::Sub(product, c), error);
#endif
}

// sum + x into the unevaluated pair sum + low (Knuth's two-sum: the rounding error is kept exactly).
HWY_INLINE void TwoSumAdd(V x, V& sum, V& low) {
    const V s = hn::Add(sum, x);
    const V b = hn::Sub(s, sum);
    low = hn::Add(low, hn::Add(hn::Sub(sum, hn::Sub(s, b)), hn::Sub(x, b)));
    sum = s;
}

// The lanes of the unevaluated sums (sum + low) and (sum2 + low2) as one double-double: the second
// pair joins the first by a vector two-sum, then the large parts' lanes are added compensated and
// the small parts' total once (their own rounding is far below the result's last digit).
HWY_INLINE double_double ExactSum(D d, V sum, V low, V sum2, V low2) {
    TwoSumAdd(sum2, sum, low);
    HWY_ALIGN double lanes[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(sum, d, lanes);
    compensated_sum total;
    for (std::size_t j = 0; j < hn::Lanes(d); ++j) total.add(lanes[j]);
    total.add(Sum(d, hn::Add(low, low2)));
    return total.result();
}

// Copies n events of a row into the aligned buffer out, padded with `pad` to a whole number of
// vectors; returns the padded length. `bad` collects lanes failing `ok`.
template <class T, class Ok>
HWY_INLINE std::size_t LoadBlock(D d, const T* HWY_RESTRICT v, std::size_t n, double pad, double* HWY_RESTRICT out,
                                 Ok ok, M& bad) {
    const std::size_t lanes = hn::Lanes(d);
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        V x;
        if constexpr (sizeof(T) == sizeof(double)) {
            x = hn::LoadU(d, v + i);
        } else {
            x = hn::PromoteTo(d, hn::LoadU(hn::Rebind<float, D>(), v + i));
        }
        bad = hn::Or(bad, hn::Not(ok(x)));
        hn::Store(x, d, out + i);
    }
    if (i < n) {
        HWY_ALIGN double tail[HWY_MAX_BYTES / sizeof(double)];
        for (std::size_t j = 0; j < lanes; ++j) tail[j] = i + j < n ? static_cast<double>(v[i + j]) : pad;
        const V x = hn::Load(d, tail);
        bad = hn::Or(bad, hn::Not(ok(x)));
        hn::Store(x, d, out + i);
        i += lanes;
    }
    return i;
}

// The other row's mass where this one has none (x = −inf, y > −inf), given the largest such y.
HWY_INLINE void AbsentMass(D d, const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, std::size_t n, double inv_t,
                           double top, log_block& out) {
    if (top == -INFINITY) return;
    const std::size_t lanes = hn::Lanes(d);
    const V neg_inf = hn::Set(d, -INFINITY), vtop = hn::Set(d, top), scale = hn::Set(d, inv_t);
    V sum = hn::Zero(d);
    for (std::size_t i = 0; i < n; i += lanes) {
        const V vy = hn::Load(d, y + i);
        const V w = hn::Exp(d, hn::Mul(hn::Sub(vy, vtop), scale));  // 0 where y = −inf
        sum = hn::Add(sum, hn::IfThenElseZero(hn::Eq(hn::Load(d, x + i), neg_inf), w));
    }
    out.absent_max = top * inv_t;
    out.absent_weight = Sum(d, sum);
}

// One side of a log-space block (see reference_side in block_reference.cpp): weights from x,
// differences d = (x − y)/T, shifted by s = d at the block's heaviest event. x and y are the rows as
// given (not yet divided by T), so that x − y is known exactly (a two-sum) and v = d − s takes a
// single rounding: v keeps its digits when the rows agree to many places, even under a constant
// offset between them. Two passes over the block in L1: the maximum (and s), then everything else.
HWY_INLINE void Side(D d, const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, std::size_t n, double inv_t,
                     bool divergence, log_block& out) {
    const std::size_t lanes = hn::Lanes(d);
    const V neg_inf = hn::Set(d, -INFINITY);
    V vmax = neg_inf, y_at_max = hn::Zero(d), absent = neg_inf;
    for (std::size_t i = 0; i < n; i += lanes) {
        const V vx = hn::Load(d, x + i), vy = hn::Load(d, y + i);
        const M above = hn::Gt(vx, vmax);
        vmax = hn::IfThenElse(above, vx, vmax);
        y_at_max = hn::IfThenElse(above, vy, y_at_max);
        absent = hn::IfThenElse(hn::Eq(vx, neg_inf), hn::Max(absent, vy), absent);
    }
    out = log_block{};
    if (divergence) AbsentMass(d, x, y, n, inv_t, hn::GetLane(hn::MaxOfLanes(d, absent)), out);
    const double top = hn::GetLane(hn::MaxOfLanes(d, vmax));
    if (top == -INFINITY) return;
    {
        HWY_ALIGN double maxima[HWY_MAX_BYTES / sizeof(double)], ys[HWY_MAX_BYTES / sizeof(double)];
        hn::Store(vmax, d, maxima);
        hn::Store(y_at_max, d, ys);
        for (std::size_t j = 0; j < lanes; ++j) {
            if (maxima[j] == top) {
                out.shift = (top - ys[j]) * inv_t;
                break;
            }
        }
    }
    // The heaviest event's q may be 0 (y = −inf): then the block is outside and s is unused.
    if (!std::isfinite(out.shift)) out.shift = 0.0;
    out.max = top * inv_t;
    const V m = hn::Set(d, top), s = hn::Set(d, out.shift), scale = hn::Set(d, inv_t), small = hn::Set(d, 0.1),
            minus_one = hn::Set(d, -1.0);
    const bool scaled = inv_t != 1.0;
    V weight = hn::Zero(d), below = weight, spread = weight, phi = weight, offset = weight;
    M outside = hn::FirstN(d, 0);
    for (std::size_t i = 0; i < n; i += lanes) {
        const V vx = hn::Load(d, x + i), vy = hn::Load(d, y + i);
        const M has_p = hn::Gt(vx, neg_inf);
        const V gap = hn::IfThenElseZero(has_p, hn::Mul(hn::Sub(m, vx), scale));  // (m − x)/T ≥ 0
        const V vw = hn::IfThenElseZero(has_p, hn::Exp(d, hn::Neg(gap)));
        weight = hn::Add(weight, vw);
        below = hn::Add(below, hn::IfThenElseZero(hn::Gt(gap, hn::Zero(d)), vw));
        spread = hn::MulAdd(vw, gap, spread);
        if (!divergence) continue;
        const M q_zero = hn::Eq(vy, neg_inf);
        outside = hn::Or(outside, hn::And(has_p, q_zero));
        const M valid = hn::AndNot(q_zero, has_p);
        // x − y = dh + dl exactly (two-sum); v = dh/T − s + dl/T with one rounding of dh/T − s.
        const V vx0 = hn::IfThenElseZero(valid, vx), vy0 = hn::IfThenElseZero(valid, vy);
        const V dh = hn::Sub(vx0, vy0), bv = hn::Sub(dh, vx0);
        const V dl = hn::Sub(hn::Sub(vx0, hn::Sub(dh, bv)), hn::Add(vy0, bv));
        const V v = hn::IfThenElseZero(
            valid, scaled ? hn::MulAdd(dl, scale, ExactMulSub(d, dh, scale, s)) : hn::Add(hn::Sub(dh, s), dl));
        const M near = hn::Le(hn::Abs(v), small);
        V term;
        if (hn::AllTrue(d, near)) {
            term = hn::Mul(vw, PhiSeries(d, v));
        } else {
            const V far = hn::Mul(vw, hn::Add(hn::Expm1(d, hn::Neg(v)), v));
            term = hn::IfThenElse(near, hn::Mul(vw, PhiSeries(d, v)), far);
            const M below = hn::Lt(v, minus_one);
            if (!hn::AllFalse(d, below)) {
                // exp((y − m)/T + s) − w + w·v: exp(−v) alone could overflow where w underflows.
                const V e = hn::Exp(d, hn::MulAdd(hn::Sub(vy, m), scale, s));
                term = hn::IfThenElse(below, hn::MulAdd(vw, v, hn::Sub(e, vw)), term);
            }
        }
        phi = hn::Add(phi, term);
        offset = hn::MulAdd(vw, v, offset);
    }
    out.weight = Sum(d, weight);
    out.below = Sum(d, below);
    out.spread = Sum(d, spread) / out.weight;
    if (!divergence) return;
    out.outside = !hn::AllFalse(d, outside);
    out.phi = Sum(d, phi) / out.weight;
    out.offset = Sum(d, offset) / out.weight;
    out.unstable = !out.outside && !std::isfinite(out.phi);
}

#if HWY_TARGET != HWY_SCALAR
using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
using DH = hn::Half<DF>;
using DD = hn::Repartition<double, DF>;
using VD = hn::Vec<DD>;

// One side of a log-space block of float rows, read in place: the weights and φ in single
// precision on full float vectors, the differences v = (x − y)/T − s and every sum in double.
// Single precision costs the weights and φ a relative 1e-7 each; both only reweight or scale
// non-negative terms, so the value keeps about 1e-6 relative accuracy (the twin is double).

// φ(v) for |v| ≤ 0.5 in single precision: terms to v^9; the first term left out, v^10/10!, is below
// 2.6e-9 of φ(v) (at v = 0.5, where φ = 0.1065 is smallest relative to it), under float rounding.
HWY_INLINE VF PhiSeriesF(DF df, VF v) {
    static constexpr float c[] = {1.0f / 2,   -1.0f / 6,    1.0f / 24,    -1.0f / 120,
                                  1.0f / 720, -1.0f / 5040, 1.0f / 40320, -1.0f / 362880};
    return hn::Mul(hn::Mul(v, v), Estrin(df, v, c));
}

// `bad` is set for a NaN or +inf in x or y; the next block of both rows (next_x, next_y, which may
// be null) is prefetched while this one is computed, so its memory traffic overlaps the arithmetic.
template <bool kDivergence, bool kSpread, bool kScaled>
HWY_NOINLINE void SideF32(const float* HWY_RESTRICT x, const float* HWY_RESTRICT y, std::size_t n, double inv_t,
                          const float* next_x, const float* next_y, bool& bad, log_block& out) {
    const DF df;
    const DH dh;
    const DD dd;
    const std::size_t lanes = hn::Lanes(df);
    const std::size_t full = n - n % lanes;
    // The tail, padded with −inf (no mass in either row).
    HWY_ALIGN float tail_x[HWY_MAX_BYTES / sizeof(float)], tail_y[HWY_MAX_BYTES / sizeof(float)];
    for (std::size_t j = 0; j < lanes; ++j) {
        tail_x[j] = full + j < n ? x[full + j] : -INFINITY;
        tail_y[j] = full + j < n ? y[full + j] : -INFINITY;
    }
    const auto load = [&](const float* row, const float* tail, std::size_t i) {
        return i < full ? hn::LoadU(df, row + i) : hn::Load(df, tail);
    };
    const std::size_t end = full + (full < n ? lanes : 0);
    const VF neg_inf = hn::Set(df, -INFINITY);
    VF vmax = neg_inf, y_at_max = hn::Zero(df);
    const VF inf = hn::Set(df, INFINITY);
    hn::Mask<DF> any_zero = hn::FirstN(df, 0);  // an event of probability 0 in x or y
    hn::Mask<DF> invalid = any_zero;            // NaN or +inf
    for (std::size_t i = 0; i < end; i += lanes) {
        const VF vx = load(x, tail_x, i), vy = load(y, tail_y, i);
        const hn::Mask<DF> above = hn::Gt(vx, vmax);
        vmax = hn::IfThenElse(above, vx, vmax);
        y_at_max = hn::IfThenElse(above, vy, y_at_max);
        any_zero = hn::Or(any_zero, hn::Or(hn::Eq(vx, neg_inf), hn::Eq(vy, neg_inf)));
        invalid = hn::Or(invalid, hn::Not(hn::And(hn::Lt(vx, inf), hn::Lt(vy, inf))));
    }
    if (!hn::AllFalse(df, invalid)) bad = true;
    out = log_block{};
    // Without −inf in the block (the usual case) every event has mass in both rows: no masks.
    const bool masked = !hn::AllFalse(df, any_zero);
    if (kDivergence && masked) {
        // The other row's mass where this one has none (x = −inf, y > −inf), in double.
        VF absent = neg_inf;
        for (std::size_t i = 0; i < end; i += lanes) {
            const VF vx = load(x, tail_x, i), vy = load(y, tail_y, i);
            absent = hn::IfThenElse(hn::Eq(vx, neg_inf), hn::Max(absent, vy), absent);
        }
        const float absent_top = hn::GetLane(hn::MaxOfLanes(df, absent));
        if (absent_top > -INFINITY) {
            const VF vtop = hn::Set(df, absent_top), scale = hn::Set(df, static_cast<float>(inv_t));
            VD sum = hn::Zero(dd);
            for (std::size_t i = 0; i < end; i += lanes) {
                const VF vx = load(x, tail_x, i), vy = load(y, tail_y, i);
                VF w = ExpNonPositive(df, hn::Mul(hn::Sub(vy, vtop), scale));
                w = hn::IfThenElseZero(hn::And(hn::Eq(vx, neg_inf), hn::Gt(vy, neg_inf)), w);
                sum = hn::Add(
                    sum, hn::Add(hn::PromoteTo(dd, hn::LowerHalf(dh, w)), hn::PromoteTo(dd, hn::UpperHalf(dh, w))));
            }
            out.absent_max = static_cast<double>(absent_top) * inv_t;
            out.absent_weight = hn::GetLane(hn::SumOfLanes(dd, sum));
        }
    }
    const float top = hn::GetLane(hn::MaxOfLanes(df, vmax));
    if (top == -INFINITY) return;
    {
        HWY_ALIGN float maxima[HWY_MAX_BYTES / sizeof(float)], ys[HWY_MAX_BYTES / sizeof(float)];
        hn::Store(vmax, df, maxima);
        hn::Store(y_at_max, df, ys);
        for (std::size_t j = 0; j < lanes; ++j) {
            if (maxima[j] == top) {
                out.shift = (static_cast<double>(top) - static_cast<double>(ys[j])) * inv_t;
                break;
            }
        }
    }
    if (!std::isfinite(out.shift)) out.shift = 0.0;  // the heaviest event is outside Q: unused
    out.max = static_cast<double>(top) * inv_t;
    const VF m = hn::Set(df, top), inv_tf = hn::Set(df, static_cast<float>(inv_t)), small = hn::Set(df, 0.5f),
             minus_one = hn::Set(df, -1.0f), sf = hn::Set(df, static_cast<float>(out.shift));
    const VD inv_td = hn::Set(dd, inv_t), s = hn::Set(dd, out.shift);
    const float shift_hi = static_cast<float>(out.shift);
    const VF s_hi = hn::Set(df, shift_hi), s_lo = hn::Set(df, static_cast<float>(out.shift - shift_hi));
    VD weight = hn::Zero(dd), below = weight, spread = weight, phi = weight, offset = weight;
    hn::Mask<DF> outside = hn::FirstN(df, 0);
    const auto add_halves = [&](VD acc, VF v) {
        return hn::Add(acc, hn::Add(hn::PromoteTo(dd, hn::LowerHalf(dh, v)), hn::PromoteTo(dd, hn::UpperHalf(dh, v))));
    };
    // Sums run in float over 16 vectors (16 terms per lane: at most 1e-6 relative, 2e-7 typically),
    // then join the double sums.
    constexpr std::size_t kChunk = 16;
    for (std::size_t first = 0; first < end; first += kChunk * lanes) {
        const std::size_t last = std::min(end, first + kChunk * lanes);
        VF weight_f = hn::Zero(df), below_f = weight_f, spread_f = weight_f, phi_f = weight_f, offset_f = weight_f;
        for (std::size_t i = first; i < last; i += lanes) {
            if (next_x != nullptr) {  // addresses past the row's end are harmless hints
                hwy::Prefetch(reinterpret_cast<const float*>(reinterpret_cast<std::uintptr_t>(next_x + i)));
                hwy::Prefetch(reinterpret_cast<const float*>(reinterpret_cast<std::uintptr_t>(next_y + i)));
            }
            const VF vx = load(x, tail_x, i), vy = load(y, tail_y, i);
            const hn::Mask<DF> has_p = hn::Gt(vx, neg_inf);
            VF gap = hn::Sub(m, vx);  // (m − x)/T ≥ 0
            if constexpr (kScaled) gap = hn::Mul(gap, inv_tf);
            if (masked) gap = hn::IfThenElseZero(has_p, gap);
            VF vw = ExpNonPositive(df, hn::Neg(gap));
            if (masked) vw = hn::IfThenElseZero(has_p, vw);
            weight_f = hn::Add(weight_f, vw);
            below_f = hn::Add(below_f, hn::IfThenElseZero(hn::Gt(gap, hn::Zero(df)), vw));
            if constexpr (kSpread) spread_f = hn::MulAdd(vw, gap, spread_f);
            if constexpr (!kDivergence) continue;
            VF x0 = vx, y0 = vy;
            hn::Mask<DF> valid = has_p;
            if (masked) {
                const hn::Mask<DF> q_zero = hn::Eq(vy, neg_inf);
                outside = hn::Or(outside, hn::And(has_p, q_zero));
                valid = hn::AndNot(q_zero, has_p);
                x0 = hn::IfThenElseZero(valid, vx);
                y0 = hn::IfThenElseZero(valid, vy);
            }
            // v = (x − y)/T − s to float precision, although x − y and s may agree to many digits.
            VF v;
            if constexpr (kScaled) {  // in double: exact differences, scaled, then rounded
                const auto v_of = [&](hn::Vec<DH> a, hn::Vec<DH> b) {
                    return hn::MulSub(hn::Sub(hn::PromoteTo(dd, a), hn::PromoteTo(dd, b)), inv_td, s);
                };
                const VD v_lo = v_of(hn::LowerHalf(dh, x0), hn::LowerHalf(dh, y0));
                const VD v_hi = v_of(hn::UpperHalf(dh, x0), hn::UpperHalf(dh, y0));
                v = hn::Combine(df, hn::DemoteTo(dh, v_hi), hn::DemoteTo(dh, v_lo));
            } else {
                // x − y = d + e exactly (Knuth's two-sum), s = s_hi + s_lo; then d − s_hi is exact
                // where it cancels (Sterbenz), so v = (d − s_hi) + (e − s_lo) keeps float precision.
                const VF d = hn::Sub(x0, y0);
                const VF bv = hn::Sub(d, x0);
                const VF e = hn::Sub(hn::Sub(x0, hn::Sub(d, bv)), hn::Add(y0, bv));
                v = hn::Add(hn::Sub(d, s_hi), hn::Sub(e, s_lo));
            }
            if (masked) v = hn::IfThenElseZero(valid, v);
            const hn::Mask<DF> near = hn::Le(hn::Abs(v), small);
            VF term;
            if (hn::AllTrue(df, near)) {
                term = hn::Mul(vw, PhiSeriesF(df, v));
            } else {
                const VF far = hn::Mul(vw, hn::Add(hn::Expm1(df, hn::Neg(v)), v));
                term = hn::IfThenElse(near, hn::Mul(vw, PhiSeriesF(df, v)), far);
                const hn::Mask<DF> below = hn::And(valid, hn::Lt(v, minus_one));
                if (!hn::AllFalse(df, below)) {
                    // exp((y − m)/T + s) − w + w·v: exp(−v) alone could overflow where w underflows.
                    VF e = hn::Sub(vy, m);
                    e = hn::Exp(df, kScaled ? hn::MulAdd(e, inv_tf, sf) : hn::Add(e, sf));
                    term = hn::IfThenElse(below, hn::MulAdd(vw, v, hn::Sub(e, vw)), term);
                }
            }
            phi_f = hn::Add(phi_f, term);
            offset_f = hn::MulAdd(vw, v, offset_f);
        }
        weight = add_halves(weight, weight_f);
        below = add_halves(below, below_f);
        if constexpr (kSpread) spread = add_halves(spread, spread_f);
        if constexpr (kDivergence) {
            phi = add_halves(phi, phi_f);
            offset = add_halves(offset, offset_f);
        }
    }
    out.weight = hn::GetLane(hn::SumOfLanes(dd, weight));
    out.below = hn::GetLane(hn::SumOfLanes(dd, below));
    out.spread = hn::GetLane(hn::SumOfLanes(dd, spread)) / out.weight;
    if constexpr (!kDivergence) return;
    out.outside = !hn::AllFalse(df, outside);
    out.phi = hn::GetLane(hn::SumOfLanes(dd, phi)) / out.weight;
    out.offset = hn::GetLane(hn::SumOfLanes(dd, offset)) / out.weight;
    out.unstable = !out.outside && !std::isfinite(out.phi);
}

// SideF32 with its switches set from run-time values.
HWY_INLINE void SideF32(const float* x, const float* y, std::size_t n, double inv_t, bool divergence, bool spread,
                        const float* next_x, const float* next_y, bool& bad, log_block& out) {
    const bool scaled = inv_t != 1.0;
    const auto call = [&](auto kd, auto ks) {
        if (scaled) {
            SideF32<decltype(kd)::value, decltype(ks)::value, true>(x, y, n, inv_t, next_x, next_y, bad, out);
        } else {
            SideF32<decltype(kd)::value, decltype(ks)::value, false>(x, y, n, inv_t, next_x, next_y, bad, out);
        }
    };
    using yes = std::true_type;
    using no = std::false_type;
    if (divergence) {
        spread ? call(yes{}, yes{}) : call(yes{}, no{});
    } else {
        spread ? call(no{}, yes{}) : call(no{}, no{});
    }
}
#endif

template <class T>
void LogBlocks(const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, const log_segment& s, log_block* p_out,
               log_block* q_out, bool& bad) {
    const D d;
    HWY_ALIGN double x[block_size], y[block_size];
    M bad_lanes = hn::FirstN(d, 0);
    const V inf = hn::Set(d, INFINITY);
    const auto ok = [&](V v) { return hn::Lt(v, inf); };  // NaN and +inf are bad
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
#if HWY_TARGET != HWY_SCALAR
        if constexpr (sizeof(T) == sizeof(float)) {
            // The P side (run even when not asked for) validates both rows and prefetches the next block.
            const bool more = k + 1 < s.last;
            log_block unused_block;
            SideF32(a + start, b + start, n, s.inv_temperature, s.p_side == side::divergence, s.entropy,
                    more ? a + start + block_size : nullptr, more ? b + start + block_size : nullptr, bad,
                    s.p_side != side::none ? p_out[k - s.first] : unused_block);
            if (s.q_side != side::none) {
                bool unused = false;
                SideF32(b + start, a + start, n, s.inv_temperature, s.q_side == side::divergence, s.entropy, nullptr,
                        nullptr, unused, q_out[k - s.first]);
            }
            continue;
        }
#endif
        const std::size_t padded = LoadBlock(d, a + start, n, -INFINITY, x, ok, bad_lanes);
        LoadBlock(d, b + start, n, -INFINITY, y, ok, bad_lanes);
        const double inv_t = s.inv_temperature;
        if (s.p_side != side::none) Side(d, x, y, padded, inv_t, s.p_side == side::divergence, p_out[k - s.first]);
        if (s.q_side != side::none) Side(d, y, x, padded, inv_t, s.q_side == side::divergence, q_out[k - s.first]);
    }
    if (!hn::AllFalse(d, bad_lanes)) bad = true;
}

template <class T>
void ProbBlocks(const T* HWY_RESTRICT p, const T* HWY_RESTRICT q, const prob_segment& s, prob_block* out, bool& bad) {
    const D d;
    const std::size_t lanes = hn::Lanes(d);
    M bad_lanes = hn::FirstN(d, 0);
    const V zero = hn::Zero(d), inf = hn::Set(d, INFINITY);
    for (std::size_t k = s.first; k < s.last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, s.cols - start);
        // The block is read in place; its tail from copies padded with 0 (no mass in either row).
        const std::size_t full = n - n % lanes, end = full + (full < n ? lanes : 0);
        HWY_ALIGN double tail_p[HWY_MAX_BYTES / sizeof(double)], tail_q[HWY_MAX_BYTES / sizeof(double)];
        for (std::size_t j = 0; j < lanes; ++j) {
            tail_p[j] = full + j < n ? static_cast<double>(p[start + full + j]) : 0.0;
            tail_q[j] = full + j < n ? static_cast<double>(q[start + full + j]) : 0.0;
        }
        const auto load = [&](const T* row, const double* tail, std::size_t i) {
            if (i >= full) return hn::Load(d, tail);
            if constexpr (sizeof(T) == sizeof(double)) {
                return hn::LoadU(d, row + start + i);
            } else {
                return hn::PromoteTo(d, hn::LoadU(hn::Rebind<float, D>(), row + start + i));
            }
        };
        prob_block& o = out[k - s.first];
        o = prob_block{};
        // Two-sums into two accumulators per row (even and odd vectors), so that consecutive
        // vectors do not wait on each other's chain of additions.
        V sp = zero, sq = zero, sp_low = zero, sq_low = zero, sp2 = zero, sq2 = zero, sp2_low = zero, sq2_low = zero;
        M any_zero = hn::FirstN(d, 0);        // an event with p = 0 or q = 0
        const auto check = [&](V vp, V vq) {  // negative, NaN or inf values are bad
            bad_lanes = hn::Or(bad_lanes, hn::Not(hn::And(hn::And(hn::Ge(vp, zero), hn::Lt(vp, inf)),
                                                          hn::And(hn::Ge(vq, zero), hn::Lt(vq, inf)))));
            any_zero = hn::Or(any_zero, hn::Or(hn::Eq(vp, zero), hn::Eq(vq, zero)));
        };
        std::size_t i = 0;
        for (; i + 2 * lanes <= end; i += 2 * lanes) {
            const V vp = load(p, tail_p, i), vq = load(q, tail_q, i);
            const V vp2 = load(p, tail_p, i + lanes), vq2 = load(q, tail_q, i + lanes);
            TwoSumAdd(vp, sp, sp_low);
            TwoSumAdd(vq, sq, sq_low);
            TwoSumAdd(vp2, sp2, sp2_low);
            TwoSumAdd(vq2, sq2, sq2_low);
            check(vp, vq);
            check(vp2, vq2);
        }
        if (i < end) {
            const V vp = load(p, tail_p, i), vq = load(q, tail_q, i);
            TwoSumAdd(vp, sp, sp_low);
            TwoSumAdd(vq, sq, sq_low);
            check(vp, vq);
        }
        o.sum_p = ExactSum(d, sp, sp_low, sp2, sp2_low);
        o.sum_q = ExactSum(d, sq, sq_low, sq2, sq2_low);
        if (!hn::AllFalse(d, bad_lanes)) break;
        const bool masked = !hn::AllFalse(d, any_zero);
        V hp = zero, hq = zero, fwd = zero, rev = zero, largest_delta = zero;
        M outside_p = hn::FirstN(d, 0), outside_q = outside_p;
        const bool more = k + 1 < s.last;
        const std::size_t next = start + block_size;
        const double_double ratio = divide(o.sum_q, o.sum_p);
        const V c = hn::Set(d, ratio.hi), c_low = hn::Set(d, ratio.lo), inv_sp = hn::Set(d, 1.0 / o.sum_p.hi),
                inv_sq = hn::Set(d, 1.0 / o.sum_q.hi), small = hn::Set(d, 0.1), one = hn::Set(d, 1.0),
                half = hn::Set(d, 0.5);
        // p·(−ln p̂) ≥ 0. Where p̂ > 1/2 (at most one event of the block), ln p̂ = ln(1 + (p − S)/S) with
        // p − S exact and S double-double: ln p̂ keeps its digits when p̂ is close to 1.
        const auto entropy_term = [&](V v, V inv, double_double sum, M has) {
            const V x = hn::Mul(v, inv);
            V l = hn::Log(d, x);
            const M large = hn::Gt(x, half);
            if (!hn::AllFalse(d, large)) {
                const V gap = hn::Sub(hn::Sub(v, hn::Set(d, sum.hi)), hn::Set(d, sum.lo));
                l = hn::IfThenElse(large, hn::Log1p(d, hn::Div(gap, hn::Set(d, sum.hi))), l);
            }
            return hn::IfThenElseZero(has, hn::Mul(v, hn::Max(zero, hn::Neg(l))));
        };
        for (std::size_t i = 0; i < end; i += lanes) {
            if (more) {  // the next block, while this one is computed; past the row's end is harmless
                hwy::Prefetch(reinterpret_cast<const T*>(reinterpret_cast<std::uintptr_t>(p + next + i)));
                hwy::Prefetch(reinterpret_cast<const T*>(reinterpret_cast<std::uintptr_t>(q + next + i)));
            }
            const V vp = load(p, tail_p, i), vq = load(q, tail_q, i);
            const M has_p = hn::Gt(vp, zero), has_q = hn::Gt(vq, zero);
            if (s.request.entropy) {
                hp = hn::Add(hp, entropy_term(vp, inv_sp, o.sum_p, has_p));
                hq = hn::Add(hq, entropy_term(vq, inv_sq, o.sum_q, has_q));
            }
            if (!s.request.phi && !s.request.reverse) continue;
            const M both = hn::And(has_p, has_q);
            V delta = hn::Div(hn::MulAdd(c_low, vp, ExactMulSub(d, c, vp, vq)), vq);
            if (masked) {  // only blocks with zeros need the masks
                outside_p = hn::Or(outside_p, hn::AndNot(has_q, has_p));
                outside_q = hn::Or(outside_q, hn::AndNot(has_p, has_q));
                delta = hn::IfThenElseZero(both, delta);
            }
            largest_delta = hn::Max(largest_delta, hn::Abs(delta));
            // ψ(δ) = δ − ln(1+δ), and f(δ) = (1+δ) ln(1+δ) − δ = δ² − (1+δ) ψ (which cancels at most
            // a factor 2 for |δ| ≤ 0.1); beyond, ln(1+δ) directly (1+δ loses eps, ≤ eps/|δ| relative).
            const M near = hn::Le(hn::Abs(delta), small);
            V f, g;
            if (hn::AllTrue(d, near)) {
                g = PsiSeries(d, delta);
                f = hn::NegMulAdd(hn::Add(one, delta), g, hn::Mul(delta, delta));
            } else {
                V l = hn::Log(d, hn::Add(one, delta));
                const M low = hn::Lt(delta, hn::Set(d, -0.5));
                if (!hn::AllFalse(d, low)) {
                    // ρ < 1/2: ln ρ from ρ = c p/q itself (1 + δ has lost ρ's digits when p ≪ q); a ρ
                    // too small for a normal double goes to the scalar twin.
                    const V rho = hn::Div(hn::Mul(c, vp), vq);
                    l = hn::IfThenElse(low, hn::Log(d, rho), l);
                    if (!hn::AllFalse(d, hn::And(low, hn::Lt(rho, hn::Set(d, 1e-300))))) o.unstable = true;
                }
                const V g_near = PsiSeries(d, delta);
                g = hn::IfThenElse(near, g_near, hn::Sub(delta, l));
                f = hn::IfThenElse(near, hn::NegMulAdd(hn::Add(one, delta), g_near, hn::Mul(delta, delta)),
                                   hn::MulAdd(delta, l, hn::Sub(l, delta)));
                // Far above 1 (q tiny against p) δ loses range: leave such blocks to the scalar twin.
                if (!hn::AllFalse(d, hn::Gt(delta, hn::Set(d, 1e300)))) o.unstable = true;
            }
            // Where P has no mass, q̂ f(−1) = q̂; where Q has none, D(Q‖P) gets p̂ = c p/S^Q.
            fwd = masked ? hn::Add(fwd, hn::IfThenElse(both, hn::Mul(vq, f), hn::IfThenElseZero(has_q, vq)))
                         : hn::MulAdd(vq, f, fwd);
            rev = masked ? hn::Add(rev, hn::IfThenElse(both, hn::Mul(vq, g), hn::IfThenElseZero(has_p, hn::Mul(c, vp))))
                         : hn::MulAdd(vq, g, rev);
        }
        o.kl = Sum(d, fwd) / o.sum_q.hi;
        o.reverse_kl = Sum(d, rev) / o.sum_q.hi;
        o.entropy_p = o.sum_p.hi > 0.0 ? Sum(d, hp) / o.sum_p.hi : 0.0;
        o.entropy_q = o.sum_q.hi > 0.0 ? Sum(d, hq) / o.sum_q.hi : 0.0;
        o.outside_p = !hn::AllFalse(d, outside_p);
        o.outside_q = !hn::AllFalse(d, outside_q);
        // δ from c = S^Q/S^P carries c's error beyond its two doubles (about 1e-32): where S^Q/S^P is
        // no double-double and every |δ| of the block is below that scale's reach, the block may be
        // exactly proportional (counts a·n_i against b·n_i), whose divergence is exactly 0. The
        // scalar twin forms δ from exact cross products (pair_scale::excess) for such blocks.
        // (Only where the terms were asked for: without them largest_delta stays 0 and nothing is unstable.)
        if ((s.request.phi || s.request.reverse) && ratio.lo != 0.0 &&
            hn::GetLane(hn::MaxOfLanes(d, largest_delta)) <= 0x1p-90) {
            o.unstable = true;
        }
        if (o.sum_p.hi == 0.0 || o.sum_q.hi == 0.0) o.kl = o.reverse_kl = 0.0;
        o.unstable = o.unstable || !std::isfinite(o.kl) || !std::isfinite(o.reverse_kl);
        if (o.unstable) reference_prob_blocks(p, q, prob_segment{s.cols, k, k + 1, s.request}, &o, bad);
    }
    if (!hn::AllFalse(d, bad_lanes)) bad = true;
}

// 16-bit rows: n values widened exactly to float. Halves convert in vectors only on x86 targets with
// F16C (AVX2 and later): Highway 1.0.3's emulation on the others turns ±∞ and NaN into finite
// values, so there kldiv::float16's own conversion runs. bfloat16 widens by a shift everywhere.
template <class H>
HWY_INLINE void Widen(const H* HWY_RESTRICT v, std::size_t n, float* HWY_RESTRICT out) {
    std::size_t i = 0;
#if HWY_TARGET != HWY_SCALAR
    constexpr bool half = std::is_same_v<H, float16>;
    constexpr bool vectors = !half || (HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2);
    if constexpr (vectors) {
        using Lane = std::conditional_t<half, hwy::float16_t, hwy::bfloat16_t>;
        const DF df;
        const hn::Rebind<Lane, DF> d16;
        const std::size_t lanes = hn::Lanes(df);
        for (; i + lanes <= n; i += lanes) {
            hn::Store(hn::PromoteTo(df, hn::LoadU(d16, reinterpret_cast<const Lane*>(v + i))), df, out + i);
        }
    }
#endif
    for (; i < n; ++i) out[i] = static_cast<float>(v[i]);
}

// 16-bit rows block by block: widened into float buffers, then measured as float rows.
template <class H, class Measure>
void HalfBlocks(const H* HWY_RESTRICT a, const H* HWY_RESTRICT b, std::size_t cols, std::size_t first, std::size_t last,
                Measure&& measure) {
    HWY_ALIGN float x[block_size], y[block_size];
    for (std::size_t k = first; k < last; ++k) {
        const std::size_t start = k * block_size, n = std::min(block_size, cols - start);
        Widen(a + start, n, x);
        Widen(b + start, n, y);
        measure(x, y, n, k - first);
    }
}

template <class H>
void HalfLogBlocks(const H* a, const H* b, const log_segment& s, log_block* p_out, log_block* q_out, bool& bad) {
    HalfBlocks(a, b, s.cols, s.first, s.last, [&](const float* x, const float* y, std::size_t n, std::size_t k) {
        log_segment one = s;
        one.cols = n;
        one.first = 0;
        one.last = 1;
        LogBlocks(x, y, one, p_out + k, q_out + k, bad);
    });
}

// The divergence-family sum of one kind of term (divergence_terms.hpp) over a probability row pair
// as given, with its exact sums: the terms of the scalar twin (reference_family_sum) lane by lane,
// summed plainly in each block of block_size events and the blocks' sums compensated in order.
// False where a pair of positive values has a ratio the lanes cannot hold (δ not finite): the caller
// sums the scalar terms instead.
template <class T>
bool FamilySum(const T* HWY_RESTRICT p, const T* HWY_RESTRICT q, std::size_t n, double_double sp, double_double sq,
               term_kind kind, double& out) {
    const D d;
    const std::size_t lanes = hn::Lanes(d);
    const double_double ratio = divide(sq, sp);
    const V c = hn::Set(d, ratio.hi), c_low = hn::Set(d, ratio.lo), inv_sp = hn::Set(d, 1.0 / sp.hi),
            inv_sq = hn::Set(d, 1.0 / sq.hi), zero = hn::Zero(d), one = hn::Set(d, 1.0), half = hn::Set(d, 0.5),
            two = hn::Set(d, 2.0), inf = hn::Set(d, INFINITY);
    const auto load = [&](const T* v, std::size_t i) {
        if constexpr (std::is_same_v<T, double>) {
            return hn::LoadU(d, v + i);
        } else {
            return hn::PromoteTo(d, hn::LoadU(hn::Rebind<float, D>(), v + i));
        }
    };
    compensated_sum blocks;
    bool infinite = false, unstable = false;
    V largest = zero;  // max |δ| where both are positive
    double largest_tail = 0.0;
    for (std::size_t start = 0; start < n; start += block_size) {
        const std::size_t end = std::min(n, start + block_size);
        V acc = zero;
        std::size_t i = start;
        for (; i + lanes <= end; i += lanes) {
            const V vp = load(p, i), vq = load(q, i);
            const V ph = hn::Mul(vp, inv_sp), qh = hn::Mul(vq, inv_sq);
            const M has_p = hn::Gt(vp, zero), has_q = hn::Gt(vq, zero), both = hn::And(has_p, has_q);
            const V delta = hn::Div(hn::MulAdd(c_low, vp, ExactMulSub(d, c, vp, vq)), vq);
            if (!hn::AllFalse(d, hn::AndNot(hn::Lt(hn::Abs(delta), inf), both))) unstable = true;
            largest = hn::Max(largest, hn::IfThenElseZero(both, hn::Abs(delta)));
            const M near = hn::And(both, hn::Le(delta, one));
            V term;
            switch (kind) {
                case term_kind::pearson: {
                    if (!hn::AllFalse(d, hn::AndNot(has_q, has_p))) infinite = true;
                    const V r = hn::Div(hn::Sub(ph, qh), hn::Sqrt(hn::IfThenElse(has_q, qh, one)));
                    term = hn::IfThenElse(near, hn::Mul(hn::Mul(qh, delta), delta),
                                          hn::IfThenElse(has_p, hn::Mul(r, r), qh));
                    break;
                }
                case term_kind::squared_hellinger: {
                    const V r = hn::Div(delta, hn::Add(hn::Sqrt(hn::Add(one, hn::IfThenElseZero(near, delta))), one));
                    const V x = hn::Sub(hn::Sqrt(ph), hn::Sqrt(qh));
                    term = hn::IfThenElse(
                        near, hn::Mul(hn::Mul(half, qh), hn::Mul(r, r)),
                        hn::IfThenElse(both, hn::Mul(half, hn::Mul(x, x)), hn::Mul(half, hn::Add(ph, qh))));
                    break;
                }
                case term_kind::total_variation:
                    term = hn::IfThenElse(near, hn::Mul(hn::Mul(half, qh), hn::Abs(delta)),
                                          hn::Mul(half, hn::Abs(hn::Sub(ph, qh))));
                    break;
                case term_kind::triangular: {
                    const V x = hn::Sub(ph, qh);
                    const V sum = hn::Add(ph, qh);
                    const V far = hn::Mul(x, hn::Div(x, hn::IfThenElse(hn::Gt(sum, zero), sum, one)));
                    term = hn::IfThenElse(
                        near,
                        hn::Mul(hn::Mul(qh, delta), hn::Div(delta, hn::Add(two, hn::IfThenElseZero(near, delta)))),
                        hn::IfThenElse(both, far, sum));
                    break;
                }
                case term_kind::bhattacharyya_coefficient:
                case term_kind::neyman:  // the caller swaps P and Q and asks for pearson
                    term = hn::Mul(hn::Sqrt(ph), hn::Sqrt(qh));
                    break;
            }
            acc = hn::Add(acc, term);
        }
        double block = Sum(d, acc);
        for (; i < end; ++i) {  // the tail: the scalar twin's terms
            const double pv = static_cast<double>(p[i]), qv = static_cast<double>(q[i]);
            const double t = family_term(pv, qv, ratio, 1.0 / sp.hi, 1.0 / sq.hi, kind);
            if (pv > 0.0 && qv > 0.0)
                largest_tail = std::max(largest_tail, std::fabs((std::fma(ratio.hi, pv, -qv) + ratio.lo * pv) / qv));
            if (std::isinf(t)) {
                infinite = true;
            } else if (std::isnan(t)) {
                unstable = true;
            } else {
                block += t;
            }
        }
        blocks.add(block);
    }
    // δ from c = Sq/Sp carries c's error beyond its two doubles (about 1e-32): rows whose every |δ|
    // is below that scale may be exactly proportional (divergence exactly 0), which only the exact
    // cross products of the scalar terms tell (as ProbBlocks does).
    const double largest_delta = std::max(hn::GetLane(hn::MaxOfLanes(d, largest)), largest_tail);
    if (unstable || (ratio.lo != 0.0 && largest_delta <= 0x1p-90)) return false;
    out = infinite ? INFINITY : blocks.value();
    return true;
}

template <class H>
void HalfProbBlocks(const H* p, const H* q, const prob_segment& s, prob_block* out, bool& bad) {
    HalfBlocks(p, q, s.cols, s.first, s.last, [&](const float* x, const float* y, std::size_t n, std::size_t k) {
        ProbBlocks(x, y, prob_segment{n, 0, 1, s.request}, out + k, bad);
    });
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::detail
HWY_AFTER_NAMESPACE();

#endif  // KLDIV_BLOCK_KERNELS_INL_H_
