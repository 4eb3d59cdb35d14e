// Tests of include/kldiv/batch.hpp: agreement with the single-vector measures, accuracy on nearly
// identical float32 logits against a long-double reference, thread-count independence, the
// conventions for masked events, reductions, options and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/batch.hpp"
#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using testing::HasSubstr;
constexpr double inf = std::numeric_limits<double>::infinity();

template <class T>
struct matrix {
    std::size_t rows, cols;
    std::vector<T> data;
    matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c) {}
    T* row(std::size_t i) { return data.data() + i * cols; }
    kldiv::matrix_view<const T> view() const { return {data.data(), rows, cols}; }
};

// Logits a ~ N(0, 3²) and b = a + noise·N(0,1) + offset, as T.
template <class T>
void logit_pair(std::size_t rows, std::size_t cols, double noise, double offset, unsigned seed, matrix<T>& a,
                matrix<T>& b) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0.0, 1.0);
    for (std::size_t i = 0; i < rows * cols; ++i) {
        const double x = 3.0 * z(rng);
        a.data[i] = static_cast<T>(x);
        b.data[i] = static_cast<T>(static_cast<double>(a.data[i]) + noise * z(rng) + offset);
    }
}

// softmax(v / t) in double.
template <class T>
std::vector<double> softmax(const T* v, std::size_t n, double t = 1.0) {
    double top = -inf;
    for (std::size_t i = 0; i < n; ++i) top = std::max(top, static_cast<double>(v[i]) / t);
    std::vector<double> out(n);
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += out[i] = std::exp(static_cast<double>(v[i]) / t - top);
    for (double& x : out) x /= sum;
    return out;
}

// D(P‖Q) of logit rows in long double, by the textbook two-pass route in log space:
// u = log p − log q, D = Σ p (expm1(−u) + u) (independent of the library's block algorithm).
template <class T>
long double reference_kl(const T* a, const T* b, std::size_t n) {
    const auto lse = [n](const T* v) {
        long double top = -INFINITY, sum = 0.0L;
        for (std::size_t i = 0; i < n; ++i) top = std::max(top, static_cast<long double>(v[i]));
        for (std::size_t i = 0; i < n; ++i) sum += std::exp(static_cast<long double>(v[i]) - top);
        return top + std::log(sum);
    };
    const long double la = lse(a), lb = lse(b);
    long double kl = 0.0L;
    for (std::size_t i = 0; i < n; ++i) {
        const long double lp = static_cast<long double>(a[i]) - la, lq = static_cast<long double>(b[i]) - lb;
        const long double u = lp - lq;
        kl += std::exp(lp) * (std::expm1(-u) + u);
    }
    return kl;
}

// Float rows are measured with single-precision weights and φ (sums and differences in double):
// about 1e-7 relative, stated as 2e-6. Double rows are measured in double throughout.
constexpr double float_rows = 2e-6;

TEST(Batch, LogitsMatchTheSingleVectorMeasuresOnTheirSoftmax) {
    matrix<float> a(5, 3001), b(5, 3001);
    logit_pair(5, 3001, 1.0, 0.0, 1, a, b);
    std::vector<double> kl(5), rkl(5), js(5), hp(5), hq(5), ce(5);
    kldiv::measure_rows(a.view(), b.view(), {kl, rkl, js, hp, hq, ce},
                        {.input = kldiv::input_kind::logits, .temperature = 1.5, .measure = {.beta = 0.3}});
    for (std::size_t i = 0; i < 5; ++i) {
        const auto p = softmax(a.row(i), 3001, 1.5), q = softmax(b.row(i), 3001, 1.5);
        EXPECT_NEAR(kl[i], kldiv::kl_divergence(p, q), float_rows * kl[i]);
        EXPECT_NEAR(rkl[i], kldiv::kl_divergence(q, p), float_rows * rkl[i]);
        EXPECT_NEAR(js[i], kldiv::js_divergence(p, q, {.beta = 0.3}), 1e-12 * js[i]);
        EXPECT_NEAR(hp[i], kldiv::entropy(p), float_rows * hp[i]);
        EXPECT_NEAR(hq[i], kldiv::entropy(q), float_rows * hq[i]);
        EXPECT_NEAR(ce[i], kldiv::cross_entropy(p, q), float_rows * ce[i]);
        double tv = 0.0;
        for (std::size_t j = 0; j < p.size(); ++j) tv += std::fabs(p[j] - q[j]) / 2;
        EXPECT_GE(kl[i], 2.0 * tv * tv);
    }
}

