// Writing a kldiv reference file: rows normalized in double, encoded into a chunk buffer, each
// full chunk written with its CRC-32C to a temporary file that close() renames onto the target.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/io/reference_file.hpp"
#include "src/common/format.hpp"
#include "src/io/crc32c.hpp"
#include "src/io/reference_encoding.hpp"
#include "src/io/reference_layout.hpp"

namespace kldiv::io {

using namespace detail;

namespace {

constexpr const char* function = "reference_writer";

std::uint32_t chosen_rows_per_chunk(const reference_writer_options& o, std::uint64_t row_bytes,
                                    const std::string& name) {
    if (o.rows_per_chunk == 0)
        return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, default_chunk_size / row_bytes));
    if (o.rows_per_chunk > max_chunk_size / row_bytes) {
        throw error(function, name + ": rows_per_chunk = " + std::to_string(o.rows_per_chunk) + " rows of " +
                                  std::to_string(row_bytes) + " bytes, but a chunk may hold at most " +
                                  std::to_string(max_chunk_size) + " bytes (" +
                                  std::to_string(max_chunk_size / row_bytes) + " such rows)");
    }
    return o.rows_per_chunk;
}

}  // namespace

struct reference_writer::state {
    io::atomic_output_file file;
    std::string name;
    std::uint32_t n_vocab;
    reference_encoding encoding;
    reference_writer_options options;
    std::uint64_t value_bytes_per_row;
    std::uint32_t rows_per_chunk;

    std::vector<std::byte> tokens;   // rows_per_chunk int32, little-endian
    std::vector<std::byte> anchors;  // rows_per_chunk uint32 (q16)
    std::vector<std::byte> values;   // rows_per_chunk × value_bytes_per_row
    std::vector<double> log_probs;   // the row being encoded
    std::uint32_t rows_in_chunk = 0;
    std::uint64_t rows_done = 0;  // rows in the chunks already written
    double dropped_mass = 0;      // the largest of any row
    bool failed = false;
    bool closed = false;

    state(const std::filesystem::path& path, std::size_t v, reference_encoding e, const reference_writer_options& o)
        : file(path, function), name(path.string()), n_vocab(static_cast<std::uint32_t>(v)), encoding(e), options(o),
          value_bytes_per_row(v * value_size(e)),
          rows_per_chunk(chosen_rows_per_chunk(o, value_bytes_per_row + 8, name)),
          tokens(o.has_tokens ? 4 * std::size_t{rows_per_chunk} : 0),
          anchors(has_anchors(e) ? 4 * std::size_t{rows_per_chunk} : 0), values(rows_per_chunk * value_bytes_per_row),
          log_probs(v) {
        file.append(header_bytes(header()));  // rows_unfinished until close()
    }

    file_header header() const {
        file_header h;
        h.rows = closed ? rows_done : rows_unfinished;
        h.n_vocab = n_vocab;
        h.encoding = static_cast<std::uint32_t>(encoding);
        h.rows_per_chunk = rows_per_chunk;
        h.flags = options.has_tokens ? flag_tokens : 0;
        h.q16_step_log2 = encoding == reference_encoding::q16 ? options.q16_step_log2 : 0;
        h.dropped_mass = dropped_mass;
        return h;
    }

    // ℓ_j = (a_j − M) − log S of the row `a` (the global row index `row`), into log_probs.
    void normalize(std::span<const float> a, std::uint64_t row) {
        float max = -std::numeric_limits<float>::infinity();
        for (std::size_t j = 0; j < a.size(); ++j) {
            if (std::isnan(a[j]) || a[j] == std::numeric_limits<float>::infinity()) {
                throw error(function, name + ": row " + std::to_string(row) + ", column " + std::to_string(j) + ": " +
                                          describe(options.input) + " value " + kldiv::detail::to_text(a[j]) +
                                          ", but the values must be finite or -inf");
            }
            max = std::max(max, a[j]);
        }
        if (max == -std::numeric_limits<float>::infinity()) {
            throw error(function,
                        name + ": row " + std::to_string(row) + ": every value is -inf, so the row is no distribution");
        }
        double sum = 0;
        for (float v : a) sum += std::exp(static_cast<double>(v) - max);
        const double log_sum = std::log(sum);
        if (options.input == input_kind::log_probs) {
            const double excess = std::expm1(max + log_sum);  // Σ exp(a) − 1
            if (!(std::fabs(excess) <= options.sum_tolerance)) {
                throw error(function, name + ": row " + std::to_string(row) + ": the probabilities sum to 1 + " +
                                          kldiv::detail::to_text(excess) +
                                          ", but log-probabilities must sum to 1 within " +
                                          "sum_tolerance = " + kldiv::detail::to_text(options.sum_tolerance) +
                                          " (pass them as logits to normalize any row)");
            }
        }
        for (std::size_t j = 0; j < a.size(); ++j) log_probs[j] = (static_cast<double>(a[j]) - max) - log_sum;
    }

