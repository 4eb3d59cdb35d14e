#pragma once
// D(P‖Q) where no closed form applies: quadrature or summation for univariate pairs, Monte Carlo
// for the rest. Called only for pairs whose supports nest, with no gap or divergent tail (kl.cpp
// checks that first).

#include "kldiv/distributions/kl.hpp"

namespace kldiv::distributions::detail {

// By quadrature (continuous) or summation (discrete) to options.tolerance; value and
// error in nats. Throws kldiv::error unless both are univariate (or univariate mixtures).
kl_result integrate_nats(const distribution& p, const distribution& q, const kl_options& options);

// By Monte Carlo over samples of P to options.mc_error; value and error in nats.
kl_result monte_carlo_nats(const distribution& p, const distribution& q, const kl_options& options);

// True where integrate_nats applies to the pair.
bool integrable(const distribution& p, const distribution& q) noexcept;

// The engines behind integrate_nats, for P and Q on the line (both continuous: quadrature.cpp; both
// discrete: summation.cpp) or on the circle (quadrature.cpp), with supports nested and no gap or
// divergent tail (tails.hpp). Value and error in nats; the error adds the integration error
// estimate and a bound on the rounding of the integrand (divergence_density.hpp).
kl_result quadrature_nats(const distribution& p, const distribution& q, double tolerance);
kl_result summation_nats(const distribution& p, const distribution& q, double tolerance);

}  // namespace kldiv::distributions::detail
