#pragma once
// `kldiv llm-compare` as a library call: a reference and a candidate model's rows over the same
// scored positions (row_source.hpp), streamed a block at a time, compared position by position
// (compare_rows.hpp) and summed up (comparison_summary.hpp), overall and per candidate file.
//
// Token ids (the actual next token of each position, for perplexity and Δp) come from
// `next_tokens` when given, else from the reference when its files carry them; a mask (one flag
// per position, 0 = skip) leaves positions out of every statistic. Each candidate file gets a
// complete summary; its statistics are kept, and the overall summary is the merge of the files'
// summaries in file order, which is what a cluster run over the same files computes too (equal
// bits).
//
// Memory: two blocks of rows (reference and candidate) of at most `block_bytes` together, plus two
// summaries (about 16 MB each); independent of the number of positions and files.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kldiv/llm/compare_rows.hpp"
#include "kldiv/llm/comparison_summary.hpp"
#include "kldiv/llm/row_source.hpp"

namespace kldiv::llm {

struct comparison_progress {
    std::uint64_t rows_done = 0, rows_total = 0;
    double bytes_done = 0.0;  // stored bytes of both models read so far
};

struct model_comparison_options {
    compare_rows_options rows{};
    std::vector<std::int32_t> next_tokens;  // empty, or one per position (−1: unknown)
    std::vector<std::uint8_t> mask;         // empty, or one per position (0: not scored)
    std::size_t block_bytes = std::size_t{256} << 20;
    std::function<void(const comparison_progress&)> progress;  // called after every block
};

struct file_comparison {
    std::string file;  // the candidate's file
    std::uint64_t first_row = 0, rows = 0;
    comparison_statistics statistics;
};

struct model_comparison {
    std::string reference_format, candidate_format;
    std::size_t vocabulary = 0;
    std::uint64_t positions = 0;        // rows in each model
    std::string token_source;           // "--tokens", "reference" or "none"
    std::vector<file_comparison> files; // per candidate file
    comparison_summary overall;         // their merge, in file order
};

// Throws kldiv::error (before any statistic is computed) when the two models differ in vocabulary or
// positions, or the token ids or mask have another length; and as compare_rows does for bad rows.
model_comparison compare_models(row_source& reference, row_source& candidate, const model_comparison_options& opts);

}  // namespace kldiv::llm
