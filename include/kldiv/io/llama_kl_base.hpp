#pragma once
// Reading llama.cpp's KL-divergence base files: the reference log-probabilities that
// `llama-perplexity --kl-divergence-base FILE` writes and `--kl-divergence` reads back. The layout,
// the decode and its error bound are in docs/formats/llama-kl-base.md.
//
// The file holds n_chunk chunks of n_ctx tokens. In each chunk the positions n_ctx/2 … n_ctx−2 are
// scored: one stored row per position, the distribution over the n_vocab tokens that predicts the
// token at the next position. A row is a scale s and a floor μ (float32) and one uint16 code q per
// token; the log-probability is decoded as llama.cpp does, log p = s·q + μ in float32.
//
//   kldiv::io::llama_kl_base_reader base("ref.kld");     // header and tokens checked here
//   std::vector<float> rows(64 * base.n_vocab());
//   while (std::size_t n = base.read_rows(rows, 64)) { /* rows 0..n-1, n_vocab log-probs each */ }
//
// Errors throw kldiv::error with function() == "read_llama_kl_base" and a message naming the file,
// the value and the rule, e.g.
//   read_llama_kl_base: ref.kld: header says n_vocab = 0, but it must be >= 2
//   read_llama_kl_base: ref.kld: row 17 (chunk 0, position 273) has scale = nan, but it must be finite and >= 0

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace kldiv::io {

// kldiv's own limits, beyond llama.cpp's rules, so that a hostile header cannot ask for huge memory:
// the token ids are held in memory (4 bytes each) and one row is decoded at a time (4 bytes per token
// of the vocabulary). Real files are far below both (vocabularies of 32k–256k, corpora of ~300k tokens).
inline constexpr std::size_t llama_kl_base_max_vocab = std::size_t{1} << 24;
inline constexpr std::size_t llama_kl_base_max_tokens = std::size_t{1} << 24;

// The quantization of one stored row: log p[i] = scale·q[i] + min_log_prob, q[i] in 0…65535.
struct llama_row_quantization {
    float scale = 0;         // (max logit − floor logit) / 65535; 0 when the row's logits were all equal
    float min_log_prob = 0;  // the decoded value of q = 0: the row's floor (tokens at or below it decode to it)

    // The largest |decoded − exact log-softmax| for a token above the floor, in nats, for a row over
    // n_vocab tokens (derived in docs/formats/llama-kl-base.md): s·(1/2 + 3/256) + 2⁻²⁴·(4R + 4 ln V + 2)
    // with R = 65535·s. Tokens at the floor decode to min_log_prob, which is at least their exact value
    // less this bound (an upper bound on it, not an estimate).
    double error_bound(std::size_t n_vocab) const noexcept;

    // Whether the floor may have been clamped, 65535·s >= 16 − 10⁻³ nats: then the row's code-0 tokens
    // lie at or below min_log_prob, their values unknown. Otherwise the row's logits spanned less than
    // llama.cpp's 16-nat window, the floor is the lowest logit, and code 0 decodes to the exact
    // log-probability of those tokens (within error_bound). ik_llama.cpp's 24-nat window only makes
    // more rows count as clamped than were, which loses no correctness.
    bool floor_clamped() const noexcept;
};

inline constexpr double llama_kl_base_window = 16.0;           // nats: M − floor logit at most
inline constexpr double llama_kl_base_window_margin = 1.0e-3;  // nats: rows wider than 16 − this are clamped

// Where one scored row sits and what it predicts.
struct llama_scored_row {
    std::size_t chunk = 0;        // 0 … n_chunk−1
    std::size_t position = 0;     // position in the chunk whose output the row is: n_ctx/2 … n_ctx−2
    std::int32_t next_token = 0;  // the token at position + 1 of the chunk: the one the row predicts
};

class llama_kl_base_reader {
public:
    // Opens `path` and checks the header (magic, n_ctx, n_vocab, n_chunk), the file size against it,
    // and every token id; reads the token ids. Rows are read later, by read_rows.
    explicit llama_kl_base_reader(const std::filesystem::path& path);
    ~llama_kl_base_reader();
    llama_kl_base_reader(llama_kl_base_reader&&) noexcept;
    llama_kl_base_reader& operator=(llama_kl_base_reader&&) noexcept;

    const std::string& file_name() const noexcept;  // the path as given, for messages
    std::size_t n_vocab() const noexcept;
    std::size_t n_ctx() const noexcept;  // tokens per chunk
    std::size_t n_chunk() const noexcept;
    // All n_chunk × n_ctx token ids, chunk after chunk, as the model read them (llama.cpp replaces
    // the first token of each chunk by BOS while evaluating when the vocabulary asks for it; the file
    // keeps the original id).
    std::span<const std::int32_t> tokens() const noexcept;

    std::size_t first_scored_position() const noexcept;  // n_ctx/2
    std::size_t rows_per_chunk() const noexcept;         // n_ctx − 1 − n_ctx/2
    std::size_t n_rows() const noexcept;                 // n_chunk × rows_per_chunk
    // Row r (0 ≤ r < n_rows, file order): its chunk, position and the token it predicts. Throws
    // kldiv::error when r is out of range.
    llama_scored_row scored_row(std::size_t r) const;
    // The token each row predicts, for all n_rows rows in file order.
    std::vector<std::int32_t> next_tokens() const;

    // Decodes the next min(max_rows, rows left) rows into out (row-major, n_vocab natural-log
    // probabilities per row) and returns how many it decoded: 0 once every row has been read.
    // out must hold max_rows × n_vocab floats. Reads only those rows' bytes from the file. A row whose
    // scale or floor is not a finite number, or whose largest log-probability is outside
    // [−ln n_vocab, 0] (it always lies there for a distribution over n_vocab tokens), throws
    // kldiv::error naming the row, its chunk and position.
    std::size_t read_rows(std::span<float> out, std::size_t max_rows);
    // The same, also giving each decoded row's quantization (quantization.size() >= max_rows).
    std::size_t read_rows(std::span<float> out, std::size_t max_rows, std::span<llama_row_quantization> quantization);

    std::size_t next_row() const noexcept;  // the index of the row read_rows decodes next
    // Moves to row r (0 ≤ r ≤ n_rows; n_rows means the end): the next read_rows starts there.
    void seek_row(std::size_t r);

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace kldiv::io
