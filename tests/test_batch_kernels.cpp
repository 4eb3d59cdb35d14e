// Every SIMD target of the block kernels against the scalar twin (src/batch/block_kernels.hpp):
// block summaries and folded rows over many lengths (tails included), misaligned starts, float
// and double, near and far rows, masked (−inf) and zero events.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kldiv/views.hpp"
#include "src/batch/block_kernels.hpp"
#include "src/batch/blocks.hpp"
#include "tests/every_simd_target.hpp"

namespace {

using namespace kldiv::detail;

// Agreement of kernel and twin: a few ulps per event, summed (relative), and 1e-28 absolute for
// values that are 0 but for rounding (a single-event row, p̂ = q̂ = 1 up to an ulp).
// Float rows on SIMD targets take single-precision weights and φ (block_kernels-inl.h): 1e-5.
constexpr double tolerance = 1e-12, float_tolerance = 1e-5;
constexpr double floor_ = 1e-28;

void expect_close(double simd, double twin, const std::string& what, double relative = tolerance) {
    if (std::isinf(twin)) {
        EXPECT_EQ(simd, twin) << what;
        return;
    }
    EXPECT_LE(std::fabs(simd - twin), relative * std::fabs(twin) + floor_) << what << ": " << simd << " vs " << twin;
}

const std::vector<std::size_t> lengths = {1,  2,  3,  4,   5,    7,    8,    9,    15,   16,
                                          17, 31, 33, 100, 1023, 1024, 1025, 2047, 2049, 5000};

// near: differences of about 3e-3; moderate: about 0.15, across the float kernel's switch from
// the φ series to expm1 at |v| = 0.5; far: unrelated rows.
enum class shape { near, moderate, far, masked };

// Rows a, b of n logits (in storage T), with `offset` leading elements to misalign the start.
template <class T>
void make_logits(std::size_t n, std::size_t offset, shape s, std::uint32_t seed, std::vector<T>& a, std::vector<T>& b) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0.0, 3.0);
    a.assign(n + offset, T(0));
    b.assign(n + offset, T(0));
    for (std::size_t i = offset; i < n + offset; ++i) {
        const double x = z(rng);
        a[i] = static_cast<T>(x);
        b[i] = static_cast<T>(s == shape::far ? z(rng) : x + (s == shape::moderate ? 0.05 : 1e-3) * z(rng) + 0.5);
        if (s == shape::masked && i % 7 == 3) a[i] = -INFINITY;
        if (s == shape::masked && i % 11 == 5) {
            a[i] = -INFINITY;
            b[i] = -INFINITY;
        }
    }
}

template <class T>
void make_probs(std::size_t n, std::size_t offset, shape s, std::uint32_t seed, std::vector<T>& p, std::vector<T>& q) {
    std::vector<T> a, b;
    make_logits<T>(n, offset, s, seed, a, b);
    p.assign(n + offset, T(0));
    q.assign(n + offset, T(0));
    for (std::size_t i = offset; i < n + offset; ++i) {
        p[i] = static_cast<T>(std::exp(static_cast<double>(a[i])));
        q[i] = static_cast<T>(std::exp(static_cast<double>(b[i])));
        if (s == shape::masked && i % 13 == 2) q[i] = T(0);  // outside Q: D(P‖Q) = inf
    }
}

