#include "kldiv/comparison.hpp"

#include "src/core/kernels.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

template <class T>
comparison compare_of(std::span<const T> p, std::span<const T> q, const options& opts) {
    detail::check_beta("compare", opts.beta);
    return detail::with_pair("compare", p, q, opts, detail::support_rule::both,
                             [&](auto pv, detail::double_double sp, auto qv, detail::double_double sq) {
                                 const auto unit = [&](double nats) { return opts.base.from_nats(nats); };
                                 const double kl_pq = detail::kl_nats(pv, sp, qv, sq);
                                 const double kl_qp = detail::kl_nats(qv, sq, pv, sp);
                                 return comparison{
                                     .entropy_p = unit(detail::entropy_nats(pv, sp)),
                                     .entropy_q = unit(detail::entropy_nats(qv, sq)),
                                     .cross_entropy_pq = unit(detail::cross_entropy_nats(pv, sp, qv, sq)),
                                     .cross_entropy_qp = unit(detail::cross_entropy_nats(qv, sq, pv, sp)),
                                     .kl_pq = unit(kl_pq),
                                     .kl_qp = unit(kl_qp),
                                     .jeffreys = unit(kl_pq + kl_qp),
                                     .js = unit(detail::js_nats(pv, sp, qv, sq, opts.beta)),
                                     .beta = opts.beta,
                                 };
                             });
}

}  // namespace

comparison compare(std::span<const double> p, std::span<const double> q, const options& opts) {
    return compare_of(p, q, opts);
}
comparison compare(std::span<const float> p, std::span<const float> q, const options& opts) {
    return compare_of(p, q, opts);
}

}  // namespace kldiv