    void write_chunk() {
        const chunk_layout c =
            layout_of_chunk(rows_in_chunk, value_bytes_per_row, options.has_tokens, has_anchors(encoding));
        const std::array<std::byte, 8> zeros{};
        // The sections: each piece, then its padding to 8 bytes.
        const std::span<const std::byte> pieces[] = {
            std::span(tokens.data(), options.has_tokens ? 4 * std::size_t{rows_in_chunk} : 0),
            std::span(anchors.data(), has_anchors(encoding) ? 4 * std::size_t{rows_in_chunk} : 0),
            std::span(values.data(), rows_in_chunk * value_bytes_per_row)};
        std::array<std::byte, chunk_at::sections> head{};
        std::memcpy(head.data() + chunk_at::tag, chunk_tag.data(), chunk_tag.size());
        store_le(head.data() + chunk_at::rows, rows_in_chunk);
        store_le(head.data() + chunk_at::first_row, rows_done);
        std::uint32_t crc = crc32c_extend(0, std::span(head.data(), chunk_at::crc));
        for (auto piece : pieces) {
            crc = crc32c_extend(crc, piece);
            crc = crc32c_extend(crc, std::span(zeros.data(), padded_to_8(piece.size()) - piece.size()));
        }
        store_le(head.data() + chunk_at::crc, crc);
        const std::uint64_t start = file.size();
        file.append(head);
        for (auto piece : pieces) {
            file.append(piece);
            file.append(std::span(zeros.data(), padded_to_8(piece.size()) - piece.size()));
        }
        if (file.size() - start != c.size)
            throw error(function, name + ": internal error: chunk size differs from its layout");
        rows_done += rows_in_chunk;
        rows_in_chunk = 0;
    }

    void write_rows(std::span<const float> a, std::span<const std::int32_t> next_tokens, std::size_t rows) {
        if (closed) throw error(function, name + ": write_rows after close()");
        if (failed) throw error(function, name + ": write_rows after an earlier error; the file will not be written");
        if (a.size() % n_vocab != 0 || a.size() / n_vocab != rows) {
            throw error(function, name + ": values holds " + std::to_string(a.size()) + " numbers, but " +
                                      std::to_string(rows) + " rows of n_vocab = " + std::to_string(n_vocab) +
                                      " need rows × n_vocab of them");
        }
        const std::size_t tokens_needed = options.has_tokens ? rows : 0;
        if (next_tokens.size() != tokens_needed) {
            throw error(function,
                        name + ": next_tokens holds " + std::to_string(next_tokens.size()) + " ids, but " +
                            (options.has_tokens ? "the file stores one per row: " + std::to_string(rows)
                                                : std::string("the file stores none (has_tokens = false): 0")));
        }
        for (std::size_t i = 0; i < rows; ++i) {
            const std::uint64_t row = rows_done + rows_in_chunk;
            if (options.has_tokens) {
                const std::int32_t t = next_tokens[i];
                if (t < -1 || t >= static_cast<std::int64_t>(n_vocab)) {
                    throw error(function, name + ": row " + std::to_string(row) + ": next token id " +
                                              std::to_string(t) +
                                              ", but token ids must be -1 (unknown) or in [0, n_vocab = " +
                                              std::to_string(n_vocab) + ")");
                }
                store_le(tokens.data() + 4 * std::size_t{rows_in_chunk}, t);
            }
            normalize(a.subspan(i * n_vocab, n_vocab), row);
            const double dropped = encode_row(
                log_probs, encoding, options.q16_step_log2, values.data() + rows_in_chunk * value_bytes_per_row,
                has_anchors(encoding) ? anchors.data() + 4 * std::size_t{rows_in_chunk} : nullptr);
            dropped_mass = std::max(dropped_mass, dropped);
            if (++rows_in_chunk == rows_per_chunk) write_chunk();
        }
    }

