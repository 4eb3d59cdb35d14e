#include "kldiv/discrete.hpp"

#include "src/core/kernels.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

using detail::double_double;
using detail::support_rule;

template <class T>
double entropy_of(std::span<const T> p, const options& opts) {
    return detail::with_one("entropy", p, opts, [&](auto pv, double_double sp) {
        return opts.base.from_nats(detail::entropy_nats(pv, sp));
    });
}

template <class T>
double cross_entropy_of(std::span<const T> p, std::span<const T> q, const options& opts) {
    return detail::with_pair("cross_entropy", p, q, opts, support_rule::p_within_q,
                             [&](auto pv, double_double sp, auto qv, double_double sq) {
                                 return opts.base.from_nats(detail::cross_entropy_nats(pv, sp, qv, sq));
                             });
}

template <class T>
double kl_divergence_of(std::span<const T> p, std::span<const T> q, const options& opts) {
    return detail::with_pair("kl_divergence", p, q, opts, support_rule::p_within_q,
                             [&](auto pv, double_double sp, auto qv, double_double sq) {
                                 return opts.base.from_nats(detail::kl_nats(pv, sp, qv, sq));
                             });
}

template <class T>
double jeffreys_of(std::span<const T> p, std::span<const T> q, const options& opts) {
    return detail::with_pair(
        "jeffreys", p, q, opts, support_rule::both, [&](auto pv, double_double sp, auto qv, double_double sq) {
            return opts.base.from_nats(detail::kl_nats(pv, sp, qv, sq) + detail::kl_nats(qv, sq, pv, sp));
        });
}

template <class T>
double js_divergence_of(std::span<const T> p, std::span<const T> q, const options& opts) {
    detail::check_beta("js_divergence", opts.beta);
    return detail::with_pair("js_divergence", p, q, opts, support_rule::none,
                             [&](auto pv, double_double sp, auto qv, double_double sq) {
                                 return opts.base.from_nats(detail::js_nats(pv, sp, qv, sq, opts.beta));
                             });
}

}  // namespace

double entropy(std::span<const double> p, const options& opts) { return entropy_of(p, opts); }
double entropy(std::span<const float> p, const options& opts) { return entropy_of(p, opts); }

double cross_entropy(std::span<const double> p, std::span<const double> q, const options& opts) {
    return cross_entropy_of(p, q, opts);
}
double cross_entropy(std::span<const float> p, std::span<const float> q, const options& opts) {
    return cross_entropy_of(p, q, opts);
}

double kl_divergence(std::span<const double> p, std::span<const double> q, const options& opts) {
    return kl_divergence_of(p, q, opts);
}
double kl_divergence(std::span<const float> p, std::span<const float> q, const options& opts) {
    return kl_divergence_of(p, q, opts);
}

double jeffreys(std::span<const double> p, std::span<const double> q, const options& opts) {
    return jeffreys_of(p, q, opts);
}
double jeffreys(std::span<const float> p, std::span<const float> q, const options& opts) {
    return jeffreys_of(p, q, opts);
}

double js_divergence(std::span<const double> p, std::span<const double> q, const options& opts) {
    return js_divergence_of(p, q, opts);
}
double js_divergence(std::span<const float> p, std::span<const float> q, const options& opts) {
    return js_divergence_of(p, q, opts);
}

}  // namespace kldiv