TEST(Batch, ProbabilitiesAndLogProbabilitiesMatchTheSingleVectorMeasures) {
    matrix<double> a(3, 2500), b(3, 2500);
    logit_pair(3, 2500, 0.5, 0.0, 2, a, b);
    matrix<double> p(3, 2500), q(3, 2500), lp(3, 2500), lq(3, 2500);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto sp = softmax(a.row(i), 2500), sq = softmax(b.row(i), 2500);
        for (std::size_t j = 0; j < 2500; ++j) {
            p.row(i)[j] = sp[j];
            q.row(i)[j] = sq[j];
            lp.row(i)[j] = std::log(sp[j]);
            lq.row(i)[j] = std::log(sq[j]);
        }
    }
    for (const auto kind : {kldiv::input_kind::probs, kldiv::input_kind::log_probs}) {
        const bool logs = kind == kldiv::input_kind::log_probs;
        std::vector<double> kl(3), rkl(3), hp(3), ce(3);
        kldiv::measure_rows((logs ? lp : p).view(), (logs ? lq : q).view(),
                            {.kl = kl, .reverse_kl = rkl, .entropy_p = hp, .cross_entropy = ce}, {.input = kind});
        for (std::size_t i = 0; i < 3; ++i) {
            const std::span<const double> pi(p.row(i), 2500), qi(q.row(i), 2500);
            EXPECT_NEAR(kl[i], kldiv::kl_divergence(pi, qi), 1e-12 * kl[i]);
            EXPECT_NEAR(rkl[i], kldiv::kl_divergence(qi, pi), 1e-12 * rkl[i]);
            EXPECT_NEAR(hp[i], kldiv::entropy(pi), 1e-12 * hp[i]);
            EXPECT_NEAR(ce[i], kldiv::cross_entropy(pi, qi), 1e-12 * ce[i]);
        }
    }
}

// The accuracy bar: float32 logits, true KL from 1e-10 to 1e-2, with and without an
// offset between the two logit vectors: relative error <= 1e-4, never negative.
TEST(Batch, NearlyIdenticalFloatLogitsAreAccurate) {
    for (const std::size_t cols : {1000u, 32000u, 256000u}) {
        for (const double offset : {0.0, 7.25}) {
            for (const double noise : {1.4e-5, 1.4e-4, 1.4e-3, 1.4e-2, 1.4e-1}) {
                matrix<float> a(1, cols), b(1, cols);
                logit_pair(1, cols, noise, offset, static_cast<unsigned>(cols + noise * 1e6), a, b);
                double kl = 0.0;
                kldiv::kl_divergence_rows(a.view(), b.view(), std::span<double>(&kl, 1),
                                          {.input = kldiv::input_kind::logits});
                const double expected = static_cast<double>(reference_kl(a.row(0), b.row(0), cols));
                ASSERT_GT(expected, 0.0);
                EXPECT_GE(kl, 0.0);
                EXPECT_LE(std::fabs(kl - expected), 1e-6 * expected)
                    << "cols " << cols << " noise " << noise << " offset " << offset << ": " << kl << " vs "
                    << expected;
            }
        }
    }
}