template <class T>
void check_log(std::size_t n, std::size_t offset, shape s) {
    std::vector<T> a, b;
    make_logits<T>(n, offset, s, static_cast<std::uint32_t>(n * 31 + offset), a, b);
    const std::size_t nb = block_count(n);
    const log_segment seg{n, 0, nb, 0.5, side::divergence, side::divergence};
    std::vector<log_block> twin_p(nb), twin_q(nb), simd_p(nb), simd_q(nb);
    bool twin_bad = false, simd_bad = false;
    reference_log_blocks(a.data() + offset, b.data() + offset, seg, twin_p.data(), twin_q.data(), twin_bad);
    log_blocks(a.data() + offset, b.data() + offset, seg, simd_p.data(), simd_q.data(), simd_bad);
    EXPECT_FALSE(twin_bad);
    EXPECT_FALSE(simd_bad);
    const std::string what = "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
    const double tol = sizeof(T) == sizeof(float) ? float_tolerance : tolerance;
    for (std::size_t k = 0; k < nb; ++k) {
        EXPECT_EQ(simd_p[k].max, twin_p[k].max) << what;
        EXPECT_EQ(simd_p[k].outside, twin_p[k].outside) << what;
        expect_close(simd_p[k].weight, twin_p[k].weight, what + " weight", tol);
        expect_close(simd_p[k].spread, twin_p[k].spread, what + " spread", tol);
        if (!twin_p[k].outside) expect_close(simd_p[k].phi, twin_p[k].phi, what + " phi", tol);
        // Q's mass where P has none (the masked shape has such events).
        EXPECT_EQ(simd_p[k].absent_max, twin_p[k].absent_max) << what;
        expect_close(simd_p[k].absent_weight, twin_p[k].absent_weight, what + " absent weight", tol);
        bool absent = false;
        for (std::size_t i = k * block_size; i < std::min(n, (k + 1) * block_size); ++i) {
            absent = absent || (a[offset + i] == -INFINITY && b[offset + i] > -INFINITY);
        }
        EXPECT_EQ(twin_p[k].absent_weight > 0.0, absent) << what;
    }
    for (const bool reverse : {false, true}) {
        const auto& tb = reverse ? twin_q : twin_p;
        const auto& sb = reverse ? simd_q : simd_p;
        const log_row t = fold_log_blocks(tb, true), v = fold_log_blocks(sb, true);
        expect_close(v.kl, t.kl, what + " kl", tol);
        expect_close(v.entropy, t.entropy, what + " entropy", tol);
        expect_close(v.log_normalizer, t.log_normalizer, what + " normalizer", tol);
        EXPECT_GE(v.kl, 0.0);
    }
}

template <class T>
void check_prob(std::size_t n, std::size_t offset, shape s) {
    std::vector<T> p, q;
    make_probs<T>(n, offset, s, static_cast<std::uint32_t>(n * 17 + offset), p, q);
    const std::size_t nb = block_count(n);
    const block_request request{true, true, true};
    const prob_segment seg{n, 0, nb, request};
    std::vector<prob_block> twin(nb), simd(nb);
    bool twin_bad = false, simd_bad = false;
    reference_prob_blocks(p.data() + offset, q.data() + offset, seg, twin.data(), twin_bad);
    prob_blocks(p.data() + offset, q.data() + offset, seg, simd.data(), simd_bad);
    EXPECT_FALSE(twin_bad);
    EXPECT_FALSE(simd_bad);
    std::vector<double> scratch_t(2 * nb), scratch_s(2 * nb);
    const prob_row t = fold_prob_blocks(twin, request, scratch_t), v = fold_prob_blocks(simd, request, scratch_s);
    const std::string what = "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
    expect_close(v.kl, t.kl, what + " kl");
    expect_close(v.reverse_kl, t.reverse_kl, what + " reverse");
    expect_close(v.entropy_p, t.entropy_p, what + " H(P)");
    expect_close(v.entropy_q, t.entropy_q, what + " H(Q)");
    expect_close(v.sum_p, t.sum_p, what + " sum");
}

class BlockKernels : public every_simd_target {};

TEST_P(BlockKernels, LogSpaceMatchesScalarTwin) {
    for (const shape s : {shape::near, shape::moderate, shape::far, shape::masked}) {
        for (const std::size_t n : lengths) {
            for (const std::size_t offset : {0u, 1u, 3u}) {
                check_log<float>(n, offset, s);
                check_log<double>(n, offset, s);
            }
        }
    }
}

TEST_P(BlockKernels, ProbabilitiesMatchScalarTwin) {
    for (const shape s : {shape::near, shape::far, shape::masked}) {
        for (const std::size_t n : lengths) {
            for (const std::size_t offset : {0u, 1u, 3u}) {
                check_prob<float>(n, offset, s);
                check_prob<double>(n, offset, s);
            }
        }
    }
}

