#include "kldiv/comparison.hpp"

#include "src/core/comparison_measures.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

template <class T>
comparison compare_of(std::span<const T> p, std::span<const T> q, const options& opts) {
    detail::check_beta("compare", opts.beta);
    return detail::with_pair("compare", p, q, opts, detail::support_rule::both,
                             [&](auto pv, detail::double_double sp, auto qv, detail::double_double sq) {
                                 return detail::comparison_measures(pv, sp, qv, sq, opts);
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
