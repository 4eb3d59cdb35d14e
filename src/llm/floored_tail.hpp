#pragma once
// Lumping the floored tokens of a pair of rows into one tail event (docs/formats/llama-kl-base.md,
// "Floored tokens"). A llama.cpp base file stores a clamped row's tokens below its 16-nat window at
// the floor μ, their own log-probabilities unknown (≤ μ). For a pair of rows the set F of tokens
// floored in either row becomes one event, and the pair is measured as the coarsened distributions:
// the tokens outside F, and F. Each row's tail mass is
//   a row with a floor (decoded log-probabilities):  1 − Σ_{j∉F} e^(x_j), clamped to [0, U], where
//     U = Σ_{j∈F} e^(x_j) (its floored tokens at e^μ: an upper bound of the tail);
//   a row without one (logits, exact log-probabilities):  Σ_{j∈F} e^(x_j), by log-sum-exp.
// When the candidate's clamped tail comes out 0 (its kept values sum to 1 or more: its floored mass
// is below what 16 bits resolve) while the reference's is not, the candidate's tail is taken as U,
// so that the row's KL stays finite.

#include <cstddef>
#include <span>

namespace kldiv::llm::detail {

// The tokens floored in a pair of rows: those at or below a row's floor (−inf floors none).
struct floored_tail {
    std::size_t representative = 0;  // the first index of F: it carries the tail; valid when count > 0
    std::size_t count = 0;           // |F|
};

// Rewrites the rows in place as their coarsened forms: every entry of F becomes −inf but the
// representative, which becomes the natural log of that row's tail mass (−inf for mass 0). The
// rows are log-probabilities where a floor is finite, logits or log-probabilities otherwise; rows
// with no floored token are left as they are. noexcept: the inputs are validated rows.
floored_tail lump_floored_tokens(std::span<float> reference, float reference_floor, std::span<float> candidate,
                                 float candidate_floor) noexcept;

}  // namespace kldiv::llm::detail
