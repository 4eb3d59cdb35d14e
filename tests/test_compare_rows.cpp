// Per-position comparisons of model rows (include/kldiv/llm/compare_rows.hpp) against a direct
// long-double computation written here: KL both ways within 2e-6 relative (float rows), the actual
// token's log-probabilities within 2e-6, top-1 and top-k overlaps by a full sort, and the errors.

#include <gtest/gtest.h>
#include <kldiv/error.hpp>
#include <kldiv/llm/compare_rows.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace {

using kldiv::llm::token_comparison;

struct rows {
    std::size_t n, v;
    std::vector<float> a, b;
    kldiv::matrix_view<const float> ref() const { return {a.data(), n, v}; }
    kldiv::matrix_view<const float> cand() const { return {b.data(), n, v}; }
};

// Reference logits N(0, 3²); the candidate the reference plus N(0, noise²) and a row offset.
rows model_rows(std::size_t n, std::size_t v, double noise, std::uint64_t seed) {
    rows r{n, v, std::vector<float>(n * v), std::vector<float>(n * v)};
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z;
    for (std::size_t i = 0; i < n * v; ++i) {
        r.a[i] = static_cast<float>(3.0 * z(rng));
        r.b[i] = static_cast<float>(r.a[i] + noise * z(rng) + 2.5);
    }
    return r;
}

std::vector<long double> log_softmax(const float* x, std::size_t v) {
    long double top = -INFINITY, sum = 0;
    for (std::size_t j = 0; j < v; ++j) top = std::max<long double>(top, x[j]);
    for (std::size_t j = 0; j < v; ++j) sum += std::exp(x[j] - top);
    std::vector<long double> out(v);
    for (std::size_t j = 0; j < v; ++j) out[j] = x[j] - top - std::log(sum);
    return out;
}

std::vector<std::size_t> top(const float* x, std::size_t v, std::size_t k) {
    std::vector<std::size_t> idx(v);
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [x](std::size_t i, std::size_t j) { return x[i] > x[j]; });
    idx.resize(k);
    return idx;
}

TEST(CompareRows, EqualsTheDirectComputation) {
    const rows r = model_rows(40, 1000, 0.7, 1);
    std::vector<std::int32_t> tokens(40);
    for (std::size_t i = 0; i < 40; ++i) tokens[i] = i % 7 == 0 ? -1 : static_cast<std::int32_t>((i * 37) % 1000);
    std::vector<token_comparison> out(40);
    kldiv::llm::compare_rows(r.ref(), r.cand(), tokens, {.reverse_kl = true, .js = true, .threads = 2}, out);
    for (std::size_t i = 0; i < 40; ++i) {
        const auto lp = log_softmax(r.a.data() + i * 1000, 1000), lq = log_softmax(r.b.data() + i * 1000, 1000);
        long double kl = 0, reverse = 0;
        for (std::size_t j = 0; j < 1000; ++j) {
            kl += std::exp(lp[j]) * (lp[j] - lq[j]);
            reverse += std::exp(lq[j]) * (lq[j] - lp[j]);
        }
        EXPECT_NEAR(out[i].kl, static_cast<double>(kl), 2e-6 * static_cast<double>(kl)) << i;
        EXPECT_NEAR(out[i].reverse_kl, static_cast<double>(reverse), 2e-6 * static_cast<double>(reverse)) << i;
        EXPECT_GT(out[i].js, 0.0);
        EXPECT_LT(out[i].js, std::log(2.0));
        if (tokens[i] < 0) {
            EXPECT_TRUE(std::isnan(out[i].log_p_reference) && std::isnan(out[i].log_p_candidate));
        } else {
            EXPECT_NEAR(out[i].log_p_reference, static_cast<double>(lp[tokens[i]]), 2e-6) << i;
            EXPECT_NEAR(out[i].log_p_candidate, static_cast<double>(lq[tokens[i]]), 2e-6) << i;
        }
        const auto tp = top(r.a.data() + i * 1000, 1000, 10), tq = top(r.b.data() + i * 1000, 1000, 10);
        EXPECT_EQ(out[i].same_top, tp[0] == tq[0]);
        for (const std::size_t k : {5u, 10u}) {
            unsigned shared = 0;
            for (std::size_t x = 0; x < k; ++x) shared += std::count(tq.begin(), tq.begin() + k, tp[x]);
            EXPECT_EQ(k == 5 ? out[i].top5_overlap : out[i].top10_overlap, shared) << i;
        }
    }
}

TEST(CompareRows, IdenticalRowsAndTies) {
    // Equal rows: KL exactly 0, the same top token, full overlaps. Ties go to the lower index.
    std::vector<float> a{1, 5, 5, 0, 5, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    std::vector<float> b = a;
    b[1] = 4.0f;  // b's maximum is now at index 2 (tied with 4)
    std::vector<token_comparison> out(1), same(1);
    const kldiv::matrix_view<const float> ra(a.data(), 1, 16), rb(b.data(), 1, 16);
    kldiv::llm::compare_rows(ra, ra, std::vector<std::int32_t>{3}, {}, same);
    EXPECT_EQ(same[0].kl, 0.0);
    EXPECT_TRUE(same[0].same_top);
    EXPECT_EQ(same[0].top5_overlap, 5u);
    EXPECT_EQ(same[0].top10_overlap, 10u);
    EXPECT_EQ(same[0].log_p_reference, same[0].log_p_candidate);
    kldiv::llm::compare_rows(ra, rb, {}, {}, out);
    EXPECT_FALSE(out[0].same_top);  // argmax 1 against 2
    EXPECT_GT(out[0].kl, 0.0);
    EXPECT_TRUE(std::isnan(out[0].log_p_reference));
}

TEST(CompareRows, BadInputIsNamed) {
    const rows r = model_rows(3, 50, 0.5, 2), other = model_rows(3, 51, 0.5, 3);
    std::vector<token_comparison> out(3);
    const auto message = [&](auto&& call) {
        try {
            call();
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([&] { kldiv::llm::compare_rows(r.ref(), other.cand(), {}, {}, out); }).find("same shape"),
              std::string::npos);
    EXPECT_NE(message([&] { kldiv::llm::compare_rows(r.ref(), r.cand(), std::vector<std::int32_t>{0, 50, 1}, {}, out); })
                  .find("next token of position 1 = 50, but it must be -1 (unknown) or in [0, 50)"),
              std::string::npos);
    rows masked = r;
    masked.b[60] = -INFINITY;  // row 1: the candidate gives token 10 no mass
    EXPECT_NE(message([&] { kldiv::llm::compare_rows(masked.ref(), masked.cand(), {}, {}, out); }).find("position 1:"),
              std::string::npos);
}

}  // namespace
