#pragma once
// Everything that tells two distributions apart, computed from one validation of the inputs.

#include <span>

#include "kldiv/options.hpp"

namespace kldiv {

struct comparison {
    double entropy_p;         // H(P)
    double entropy_q;         // H(Q)
    double cross_entropy_pq;  // H(P, Q) = H(P) + D(P‖Q)
    double cross_entropy_qp;  // H(Q, P) = H(Q) + D(Q‖P)
    double kl_pq;             // D(P‖Q)
    double kl_qp;             // D(Q‖P)
    double jeffreys;          // D(P‖Q) + D(Q‖P)
    double js;                // JS_β(P, Q)
    double beta;              // the β used for js (opts.beta)
};

// All measures of the pair in the unit of opts.base. on_zero applies to each direction separately:
// with zero_support::error, an event where either vector is 0 and the other is not throws.
comparison compare(std::span<const double> p, std::span<const double> q, const options& opts = {});
comparison compare(std::span<const float> p, std::span<const float> q, const options& opts = {});

}  // namespace kldiv
