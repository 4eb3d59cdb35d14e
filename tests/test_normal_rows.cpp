// Tests of include/kldiv/distributions/normal_rows.hpp: values against a long-double direct formula
// and against mpmath (data/normal_rows_reference.json, made by data/generate_normal_rows.py), the
// relative accuracy of one coordinate's term, gradients against central finite differences and
// PyTorch autograd, the VAE expression, reductions, weights, masks, units, thread invariance, every
// SIMD target against the scalar twin, the range conventions, and the errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "kldiv/distributions/normal_rows.hpp"
#include "kldiv/error.hpp"
#include "tests/every_simd_target.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "src/batch/block_kernels.hpp"
#include "src/distributions/normal_rows_kernels.hpp"

namespace {

namespace kd = kldiv::distributions;
using kldiv::reduction;
using vec = std::vector<double>;
using json = nlohmann::json;

const json& reference() {
    static const json data = [] {
        std::ifstream in(KLDIV_TEST_DATA "/normal_rows_reference.json");
        return json::parse(in);
    }();
    return data;
}

// Parameters of a batch in one of the two storage types; Q empty for the standard normal.
template <class T>
struct batch {
    std::size_t rows = 0, cols = 0;
    std::vector<T> mp, lvp, mq, lvq;

    kd::normal_rows<T> p() const { return {{mp.data(), rows, cols}, {lvp.data(), rows, cols}}; }
    kd::normal_rows<T> q() const {
        if (mq.empty()) return {};
        return {{mq.data(), rows, cols}, {lvq.data(), rows, cols}};
    }
};

template <class T>
std::vector<T> values_of(const json& v) {
    std::vector<T> out;
    for (const auto& x : v) out.push_back(static_cast<T>(x.get<double>()));
    return out;
}

template <class T>
batch<T> batch_of(const json& c) {
    batch<T> b{c["rows"], c["cols"], values_of<T>(c["mean_p"]), values_of<T>(c["log_var_p"]), {}, {}};
    if (c.contains("mean_q")) {
        b.mq = values_of<T>(c["mean_q"]);
        b.lvq = values_of<T>(c["log_var_q"]);
    }
    return b;
}

// Random ordinary parameters: means ~ N(0, 1.5²), log-variances uniform in [−4, 2].
batch<double> random_batch(std::size_t rows, std::size_t cols, bool standard, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> mean(0.0, 1.5);
    std::uniform_real_distribution<double> log_var(-4.0, 2.0);
    batch<double> b{rows, cols, vec(rows * cols), vec(rows * cols), {}, {}};
    for (double& x : b.mp) x = mean(rng);
    for (double& x : b.lvp) x = log_var(rng);
    if (!standard) {
        b.mq.resize(rows * cols);
        b.lvq.resize(rows * cols);
        for (double& x : b.mq) x = mean(rng);
        for (double& x : b.lvq) x = log_var(rng);
    }
    return b;
}

// The textbook formula in long double: ½ Σ (lvq − lvp + (e^lvp + (μp − μq)²) / e^lvq − 1).
long double direct_kl(const batch<double>& b, std::size_t i) {
    long double sum = 0.0L;
    for (std::size_t j = i * b.cols; j < (i + 1) * b.cols; ++j) {
        const long double mq = b.mq.empty() ? 0.0L : b.mq[j], lvq = b.lvq.empty() ? 0.0L : b.lvq[j];
        const long double d = b.mp[j] - mq;
        sum += lvq - b.lvp[j] + (std::exp(static_cast<long double>(b.lvp[j])) + d * d) / std::exp(lvq) - 1.0L;
    }
    return sum / 2;
}

vec per_row(const batch<double>& b, const kd::normal_rows_options& o = {.reduce = reduction::none}) {
    vec out(b.rows);
    kd::kl_divergence_rows(b.p(), b.q(), out, {}, o);
    return out;
}

double reduced(const batch<double>& b, const kd::normal_rows_options& o) {
    double out = 0.0;
    kd::kl_divergence_rows(b.p(), b.q(), std::span<double>(&out, 1), {}, o);
    return out;
}

// All four gradient buffers (the Q ones only when Q is given).
template <class T>
struct gradients {
    std::vector<T> mp, lvp, mq, lvq;

