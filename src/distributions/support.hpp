#pragma once
// Where a distribution puts its mass, as far as D(P‖Q) needs it: D = +∞ unless P's support lies
// inside Q's. Supports are intervals of the integers or of the reals (their hull, for mixtures; a
// gap in Q's support inside the hull is found by the numerical methods as q = 0), the circle, or a
// multivariate space of some dimension, or a product of independent components (dimension: their count).

#include <cstddef>
#include <cstdint>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

enum class space { integers, reals, circle, count_vectors, simplex, real_vectors, positive_definite_matrices, product };

struct support {
    space kind = space::reals;
    double low = 0.0, high = 0.0;  // integers, reals: the interval (ends may be ±∞)
    std::size_t dimension = 1;     // vector and matrix spaces
    std::uint64_t total = 0;       // count vectors: their sum
};

support support_of(const distribution& d);
support support_of(const univariate& d);

// True where P's support lies inside Q's (for categoricals and multinomials also category by
// category: a category of P with probability 0 under Q is outside). Throws kldiv::error (from kl_divergence) where the two
// live on spaces that cannot be compared: different kinds of space other than integers vs reals,
// or different dimensions.
bool nested(const support& p, const support& q, const distribution& dp, const distribution& dq);

}  // namespace kldiv::distributions::detail
