#pragma once
// kldiv's reference file: the next-token log-probabilities of a reference model over a token
// stream, written once and read back chunk by chunk, in bounded memory, to compare candidate
// models against it (kldiv llm-compare). Layout, encodings and error bounds:
// docs/formats/kldiv-reference.md.
//
// A file holds `rows` distributions over a vocabulary of `n_vocab` tokens: row i is the model's
// prediction for the token after position i, and (optionally) next_tokens[i] is the token that
// actually came there (-1: unknown). The writer normalizes every row in double precision,
//     ℓ_j = (a_j − M) − log S,   M = max_j a_j,   S = Σ_j exp(a_j − M)  (summed in index order),
// so ℓ ≤ 0 and Σ exp(ℓ) = 1 up to rounding, and stores ℓ in one of three encodings. The reader
// checks the header, the file size and each chunk's CRC-32C before it decodes a row of it.
//
// Decoded rows are normalized only within the encoding's bound: give them to the measures as
// logits (kldiv::input_kind::logits), which renormalizes, or as log-probabilities with
// normalize = true; the KL bound below is for the renormalized row.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kldiv/batch.hpp"
#include "kldiv/names.hpp"

namespace kldiv::io {

// How the log-probabilities ℓ (≤ 0) are stored. For each, the error of a decoded value ℓ̂:
enum class reference_encoding : std::uint32_t {
    float32 = 1,  // 4 bytes a value: ℓ rounded to nearest float32, |ℓ̂ − ℓ| ≤ 2^-24·|ℓ| (2^-150 if tiny)
    float16 = 2,  // 2 bytes a value: ℓ rounded once to nearest-even IEEE binary16,
    // |ℓ̂ − ℓ| ≤ 2^-11·|ℓ|, or ≤ 2^-25 for |ℓ| < 2^-14; ℓ < −65520 becomes −∞ (p = 0 anyway)
    q16 = 3,  // 2 bytes a value + 4 a row: ℓ on a grid of step s = 2^step_log2 (default 2^-10),
              // |ℓ̂ − ℓ| ≤ s/2 for every ℓ ≥ max(ℓ) − 65534·s; values below max(ℓ) − 65535·s
              // (and −∞) decode to −∞ (p = 0); between the two either happens
};

// "q16" (kldiv llm-reference's default), "float16", "float32" (kldiv/names.hpp).
inline std::span<const named<reference_encoding>> names_of(reference_encoding) noexcept {
    static constexpr named<reference_encoding> table[] = {{reference_encoding::q16, "q16"},
                                                          {reference_encoding::float16, "float16"},
                                                          {reference_encoding::float32, "float32"}};
    return table;
}

// What a file's encoding guarantees, per decoded value and per row.
struct reference_error_bound {
    double absolute = 0;  // |ℓ̂ − ℓ| ≤ absolute + relative·|ℓ| for every kept value
    double relative = 0;
    // Values within kept_range below their row's maximum are kept; lower ones may decode to −∞.
    double kept_range = std::numeric_limits<double>::infinity();
    // The largest probability mass that any row of the file lost to −∞: Σ exp(ℓ_j) over the
    // finite ℓ_j that decode to −∞, measured by the writer in double.
    double dropped_mass = 0;
};

// A bound on |D(p̂‖q) − D(p‖q)| for one row, where p is the writer's normalized row, p̂ the
// renormalized decoded row, q any candidate, given kl = D(p‖q) (or, to bound from the decoded
// side, any upper bound of it), delta = the largest |ℓ̂_j − ℓ_j| over the kept values of the row
// (q16: s/2) and dropped = the row's dropped mass β:
//     η (D + √(2D)) + η² + β,   η = e^{2δ} / (1 − β) − 1,
// plus Σ_{dropped j} p_j·|log(p_j / q_j)|, which is 0 when no value is dropped (see the format
// document for the derivation and for the dropped terms). +∞ when β >= 1.
double reference_kl_error_bound(double kl, double delta, double dropped);

struct reference_writer_options {
    input_kind input = input_kind::logits;  // logits or log_probs (probabilities are refused)
    double sum_tolerance = 1e-3;            // log_probs: |Σ exp(a) − 1| allowed before normalizing
    bool has_tokens = true;                 // store one next-token id per row
    std::uint32_t rows_per_chunk = 0;       // 0: as many as fit in 16 MiB (at least 1); a chunk
                                            // may hold at most 256 MiB
    int q16_step_log2 = -10;                // q16: the grid step is 2^q16_step_log2, in [-16, -4]
};

// Writes a reference file: the rows go to a temporary file beside `path` that close() renames
// onto `path`, so the file appears whole or not at all. Memory: one chunk and one row of doubles.
// Any error (kldiv::error naming the file, the row, the column, the value and the rule) leaves the
// writer failed: nothing more can be written, and destroying it removes the temporary. Destroyed
// without close(), it removes the temporary too and leaves `path` as it was.
class reference_writer {
public:
    reference_writer(const std::filesystem::path& path, std::size_t n_vocab, reference_encoding encoding,
                     const reference_writer_options& options = {});
    ~reference_writer();
    reference_writer(reference_writer&&) noexcept;
    reference_writer& operator=(reference_writer&&) noexcept;
    reference_writer(const reference_writer&) = delete;
    reference_writer& operator=(const reference_writer&) = delete;