TEST_P(BlockKernels, FlagsValuesOutsideTheirDomain) {
    std::vector<double> a(50, 0.0), b(50, 0.0);
    a[37] = NAN;
    const log_segment seg{50, 0, 1, 1.0, side::divergence, side::none};
    log_block pb, qb;
    bool bad = false;
    log_blocks(a.data(), b.data(), seg, &pb, &qb, bad);
    EXPECT_TRUE(bad);
    a[37] = INFINITY;
    bad = false;
    log_blocks(a.data(), b.data(), seg, &pb, &qb, bad);
    EXPECT_TRUE(bad);
    a[37] = -INFINITY;  // a masked event is fine
    bad = false;
    log_blocks(a.data(), b.data(), seg, &pb, &qb, bad);
    EXPECT_FALSE(bad);

    std::vector<double> p(50, 0.02), q(50, 0.02);
    q[49] = -0.02;
    prob_block out;
    bad = false;
    prob_blocks(p.data(), q.data(), prob_segment{50, 0, 1, {true, false, false}}, &out, bad);
    EXPECT_TRUE(bad);
}

// 16-bit rows are widened exactly (every target's conversion) and then summarized as float rows.
TEST_P(BlockKernels, SixteenBitRowsSummarizeAsTheirWidening) {
    const std::size_t n = 2 * block_size + 77;
    std::vector<kldiv::bfloat16> a16(n), b16(n);
    std::vector<float> a(n), b(n);
    std::mt19937_64 rng(5);
    for (std::size_t i = 0; i < n; ++i) {
        a16[i] = {static_cast<std::uint16_t>(0x3f00u + rng() % 0x200u)};  // 0.5 to 2, and signs below
        b16[i] = {static_cast<std::uint16_t>((rng() % 2) << 15 | (0x3f00u + rng() % 0x200u))};
        a[i] = static_cast<float>(a16[i]);
        b[i] = static_cast<float>(b16[i]);
    }
    const std::size_t nb = block_count(n);
    const log_segment seg{n, 0, nb, 1.0, side::divergence, side::divergence};
    std::vector<log_block> p16(nb), q16(nb), p32(nb), q32(nb);
    bool bad = false;
    log_blocks(a16.data(), b16.data(), seg, p16.data(), q16.data(), bad);
    log_blocks(a.data(), b.data(), seg, p32.data(), q32.data(), bad);
    EXPECT_FALSE(bad);
    for (std::size_t k = 0; k < nb; ++k) {
        EXPECT_EQ(p16[k].phi, p32[k].phi) << k;
        EXPECT_EQ(q16[k].weight, q32[k].weight) << k;
    }
    std::vector<kldiv::float16> h(n);
    for (std::size_t i = 0; i < n; ++i) h[i] = {static_cast<std::uint16_t>(rng())};  // every pattern, NaN too
    std::vector<prob_block> out(nb);
    bad = false;
    prob_blocks(h.data(), h.data(), prob_segment{n, 0, nb, {true, false, false}}, out.data(), bad);
    EXPECT_TRUE(bad);  // random patterns include negatives, infinities and NaNs
}

// The weights' exponential (exp-inl.h) against std::exp in double: 2 ulp (2.4e-7 relative) over
// [−86.5, 0], 0 below, including −inf.
TEST_P(BlockKernels, ExpNonPositiveIsWithinTwoUlp) {
    std::vector<float> x;
    for (float v = 0.0f; v >= -86.5f; v -= 0.00731f) x.push_back(v);
    x.push_back(-86.5f);
    x.push_back(-0.0f);
    x.push_back(-1e-30f);
    const std::size_t in_range = x.size();
    x.push_back(-86.6f);
    x.push_back(-100.0f);
    x.push_back(-INFINITY);
    std::vector<float> out(x.size());
    exp_non_positive(x.data(), out.data(), x.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < in_range; ++i) {
        const double expected = std::exp(static_cast<double>(x[i]));
        worst = std::max(worst, std::fabs(out[i] - expected) / expected);
    }
    EXPECT_LE(worst, 2.4e-7);
    for (std::size_t i = in_range; i < x.size(); ++i) EXPECT_EQ(out[i], 0.0f) << x[i];
}

KLDIV_FOR_EVERY_SIMD_TARGET(BlockKernels);

TEST(BlockKernels, SeveralTargetsAreCompiledAndSupported) {
#if KLDIV_SIMD_STATIC_ONLY
    // The sanitizer build compiles the kernels for the compiler's baseline target alone.
    EXPECT_EQ(simd_targets().size(), 1u);
#else
    // This CPU family has at least SSE4 and AVX2 besides the portable fallback.
    EXPECT_GE(simd_targets().size(), 2u);
#endif
}

}  // namespace
