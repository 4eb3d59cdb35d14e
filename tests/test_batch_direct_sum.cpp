// The batched measures (measure_rows) and the single-vector ones (discrete.hpp) against the direct
// definitions summed in long double — a reference that shares none of the kernels' algebra (no
// non-negative terms, no blocks, no log-sum-exp folds): every input kind × storage type × SIMD
// target × pattern of zeros × row length × temperature. Probabilities are p/Σp, log-space rows
// softmax(a/T); then
//   D(P‖Q) = Σ_{p>0} p ln(p/q) (+inf when some p > 0 has q = 0),  H(P) = −Σ_{p>0} p ln p,
//   H(P,Q) = −Σ_{p>0} p ln q,  JS_β = Σ_{p>0} β p ln(p/m) + Σ_{q>0} (1−β) q ln(q/m),  m = βp + (1−β)q.
// The stored values are exact in every storage type (multiples of 1/16 and of 1/256), so the
// reference sees the same numbers as the kernels.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kldiv/batch.hpp"
#include "kldiv/discrete.hpp"
#include "src/batch/block_kernels.hpp"
#include "tests/every_simd_target.hpp"

namespace {

using kldiv::input_kind;
using long_double = long double;

// Which events carry mass in P and in Q.
enum class zeros {
    none,            // every event in both
    in_p,            // P is 0 on some events where Q is not (masked logits of P)
    in_q,            // Q is 0 on some events where P is not: D(P‖Q) = +inf
    in_both,         // both 0 on the same events
    mixed,           // P 0 where Q is not, both 0 elsewhere; Q 0 only where P is: D(Q‖P) = +inf
    all_but_one_p,   // P has a single event, Q all
    all_but_one_q,   // Q has a single event, P all
    one_each_same,   // each has one event, the same one: P = Q
    p_in_last_block  // P only in the last 3 events (whole blocks of P without mass)
};
const zeros all_zeros[] = {zeros::none,          zeros::in_p,          zeros::in_q,
                           zeros::in_both,       zeros::mixed,         zeros::all_but_one_p,
                           zeros::all_but_one_q, zeros::one_each_same, zeros::p_in_last_block};
const char* name_of(zeros z) {
    const char* names[] = {"none",          "in_p",          "in_q",          "in_both",        "mixed",
                           "all_but_one_p", "all_but_one_q", "one_each_same", "p_in_last_block"};
    return names[static_cast<int>(z)];
}

void support(zeros z, std::size_t n, std::size_t i, bool& p, bool& q) {
    p = q = true;
    switch (z) {
        case zeros::none:
            break;
        case zeros::in_p:
            p = i % 5 != 1;
            break;
        case zeros::in_q:
            q = i % 7 != 2;
            break;
        case zeros::in_both:
            p = q = i % 3 != 0;
            break;
        case zeros::mixed:
            p = i % 5 != 1 && i % 4 != 0;
            q = i % 4 != 0;
            break;
        case zeros::all_but_one_p:
            p = i == n / 2;
            break;
        case zeros::all_but_one_q:
            q = i == n / 2;
            break;
        case zeros::one_each_same:
            p = q = i == n / 2;
            break;
        case zeros::p_in_last_block:
            p = i + 3 >= n;
            break;
    }
    if (n == 1) p = q = true;  // a single event must carry the mass
}

// Storage: exact conversion of values representable in every type used here.
template <class T>
T stored(float x);
template <>
float stored<float>(float x) {
    return x;
}
template <>
double stored<double>(float x) {
    return x;
}
template <>
kldiv::bfloat16 stored<kldiv::bfloat16>(float x) {
    return {static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(x) >> 16)};
}
template <>
kldiv::float16 stored<kldiv::float16>(float x) {
    const std::uint16_t sign = std::signbit(x) ? 0x8000 : 0;
    if (x == 0.0f) return {sign};
    if (std::isinf(x)) return {static_cast<std::uint16_t>(sign | 0x7c00)};
    int e = 0;
    const float m = std::frexp(std::fabs(x), &e);  // |x| = m·2^e, m in [1/2, 1): a normal half here
    const auto fraction = static_cast<std::uint16_t>((2.0f * m - 1.0f) * 1024.0f);
    return {static_cast<std::uint16_t>(sign | ((e - 1 + 15) << 10) | fraction)};
}

struct reference {
    long_double kl = 0, reverse = 0, js = 0, hp = 0, hq = 0, cross = 0;
};

