#pragma once
// Closed forms of D(P‖Q) for pairs of multivariate families, in nats; see closed_form.hpp. The
// formulas, their non-negative forms and their accuracy are described in
// closed_forms_multivariate.cpp. Each returns nullopt for arguments of different dimensions (the
// dispatcher never passes them; support.cpp rejects them first).

#include <optional>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions::detail {

// The Gaussians: every pair of the three representations of N(μ, Σ).
std::optional<double> closed_form(const multivariate_normal& p, const multivariate_normal& q);
std::optional<double> closed_form(const multivariate_normal& p, const lowrank_multivariate_normal& q);
std::optional<double> closed_form(const multivariate_normal& p, const diagonal_normal& q);
std::optional<double> closed_form(const lowrank_multivariate_normal& p, const multivariate_normal& q);
std::optional<double> closed_form(const lowrank_multivariate_normal& p, const lowrank_multivariate_normal& q);
std::optional<double> closed_form(const lowrank_multivariate_normal& p, const diagonal_normal& q);
std::optional<double> closed_form(const diagonal_normal& p, const multivariate_normal& q);
std::optional<double> closed_form(const diagonal_normal& p, const lowrank_multivariate_normal& q);
std::optional<double> closed_form(const diagonal_normal& p, const diagonal_normal& q);

// The stick-breaking map is a bijection: D is that of the underlying diagonal normals.
std::optional<double> closed_form(const logistic_normal& p, const logistic_normal& q);

std::optional<double> closed_form(const dirichlet& p, const dirichlet& q);
// Different total counts give +∞ (the supports are disjoint).
std::optional<double> closed_form(const multinomial& p, const multinomial& q);
std::optional<double> closed_form(const wishart& p, const wishart& q);

}  // namespace kldiv::distributions::detail
