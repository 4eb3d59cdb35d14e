// Per-target body of the diagonal-Gaussian row kernel, compiled for every SIMD target by
// normal_rows_kernels.cpp. Double lanes (float inputs are widened on load, gradients narrowed on
// store). With t = lvp − lvq (= −u) and d = μp − μq, per coordinate:
//   e^t by Highway's Exp (1 ulp); φ = t²·Σ c_k (−t)^k (Estrin) for |t| ≤ 0.75, else (e^t − 1) − t;
//   e^t − 1 = φ + t, resp. e^t − 1; m = (d·h)², h = e^(−lvq/2) (Exp, 1 ulp), g = (d·h)·h.
// A term is within about 2e-15 relative of the scalar twin's (normal_rows_reference.cpp). Vectors
// with a lane outside Exp's range (t > 700, |lvq| > 1400, or an overflowed d) take the scalar
// path (normal_rows_kernels.hpp) lane by lane. Each lane sums its terms compensated (Neumaier);
// the lanes are combined in lane order.

#if defined(KLDIV_NORMAL_ROWS_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_NORMAL_ROWS_KERNELS_INL_H_
#undef KLDIV_NORMAL_ROWS_KERNELS_INL_H_
#else
#define KLDIV_NORMAL_ROWS_KERNELS_INL_H_
#endif

#include <algorithm>
#include <cfloat>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "src/common/exact_sum.hpp"
#include "src/common/exp-inl.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::distributions::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One row: Step() takes the coordinates [i, i + count), Total() gives the row's D in nats.
// kStandard: Q is N(0, I) (mean_q and log_var_q are not read).
template <bool kStandard, class T>
class RowKernel {
    using D = hn::ScalableTag<double>;
    using V = hn::Vec<D>;
    static constexpr std::size_t max_lanes = HWY_MAX_BYTES / sizeof(double);

public:
    explicit RowKernel(const normal_row<T>& r)
        : r_(r), scale_(hn::Set(d_, r.scale)), half_scale_(hn::Set(d_, 0.5 * r.scale)),
          gradients_(r.grad_mean_p || r.grad_log_var_p || r.grad_mean_q || r.grad_log_var_q) {}

    std::size_t Lanes() const { return hn::Lanes(d_); }

    // Inputs from `in` (the row at i, or padded copies at the tail), gradients to the row at i.
    HWY_INLINE void Step(std::size_t i, std::size_t count, const T* const (&in)[4]) {
        const V mp = Load(in[0]), lvp = Load(in[1]);
        V t = lvp, dm = mp, lvq = hn::Zero(d_);
        auto fast = hn::Le(t, hn::Set(d_, 700.0));  // Exp's range ends at 706
        if constexpr (!kStandard) {
            lvq = Load(in[3]);
            t = hn::Sub(lvp, lvq);
            dm = hn::Sub(mp, Load(in[2]));
            fast =
                hn::And(hn::Le(t, hn::Set(d_, 700.0)), hn::And(hn::Le(hn::Abs(lvq), hn::Set(d_, mean_part_lvq_limit)),
                                                               hn::Le(hn::Abs(dm), hn::Set(d_, DBL_MAX))));
        }
        if (HWY_UNLIKELY(!hn::AllTrue(d_, fast))) {  // lane by lane, in scalar form
            HWY_ALIGN double terms[max_lanes];
            for (std::size_t k = 0; k < Lanes(); ++k) terms[k] = k < count ? coordinate(r_, i + k) : 0.0;
            Add(hn::Load(d_, terms));
            return;
        }
        const V e_minus_1 = hn::Sub(hn::Exp(d_, t), hn::Set(d_, 1.0)), u = hn::Neg(t);
        const V series =
            hn::Mul(hn::Mul(u, u), kldiv::detail::HWY_NAMESPACE::Estrin(d_, u, kldiv::detail::phi_series.c));
        const auto small = hn::Le(hn::Abs(t), hn::Set(d_, kldiv::detail::phi_series_limit));
        const V phi = hn::IfThenElse(small, series, hn::Sub(e_minus_1, t));
        V m = hn::Mul(dm, dm), g = dm;
        if constexpr (!kStandard) {
            const V h = hn::Exp(d_, hn::Mul(hn::Set(d_, -0.5), lvq)), dh = hn::Mul(dm, h);
            m = hn::Mul(dh, dh);
            g = hn::Mul(dh, h);
        }
        Add(hn::Add(phi, m));
        if (!gradients_) return;
        const V expm1_t = hn::IfThenElse(small, hn::Add(series, t), e_minus_1);
        const V gmp = hn::Mul(scale_, g);
        Store(gmp, r_.grad_mean_p, i, count);
        Store(hn::Mul(half_scale_, expm1_t), r_.grad_log_var_p, i, count);
        if constexpr (!kStandard) {
            Store(hn::Neg(gmp), r_.grad_mean_q, i, count);
            Store(hn::Neg(hn::Mul(half_scale_, hn::Add(expm1_t, m))), r_.grad_log_var_q, i, count);
        }
    }

