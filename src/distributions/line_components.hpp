#pragma once
// A distribution of one variable (on the integers, the reals or the circle) seen as a finite
// mixture Σ w_k P_k: a univariate family is one component of weight 1, a mixture its components of
// weight w_k > 0 (components of weight 0 put no mass anywhere, so every numerical method skips
// them). The numerical methods work on this one shape.

#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

struct weighted_component {
    double weight;
    univariate component;
};

template <class T, class Variant>
struct is_alternative;
template <class T, class... A>
struct is_alternative<T, std::variant<A...>> : std::bool_constant<(std::is_same_v<T, A> || ...)> {};

// True for the types of distribution that live on the line or the circle: the univariate families
// and mixture.
template <class T>
inline constexpr bool on_the_line = is_alternative<T, univariate>::value || std::is_same_v<T, mixture>;

// The components of a univariate distribution or mixture; empty for the multivariate families.
std::vector<weighted_component> line_components(const distribution& d);

// Where one component puts its mass: its support's interval, or for a categorical its runs of
// nonzero probabilities (inclusive ends).
std::vector<std::pair<double, double>> support_pieces(const univariate& d);

// The support of a mixture as disjoint pieces in increasing order: its components' pieces merged
// where they overlap or (on the integers) touch.
std::vector<std::pair<double, double>> support_union(const std::vector<weighted_component>& components);

}  // namespace kldiv::distributions::detail
