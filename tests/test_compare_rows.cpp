// Per-position comparisons of model rows (include/kldiv/llm/compare_rows.hpp) against a direct
// long-double computation written here: KL both ways within 2e-6 relative (float rows), the actual
// token's log-probabilities within 2e-6, top-1 and top-k overlaps by a full sort, and the errors.
// Rows with floored tokens (clamped llama.cpp rows) against the coarsened KL summed here term by term
// over the kept tokens and the one tail event, and against the exact KL with the lumping bound of
// docs/formats/llama-kl-base.md.

#include <gtest/gtest.h>
#include "kldiv/error.hpp"
#include "kldiv/llm/compare_rows.hpp"

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
    EXPECT_NE(message([&] {
                  kldiv::llm::compare_rows(r.ref(), r.cand(), std::vector<std::int32_t>{0, 50, 1}, {}, out);
              }).find("next token of position 1 = 50, but it must be -1 (unknown) or in [0, 50)"),
              std::string::npos);
    rows masked = r;
    masked.b[60] = -INFINITY;  // row 1: the candidate gives token 10 no mass
    EXPECT_NE(message([&] { kldiv::llm::compare_rows(masked.ref(), masked.cand(), {}, {}, out); }).find("position 1:"),
              std::string::npos);
    // With the candidate's files: the file, its row, the position and the token.
    const std::vector<kldiv::io::source_file> files{{"cand-0.npy", 0, 1}, {"cand-1.npy", 1, 2}};
    EXPECT_NE(
        message([&] {
            kldiv::llm::compare_rows(masked.ref(), masked.cand(), {}, {.first_position = 0, .candidate_files = files},
                                     out);
        })
            .find("candidate file cand-1.npy (its row 0), position 1: gives probability 0 to token id 10, which the "
                  "reference gives probability"),
        std::string::npos);
}

// A clamped row as a llama.cpp base file decodes it: the exact log-probabilities of the logits (as
// float), those at or below the floor μ = max − 16 stored as μ.
struct clamped_row {
    std::vector<float> decoded;
    float floor = 0;
    std::vector<long double> exact;  // the exact log-probabilities
};

clamped_row clamped(const float* logits, std::size_t v) {
    clamped_row r{std::vector<float>(v), 0, log_softmax(logits, v)};
    const long double top = *std::max_element(r.exact.begin(), r.exact.end());
    r.floor = static_cast<float>(top - 16);
    for (std::size_t j = 0; j < v; ++j) r.decoded[j] = std::max(static_cast<float>(r.exact[j]), r.floor);
    return r;
}

// The coarsened pair: the tokens outside F as they are, F as one event (masses given).
long double coarse_kl(const std::vector<long double>& p, const std::vector<long double>& q,
                      const std::vector<bool>& floored, long double p_tail, long double q_tail) {
    long double kl = p_tail > 0 ? p_tail * std::log(p_tail / q_tail) : 0;
    for (std::size_t j = 0; j < p.size(); ++j) {
        if (!floored[j] && p[j] > 0) kl += p[j] * std::log(p[j] / q[j]);
    }
    return kl;
}

