#pragma once
// Why two distributions differ: every measure of the pair, and each event's contribution to
// D(P‖Q) and D(Q‖P), the events ranked by the first (what `kldiv explain` shows).
//
//   const kldiv::explanation e = kldiv::explain(p, q, {.base = kldiv::log_base::bits()});
//   e.ranked[0]                       // the event that adds most to D(P‖Q)
//   e.share_pq(e.ranked[0])           // its fraction of D(P‖Q)

#include <cstddef>
#include <span>
#include <vector>

#include "kldiv/comparison.hpp"
#include "kldiv/options.hpp"

namespace kldiv {

struct explanation {
    comparison totals;                                     // every measure of the pair, in the unit
    std::vector<double> p, q;                              // the probabilities measured (normalized,
                                                           // smoothed when the options say so)
    std::vector<double> contribution_pq, contribution_qp;  // p_i log(p_i/q_i), q_i log(q_i/p_i), in the unit
    std::vector<std::size_t> ranked;  // the events, largest contribution to D(P‖Q) first (ties: in order)

    // contribution_pq[i] / D(P‖Q): event i's fraction of D(P‖Q); NaN where D(P‖Q) is 0 or +inf.
    double share_pq(std::size_t i) const noexcept;
};

// Validates p and q once as compare() does (both directions) and throws kldiv::error as it does.
explanation explain(std::span<const double> p, std::span<const double> q, const options& opts = {});

}  // namespace kldiv
