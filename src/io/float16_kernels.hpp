#pragma once
// Widening IEEE binary16 values to float, for the readers of float16 rows (.npy,
// safetensors, kldiv reference files): a SIMD kernel (Highway, dispatched at run time: F16C on
// AVX2 and later; float16_kernels-inl.h) and its scalar twin, kldiv::float16's conversion. Every
// half is a float exactly, so both give the same bits for every non-NaN half (NaN stays NaN).

#include <cstddef>

namespace kldiv::io::detail {

// out[i] = the float value of the i-th half at `halves` (2·n bytes in the host's byte order, any
// alignment).
void widen_float16(const void* halves, float* out, std::size_t n) noexcept;
void reference_widen_float16(const void* halves, float* out, std::size_t n) noexcept;

}  // namespace kldiv::io::detail
