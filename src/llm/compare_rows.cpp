// compare_rows: the batch measures and log normalizers of each row pair, then one pass per row for
// the top tokens and the actual token's log-probabilities (include/kldiv/llm/compare_rows.hpp).

#include "kldiv/llm/compare_rows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kldiv/batch.hpp"
#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/llm/floored_tail.hpp"
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

bool at_or_below(float value, std::span<const float> floors, std::size_t i) {
    return !floors.empty() && std::isfinite(floors[i]) && value <= floors[i];
}

// After measure_rows refused the rows: throws for the first value that is NaN or +inf, or a row with
// every entry −inf, named by file, position and token id; returns when there is none.
void report_bad_rows(matrix_view<const float> reference, matrix_view<const float> candidate,
                     const compare_rows_options& opts) {
    for (std::size_t i = 0; i < reference.rows; ++i) {
        const std::uint64_t position = opts.first_position + i;
        for (const bool is_candidate : {false, true}) {
            const float* row = (is_candidate ? candidate : reference).row(i);
            const std::string where = io::file_and_row(is_candidate ? opts.candidate_files : opts.reference_files,
                                                       position, is_candidate ? "candidate" : "reference") +
                                      ", position " + std::to_string(position);
            bool mass = false;
            for (std::size_t j = 0; j < reference.cols; ++j) {
                if (std::isnan(row[j]) || row[j] == std::numeric_limits<float>::infinity()) {
                    throw error(function, where + ": token id " + std::to_string(j) + " has the value " +
                                              kldiv::detail::to_text(row[j]) +
                                              ", but a logit must be a number below +inf");
                }
                mass = mass || row[j] > -std::numeric_limits<float>::infinity();
            }
            if (!mass)
                throw error(function, where + ": every token has logit -inf, but a distribution needs mass somewhere");
        }
    }
}

// The rows of a pair with floored tokens, coarsened (floored_tail.hpp); the others as given.
struct coarsened_rows {
    std::vector<float> reference, candidate;
    std::vector<detail::floored_tail> tails;  // per row
    bool any = false;

    coarsened_rows(matrix_view<const float> p, matrix_view<const float> q, const row_floors& floors) : tails(p.rows) {
        const auto finite = [](std::span<const float> f) {
            return std::any_of(f.begin(), f.end(), [](float x) { return std::isfinite(x); });
        };
        any = finite(floors.reference) || finite(floors.candidate);
        if (!any) return;
        const std::size_t v = p.cols;
        reference.resize(p.rows * v);
        candidate.resize(p.rows * v);
        constexpr float none = -std::numeric_limits<float>::infinity();
        for (std::size_t i = 0; i < p.rows; ++i) {
            const std::span<float> a(reference.data() + i * v, v), b(candidate.data() + i * v, v);
            std::copy_n(p.row(i), v, a.begin());
            std::copy_n(q.row(i), v, b.begin());
            tails[i] = detail::lump_floored_tokens(a, floors.reference.empty() ? none : floors.reference[i], b,
                                                   floors.candidate.empty() ? none : floors.candidate[i]);
        }
    }
};

}  // namespace