TEST(Batch, IdenticalRowsGiveExactlyZero) {
    matrix<float> a(4, 5000), b(4, 5000);
    logit_pair(4, 5000, 0.0, 0.0, 3, a, b);
    std::vector<double> kl(4), rkl(4), js(4);
    kldiv::measure_rows(a.view(), a.view(), {.kl = kl, .reverse_kl = rkl, .js = js},
                        {.input = kldiv::input_kind::logits});
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(kl[i], 0.0);
        EXPECT_EQ(rkl[i], 0.0);
        EXPECT_EQ(js[i], 0.0);
    }
}

TEST(Batch, ResultsDoNotDependOnTheThreadCount) {
    for (const std::size_t rows : {1u, 3u, 16u}) {
        matrix<float> a(rows, 70000), b(rows, 70000);
        logit_pair(rows, 70000, 0.3, 1.0, 4, a, b);
        std::vector<double> first;
        for (const unsigned threads : {1u, 2u, 3u, 8u}) {
            std::vector<double> kl(rows), h(rows);
            kldiv::measure_rows(a.view(), b.view(), {.kl = kl, .entropy_q = h},
                                {.input = kldiv::input_kind::logits, .rows = {.threads = threads}});
            kl.insert(kl.end(), h.begin(), h.end());
            if (first.empty()) {
                first = kl;
            } else {
                EXPECT_EQ(0, std::memcmp(first.data(), kl.data(), kl.size() * sizeof(double))) << threads;
            }
        }
    }
}

TEST(Batch, MaskedLogitsFollowTheConventions) {
    std::vector<float> a = {0.0f, 1.0f, -INFINITY, 2.0f}, b = {0.5f, 1.0f, -INFINITY, 1.5f};
    double kl = 0.0;
    kldiv::kl_divergence_rows({a.data(), 1, 4}, {b.data(), 1, 4}, std::span<double>(&kl, 1),
                              {.input = kldiv::input_kind::logits});
    const std::vector<double> p = softmax(a.data(), 4), q = softmax(b.data(), 4);
    EXPECT_NEAR(kl, kldiv::kl_divergence(p, q), float_rows * kl);
    b[3] = -INFINITY;  // q = 0 where p > 0
    kldiv::kl_divergence_rows({a.data(), 1, 4}, {b.data(), 1, 4}, std::span<double>(&kl, 1),
                              {.input = kldiv::input_kind::logits});
    EXPECT_EQ(kl, inf);
    try {
        kldiv::kl_divergence_rows(
            {a.data(), 1, 4}, {b.data(), 1, 4}, std::span<double>(&kl, 1),
            {.input = kldiv::input_kind::logits, .measure = {.on_zero = kldiv::zero_support::error}});
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("p[3] = 2 gives mass where q[3] = -inf gives none"));
    }
}

// P on an event Q gives e^-1000: ratios beyond the double range, D(P‖Q) about 950 nats; D(Q‖P) about 18.
TEST(Batch, DistributionsFarApartStayFinite) {
    for (const bool single : {false, true}) {
        std::vector<double> a = {0.0, -20.0, -3.0}, b = {-1000.0, 0.0, -2.0};
        double kl = 0.0, rkl = 0.0;
        if (single) {
            const std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end());
            kldiv::measure_rows({af.data(), 1, 3}, {bf.data(), 1, 3}, {.kl = {&kl, 1}, .reverse_kl = {&rkl, 1}},
                                {.input = kldiv::input_kind::logits});
        } else {
            kldiv::measure_rows({a.data(), 1, 3}, {b.data(), 1, 3}, {.kl = {&kl, 1}, .reverse_kl = {&rkl, 1}},
                                {.input = kldiv::input_kind::logits});
        }
        const double expected = static_cast<double>(reference_kl(a.data(), b.data(), 3));
        const double expected_reverse = static_cast<double>(reference_kl(b.data(), a.data(), 3));
        EXPECT_GT(expected, 900.0);
        const double tolerance = single ? float_rows : 1e-12;
        EXPECT_NEAR(kl, expected, tolerance * expected) << single;
        EXPECT_NEAR(rkl, expected_reverse, tolerance * expected_reverse) << single;
    }
}

