#pragma once
// CRC-32C (Castagnoli), the checksum of the kldiv reference file's header and chunks.
//
// Definition: generator polynomial 0x1EDC6F41 (0x82F63B78 bit-reversed), bits taken least
// significant first (reflected input and output), register preset to 0xFFFFFFFF and the result
// complemented — the CRC of iSCSI, ext4 and the SSE4.2 crc32 instruction. Check value:
// crc32c("123456789") = 0xE3069283.

#include <cstddef>
#include <cstdint>
#include <span>

namespace kldiv::io::detail {

// The CRC of the bytes `crc` was computed over, followed by `bytes`: crc32c_extend(0, a) is the
// CRC of a, and crc32c_extend(crc32c_extend(0, a), b) that of a followed by b. Uses the SSE4.2
// instruction where the CPU has it, crc32c_extend_portable otherwise.
std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::byte> bytes) noexcept;

// The same from tables built from the polynomial (slicing by 8 bytes): the portable twin.
std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::span<const std::byte> bytes) noexcept;

}  // namespace kldiv::io::detail
