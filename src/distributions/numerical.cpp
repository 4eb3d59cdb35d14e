// integrate_nats: the univariate pairs kl.cpp sends to quadrature or summation. The pair must be
// on one line (both discrete or both continuous, univariate families or mixtures of them) or both
// on the circle, with no support gap or divergent tail (kl.cpp decides those first, tails.hpp):
// summation_nats (integers) or quadrature_nats (reals, circle) computes the value.

#include "src/distributions/numerical.hpp"

#include <string>
#include <type_traits>

#include "kldiv/error.hpp"
#include "src/distributions/line_components.hpp"
#include "src/distributions/support.hpp"

namespace kldiv::distributions::detail {
namespace {

bool on_a_line(const distribution& d) noexcept {
    return std::visit([](const auto& x) { return on_the_line<std::remove_cvref_t<decltype(x)>>; }, d);
}

}  // namespace

bool integrable(const distribution& p, const distribution& q) noexcept {
    return on_a_line(p) && on_a_line(q) && support_of(p).kind == support_of(q).kind;
}

kl_result integrate_nats(const distribution& p, const distribution& q, const kl_options& options) {
    if (!integrable(p, q))
        throw error("kl_divergence", "the pair (" + std::string(family_name(p)) + ", " + std::string(family_name(q)) +
                                         ") is not on one line or circle, so it cannot be integrated numerically");
    return support_of(p).kind == space::integers ? summation_nats(p, q, options.tolerance)
                                                 : quadrature_nats(p, q, options.tolerance);
}

}  // namespace kldiv::distributions::detail