TEST(Batch, SmoothingMatchesTheSingleVectorMeasure) {
    std::vector<double> p = {0.5, 0.5, 0.0}, q = {0.25, 0.0, 0.75};
    double kl = 0.0;
    const kldiv::batch_options o{.measure = {.on_zero = kldiv::zero_support::smooth, .epsilon = 1e-3}};
    kldiv::kl_divergence_rows({p.data(), 1, 3}, {q.data(), 1, 3}, std::span<double>(&kl, 1), o);
    EXPECT_NEAR(kl, kldiv::kl_divergence(p, q, {.on_zero = kldiv::zero_support::smooth, .epsilon = 1e-3}), 1e-14);
}

template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const kldiv::error& e) {
        return e.what();
    }
    return "no error";
}

// No rows: nothing to compute per row, Σ over no rows = 0, and a mean over no rows is refused.
TEST(Batch, NoRows) {
    const kldiv::matrix_view<const double> none(nullptr, 0, 3);
    std::vector<double> empty;
    EXPECT_NO_THROW(kldiv::measure_rows(none, none, {.kl = empty, .js = empty}));
    EXPECT_NO_THROW(kldiv::measure_rows(none, none, {}));  // no span can hold a value: nothing is asked
    double total = -1.0;
    kldiv::measure_rows(none, none, {.kl = {&total, 1}}, {.reduce = kldiv::reduction::sum});
    EXPECT_EQ(total, 0.0);
    EXPECT_THAT(message_of([&] {
                    kldiv::measure_rows(none, none, {.kl = {&total, 1}}, {.reduce = kldiv::reduction::mean});
                }),
                HasSubstr("reduction = mean over rows whose total weight is 0"));
    EXPECT_THAT(message_of([&] { kldiv::measure_rows(none, none, {}, {.reduce = kldiv::reduction::sum}); }),
                HasSubstr("no output span is set"));
}

// A row whose sum is subnormal cannot be normalized (1/sum overflows): refused, naming the row.
TEST(Batch, SubnormalRowSumsAreRefusedWhenNormalizing) {
    const std::vector<double> p = {0.5, 0.5, 1e-310, 3e-310}, q = {0.5, 0.5, 0.5, 0.5};
    std::vector<double> kl(2);
    EXPECT_EQ(message_of([&] {
                  kldiv::kl_divergence_rows({p.data(), 2, 2}, {q.data(), 2, 2}, kl, {.measure = {.normalize = true}});
              }),
              "kl_divergence_rows: row 1 of p sums to 4e-310, but normalizing needs a sum >= 2.2250738585072014e-308 "
              "(the smallest normal double): scale the row up");
}

TEST(Batch, ReductionsWeightsMasksAndUnits) {
    matrix<double> a(4, 300), b(4, 300);
    logit_pair(4, 300, 1.0, 0.0, 5, a, b);
    std::vector<double> each(4);
    const kldiv::batch_options base{.input = kldiv::input_kind::logits, .measure = {.base = kldiv::log_base::bits()}};
    kldiv::kl_divergence_rows(a.view(), b.view(), each, base);
    const std::vector<double> w = {1.0, 2.0, 0.0, 0.5};
    const std::vector<std::uint8_t> mask = {1, 1, 1, 0};
    double sum = 0.0, mean = 0.0;
    auto o = base;
    o.reduce = kldiv::reduction::sum;
    o.rows.weights = w;
    kldiv::kl_divergence_rows(a.view(), b.view(), std::span<double>(&sum, 1), o);
    EXPECT_NEAR(sum, each[0] + 2 * each[1] + 0.5 * each[3], 1e-14);
    o.reduce = kldiv::reduction::mean;
    o.rows.mask = mask;
    kldiv::kl_divergence_rows(a.view(), b.view(), std::span<double>(&mean, 1), o);
    EXPECT_NEAR(mean, (each[0] + 2 * each[1]) / 3.0, 1e-14);
    std::vector<double> masked(4);
    auto m = base;
    m.rows.mask = mask;
    kldiv::kl_divergence_rows(a.view(), b.view(), masked, m);
    EXPECT_EQ(masked[3], 0.0);
    EXPECT_EQ(masked[0], each[0]);
    std::vector<double> nats(4);
    kldiv::kl_divergence_rows(a.view(), b.view(), nats, {.input = kldiv::input_kind::logits});
    EXPECT_NEAR(nats[1], each[1] * std::log(2.0), 1e-15);
}

