// Tests of include/kldiv/divergence_matrix.hpp: every entry is the single-pair value (bit for bit for
// probability rows), symmetric measures mirrored with a zero diagonal, logits against the softmax
// rows, threads, and bad input. SciPy's cdist is compared in python/tests/test_divergence_matrix.py.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/batch.hpp"
#include "kldiv/divergence_matrix.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/error.hpp"

#include <cmath>
#include <random>
#include <vector>

namespace {

using kldiv::measure;
using testing::HasSubstr;

const measure every_measure[] = {measure::kl_divergence,      measure::reverse_kl,   measure::jeffreys,
                                 measure::js_divergence,      measure::js_distance,  measure::renyi_divergence,
                                 measure::tsallis_divergence, measure::pearson_chi2, measure::neyman_chi2,
                                 measure::squared_hellinger,  measure::hellinger,    measure::total_variation,
                                 measure::bhattacharyya,      measure::triangular,   measure::skew_divergence};

std::vector<double> rows_of(std::mt19937_64& rng, std::size_t rows, std::size_t cols, bool zeros) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(rows * cols);
    for (std::size_t i = 0; i < rows; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < cols; ++j) s += v[i * cols + j] = zeros && (i + j) % 4 == 0 ? 0.0 : u(rng);
        for (std::size_t j = 0; j < cols; ++j) v[i * cols + j] /= s;
    }
    return v;
}

// Each entry is divergence_rows of the pair (bit for bit: the same sums, the same kernels) and the
// core's one-pair function within 1e-14 (the batch layer sums χ², Hellinger, total variation and
// triangular terms with SIMD lanes, the core one event at a time).
TEST(DivergenceMatrix, EntriesAreTheOnePairValues) {
    std::mt19937_64 rng(1);
    const std::size_t n = 9, m = 7, cols = 40;
    for (const bool zeros : {false, true}) {
        const std::vector<double> a = rows_of(rng, n, cols, zeros), b = rows_of(rng, m, cols, zeros);
        const kldiv::matrix_view<const double> av(a.data(), n, cols), bv(b.data(), m, cols);
        for (const measure d : every_measure) {
            for (const double alpha : {0.5, 1.0, 2.5}) {
                if (d == measure::skew_divergence && alpha > 1.0) continue;
                const kldiv::batch_options o{.measure = {.beta = 0.3, .alpha = alpha}};
                std::vector<double> cross(n * m), square(n * n);
                kldiv::divergence_matrix(av, bv, {cross.data(), n, m}, d, o);
                kldiv::divergence_matrix(av, {square.data(), n, n}, d, o);
                const bool kl_family = d == measure::kl_divergence || d == measure::reverse_kl ||
                                       d == measure::jeffreys || d == measure::js_divergence ||
                                       d == measure::js_distance || (kldiv::uses_alpha(d) && alpha == 1.0);
                const auto pair_rows = [&](const double* x, const double* y) {
                    double v = 0;
                    kldiv::divergence_rows(kldiv::matrix_view<const double>(x, 1, cols),
                                           kldiv::matrix_view<const double>(y, 1, cols), {&v, 1}, d, o);
                    return v;
                };
                const auto close = [](double got, double one) {
                    if (std::isinf(one)) {
                        EXPECT_EQ(got, one);
                    } else {
                        EXPECT_NEAR(got, one, 1e-14 * one + 1e-300);
                    }
                };
                for (std::size_t i = 0; i < n; ++i) {
                    const std::span<const double> ai(a.data() + i * cols, cols);
                    for (std::size_t j = 0; j < m; ++j) {
                        SCOPED_TRACE(kldiv::name(d) + " " + std::to_string(alpha) + " " + std::to_string(i) + "," +
                                     std::to_string(j));
                        const double* bj = b.data() + j * cols;
                        close(cross[i * m + j], kldiv::divergence(ai, std::span<const double>(bj, cols), d, o.measure));
                        // divergence_rows takes the KL family from the block kernels (1e-12)
                        if (!kl_family) EXPECT_EQ(cross[i * m + j], pair_rows(ai.data(), bj));
                    }
                    for (std::size_t j = 0; j < n; ++j) {
                        const double one =
                            kldiv::divergence(ai, std::span<const double>(a.data() + j * cols, cols), d, o.measure);
                        if (i == j) {
                            EXPECT_EQ(square[i * n + j], 0.0);
                        } else if (kldiv::is_symmetric(d, o.measure) && j < i) {
                            EXPECT_EQ(square[i * n + j], square[j * n + i]);  // mirrored
                            close(square[i * n + j], one);
                        } else {
                            close(square[i * n + j], one);
                        }
                    }
                }
            }
        }
    }
}

