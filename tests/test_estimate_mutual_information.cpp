// Tests of include/kldiv/estimate/mutual_information.hpp: the maximum-norm k-d tree against brute
// force (ties and repeated rows included), KSG and Ross against their definitions evaluated by brute
// force in long double, the discrete estimators against the direct sums, closed forms of Gaussian
// mutual information, thread independence, resampling and bad input. scikit-learn's own estimates
// are compared in python/tests/test_mutual_information.py.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/error.hpp"
#include "kldiv/estimate/mutual_information.hpp"

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "src/estimate/chebyshev_tree.hpp"

namespace {

namespace ke = kldiv::estimate;
using testing::HasSubstr;

using rows = std::vector<std::vector<double>>;

std::vector<double> flat(const rows& r) {
    std::vector<double> out;
    for (const auto& row : r) out.insert(out.end(), row.begin(), row.end());
    return out;
}

double max_norm(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0;
    for (std::size_t j = 0; j < a.size(); ++j) d = std::max(d, std::fabs(a[j] - b[j]));
    return d;
}

// Rows with ties: coordinates on a coarse grid (many equal values) and repeated rows.
rows tied_rows(std::mt19937_64& rng, std::size_t n, std::size_t d) {
    std::uniform_int_distribution<int> grid(0, 6);
    std::normal_distribution<double> normal;
    rows out(n, std::vector<double>(d));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) out[i][j] = i % 3 == 0 ? grid(rng) * 0.5 : normal(rng);
        if (i % 7 == 6) out[i] = out[i - 3];  // a repeated row
    }
    return out;
}

TEST(ChebyshevTree, NearestAndCountsEqualBruteForce) {
    std::mt19937_64 rng(1);
    for (std::size_t d = 1; d <= 5; ++d) {
        for (std::size_t n : {1u, 2u, 9u, 50u, 700u}) {
            const rows r = tied_rows(rng, n, d);
            const std::vector<double> data = flat(r);
            const ke::detail::chebyshev_tree tree(kldiv::matrix_view<const double>(data.data(), n, d));
            for (std::size_t i = 0; i < n; ++i) {
                std::vector<double> all;
                for (std::size_t j = 0; j < n; ++j) {
                    if (j != i) all.push_back(max_norm(r[i], r[j]));
                }
                std::sort(all.begin(), all.end());
                for (std::size_t k : {1u, 3u, 7u}) {
                    if (k > all.size()) continue;
                    std::vector<double> got(k);
                    std::vector<std::size_t> who(k);
                    tree.nearest(r[i].data(), i, got, who);
                    for (std::size_t m = 0; m < k; ++m) {
                        EXPECT_EQ(got[m], all[m]) << "d " << d << " n " << n << " i " << i << " k " << k;
                        EXPECT_EQ(max_norm(r[i], r[who[m]]), got[m]);
                        EXPECT_NE(who[m], i);
                    }
                }
                for (double radius : {0.0, all.empty() ? 0.0 : all[all.size() / 2], 0.5, 1e9}) {
                    std::size_t expected = 0;
                    for (std::size_t j = 0; j < n; ++j) expected += max_norm(r[i], r[j]) <= radius;
                    EXPECT_EQ(tree.count_within(r[i].data(), radius), expected) << d << " " << n << " " << radius;
                }
            }
        }
    }
}

long double psi(std::size_t m) { return boost::math::digamma(static_cast<long double>(m)); }

// KSG from its definition: O(n²) distances, the counts by comparison, ψ in long double.
double ksg_brute(const rows& x, const rows& y, std::size_t k, bool second) {
    const std::size_t n = x.size();
    long double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<double, std::size_t>> joint;
        for (std::size_t j = 0; j < n; ++j) {
            if (j != i) joint.push_back({std::max(max_norm(x[i], x[j]), max_norm(y[i], y[j])), j});
        }
        std::sort(joint.begin(), joint.end());
        if (!second) {
            const double eps = joint[k - 1].first;
            std::size_t nx = 0, ny = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i) continue;
                // scikit-learn's rule: ≤ nextafter(ε, 0), which is < ε, or = 0 where ε = 0
                nx += max_norm(x[i], x[j]) <= std::nextafter(eps, 0.0);
                ny += max_norm(y[i], y[j]) <= std::nextafter(eps, 0.0);
            }
            total += psi(nx + 1) + psi(ny + 1);
        } else {
            double ex = 0, ey = 0;
            for (std::size_t m = 0; m < k; ++m) {
                ex = std::max(ex, max_norm(x[i], x[joint[m].second]));
                ey = std::max(ey, max_norm(y[i], y[joint[m].second]));
            }
            std::size_t nx = 0, ny = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i) continue;
                nx += max_norm(x[i], x[j]) <= ex;
                ny += max_norm(y[i], y[j]) <= ey;
            }
            total += psi(nx) + psi(ny);
        }
    }
    const long double base = psi(k) + psi(n) - (second ? 1.0L / k : 0.0L);
    return static_cast<double>(base - total / n);
}