TEST(Batch, StridedRowsAreRead) {
    matrix<double> a(3, 40), b(3, 40);
    logit_pair(3, 40, 1.0, 0.0, 6, a, b);
    std::vector<double> whole(3), strided(2);
    kldiv::kl_divergence_rows(a.view(), b.view(), whole, {.input = kldiv::input_kind::logits});
    // Rows 0 and 2, first 40 columns, through a stride of two rows.
    kldiv::kl_divergence_rows({a.data.data(), 2, 40, 80}, {b.data.data(), 2, 40, 80}, strided,
                              {.input = kldiv::input_kind::logits});
    EXPECT_EQ(strided[0], whole[0]);
    EXPECT_EQ(strided[1], whole[2]);
}

TEST(Batch, AStrideOfZeroReadsOneRowForEveryRow) {
    matrix<double> a(3, 40), b(3, 40);
    logit_pair(3, 40, 1.0, 0.0, 6, a, b);
    matrix<double> repeated(3, 40);
    for (std::size_t i = 0; i < 3; ++i)
        std::copy(b.data.begin(), b.data.begin() + 40, repeated.data.begin() + static_cast<std::ptrdiff_t>(i * 40));
    std::vector<double> explicit_rows(3), broadcast(3);
    for (const auto input : {kldiv::input_kind::logits, kldiv::input_kind::log_probs}) {
        const kldiv::batch_options o{.input = input, .measure = {.normalize = true}};
        kldiv::kl_divergence_rows(a.view(), repeated.view(), explicit_rows, o);
        kldiv::kl_divergence_rows(a.view(), {b.data.data(), 3, 40, 0}, broadcast, o);
        EXPECT_EQ(broadcast, explicit_rows);
        EXPECT_GT(broadcast[1], 0.0);
    }
    std::vector<double> out(2);
    EXPECT_THROW(kldiv::kl_divergence_rows({a.data.data(), 2, 40, 39}, {b.data.data(), 2, 40, 0}, out, {}),
                 kldiv::error);
}

// binary16 bits of a float that binary16 represents exactly (normal or zero).
kldiv::float16 to_float16(float x) {
    if (x == 0.0f) return {static_cast<std::uint16_t>(std::signbit(x) ? 0x8000u : 0u)};
    const std::uint32_t f = std::bit_cast<std::uint32_t>(x);
    const std::uint32_t exponent = ((f >> 23) & 0xffu) - 112u, mantissa = (f >> 13) & 0x3ffu;
    return {static_cast<std::uint16_t>((f >> 16 & 0x8000u) | exponent << 10 | mantissa)};
}

TEST(Batch, SixteenBitFormatsWidenExactly) {
    EXPECT_EQ(static_cast<float>(to_float16(-2.75f)), -2.75f);
    EXPECT_EQ(static_cast<float>(kldiv::float16{0x7c00}), INFINITY);
    EXPECT_EQ(static_cast<float>(kldiv::float16{0xfc00}), -INFINITY);
    EXPECT_TRUE(std::isnan(static_cast<float>(kldiv::float16{0x7e00})));
    EXPECT_EQ(static_cast<float>(kldiv::float16{0x0001}), 0x1p-24f);  // smallest subnormal
    EXPECT_EQ(static_cast<float>(kldiv::float16{0x7bff}), 65504.0f);  // largest finite
    EXPECT_EQ(static_cast<float>(kldiv::bfloat16{0x3fc0}), 1.5f);
    EXPECT_EQ(static_cast<double>(kldiv::bfloat16{0xff80}), -INFINITY);
}

