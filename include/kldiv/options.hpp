#pragma once
// The options of every discrete measure: how an input vector is read, what a zero in Q means, the
// Jensen–Shannon weight, the order α of the Rényi family and the unit of the result. One shape for one pair of vectors (discrete.hpp,
// comparison.hpp, explanation.hpp), for each pair of rows (batch.hpp: batch_options::measure) and
// for the losses (losses.hpp: loss_options::measure). Plain aggregate: set only what you need,
//   kldiv::kl_divergence(p, q, {.base = kldiv::log_base::bits(), .normalize = true});
//   kldiv::js_divergence(p, q, {.beta = 0.25});
//   kldiv::divergence(p, q, kldiv::measure::renyi_divergence, {.alpha = 0.5});

#include <span>

#include "kldiv/names.hpp"
#include "kldiv/units.hpp"

namespace kldiv {

// What to do where P puts mass on an event that Q gives probability 0 (p_i > 0, q_i = 0).
enum class zero_support {
    infinity,  // the divergence is +inf (the mathematical value; default)
    error,     // throw kldiv::error naming the first such event
    smooth,    // add epsilon to every event of both vectors, then renormalize
};

// "infinity", "error", "smooth"; the aliases "inf" and "raise" (kldiv/names.hpp).
inline std::span<const named<zero_support>> names_of(zero_support) noexcept {
    static constexpr named<zero_support> table[] = {{zero_support::infinity, "infinity"},
                                                    {zero_support::error, "error"},
                                                    {zero_support::smooth, "smooth"},
                                                    {zero_support::infinity, "inf"},
                                                    {zero_support::error, "raise"}};
    return table;
}

// The largest smoothing epsilon: ε is added to probabilities, so ε in (0, 1] (a larger one only
// swamps the distribution, and one near DBL_MAX overflowed the sums into NaN).
inline constexpr double max_smoothing_epsilon = 1.0;

struct options {
    log_base base{};  // unit of the result; nats by default
    zero_support on_zero = zero_support::infinity;
    double epsilon = 1e-10;  // used by zero_support::smooth; must be in (0, 1]
    // Off: every vector must sum to 1 within sum_tolerance, else kldiv::error.
    // On: any non-negative vector with a positive finite sum is rescaled (counts, weights).
    bool normalize = false;
    double sum_tolerance = 1e-6;  // |sum - 1| allowed when normalize is off
    // The Jensen–Shannon weight β in (0, 1): JS_β(P, Q) = β D(P‖M) + (1 − β) D(Q‖M) with
    // M = β P + (1 − β) Q. Checked only where a Jensen–Shannon value is computed.
    double beta = 0.5;
    // The order α of the Rényi and Tsallis divergences and the weight of Q in the skew divergence
    // (divergences.hpp): α = 1 makes each of them KL. Checked only where one of them is computed.
    double alpha = 1.0;
};

}  // namespace kldiv