    explicit gradients(const batch<T>& b, T fill = T(0))
        : mp(b.rows * b.cols, fill), lvp(b.rows * b.cols, fill), mq(b.mq.empty() ? 0 : b.rows * b.cols, fill),
          lvq(b.mq.empty() ? 0 : b.rows * b.cols, fill), rows(b.rows), cols(b.cols) {}

    kd::normal_rows_gradients<T> views() {
        const auto view = [&](std::vector<T>& v) {
            return v.empty() ? kldiv::matrix_view<T>{} : kldiv::matrix_view<T>{v.data(), rows, cols};
        };
        return {view(mp), view(lvp), view(mq), view(lvq)};
    }

    std::size_t rows, cols;
};

TEST(NormalRows, MatchLongDoubleDirectFormula) {
    for (const bool standard : {true, false}) {
        for (const std::size_t cols : {1u, 3u, 16u, 37u, 256u}) {
            const batch<double> b = random_batch(5, cols, standard, 100 + cols);
            const vec kl = per_row(b);
            for (std::size_t i = 0; i < b.rows; ++i) {
                const double expected = static_cast<double>(direct_kl(b, i));
                EXPECT_NEAR(kl[i], expected, 1e-14 * expected) << "standard " << standard << " cols " << cols;
            }
        }
    }
}

// One coordinate, lvp = 0, lvq = u, equal means: D = φ(u)/2 to 2e-15 relative (the stated bound),
// on the SIMD path (a single row of all the u) and one coordinate per row (the padded tail).
TEST(NormalRows, CoordinateTermIsAccurateAgainstMpmath) {
    const json& phi = reference()["phi"];
    const std::size_t n = phi.size();
    ASSERT_EQ(n, 120u);
    batch<double> b{n, 1, vec(n, 0.0), vec(n, 0.0), vec(n, 0.0), vec(n)};
    for (std::size_t k = 0; k < n; ++k) b.lvq[k] = phi[k]["u"];
    const vec one_per_row = per_row(b);
    double worst = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        const double expected = phi[k]["half_phi"], u = b.lvq[k];
        const batch<double> single{1, 1, {0.0}, {0.0}, {0.0}, {u}};
        for (const double value : {one_per_row[k], per_row(single)[0]}) {
            const double error = std::fabs(value - expected) / expected;
            worst = std::max(worst, error);
            EXPECT_LE(error, 2e-15) << "u = " << u;
        }
        // The scalar twin's term (std::expm1, Horner).
        EXPECT_LE(std::fabs(0.5 * kldiv::detail::phi(u) - expected), 1e-15 * expected) << "u = " << u;
    }
    std::ostringstream text;
    text << worst;
    RecordProperty("worst_relative_error", text.str());
}

TEST(NormalRows, NearlyEqualPairsMatchMpmath) {
    const json& cases = reference()["near"];
    ASSERT_EQ(cases.size(), 4u);
    for (const json& c : cases) {
        const vec expected = c["kl"].get<vec>();
        vec kl(expected.size());
        const kd::normal_rows_options o{.reduce = reduction::none};
        if (c["dtype"] == "float32") {
            const batch<float> b = batch_of<float>(c);
            kd::kl_divergence_rows(b.p(), b.q(), kl, {}, o);
        } else {
            const batch<double> b = batch_of<double>(c);
            kd::kl_divergence_rows(b.p(), b.q(), kl, {}, o);
        }
        for (std::size_t i = 0; i < kl.size(); ++i) {
            EXPECT_GT(expected[i], 1e-13);
            EXPECT_LT(expected[i], 1e-10);
            EXPECT_NEAR(kl[i], expected[i], 1e-14 * expected[i]) << c["dtype"] << " standard " << c["standard"];
        }
    }
}

// −½ Σ (1 + lv − μ² − e^lv) in double loses everything to cancellation near N(0, I); ours does not.
// μ = 0, lv = 1e-9 in 4 coordinates: D = 4·½ (e^lv − 1 − lv) = lv² + lv³/3 (+ lv⁴/12 ≈ 1e-37).
TEST(NormalRows, VaeExpressionCancelsNearTheStandardNormalButOursDoesNot) {
    const double lv = 1e-9, expected = lv * lv + lv * lv * lv / 3;
    const batch<double> b{1, 4, vec(4, 0.0), vec(4, lv), {}, {}};
    double vae = 0.0;
    for (std::size_t j = 0; j < b.cols; ++j) vae += 1.0 + b.lvp[j] - b.mp[j] * b.mp[j] - std::exp(b.lvp[j]);
    vae *= -0.5;
    EXPECT_GT(std::fabs(vae - expected), 0.9 * expected);  // a multiple of 2^-53, or 0
    EXPECT_NEAR(per_row(b)[0], expected, 1e-15 * expected);
}

