// Tests of the divergences of divergences.hpp over matrix rows (batch.hpp: divergence_rows and
// row_outputs::divergence): logits rows against closed forms that share none of the kernels' algebra,
// every input kind and storage type against the one-pair function, reductions, masks, weights,
// threads, zero policies and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/batch.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/error.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using kldiv::input_kind;
using kldiv::measure;
using testing::HasSubstr;
constexpr double inf = std::numeric_limits<double>::infinity();

// Logits a and b = a + c·e_j (one logit moved by c): with π = softmax(a)_j and Z = 1 + π·expm1(c),
//   D_α(P‖Q) = log1p(π expm1(c)) − log1p(π expm1((1 − α)c)) / (1 − α),
//   D_∞ = ln Z + max(0, −c) (the largest ratio p/q is Z or Z e^(−c)),
//   δ(P, Q) = π (1 − π) |expm1(c)| / Z;
// the other measures follow from Rényi: T_α = expm1((α−1) D_α)/(α−1), χ² = expm1(D_2),
// D_B = D_½ / 2, H² = −expm1(−D_B). π in long double from the logits as stored.
// The closed form cancels about log10(1/c) digits between its two logarithms, so it is evaluated in
// long double (19 digits: 13 left at the smallest c here).
struct moved_logit {
    long double pi, c;

    long double g(long double x) const { return std::log1p(pi * std::expm1(x)); }
    long double renyi(double alpha) const {
        if (std::isinf(alpha)) return g(c) + std::max(0.0L, -c);
        if (alpha == 1.0) return g(c) - pi * c;  // KL: Σ p ln(p/q) = ln Z − π c
        const long double a = alpha;
        return g(c) - g((1 - a) * c) / (1 - a);
    }
    double expected(measure m, double alpha) const {
        const long double a = alpha;
        switch (m) {
            case measure::renyi_divergence:
                return static_cast<double>(renyi(alpha));
            case measure::tsallis_divergence:
                return static_cast<double>(std::expm1((a - 1) * renyi(alpha)) / (a - 1));
            case measure::pearson_chi2:
                return static_cast<double>(std::expm1(renyi(2.0)));
            case measure::bhattacharyya:
                return static_cast<double>(renyi(0.5) / 2);
            case measure::squared_hellinger:
                return static_cast<double>(-std::expm1(-renyi(0.5) / 2));
            case measure::hellinger:
                return static_cast<double>(std::sqrt(-std::expm1(-renyi(0.5) / 2)));
            case measure::total_variation:
                return static_cast<double>(pi * (1 - pi) * std::fabs(std::expm1(c)) / (1 + pi * std::expm1(c)));
            default:
                return NAN;
        }
    }
};

template <class T>
void check_moved_logit(double c, double temperature) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0.0, 2.0);
    const std::size_t n = 1000, j = 17;
    std::vector<T> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<T>(normal(rng));
    a[j] = static_cast<T>(3.0);
    b[j] = static_cast<T>(3.0 + c);  // exact for the c below in float and double
    const long double moved = (static_cast<long double>(b[j]) - static_cast<long double>(a[j])) / temperature;
    long double z = 0;
    for (std::size_t i = 0; i < n; ++i) z += std::exp(static_cast<long double>(a[i]) / temperature);
    const moved_logit closed{std::exp(static_cast<long double>(a[j]) / temperature) / z, moved};
    const kldiv::matrix_view<const T> p(a.data(), 1, n), q(b.data(), 1, n);
    struct asked {
        measure m;
        double alpha;
    };
    for (const asked& x : {asked{measure::renyi_divergence, 0.0}, asked{measure::renyi_divergence, 0.3},
                           asked{measure::renyi_divergence, 0.5}, asked{measure::renyi_divergence, 0.999},
                           asked{measure::renyi_divergence, 1.0}, asked{measure::renyi_divergence, 2.0},
                           asked{measure::renyi_divergence, 3.7}, asked{measure::renyi_divergence, 40.0},
                           asked{measure::renyi_divergence, inf}, asked{measure::tsallis_divergence, 0.4},
                           asked{measure::tsallis_divergence, 2.5}, asked{measure::pearson_chi2, 1.0},
                           asked{measure::bhattacharyya, 1.0}, asked{measure::squared_hellinger, 1.0},
                           asked{measure::hellinger, 1.0}, asked{measure::total_variation, 1.0}}) {
        double got = NAN;
        kldiv::divergence_rows(
            p, q, {&got, 1}, x.m,
            {.input = input_kind::logits, .temperature = temperature, .measure = {.alpha = x.alpha}});
        const double expected = closed.expected(x.m, x.alpha);
        // Rényi of order 0 is exactly 0 (the same support); the rest within 1e-11 relative, the
        // closed form's own error below 1e-13, but for KL itself (order 1) of float rows: the
        // single-precision kernel of the KL family, 2e-6 (docs/measures/batched_rows.md).
        const bool float_kl = sizeof(T) == 4 && x.alpha == 1.0 && x.m == measure::renyi_divergence;
        EXPECT_NEAR(got, expected, (float_kl ? 2e-6 : 1e-11) * expected + (x.alpha == 0.0 ? 0.0 : 1e-300))
            << kldiv::name(x.m) << " alpha " << x.alpha << " c " << c << " T " << temperature << " bytes " << sizeof(T);
    }
}

