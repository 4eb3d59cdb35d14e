#pragma once
// The closed forms: one overload `closed_form(const P&, const Q&)` per pair of families that has a
// formula, returning D(P‖Q) in nats (+∞ allowed), or nullopt where the formula does not apply to
// these parameters (e.g. binomials of different total_count). The overloads are declared by group
// in closed_forms_*.hpp; a pair without an overload has no closed form. They are called only for
// pairs whose supports nest (kl.cpp checks that first), but must be correct for any parameters.

#include <optional>
#include <vector>

#include "kldiv/distributions/distribution.hpp"
#include "kldiv/distributions/kl.hpp"

namespace kldiv::distributions::detail {

// D(P‖Q) in nats by the pair's closed form, or nullopt.
std::optional<double> closed_form_nats(const distribution& p, const distribution& q);

// The family pairs with a closed_form overload.
std::vector<family_pair> closed_form_family_pairs();

}  // namespace kldiv::distributions::detail
