// The float16 widening kernel of the row readers (src/io/float16_kernels.hpp): on every compiled
// SIMD target it equals its scalar twin (kldiv::float16's conversion, itself checked against the
// binary16 definition in test_reference_file.cpp) for all 65536 halves, bit for bit except that a
// NaN need only stay NaN; and at every start offset and length around the vector width.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "src/batch/block_kernels.hpp"
#include "src/io/float16_kernels.hpp"
#include "tests/every_simd_target.hpp"

namespace {

class Float16Kernels : public every_simd_target {};

void expect_same(const std::vector<float>& fast, const std::vector<float>& slow,
                 const std::vector<std::uint16_t>& halves, std::size_t offset) {
    for (std::size_t i = 0; i < fast.size(); ++i) {
        if (std::isnan(slow[i])) {
            ASSERT_TRUE(std::isnan(fast[i])) << "half 0x" << std::hex << halves[offset + i];
        } else {
            ASSERT_EQ(std::bit_cast<std::uint32_t>(fast[i]), std::bit_cast<std::uint32_t>(slow[i]))
                << "half 0x" << std::hex << halves[offset + i];
        }
    }
}

TEST_P(Float16Kernels, EveryHalfEqualsTheScalarTwin) {
    std::vector<std::uint16_t> halves(65536);
    for (std::size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<std::uint16_t>(i);
    std::vector<float> fast(halves.size()), slow(halves.size());
    kldiv::io::detail::widen_float16(halves.data(), fast.data(), halves.size());
    kldiv::io::detail::reference_widen_float16(halves.data(), slow.data(), halves.size());
    expect_same(fast, slow, halves, 0);
    EXPECT_EQ(slow[0x3c00], 1.0f);
    EXPECT_EQ(slow[0xfc00], -INFINITY);
    EXPECT_EQ(slow[0x0001], 0x1p-24f);
}

TEST_P(Float16Kernels, EveryOffsetAndLength) {
    std::vector<std::uint16_t> halves(100);
    for (std::size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<std::uint16_t>(0x3000 + 977 * i);
    // Start at odd byte addresses too: the readers' staging buffers need not be aligned.
    std::vector<unsigned char> bytes(2 * halves.size() + 1);
    for (std::size_t shift : {0u, 1u}) {
        std::memcpy(bytes.data() + shift, halves.data(), 2 * halves.size());
        for (std::size_t offset = 0; offset < 9; ++offset) {
            for (std::size_t n = 0; n <= 40; ++n) {
                std::vector<float> fast(n), slow(n);
                const unsigned char* from = bytes.data() + shift + 2 * offset;
                kldiv::io::detail::widen_float16(from, fast.data(), n);
                kldiv::io::detail::reference_widen_float16(from, slow.data(), n);
                expect_same(fast, slow, halves, offset);
            }
        }
    }
}

KLDIV_FOR_EVERY_SIMD_TARGET(Float16Kernels);

}  // namespace