TEST(NormalRows, GradientsMatchPyTorchAutograd) {
    const json& cases = reference()["torch"];
    ASSERT_EQ(cases.size(), 6u);
    for (const json& c : cases) {
        const batch<double> b = batch_of<double>(c);
        const std::string mode = c["reduction"];
        const reduction reduce = mode == "mean" ? reduction::mean : mode == "sum" ? reduction::sum : reduction::none;
        const vec weights = c["weights"].get<vec>(), expected = c["loss"].get<vec>();
        gradients<double> g(b);
        vec loss(expected.size());
        kd::kl_divergence_rows(b.p(), b.q(), loss, g.views(), {.reduce = reduce, .rows = {.weights = weights}});
        const std::string what = mode + (b.mq.empty() ? " standard" : " general");
        for (std::size_t i = 0; i < loss.size(); ++i) EXPECT_NEAR(loss[i], expected[i], 1e-14 * expected[i]) << what;
        const auto check = [&](const vec& actual, const char* name) {
            const vec torch = c[std::string("grad_") + name].get<vec>();
            ASSERT_EQ(actual.size(), torch.size()) << what << " " << name;
            for (std::size_t k = 0; k < actual.size(); ++k) {
                EXPECT_NEAR(actual[k], torch[k], 1e-14 * std::max(1.0, std::fabs(torch[k])))
                    << what << " " << name << k;
            }
        };
        check(g.mp, "mean_p");
        check(g.lvp, "log_var_p");
        if (!b.mq.empty()) {
            check(g.mq, "mean_q");
            check(g.lvq, "log_var_q");
        }
    }
}

TEST(NormalRows, EqualsTheVaeExpressionOnOrdinaryData) {
    for (const json& c : reference()["torch"]) {
        if (!c["standard"].get<bool>()) continue;
        const batch<double> b = batch_of<double>(c);
        const vec vae = c["vae_expression"].get<vec>(), kl = per_row(b);
        for (std::size_t i = 0; i < b.rows; ++i) EXPECT_NEAR(kl[i], vae[i], 1e-12 * vae[i]);
    }
}

// Central differences of the reduced loss, h = 1e-6: truncation ~h², rounding ~eps/h.
TEST(NormalRows, GradientsMatchFiniteDifferences) {
    const vec weights = {1.0, 3.0, 0.5};
    for (const bool standard : {true, false}) {
        for (const auto reduce : {reduction::mean, reduction::sum}) {
            batch<double> b = random_batch(3, 5, standard, standard ? 1 : 2);
            const kd::normal_rows_options o{
                .base = kldiv::log_base::bits(), .reduce = reduce, .rows = {.weights = weights}};
            gradients<double> g(b);
            double loss = 0.0;
            kd::kl_divergence_rows(b.p(), b.q(), std::span<double>(&loss, 1), g.views(), o);
            const auto check = [&](vec& parameter, const vec& gradient, const char* name) {
                const double h = 1e-6;
                for (std::size_t k = 0; k < parameter.size(); ++k) {
                    const double x = parameter[k];
                    parameter[k] = x + h;
                    const double up = reduced(b, o);
                    parameter[k] = x - h;
                    const double down = reduced(b, o);
                    parameter[k] = x;
                    EXPECT_NEAR(gradient[k], (up - down) / (2 * h), 1e-7 * std::max(1.0, std::fabs(gradient[k])))
                        << name << k << (standard ? " standard" : " general");
                }
            };
            check(b.mp, g.mp, "mean_p");
            check(b.lvp, g.lvp, "log_var_p");
            if (!standard) {
                check(b.mq, g.mq, "mean_q");
                check(b.lvq, g.lvq, "log_var_q");
            }
        }
    }
}