// ln of the normalized row, from the stored values as doubles.
std::vector<long_double> log_normalized(const std::vector<double>& v, bool logs, double temperature) {
    std::vector<long_double> out(v.size());
    if (logs) {
        long_double top = -INFINITY, sum = 0;
        for (const double x : v) top = std::max(top, static_cast<long_double>(x) / temperature);
        for (const double x : v) sum += std::exp(static_cast<long_double>(x) / temperature - top);
        for (std::size_t i = 0; i < v.size(); ++i)
            out[i] = static_cast<long_double>(v[i]) / temperature - top - std::log(sum);
    } else {
        long_double sum = 0;
        for (const double x : v) sum += x;
        for (std::size_t i = 0; i < v.size(); ++i)
            out[i] = v[i] > 0 ? std::log(static_cast<long_double>(v[i]) / sum) : -INFINITY;
    }
    return out;
}

reference direct(const std::vector<long_double>& lp, const std::vector<long_double>& lq, long_double beta) {
    reference r;
    const long_double inf = INFINITY;
    for (std::size_t i = 0; i < lp.size(); ++i) {
        const long_double p = std::exp(lp[i]), q = std::exp(lq[i]);
        const bool has_p = lp[i] > -inf, has_q = lq[i] > -inf;
        if (has_p) {
            r.kl += has_q ? p * (lp[i] - lq[i]) : inf;
            r.hp -= p * lp[i];
            r.cross -= has_q ? p * lq[i] : -inf;
        }
        if (has_q) {
            r.reverse += has_p ? q * (lq[i] - lp[i]) : inf;
            r.hq -= q * lq[i];
        }
        const long_double m = beta * p + (1 - beta) * q;
        if (has_p) r.js += beta * p * (lp[i] - std::log(m));
        if (has_q) r.js += (1 - beta) * q * (lq[i] - std::log(m));
    }
    return r;
}

void expect_close(double got, long_double want, double relative, double absolute, const std::string& what) {
    EXPECT_GE(got, 0.0) << what;
    if (std::isinf(want)) {
        EXPECT_EQ(got, INFINITY) << what;
        return;
    }
    EXPECT_LE(std::fabs(static_cast<long_double>(got) - want), relative * std::fabs(want) + absolute)
        << what << ": got " << got << ", direct sum " << static_cast<double>(want);
}

const std::size_t lengths[] = {1, 2, 3, 17, 1023, 1024, 1025, 2049, 5000};

// One storage type through every kind, zero pattern, length and temperature on the current target.
template <class T>
void sweep(const std::string& type) {
    // Float-like storage in log space runs in single precision on SIMD targets (block_kernels-inl.h):
    // about 1e-6 relative; everything else in double.
    const bool single = !std::is_same_v<T, double>;
    for (const input_kind kind : {input_kind::probs, input_kind::log_probs, input_kind::logits}) {
        const bool logs = kind != input_kind::probs;
        for (const double temperature : logs ? std::vector<double>{1.0, 0.7} : std::vector<double>{1.0}) {
            for (const zeros z : all_zeros) {
                for (const std::size_t n : lengths) {
                    std::mt19937 rng(static_cast<std::uint32_t>(n * 131 + static_cast<int>(z)));
                    std::uniform_int_distribution<int> base(-64, 64), step(-8, 8), mass(0, 254);
                    std::vector<T> a(n), b(n);
                    std::vector<double> ad(n), bd(n);
                    bool mass_p = false, mass_q = false;
                    for (std::size_t i = 0; i < n; ++i) {
                        bool has_p = false, has_q = false;
                        support(z, n, i, has_p, has_q);
                        mass_p = mass_p || has_p;
                        mass_q = mass_q || has_q;
                        float x, y;
                        if (logs) {
                            const int k = base(rng);
                            x = has_p ? static_cast<float>(k) / 16 : -INFINITY;
                            y = has_q ? static_cast<float>(k + step(rng)) / 16 : -INFINITY;
                        } else {
                            const int u = mass(rng);
                            x = has_p ? static_cast<float>(1 + u) / 256 : 0.0f;
                            y = has_q ? static_cast<float>(1 + std::clamp(u + 16 * step(rng), 0, 254)) / 256 : 0.0f;
                        }
                        a[i] = stored<T>(x);
                        b[i] = stored<T>(y);
                        ad[i] = static_cast<double>(a[i]);
                        bd[i] = static_cast<double>(b[i]);
                        ASSERT_EQ(ad[i], static_cast<double>(x));
                    }
                    if (!mass_p || !mass_q) continue;  // a pattern too short for this length (an error)
                    const double beta = 0.3;
                    const reference want =
                        direct(log_normalized(ad, logs, temperature), log_normalized(bd, logs, temperature), beta);
                    double kl = 0, reverse = 0, js = 0, hp = 0, hq = 0, cross = 0;
                    kldiv::measure_rows(
                        kldiv::matrix_view<const T>(a.data(), 1, n), kldiv::matrix_view<const T>(b.data(), 1, n),
                        {{&kl, 1}, {&reverse, 1}, {&js, 1}, {&hp, 1}, {&hq, 1}, {&cross, 1}},
                        {.input = kind,
                         .temperature = temperature,
                         .measure = {.normalize = !logs || kind == input_kind::log_probs, .beta = beta}});
                    const std::string what = type + " " + kldiv::describe(kind) + " T=" + std::to_string(temperature) +
                                             " zeros=" + name_of(z) + " n=" + std::to_string(n);
                    const double rel = single && logs ? 1e-5 : 1e-12, abs = single && logs ? 1e-9 : 1e-15;
                    expect_close(kl, want.kl, rel, abs, what + " D(P||Q)");
                    expect_close(reverse, want.reverse, rel, abs, what + " D(Q||P)");
                    expect_close(hp, want.hp, rel, abs, what + " H(P)");
                    expect_close(hq, want.hq, rel, abs, what + " H(Q)");
                    expect_close(cross, want.cross, rel, abs, what + " H(P,Q)");
                    // JS is measured on the materialized rows in double (rows.cpp): 1e-12 for every type.
                    expect_close(js, want.js, 1e-12, 1e-15, what + " JS");
                }
            }
        }
    }
}

