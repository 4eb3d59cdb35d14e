// compare_models: the streaming loop of llm-compare (include/kldiv/llm/model_comparison.hpp).

#include "kldiv/llm/model_comparison.hpp"

#include <algorithm>

#include "kldiv/error.hpp"

namespace kldiv::llm {
namespace {

constexpr const char* function = "compare_models";

void check_length(const char* what, std::size_t size, std::uint64_t positions) {
    if (size != 0 && size != positions) {
        throw error(function, std::string(what) + " has " + std::to_string(size) + " entries, but the models have " +
                                  std::to_string(positions) + " positions");
    }
}

}  // namespace

model_comparison compare_models(row_source& reference, row_source& candidate, const model_comparison_options& opts) {
    const std::size_t v = reference.vocabulary();
    const std::uint64_t n = reference.rows();
    if (candidate.vocabulary() != v || candidate.rows() != n) {
        throw error(function, "the reference has " + std::to_string(n) + " positions over " + std::to_string(v) +
                                  " tokens and the candidate " + std::to_string(candidate.rows()) + " over " +
                                  std::to_string(candidate.vocabulary()) + ", but they must match");
    }
    check_length("the token ids", opts.next_tokens.size(), n);
    check_length("the mask", opts.mask.size(), n);
    model_comparison result;
    result.reference_format = reference.format();
    result.candidate_format = candidate.format();
    result.vocabulary = v;
    result.positions = n;
    result.token_source = !opts.next_tokens.empty() ? "--tokens" : reference.carries_tokens() ? "reference" : "none";
    for (const source_file& f : candidate.files()) result.files.push_back({f.name, f.first_row, f.rows, {}});
    comparison_summary current;  // of result.files[file]
    std::size_t file = 0;
    const auto close_file = [&] {
        result.files[file++].statistics = current.statistics();
        result.overall.merge(current);
        current = comparison_summary();
    };

    const std::size_t block = std::max<std::size_t>(1, opts.block_bytes / (2 * sizeof(float) * std::max<std::size_t>(v, 1)));
    std::vector<float> ref_rows(block * v), cand_rows(block * v);
    std::vector<std::int32_t> carried(reference.carries_tokens() ? block : 0), tokens(block);
    std::vector<token_comparison> compared(block);
    comparison_progress progress{0, n, 0.0};
    for (std::uint64_t first = 0; first < n;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block, n - first));
        const std::size_t got_ref = reference.read(ref_rows, carried, want);
        const std::size_t got_cand = candidate.read(cand_rows, {}, want);
        if (got_ref != want || got_cand != want) {
            throw error(function, "the " + std::string(got_ref != want ? "reference" : "candidate") + " ended at row " +
                                      std::to_string(first + std::min(got_ref, got_cand)) + " of " + std::to_string(n));
        }
        std::span<const std::int32_t> ids;
        if (!opts.next_tokens.empty()) {
            ids = std::span(opts.next_tokens).subspan(first, want);
        } else if (!carried.empty()) {
            ids = std::span<const std::int32_t>(carried).first(want);
        }
        compare_rows(matrix_view<const float>(ref_rows.data(), want, v), matrix_view<const float>(cand_rows.data(), want, v),
                     ids, opts.rows, std::span(compared).first(want));
        for (std::size_t i = 0; i < want; ++i) {
            const std::uint64_t row = first + i;
            while (row >= result.files[file].first_row + result.files[file].rows) close_file();
            if (!opts.mask.empty() && opts.mask[row] == 0) continue;
            current.add(compared[i]);
        }
        first += want;
        progress.rows_done = first;
        progress.bytes_done += static_cast<double>(want) * (reference.bytes_per_row() + candidate.bytes_per_row());
        if (opts.progress) opts.progress(progress);
    }
    while (file < result.files.size()) close_file();
    return result;
}

}  // namespace kldiv::llm
