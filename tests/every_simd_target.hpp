#pragma once
// The fixture of the kernel tests: each test runs once per SIMD target compiled in and supported by
// this CPU, with the dispatch forced to that target, so that every target meets the scalar twin.
//
//   class BlockKernels : public every_simd_target {};
//   TEST_P(BlockKernels, …) { … }
//   KLDIV_FOR_EVERY_SIMD_TARGET(BlockKernels);

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "src/common/simd_targets.hpp"

class every_simd_target : public testing::TestWithParam<std::int64_t> {
protected:
    void SetUp() override { kldiv::detail::force_simd_target(GetParam()); }
    void TearDown() override { kldiv::detail::force_simd_target(0); }
};

inline std::string simd_target_test_name(const testing::TestParamInfo<std::int64_t>& info) {
    return kldiv::detail::simd_target_name(info.param);
}

#define KLDIV_FOR_EVERY_SIMD_TARGET(fixture)                                                         \
    INSTANTIATE_TEST_SUITE_P(EveryTarget, fixture, testing::ValuesIn(kldiv::detail::simd_targets()), \
                             simd_target_test_name)
