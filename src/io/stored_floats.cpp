// widen_stored (src/io/stored_floats.hpp).
#include "src/io/stored_floats.hpp"

#include <bit>
#include <type_traits>

#include "kldiv/views.hpp"
#include "src/io/float16_kernels.hpp"

namespace kldiv::io::detail {

template <class T>
void widen_stored(stored_float type, bool swap, const void* from, T* out, std::size_t n) noexcept {
    const auto* p = static_cast<const std::byte*>(from);
    switch (type) {
        case stored_float::float16:
            if constexpr (std::is_same_v<T, float>) {
                if (!swap) {
                    widen_float16(p, out, n);
                    return;
                }
            }
            for (std::size_t i = 0; i < n; ++i)
                out[i] = static_cast<T>(static_cast<float>(float16{load_bytes<std::uint16_t>(p + 2 * i, swap)}));
            return;
        case stored_float::bfloat16:
            for (std::size_t i = 0; i < n; ++i)
                out[i] = static_cast<T>(static_cast<float>(bfloat16{load_bytes<std::uint16_t>(p + 2 * i, swap)}));
            return;
        case stored_float::float32:
            for (std::size_t i = 0; i < n; ++i)
                out[i] = static_cast<T>(std::bit_cast<float>(load_bytes<std::uint32_t>(p + 4 * i, swap)));
            return;
        case stored_float::float64:
            for (std::size_t i = 0; i < n; ++i)
                out[i] = static_cast<T>(std::bit_cast<double>(load_bytes<std::uint64_t>(p + 8 * i, swap)));
            return;
    }
}

template void widen_stored<float>(stored_float, bool, const void*, float*, std::size_t) noexcept;
template void widen_stored<double>(stored_float, bool, const void*, double*, std::size_t) noexcept;

}  // namespace kldiv::io::detail
