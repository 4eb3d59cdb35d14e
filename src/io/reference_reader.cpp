// Reading a kldiv reference file: the header and the file size checked on opening, then one chunk
// at a time read whole, its CRC-32C and contents checked, and its rows decoded on demand.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/text.hpp"
#include "src/common/format.hpp"
#include "src/io/crc32c.hpp"
#include "src/io/input_file.hpp"
#include "src/io/reference_encoding.hpp"
#include "src/io/reference_layout.hpp"

namespace kldiv::io {

using namespace detail;

namespace {

constexpr const char* function = "reference_reader";

std::string hex32(std::uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) s.push_back(digits[(v >> shift) & 0xfu]);
    return s;
}

// File bytes in a message (kldiv::printable over bytes).
std::string printable(std::span<const std::byte> bytes) {
    return kldiv::printable(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

struct reference_reader::state {
    io::detail::input_file file;
    file_header header;
    reference_encoding encoding{};
    bool has_tokens = false;
    std::uint64_t value_bytes_per_row = 0;
    std::uint64_t full_chunk_size = 0;  // bytes in a chunk of rows_per_chunk rows

    std::vector<std::byte> chunk;                                      // the loaded chunk
    std::uint64_t loaded = std::numeric_limits<std::uint64_t>::max();  // its index
    chunk_layout layout;                                               // and its layout
    std::uint64_t position = 0;

    explicit state(const std::filesystem::path& path) : file(io::detail::open_input_file(path, function)) {
        read_header();
        check_size();
    }

    [[noreturn]] void fail(const std::string& message) const { throw error(function, file.name + ": " + message); }

    void read_header() {
        constexpr std::size_t prefix = header_at::header_size + 4;
        if (file.size < prefix) {
            fail("the file has " + std::to_string(file.size) +
                 " bytes, too few for a kldiv reference file (its header alone has " +
                 std::to_string(header_size_v1_0) + ")");
        }
        std::vector<std::byte> bytes(prefix);
        io::detail::read_exact(file, reinterpret_cast<char*>(bytes.data()), prefix, function, "reading the header");
        const auto magic = std::span(bytes.data() + header_at::magic, file_magic.size());
        if (std::memcmp(magic.data(), file_magic.data(), file_magic.size()) != 0) {
            fail("the file starts with '" + printable(magic) + "', but a kldiv reference file starts with '" +
                 std::string(file_magic) + "': this is not a kldiv reference file");
        }
        const auto major = load_le<std::uint16_t>(bytes.data() + header_at::version_major);
        const auto minor = load_le<std::uint16_t>(bytes.data() + header_at::version_minor);
        if (major != format_major) {
            fail("format version " + std::to_string(major) + "." + std::to_string(minor) +
                 ", but this kldiv reads version " + std::to_string(format_major) + ".x" +
                 (major > format_major ? " (the file was written by a newer kldiv)" : std::string()));
        }
        const auto size = load_le<std::uint32_t>(bytes.data() + header_at::header_size);
        if (size < header_size_v1_0 || size > max_header_size || size % 8 != 0 ||
            (minor == 0 && size != header_size_v1_0)) {
            fail("header_size = " + std::to_string(size) + " (format version 1." + std::to_string(minor) +
                 "), but it must be a multiple of 8 in [" + std::to_string(header_size_v1_0) + ", " +
                 std::to_string(max_header_size) + "], and " + std::to_string(header_size_v1_0) + " in version 1.0");
        }
        if (file.size < size) {
            fail("the header has " + std::to_string(size) + " bytes, but the file has only " +
                 std::to_string(file.size) + " (truncated file)");
        }
        bytes.resize(size);
        io::detail::read_exact(file, reinterpret_cast<char*>(bytes.data() + prefix), size - prefix, function,
                               "reading the header");
        const auto stored_crc = load_le<std::uint32_t>(bytes.data() + size - 4);
        const std::uint32_t crc = crc32c_extend(0, std::span(bytes.data(), size - 4));
        if (crc != stored_crc) {
            fail("the header's CRC-32C is " + hex32(crc) + ", but the header says " + hex32(stored_crc) +
                 ": the header is corrupt");
        }
        header = parse_header(bytes.data());
        check_fields();
    }

    void check_fields() {
        const file_header& h = header;
        if (h.rows == rows_unfinished) {
            fail(
                "the row count is unset: the writer did not finish this file (an interrupted write, not a reference "
                "file)");
        }
        if (h.n_vocab < 2) fail("header says n_vocab = " + std::to_string(h.n_vocab) + ", but it must be >= 2");
        if (h.encoding < 1 || h.encoding > 3) {
            fail("header says encoding " + std::to_string(h.encoding) +
                 ", but the encodings are 1 (float32), 2 (float16) and 3 (q16)");
        }
        encoding = static_cast<reference_encoding>(h.encoding);
        if ((h.flags & flags_required & ~flags_known) != 0) {
            fail("header says flags = " + hex32(h.flags) + ", with bits this kldiv does not know (" +
                 hex32(h.flags & flags_required & ~flags_known) + ") among those a reader must understand");
        }
        has_tokens = (h.flags & flag_tokens) != 0;
        if (encoding == reference_encoding::q16
                ? h.q16_step_log2 < q16_min_step_log2 || h.q16_step_log2 > q16_max_step_log2
                : h.q16_step_log2 != 0) {
            fail("header says q16_step_log2 = " + std::to_string(h.q16_step_log2) + " with encoding " + name(encoding) +
                 ", but it must be " +
                 (encoding == reference_encoding::q16
                      ? "in [" + std::to_string(q16_min_step_log2) + ", " + std::to_string(q16_max_step_log2) + "]"
                      : std::string("0")));
        }
        if (!(h.dropped_mass >= 0 && h.dropped_mass <= 1)) {
            fail("header says dropped_mass = " + kldiv::detail::to_text(h.dropped_mass) + ", but it must be in [0, 1]");
        }
        value_bytes_per_row = std::uint64_t{h.n_vocab} * value_size(encoding);
        const std::uint64_t row_bytes = value_bytes_per_row + 8;
        if (h.rows_per_chunk < 1 || h.rows_per_chunk > max_chunk_size / row_bytes) {
            fail("header says rows_per_chunk = " + std::to_string(h.rows_per_chunk) + " (rows of " +
                 std::to_string(row_bytes) + " bytes), but it must be >= 1, and a chunk may hold at most " +
                 std::to_string(max_chunk_size) + " bytes");
        }
        full_chunk_size =
            layout_of_chunk(h.rows_per_chunk, value_bytes_per_row, has_tokens, has_anchors(encoding)).size;
    }

    chunk_layout layout_of(std::uint64_t k) const {
        const std::uint64_t rows =
            std::min<std::uint64_t>(header.rows_per_chunk, header.rows - k * header.rows_per_chunk);
        return layout_of_chunk(rows, value_bytes_per_row, has_tokens, has_anchors(encoding));
    }

    std::uint64_t chunk_count() const {
        return header.rows / header.rows_per_chunk + (header.rows % header.rows_per_chunk != 0);
    }

    std::string describe_chunk(std::uint64_t k) const {
        const std::uint64_t first = k * header.rows_per_chunk;
        const std::uint64_t last = std::min(first + header.rows_per_chunk, header.rows) - 1;
        const std::uint64_t start = header.header_size + k * full_chunk_size;
        return "chunk " + std::to_string(k) + " (rows " + std::to_string(first) + ".." + std::to_string(last) +
               ", bytes " + std::to_string(start) + ".." + std::to_string(start + layout_of(k).size - 1) + ")";
    }

    // The file must hold the header and exactly the chunks the row count needs.
    void check_size() {
        const std::uint64_t full_chunks = header.rows / header.rows_per_chunk;
        const std::uint64_t rest = header.rows % header.rows_per_chunk;
        const std::uint64_t body = file.size - header.header_size;
        const std::uint64_t last =
            rest == 0 ? 0 : layout_of_chunk(rest, value_bytes_per_row, has_tokens, has_anchors(encoding)).size;
        const bool too_big = full_chunks > (std::numeric_limits<std::uint64_t>::max() - last) / full_chunk_size;
        const std::uint64_t needed = too_big ? 0 : full_chunks * full_chunk_size + last;
        if (!too_big && needed == body) return;
        std::string message = "header says " + std::to_string(header.rows) + " rows of n_vocab " +
                              std::to_string(header.n_vocab) + " (" + name(encoding) + ", " +
                              std::to_string(header.rows_per_chunk) + " rows per chunk" +
                              (has_tokens ? ", with tokens" : "") + "), which need " +
                              (too_big ? std::string("more than 2^64") : std::to_string(header.header_size + needed)) +
                              " bytes, but the file has " + std::to_string(file.size);
        if (!too_big && body > needed) {
            message += ": " + std::to_string(body - needed) + " bytes follow the last chunk";
        } else {
            const std::uint64_t k = body / full_chunk_size;
            message += ": the file is truncated";
            if (k < chunk_count()) message += ", it ends inside " + describe_chunk(k);
        }
        fail(message);
    }

    void load(std::uint64_t k) {
        layout = layout_of(k);
        const std::uint64_t start = header.header_size + k * full_chunk_size;
        loaded = std::numeric_limits<std::uint64_t>::max();
        chunk.resize(layout.size);
        file.stream->clear();
        if (!file.stream->seekg(static_cast<std::streamoff>(start))) fail("cannot seek to " + describe_chunk(k));
        io::detail::read_exact(file, reinterpret_cast<char*>(chunk.data()), layout.size, function,
                               ("reading " + describe_chunk(k)).c_str());
        const std::byte* c = chunk.data();
        const std::uint64_t rows =
            std::min<std::uint64_t>(header.rows_per_chunk, header.rows - k * header.rows_per_chunk);
        const std::string where = describe_chunk(k) + ": ";
        if (std::memcmp(c + chunk_at::tag, chunk_tag.data(), chunk_tag.size()) != 0) {
            fail(where + "it starts with '" + printable(std::span(c + chunk_at::tag, chunk_tag.size())) +
                 "', but a chunk starts with '" + std::string(chunk_tag) + "': the file is corrupt");
        }
        const std::uint32_t stored_crc = load_le<std::uint32_t>(c + chunk_at::crc);
        std::uint32_t crc = crc32c_extend(0, std::span(c, chunk_at::crc));
        crc = crc32c_extend(crc, std::span(c + chunk_at::sections, layout.size - chunk_at::sections));
        if (crc != stored_crc) {
            fail(where + "its CRC-32C is " + hex32(crc) + ", but its chunk header says " + hex32(stored_crc) +
                 ": the chunk is corrupt");
        }
        const auto rows_field = load_le<std::uint32_t>(c + chunk_at::rows);
        const auto first_row = load_le<std::uint64_t>(c + chunk_at::first_row);
        if (rows_field != rows || first_row != k * header.rows_per_chunk) {
            fail(where + "its chunk header says " + std::to_string(rows_field) + " rows from row " +
                 std::to_string(first_row) + ", but the file header puts " + std::to_string(rows) + " rows from row " +
                 std::to_string(k * header.rows_per_chunk) + " here");
        }
        for (std::uint64_t i = 0; i < rows && has_tokens; ++i) {
            const auto t = load_le<std::int32_t>(c + layout.tokens + 4 * i);
            if (t < -1 || t >= static_cast<std::int64_t>(header.n_vocab)) {
                fail(where + "row " + std::to_string(k * header.rows_per_chunk + i) + ": next token id " +
                     std::to_string(t) + ", but token ids must be -1 (unknown) or in [0, n_vocab = " +
                     std::to_string(header.n_vocab) + ")");
            }
        }
        for (std::uint64_t i = 0; i < rows && has_anchors(encoding); ++i) {
            const auto a = load_le<std::uint32_t>(c + layout.anchors + 4 * i);
            if (a > q16_max_anchor) {
                fail(where + "row " + std::to_string(k * header.rows_per_chunk + i) + ": q16 anchor " +
                     std::to_string(a) + ", but anchors must be <= " + std::to_string(q16_max_anchor));
            }
        }
        loaded = k;
    }

    std::size_t read_rows(std::span<float> out, std::span<std::int32_t> next_tokens, std::size_t max_rows) {
        const std::size_t v = header.n_vocab;
        if (max_rows > out.size() / v) {
            fail("read_rows: out holds " + std::to_string(out.size()) +
                 " floats, but max_rows = " + std::to_string(max_rows) + " rows of n_vocab = " + std::to_string(v) +
                 " need " + std::to_string(max_rows) + " × " + std::to_string(v));
        }
        if (!next_tokens.empty() && next_tokens.size() < max_rows) {
            fail("read_rows: next_tokens holds " + std::to_string(next_tokens.size()) +
                 " ids, but max_rows = " + std::to_string(max_rows) + " (pass an empty span for no tokens)");
        }
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max_rows, header.rows - position));
        for (std::size_t done = 0; done < n; ++done, ++position) {
            const std::uint64_t k = position / header.rows_per_chunk;
            if (k != loaded) load(k);
            const std::uint64_t i = position - k * header.rows_per_chunk;
            const std::uint32_t anchor =
                has_anchors(encoding) ? load_le<std::uint32_t>(chunk.data() + layout.anchors + 4 * i) : 0;
            const std::span<float> row = out.subspan(done * v, v);
            const std::size_t bad = decode_row(chunk.data() + layout.values + i * value_bytes_per_row, anchor, encoding,
                                               header.q16_step_log2, row);
            if (bad != v) {
                fail(describe_chunk(k) + ": row " + std::to_string(position) + ", column " + std::to_string(bad) +
                     ": log-probability " + kldiv::detail::to_text(row[bad]) + " (" + name(encoding) +
                     "), but stored log-probabilities must be <= 0: the file is corrupt");
            }
            if (!next_tokens.empty()) {
                next_tokens[done] = has_tokens ? load_le<std::int32_t>(chunk.data() + layout.tokens + 4 * i) : -1;
            }
        }
        return n;
    }
};

reference_reader::reference_reader(const std::filesystem::path& path) : state_(std::make_unique<state>(path)) {}
reference_reader::~reference_reader() = default;
reference_reader::reference_reader(reference_reader&&) noexcept = default;
reference_reader& reference_reader::operator=(reference_reader&&) noexcept = default;

std::size_t reference_reader::n_vocab() const noexcept { return state_->header.n_vocab; }
std::uint64_t reference_reader::rows() const noexcept { return state_->header.rows; }
reference_encoding reference_reader::encoding() const noexcept { return state_->encoding; }
bool reference_reader::has_tokens() const noexcept { return state_->has_tokens; }
std::uint32_t reference_reader::rows_per_chunk() const noexcept { return state_->header.rows_per_chunk; }
std::uint64_t reference_reader::position() const noexcept { return state_->position; }

reference_error_bound reference_reader::error_bound() const noexcept {
    return error_bound_of(state_->encoding, state_->header.q16_step_log2, state_->header.n_vocab,
                          state_->header.dropped_mass);
}

void reference_reader::seek(std::uint64_t row) {
    if (row > state_->header.rows) {
        state_->fail("seek to row " + std::to_string(row) + ", but the file has " +
                     std::to_string(state_->header.rows) + " rows");
    }
    state_->position = row;
}

std::size_t reference_reader::read_rows(std::span<float> out, std::span<std::int32_t> next_tokens,
                                        std::size_t max_rows) {
    return state_->read_rows(out, next_tokens, max_rows);
}

}  // namespace kldiv::io