TEST(MutualInformation, KsgEqualsItsDefinition) {
    std::mt19937_64 rng(2);
    std::normal_distribution<double> normal;
    for (const auto& [dx, dy] : std::vector<std::pair<std::size_t, std::size_t>>{{1, 1}, {2, 1}, {2, 3}}) {
        for (const bool ties : {false, true}) {
            const std::size_t n = 300;
            rows x = ties ? tied_rows(rng, n, dx) : rows(n, std::vector<double>(dx));
            rows y(n, std::vector<double>(dy));
            for (std::size_t i = 0; i < n; ++i) {
                if (!ties) {
                    for (double& v : x[i]) v = normal(rng);
                }
                for (std::size_t j = 0; j < dy; ++j) y[i][j] = 0.7 * x[i][j % dx] + normal(rng);
            }
            const std::vector<double> xs = flat(x), ys = flat(y);
            const kldiv::matrix_view<const double> xv(xs.data(), n, dx), yv(ys.data(), n, dy);
            for (const std::size_t k : {1u, 3u, 6u}) {
                for (const bool second : {false, true}) {
                    const double got =
                        ke::mutual_information_knn(
                            xv, yv, {.k = k, .method = second ? ke::ksg_method::ksg_2 : ke::ksg_method::ksg_1})
                            .value.value;
                    EXPECT_NEAR(got, ksg_brute(x, y, k, second), 1e-13)
                        << dx << "x" << dy << " ties " << ties << " k " << k << " second " << second;
                }
            }
        }
    }
}

// Ross from its definition (scikit-learn's reading: labels seen once are left out; m counts the
// point itself; radius nextafter(r, 0)).
double ross_brute(const rows& x, const std::vector<std::int64_t>& labels, std::size_t k) {
    const std::size_t n = x.size();
    std::map<std::int64_t, std::size_t> count;
    for (const auto l : labels) ++count[l];
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < n; ++i) {
        if (count[labels[i]] > 1) kept.push_back(i);
    }
    long double total = 0;
    for (const std::size_t i : kept) {
        const std::size_t kc = std::min(k, count[labels[i]] - 1);
        std::vector<double> same;
        for (std::size_t j = 0; j < n; ++j) {
            if (j != i && labels[j] == labels[i]) same.push_back(max_norm(x[i], x[j]));
        }
        std::sort(same.begin(), same.end());
        const double r = std::nextafter(same[kc - 1], 0.0);
        std::size_t m = 0;
        for (const std::size_t j : kept) m += max_norm(x[i], x[j]) <= r;
        total += psi(kc) - psi(count[labels[i]]) - psi(m);
    }
    return static_cast<double>(psi(kept.size()) + total / kept.size());
}

TEST(MutualInformation, RossEqualsItsDefinition) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal;
    for (const std::size_t d : {1u, 2u}) {
        const std::size_t n = 400;
        rows x = tied_rows(rng, n, d);
        std::vector<std::int64_t> labels(n);
        for (std::size_t i = 0; i < n; ++i) {
            labels[i] = x[i][0] + 0.5 * normal(rng) > 0 ? 7 : -3;
            if (i == 5) labels[i] = 99;      // a label seen once: left out
            if (i % 50 == 1) labels[i] = 4;  // a small class (8 points): k is capped there
        }
        const std::vector<double> xs = flat(x);
        for (const std::size_t k : {1u, 3u, 10u}) {
            const double got =
                ke::mutual_information_mixed(kldiv::matrix_view<const double>(xs.data(), n, d), labels, {.k = k})
                    .value.value;
            EXPECT_NEAR(got, ross_brute(x, labels, k), 1e-13) << d << " " << k;
        }
    }
}