class DirectSum : public every_simd_target {};

TEST_P(DirectSum, RowsOfEveryTypeKindAndZeroPattern) {
    sweep<double>("double");
    sweep<float>("float");
    sweep<kldiv::float16>("float16");
    sweep<kldiv::bfloat16>("bfloat16");
}

KLDIV_FOR_EVERY_SIMD_TARGET(DirectSum);

// The example: float64 logits a = [0, 1, −inf, 2], b = [0.5, 0.2, 1, 1.5]; exact
// D(P‖Q) = 0.385352137166 and H(P,Q) = 1.21774772 (the direct sum on their softmax, by hand).
TEST(DirectSum, MaskedLogitOfPCountsQsMass) {
    const double a[] = {0, 1, -INFINITY, 2}, b[] = {0.5, 0.2, 1, 1.5};
    for (const input_kind kind : {input_kind::logits, input_kind::log_probs}) {
        double kl = 0, cross = 0;
        kldiv::measure_rows(kldiv::matrix_view<const double>(a, 1, 4), kldiv::matrix_view<const double>(b, 1, 4),
                            {.kl = {&kl, 1}, .cross_entropy = {&cross, 1}},
                            {.input = kind, .measure = {.normalize = kind == input_kind::log_probs}});
        EXPECT_NEAR(kl, 0.385352137166, 1e-12) << kldiv::describe(kind);
        EXPECT_NEAR(cross, 1.21774772, 1e-8) << kldiv::describe(kind);
    }
}

// p = [.5, .5 − t, t], q = [.25, .25, .5]: D(Q‖P) = .25 ln(.5) + .25 ln(.25/(.5 − t)) + .5 ln(.5/t), by
// hand in long double, for t down to a subnormal; every path that gives it.
TEST(DirectSum, ReverseDivergenceWhenPIsTinyAgainstQ) {
    for (const double t : {1e-10, 1e-20, 1e-300, 4.9e-324}) {
        const double p[] = {0.5, 0.5 - t, t}, q[] = {0.25, 0.25, 0.5};
        const long_double want = 0.25L * std::log(0.5L) + 0.25L * std::log(0.25L / (0.5L - t)) +
                                 0.5L * std::log(0.5L / static_cast<long_double>(t));
        const std::string what = "t = " + std::to_string(t);
        double reverse = 0;
        kldiv::measure_rows(kldiv::matrix_view<const double>(p, 1, 3), kldiv::matrix_view<const double>(q, 1, 3),
                            {.reverse_kl = {&reverse, 1}});
        expect_close(reverse, want, 1e-14, 0, what + " measure_rows");
        expect_close(kldiv::kl_divergence(std::span<const double>(q), std::span<const double>(p)), want, 1e-14, 0,
                     what + " kl_divergence(q, p)");
        const long_double forward = 0.5L * std::log(2.0L) + (0.5L - t) * std::log((0.5L - t) / 0.25L) +
                                    t * std::log(static_cast<long_double>(t) / 0.5L);
        expect_close(kldiv::jeffreys(std::span<const double>(p), std::span<const double>(q)), want + forward, 1e-14, 0,
                     what + " jeffreys");
    }
}

