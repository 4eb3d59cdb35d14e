// The reader of llama.cpp's KL-divergence base files (include/kldiv/io/llama_kl_base.hpp): header
// and size checks, the token ids, and the streaming decode of the quantized log-probability rows.
// The layout is in docs/formats/llama-kl-base.md.

#include "kldiv/io/llama_kl_base.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string_view>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "src/common/format.hpp"
#include "src/io/input_file.hpp"

namespace kldiv::io {
namespace {

constexpr const char* reader_name = "read_llama_kl_base";
constexpr std::string_view magic{"_logits_", 8};
constexpr std::uint64_t header_bytes = 20;          // magic, n_ctx, n_vocab, n_chunk
constexpr std::size_t row_header_words = 4;         // two float32 (scale, min_log_prob) as four uint16
constexpr std::size_t read_block_bytes = 1u << 20;  // rows are read in blocks of about this size

std::uint32_t little_endian_32(const unsigned char* p) noexcept {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

// The file's 16-bit words are little-endian; on a big-endian machine they are swapped after reading.
void words_to_host(std::span<std::uint16_t> words) noexcept {
    if constexpr (std::endian::native == std::endian::big) {
        for (std::uint16_t& w : words) w = static_cast<std::uint16_t>(w >> 8 | w << 8);
    }
}

// A float32 stored as two little-endian 16-bit words (already in host order).
float float_from_words(const std::uint16_t* w) noexcept {
    return std::bit_cast<float>(std::uint32_t{w[0]} | std::uint32_t{w[1]} << 16);
}

}  // namespace

double llama_row_quantization::error_bound(std::size_t n_vocab) const noexcept {
    const double s = scale;
    const double range = 65535.0 * s;  // max logit − floor logit
    const double u = 0x1p-24;          // float32 unit roundoff
    return s * (0.5 + 3.0 / 256.0) + u * (4.0 * range + 4.0 * std::log(static_cast<double>(n_vocab)) + 2.0);
}

bool llama_row_quantization::floor_clamped() const noexcept {
    return 65535.0 * static_cast<double>(scale) >= llama_kl_base_window - llama_kl_base_window_margin;
}

struct llama_kl_base_reader::state {
    io::detail::input_file file;
    std::size_t n_vocab = 0, n_ctx = 0, n_chunk = 0;
    std::size_t first = 0, rows_per_chunk = 0, n_rows = 0;
    std::size_t row_words = 0;      // uint16 words per row: 4 + n_vocab rounded up to even
    std::uint64_t rows_offset = 0;  // byte offset of row 0
    std::vector<std::int32_t> tokens;
    std::vector<std::uint16_t> block;  // raw words of the rows being decoded
    std::size_t next = 0;              // the next row to decode

    [[noreturn]] void fail(const std::string& message) const { throw error(reader_name, file.name + ": " + message); }

    std::string where(std::size_t r) const {
        return "row " + std::to_string(r) + " (chunk " + std::to_string(r / rows_per_chunk) + ", position " +
               std::to_string(first + r % rows_per_chunk) + ")";
    }