TEST(MutualInformation, GaussianClosedFormsAndConvergence) {
    // I = −½ ln(1 − ρ²) for a bivariate normal; the KSG error shrinks as n grows.
    std::mt19937_64 rng(4);
    std::normal_distribution<double> normal;
    for (const double rho : {0.0, 0.5, 0.9}) {
        const double truth = -0.5 * std::log1p(-rho * rho);
        double previous_error = 1.0;
        for (const std::size_t n : {1000u, 30000u}) {
            std::vector<double> x(n), y(n);
            for (std::size_t i = 0; i < n; ++i) {
                x[i] = normal(rng);
                y[i] = rho * x[i] + std::sqrt(1 - rho * rho) * normal(rng);
            }
            const kldiv::matrix_view<const double> xv(x.data(), n, 1), yv(y.data(), n, 1);
            const double a = ke::mutual_information_knn(xv, yv).value.value;
            const double b = ke::mutual_information_knn(xv, yv, {.method = ke::ksg_method::ksg_2}).value.value;
            // Standard deviation of KSG at these n: about 0.8/√n nats (Kraskov et al., Fig. 4); 5σ.
            const double band = 5.0 * 0.8 / std::sqrt(static_cast<double>(n));
            EXPECT_NEAR(a, truth, band) << rho << " " << n;
            EXPECT_NEAR(b, truth, band) << rho << " " << n;
            if (n == 30000u) {
                EXPECT_LT(std::fabs(a - truth), std::max(previous_error, 0.01));
            }
            previous_error = std::fabs(a - truth);
        }
    }
    // Vector X, Y: I = −½ ln det(Σ) / (det Σ_X det Σ_Y) with two independent pairs: the sum.
    const std::size_t n = 20000;
    std::vector<double> x(2 * n), y(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < 2; ++j) {
            const double rho = j == 0 ? 0.8 : 0.3;
            x[2 * i + j] = normal(rng);
            y[2 * i + j] = rho * x[2 * i + j] + std::sqrt(1 - rho * rho) * normal(rng);
        }
    }
    const double truth = -0.5 * (std::log1p(-0.64) + std::log1p(-0.09));
    const double got = ke::mutual_information_knn(kldiv::matrix_view<const double>(x.data(), n, 2),
                                                  kldiv::matrix_view<const double>(y.data(), n, 2))
                           .value.value;
    EXPECT_NEAR(got, truth, 0.04);  // KSG's bias in 4 dimensions at n = 2·10⁴ is a few hundredths
}

TEST(MutualInformation, DiscreteEstimatorsEqualTheDirectSums) {
    const std::vector<double> table{10, 3, 0, 2, 8, 1, 4, 4, 12};  // 3 × 3 counts
    const kldiv::matrix_view<const double> t(table.data(), 3, 3);
    long double total = 0, mi = 0;
    long double px[3] = {}, py[3] = {};
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            total += table[i * 3 + j];
            px[i] += table[i * 3 + j];
            py[j] += table[i * 3 + j];
        }
    }
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            const long double c = table[i * 3 + j];
            if (c > 0) mi += c / total * std::log(c * total / (px[i] * py[j]));
        }
    }
    EXPECT_NEAR(ke::mutual_information_counts(t).value.value, static_cast<double>(mi), 1e-15);
    // Miller–Madow: (m_X + m_Y − m_XY − 1)/(2n) = (3 + 3 − 8 − 1)/(2·44).
    EXPECT_NEAR(ke::mutual_information_counts(t, {.counts = ke::count_estimator::miller_madow}).value.value,
                static_cast<double>(mi) + (3.0 + 3.0 - 8.0 - 1.0) / (2.0 * 44.0), 1e-15);
    // The same from labels.
    std::vector<std::int64_t> xl, yl;
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            for (int c = 0; c < table[i * 3 + j]; ++c) {
                xl.push_back(static_cast<std::int64_t>(i) * 10 - 5);
                yl.push_back(static_cast<std::int64_t>(j));
            }
        }
    }
    EXPECT_NEAR(ke::mutual_information_discrete(xl, yl).value.value, static_cast<double>(mi), 1e-15);
    // Bits; independence gives 0 exactly for a product table.
    EXPECT_NEAR(ke::mutual_information_counts(t, {.base = kldiv::log_base::bits()}).value.value,
                static_cast<double>(mi) / std::log(2.0), 1e-15);
    const std::vector<double> product{2, 4, 6, 1, 2, 3};
    EXPECT_EQ(ke::mutual_information_counts(kldiv::matrix_view<const double>(product.data(), 2, 3)).value.value, 0.0);
}

