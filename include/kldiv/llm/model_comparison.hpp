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
// Work: the positions are cut into units (multiples of the models' stored chunks, a few MiB of rows
// each); each worker thread opens its own streams of the two models, takes the next unit, seeks to
// it, reads and decodes its rows a few at a time (so that they stay in cache while they are
// compared) and compares them. Reading, decoding and computing thus run on all threads at once, and
// one thread's wait for the disk is another's time to compute. The comparisons are summed up in
// position order, so the numbers do not depend on the thread count.
//
// Memory: per worker, at most min(4 MiB, block_bytes / workers) of decoded rows plus its readers'
// buffers (a kldiv reference file's chunk: 16 MiB unless written larger; there are only as many
// workers as 128 MiB of such chunks allow); plus, per candidate, two summaries (about 16 MB each)
// and a few per-position records; independent of the number of positions and files.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "kldiv/io/row_source.hpp"
#include "kldiv/llm/compare_rows.hpp"
#include "kldiv/llm/comparison_summary.hpp"
#include "kldiv/progress.hpp"

namespace kldiv::llm {

inline constexpr std::uint64_t all_rows = std::numeric_limits<std::uint64_t>::max();

struct model_comparison_options {
    compare_rows_options rows{};
    std::vector<std::int32_t> next_tokens;             // empty, or one per position (−1: unknown)
    std::vector<std::uint8_t> mask;                    // empty, or one per position (0: not scored)
    std::size_t block_bytes = std::size_t{256} << 20;  // bound on the decoded rows held
    // 0: the models' vocabularies must be equal. N: compare the first N tokens of every row (each row
    // renormalized over them): for vocabularies padded to different sizes (32000 against 31999 +
    // padding); N must not exceed any model's vocabulary, and an actual token at or above N is an error.
    std::size_t vocabulary = 0;
    std::uint64_t first_row = 0, row_count = all_rows;  // compare only these positions
    bool keep_file_summaries = false;                   // fill model_comparison::file_summaries
    progress_callback progress{};                       // positions compared, and stored bytes of both models read
};

struct file_comparison {
    std::string file;  // the candidate's file
    std::uint64_t first_row = 0, rows = 0;
    comparison_statistics statistics;
};

struct model_comparison {
    std::string reference_format, candidate_format;
    std::size_t vocabulary = 0;                      // tokens compared (the models' own, or options.vocabulary)
    std::uint64_t positions = 0;                     // rows in each model
    std::string token_source;                        // "--tokens", "reference" or "none"
    std::vector<file_comparison> files;              // per candidate file with rows among the compared positions,
                                                     // its rows clipped to them (files of no rows are left out)
    std::vector<comparison_summary> file_summaries;  // the same files' summaries, when kept
    comparison_summary overall;                      // their merge, in file order
};

// Compares positions [first_row, first_row + row_count) of the two models (their files as
// open_rows takes them); token ids and mask are indexed by position over all the models' rows.
// The summary of a file whose rows all lie in the range equals, bit for bit, its summary in a run
// over all positions: a cluster can compare files separately and merge their summaries in order.
// Throws kldiv::error (before any statistic is computed) when the two models differ in vocabulary or
// positions, the token ids or mask have another length, or first_row > positions; and as
// compare_rows does for bad rows; and, for a whole run (row_count = all_rows), when no position is
// scored (no positions, or a mask of zeros).
model_comparison compare_models(const std::vector<std::filesystem::path>& reference,
                                const std::vector<std::filesystem::path>& candidate,
                                const model_comparison_options& opts);

// Throws kldiv::error when the comparison scored no position (models without positions, a mask of
// zeros): compare_models does for a whole run, a cluster run on its merged files.
void require_scored_positions(const model_comparison& comparison);

// Several candidates (Q4, Q5, Q8 of one model) against one reference in one pass over it: each
// worker reads a block of the reference's rows once and compares every candidate's rows with it in
// turn. Result k is, bit for bit, what compare_models(reference, candidates[k], opts) gives; the
// memory bound is that of one candidate (rows are held for one candidate at a time), plus each
// candidate's readers and summaries. Errors name "candidate k" (from 1).
std::vector<model_comparison> compare_models(const std::vector<std::filesystem::path>& reference,
                                             const std::vector<std::vector<std::filesystem::path>>& candidates,
                                             const model_comparison_options& opts);

// The same with each model given as io::model_rows: files (io::files_model) or rows in memory
// (io::memory_model, kldiv/io/memory_rows.hpp), each opened once per worker.
std::vector<model_comparison> compare_models(const io::model_rows& reference,
                                             const std::vector<io::model_rows>& candidates,
                                             const model_comparison_options& opts);

}  // namespace kldiv::llm
