#pragma once
// Every measure of a validated pair (compare(), explain()): the values and their sums from
// with_pair, in the unit of opts.base.

#include "kldiv/comparison.hpp"
#include "src/core/kernels.hpp"

namespace kldiv::detail {

template <class P, class Q>
comparison comparison_measures(P pv, double_double sp, Q qv, double_double sq, const options& opts) {
    const auto unit = [&](double nats) { return opts.base.from_nats(nats); };
    const double kl_pq = kl_nats(pv, sp, qv, sq);
    const double kl_qp = kl_nats(qv, sq, pv, sp);
    return comparison{
        .entropy_p = unit(entropy_nats(pv, sp)),
        .entropy_q = unit(entropy_nats(qv, sq)),
        .cross_entropy_pq = unit(cross_entropy_nats(pv, sp, qv, sq)),
        .cross_entropy_qp = unit(cross_entropy_nats(qv, sq, pv, sp)),
        .kl_pq = unit(kl_pq),
        .kl_qp = unit(kl_qp),
        .jeffreys = unit(kl_pq + kl_qp),
        .js = unit(js_nats(pv, sp, qv, sq, opts.beta)),
        .beta = opts.beta,
    };
}

}  // namespace kldiv::detail
