#pragma once
// Seeded samplers for every family, writing points in the layout of log_density.hpp. Given the
// same random_stream they give the same points on every platform (up to the C library's
// transcendental functions).
//
//   Bernoulli, categorical, mixtures     inversion on the (cumulative) probabilities
//   binomial                             inversion for n·min(p, 1 − p) < 10, else BTRS (Hörmann 1993)
//   Poisson                              inversion for rate < 10, else PTRS (Hörmann 1993)
//   geometric                            ⌊E / −ln(1 − p)⌋ with E exponential
//   negative binomial                    Poisson(G·p/(1 − p)), G ~ Gamma(total_count, 1)
//   multinomial                          conditional binomials
//   normal, half-normal, log-normal      from one normal
//   Laplace, Gumbel, exponential,        from one exponential or uniform by inversion
//   logistic, Cauchy, Pareto, Weibull,
//   uniform, continuous Bernoulli
//   gamma, chi², inverse gamma           Marsaglia–Tsang gammas, from their logarithms: the point's
//                                        ln x stays exact where x underflows (gamma(0.01, ·))
//   log-normal, Pareto, Weibull          likewise through ln x
//   beta, Dirichlet                      ratios of gammas, formed from their logarithms, so that
//                                        ln x and ln(1 − x) (beta), ln x_k (Dirichlet) are accurate
//   Student-t                            Z / √(χ²_ν/ν)
//   von Mises                            Best & Fisher (1979) as NumPy does it: uniform below
//                                        κ = 1e-8 (exact at κ = 0) and the normal N(loc, 1/κ)
//                                        above κ = 1e6, where they differ from it by O(κ) and O(1/κ)
//   multivariate normals                 loc + L z (diagonal and low-rank without forming L)
//   Wishart                              Bartlett: C = L A, A lower with A_ii² ~ χ²_{ν−i},
//                                        A_ij ~ N(0, 1); the point is C (X = C Cᵀ)

#include <functional>
#include <span>

#include "kldiv/distributions/distribution.hpp"
#include "src/common/random_stream.hpp"

namespace kldiv::distributions::detail {

using point_sampler = std::function<void(random_stream&, std::span<double>)>;

// Draws one point of d into a span of point_size(d) doubles; safe to call from several threads
// (each with its own stream).
point_sampler sampler_for(const distribution& d);

}  // namespace kldiv::distributions::detail
