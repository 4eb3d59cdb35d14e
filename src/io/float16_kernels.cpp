// Compiles float16_kernels-inl.h once per SIMD target and dispatches to the best one at run time;
// the scalar twin (float16_kernels.hpp).

#include "src/io/float16_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/io/float16_kernels.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "src/io/float16_kernels-inl.h"

#if HWY_ONCE
#include <cstdint>
#include <cstring>

#include "kldiv/views.hpp"

namespace kldiv::io::detail {

HWY_EXPORT(WidenFloat16);

void widen_float16(const void* halves, float* out, std::size_t n) noexcept {
    HWY_DYNAMIC_DISPATCH(WidenFloat16)(halves, out, n);
}

void reference_widen_float16(const void* halves, float* out, std::size_t n) noexcept {
    const auto* bytes = static_cast<const unsigned char*>(halves);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, bytes + 2 * i, 2);
        out[i] = static_cast<float>(kldiv::float16{bits});
    }
}

}  // namespace kldiv::io::detail
#endif  // HWY_ONCE
