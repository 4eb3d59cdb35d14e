#pragma once
// Closed-form approximations and bounds of D(f‖g) between Gaussian mixtures
// f = Σ_a π_a f_a and g = Σ_b ω_b g_b, which have no closed form (kl_divergence estimates it by
// Monte Carlo). All in nats, from the pairwise quantities of the components:
//   D_ab = D(f_a‖g_b) and D_aα = D(f_a‖f_α) (Gaussian closed forms), H_a the entropy of f_a,
//   t_ab = ∫ f_a g_b = N(μ_a; μ_b, Σ_a + Σ_b) and z_aα = ∫ f_a f_α.
// References: J. R. Hershey, P. A. Olsen, "Approximating the Kullback Leibler divergence between
// Gaussian mixture models", ICASSP 2007; J.-L. Durrieu, J.-P. Thiran, F. Kelly, "Lower and upper
// bounds for approximation of the Kullback-Leibler divergence between Gaussian mixture models",
// ICASSP 2012.

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions {

struct gaussian_mixture_estimates {
    // D_var = Σ_a π_a ln(Σ_α π_α e^(−D_aα) / Σ_b ω_b e^(−D_ab)) (Hershey & Olsen's variational
    // approximation; exact for single Gaussians and for well-separated components; neither bound).
    double variational = 0.0;
    // D_prod = Σ_a π_a ln(Σ_α π_α z_aα / Σ_b ω_b t_ab) (product of Gaussians; not exact even for
    // single Gaussians, can be negative).
    double product = 0.0;
    // A valid upper bound: the smaller of
    //  - Hershey & Olsen's variational upper bound min over φ, ψ of D(φ‖ψ) + Σ_ab φ_ab D_ab
    //    (Σ_b φ_ab = π_a, Σ_a ψ_ab = ω_b), iterated from φ = ψ = π_a ω_b, where it is the convexity
    //    bound Σ_ab π_a ω_b D_ab, and never above it (every iterate is a bound); exact for single
    //    Gaussians;
    //  - Durrieu et al.'s Σ_a π_a [ln Σ_α π_α z_aα + H_a − ln Σ_b ω_b e^(−D_ab)] (Jensen on
    //    ∫ f ln f, the variational bound on ∫ f ln g).
    double upper_bound = 0.0;
    // A valid lower bound: the larger of 0 and Durrieu et al.'s
    // Σ_a π_a [ln Σ_α π_α e^(−D_aα) − H_a − ln Σ_b ω_b t_ab] (the variational bound on ∫ f ln f,
    // Jensen on ∫ f ln g). Often loose (0) for overlapping components.
    double lower_bound = 0.0;
};

// p and q may each be a gaussian_mixture, a multivariate_normal, a lowrank or diagonal normal, a
// normal, or a mixture whose components are all normals (each a mixture of one component, or of
// 1-D Gaussians). Throws kldiv::error for any other family, or if the dimensions differ.
gaussian_mixture_estimates gaussian_mixture_kl_estimates(const distribution& p, const distribution& q);

}  // namespace kldiv::distributions