TEST(MutualInformation, ThreadsResamplingAndTheTestOfIndependence) {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal;
    const std::size_t n = 3000;
    std::vector<double> x(n), y(n), noise(n);
    std::vector<std::int64_t> labels(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = normal(rng);
        y[i] = 0.5 * x[i] + normal(rng);
        noise[i] = normal(rng);
        labels[i] = x[i] > 0.3;
    }
    const kldiv::matrix_view<const double> xv(x.data(), n, 1), yv(y.data(), n, 1), nv(noise.data(), n, 1);
    EXPECT_EQ(ke::mutual_information_knn(xv, yv, {.threads = 1}).value.value,
              ke::mutual_information_knn(xv, yv, {.threads = 2}).value.value);
    EXPECT_EQ(ke::mutual_information_mixed(xv, labels, {.threads = 1}).value.value,
              ke::mutual_information_mixed(xv, labels, {.threads = 2}).value.value);
    const ke::mutual_information_options tested{.permutation = ke::permutation_options{.permutations = 99}};
    const auto dependent = ke::mutual_information_knn(xv, yv, tested);
    ASSERT_TRUE(dependent.test);
    EXPECT_NEAR(dependent.test->p_value, 0.01, 1e-15);  // no permutation reaches the observed value
    const auto independent = ke::mutual_information_knn(xv, nv, tested);
    EXPECT_GT(independent.test->p_value, 0.01);
    // The same seed, the same numbers on any number of threads.
    ke::mutual_information_options one = tested;
    one.permutation->threads = 1;
    EXPECT_EQ(ke::mutual_information_knn(xv, nv, one).test->p_value, independent.test->p_value);
    // The kNN estimators refuse the bootstrap (repeated rows break their counts); the discrete ones
    // give a percentile interval around their estimate.
    EXPECT_THROW(ke::mutual_information_knn(xv, yv, {.bootstrap = ke::bootstrap_options{}}), kldiv::error);
    EXPECT_THROW(ke::mutual_information_mixed(xv, labels, {.bootstrap = ke::bootstrap_options{}}), kldiv::error);
    std::vector<std::int64_t> coarse(n);
    for (std::size_t i = 0; i < n; ++i) coarse[i] = y[i] > 0.0;
    const auto discrete = ke::mutual_information_discrete(
        labels, coarse, {.bootstrap = ke::bootstrap_options{.level = 0.9, .resamples = 200}});
    EXPECT_LT(discrete.value.interval.low, discrete.value.value);
    EXPECT_GT(discrete.value.interval.high, discrete.value.value);
    EXPECT_EQ(discrete.value.interval.resamples, 200u);
    // Permutation p-values of independent data are roughly uniform: over 40 data sets at most a few
    // below 0.05 (binomial(40, 0.05): P(more than 7) < 1e-3).
    int small = 0;
    for (int trial = 0; trial < 40; ++trial) {
        std::vector<double> a(300), b(300);
        for (std::size_t i = 0; i < 300; ++i) {
            a[i] = normal(rng);
            b[i] = normal(rng);
        }
        const auto r = ke::mutual_information_knn(
            kldiv::matrix_view<const double>(a.data(), 300, 1), kldiv::matrix_view<const double>(b.data(), 300, 1),
            {.permutation = ke::permutation_options{.permutations = 99, .seed = static_cast<std::uint64_t>(trial)}});
        small += r.test->p_value <= 0.05;
    }
    EXPECT_LE(small, 7);
}