    // Appends `rows` rows: `values` holds rows × n_vocab logits or log-probabilities (row-major;
    // −∞ allowed, NaN and +∞ not, and not a whole row of −∞); `next_tokens` holds `rows` ids in
    // [-1, n_vocab) when the file has tokens, and is empty when it has none.
    void write_rows(std::span<const float> values, std::span<const std::int32_t> next_tokens, std::size_t rows);

    // Writes the last chunk and the row count, flushes, and renames the file onto its path:
    // finish() and commit().
    void close();
    // close() in two steps, to read the finished file back (at unfinished_path()) before it
    // replaces anything at its path: finish() writes the last chunk and the row count and flushes;
    // commit() renames the file onto its path. Destroyed (or discard()ed) in between, the writer
    // removes the file and leaves the path as it was.
    void finish();
    std::filesystem::path unfinished_path() const;
    void commit();
    void discard() noexcept;

    std::uint64_t rows_written() const noexcept;

private:
    struct state;
    std::unique_ptr<state> state_;
};

// Reads a reference file sequentially (or from any row, after seek()), one chunk in memory at a
// time. The constructor checks the header (magic, version, CRC-32C, every field) and that the file
// size is what the header's row count needs; read_rows checks each chunk's CRC-32C and contents
// before it decodes any row of the chunk. Errors: kldiv::error("reference_reader", …) naming the
// file, the chunk and its rows, the value and the rule.
class reference_reader {
public:
    explicit reference_reader(const std::filesystem::path& path);
    ~reference_reader();
    reference_reader(reference_reader&&) noexcept;
    reference_reader& operator=(reference_reader&&) noexcept;
    reference_reader(const reference_reader&) = delete;
    reference_reader& operator=(const reference_reader&) = delete;

    std::size_t n_vocab() const noexcept;
    std::uint64_t rows() const noexcept;
    reference_encoding encoding() const noexcept;
    bool has_tokens() const noexcept;
    std::uint32_t rows_per_chunk() const noexcept;
    reference_error_bound error_bound() const noexcept;

    // The row that read_rows decodes next.
    std::uint64_t position() const noexcept;
    // Continues from row `row` (<= rows()).
    void seek(std::uint64_t row);

    // Decodes the next min(max_rows, rows() − position()) rows into `out` (row-major, n_vocab
    // floats a row; it must hold max_rows × n_vocab) and their next-token ids into `next_tokens`
    // (empty: not wanted; otherwise at least max_rows, filled with -1 when the file has none).
    // Returns the number of rows decoded: 0 at the end.
    std::size_t read_rows(std::span<float> out, std::span<std::int32_t> next_tokens, std::size_t max_rows);

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace kldiv::io