TEST(BatchDivergences, LogitsAgreeWithClosedFormsNearAndFar) {
    for (const double c : {0x1p-20, 0x1p-10, 0.5, -0.75, 6.0}) {
        for (const double t : {1.0, 2.0}) {
            check_moved_logit<double>(c, t);
            check_moved_logit<float>(c, t);
        }
    }
}

std::vector<double> random_rows(std::mt19937_64& rng, std::size_t rows, std::size_t cols, bool zeros) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(rows * cols);
    for (std::size_t i = 0; i < rows; ++i) {
        double s = 0;
        for (std::size_t k = 0; k < cols; ++k) {
            v[i * cols + k] = zeros && (k * 5 + i) % 7 == 3 ? 0.0 : u(rng);
            s += v[i * cols + k];
        }
        for (std::size_t k = 0; k < cols; ++k) v[i * cols + k] /= s;
    }
    return v;
}

const measure every_measure[] = {measure::kl_divergence,      measure::reverse_kl,   measure::jeffreys,
                                 measure::js_divergence,      measure::js_distance,  measure::renyi_divergence,
                                 measure::tsallis_divergence, measure::pearson_chi2, measure::neyman_chi2,
                                 measure::squared_hellinger,  measure::hellinger,    measure::total_variation,
                                 measure::bhattacharyya,      measure::triangular,   measure::skew_divergence};

// Probability rows: each row equals the one-pair function on that row; log-probabilities and logits
// of the same rows agree within 1e-12.
TEST(BatchDivergences, EveryInputKindMatchesTheOnePairFunction) {
    std::mt19937_64 rng(11);
    const std::size_t rows = 7, cols = 300;
    for (const bool zeros : {false, true}) {
        const std::vector<double> p = random_rows(rng, rows, cols, zeros), q = random_rows(rng, rows, cols, zeros);
        std::vector<double> lp(p.size()), lq(q.size()), logits_p(p.size());
        for (std::size_t k = 0; k < p.size(); ++k) {
            lp[k] = std::log(p[k]);
            lq[k] = std::log(q[k]);
            logits_p[k] = lp[k] + 5.25;  // a shift: the same softmax
        }
        for (const measure m : every_measure) {
            for (const double alpha : {0.25, 1.0, 2.0, 7.5}) {
                if (m == measure::skew_divergence && alpha > 1.0) continue;
                const kldiv::options o{.beta = 0.3, .alpha = alpha};
                std::vector<double> got(rows), from_logs(rows), from_logits(rows);
                kldiv::divergence_rows(kldiv::matrix_view<const double>(p.data(), rows, cols),
                                       kldiv::matrix_view<const double>(q.data(), rows, cols), got, m, {.measure = o});
                kldiv::divergence_rows(kldiv::matrix_view<const double>(lp.data(), rows, cols),
                                       kldiv::matrix_view<const double>(lq.data(), rows, cols), from_logs, m,
                                       {.input = input_kind::log_probs, .measure = o});
                kldiv::divergence_rows(kldiv::matrix_view<const double>(logits_p.data(), rows, cols),
                                       kldiv::matrix_view<const double>(lq.data(), rows, cols), from_logits, m,
                                       {.input = input_kind::logits, .measure = o});
                for (std::size_t i = 0; i < rows; ++i) {
                    const std::span<const double> pi(p.data() + i * cols, cols), qi(q.data() + i * cols, cols);
                    const double one = kldiv::divergence(pi, qi, m, o);
                    SCOPED_TRACE(kldiv::name(m) + " alpha " + std::to_string(alpha) + " row " + std::to_string(i));
                    // The KL family comes from the block kernels (1e-12 of the one-pair value); the
                    // others from the one-pair function's sums, the logarithm-free ones in SIMD lanes
                    // (the same terms in another order: 1e-14).
                    const bool kl_family = m == measure::kl_divergence || m == measure::reverse_kl ||
                                           m == measure::jeffreys || m == measure::js_divergence ||
                                           m == measure::js_distance || (kldiv::uses_alpha(m) && alpha == 1.0);
                    if (std::isinf(one)) {
                        EXPECT_EQ(got[i], one);
                    } else {
                        EXPECT_NEAR(got[i], one, (kl_family ? 1e-12 : 1e-14) * one);
                    }
                    if (std::isinf(one)) {
                        EXPECT_EQ(from_logs[i], one);
                        EXPECT_EQ(from_logits[i], one);
                    } else {
                        EXPECT_NEAR(from_logs[i], one, 1e-12 * one);
                        EXPECT_NEAR(from_logits[i], one, 1e-12 * one);
                    }
                }
            }
        }
    }
}