    void read_header();
    void read_tokens();
    void decode_row(std::size_t r, const std::uint16_t* words, float* out, llama_row_quantization& quantization) const;
    std::size_t read_rows(std::span<float> out, std::size_t max_rows, llama_row_quantization* quantization);
};

void llama_kl_base_reader::state::read_header() {
    if (file.size < header_bytes) {
        fail(file.size == 0 ? std::string("the file is empty, but a llama.cpp KL-divergence base file starts with a "
                                          "20-byte header (magic \"_logits_\", n_ctx, n_vocab, n_chunk)")
                            : "the file has " + std::to_string(file.size) +
                                  " bytes, but a llama.cpp KL-divergence base file starts with a 20-byte header "
                                  "(magic \"_logits_\", n_ctx, n_vocab, n_chunk)");
    }
    unsigned char header[header_bytes];
    io::detail::read_exact(file, reinterpret_cast<char*>(header), header_bytes, reader_name, "the header");
    const std::string_view start(reinterpret_cast<const char*>(header), magic.size());
    if (start != magic) {
        fail("the file starts with \"" + kldiv::printable(start) +
             "\", but a llama.cpp KL-divergence base file (written by llama-perplexity --kl-divergence-base) "
             "starts with \"_logits_\"");
    }
    // Written as int32 by llama.cpp; read as signed so that a negative value is named as such.
    const auto field = [&](int offset) { return static_cast<std::int32_t>(little_endian_32(header + offset)); };
    const std::int32_t ctx = field(8), vocab = field(12), chunks = field(16);
    if (ctx < 3) {
        fail("header says n_ctx = " + std::to_string(ctx) +
             ", but it must be >= 3: a chunk of n_ctx tokens scores positions n_ctx/2 to n_ctx-2");
    }
    if (vocab < 2) fail("header says n_vocab = " + std::to_string(vocab) + ", but it must be >= 2");
    if (static_cast<std::size_t>(vocab) > llama_kl_base_max_vocab) {
        fail("header says n_vocab = " + std::to_string(vocab) + ", but kldiv reads vocabularies of at most " +
             std::to_string(llama_kl_base_max_vocab) + " tokens (is the header corrupt?)");
    }
    if (chunks < 1) fail("header says n_chunk = " + std::to_string(chunks) + ", but it must be >= 1");
    n_ctx = static_cast<std::size_t>(ctx);
    n_vocab = static_cast<std::size_t>(vocab);
    n_chunk = static_cast<std::size_t>(chunks);
    // Both factors are below 2^31, so the product fits in 64 bits.
    const std::uint64_t token_count = std::uint64_t{n_ctx} * n_chunk;
    if (token_count > llama_kl_base_max_tokens) {
        fail("header says n_chunk = " + std::to_string(n_chunk) + " chunks of n_ctx = " + std::to_string(n_ctx) +
             " tokens, " + std::to_string(token_count) + " tokens in all, but kldiv reads at most " +
             std::to_string(llama_kl_base_max_tokens) + " tokens (is the header corrupt?)");
    }
    first = n_ctx / 2;
    rows_per_chunk = n_ctx - 1 - first;
    n_rows = n_chunk * rows_per_chunk;
    row_words = row_header_words + (n_vocab + 1) / 2 * 2;
    rows_offset = header_bytes + 4 * token_count;

    // token_count ≤ 2^24 and row_words ≤ 2^24 + 4: no overflow below.
    const std::uint64_t row_bytes = 2 * std::uint64_t{row_words};
    const std::uint64_t expected = rows_offset + n_rows * row_bytes;
    if (file.size == expected) return;
    std::string message = "header says n_ctx = " + std::to_string(n_ctx) + ", n_vocab = " + std::to_string(n_vocab) +
                          ", n_chunk = " + std::to_string(n_chunk) + ", so the file must have " +
                          std::to_string(expected) + " bytes (20 header + " + std::to_string(4 * token_count) +
                          " token + " + std::to_string(n_rows) + " rows × " + std::to_string(row_bytes) +
                          "), but it has " + std::to_string(file.size);
    if (file.size < expected) {
        message += ": the file is truncated (" + std::to_string(expected - file.size) + " bytes missing)";
    } else {
        message += ": " + std::to_string(file.size - expected) + " bytes too many";
    }
    // Rows of another size would fit: the header's n_vocab is likely not the one the rows were written with.
    if (file.size > rows_offset && (file.size - rows_offset) % n_rows == 0) {
        const std::uint64_t fitting = (file.size - rows_offset) / n_rows;
        if (fitting != row_bytes && fitting % 4 == 0 && fitting / 2 > row_header_words) {
            const std::uint64_t words = fitting / 2 - row_header_words;
            message += "; rows of " + std::to_string(fitting) +
                       " bytes would fill it exactly, as for n_vocab = " + std::to_string(words - 1) + " or " +
                       std::to_string(words) + ": was the file written for another vocabulary?";
        }
    }
    fail(message);
}

void llama_kl_base_reader::state::read_tokens() {
    tokens.resize(n_ctx * n_chunk);
    io::detail::read_exact(file, reinterpret_cast<char*>(tokens.data()), 4 * std::uint64_t{tokens.size()}, reader_name,
                           "the token ids");
    if constexpr (std::endian::native == std::endian::big) {
        for (std::int32_t& t : tokens) {
            t = static_cast<std::int32_t>(little_endian_32(reinterpret_cast<const unsigned char*>(&t)));
        }
    }
    const auto bad = std::find_if(tokens.begin(), tokens.end(),
                                  [&](std::int32_t t) { return t < 0 || static_cast<std::size_t>(t) >= n_vocab; });
    if (bad != tokens.end()) {
        const auto i = static_cast<std::size_t>(bad - tokens.begin());
        fail("token " + std::to_string(i) + " (chunk " + std::to_string(i / n_ctx) + ", position " +
             std::to_string(i % n_ctx) + ") is " + std::to_string(*bad) +
             ", but token ids must be in [0, n_vocab) = [0, " + std::to_string(n_vocab) + ")");
    }
}

void llama_kl_base_reader::state::decode_row(std::size_t r, const std::uint16_t* words, float* out,
                                             llama_row_quantization& quantization) const {
    const float scale = float_from_words(words);
    const float floor = float_from_words(words + 2);
    if (!std::isfinite(scale) || !(scale >= 0)) {
        fail(where(r) + " has scale = " + kldiv::detail::to_text(scale) + ", but it must be finite and >= 0");
    }
    if (!std::isfinite(floor)) {
        fail(where(r) + " has min_log_prob = " + kldiv::detail::to_text(floor) + ", but it must be finite");
    }
    const std::uint16_t* q = words + row_header_words;
    std::uint16_t q_max = 0;
    for (std::size_t i = 0; i < n_vocab; ++i) {
        out[i] = scale * static_cast<float>(q[i]) + floor;  // float32, as llama.cpp decodes
        q_max = std::max(q_max, q[i]);
    }
    quantization = {scale, floor};
    // The largest log-probability of a distribution over V tokens lies in [−ln V, 0].
    const float top = scale * static_cast<float>(q_max) + floor;
    const double tolerance = quantization.error_bound(n_vocab);
    const double lowest = -std::log(static_cast<double>(n_vocab));
    if (!(top <= tolerance && top >= lowest - tolerance)) {
        fail(where(r) + " has its largest log-probability at " + kldiv::detail::to_text(top) + " (scale = " +
             kldiv::detail::to_text(scale) + ", min_log_prob = " + kldiv::detail::to_text(floor) + ", largest code " +
             std::to_string(q_max) + "), but a distribution over n_vocab = " + std::to_string(n_vocab) +
             " tokens has it in [-ln n_vocab, 0] = [" + kldiv::detail::to_text(lowest) +
             ", 0] (within the decode error " + kldiv::detail::to_text(tolerance) + "): the row is corrupt");
    }
    // The probabilities must sum to 1 within the decode error: at most e^ε over the tokens above the
    // floor, and at least e^−ε over all tokens when the floor is the row's minimum (not clamped).
    // e^(s·q) = e^(256·s·h)·e^(s·l) for q = 256·h + l: two tables of 256 exponentials per row.
    double high[256], low[256];
    for (int k = 0; k < 256; ++k) {
        high[k] = std::exp(256.0 * scale * k);
        low[k] = std::exp(static_cast<double>(scale) * k);
    }
    double kept = 0.0;
    std::size_t floored = 0;
    for (std::size_t i = 0; i < n_vocab; ++i) {
        if (q[i] == 0) {
            ++floored;
        } else {
            kept += high[q[i] >> 8] * low[q[i] & 255];
        }
    }
    kept *= std::exp(static_cast<double>(floor));
    const double all = kept + static_cast<double>(floored) * std::exp(static_cast<double>(floor));
    const double slack = 1e-6;  // the tables' and the sum's rounding
    const bool clamped = quantization.floor_clamped();
    const double upper = std::exp(tolerance) + slack, lower = std::exp(-tolerance) - slack;
    if (kept > upper || (!clamped && !(all >= lower && all <= upper))) {
        fail(where(r) + " decodes to probabilities summing to " + kldiv::detail::to_text(clamped ? kept : all) +
             (clamped ? " over the tokens above its floor" : "") + " (scale = " + kldiv::detail::to_text(scale) +
             ", min_log_prob = " + kldiv::detail::to_text(floor) +
             "), but a distribution sums to 1 (within the decode error " + kldiv::detail::to_text(tolerance) +
             " on each log-probability): the row is corrupt or was written with another window");
    }
}

llama_kl_base_reader::llama_kl_base_reader(const std::filesystem::path& path) : state_(std::make_unique<state>()) {
    state_->file = io::detail::open_input_file(path, reader_name);
    state_->read_header();
    state_->read_tokens();
}

llama_kl_base_reader::~llama_kl_base_reader() = default;
llama_kl_base_reader::llama_kl_base_reader(llama_kl_base_reader&&) noexcept = default;
llama_kl_base_reader& llama_kl_base_reader::operator=(llama_kl_base_reader&&) noexcept = default;

const std::string& llama_kl_base_reader::file_name() const noexcept { return state_->file.name; }
std::size_t llama_kl_base_reader::n_vocab() const noexcept { return state_->n_vocab; }
std::size_t llama_kl_base_reader::n_ctx() const noexcept { return state_->n_ctx; }
std::size_t llama_kl_base_reader::n_chunk() const noexcept { return state_->n_chunk; }
std::span<const std::int32_t> llama_kl_base_reader::tokens() const noexcept { return state_->tokens; }
std::size_t llama_kl_base_reader::first_scored_position() const noexcept { return state_->first; }
std::size_t llama_kl_base_reader::rows_per_chunk() const noexcept { return state_->rows_per_chunk; }
std::size_t llama_kl_base_reader::n_rows() const noexcept { return state_->n_rows; }
std::size_t llama_kl_base_reader::next_row() const noexcept { return state_->next; }

llama_scored_row llama_kl_base_reader::scored_row(std::size_t r) const {
    const state& s = *state_;
    if (r >= s.n_rows) {
        throw error(reader_name, s.file.name + ": row " + std::to_string(r) + " was asked for, but the file has " +
                                     std::to_string(s.n_rows) + " scored rows (0 to " + std::to_string(s.n_rows - 1) +
                                     ")");
    }
    const std::size_t chunk = r / s.rows_per_chunk, position = s.first + r % s.rows_per_chunk;
    return {chunk, position, s.tokens[chunk * s.n_ctx + position + 1]};
}

std::vector<std::int32_t> llama_kl_base_reader::next_tokens() const {
    std::vector<std::int32_t> next(state_->n_rows);
    for (std::size_t r = 0; r < next.size(); ++r) next[r] = scored_row(r).next_token;
    return next;
}

void llama_kl_base_reader::seek_row(std::size_t r) {
    state& s = *state_;
    if (r > s.n_rows) {
        throw error(reader_name, s.file.name + ": cannot move to row " + std::to_string(r) + ": the file has " +
                                     std::to_string(s.n_rows) + " scored rows");
    }
    s.file.stream->clear();
    s.file.stream->seekg(static_cast<std::streamoff>(s.rows_offset + 2 * std::uint64_t{s.row_words} * r));
    if (!*s.file.stream) s.fail("cannot move to row " + std::to_string(r) + ": seek failed");
    s.next = r;
}

std::size_t llama_kl_base_reader::state::read_rows(std::span<float> out, std::size_t max_rows,
                                                   llama_row_quantization* quantization) {
    if (max_rows > out.size() / n_vocab) {
        throw error(reader_name, file.name + ": read_rows was given room for " + std::to_string(out.size()) +
                                     " floats, but max_rows = " + std::to_string(max_rows) + " rows of n_vocab = " +
                                     std::to_string(n_vocab) + " need " + std::to_string(max_rows * n_vocab));
    }
    const std::size_t rows = std::min(max_rows, n_rows - next);
    const std::size_t block_rows = std::max<std::size_t>(1, read_block_bytes / (2 * row_words));
    for (std::size_t done = 0; done < rows;) {
        const std::size_t count = std::min(block_rows, rows - done);
        block.resize(std::max(block.size(), count * row_words));
        const std::span<std::uint16_t> words(block.data(), count * row_words);
        io::detail::read_exact(file, reinterpret_cast<char*>(words.data()), 2 * std::uint64_t{words.size()},
                               reader_name, "the log-probability rows");
        words_to_host(words);
        for (std::size_t k = 0; k < count; ++k) {
            llama_row_quantization row_quantization;
            decode_row(next, words.data() + k * row_words, out.data() + (done + k) * n_vocab, row_quantization);
            if (quantization != nullptr) quantization[done + k] = row_quantization;
            ++next;
        }
        done += count;
    }
    return rows;
}

std::size_t llama_kl_base_reader::read_rows(std::span<float> out, std::size_t max_rows) {
    return state_->read_rows(out, max_rows, nullptr);
}

std::size_t llama_kl_base_reader::read_rows(std::span<float> out, std::size_t max_rows,
                                            std::span<llama_row_quantization> quantization) {
    if (quantization.size() < max_rows) {
        throw error(reader_name, state_->file.name + ": read_rows was given room for " +
                                     std::to_string(quantization.size()) +
                                     " row quantizations, but max_rows = " + std::to_string(max_rows));
    }
    return state_->read_rows(out, max_rows, quantization.data());
}

}  // namespace kldiv::io