// Floored tokens of the reference lumped, the candidate as logits: D of the coarsened pair with
// P_F = 1 − Σ kept and Q_F = Σ_F q exactly; a floored actual token read at μ and flagged; the
// exact KL above it by at most P_F·ln(Q_F / min_F q).
TEST(CompareRows, FlooredReferenceTokensAreLumpedIntoOneEvent) {
    const std::size_t n = 4, v = 3000;
    rows r = model_rows(n, v, 0.3, 5);
    for (float& x : r.a) x *= 2.0f;  // logits spanning about 40 nats: every row is clamped
    for (std::size_t i = 0; i < n * v; ++i)
        r.b[i] = r.a[i] + 0.3f * static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
    std::vector<float> decoded(n * v), floors(n);
    std::vector<std::int32_t> tokens(n);
    std::vector<clamped_row> made;
    for (std::size_t i = 0; i < n; ++i) {
        made.push_back(clamped(r.a.data() + i * v, v));
        std::copy(made[i].decoded.begin(), made[i].decoded.end(), decoded.begin() + static_cast<std::ptrdiff_t>(i * v));
        floors[i] = made[i].floor;
        // Row 0's actual token is floored, the others' kept.
        const float* row = made[i].decoded.data();
        std::size_t x = 0;
        while ((row[x] <= made[i].floor) != (i == 0)) ++x;
        tokens[i] = static_cast<std::int32_t>(x);
    }
    std::vector<token_comparison> out(n);
    kldiv::llm::compare_rows({decoded.data(), n, v}, r.cand(), tokens, {}, out, {.reference = floors, .candidate = {}});
    for (std::size_t i = 0; i < n; ++i) {
        const clamped_row& m = made[i];
        const auto lq = log_softmax(r.b.data() + i * v, v);
        std::vector<long double> p(v), q(v);
        std::vector<bool> floored(v);
        long double kept = 0, p_upper = 0, q_tail = 0, q_least = 1, exact = 0;
        std::size_t count = 0;
        for (std::size_t j = 0; j < v; ++j) {
            floored[j] = m.decoded[j] <= m.floor;
            p[j] = std::exp(static_cast<long double>(m.decoded[j]));
            q[j] = std::exp(lq[j]);
            exact += std::exp(m.exact[j]) * (m.exact[j] - lq[j]);
            if (floored[j]) {
                p_upper += p[j];
                q_tail += q[j];
                q_least = std::min(q_least, q[j]);
                ++count;
            } else {
                kept += p[j];
            }
        }
        ASSERT_GT(count, 100u) << i;
        const long double p_tail = std::clamp(1 - kept, 0.0L, p_upper);  // the floored tokens at e^μ bound it
        std::vector<long double> normalized = p;                         // the kernels normalize the coarsened row
        for (long double& x : normalized) x /= kept + p_tail;
        const long double want = coarse_kl(normalized, q, floored, p_tail / (kept + p_tail), q_tail);
        EXPECT_NEAR(out[i].kl, static_cast<double>(want), 2e-6 * static_cast<double>(want) + 1e-12) << i;
        // Data processing: the coarsened KL is at most the exact one, and the exact one exceeds it by
        // at most P_F·ln(Q_F / min_F q) (both up to 1e-7: the kept values are the exact ones rounded
        // to float).
        EXPECT_LE(out[i].kl, static_cast<double>(exact) + 1e-7) << i;
        EXPECT_LE(static_cast<double>(exact) - out[i].kl,
                  static_cast<double>(p_tail * std::log(q_tail / q_least)) + 1e-7)
            << i;
        const auto x = static_cast<std::size_t>(tokens[i]);
        EXPECT_EQ(out[i].reference_token_floored, i == 0) << i;
        EXPECT_FALSE(out[i].candidate_token_floored);
        EXPECT_NEAR(out[i].log_p_reference, static_cast<double>(m.decoded[x]), 2e-6) << i;  // μ for row 0
        EXPECT_NEAR(out[i].log_p_candidate, static_cast<double>(lq[x]), 2e-6) << i;         // the exact value
    }
}

// Both rows clamped (a candidate given as a llama.cpp file too): F is the union of their floored
// tokens, each tail 1 − Σ of its kept values outside F; a token the candidate floors and the
// reference keeps gives no +inf.
TEST(CompareRows, FlooredTokensOfBothRowsAreLumpedTogether) {
    const std::size_t n = 3, v = 2000;
    rows r = model_rows(n, v, 1.0, 6);
    for (float& x : r.a) x *= 2.0f;
    for (float& x : r.b) x *= 2.0f;
    std::vector<float> p_rows(n * v), q_rows(n * v), p_floors(n), q_floors(n);
    std::vector<std::int32_t> tokens(n);
    std::vector<clamped_row> ps, qs;
    for (std::size_t i = 0; i < n; ++i) {
        ps.push_back(clamped(r.a.data() + i * v, v));
        qs.push_back(clamped(r.b.data() + i * v, v));
        std::copy(ps[i].decoded.begin(), ps[i].decoded.end(), p_rows.begin() + static_cast<std::ptrdiff_t>(i * v));
        std::copy(qs[i].decoded.begin(), qs[i].decoded.end(), q_rows.begin() + static_cast<std::ptrdiff_t>(i * v));
        p_floors[i] = ps[i].floor;
        q_floors[i] = qs[i].floor;
        // The actual token: one the candidate floors and the reference keeps.
        std::size_t x = 0;
        while (!(qs[i].decoded[x] <= qs[i].floor && ps[i].decoded[x] > ps[i].floor)) ++x;
        tokens[i] = static_cast<std::int32_t>(x);
    }
    std::vector<token_comparison> out(n);
    kldiv::llm::compare_rows({p_rows.data(), n, v}, {q_rows.data(), n, v}, tokens, {}, out,
                             {.reference = p_floors, .candidate = q_floors});
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<long double> p(v), q(v);
        std::vector<bool> floored(v);
        long double p_kept = 0, q_kept = 0, p_upper = 0, q_upper = 0;
        for (std::size_t j = 0; j < v; ++j) {
            floored[j] = ps[i].decoded[j] <= ps[i].floor || qs[i].decoded[j] <= qs[i].floor;
            p[j] = std::exp(static_cast<long double>(ps[i].decoded[j]));
            q[j] = std::exp(static_cast<long double>(qs[i].decoded[j]));
            (floored[j] ? p_upper : p_kept) += p[j];
            (floored[j] ? q_upper : q_kept) += q[j];
        }
        const long double p_tail = std::clamp(1 - p_kept, 0.0L, p_upper),
                          q_tail = std::clamp(1 - q_kept, 0.0L, q_upper);
        ASSERT_GT(q_tail, 0.0L) << i;
        // The kernels normalize each coarsened row.
        const long double p_total = p_kept + p_tail, q_total = q_kept + q_tail;
        for (std::size_t j = 0; j < v; ++j) {
            p[j] /= p_total;
            q[j] /= q_total;
        }
        const long double want = coarse_kl(p, q, floored, p_tail / p_total, q_tail / q_total);
        ASSERT_TRUE(std::isfinite(out[i].kl)) << i;
        EXPECT_NEAR(out[i].kl, static_cast<double>(want), 2e-6 * static_cast<double>(want) + 1e-12) << i;
        const auto x = static_cast<std::size_t>(tokens[i]);
        EXPECT_FALSE(out[i].reference_token_floored);
        EXPECT_TRUE(out[i].candidate_token_floored);
        EXPECT_NEAR(out[i].log_p_reference, static_cast<double>(ps[i].decoded[x]), 2e-6) << i;
        EXPECT_NEAR(out[i].log_p_candidate, static_cast<double>(qs[i].floor), 2e-6) << i;
    }
}