// entropy([1, 1e-17]) = −p1 ln p1 − p2 ln p2 with p1 = 1/(1 + 1e-17): the first term, 1e-17, is 2.5%
// of the total; it needs the exact sum.
TEST(DirectSum, EntropyMeasuresTheNormalizedVector) {
    const double p[] = {1.0, 1e-17};
    const long_double s = 1.0L + 1e-17L, p1 = 1.0L / s, p2 = 1e-17L / s;
    const long_double want = -p1 * std::log1p(-1e-17L / s) - p2 * std::log(p2);
    expect_close(kldiv::entropy(std::span<const double>(p), {.normalize = true}), want, 1e-14, 0, "entropy");
    double h = 0;
    kldiv::measure_rows(kldiv::matrix_view<const double>(p, 1, 2), kldiv::matrix_view<const double>(p, 1, 2),
                        {.entropy_p = {&h, 1}}, {.measure = {.normalize = true}});
    expect_close(h, want, 1e-14, 0, "measure_rows");
}

// A confident row (one logit far above the rest, as a language model's next token often is): H(P) is
// tiny and ln Σ exp(a − max) = ln(1 + R) a good part of it; R must keep its digits. Logits
// (top, 0, …, 0) over n events: R = (n − 1) e^−top and H(P) = ln(1 + R) + top·R/(1 + R), in closed
// form (the direct sum would cancel in ln p_0 itself).
TEST(DirectSum, PeakedRowsKeepTheirEntropy) {
    for (const double top : {20.0, 35.0, 60.0}) {
        std::vector<double> a(2000, 0.0);
        a[0] = top;
        const long_double rest = 1999.0L * std::exp(-static_cast<long_double>(top));
        reference want;
        want.hp = std::log1p(rest) + top * rest / (1 + rest);
        double h = 0;
        kldiv::measure_rows(kldiv::matrix_view<const double>(a.data(), 1, a.size()),
                            kldiv::matrix_view<const double>(a.data(), 1, a.size()), {.entropy_p = {&h, 1}},
                            {.input = input_kind::logits});
        expect_close(h, want.hp, 1e-12, 0, "double, top " + std::to_string(top));
        const std::vector<float> af(a.begin(), a.end());
        kldiv::measure_rows(kldiv::matrix_view<const float>(af.data(), 1, af.size()),
                            kldiv::matrix_view<const float>(af.data(), 1, af.size()), {.entropy_p = {&h, 1}},
                            {.input = input_kind::logits});
        expect_close(h, want.hp, 1e-5, 0, "float, top " + std::to_string(top));
    }
}

// Logits of any size: a = [B, B], b = [B, 0] are P = (½, ½), Q = (1/(1 + e^−B), …): D(P‖Q) = B/2 − ln 2
// (+ ln(1 + e^−B)) and JS of P = (1, e^−B…) against (½, ½); the normalizers must not absorb ln 2.
TEST(DirectSum, LogitsOfAnySizeKeepTheirDifferences) {
    for (const double big : {1e6, 1e15, 1e100}) {
        const double a[] = {big, big}, b[] = {big, 0.0};
        double kl = 0, js = 0;
        kldiv::measure_rows(kldiv::matrix_view<const double>(a, 1, 2), kldiv::matrix_view<const double>(b, 1, 2),
                            {.kl = {&kl, 1}, .js = {&js, 1}}, {.input = input_kind::logits});
        const long_double half = 0.5L, m1 = 0.75L, m2 = 0.25L;  // M = (P + Q)/2 with Q = (1, 0)
        const long_double want_js =
            half * (half * std::log(half / m1) + half * std::log(half / m2)) + half * std::log(1.0L / m1);
        expect_close(kl, static_cast<long_double>(big) / 2 - std::log(2.0L), 1e-14, 0,
                     "D(P||Q), B = " + std::to_string(big));
        expect_close(js, want_js, 1e-12, 0, "JS, B = " + std::to_string(big));
    }
}

// A subnormal probability against an event of probability 0: JS's term underflows to 0, not NaN.
TEST(DirectSum, JensenShannonOfSubnormalMassIsNotNaN) {
    const double p[] = {1.0, 5e-324}, q[] = {1.0, 0.0}, a[] = {0.0, -745.0}, b[] = {0.0, -INFINITY};
    double js = -1;
    kldiv::measure_rows(kldiv::matrix_view<const double>(p, 1, 2), kldiv::matrix_view<const double>(q, 1, 2),
                        {.js = {&js, 1}}, {.measure = {.normalize = true}});
    EXPECT_EQ(js, 0.0);
    kldiv::measure_rows(kldiv::matrix_view<const double>(a, 1, 2), kldiv::matrix_view<const double>(b, 1, 2),
                        {.js = {&js, 1}}, {.input = input_kind::logits});
    EXPECT_EQ(js, 0.0);
    EXPECT_EQ(kldiv::js_divergence(std::span<const double>(p), std::span<const double>(q), {.normalize = true}), 0.0);
}

}  // namespace