TEST(NormalRows, ReductionsWeightsMaskAndUnits) {
    const batch<double> b = random_batch(4, 6, false, 3);
    const vec kl = per_row(b);
    const vec weights = {0.5, 2.0, 0.0, 1.5};
    const std::vector<std::uint8_t> mask = {1, 1, 1, 0};
    EXPECT_NEAR(reduced(b, {.reduce = reduction::sum}), kl[0] + kl[1] + kl[2] + kl[3], 1e-14 * kl[0]);
    EXPECT_NEAR(reduced(b, {.reduce = reduction::mean}), (kl[0] + kl[1] + kl[2] + kl[3]) / 4, 1e-14 * kl[0]);
    const double weighted = 0.5 * kl[0] + 2.0 * kl[1];  // row 2 weighs 0, row 3 is masked
    EXPECT_NEAR(reduced(b, {.reduce = reduction::sum, .rows = {.weights = weights, .mask = mask}}), weighted,
                1e-14 * weighted);
    EXPECT_NEAR(reduced(b, {.reduce = reduction::mean, .rows = {.weights = weights, .mask = mask}}), weighted / 2.5,
                1e-14 * weighted);
    const vec none = per_row(b, {.reduce = reduction::none, .rows = {.mask = mask}});
    EXPECT_EQ(none[3], 0.0);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(none[i], kl[i]);
    const vec bits = per_row(b, {.base = kldiv::log_base::bits(), .reduce = reduction::none});
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(bits[i], kl[i] / std::log(2.0), 1e-14 * bits[i]);

    // Gradients: row i scaled by w_i / Σw (mean); masked and weightless rows zero.
    gradients<double> all(b), part(b, 7.0);
    vec loss(1);
    kd::kl_divergence_rows(b.p(), b.q(), loss, all.views(), {.reduce = reduction::sum});
    kd::kl_divergence_rows(
        b.p(), b.q(), loss, part.views(),
        {.base = kldiv::log_base::bits(), .reduce = reduction::mean, .rows = {.weights = weights, .mask = mask}});
    for (std::size_t k = 0; k < all.mp.size(); ++k) {
        const double factor = weights[k / b.cols] * (mask[k / b.cols] ? 1.0 : 0.0) / 2.5 / std::log(2.0);
        const std::pair<double, double> pairs[] = {
            {all.mp[k], part.mp[k]}, {all.lvp[k], part.lvp[k]}, {all.mq[k], part.mq[k]}, {all.lvq[k], part.lvq[k]}};
        for (const auto& [whole, scaled] : pairs) {
            if (factor == 0.0) {
                EXPECT_EQ(scaled, 0.0) << k;
            } else {
                EXPECT_NEAR(scaled, factor * whole, 1e-15 * std::max(1.0, std::fabs(whole))) << k;
            }
        }
    }
}

// Masked rows are not read: NaN there is no error.
TEST(NormalRows, MaskedRowsAreNotRead) {
    batch<double> b = random_batch(2, 3, true, 4);
    b.lvp[4] = NAN;
    const std::vector<std::uint8_t> mask = {1, 0};
    const vec kl = per_row(b, {.reduce = reduction::none, .rows = {.mask = mask}});
    EXPECT_EQ(kl[1], 0.0);
    EXPECT_NEAR(kl[0], static_cast<double>(direct_kl(b, 0)), 1e-14 * kl[0]);
}

TEST(NormalRows, EqualDistributionsGiveExactZeros) {
    batch<double> b = random_batch(2, 9, false, 5);
    b.mq = b.mp;
    b.lvq = b.lvp;
    gradients<double> g(b, 7.0);
    vec kl(2);
    kd::kl_divergence_rows(b.p(), b.q(), kl, g.views(), {.reduce = reduction::none});
    EXPECT_EQ(kl, vec(2, 0.0));
    for (const vec* v : {&g.mp, &g.lvp, &g.mq, &g.lvq}) {
        for (const double x : *v) EXPECT_EQ(std::fabs(x), 0.0);
    }
    const batch<double> standard{1, 3, vec(3, 0.0), vec(3, 0.0), {}, {}};
    EXPECT_EQ(per_row(standard)[0], 0.0);
}

