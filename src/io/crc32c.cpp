// CRC-32C: tables derived from the polynomial (slicing by 8), and the SSE4.2 instruction where
// the CPU has one (the same polynomial in hardware; tests hold the two against each other).
#include "src/io/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define KLDIV_CRC32C_SSE42 1
#endif

namespace kldiv::io::detail {
namespace {

constexpr std::uint32_t reflected_polynomial = 0x82F63B78u;

// tables[0][b]: the register after shifting the byte b through it bit by bit (eight steps of
// "shift right, xor the polynomial when the bit shifted out is 1"). tables[k][b]: the same
// followed by k zero bytes, so that eight bytes can be folded in one step.
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_tables() {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t r = b;
        for (int bit = 0; bit < 8; ++bit) r = (r >> 1) ^ ((r & 1u) != 0 ? reflected_polynomial : 0u);
        t[0][b] = r;
    }
    for (std::size_t k = 1; k < 8; ++k) {
        for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xffu];
    }
    return t;
}

constexpr auto tables = make_tables();

std::uint64_t load_le64(const std::byte* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
    return v;
}

#ifdef KLDIV_CRC32C_SSE42
__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t state, const std::byte* p,
                                                             std::size_t n) noexcept {
    std::uint64_t r = state;
    for (; n >= 8; n -= 8, p += 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);  // x86 is little-endian: byte 0 is the lowest, as the CRC needs
        r = _mm_crc32_u64(r, word);
    }
    auto s = static_cast<std::uint32_t>(r);
    for (; n > 0; --n, ++p) s = _mm_crc32_u8(s, std::to_integer<std::uint8_t>(*p));
    return s;
}

bool cpu_has_sse42() noexcept {
    static const bool has = (__builtin_cpu_init(), __builtin_cpu_supports("sse4.2") != 0);
    return has;
}
#endif

}  // namespace

std::uint32_t crc32c_extend_portable(std::uint32_t crc, std::span<const std::byte> bytes) noexcept {
    std::uint32_t s = ~crc;
    const std::byte* p = bytes.data();
    std::size_t n = bytes.size();
    for (; n >= 8; n -= 8, p += 8) {
        const std::uint64_t w = load_le64(p) ^ s;
        s = tables[7][w & 0xff] ^ tables[6][(w >> 8) & 0xff] ^ tables[5][(w >> 16) & 0xff] ^
            tables[4][(w >> 24) & 0xff] ^ tables[3][(w >> 32) & 0xff] ^ tables[2][(w >> 40) & 0xff] ^
            tables[1][(w >> 48) & 0xff] ^ tables[0][w >> 56];
    }
    for (; n > 0; --n, ++p) s = (s >> 8) ^ tables[0][(s ^ std::to_integer<std::uint32_t>(*p)) & 0xffu];
    return ~s;
}

std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::byte> bytes) noexcept {
#ifdef KLDIV_CRC32C_SSE42
    if (cpu_has_sse42()) return ~extend_sse42(~crc, bytes.data(), bytes.size());
#endif
    return crc32c_extend_portable(crc, bytes);
}

}  // namespace kldiv::io::detail