// 16-bit rows are measured exactly as their float widening: the same values, bit for bit.
TEST(Batch, SixteenBitRowsMeasureAsTheirFloatWidening) {
    const std::size_t rows = 3, cols = 3000;
    std::mt19937_64 rng(11);
    std::normal_distribution<float> z(0.0f, 3.0f);
    std::vector<kldiv::float16> a16(rows * cols), b16(rows * cols);
    std::vector<kldiv::bfloat16> a_bf(rows * cols), b_bf(rows * cols);
    std::vector<float> a(rows * cols), b(rows * cols), a2(rows * cols), b2(rows * cols);
    for (std::size_t i = 0; i < rows * cols; ++i) {
        const float x = std::round(z(rng) * 64.0f) / 64.0f, y = x + std::round(z(rng) * 4.0f) / 64.0f;
        a16[i] = to_float16(std::clamp(x, -31.0f, 31.0f));
        b16[i] = to_float16(std::clamp(y, -31.0f, 31.0f));
        a[i] = static_cast<float>(a16[i]);
        b[i] = static_cast<float>(b16[i]);
        a_bf[i] = {static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(a[i]) >> 16)};
        b_bf[i] = {static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(b[i]) >> 16)};
        a2[i] = static_cast<float>(a_bf[i]);
        b2[i] = static_cast<float>(b_bf[i]);
    }
    a16[5] = {0xfc00};  // a masked event
    a[5] = -INFINITY;
    const kldiv::batch_options o{.input = kldiv::input_kind::logits, .temperature = 1.5};
    std::vector<double> kl(rows), rkl(rows), h(rows), kl16(rows), rkl16(rows), h16(rows);
    kldiv::measure_rows({a.data(), rows, cols}, {b.data(), rows, cols}, {.kl = kl, .reverse_kl = rkl, .entropy_p = h},
                        o);
    kldiv::measure_rows({a16.data(), rows, cols}, {b16.data(), rows, cols},
                        {.kl = kl16, .reverse_kl = rkl16, .entropy_p = h16}, o);
    EXPECT_EQ(kl, kl16);
    EXPECT_EQ(rkl, rkl16);
    EXPECT_EQ(h, h16);
    kldiv::measure_rows({a2.data(), rows, cols}, {b2.data(), rows, cols}, {.kl = kl, .reverse_kl = rkl}, o);
    kldiv::measure_rows({a_bf.data(), rows, cols}, {b_bf.data(), rows, cols}, {.kl = kl16, .reverse_kl = rkl16}, o);
    EXPECT_EQ(kl, kl16);
    EXPECT_EQ(rkl, rkl16);
    a16[7] = {0x7e00};  // NaN
    std::vector<double> one(rows);
    EXPECT_THAT(message_of([&] {
                    kldiv::measure_rows({a16.data(), rows, cols}, {b16.data(), rows, cols}, {.kl = one}, o);
                }),
                HasSubstr("p[0, 7] = nan"));
}

