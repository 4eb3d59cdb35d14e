#pragma once
// The measures over the rows of two matrices: row i of P against row i of Q, one result per row.
//
// Rows are given as probabilities, log-probabilities or logits (raw scores, p = softmax(a / T)),
// stored as float, double, float16 or bfloat16 in row-major matrices with a row stride (0: one row
// read for every row, as broadcasting gives — the same Q for every P). Several measures come out of
// one pass over memory when asked together; no N×V temporary is made. Everything is accumulated in
// double, in fixed blocks combined in index order, so a row's result does not depend on the number
// of threads. Conventions are those of discrete.hpp: 0·log(0/q) = 0; p > 0 where q = 0 follows
// on_zero; a logit of −inf is an event of probability 0 (a masked vocabulary entry).
//
//   kldiv::matrix_view<const float> p(teacher, n, vocab), q(student, n, vocab);
//   std::vector<double> kl(n);
//   kldiv::kl_divergence_rows(p, q, kl, {.input = kldiv::input_kind::logits, .temperature = 2.0});
//   double js;  // the mean over the rows, in bits, with M = P/4 + 3Q/4, on two threads
//   kldiv::measure_rows(p, q, {.js = {&js, 1}},
//                       {.input = kldiv::input_kind::logits,
//                        .measure = {.base = kldiv::log_base::bits(), .beta = 0.25},
//                        .reduce = kldiv::reduction::mean,
//                        .rows = {.threads = 2}});

#include <cstddef>
#include <cstdint>
#include <span>

#include "kldiv/divergences.hpp"
#include "kldiv/names.hpp"
#include "kldiv/options.hpp"
#include "kldiv/row_options.hpp"
#include "kldiv/views.hpp"

namespace kldiv {

// How a row represents its distribution.
enum class input_kind {
    probs,      // probabilities (>= 0; sum 1 within sum_tolerance unless normalize)
    log_probs,  // natural-log probabilities (−inf allowed); Σ exp(a) must be 1 within sum_tolerance unless
                // normalize. With a temperature ≠ 1 the rows are tempered, softmax(a / T), and not checked.
    logits,     // unnormalized log-probabilities: p = softmax(a / temperature); −inf allowed
};

// "probabilities", "log-probabilities" or "logits": the words used in messages and reports.
const char* describe(input_kind kind) noexcept;

// "probs", "log_probs", "logits" (kldiv/names.hpp).
inline std::span<const named<input_kind>> names_of(input_kind) noexcept {
    static constexpr named<input_kind> table[] = {
        {input_kind::probs, "probs"}, {input_kind::log_probs, "log_probs"}, {input_kind::logits, "logits"}};
    return table;
}

struct batch_options {
    input_kind input = input_kind::probs;
    double temperature = 1.0;  // logits and log_probs: p = softmax(a / temperature); > 0
    // Each row pair's options, as for one pair of vectors (options.hpp). normalize applies to
    // probs and log_probs only (logits are always normalized): rows that do not sum to 1 are rescaled.
    // Rows stored as float16 (bfloat16) are checked within at least 2^-11 (2^-8), the storage's unit
    // roundoff: rounding probabilities that sum to 1 moves their sum by up to that much.
    options measure{};
    reduction reduce = reduction::none;
    row_options rows{};
};

// Where to put each measure; an empty span is not computed. With reduction::none a span holds one
// value per row, otherwise exactly one value.
struct row_outputs {
    std::span<double> kl{};             // D(P‖Q)
    std::span<double> reverse_kl{};     // D(Q‖P)
    std::span<double> js{};             // JS_β(P, Q)
    std::span<double> entropy_p{};      // H(P)
    std::span<double> entropy_q{};      // H(Q)
    std::span<double> cross_entropy{};  // H(P, Q) = H(P) + D(P‖Q)
    // ln Σ_j exp(a_j / T) of P's (Q's) row as given, so that ln p_j = a_j / T − this: the log
    // normalizer of logits (≈ 0 for log-probabilities, ln Σ p for probabilities). Always natural
    // logarithms (`measure.base` does not apply); reductions apply as to the measures.
    std::span<double> log_normalizer_p{};
    std::span<double> log_normalizer_q{};
    // Any one measure of divergences.hpp, `divergence_measure`, with measure.alpha and measure.beta
    // (renyi_divergence, hellinger, …): in the unit of measure.base where in_log_units, reduced as
    // the others (the mean of js_distance is the mean of the rows' distances).
    std::span<double> divergence{};
    measure divergence_measure = measure::kl_divergence;
};

// Every requested measure of every row pair, in one pass over memory for the KL family.
// Throws kldiv::error naming the function, the row, the column, the value and the rule.
void measure_rows(matrix_view<const float> p, matrix_view<const float> q, const row_outputs& out,
                  const batch_options& opts = {});
void measure_rows(matrix_view<const double> p, matrix_view<const double> q, const row_outputs& out,
                  const batch_options& opts = {});
void measure_rows(matrix_view<const float16> p, matrix_view<const float16> q, const row_outputs& out,
                  const batch_options& opts = {});
void measure_rows(matrix_view<const bfloat16> p, matrix_view<const bfloat16> q, const row_outputs& out,
                  const batch_options& opts = {});

// Single-measure shorthands; divergence_rows is measure_rows with only row_outputs::divergence.
void divergence_rows(matrix_view<const float> p, matrix_view<const float> q, std::span<double> out, measure m,
                     const batch_options& opts = {});
void divergence_rows(matrix_view<const double> p, matrix_view<const double> q, std::span<double> out, measure m,
                     const batch_options& opts = {});
void divergence_rows(matrix_view<const float16> p, matrix_view<const float16> q, std::span<double> out, measure m,
                     const batch_options& opts = {});
void divergence_rows(matrix_view<const bfloat16> p, matrix_view<const bfloat16> q, std::span<double> out, measure m,
                     const batch_options& opts = {});
void kl_divergence_rows(matrix_view<const float> p, matrix_view<const float> q, std::span<double> out,
                        const batch_options& opts = {});
void kl_divergence_rows(matrix_view<const double> p, matrix_view<const double> q, std::span<double> out,
                        const batch_options& opts = {});
void entropy_rows(matrix_view<const float> p, std::span<double> out, const batch_options& opts = {});
void entropy_rows(matrix_view<const double> p, std::span<double> out, const batch_options& opts = {});

}  // namespace kldiv