    double Total() const {
        if (!hn::AllFalse(d_, infinite_)) return HUGE_VAL;
        HWY_ALIGN double sums[max_lanes], compensations[max_lanes];
        hn::Store(sum_, d_, sums);
        hn::Store(compensation_, d_, compensations);
        kldiv::detail::compensated_sum total;
        for (std::size_t k = 0; k < Lanes(); ++k) {
            total.add(sums[k]);
            total.add(compensations[k]);
        }
        return 0.5 * total.value();
    }

private:
    HWY_INLINE V Load(const T* p) const {
        if constexpr (sizeof(T) == sizeof(double)) {
            return hn::LoadU(d_, p);
        } else {
            return hn::PromoteTo(d_, hn::LoadU(hn::Rebind<T, D>(), p));
        }
    }

    // Lanes [0, count) of v to out + i, when a gradient is wanted.
    HWY_INLINE void Store(V v, T* out, std::size_t i, std::size_t count) const {
        if (out == nullptr) return;
        const hn::Rebind<T, D> dt;
        HWY_ALIGN T lanes[max_lanes];
        T* to = count == Lanes() ? out + i : lanes;
        if constexpr (sizeof(T) == sizeof(double)) {
            hn::StoreU(v, d_, to);
        } else {
            hn::StoreU(hn::DemoteTo(dt, v), dt, to);
        }
        if (to == lanes) std::copy_n(lanes, count, out + i);
    }

    // Neumaier's step, per lane; the terms are ≥ 0, so comparing without absolute values suffices.
    HWY_INLINE void Add(V x) {
        const V total = hn::Add(sum_, x);
        compensation_ = hn::Add(compensation_, hn::IfThenElse(hn::Ge(sum_, x), hn::Add(hn::Sub(sum_, total), x),
                                                              hn::Add(hn::Sub(x, total), sum_)));
        sum_ = total;
        infinite_ = hn::Or(infinite_, hn::Eq(x, hn::Set(d_, HUGE_VAL)));
    }

    D d_;
    const normal_row<T>& r_;
    V scale_, half_scale_;
    bool gradients_;
    V sum_ = hn::Zero(d_), compensation_ = hn::Zero(d_);
    hn::Mask<D> infinite_ = hn::Lt(hn::Zero(d_), hn::Zero(d_));
};

template <bool kStandard, class T>
double RowKL(const normal_row<T>& r) {
    RowKernel<kStandard, T> kernel(r);
    const std::size_t lanes = kernel.Lanes(), n = r.cols, full = n - n % lanes;
    const T* const rows[4] = {r.mean_p, r.log_var_p, r.mean_q, r.log_var_q};
    for (std::size_t i = 0; i < full; i += lanes) {
        const T* const in[4] = {rows[0] + i, rows[1] + i, kStandard ? nullptr : rows[2] + i,
                                kStandard ? nullptr : rows[3] + i};
        kernel.Step(i, lanes, in);
    }
    if (full < n) {  // the tail, padded with μ = lv = 0 (a zero term)
        HWY_ALIGN T padded[4][HWY_MAX_BYTES / sizeof(double)] = {};
        for (std::size_t a = 0; a < (kStandard ? 2 : 4); ++a) std::copy_n(rows[a] + full, n - full, padded[a]);
        kernel.Step(full, n - full, {padded[0], padded[1], padded[2], padded[3]});
    }
    return kernel.Total();
}

template <class T>
double NormalRowKL(const normal_row<T>& r) {
    return r.mean_q ? RowKL<false>(r) : RowKL<true>(r);
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::distributions::detail
HWY_AFTER_NAMESPACE();

#endif  // include guard
