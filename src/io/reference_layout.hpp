#pragma once
// The byte layout of a kldiv reference file, shared by its writer and its reader: the header's
// fields and offsets, the chunks' geometry, and little-endian loads and stores.
// docs/formats/kldiv-reference.md is the specification; this file follows it.
//
//   file   = header, then chunk 0, chunk 1, …; every chunk holds rows_per_chunk rows but the
//            last, which holds the rest (1 to rows_per_chunk rows)
//   header = 64 bytes in version 1.0 (header_size in general); offsets below
//   chunk  = 24-byte chunk header, then its sections, each padded with zero bytes to a multiple
//            of 8: next-token ids (int32, if flag_tokens), anchors (uint32, q16 only), values

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace kldiv::io::detail {

inline constexpr std::string_view file_magic{"KLDIVREF", 8};
inline constexpr std::uint16_t format_major = 1;  // a reader refuses other major versions
inline constexpr std::uint16_t format_minor = 0;  // higher minors only append header fields
inline constexpr std::uint32_t header_size_v1_0 = 64;
inline constexpr std::uint32_t max_header_size = 4096;
inline constexpr std::uint64_t rows_unfinished = ~std::uint64_t{0};  // the row count until close

// Header fields: byte offsets. The header's last 4 bytes (offset header_size − 4) hold the
// CRC-32C of all the bytes before them.
namespace header_at {
inline constexpr std::size_t magic = 0;            // char[8] "KLDIVREF"
inline constexpr std::size_t version_major = 8;    // uint16
inline constexpr std::size_t version_minor = 10;   // uint16
inline constexpr std::size_t header_size = 12;     // uint32: bytes in the header, CRC included
inline constexpr std::size_t rows = 16;            // uint64: rows in the file (rows_unfinished while writing)
inline constexpr std::size_t n_vocab = 24;         // uint32: values per row, >= 2
inline constexpr std::size_t encoding = 28;        // uint32: reference_encoding
inline constexpr std::size_t rows_per_chunk = 32;  // uint32: >= 1
inline constexpr std::size_t flags = 36;           // uint32: flag_* bits
inline constexpr std::size_t q16_step_log2 = 40;   // int32: q16: log2 of the grid step; otherwise 0
inline constexpr std::size_t reserved_44 = 44;     // uint32: 0
inline constexpr std::size_t dropped_mass = 48;    // float64: largest mass a row lost to −∞, in [0, 1]
inline constexpr std::size_t reserved_56 = 56;     // uint32: 0
}  // namespace header_at

inline constexpr std::uint32_t flag_tokens = 1u;  // each chunk holds next-token ids
inline constexpr std::uint32_t flags_known = flag_tokens;
inline constexpr std::uint32_t flags_required = 0xffffu;  // unknown bits here: refuse the file
                                                          // (unknown bits above: ignore them)

// Chunk header fields: byte offsets. The CRC-32C covers the chunk header's bytes 0..19 followed
// by every byte of the sections (padding included).
inline constexpr std::string_view chunk_tag{"KRCH", 4};
namespace chunk_at {
inline constexpr std::size_t tag = 0;        // char[4] "KRCH"
inline constexpr std::size_t rows = 4;       // uint32: rows in this chunk
inline constexpr std::size_t first_row = 8;  // uint64: index of its first row in the file
inline constexpr std::size_t reserved = 16;  // uint32: 0
inline constexpr std::size_t crc = 20;       // uint32
inline constexpr std::size_t sections = 24;  // the first section
}  // namespace chunk_at

inline constexpr std::uint64_t max_chunk_size = std::uint64_t{1} << 28;      // bytes
inline constexpr std::uint64_t default_chunk_size = std::uint64_t{1} << 24;  // bytes, about

constexpr std::uint64_t padded_to_8(std::uint64_t bytes) noexcept { return (bytes + 7) / 8 * 8; }

// Where the sections of a chunk of `rows` rows begin, relative to the chunk, and its size.
// The caller keeps rows · value_bytes_per_row within max_chunk_size.
struct chunk_layout {
    std::uint64_t tokens = 0;
    std::uint64_t anchors = 0;
    std::uint64_t values = 0;
    std::uint64_t size = 0;
};

constexpr chunk_layout layout_of_chunk(std::uint64_t rows, std::uint64_t value_bytes_per_row, bool tokens,
                                       bool anchors) noexcept {
    chunk_layout c;
    c.tokens = chunk_at::sections;
    c.anchors = c.tokens + (tokens ? padded_to_8(4 * rows) : 0);
    c.values = c.anchors + (anchors ? padded_to_8(4 * rows) : 0);
    c.size = c.values + padded_to_8(rows * value_bytes_per_row);
    return c;
}

// Little-endian fixed-width integers and IEEE floats at any address (plain loads and stores on a
// little-endian machine, which the compiler can vectorize).
template <class T>
T load_le(const std::byte* p) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && (sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8));
    std::array<std::byte, sizeof(T)> b;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(b.data(), p, sizeof(T));
    } else {
        for (std::size_t i = 0; i < sizeof(T); ++i) b[i] = p[sizeof(T) - 1 - i];
    }
    return std::bit_cast<T>(b);
}

template <class T>
void store_le(std::byte* p, T value) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && (sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8));
    const auto b = std::bit_cast<std::array<std::byte, sizeof(T)>>(value);
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(p, b.data(), sizeof(T));
    } else {
        for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = b[sizeof(T) - 1 - i];
    }
}

// The header's fields, as stored (not validated).
struct file_header {
    std::uint16_t version_major = format_major;
    std::uint16_t version_minor = format_minor;
    std::uint32_t header_size = header_size_v1_0;
    std::uint64_t rows = rows_unfinished;
    std::uint32_t n_vocab = 0;
    std::uint32_t encoding = 0;
    std::uint32_t rows_per_chunk = 0;
    std::uint32_t flags = 0;
    std::int32_t q16_step_log2 = 0;
    double dropped_mass = 0;
};

// The version 1.0 header of `h`, its CRC-32C included (h.version and h.header_size are ignored).
std::array<std::byte, header_size_v1_0> header_bytes(const file_header& h) noexcept;

// The fields of a header of any 1.x version (`bytes` holds at least header_size_v1_0 bytes).
file_header parse_header(const std::byte* bytes) noexcept;

}  // namespace kldiv::io::detail
