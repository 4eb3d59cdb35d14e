#include "src/distributions/closed_form.hpp"

#include <type_traits>
#include <utility>

#include "src/distributions/closed_forms_multivariate.hpp"
#include "src/distributions/closed_forms_univariate.hpp"

namespace kldiv::distributions::detail {
namespace {

template <class P, class Q>
concept has_closed_form = requires(const P& p, const Q& q) {
    { closed_form(p, q) } -> std::same_as<std::optional<double>>;
};

template <std::size_t I, std::size_t... J>
void add_pairs_with(std::vector<family_pair>& out, std::index_sequence<J...>) {
    using P = std::variant_alternative_t<I, distribution>;
    (
        [&] {
            using Q = std::variant_alternative_t<J, distribution>;
            if constexpr (has_closed_form<P, Q>) out.push_back({P::name, Q::name});
        }(),
        ...);
}

template <std::size_t... I>
std::vector<family_pair> pairs(std::index_sequence<I...> all) {
    std::vector<family_pair> out;
    (add_pairs_with<I>(out, all), ...);
    return out;
}

}  // namespace

std::optional<double> closed_form_nats(const distribution& p, const distribution& q) {
    return std::visit(
        [](const auto& a, const auto& b) -> std::optional<double> {
            using P = std::remove_cvref_t<decltype(a)>;
            using Q = std::remove_cvref_t<decltype(b)>;
            if constexpr (has_closed_form<P, Q>)
                return closed_form(a, b);
            else
                return std::nullopt;
        },
        p, q);
}

std::vector<family_pair> closed_form_family_pairs() {
    return pairs(std::make_index_sequence<std::variant_size_v<distribution>>{});
}

}  // namespace kldiv::distributions::detail