    void finish() {
        if (closed) throw error(function, name + ": close() or finish() called twice");
        if (failed)
            throw error(function, name + ": close() or finish() after an earlier error; the file is not written");
        if (rows_in_chunk > 0) write_chunk();
        closed = true;
        file.overwrite(0, header_bytes(header()));
        file.flush();
    }
};

namespace {

void check_arguments(const std::filesystem::path& path, std::size_t n_vocab, reference_encoding encoding,
                     const reference_writer_options& o) {
    const std::string name = path.string();
    if (n_vocab < 2 || n_vocab > std::numeric_limits<std::uint32_t>::max()) {
        throw error(function, name + ": n_vocab = " + std::to_string(n_vocab) + ", but it must be in [2, 2^32 - 1]");
    }
    if (encoding != reference_encoding::float32 && encoding != reference_encoding::float16 &&
        encoding != reference_encoding::q16) {
        throw error(function, name + ": encoding " + std::to_string(static_cast<std::uint32_t>(encoding)) +
                                  " is unknown (1 = float32, 2 = float16, 3 = q16)");
    }
    if (o.input != input_kind::logits && o.input != input_kind::log_probs) {
        throw error(function, name + ": options.input is " + describe(o.input) +
                                  ", but the writer takes logits or log-probabilities");
    }
    if (!(o.sum_tolerance >= 0)) {
        throw error(function,
                    name + ": sum_tolerance = " + kldiv::detail::to_text(o.sum_tolerance) + ", but it must be >= 0");
    }
    if (encoding == reference_encoding::q16 &&
        (o.q16_step_log2 < q16_min_step_log2 || o.q16_step_log2 > q16_max_step_log2)) {
        throw error(function, name + ": q16_step_log2 = " + std::to_string(o.q16_step_log2) + ", but it must be in [" +
                                  std::to_string(q16_min_step_log2) + ", " + std::to_string(q16_max_step_log2) + "]");
    }
    const std::uint64_t row_bytes = n_vocab * value_size(encoding) + 8;
    if (row_bytes > max_chunk_size) {
        throw error(function, name + ": n_vocab = " + std::to_string(n_vocab) + " makes rows of " +
                                  std::to_string(row_bytes) + " bytes, but a chunk may hold at most " +
                                  std::to_string(max_chunk_size) + " bytes");
    }
}

}  // namespace

reference_writer::reference_writer(const std::filesystem::path& path, std::size_t n_vocab, reference_encoding encoding,
                                   const reference_writer_options& options) {
    check_arguments(path, n_vocab, encoding, options);
    state_ = std::make_unique<state>(path, n_vocab, encoding, options);
}

reference_writer::~reference_writer() = default;
reference_writer::reference_writer(reference_writer&&) noexcept = default;
reference_writer& reference_writer::operator=(reference_writer&&) noexcept = default;

void reference_writer::write_rows(std::span<const float> values, std::span<const std::int32_t> next_tokens,
                                  std::size_t rows) {
    if (!state_) throw error(function, "write_rows on a moved-from writer");
    try {
        state_->write_rows(values, next_tokens, rows);
    } catch (...) {
        state_->failed = true;
        throw;
    }
}

void reference_writer::finish() {
    if (!state_) throw error(function, "finish() on a moved-from writer");
    try {
        state_->finish();
    } catch (...) {
        state_->failed = true;
        state_->file.discard();
        throw;
    }
}

std::filesystem::path reference_writer::unfinished_path() const {
    return state_ ? std::filesystem::path(state_->file.temporary_path()) : std::filesystem::path();
}

void reference_writer::commit() {
    if (!state_) throw error(function, "commit() on a moved-from writer");
    if (!state_->closed || state_->failed) throw error(function, state_->name + ": commit() before finish()");
    state_->file.commit();
}

void reference_writer::discard() noexcept {
    if (state_) state_->file.discard();
}

void reference_writer::close() {
    finish();
    commit();
}

std::uint64_t reference_writer::rows_written() const noexcept {
    return state_ ? state_->rows_done + state_->rows_in_chunk : 0;
}

}  // namespace kldiv::io
