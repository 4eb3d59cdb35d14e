#pragma once
// The SIMD targets of the kernels (Highway's runtime dispatch), for the tests that run every kernel
// on every target against its scalar twin, and for the benchmarks.

#include <cstdint>
#include <vector>

namespace kldiv::detail {

// The targets compiled in and supported by this CPU.
std::vector<std::int64_t> simd_targets();
// A target's name ("AVX2", "SSE4", …).
const char* simd_target_name(std::int64_t target);
// Forces every dispatch to `target`; 0 restores the normal choice (the best supported).
void force_simd_target(std::int64_t target);

}  // namespace kldiv::detail
