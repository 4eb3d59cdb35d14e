#pragma once
// Non-owning views of the data kldiv reads (row-major matrices with a row stride) and the 16-bit
// storage types of their elements. Views never copy; the caller keeps the data alive.

#include <bit>
#include <cstddef>
#include <cstdint>

namespace kldiv {

// A read-only row-major matrix: element (i, j) is data[i * row_stride + j].
template <class T>
struct matrix_view {
    T* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t row_stride = 0;  // in elements, >= cols

    constexpr matrix_view() = default;
    constexpr matrix_view(T* d, std::size_t r, std::size_t c) : data(d), rows(r), cols(c), row_stride(c) {}
    constexpr matrix_view(T* d, std::size_t r, std::size_t c, std::size_t stride)
        : data(d), rows(r), cols(c), row_stride(stride) {}

    constexpr T* row(std::size_t i) const { return data + i * row_stride; }
};

// 16-bit storage, as its bits: IEEE 754 binary16 and bfloat16 (the upper half of a float32).
// Rows stored this way are widened exactly to float32 and measured like float rows.
struct float16 {
    std::uint16_t bits;
    // Without branches, so that loops over halves vectorize: the exponent and significand move into
    // the float's fields and the exponent is rebiased by 127 − 15; exponent 31 (∞, NaN) becomes 255
    // with the payload kept; exponent 0 (zero, subnormal m·2^−24) is 2^−14·(1 + m/1024) − 2^−14,
    // exact. Only normal floats enter arithmetic, so flush-to-zero modes do not change the result.
    explicit operator float() const noexcept {
        const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
        const std::uint32_t shifted = static_cast<std::uint32_t>(bits & 0x7fffu) << 13;
        const std::uint32_t exponent = shifted & 0x0f800000u;
        const std::uint32_t rebiased = shifted + (112u << 23);
        const std::uint32_t special = 0u - static_cast<std::uint32_t>(exponent == 0x0f800000u);  // masks
        const std::uint32_t small = 0u - static_cast<std::uint32_t>(exponent == 0);
        const std::uint32_t large = rebiased + ((112u << 23) & special);
        const float subnormal = std::bit_cast<float>(rebiased + (1u << 23)) - 0x1p-14f;
        const std::uint32_t magnitude = (std::bit_cast<std::uint32_t>(subnormal) & small) | (large & ~small);
        return std::bit_cast<float>(magnitude | sign);
    }
    explicit operator double() const noexcept { return static_cast<float>(*this); }
};
struct bfloat16 {
    std::uint16_t bits;
    explicit operator float() const noexcept { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }
    explicit operator double() const noexcept { return static_cast<float>(*this); }
};

}  // namespace kldiv