// Float storage: the same values (widened exactly) give the same per-row values; gradients are the
// double ones rounded to float.
TEST(NormalRows, FloatInputIsSummedInDouble) {
    const batch<double> d = random_batch(3, 40, false, 6);
    batch<float> f{d.rows, d.cols, {}, {}, {}, {}};
    batch<double> widened = d;
    for (auto [from, to, back] : {std::tuple{&d.mp, &f.mp, &widened.mp}, std::tuple{&d.lvp, &f.lvp, &widened.lvp},
                                  std::tuple{&d.mq, &f.mq, &widened.mq}, std::tuple{&d.lvq, &f.lvq, &widened.lvq}}) {
        for (std::size_t k = 0; k < from->size(); ++k) {
            to->push_back(static_cast<float>((*from)[k]));
            (*back)[k] = to->back();
        }
    }
    gradients<float> gf(f);
    gradients<double> gd(widened);
    vec kf(3), kw(3);
    kd::kl_divergence_rows(f.p(), f.q(), kf, gf.views(), {.reduce = reduction::none});
    kd::kl_divergence_rows(widened.p(), widened.q(), kw, gd.views(), {.reduce = reduction::none});
    EXPECT_EQ(kf, kw);
    for (std::size_t k = 0; k < gf.mp.size(); ++k) {
        EXPECT_EQ(gf.mp[k], static_cast<float>(gd.mp[k]));
        EXPECT_EQ(gf.lvp[k], static_cast<float>(gd.lvp[k]));
        EXPECT_EQ(gf.mq[k], static_cast<float>(gd.mq[k]));
        EXPECT_EQ(gf.lvq[k], static_cast<float>(gd.lvq[k]));
    }
}