TEST(MutualInformation, ColumnsEqualThePairFunctions) {
    std::mt19937_64 rng(6);
    std::normal_distribution<double> normal;
    const std::size_t n = 2000, p = 3;
    std::vector<double> x(n * p), y(n);
    std::vector<std::int64_t> labels(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i * p] = normal(rng);
        x[i * p + 1] = normal(rng);
        x[i * p + 2] = static_cast<double>(i % 4);  // a discrete column
        y[i] = x[i * p] + 0.3 * x[i * p + 2] + normal(rng);
        labels[i] = y[i] > 0.5;
    }
    const std::vector<std::uint8_t> discrete{0, 0, 1};
    const kldiv::matrix_view<const double> xv(x.data(), n, p), yv(y.data(), n, 1);
    for (const unsigned threads : {1u, 2u}) {
        const auto continuous =
            ke::mutual_information_columns(xv, std::span<const double>(y), discrete, {.threads = threads});
        const auto classes =
            ke::mutual_information_columns(xv, std::span<const std::int64_t>(labels), discrete, {.threads = threads});
        for (std::size_t j = 0; j < 2; ++j) {
            std::vector<double> column(n);
            for (std::size_t i = 0; i < n; ++i) column[i] = x[i * p + j];
            const kldiv::matrix_view<const double> cv(column.data(), n, 1);
            EXPECT_EQ(continuous[j], ke::mutual_information_knn(cv, yv).value.value);
            EXPECT_EQ(classes[j], ke::mutual_information_mixed(cv, labels).value.value);
        }
        std::vector<std::int64_t> codes(n);
        for (std::size_t i = 0; i < n; ++i) codes[i] = static_cast<std::int64_t>(x[i * p + 2]);
        EXPECT_EQ(continuous[2], ke::mutual_information_mixed(yv, codes).value.value);
        EXPECT_EQ(classes[2], ke::mutual_information_discrete(codes, labels).value.value);
    }
}

TEST(MutualInformation, BadInputNamesTheRule) {
    const std::vector<double> x{0.1, 0.5, 0.2, 0.9}, y{1, 2, 3};
    const auto message = [](auto&& call) {
        try {
            call();
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const kldiv::matrix_view<const double> xv(x.data(), 4, 1), yv(y.data(), 3, 1);
    EXPECT_THAT(message([&] { ke::mutual_information_knn(xv, yv); }), HasSubstr("observations must be paired"));
    EXPECT_THAT(message([&] { ke::mutual_information_knn(xv, xv, {.k = 4}); }),
                HasSubstr("k = 4 with 4 observations, but k must be below the number of observations"));
    EXPECT_THAT(message([&] { ke::mutual_information_knn(xv, xv, {.k = 0}); }),
                HasSubstr("k = 0, but it must be in [1, 64]"));
    const std::vector<double> bad{0.1, NAN, 0.2, 0.9};
    EXPECT_THAT(message([&] { ke::mutual_information_knn(xv, kldiv::matrix_view<const double>(bad.data(), 4, 1)); }),
                HasSubstr("y[1, 0] = nan, but samples must be finite"));
    const std::vector<std::int64_t> once{1, 2, 3, 4};
    EXPECT_THAT(message([&] { ke::mutual_information_mixed(xv, once); }), HasSubstr("no label occurs twice"));
    const std::vector<double> negative{1, -1};
    EXPECT_THAT(
        message([&] { ke::mutual_information_counts(kldiv::matrix_view<const double>(negative.data(), 1, 2)); }),
        HasSubstr("joint_counts[0, 1] = -1, but counts must be finite and >= 0"));
    EXPECT_THAT(message([&] { ke::mutual_information_knn(xv, xv, {.bootstrap = ke::bootstrap_options{}}); }),
                HasSubstr("resampled rows repeat and break the nearest-neighbour counts"));
    const std::vector<std::int64_t> a{1, 2, 1, 2}, b{0, 0, 1, 1};
    EXPECT_THAT(message([&] {
                    ke::mutual_information_discrete(
                        a, b, {.bootstrap = ke::bootstrap_options{.method = ke::interval_method::bca}});
                }),
                HasSubstr("percentile intervals only"));
    const std::vector<std::uint8_t> wrong{1, 0};
    EXPECT_THAT(message([&] { ke::mutual_information_columns(xv, std::span<const double>(x), wrong); }),
                HasSubstr("discrete has 2 entries for 1 columns"));
    const std::vector<std::uint8_t> one{1};
    EXPECT_THAT(message([&] { ke::mutual_information_columns(xv, std::span<const double>(x), one); }),
                HasSubstr("x[0, 0] = 0.1, but a discrete column holds labels"));
}

}  // namespace