TEST(BatchDivergences, StorageTypesThreadsReductionsMasksAndWeights) {
    std::mt19937_64 rng(12);
    const std::size_t rows = 40, cols = 3000;  // large enough for two threads
    std::vector<double> p = random_rows(rng, rows, cols, false), q = random_rows(rng, rows, cols, true);
    std::vector<float> pf(p.size()), qf(q.size());
    std::vector<kldiv::bfloat16> pb(p.size()), qb(q.size());
    for (std::size_t k = 0; k < p.size(); ++k) {
        const float a = std::log(static_cast<float>(p[k])),
                    b = q[k] > 0 ? std::log(static_cast<float>(q[k])) : -INFINITY;
        pb[k] = {static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(a) >> 16)};  // truncated to bfloat16
        qb[k] = {static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(b) >> 16)};
        pf[k] = static_cast<float>(pb[k]);  // the same values as float
        qf[k] = static_cast<float>(qb[k]);
    }
    const kldiv::matrix_view<const float> fp(pf.data(), rows, cols), fq(qf.data(), rows, cols);
    const kldiv::matrix_view<const kldiv::bfloat16> bp(pb.data(), rows, cols), bq(qb.data(), rows, cols);
    const kldiv::batch_options logits{.input = input_kind::logits, .measure = {.alpha = 0.6}};
    for (const measure m : {measure::renyi_divergence, measure::hellinger, measure::total_variation,
                            measure::js_distance, measure::neyman_chi2}) {
        std::vector<double> a(rows), b(rows), one_thread(rows);
        kldiv::divergence_rows(fp, fq, a, m, logits);
        kldiv::divergence_rows(bp, bq, b, m, logits);
        kldiv::batch_options single = logits;
        single.rows.threads = 1;
        kldiv::divergence_rows(fp, fq, one_thread, m, single);
        EXPECT_EQ(a, b) << kldiv::name(m);           // bfloat16 rows are their widened values
        EXPECT_EQ(a, one_thread) << kldiv::name(m);  // the same for any number of threads
        // Reductions: the weighted mean of the rows the mask keeps.
        std::vector<double> w(rows);
        std::vector<std::uint8_t> keep(rows);
        double total = 0, weighted = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            w[i] = 0.5 + static_cast<double>(i % 3);
            keep[i] = i % 4 != 1;
            if (keep[i]) {
                total += w[i];
                weighted += w[i] * a[i];
            }
        }
        kldiv::batch_options reduced = logits;
        reduced.reduce = kldiv::reduction::mean;
        reduced.rows.weights = w;
        reduced.rows.mask = keep;
        double mean = 0;
        kldiv::divergence_rows(fp, fq, {&mean, 1}, m, reduced);
        EXPECT_NEAR(mean, weighted / total, 1e-14 * mean) << kldiv::name(m);
    }
    // Several outputs in one call: the divergence beside the KL family, each as asked alone.
    std::vector<double> kl(rows), renyi(rows), kl_alone(rows), renyi_alone(rows);
    kldiv::measure_rows(fp, fq, {.kl = kl, .divergence = renyi, .divergence_measure = measure::renyi_divergence},
                        logits);
    kldiv::kl_divergence_rows(fp, fq, kl_alone, logits);
    kldiv::divergence_rows(fp, fq, renyi_alone, measure::renyi_divergence, logits);
    EXPECT_EQ(kl, kl_alone);
    EXPECT_EQ(renyi, renyi_alone);
}

