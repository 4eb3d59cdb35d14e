// lump_floored_tokens: the coarsened rows of a pair with floored tokens (src/llm/floored_tail.hpp).

#include "src/llm/floored_tail.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kldiv::llm::detail {
namespace {

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

// One row's sums: e^x over the tokens outside F, and the log-sum-exp of x over F (running maximum
// and Σ e^(x − maximum)).
struct row_sums {
    bool floored = false;  // the row has a floor: its values are log-probabilities
    double kept = 0.0;
    double top = minus_infinity, scaled = 0.0;

    void add_floored(float value) noexcept {
        const double x = value;
        if (x == minus_infinity) return;
        if (x > top) {
            scaled = scaled * std::exp(top - x) + 1.0;
            top = x;
        } else {
            scaled += std::exp(x - top);
        }
    }
    void add_kept(float value) noexcept {
        if (floored) kept += std::exp(static_cast<double>(value));
    }
    // ln Σ_{j∈F} e^(x_j).
    double log_floored_sum() const noexcept { return top == minus_infinity ? minus_infinity : top + std::log(scaled); }
    // ln of the tail mass: for a floored row 1 − kept clamped to [0, U], else the log-sum-exp over F.
    double log_tail() const noexcept {
        if (!floored) return log_floored_sum();
        if (kept >= 1.0) return minus_infinity;
        return std::min(std::log1p(-kept), log_floored_sum());
    }
};

bool at_or_below(float value, float floor) noexcept { return std::isfinite(floor) && value <= floor; }

}  // namespace

floored_tail lump_floored_tokens(std::span<float> reference, float reference_floor, std::span<float> candidate,
                                 float candidate_floor) noexcept {
    floored_tail tail;
    if (!std::isfinite(reference_floor) && !std::isfinite(candidate_floor)) return tail;
    row_sums p{.floored = std::isfinite(reference_floor)}, q{.floored = std::isfinite(candidate_floor)};
    for (std::size_t j = 0; j < reference.size(); ++j) {
        if (at_or_below(reference[j], reference_floor) || at_or_below(candidate[j], candidate_floor)) {
            if (tail.count++ == 0) tail.representative = j;
            p.add_floored(reference[j]);
            q.add_floored(candidate[j]);
        } else {
            p.add_kept(reference[j]);
            q.add_kept(candidate[j]);
        }
    }
    if (tail.count == 0) return tail;
    const double log_p = p.log_tail();
    double log_q = q.log_tail();
    // The candidate's floored mass is below its rows' resolution: its upper bound keeps the KL finite.
    if (q.floored && log_q == minus_infinity && log_p > minus_infinity) log_q = q.log_floored_sum();
    constexpr float drop = -std::numeric_limits<float>::infinity();
    for (std::size_t j = tail.representative; j < reference.size(); ++j) {
        if (at_or_below(reference[j], reference_floor) || at_or_below(candidate[j], candidate_floor)) {
            reference[j] = drop;
            candidate[j] = drop;
        }
    }
    reference[tail.representative] = static_cast<float>(log_p);
    candidate[tail.representative] = static_cast<float>(log_q);
    return tail;
}

}  // namespace kldiv::llm::detail
