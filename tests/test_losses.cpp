// Tests of include/kldiv/losses.hpp: loss values and gradients against PyTorch autograd (float64
// references in data/gradients, made by data/generate_gradients.py), against central finite
// differences in float64, and the conventions (T², reductions, masks, −inf logits, float storage).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/batch.hpp"
#include "kldiv/error.hpp"
#include "kldiv/losses.hpp"
#include "src/batch/gradient_kernels.hpp"
#include "tests/every_simd_target.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using kldiv::divergence_kind;
using vec = std::vector<double>;

divergence_kind kind_of(const std::string& name) {
    if (name == "forward_kl") return divergence_kind::forward_kl;
    if (name == "reverse_kl") return divergence_kind::reverse_kl;
    return divergence_kind::js;
}

struct torch_case {
    std::string kind;
    double temperature = 1, beta = 0.5, loss = 0;
    std::size_t rows = 0, cols = 0;
    vec student, teacher, grad_student, grad_teacher;
};

std::vector<torch_case> torch_cases() {
    std::ifstream in(KLDIV_TEST_DATA "/gradients/torch.txt");
    std::vector<torch_case> cases;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string tag;
        words >> tag;
        if (tag == "case") {
            cases.emplace_back();
            torch_case& c = cases.back();
            words >> c.kind >> c.temperature >> c.beta >> c.rows >> c.cols;
            continue;
        }
        torch_case& c = cases.back();
        vec values;  // strtod, unlike operator>>, reads "-inf" (masked logits)
        for (std::string word; words >> word;) values.push_back(std::strtod(word.c_str(), nullptr));
        if (tag == "student") c.student = values;
        if (tag == "teacher") c.teacher = values;
        if (tag == "loss") c.loss = values.at(0);
        if (tag == "grad_student") c.grad_student = values;
        if (tag == "grad_teacher") c.grad_teacher = values;
    }
    return cases;
}

void expect_all_near(const vec& actual, const vec& expected, double tolerance, const std::string& what) {
    ASSERT_EQ(actual.size(), expected.size()) << what;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        EXPECT_NEAR(actual[i], expected[i], tolerance) << what << " [" << i << "]";
    }
}

// The gradients on every SIMD target, against PyTorch's autograd.
class LossKernels : public every_simd_target {};

TEST_P(LossKernels, MatchPyTorchAutograd) {
    const auto cases = torch_cases();
    ASSERT_EQ(cases.size(), 14u);  // 6 of them with masked logits
    for (const torch_case& c : cases) {
        const std::size_t n = c.rows * c.cols;
        vec gs(n), gt(n);
        double loss = 0.0;
        kldiv::distillation_loss({c.student.data(), c.rows, c.cols}, {c.teacher.data(), c.rows, c.cols},
                                 std::span<double>(&loss, 1), {gs.data(), c.rows, c.cols}, {gt.data(), c.rows, c.cols},
                                 {.kind = kind_of(c.kind), .temperature = c.temperature, .measure = {.beta = c.beta}});
        const std::string what = c.kind + " T=" + std::to_string(c.temperature) + " beta=" + std::to_string(c.beta);
        EXPECT_NEAR(loss, c.loss, 1e-14 * std::fabs(c.loss)) << what;
        expect_all_near(gs, c.grad_student, 1e-15, what + " student");
        expect_all_near(gt, c.grad_teacher, 1e-15, what + " teacher");
    }
}

