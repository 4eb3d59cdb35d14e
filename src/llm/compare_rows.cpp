// compare_rows: the batch measures and log normalizers of each row pair, then one pass per row for
// the top tokens and the actual token's log-probabilities (include/kldiv/llm/compare_rows.hpp).

#include "kldiv/llm/compare_rows.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "src/batch/parallel.hpp"
#include "src/llm/top_tokens.hpp"

namespace kldiv::llm {
namespace {

using detail::top_tokens;

constexpr const char* function = "compare_rows";

// |first k of a ∩ first k of b|.
unsigned overlap(const top_tokens& a, const top_tokens& b, std::size_t k) {
    unsigned shared = 0;
    for (std::size_t i = 0; i < std::min(k, a.count); ++i) {
        for (std::size_t j = 0; j < std::min(k, b.count); ++j) shared += a.index[i] == b.index[j];
    }
    return shared;
}

}  // namespace

void compare_rows(matrix_view<const float> reference, matrix_view<const float> candidate,
                  std::span<const std::int32_t> next_tokens, const compare_rows_options& opts,
                  std::span<token_comparison> out) {
    const std::size_t n = reference.rows, vocabulary = reference.cols;
    if (candidate.rows != n || candidate.cols != vocabulary) {
        throw error(function, "the reference is " + std::to_string(n) + " x " + std::to_string(vocabulary) +
                                  " and the candidate " + std::to_string(candidate.rows) + " x " +
                                  std::to_string(candidate.cols) + ", but they must have the same shape");
    }
    if (out.size() != n || (!next_tokens.empty() && next_tokens.size() != n)) {
        throw error(function, "the outputs (" + std::to_string(out.size()) + ") and token ids (" +
                                  std::to_string(next_tokens.size()) + ") must have one entry per row (" +
                                  std::to_string(n) + ")");
    }
    for (std::size_t i = 0; i < next_tokens.size(); ++i) {
        const std::int32_t t = next_tokens[i];
        if (t < -1 || t >= static_cast<std::int64_t>(vocabulary)) {
            throw error(function, "next token of position " + std::to_string(opts.first_position + i) + " = " + std::to_string(t) +
                                      ", but it must be -1 (unknown) or in [0, " + std::to_string(vocabulary) + ")");
        }
    }
    std::vector<double> kl(n), reverse(opts.reverse_kl ? n : 0), js(opts.js ? n : 0), log_z_p(n), log_z_q(n);
    measure_rows(reference, candidate,
                 {.kl = kl, .reverse_kl = reverse, .js = js, .log_normalizer_p = log_z_p, .log_normalizer_q = log_z_q},
                 {.input = input_kind::logits, .threads = opts.threads});
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(kl[i])) {
            throw error(function, "position " + std::to_string(opts.first_position + i) + ": D(reference||candidate) = " + std::to_string(kl[i]) +
                                      ", because the candidate gives probability 0 to a token the reference does not");
        }
    }
    kldiv::detail::parallel_for(n, kldiv::detail::worker_count(opts.threads), [&](std::size_t i, unsigned) {
        const top_tokens p(std::span(reference.row(i), vocabulary)), q(std::span(candidate.row(i), vocabulary));
        token_comparison& t = out[i];
        t = token_comparison{.kl = kl[i]};
        if (opts.reverse_kl) t.reverse_kl = reverse[i];
        if (opts.js) t.js = js[i];
        t.same_top = p.count > 0 && q.count > 0 && p.index[0] == q.index[0];
        t.top5_overlap = overlap(p, q, 5);
        t.top10_overlap = overlap(p, q, 10);
        if (next_tokens.empty() || next_tokens[i] < 0) return;
        const auto x = static_cast<std::size_t>(next_tokens[i]);
        // At most 0: the normalizer's rounding (about 1e-7 for float rows) must not make p > 1.
        t.log_p_reference = std::min(0.0, static_cast<double>(reference.row(i)[x]) - log_z_p[i]);
        t.log_p_candidate = std::min(0.0, static_cast<double>(candidate.row(i)[x]) - log_z_q[i]);
    });
}

}  // namespace kldiv::llm