// ln Σ exp(a/T) of each side against long double; float rows' weights are single precision
// (about 1e-7 in the normalizer, stated 2e-6), double rows' double (stated 1e-13). Probabilities give
// ln Σ p; bits do not apply; the JS path (materialized rows) leaves the normalizers as the rows give.
TEST(Batch, LogNormalizers) {
    const auto lse = [](const auto* v, std::size_t n, long double t) {
        long double top = -INFINITY, sum = 0.0L;
        for (std::size_t i = 0; i < n; ++i) top = std::max(top, static_cast<long double>(v[i]) / t);
        for (std::size_t i = 0; i < n; ++i) sum += std::exp(static_cast<long double>(v[i]) / t - top);
        return static_cast<double>(top + std::log(sum));
    };
    matrix<float> a(5, 3000), b(5, 3000);
    logit_pair(5, 3000, 0.5, 7.25, 41, a, b);
    matrix<double> c(5, 3000), d(5, 3000);
    logit_pair(5, 3000, 0.5, -3.0, 42, c, d);
    std::vector<double> zp(5), zq(5), js(5), zp2(5), zq2(5);
    kldiv::measure_rows(
        a.view(), b.view(), {.js = js, .log_normalizer_p = zp, .log_normalizer_q = zq},
        {.input = kldiv::input_kind::logits, .temperature = 1.5, .measure = {.base = kldiv::log_base::bits()}});
    kldiv::measure_rows(c.view(), d.view(), {.log_normalizer_p = zp2, .log_normalizer_q = zq2},
                        {.input = kldiv::input_kind::logits});
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_NEAR(zp[i], lse(a.row(i), 3000, 1.5L), 2e-6);
        EXPECT_NEAR(zq[i], lse(b.row(i), 3000, 1.5L), 2e-6);
        EXPECT_NEAR(zp2[i], lse(c.row(i), 3000, 1.0L), 1e-13 * std::fabs(zp2[i]));
        EXPECT_NEAR(zq2[i], lse(d.row(i), 3000, 1.0L), 1e-13 * std::fabs(zq2[i]));
    }
    const std::vector<double> p{0.2, 0.3, 0.5}, q{0.25, 0.25, 0.5};
    double lp = 1.0, lq = 1.0;
    kldiv::measure_rows(kldiv::matrix_view<const double>(p.data(), 1, 3),
                        kldiv::matrix_view<const double>(q.data(), 1, 3),
                        {.log_normalizer_p = std::span(&lp, 1), .log_normalizer_q = std::span(&lq, 1)});
    EXPECT_NEAR(lp, 0.0, 1e-16);
    EXPECT_NEAR(lq, 0.0, 1e-16);
}

TEST(Batch, BadInputIsNamed) {
    std::vector<float> a = {0.0f, 1.0f, 2.0f, 3.0f}, b = a;
    std::vector<double> out(2);
    const kldiv::batch_options logits{.input = kldiv::input_kind::logits};
    a[3] = NAN;
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({a.data(), 2, 2}, {b.data(), 2, 2}, out, logits);
                }),
                HasSubstr("kl_divergence_rows: p[1, 1] = nan, but logits must not be NaN"));
    a[3] = INFINITY;
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({a.data(), 2, 2}, {b.data(), 2, 2}, out, logits);
                }),
                HasSubstr("p[1, 1] = inf, but logits must be < +inf"));
    a = {0.5f, 0.5f, 0.3f, 0.6f};
    b = {0.5f, 0.5f, 0.5f, 0.5f};
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({a.data(), 2, 2}, {b.data(), 2, 2}, out);
                }),
                HasSubstr("row 1 of p sums to 0.9"));
    a[2] = -0.1f;
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({a.data(), 2, 2}, {b.data(), 2, 2}, out);
                }),
                HasSubstr("p[1, 0] = -0.1"));
    std::vector<float> masked = {-INFINITY, -INFINITY};
    EXPECT_THAT(
        message_of([&] {
            kldiv::kl_divergence_rows({b.data(), 1, 2}, {masked.data(), 1, 2}, std::span<double>(out).first(1), logits);
        }),
        HasSubstr("q has every logit = -inf"));
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({a.data(), 2, 2}, {b.data(), 1, 4}, out);
                }),
                HasSubstr("p is 2x2 and q is 1x4"));
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({b.data(), 2, 2}, {b.data(), 2, 2}, out,
                                              {.input = kldiv::input_kind::logits, .temperature = 0.0});
                }),
                HasSubstr("temperature = 0"));
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({b.data(), 2, 2}, {b.data(), 2, 2}, std::span<double>(out).first(1));
                }),
                HasSubstr("needs 2 (one per row)"));
    const std::vector<double> weights = {1.0, -1.0};
    EXPECT_THAT(message_of([&] {
                    kldiv::kl_divergence_rows({b.data(), 2, 2}, {b.data(), 2, 2}, out, {.rows = {.weights = weights}});
                }),
                HasSubstr("rows.weights[1] = -1"));
}