// A candidate llama.cpp row whose kept values sum to more than 1 (its floored mass below what 16 bits
// resolve) against a reference with a tail: the candidate's tail is its upper bound U (every floored
// token at e^μ), and the KL stays finite.
TEST(CompareRows, ACandidateTailBelowTheResolutionIsItsUpperBound) {
    const std::size_t v = 1500;
    rows r = model_rows(1, v, 0.3, 8);
    for (float& x : r.a) x *= 2.0f;
    for (float& x : r.b) x *= 2.0f;
    const clamped_row p = clamped(r.a.data(), v);
    clamped_row q = clamped(r.b.data(), v);
    for (float& x : q.decoded) {
        if (x > q.floor) x += 1e-3f;
    }
    std::vector<token_comparison> out(1);
    const std::vector<float> p_floor{p.floor}, q_floor{q.floor};
    kldiv::llm::compare_rows({p.decoded.data(), 1, v}, {q.decoded.data(), 1, v}, {}, {}, out,
                             {.reference = p_floor, .candidate = q_floor});
    std::vector<long double> pp(v), qq(v);
    std::vector<bool> floored(v);
    long double p_kept = 0, q_kept = 0, p_upper = 0, q_upper = 0;
    for (std::size_t j = 0; j < v; ++j) {
        floored[j] = p.decoded[j] <= p.floor || q.decoded[j] <= q.floor;
        pp[j] = std::exp(static_cast<long double>(p.decoded[j]));
        qq[j] = std::exp(static_cast<long double>(q.decoded[j]));
        (floored[j] ? p_upper : p_kept) += pp[j];
        (floored[j] ? q_upper : q_kept) += qq[j];
    }
    ASSERT_GT(q_kept, 1.0L);
    const long double p_tail = std::clamp(1 - p_kept, 0.0L, p_upper);
    ASSERT_GT(p_tail, 0.0L);
    // The kernels normalize each coarsened row: p over its kept values and tail, q over its kept values and U.
    const long double p_total = p_kept + p_tail, q_total = q_kept + q_upper;
    for (long double& x : pp) x /= p_total;
    for (long double& x : qq) x /= q_total;
    const long double want = coarse_kl(pp, qq, floored, p_tail / p_total, q_upper / q_total);
    ASSERT_TRUE(std::isfinite(out[0].kl));
    EXPECT_NEAR(out[0].kl, static_cast<double>(want), 2e-6 * static_cast<double>(want));
}

// A reference whose kept values already sum to more than 1 (its tail clamped to mass 0) against a
// candidate that puts mass on the floored tokens: D = Σ_kept p̃ ln(p̃/q), p̃ the kept values
// renormalized, q the candidate's own probabilities (so the candidate's tail counts). Needs the batch
// kernel's support term −ln Q(supp P) (DESIGN.md §3).
TEST(CompareRows, AReferenceTailOfMassZeroCountsTheCandidatesTail) {
    const std::size_t v = 1500;
    rows r = model_rows(1, v, 0.3, 7);
    for (float& x : r.a) x *= 2.0f;
    clamped_row m = clamped(r.a.data(), v);
    for (float& x : m.decoded) {
        if (x > m.floor) x += 1e-3f;  // kept values 0.1% too large: 1 − Σ kept < 0
    }
    std::vector<token_comparison> out(1);
    const std::vector<float> floors{m.floor};
    kldiv::llm::compare_rows({m.decoded.data(), 1, v}, r.cand(), {}, {}, out, {.reference = floors, .candidate = {}});
    const auto lq = log_softmax(r.b.data(), v);
    long double kept = 0, kl = 0;
    for (std::size_t j = 0; j < v; ++j) {
        if (m.decoded[j] > m.floor) kept += std::exp(static_cast<long double>(m.decoded[j]));
    }
    ASSERT_GT(kept, 1.0L);
    for (std::size_t j = 0; j < v; ++j) {
        if (m.decoded[j] <= m.floor) continue;
        const long double p = std::exp(static_cast<long double>(m.decoded[j])) / kept;
        kl += p * (std::log(p) - lq[j]);
    }
    EXPECT_NEAR(out[0].kl, static_cast<double>(kl), 2e-6 * static_cast<double>(kl));
}

}  // namespace
