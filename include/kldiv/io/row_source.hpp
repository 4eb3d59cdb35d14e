#pragma once
// A stream of next-token rows for `kldiv llm-compare`: one model's logits or log-probabilities
// over the scored positions, in order, from one or several files, read a block of rows at a time
// in bounded memory.
//
// open_rows() recognises each file by its first bytes:
//   "\x93NUMPY"   a .npy array of shape (rows, vocabulary), float16/32/64, C order
//   "_logits_"    llama.cpp's --kl-divergence-base file (llama_kl_base.hpp); carries token ids
//   "KLDIVREF"    kldiv's reference file (reference_file.hpp); may carry token ids
//   safetensors   a little-endian header length, then a JSON header opening with '{': one logits
//                 tensor of rank 2 or 3 (safetensors_rows.hpp), F16, BF16, F32 or F64
// Several files are shards read one after the other; they must share the format and vocabulary.
// A llama.cpp base file's rows are its decoded log-probabilities, code-0 entries included (they
// decode to the row's floor μ). A row whose logits spanned less than the 16-nat window was not
// clamped: μ is its lowest log-probability, exact, and the row reports no floor. In a clamped row
// the code-0 entries lie somewhere at or below μ, not known: read() reports μ as the row's floor,
// and compare_rows lumps those tokens into one event (docs/formats/llama-kl-base.md).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kldiv::io {

// The rows [first_row, first_row + rows) of the stream come from `name`.
struct source_file {
    std::string name;
    std::uint64_t first_row = 0, rows = 0;
};

// Where a row of a stream is stored, for messages: "candidate file c.npy (its row 17)", or "the
// candidate" when no file holds that row (or no files are given). `role`: "reference", "candidate".
std::string file_and_row(std::span<const source_file> files, std::uint64_t row, const std::string& role);

class row_source {
public:
    virtual ~row_source() = default;

    virtual std::size_t vocabulary() const = 0;
    virtual std::uint64_t rows() const = 0;
    virtual const std::vector<source_file>& files() const = 0;
    virtual std::string format() const = 0;  // e.g. "npy float16", "llama.cpp KL base"
    virtual bool carries_tokens() const { return false; }
    // Whether rows can have floored entries (read() then reports floors): llama.cpp base files.
    virtual bool has_floors() const { return false; }
    virtual double bytes_per_row() const = 0;  // stored bytes, for throughput reports
    // Rows stored together (a kldiv reference file's chunk, read and checked whole); 1 when each
    // row can be read alone. Readers that split the rows among themselves split them at multiples.
    virtual std::size_t chunk_rows() const { return 1; }

    // Continues reading at row `row` (<= rows()).
    virtual void seek(std::uint64_t row) = 0;

    // Reads the next min(max_rows, rows left) rows into out (row-major float, vocabulary() per row)
    // and, when the source carries token ids and next_tokens is not empty, the token each row
    // predicts (−1: unknown); when floors is not empty, each row's floor: the value at or below
    // which its entries are floored (stored as the floor, their own values unknown and lower), −inf
    // when no entry is (every row but a clamped llama.cpp one). Returns the number of rows read, 0 at
    // the end.
    virtual std::size_t read(std::span<float> out, std::span<std::int32_t> next_tokens, std::span<float> floors,
                             std::size_t max_rows) = 0;
};

// The vocabularies open_rows reads: at least 2 tokens (a distribution over one token says nothing)
// and at most 2^24, whatever the file format (.npy shapes are checked here, the other formats check
// their own headers too).
inline constexpr std::size_t row_source_min_vocab = 2;
inline constexpr std::size_t row_source_max_vocab = std::size_t{1} << 24;

// The files of one model, in order. `role` ("reference", "candidate") names it in errors. Each
// must be a regular file (not a pipe): a file is opened more than once, by every reader of the
// model, and each seeks in it.
std::unique_ptr<row_source> open_rows(const std::vector<std::filesystem::path>& paths, const std::string& role);

// One model as compare_models reads it: each call opens a new stream of its rows (every worker
// reads with its own). files_model(paths, role) opens its files with open_rows; memory_rows.hpp
// makes one of an array in memory.
using model_rows = std::function<std::unique_ptr<row_source>()>;
model_rows files_model(const std::vector<std::filesystem::path>& paths, const std::string& role);

// Per-position inputs, each a 1-D .npy array of integers or booleans, one entry per position:
// the actual next token ids (−1: unknown; others must be >= 0 and fit in 32 bits), and a mask
// (non-zero: the position is scored).
std::vector<std::int32_t> read_token_ids(const std::filesystem::path& path);
std::vector<std::uint8_t> read_mask(const std::filesystem::path& path);

}  // namespace kldiv::io