// A temperature so small that logits / T overflow the working precision is refused (it gave KL 0,
// NaN entropies, or "every logit = -inf"); just above the stated bound the measures are finite.
TEST(Batch, TemperaturesThatOverflowTheLogitsAreRefused) {
    const std::vector<float> a = {1.0f, 3.0f, -2.0f}, b = {0.5f, 3.0f, 1.0f};
    std::vector<double> kl(1), h(1);
    const auto measure = [&](double t) {
        kldiv::kl_divergence_rows({a.data(), 1, 3}, {b.data(), 1, 3}, kl,
                                  {.input = kldiv::input_kind::logits, .temperature = t});
    };
    for (const auto& [temperature, text] :
         {std::pair{1e-308, "1e-308"}, std::pair{1e-39, "1e-39"}, std::pair{1e-300, "1e-300"}}) {
        const double t = temperature;  // clang 14 cannot capture a structured binding
        EXPECT_THAT(message_of([&] { measure(t); }),
                    HasSubstr(std::string("kl_divergence_rows: temperature = ") + text +
                              ", but the logits divided by it must stay finite in single precision: with the largest "
                              "|value| 3, the temperature must be >= max(1, 2 x 3) / 3.4028234663852886e+38 = 1.763"));
    }
    measure(1e-37);  // argmax of p is index 1, as is q's: the limit is D = 0, reached within rounding
    EXPECT_TRUE(std::isfinite(kl[0]));
    EXPECT_NEAR(kl[0], 0.0, 1e-300);
    const std::vector<double> ad = {1.0, 3.0, -2.0}, bd = {0.5, 3.0, 1.0};
    EXPECT_THAT(
        message_of([&] {
            kldiv::kl_divergence_rows({ad.data(), 1, 3}, {bd.data(), 1, 3}, kl,
                                      {.input = kldiv::input_kind::logits, .temperature = 1e-308});
        }),
        HasSubstr("must stay finite in double precision: with the largest |value| 3, the temperature must be >= "
                  "max(1, 2 x 3) / 1.7976931348623157e+308 = 3.3376"));
}

}  // namespace

TEST(Batch, SixteenBitRowsAreCheckedWithinTheirRoundoff) {
    // Sums of 1 + 2^-11 and 1 + 2^-9 (float16), 1 + 2^-9 and 1 + 3·2^-9 (bfloat16): within float16's
    // roundoff 2^-11 and bfloat16's 2^-8, and beyond them.
    const std::vector<kldiv::float16> near16 = {to_float16(0.5f), to_float16(0.5f + 0x1p-11f)},
                                      far16 = {to_float16(0.5f), to_float16(0.5f + 0x1p-9f)};
    const std::vector<kldiv::bfloat16> near_b = {{0x3f00}, {0x3f01}}, far_b = {{0x3f00}, {0x3f03}};
    double kl = -1;
    const auto one = [](const auto& v) {
        return kldiv::matrix_view<const std::decay_t<decltype(v[0])>>(v.data(), 1, 2);
    };
    const kldiv::row_outputs out{.kl = {&kl, 1}};
    EXPECT_NO_THROW(kldiv::measure_rows(one(near16), one(near16), out));
    EXPECT_EQ(kl, 0.0);
    EXPECT_NO_THROW(kldiv::measure_rows(one(near_b), one(near_b), out));
    EXPECT_THROW(kldiv::measure_rows(one(far16), one(far16), out), kldiv::error);
    EXPECT_THROW(kldiv::measure_rows(one(far_b), one(far_b), out), kldiv::error);
    // A tolerance given wider than the roundoff stays as given.
    EXPECT_NO_THROW(kldiv::measure_rows(one(far_b), one(far_b), out, {.measure = {.sum_tolerance = 0.02}}));
}