TEST(BatchDivergences, UnitsZeroPoliciesAndSmoothing) {
    const std::vector<double> p{0.5, 0.5, 0.0, 0.2, 0.8, 0.0}, q{0.5, 0.0, 0.5, 0.2, 0.3, 0.5};
    const kldiv::matrix_view<const double> pv(p.data(), 2, 3), qv(q.data(), 2, 3);
    std::vector<double> out(2);
    // Rényi of order 2 is infinite where P leaves Q's support, finite otherwise.
    kldiv::divergence_rows(pv, qv, out, measure::renyi_divergence, {.measure = {.alpha = 2.0}});
    EXPECT_EQ(out[0], inf);
    EXPECT_NEAR(out[1], std::log(0.04 / 0.2 + 0.64 / 0.3), 1e-15);  // ln Σ p²/q
    try {
        kldiv::divergence_rows(pv, qv, out, measure::renyi_divergence,
                               {.measure = {.on_zero = kldiv::zero_support::error, .alpha = 2.0}});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("p[0, 1] = 0.5 gives mass where q[0, 1] = 0 gives none"));
    }
    try {
        kldiv::divergence_rows(pv, qv, out, measure::neyman_chi2, {.measure = {.on_zero = kldiv::zero_support::error}});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("q[0, 2] = 0.5 gives mass where p[0, 2] = 0 gives none"));
    }
    // Smoothing: as the one-pair function smooths.
    const kldiv::options smooth{.on_zero = kldiv::zero_support::smooth, .epsilon = 1e-3, .alpha = 3.0};
    kldiv::divergence_rows(pv, qv, out, measure::tsallis_divergence, {.measure = smooth});
    EXPECT_EQ(out[0],
              kldiv::divergence(std::span(p).first(3), std::span(q).first(3), measure::tsallis_divergence, smooth));
    // Units apply to the logarithmic measures only; js_distance is the root of JS in the unit.
    double nats = 0, bits = 0, js = 0;
    const kldiv::batch_options mean{.reduce = kldiv::reduction::sum};
    kldiv::divergence_rows(pv, qv, {&nats, 1}, measure::bhattacharyya, mean);
    kldiv::divergence_rows(pv, qv, {&bits, 1}, measure::bhattacharyya,
                           {.measure = {.base = kldiv::log_base::bits()}, .reduce = kldiv::reduction::sum});
    EXPECT_NEAR(bits, nats / std::log(2.0), 1e-15);
    kldiv::divergence_rows(pv, qv, {&js, 1}, measure::js_distance,
                           {.measure = {.base = kldiv::log_base::bits()}, .reduce = kldiv::reduction::sum});
    const double js0 = kldiv::divergence(std::span(p).first(3), std::span(q).first(3), measure::js_distance,
                                         {.base = kldiv::log_base::bits()});
    const double js1 = kldiv::divergence(std::span(p).last(3), std::span(q).last(3), measure::js_distance,
                                         {.base = kldiv::log_base::bits()});
    EXPECT_NEAR(js, js0 + js1, 1e-15);
    double tv_nats = 0, tv_bits = 0;
    kldiv::divergence_rows(pv, qv, {&tv_nats, 1}, measure::total_variation, mean);
    kldiv::divergence_rows(pv, qv, {&tv_bits, 1}, measure::total_variation,
                           {.measure = {.base = kldiv::log_base::bits()}, .reduce = kldiv::reduction::sum});
    EXPECT_EQ(tv_nats, tv_bits);
    EXPECT_NEAR(tv_nats, 0.5 + 0.5, 1e-15);
}

TEST(BatchDivergences, BadParametersNameTheFunction) {
    const std::vector<double> p{0.5, 0.5};
    const kldiv::matrix_view<const double> v(p.data(), 1, 2);
    double out = 0;
    try {
        kldiv::divergence_rows(v, v, {&out, 1}, measure::skew_divergence, {.measure = {.alpha = 1.5}});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("divergence_rows: alpha = 1.5, but the weight of Q in skew_divergence"));
    }
    EXPECT_THROW(kldiv::divergence_rows(v, v, {&out, 1}, measure::js_distance, {.measure = {.beta = 0}}), kldiv::error);
    std::vector<double> two(2);
    EXPECT_THROW(kldiv::divergence_rows(v, v, two, measure::hellinger), kldiv::error);
}

}  // namespace
