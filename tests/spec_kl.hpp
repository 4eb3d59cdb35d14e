#pragma once
// D(P‖Q) of two distributions written as specs, by the method asked for: the family tests' call.

#include <string>

#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"

namespace kldiv_test {

inline kldiv::distributions::kl_result kl(
    const std::string& p, const std::string& q,
    kldiv::distributions::method_choice m = kldiv::distributions::method_choice::automatic, double mc_error = 2e-3) {
    kldiv::distributions::kl_options o;
    o.method = m;
    o.mc_error = mc_error;
    return kldiv::distributions::kl_divergence(kldiv::distributions::parse(p), kldiv::distributions::parse(q), o);
}

}  // namespace kldiv_test