TEST(DivergenceMatrix, LogitsAgreeWithTheSoftmaxRowsAndThreadsDoNotMatter) {
    std::mt19937_64 rng(2);
    std::normal_distribution<double> normal(0.0, 2.0);
    const std::size_t n = 30, cols = 500;
    std::vector<double> logits(n * cols), probs(n * cols);
    for (double& v : logits) v = normal(rng);
    for (std::size_t i = 0; i < n; ++i) {
        double top = -INFINITY, s = 0;
        for (std::size_t j = 0; j < cols; ++j) top = std::max(top, logits[i * cols + j]);
        for (std::size_t j = 0; j < cols; ++j) s += probs[i * cols + j] = std::exp(logits[i * cols + j] - top);
        for (std::size_t j = 0; j < cols; ++j) probs[i * cols + j] /= s;
    }
    const kldiv::matrix_view<const double> lv(logits.data(), n, cols), pv(probs.data(), n, cols);
    for (const measure d : every_measure) {
        const kldiv::batch_options logit_options{.input = kldiv::input_kind::logits, .measure = {.alpha = 0.7}};
        std::vector<double> from_logits(n * n), from_probs(n * n), one_thread(n * n);
        kldiv::divergence_matrix(lv, {from_logits.data(), n, n}, d, logit_options);
        kldiv::divergence_matrix(pv, {from_probs.data(), n, n}, d, {.measure = {.normalize = true, .alpha = 0.7}});
        kldiv::batch_options single = logit_options;
        single.rows.threads = 1;
        kldiv::divergence_matrix(lv, {one_thread.data(), n, n}, d, single);
        EXPECT_EQ(from_logits, one_thread) << kldiv::name(d);
        for (std::size_t k = 0; k < n * n; ++k) {
            EXPECT_NEAR(from_logits[k], from_probs[k], 1e-12 * from_probs[k] + 1e-300) << kldiv::name(d) << " " << k;
        }
    }
}

TEST(DivergenceMatrix, BadInput) {
    const std::vector<double> a{0.5, 0.5, 0.2, 0.8}, b{1.0};
    std::vector<double> out(4);
    const auto message = [](auto&& call) {
        try {
            call();
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const kldiv::matrix_view<const double> av(a.data(), 2, 2), bv(b.data(), 1, 1);
    EXPECT_THAT(message([&] {
                    kldiv::divergence_matrix(av, bv, {out.data(), 2, 1}, measure::hellinger);
                }),
                HasSubstr("a has 2 events and b 1"));
    EXPECT_THAT(message([&] {
                    kldiv::divergence_matrix(av, {out.data(), 2, 1}, measure::hellinger);
                }),
                HasSubstr("out is 2x1, but it must be 2x2"));
    const std::vector<double> bad{0.5, 0.6, 0.2, 0.8};
    EXPECT_THAT(message([&] {
                    kldiv::divergence_matrix(kldiv::matrix_view<const double>(bad.data(), 2, 2), {out.data(), 2, 2},
                                             measure::hellinger);
                }),
                HasSubstr("divergence_matrix: a[0] sums to 1.1"));
    const std::vector<double> nan_logit{0.0, NAN, 1.0, 2.0};
    EXPECT_THAT(message([&] {
                    kldiv::divergence_matrix(kldiv::matrix_view<const double>(nan_logit.data(), 2, 2),
                                             {out.data(), 2, 2}, measure::hellinger,
                                             {.input = kldiv::input_kind::logits});
                }),
                HasSubstr("a[0][1] = nan, but logits must be finite or -inf"));
    EXPECT_THAT(
        message([&] {
            kldiv::divergence_matrix(av, {out.data(), 2, 2}, measure::renyi_divergence, {.measure = {.alpha = -2}});
        }),
        HasSubstr("alpha = -2"));
}

}  // namespace
