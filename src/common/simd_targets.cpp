#include "src/common/simd_targets.hpp"

#include "hwy/targets.h"

namespace kldiv::detail {

std::vector<std::int64_t> simd_targets() { return hwy::SupportedAndGeneratedTargets(); }
const char* simd_target_name(std::int64_t target) { return hwy::TargetName(target); }
void force_simd_target(std::int64_t target) { hwy::SetSupportedTargetsForTest(target); }

}  // namespace kldiv::detail
