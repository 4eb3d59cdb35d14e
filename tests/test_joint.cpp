// Tests of include/kldiv/joint.hpp: every measure against its definition in long double, the chain
// rules of entropy, mutual information and KL, the data-processing inequality, and bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"
#include "kldiv/joint.hpp"

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace {

using vec = std::vector<double>;
using testing::HasSubstr;

vec random_table(std::mt19937_64& rng, std::size_t n, bool zeros) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    vec t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = zeros && i % 5 == 2 ? 0.0 : u(rng) * u(rng);
    const double s = std::accumulate(t.begin(), t.end(), 0.0);
    for (double& v : t) v /= s;
    return t;
}

kldiv::matrix_view<const double> view(const vec& t, std::size_t rows, std::size_t cols) {
    return {t.data(), rows, cols};
}

long double entropy_of(const std::vector<long double>& p) {
    long double h = 0;
    for (const long double v : p) {
        if (v > 0) h -= v * std::log(v);
    }
    return h;
}

TEST(Joint, MeasuresEqualTheirDefinitionsAndTheChainRules) {
    std::mt19937_64 rng(1);
    for (int trial = 0; trial < 40; ++trial) {
        const std::size_t rows = 1 + trial % 5, cols = 1 + (trial * 3) % 7;
        const vec t = random_table(rng, rows * cols, trial % 2 == 1);
        long double total = 0;
        for (const double v : t) total += v;
        std::vector<long double> joint(rows * cols), px(rows, 0), py(cols, 0);
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) {
                joint[i * cols + j] = t[i * cols + j] / total;
                px[i] += joint[i * cols + j];
                py[j] += joint[i * cols + j];
            }
        }
        long double mi = 0, conditional = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) {
                const long double p = joint[i * cols + j];
                if (p == 0) continue;
                mi += p * std::log(p / (px[i] * py[j]));
                conditional -= p * std::log(p / px[i]);
            }
        }
        const auto m = view(t, rows, cols);
        const double hxy = kldiv::joint_entropy(m), hyx = kldiv::conditional_entropy(m),
                     i = kldiv::mutual_information(m);
        EXPECT_NEAR(hxy, static_cast<double>(entropy_of(joint)), 1e-14);
        EXPECT_NEAR(hyx, static_cast<double>(conditional), 1e-14);
        EXPECT_NEAR(i, static_cast<double>(mi), 1e-15);
        EXPECT_GE(i, 0.0);
        EXPECT_GE(hyx, 0.0);
        // H(X,Y) = H(X) + H(Y|X);  I(X;Y) = H(Y) − H(Y|X)
        EXPECT_NEAR(hxy, static_cast<double>(entropy_of(px)) + hyx, 1e-14);
        EXPECT_NEAR(i, static_cast<double>(entropy_of(py)) - hyx, 1e-14);
        // Data processing: merging Y's values never increases I(X;Y).
        if (cols > 1) {
            vec merged(rows * (cols - 1));
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t c = 0; c + 1 < cols; ++c) merged[r * (cols - 1) + c] = t[r * cols + c];
                merged[r * (cols - 1) + cols - 2] += t[r * cols + cols - 1];
            }
            EXPECT_LE(kldiv::mutual_information(view(merged, rows, cols - 1)), i * (1 + 1e-14) + 1e-30);
        }
    }
}

TEST(Joint, ConditionalMutualInformationChainRule) {
    std::mt19937_64 rng(2);
    for (int trial = 0; trial < 30; ++trial) {
        const std::size_t nx = 1 + trial % 3, ny = 2 + trial % 4, nz = 1 + trial % 5;
        const vec t = random_table(rng, nx * ny * nz, trial % 3 == 0);
        const double cmi = kldiv::conditional_mutual_information({t.data(), nx, ny, nz});
        // I(X; (Y,Z)) = I(X;Z) + I(X;Y|Z): the table as X × (Y,Z), and its X × Z margin.
        const double i_xyz = kldiv::mutual_information(view(t, nx, ny * nz));
        vec xz(nx * nz, 0.0);
        for (std::size_t i = 0; i < nx; ++i) {
            for (std::size_t j = 0; j < ny; ++j) {
                for (std::size_t l = 0; l < nz; ++l) xz[i * nz + l] += t[(i * ny + j) * nz + l];
            }
        }
        EXPECT_NEAR(i_xyz, kldiv::mutual_information(view(xz, nx, nz)) + cmi, 1e-14);
        EXPECT_GE(cmi, 0.0);
    }
    // Y = X ⊕ Z with X, Z independent fair bits: I(X;Y) = 0 but I(X;Y|Z) = ln 2.
    vec xor_table(8, 0.0);
    for (int x = 0; x < 2; ++x) {
        for (int z = 0; z < 2; ++z) xor_table[(x * 2 + (x ^ z)) * 2 + z] = 0.25;
    }
    EXPECT_NEAR(kldiv::conditional_mutual_information({xor_table.data(), 2, 2, 2}), std::log(2.0), 1e-15);
    EXPECT_NEAR(kldiv::conditional_mutual_information({xor_table.data(), 2, 2, 2}, {.base = kldiv::log_base::bits()}),
                1.0, 1e-15);
}

