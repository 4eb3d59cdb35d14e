// Tests of the divergence-family kernel (src/batch/block_kernels.hpp: family_sum) on every SIMD target
// against its scalar twin (reference_family_sum) and against the core's event-by-event sums
// (src/core/divergence_terms.hpp), over lengths across the block size, zeros, nearly equal and far
// rows, float and double; and the fallback where a ratio leaves the lanes' range.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "src/batch/block_kernels.hpp"
#include "src/common/exact_sum.hpp"
#include "src/core/divergence_terms.hpp"
#include "tests/every_simd_target.hpp"

namespace {

using kldiv::detail::term_kind;

class FamilyKernels : public every_simd_target {};

const term_kind kinds[] = {term_kind::pearson, term_kind::squared_hellinger, term_kind::total_variation,
                           term_kind::triangular, term_kind::bhattacharyya_coefficient};

template <class T>
void check(const std::vector<T>& p, const std::vector<T>& q, const char* what) {
    const auto sp = kldiv::detail::exact_sum(std::span<const T>(p)),
               sq = kldiv::detail::exact_sum(std::span<const T>(q));
    const kldiv::detail::vector_events<std::span<const T>, std::span<const T>> events{
        p, q, kldiv::detail::pair_scale(sp, sq)};
    for (const term_kind kind : kinds) {
        double fast = 0, twin = 0;
        const bool ok = kldiv::detail::family_sum(p.data(), q.data(), p.size(), sp, sq, kind, fast);
        EXPECT_EQ(ok, kldiv::detail::reference_family_sum(p.data(), q.data(), p.size(), sp, sq, kind, twin)) << what;
        // One event: P = Q, and where c = Sq/Sp is no double-double every δ is about c's error (1e-32):
        // left to the exact scalar terms.
        if (p.size() == 1 && !ok) continue;
        ASSERT_TRUE(ok) << what;
        const double core = kldiv::detail::sum_events(
            events, [&](const kldiv::detail::event& e) { return kldiv::detail::term_of(kind, e); });
        SCOPED_TRACE(std::string(what) + " n=" + std::to_string(p.size()) + " kind " + std::to_string(int(kind)));
        if (std::isinf(core)) {
            EXPECT_EQ(fast, core);
            EXPECT_EQ(twin, core);
            continue;
        }
        EXPECT_NEAR(fast, twin, 1e-14 * twin + 1e-300);  // the same terms, summed in another order
        EXPECT_NEAR(fast, core, 1e-13 * core + 1e-300);  // δ formed by another rounding path
    }
}

TEST_P(FamilyKernels, EqualTheScalarTwinAndTheCoreSums) {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (const std::size_t n : {1u, 3u, 7u, 8u, 17u, 1023u, 1024u, 1025u, 3001u}) {
        for (int pattern = 0; pattern < 4; ++pattern) {
            std::vector<double> p(n), q(n);
            for (std::size_t i = 0; i < n; ++i) {
                p[i] = u(rng);
                q[i] = pattern == 1 ? p[i] * (1 + 1e-9 * (u(rng) - 0.5)) : u(rng) * u(rng);
                if (pattern == 2 && i % 5 == 1) p[i] = 0;
                if (pattern == 3 && i % 7 == 2) q[i] = 0;  // P outside Q: Pearson is inf
                if (pattern == 3 && i % 5 == 1) p[i] = q[i] = 0;
            }
            check(p, q, "double");
            const std::vector<float> pf(p.begin(), p.end()), qf(q.begin(), q.end());
            check(pf, qf, "float");
        }
    }
}

TEST_P(FamilyKernels, RatiosBeyondTheLanesFallBack) {
    // q subnormal against p: δ is not finite in the lanes; the kernel says so and the caller sums the terms.
    const std::vector<double> p{0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.25, 0.25}, q{4e-320, 1, 1, 1, 1, 1, 1, 1};
    const auto sp = kldiv::detail::exact_sum(std::span<const double>(p)),
               sq = kldiv::detail::exact_sum(std::span<const double>(q));
    double out = 0;
    EXPECT_FALSE(kldiv::detail::family_sum(p.data(), q.data(), p.size(), sp, sq, term_kind::pearson, out));
    EXPECT_FALSE(kldiv::detail::reference_family_sum(p.data(), q.data(), p.size(), sp, sq, term_kind::pearson, out));
}

KLDIV_FOR_EVERY_SIMD_TARGET(FamilyKernels);

}  // namespace