bool same_bits(const vec& a, const vec& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Values and gradients are bit-identical for any number of threads (rows spread over threads).
// Rows are shared out among the threads; the loss (per row, and summed or averaged with weights and
// a mask) and every gradient must come out bit for bit as on one thread.
TEST(NormalRows, ThreadCountDoesNotChangeAnyBit) {
    const batch<double> b = random_batch(300, 257, false, 8);
    std::vector<double> weights(b.rows);
    std::vector<std::uint8_t> mask(b.rows, 1);
    for (std::size_t i = 0; i < b.rows; ++i) weights[i] = 0.25 + static_cast<double>(i % 7);
    for (std::size_t i = 0; i < b.rows; i += 11) mask[i] = 0;
    for (const reduction reduce : {reduction::none, reduction::sum, reduction::mean}) {
        vec first;
        gradients<double> reference_gradients(b);
        for (const unsigned threads : {1u, 2u, 3u, 8u}) {
            gradients<double> g(b);
            vec kl(reduce == reduction::none ? b.rows : 1);
            kd::kl_divergence_rows(b.p(), b.q(), kl, g.views(),
                                   {.reduce = reduce, .rows = {.weights = weights, .mask = mask, .threads = threads}});
            if (threads == 1) {
                first = kl;
                reference_gradients = g;
                continue;
            }
            EXPECT_TRUE(same_bits(kl, first)) << threads;
            for (auto [a, r] :
                 {std::pair{&g.mp, &reference_gradients.mp}, std::pair{&g.lvp, &reference_gradients.lvp},
                  std::pair{&g.mq, &reference_gradients.mq}, std::pair{&g.lvq, &reference_gradients.lvq}}) {
                EXPECT_TRUE(same_bits(*a, *r)) << threads;
            }
        }
        EXPECT_GT(first[reduce == reduction::none ? 1 : 0], 0.0);
        if (reduce == reduction::none) {
            EXPECT_EQ(first[0], 0.0);  // row 0 is masked
        }
        // The gradient of a masked row is 0, of a kept row scaled by its weight (not 0).
        EXPECT_EQ(reference_gradients.mp[0], 0.0);
        EXPECT_NE(reference_gradients.mp[b.cols], 0.0);
    }
}

// Overflow gives +inf (the true value); extreme log-variances stay accurate (long double check).
TEST(NormalRows, RangeConventions) {
    const batch<double> overflow{1, 2, {0.0, 0.0}, {800.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}};
    gradients<double> g(overflow);
    vec kl(1);
    kd::kl_divergence_rows(overflow.p(), overflow.q(), kl, g.views(), {.reduce = reduction::none});
    EXPECT_EQ(kl[0], INFINITY);
    EXPECT_EQ(g.lvp[0], INFINITY);
    EXPECT_EQ(g.lvq[0], -INFINITY);
    EXPECT_EQ(g.lvp[1], 0.0);
    const batch<double> huge_mean{1, 1, {1e200}, {0.0}, {}, {}};
    EXPECT_EQ(per_row(huge_mean)[0], INFINITY);
    // lvq = ±1405 (beyond the SIMD range, the scalar path): d²·e^(−lvq) is finite.
    const batch<double> extreme{2,
                                3,
                                {1e-300, 1.0, 2.0, 1e300, 1.0, 0.5},
                                {-1404.0, 0.5, 0.0, 1404.0, 0.0, 0.1},
                                {0.0, 1.5, 2.0, -1e300, 1.0, 0.5},
                                {-1405.0, 0.5, 0.25, 1405.0, 1.0, 0.1}};
    const vec values = per_row(extreme);
    for (std::size_t i = 0; i < 2; ++i) {
        const double expected = static_cast<double>(direct_kl(extreme, i));
        EXPECT_TRUE(std::isfinite(expected));
        EXPECT_NEAR(values[i], expected, 1e-12 * expected) << i;
    }
}

// Every compiled SIMD target against the scalar twin: lengths around the vector size, ordinary,
// nearly equal and extreme data (lanes on the scalar path), float and double, with gradients.
class NormalRowKernels : public every_simd_target {};

template <class T>
void check_against_twin(std::size_t cols, int regime, bool standard) {
    std::mt19937_64 rng(cols * 10 + regime);
    std::normal_distribution<double> z(0.0, 1.0);
    batch<T> b{1, cols, {}, {}, {}, {}};
    for (std::size_t j = 0; j < cols; ++j) {
        double mp = 1.5 * z(rng), lvp = 2.0 * z(rng), mq = 1.5 * z(rng), lvq = 2.0 * z(rng);
        if (regime == 1) {  // nearly equal
            mq = mp + 1e-6 * z(rng);
            lvq = lvp + 1e-6 * z(rng);
        } else if (regime == 2 && j % 10 == 0) {  // beyond the fast range, finite: e^(1410 + ln d²) ≈ 1e292
            mp = 1e-160;
            mq = 0.0;
            lvq = -1410.0;
            lvp = lvq + z(rng);
        } else if (regime == 2 && j % 5 == 0) {
            lvq = 1410.0;
        } else if (regime == 2 && j % 7 == 0) {  // e^(lvp − lvq) ≈ 1e306, equal means
            lvq = lvp - 705.0;
            mq = mp;
        }
        b.mp.push_back(static_cast<T>(mp));
        b.lvp.push_back(static_cast<T>(lvp));
        if (standard) continue;
        b.mq.push_back(static_cast<T>(mq));
        b.lvq.push_back(static_cast<T>(lvq));
    }
    gradients<T> simd(b), twin(b);
    const auto row = [&](gradients<T>& g) {
        return kd::detail::normal_row<T>{cols,
                                         b.mp.data(),
                                         b.lvp.data(),
                                         standard ? nullptr : b.mq.data(),
                                         standard ? nullptr : b.lvq.data(),
                                         g.mp.data(),
                                         g.lvp.data(),
                                         standard ? nullptr : g.mq.data(),
                                         standard ? nullptr : g.lvq.data(),
                                         0.75};
    };
    const double a = kd::detail::normal_row_kl(row(simd)), r = kd::detail::reference_normal_row_kl(row(twin));
    const std::string what = "cols " + std::to_string(cols) + " regime " + std::to_string(regime) +
                             (standard ? " standard" : "") + (sizeof(T) == 4 ? " float" : " double");
    ASSERT_TRUE(std::isfinite(r)) << what;
    EXPECT_NEAR(a, r, 2e-15 * r) << what;
    // Float gradients: the double values may round to neighbouring floats.
    const double tolerance = sizeof(T) == 4 ? 1.2e-7 : 4e-15;
    for (auto [x, y] : {std::pair{&simd.mp, &twin.mp}, std::pair{&simd.lvp, &twin.lvp}, std::pair{&simd.mq, &twin.mq},
                        std::pair{&simd.lvq, &twin.lvq}}) {
        for (std::size_t k = 0; k < x->size(); ++k) {
            const double u = (*x)[k], v = (*y)[k];
            if (std::isinf(v)) {
                EXPECT_EQ(u, v) << what << " " << k;
            } else {
                EXPECT_NEAR(u, v, tolerance * std::fabs(v)) << what << " " << k;
            }
        }
    }
}

TEST_P(NormalRowKernels, MatchScalarTwin) {
    for (const std::size_t cols : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 64u, 100u, 257u}) {
        for (const int regime : {0, 1, 2}) {
            for (const bool standard : {true, false}) {
                if (standard && regime != 0) continue;
                check_against_twin<float>(cols, regime, standard);
                check_against_twin<double>(cols, regime, standard);
            }
        }
    }
}