TEST(Joint, ConditionalKlChainRule) {
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 30; ++trial) {
        const std::size_t rows = 1 + trial % 4, cols = 2 + trial % 5;
        const vec p = random_table(rng, rows * cols, trial % 2 == 0), q = random_table(rng, rows * cols, false);
        vec px(rows, 0.0), qx(rows, 0.0);
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) {
                px[i] += p[i * cols + j];
                qx[i] += q[i * cols + j];
            }
        }
        const double whole = kldiv::kl_divergence(p, q);
        const double margin = kldiv::kl_divergence(px, qx, {.normalize = true});
        EXPECT_NEAR(whole, margin + kldiv::conditional_kl(view(p, rows, cols), view(q, rows, cols)), 1e-14);
    }
    // Known values: equal conditionals give exactly 0 whatever the margins (rows proportional in
    // binary: halved and doubled).
    const vec p{0.1, 0.3, 0.15, 0.45}, q{0.05, 0.15, 0.3, 0.9};
    EXPECT_EQ(kldiv::conditional_kl(view(p, 2, 2), view(q, 2, 2), {.normalize = true}), 0.0);
    // One row or one column: X and Y are independent, I = 0 exactly.
    EXPECT_EQ(kldiv::mutual_information(view(p, 1, 4)), 0.0);
    EXPECT_EQ(kldiv::mutual_information(view(p, 4, 1)), 0.0);
    const vec hole{0.5, 0.0, 0.25, 0.25};
    EXPECT_EQ(kldiv::conditional_kl(view(p, 2, 2), view(hole, 2, 2)), INFINITY);
    try {
        kldiv::conditional_kl(view(p, 2, 2), view(hole, 2, 2), {.on_zero = kldiv::zero_support::error});
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("p_joint[0, 1] = 0.3 > 0 where q_joint[0, 1] = 0"));
    }
}

TEST(Joint, KnownValuesAndBadInput) {
    const vec copy{0.5, 0.0, 0.0, 0.5};  // Y = X, a fair bit
    EXPECT_NEAR(kldiv::mutual_information(view(copy, 2, 2)), std::log(2.0), 1e-16);
    EXPECT_EQ(kldiv::conditional_entropy(view(copy, 2, 2)), 0.0);
    const vec counts{10, 3, 2, 8};
    EXPECT_NEAR(kldiv::mutual_information(view(counts, 2, 2), {.normalize = true}),
                kldiv::mutual_information(view(vec{10.0 / 23, 3.0 / 23, 2.0 / 23, 8.0 / 23}, 2, 2)), 1e-15);
    const auto message = [](auto&& call) {
        try {
            call();
        } catch (const kldiv::error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_THAT(message([&] { kldiv::mutual_information(view(counts, 2, 2)); }),
                HasSubstr("mutual_information: joint sums to 23, but must sum to 1"));
    EXPECT_THAT(message([&] {
                    kldiv::mutual_information(view(vec{0.5, -0.5, 1.0}, 1, 3));
                }),
                HasSubstr("joint[1] = -0.5, but probabilities must be >= 0"));
    EXPECT_THAT(message([&] { kldiv::joint_entropy(view(copy, 0, 2)); }), HasSubstr("needs at least one cell"));
    EXPECT_THAT(message([&] { kldiv::mutual_information(view(copy, 2, 2), {.on_zero = kldiv::zero_support::smooth}); }),
                HasSubstr("on_zero = smooth, but a joint table is not smoothed"));
    EXPECT_THAT(message([&] { kldiv::conditional_kl(view(copy, 2, 2), view(copy, 1, 4)); }),
                HasSubstr("both must have the same shape"));
}

}  // namespace
