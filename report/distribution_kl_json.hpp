#pragma once
// The JSON of D(P‖Q) between two parametric distributions (`kldiv dist --json`): p, q (as
// specifications), kl, unit, method, error, and the Monte Carlo samples and seed, and the Gaussian
// mixture estimates when they were computed; +inf as the string "inf".

#include <optional>

#include <nlohmann/json.hpp>

#include "kldiv/distributions/distribution.hpp"
#include "kldiv/distributions/gaussian_mixture_bounds.hpp"
#include "kldiv/distributions/kl.hpp"

namespace kldiv::report {

// `opts` are the options r was computed with (unit, seed); `mixture`, in the same unit.
nlohmann::ordered_json distribution_kl_json(const distributions::distribution& p, const distributions::distribution& q,
                                            const distributions::kl_options& opts, const distributions::kl_result& r,
                                            const std::optional<distributions::gaussian_mixture_estimates>& mixture);

}  // namespace kldiv::report