// The gradient kernel against its scalar twin on every target: float and double rows of lengths
// around the vector widths, masked (−inf) logits where the divergence stays finite, each measure.
// Elementwise bound: c·scale·(P_s + P_t)·(1 + |ln P_s| + |ln P_t| + |ln M| + |D|) with c = 1e-14
// (a few ulps of exp and log in each term) in double, plus float's rounding of the result.
template <class T>
void expect_kernel_agrees_with_twin(divergence_kind kind, std::size_t n, std::mt19937_64& rng) {
    std::normal_distribution<double> normal(0.0, 3.0);
    std::vector<T> s(n), t(n);
    for (std::size_t i = 0; i < n; ++i) {
        s[i] = static_cast<T>(normal(rng));
        t[i] = static_cast<T>(normal(rng));
        if (i % 5 == 3) s[i] = t[i] = -INFINITY;                                  // masked in both
        if (i % 7 == 2 && kind != divergence_kind::reverse_kl) t[i] = -INFINITY;  // D(P_t‖P_s) stays finite
        if (i % 7 == 4 && kind != divergence_kind::forward_kl) s[i] = -INFINITY;  // D(P_s‖P_t) stays finite
    }
    kldiv::detail::gradient_row row{
        .cols = n, .inv_temperature = 0.5, .kind = kind, .beta = 0.3, .value = 0.1, .scale = 0.7};
    const auto log_norm = [&](const std::vector<T>& x) {
        long double sum = 0.0L;
        for (const T v : x) sum += std::exp(static_cast<long double>(v) * 0.5L);
        return static_cast<double>(std::log(sum));
    };
    row.log_norm_student = log_norm(s);
    row.log_norm_teacher = log_norm(t);
    std::vector<T> gs(n), gt(n), rs(n), rt(n);
    kldiv::detail::row_gradients(s.data(), t.data(), row, gs.data(), gt.data());
    kldiv::detail::reference_row_gradients(s.data(), t.data(), row, rs.data(), rt.data());
    for (std::size_t i = 0; i < n; ++i) {
        const double ls = static_cast<double>(s[i]) * 0.5 - row.log_norm_student;
        const double lt = static_cast<double>(t[i]) * 0.5 - row.log_norm_teacher;
        const double ps = std::exp(ls), pt = std::exp(lt), lm = std::log(0.3 * pt + 0.7 * ps);
        const double logs =
            (ps > 0 ? std::fabs(ls) : 0.0) + (pt > 0 ? std::fabs(lt) : 0.0) + (ps + pt > 0 ? std::fabs(lm) : 0.0);
        const double bound = 1e-14 * 0.7 * (ps + pt) * (1.0 + logs + 10.0);  // |D| below 10 here
        const double rounding = sizeof(T) == sizeof(float) ? 1.2e-7 : 0.0;
        const std::string what =
            std::to_string(static_cast<int>(kind)) + " n=" + std::to_string(n) + " [" + std::to_string(i) + "]";
        EXPECT_NEAR(gs[i], rs[i], bound + rounding * std::fabs(static_cast<double>(rs[i]))) << what << " student";
        EXPECT_NEAR(gt[i], rt[i], bound + rounding * std::fabs(static_cast<double>(rt[i]))) << what << " teacher";
    }
}

TEST_P(LossKernels, GradientKernelAgreesWithScalarTwin) {
    std::mt19937_64 rng(11);
    for (const divergence_kind kind : {divergence_kind::forward_kl, divergence_kind::reverse_kl, divergence_kind::js}) {
        for (const std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 33u, 1000u}) {
            expect_kernel_agrees_with_twin<double>(kind, n, rng);
            expect_kernel_agrees_with_twin<float>(kind, n, rng);
        }
    }
}

KLDIV_FOR_EVERY_SIMD_TARGET(LossKernels);

// Central differences of the reduced loss, h = 1e-6: truncation ~h², rounding ~eps/h.
TEST(Losses, MatchFiniteDifferences) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> z(0.0, 1.5);
    const std::size_t rows = 2, cols = 9;
    vec s(rows * cols), t(rows * cols);
    for (double& x : s) x = z(rng);
    for (double& x : t) x = z(rng);
    const vec weights = {1.0, 3.0};
    for (const auto kind : {divergence_kind::forward_kl, divergence_kind::reverse_kl, divergence_kind::js}) {
        for (const auto reduce : {kldiv::reduction::mean, kldiv::reduction::sum}) {
            const kldiv::loss_options o{.kind = kind,
                                        .temperature = 1.7,
                                        .measure = {.base = kldiv::log_base::bits(), .beta = 0.3},
                                        .reduce = reduce,
                                        .rows = {.weights = weights}};
            const auto value = [&](const vec& sv, const vec& tv) {
                double loss = 0.0;
                kldiv::distillation_loss({sv.data(), rows, cols}, {tv.data(), rows, cols}, std::span<double>(&loss, 1),
                                         kldiv::matrix_view<double>{}, kldiv::matrix_view<double>{}, o);
                return loss;
            };
            vec gs(rows * cols), gt(rows * cols);
            double loss = 0.0;
            kldiv::distillation_loss({s.data(), rows, cols}, {t.data(), rows, cols}, std::span<double>(&loss, 1),
                                     {gs.data(), rows, cols}, {gt.data(), rows, cols}, o);
            const double h = 1e-6;
            for (std::size_t i = 0; i < rows * cols; ++i) {
                vec up = s, down = s;
                up[i] += h;
                down[i] -= h;
                EXPECT_NEAR(gs[i], (value(up, t) - value(down, t)) / (2 * h), 1e-8) << "student " << i;
                up = t;
                down = t;
                up[i] += h;
                down[i] -= h;
                EXPECT_NEAR(gt[i], (value(s, up) - value(s, down)) / (2 * h), 1e-8) << "teacher " << i;
            }
        }
    }
}

