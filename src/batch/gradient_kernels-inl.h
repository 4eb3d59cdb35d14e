// Per-target body of the gradient kernel, compiled for every SIMD target by gradient_kernels.cpp.
// With ls = log P_s and lt = log P_t (double):
//   forward_kl  ∂/∂student = (P_s − P_t),            ∂/∂teacher = P_t (lt − ls − D)
//   reverse_kl  ∂/∂student = P_s (ls − lt − D),      ∂/∂teacher = (P_t − P_s)
//   js          ∂/∂student = (1−β) P_s (ls − lm − D_s), ∂/∂teacher = β P_t (lt − lm − D_t)
// each times row.scale (the 1/T of the chain rule, T², the unit and the reduction weight).

#if defined(KLDIV_GRADIENT_KERNELS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef KLDIV_GRADIENT_KERNELS_INL_H_
#undef KLDIV_GRADIENT_KERNELS_INL_H_
#else
#define KLDIV_GRADIENT_KERNELS_INL_H_
#endif

#include <cmath>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace kldiv::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class T>
void RowGradients(const T* HWY_RESTRICT student, const T* HWY_RESTRICT teacher, const gradient_row& row,
                  T* HWY_RESTRICT grad_student, T* HWY_RESTRICT grad_teacher) {
    const hn::ScalableTag<double> d;
    using V = hn::Vec<decltype(d)>;
    const hn::Rebind<T, decltype(d)> dt;
    const std::size_t lanes = hn::Lanes(d);
    const V inv_t = hn::Set(d, row.inv_temperature), ns = hn::Set(d, row.log_norm_student),
            nt = hn::Set(d, row.log_norm_teacher), zero = hn::Zero(d);
    const V beta = hn::Set(d, row.beta), alpha = hn::Set(d, 1.0 - row.beta);
    const auto load = [&](const T* p) {
        if constexpr (sizeof(T) == sizeof(double)) {
            return hn::LoadU(d, p);
        } else {
            return hn::PromoteTo(d, hn::LoadU(dt, p));
        }
    };
    const auto store = [&](V v, T* p) {
        if constexpr (sizeof(T) == sizeof(double)) {
            hn::StoreU(v, d, p);
        } else {
            hn::StoreU(hn::DemoteTo(dt, v), dt, p);
        }
    };
    // Log-probabilities and probabilities of events [i, i + lanes), from a padded copy at the tail.
    struct lanes_t {
        V ls, lt, ps, pt;
    };
    HWY_ALIGN T tail_s[HWY_MAX_BYTES / sizeof(double)], tail_t[HWY_MAX_BYTES / sizeof(double)];
    const auto at = [&](std::size_t i, bool tail) {
        const V xs = load(tail ? tail_s : student + i), xt = load(tail ? tail_t : teacher + i);
        lanes_t e;
        e.ls = hn::Sub(hn::Mul(xs, inv_t), ns);
        e.lt = hn::Sub(hn::Mul(xt, inv_t), nt);
        e.ps = hn::Exp(d, e.ls);  // 0 for −inf
        e.pt = hn::Exp(d, e.lt);
        return e;
    };
    // ln M for js: β P_t + (1 − β) P_s (−inf where both are 0; those lanes are masked).
    const auto log_mix = [&](const lanes_t& e) { return hn::Log(d, hn::MulAdd(beta, e.pt, hn::Mul(alpha, e.ps))); };
    // p·(a − b − c), 0 where p = 0 (a or b may be −inf there).
    const auto weighted = [&](V p, V a, V b, V c) {
        return hn::IfThenElseZero(hn::Gt(p, zero), hn::Mul(p, hn::Sub(hn::Sub(a, b), c)));
    };
    const std::size_t n = row.cols, full = n - n % lanes;
    const std::size_t rest = n - full;
    if (rest != 0) {
        for (std::size_t j = 0; j < lanes; ++j) {
            tail_s[j] = j < rest ? student[full + j] : T(-INFINITY);
            tail_t[j] = j < rest ? teacher[full + j] : T(-INFINITY);
        }
    }
    double d_student = row.value, d_teacher = row.value;
    if (row.kind == divergence_kind::js) {  // D(P_s‖M) and D(P_t‖M) first
        V ds = zero, dt_ = zero;
        for (std::size_t i = 0; i < n; i += lanes) {
            const lanes_t e = at(i, i >= full);
            const V lm = log_mix(e);
            ds = hn::Add(ds, weighted(e.ps, e.ls, lm, zero));
            dt_ = hn::Add(dt_, weighted(e.pt, e.lt, lm, zero));
        }
        d_student = hn::GetLane(hn::SumOfLanes(d, ds));
        d_teacher = hn::GetLane(hn::SumOfLanes(d, dt_));
    }
    const V c = hn::Set(d, row.scale), vds = hn::Set(d, d_student), vdt = hn::Set(d, d_teacher);
    HWY_ALIGN T out_s[HWY_MAX_BYTES / sizeof(double)], out_t[HWY_MAX_BYTES / sizeof(double)];
    for (std::size_t i = 0; i < n; i += lanes) {
        const bool tail = i >= full;
        const lanes_t e = at(i, tail);
        V gs, gt;
        switch (row.kind) {
            case divergence_kind::forward_kl:
                gs = hn::Sub(e.ps, e.pt);
                gt = weighted(e.pt, e.lt, e.ls, vdt);
                break;
            case divergence_kind::reverse_kl:
                gs = weighted(e.ps, e.ls, e.lt, vds);
                gt = hn::Sub(e.pt, e.ps);
                break;
            case divergence_kind::js: {
                const V lm = log_mix(e);
                gs = hn::Mul(alpha, weighted(e.ps, e.ls, lm, vds));
                gt = hn::Mul(beta, weighted(e.pt, e.lt, lm, vdt));
                break;
            }
        }
        gs = hn::Mul(c, gs);
        gt = hn::Mul(c, gt);
        if (!tail) {
            if (grad_student) store(gs, grad_student + i);
            if (grad_teacher) store(gt, grad_teacher + i);
            continue;
        }
        store(gs, out_s);
        store(gt, out_t);
        for (std::size_t j = 0; j < rest; ++j) {
            if (grad_student) grad_student[i + j] = out_s[j];
            if (grad_teacher) grad_teacher[i + j] = out_t[j];
        }
    }
}

}  // namespace HWY_NAMESPACE
}  // namespace kldiv::detail
HWY_AFTER_NAMESPACE();

#endif  // KLDIV_GRADIENT_KERNELS_INL_H_