void compare_rows(matrix_view<const float> reference, matrix_view<const float> candidate,
                  std::span<const std::int32_t> next_tokens, const compare_rows_options& opts,
                  std::span<token_comparison> out, const row_floors& floors) {
    const std::size_t n = reference.rows, vocabulary = reference.cols;
    if (candidate.rows != n || candidate.cols != vocabulary) {
        throw error(function, "the reference is " + std::to_string(n) + " x " + std::to_string(vocabulary) +
                                  " and the candidate " + std::to_string(candidate.rows) + " x " +
                                  std::to_string(candidate.cols) + ", but they must have the same shape");
    }
    if (opts.top_k > detail::max_top_k) {
        throw error(function, "top_k = " + std::to_string(opts.top_k) + ", but the top-k overlap takes k in [1, " +
                                  std::to_string(detail::max_top_k) + "] (0: none)");
    }
    if (out.size() != n || (!next_tokens.empty() && next_tokens.size() != n)) {
        throw error(function, "the outputs (" + std::to_string(out.size()) + ") and token ids (" +
                                  std::to_string(next_tokens.size()) + ") must have one entry per row (" +
                                  std::to_string(n) + ")");
    }
    for (std::size_t i = 0; i < next_tokens.size(); ++i) {
        const std::int32_t t = next_tokens[i];
        if (t < -1 || t >= static_cast<std::int64_t>(vocabulary)) {
            throw error(function, "next token of position " + std::to_string(opts.first_position + i) + " = " +
                                      std::to_string(t) + ", but it must be -1 (unknown) or in [0, " +
                                      std::to_string(vocabulary) + ")");
        }
    }
    for (const auto& [given, name] : {std::pair{floors.reference, "reference"}, {floors.candidate, "candidate"}}) {
        if (!given.empty() && given.size() != n) {
            throw error(function, std::string("the ") + name + " floors (" + std::to_string(given.size()) +
                                      ") must have one entry per row (" + std::to_string(n) + ")");
        }
    }
    const coarsened_rows coarse(reference, candidate, floors);
    const matrix_view<const float> p =
        coarse.any ? matrix_view<const float>(coarse.reference.data(), n, vocabulary) : reference;
    const matrix_view<const float> q =
        coarse.any ? matrix_view<const float>(coarse.candidate.data(), n, vocabulary) : candidate;
    std::vector<double> kl(n), reverse(opts.reverse_kl ? n : 0), js(opts.js ? n : 0), log_z_p(n), log_z_q(n);
    try {
        measure_rows(
            p, q, {.kl = kl, .reverse_kl = reverse, .js = js, .log_normalizer_p = log_z_p, .log_normalizer_q = log_z_q},
            {.input = input_kind::logits, .rows = {.threads = opts.threads}});
    } catch (const error&) {  // measure_rows names the row of this block: name the file and position
        report_bad_rows(reference, candidate, opts);
        throw;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isfinite(kl[i])) continue;
        const std::uint64_t position = opts.first_position + i;
        const float* a = p.row(i);
        const float* b = q.row(i);
        std::size_t j = 0;  // the first token the reference keeps and the candidate gives −inf
        while (j < vocabulary && !(a[j] > b[j] && std::isinf(b[j]))) ++j;
        if (j == vocabulary) {
            throw error(function, "position " + std::to_string(position) + ": D(reference||candidate) = " +
                                      std::to_string(kl[i]) + ", but it must be finite (is a row NaN or infinite?)");
        }
        const detail::floored_tail& tail = coarse.tails[i];
        const std::string which =
            tail.count > 0 && tail.representative == j
                ? "the " + std::to_string(tail.count) + " floored tokens lumped with token id " + std::to_string(j)
                : "token id " + std::to_string(j);
        throw error(function,
                    io::file_and_row(opts.candidate_files, position, "candidate") + ", position " +
                        std::to_string(position) + ": gives probability 0 to " + which +
                        ", which the reference gives probability " +
                        kldiv::detail::to_text(std::exp(static_cast<double>(a[j]) - log_z_p[i])) +
                        ", so D(reference||candidate) = inf: the candidate must give every token the reference keeps "
                        "a finite logit");
    }
    kldiv::detail::parallel_for(n, kldiv::detail::worker_count(opts.threads), [&](std::size_t i, unsigned) {
        const std::size_t held = std::max<std::size_t>(10, opts.top_k);
        const top_tokens tp(std::span(reference.row(i), vocabulary), held),
            tq(std::span(candidate.row(i), vocabulary), held);
        token_comparison& t = out[i];
        t = token_comparison{.kl = kl[i], .vocabulary = vocabulary};
        if (opts.reverse_kl) t.reverse_kl = reverse[i];
        if (opts.js) t.js = js[i];
        t.same_top = tp.count > 0 && tq.count > 0 && tp.index[0] == tq.index[0];
        t.top5_overlap = overlap(tp, tq, 5);
        t.top10_overlap = overlap(tp, tq, 10);
        if (opts.top_k != 0) {
            t.top_k = static_cast<unsigned>(opts.top_k);
            t.top_k_overlap = overlap(tp, tq, opts.top_k);
        }
        if (next_tokens.empty() || next_tokens[i] < 0) return;
        const auto x = static_cast<std::size_t>(next_tokens[i]);
        // The stored values (a floored token's floor), less the (coarsened) row's normalizer. At most 0:
        // the normalizer's rounding (about 1e-7 for float rows) must not make p > 1.
        const float a = reference.row(i)[x], b = candidate.row(i)[x];
        t.log_p_reference = std::min(0.0, static_cast<double>(a) - log_z_p[i]);
        t.log_p_candidate = std::min(0.0, static_cast<double>(b) - log_z_q[i]);
        t.reference_token_floored = at_or_below(a, floors.reference, i);
        t.candidate_token_floored = at_or_below(b, floors.candidate, i);
    });
}

}  // namespace kldiv::llm