TEST(Losses, TemperatureSquaredConventionAndFloatStorage) {
    const std::vector<float> s = {0.5f, -1.0f, 2.0f, 0.0f}, t = {1.0f, 0.0f, 1.5f, -0.5f};
    std::vector<float> g1(4), g2(4);
    double l1 = 0.0, l2 = 0.0;
    kldiv::distillation_loss({s.data(), 1, 4}, {t.data(), 1, 4}, std::span<double>(&l1, 1), {g1.data(), 1, 4},
                             kldiv::matrix_view<float>{}, {.temperature = 2.0});
    kldiv::distillation_loss({s.data(), 1, 4}, {t.data(), 1, 4}, std::span<double>(&l2, 1), {g2.data(), 1, 4},
                             kldiv::matrix_view<float>{}, {.temperature = 2.0, .scale_by_temperature_squared = false});
    EXPECT_NEAR(l1, 4.0 * l2, 1e-15);
    // ∂(T² D)/∂s = T (P_s − P_t)
    double zs = 0, zt = 0;
    for (int i = 0; i < 4; ++i) {
        zs += std::exp(s[i] / 2.0);
        zt += std::exp(t[i] / 2.0);
    }
    for (int i = 0; i < 4; ++i) {
        EXPECT_NEAR(g1[i], 2.0 * (std::exp(s[i] / 2.0) / zs - std::exp(t[i] / 2.0) / zt), 1e-7);
        EXPECT_NEAR(g2[i], g1[i] / 4.0, 1e-8);
    }
}

TEST(Losses, MaskedEventsAndRowsGetZeroGradient) {
    const double ninf = -INFINITY;
    const vec s = {0.5, ninf, 2.0, 0.0, 1.0, 1.0}, t = {1.0, ninf, 1.5, -0.5, 1.0, 2.0};
    vec gs(6, 9.0), gt(6, 9.0), loss(2);
    const std::vector<std::uint8_t> mask = {1, 0};
    kldiv::distillation_loss({s.data(), 2, 3}, {t.data(), 2, 3}, loss, {gs.data(), 2, 3}, {gt.data(), 2, 3},
                             {.reduce = kldiv::reduction::none, .rows = {.mask = mask}});
    EXPECT_EQ(gs[1], 0.0);
    EXPECT_EQ(gt[1], 0.0);
    for (int i = 3; i < 6; ++i) {
        EXPECT_EQ(gs[i], 0.0);
        EXPECT_EQ(gt[i], 0.0);
    }
    EXPECT_EQ(loss[1], 0.0);
    EXPECT_GT(loss[0], 0.0);
    // Each softmax gradient sums to 0 over the row.
    EXPECT_NEAR(gs[0] + gs[1] + gs[2], 0.0, 1e-16);
    EXPECT_NEAR(gt[0] + gt[1] + gt[2], 0.0, 1e-16);
}

TEST(Losses, BadInputIsNamed) {
    const vec s = {0.0, 1.0}, t = {0.0, 1.0};
    vec g(3);
    double loss = 0.0;
    try {
        kldiv::distillation_loss({s.data(), 1, 2}, {t.data(), 1, 2}, std::span<double>(&loss, 1), {g.data(), 1, 3},
                                 kldiv::matrix_view<double>{});
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), testing::HasSubstr("distillation_loss: grad_student is 1x3"));
    }
    try {
        kldiv::distillation_loss({s.data(), 1, 2}, {t.data(), 1, 2}, std::span<double>(&loss, 1),
                                 kldiv::matrix_view<double>{}, kldiv::matrix_view<double>{},
                                 {.kind = divergence_kind::js, .measure = {.beta = 1.0}});
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), testing::HasSubstr("beta = 1"));
    }
}

// The teacher puts mass 1/(1+e) where the student's logit is −inf: D(P_t‖P_s) = +inf by default,
// an error with on_zero = error, while the reverse direction (the student's mass lies inside the
// teacher's support) is finite: D(P_s‖P_t) = ln(1 + 1/e) (closed form). Smoothing is refused.
TEST(Losses, ZeroSupportFollowsTheMeasureOptions) {
    const vec s = {-INFINITY, 0.0}, t = {0.0, 1.0};
    double loss = 0.0;
    const auto run = [&](const kldiv::loss_options& o) {
        kldiv::distillation_loss({s.data(), 1, 2}, {t.data(), 1, 2}, std::span<double>(&loss, 1),
                                 kldiv::matrix_view<double>{}, kldiv::matrix_view<double>{}, o);
        return loss;
    };
    EXPECT_EQ(run({}), INFINITY);
    EXPECT_NEAR(run({.kind = divergence_kind::reverse_kl}), std::log1p(std::exp(-1.0)), 1e-15);
    try {
        run({.measure = {.on_zero = kldiv::zero_support::error}});
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), testing::StartsWith("distillation_loss: (the teacher is P, the student Q) p[0] = 0 "
                                                  "gives mass where q[0] = -inf gives none"));
    }
    EXPECT_EQ(run({.measure = {.sum_tolerance = -1.0}}), INFINITY);  // does not apply to logits
    EXPECT_NEAR(run({.kind = divergence_kind::reverse_kl, .measure = {.on_zero = kldiv::zero_support::error}}),
                std::log1p(std::exp(-1.0)), 1e-15);
    try {
        run({.kind = divergence_kind::reverse_kl, .measure = {.on_zero = kldiv::zero_support::smooth}});
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_STREQ(e.what(),
                     "distillation_loss: measure.on_zero = smooth, but a smoothed loss has no gradient "
                     "here: use infinity or error");
    }
}

}  // namespace