KLDIV_FOR_EVERY_SIMD_TARGET(NormalRowKernels);

// The message of the kldiv::error that f throws, which must name the function.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "distributions::kl_divergence_rows");
        return e.what();
    }
    ADD_FAILURE() << "no kldiv::error";
    return {};
}

// Errors name the function, the argument, the element and the rule, and nothing is written.
TEST(NormalRows, BadInputIsNamedAndNothingIsWritten) {
    using testing::HasSubstr;
    const batch<double> good = random_batch(2, 3, false, 9);
    vec out(2, 7.0);
    const auto expect_error = [&](const batch<double>& b, std::span<double> to, const kd::normal_rows_options& o,
                                  const std::string& message) {
        gradients<double> g(b, 7.0);
        EXPECT_THAT(error_of([&] { kd::kl_divergence_rows(b.p(), b.q(), to, g.views(), o); }), HasSubstr(message));
        EXPECT_EQ(out, vec(2, 7.0)) << message;
        for (const vec* v : {&g.mp, &g.lvp, &g.mq, &g.lvq}) EXPECT_EQ(*v, vec(6, 7.0)) << message;
    };
    const kd::normal_rows_options none{.reduce = reduction::none};
    batch<double> b = good;
    b.lvq[4] = NAN;
    expect_error(b, out, none, "log_var_q[1, 1] = nan, but log-variances must be finite");
    b = good;
    b.lvp[2] = INFINITY;
    expect_error(b, out, none, "log_var_p[0, 2] = inf, but log-variances must be finite");
    b = good;
    b.mp[5] = -INFINITY;
    expect_error(b, out, none, "mean_p[1, 2] = -inf, but means must be finite");
    expect_error(good, std::span<double>(out.data(), 1), none, "out has 1 elements, but needs 2 (one per row)");
    expect_error(good, out, {}, "out has 2 elements, but needs 1 (a reduction)");
    const vec negative = {1.0, -1.0};
    expect_error(good, std::span<double>(out.data(), 1), {.reduce = reduction::mean, .rows = {.weights = negative}},
                 "rows.weights[1] = -1, but weights must be finite and >= 0");
    const std::vector<std::uint8_t> masked = {0, 0};
    expect_error(good, std::span<double>(out.data(), 1), {.reduce = reduction::mean, .rows = {.mask = masked}},
                 "reduction = mean over rows whose total weight is 0");

    // Shapes of the parameter views, and of the gradient views.
    const auto call = [&](const kd::normal_rows<double>& p, const kd::normal_rows<double>& q,
                          const kd::normal_rows_gradients<double>& g) {
        return error_of([&] { kd::kl_divergence_rows(p, q, out, g, none); });
    };
    EXPECT_THAT(call(good.p(), {{good.mq.data(), 2, 2}, {good.lvq.data(), 2, 2}}, {}),
                HasSubstr("mean_q is 2x2, but must be 2x3 like mean_p"));
    EXPECT_THAT(call({{good.mp.data(), 2, 3}, {good.lvp.data(), 1, 3}}, good.q(), {}),
                HasSubstr("log_var_p is 1x3, but must be 2x3 like mean_p"));
    EXPECT_THAT(call(good.p(), {{good.mq.data(), 2, 3}, {}}, {}), HasSubstr("mean_q is given but log_var_q is not"));
    gradients<double> g(good, 7.0);
    auto views = g.views();
    views.log_var_q.cols = 2;
    EXPECT_THAT(call(good.p(), good.q(), views), HasSubstr("grad_log_var_q is 2x2, but must be 2x3 like mean_p"));
    views = g.views();
    views.mean_p.row_stride = 2;
    EXPECT_THAT(call(good.p(), good.q(), views), HasSubstr("grad_mean_p has row_stride 2, but it must be >= cols = 3"));
    EXPECT_THAT(call(random_batch(2, 3, true, 10).p(), {}, g.views()),
                HasSubstr("grad_mean_q is given, but Q is the standard normal"));
    EXPECT_EQ(g.mp, vec(6, 7.0));
    EXPECT_EQ(out, vec(2, 7.0));
}

}  // namespace
