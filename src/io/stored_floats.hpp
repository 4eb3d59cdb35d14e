#pragma once
// Floating-point elements as files store them — float16, bfloat16, float32, float64, in either byte
// order — read as float or double: the one conversion of the .npy and safetensors readers.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kldiv::io::detail {

enum class stored_float { float16, bfloat16, float32, float64 };

// The unsigned integer U at `p` (any alignment), its bytes reversed when `swap`.
template <class U>
U load_bytes(const void* p, bool swap) noexcept {
    U v;
    std::memcpy(&v, p, sizeof v);
    if (swap) {
        if constexpr (sizeof(U) == 2) v = __builtin_bswap16(v);
        if constexpr (sizeof(U) == 4) v = __builtin_bswap32(v);
        if constexpr (sizeof(U) == 8) v = __builtin_bswap64(v);
    }
    return v;
}

// out[i] = the i-th of n elements of `type` at `from` (byte-swapped first when `swap`), converted to
// T (float or double): exactly, except float64 to float, which rounds to nearest. Host-order
// float16 goes through the SIMD widening of float16_kernels.hpp.
template <class T>
void widen_stored(stored_float type, bool swap, const void* from, T* out, std::size_t n) noexcept;

extern template void widen_stored<float>(stored_float, bool, const void*, float*, std::size_t) noexcept;
extern template void widen_stored<double>(stored_float, bool, const void*, double*, std::size_t) noexcept;

}  // namespace kldiv::io::detail
