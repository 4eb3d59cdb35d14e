// The kldiv reference file's header: its fields to bytes and back (reference_layout.hpp).
#include "src/io/reference_layout.hpp"

#include <span>

#include "src/io/crc32c.hpp"

namespace kldiv::io::detail {

std::array<std::byte, header_size_v1_0> header_bytes(const file_header& h) noexcept {
    std::array<std::byte, header_size_v1_0> b{};
    std::memcpy(b.data() + header_at::magic, file_magic.data(), file_magic.size());
    store_le(b.data() + header_at::version_major, format_major);
    store_le(b.data() + header_at::version_minor, format_minor);
    store_le(b.data() + header_at::header_size, header_size_v1_0);
    store_le(b.data() + header_at::rows, h.rows);
    store_le(b.data() + header_at::n_vocab, h.n_vocab);
    store_le(b.data() + header_at::encoding, h.encoding);
    store_le(b.data() + header_at::rows_per_chunk, h.rows_per_chunk);
    store_le(b.data() + header_at::flags, h.flags);
    store_le(b.data() + header_at::q16_step_log2, h.q16_step_log2);
    store_le(b.data() + header_at::dropped_mass, h.dropped_mass);
    const std::size_t crc_at = header_size_v1_0 - 4;
    store_le(b.data() + crc_at, crc32c_extend(0, std::span(b.data(), crc_at)));
    return b;
}

file_header parse_header(const std::byte* b) noexcept {
    file_header h;
    h.version_major = load_le<std::uint16_t>(b + header_at::version_major);
    h.version_minor = load_le<std::uint16_t>(b + header_at::version_minor);
    h.header_size = load_le<std::uint32_t>(b + header_at::header_size);
    h.rows = load_le<std::uint64_t>(b + header_at::rows);
    h.n_vocab = load_le<std::uint32_t>(b + header_at::n_vocab);
    h.encoding = load_le<std::uint32_t>(b + header_at::encoding);
    h.rows_per_chunk = load_le<std::uint32_t>(b + header_at::rows_per_chunk);
    h.flags = load_le<std::uint32_t>(b + header_at::flags);
    h.q16_step_log2 = load_le<std::int32_t>(b + header_at::q16_step_log2);
    h.dropped_mass = load_le<double>(b + header_at::dropped_mass);
    return h;
}

}  // namespace kldiv::io::detail
