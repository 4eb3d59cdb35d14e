// Tests for include/kldiv/io/reference_file.hpp (kldiv's reference file of next-token
// log-probabilities): round trips in each encoding within its stated bound, the stated bound on
// D(ref‖cand) computed from a decoded reference, chunk boundaries, and every way a file can be
// corrupt, truncated, newer, unfinished or mismatched. Also CRC-32C against published check
// values, and float16 rounding against every binary16 value and midpoint.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/io/reference_file.hpp"
#include "src/io/crc32c.hpp"
#include "src/io/reference_encoding.hpp"
#include "src/io/reference_layout.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::io::reference_encoding;
using kldiv::io::reference_reader;
using kldiv::io::reference_writer;
using kldiv::io::reference_writer_options;
using ::testing::HasSubstr;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr float finf = std::numeric_limits<float>::infinity();

std::string error_of(const std::function<void()>& f, const std::string& function) {
    try {
        f();
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), function) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "expected kldiv::error from " << function << ", nothing was thrown";
    return {};
}

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// ----- data -------------------------------------------------------------------------------------------

// rows × v logits, N(0, sigma²).
std::vector<float> normal_logits(std::size_t rows, std::size_t v, double sigma, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, sigma);
    std::vector<float> a(rows * v);
    for (float& x : a) x = static_cast<float>(normal(rng));
    return a;
}

std::vector<std::int32_t> some_tokens(std::size_t rows, std::size_t v, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::int32_t> t(rows);
    for (std::size_t i = 0; i < rows; ++i) t[i] = i % 7 == 3 ? -1 : static_cast<std::int32_t>(rng() % v);
    return t;
}

// The writer's normalization, as the header documents it: ℓ_j = (a_j − M) − log S, S summed in
// index order, in double.
std::vector<double> log_softmax(std::span<const float> a) {
    float max = -finf;
    for (float x : a) max = std::max(max, x);
    double sum = 0;
    for (float x : a) sum += std::exp(static_cast<double>(x) - max);
    const double log_sum = std::log(sum);
    std::vector<double> l(a.size());
    for (std::size_t j = 0; j < a.size(); ++j) l[j] = (static_cast<double>(a[j]) - max) - log_sum;
    return l;
}

// ℓ − log Σ exp(ℓ) of a float row, in double (the renormalized decoded row).
std::vector<double> renormalized(std::span<const float> a) { return log_softmax(a); }

// D(p‖q) = Σ p_j (ℓ_j − λ_j) for log-probabilities ℓ of p and λ of q (p_j = 0 terms are 0).
double kl(std::span<const double> lp, std::span<const double> lq) {
    double d = 0;
    for (std::size_t j = 0; j < lp.size(); ++j) {
        if (lp[j] != -inf) d += std::exp(lp[j]) * (lp[j] - lq[j]);
    }
    return d;
}

// ----- a private directory per test, and files in it ----------------------------------------------

class ReferenceFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "kldiv_test_reference_XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // Writes `logits` (rows × v) in batches of the given sizes (cycled), with tokens if not empty.
    fs::path write(const std::string& name, std::size_t v, reference_encoding e, const std::vector<float>& logits,
                   const std::vector<std::int32_t>& tokens, reference_writer_options o = {},
                   std::vector<std::size_t> batches = {64}) {
        o.has_tokens = !tokens.empty();
        const fs::path path = dir_ / name;
        reference_writer w(path, v, e, o);
        const std::size_t rows = logits.size() / v;
        for (std::size_t done = 0, b = 0; done < rows; ++b) {
            const std::size_t n = std::min(batches[b % batches.size()], rows - done);
            w.write_rows(std::span(logits).subspan(done * v, n * v),
                         tokens.empty() ? std::span<const std::int32_t>() : std::span(tokens).subspan(done, n), n);
            done += n;
        }
        EXPECT_EQ(w.rows_written(), rows);
        w.close();
        return path;
    }

    // Every row of `r`, read max_rows at a time (cycled).
    static std::vector<float> read_all(reference_reader& r, std::vector<std::int32_t>* tokens = nullptr,
                                       std::vector<std::size_t> max_rows = {64}) {
        std::vector<float> out(r.rows() * r.n_vocab());
        std::vector<std::int32_t> t(r.rows());
        std::size_t done = 0;
        for (std::size_t b = 0;; ++b) {
            const std::size_t m = max_rows[b % max_rows.size()];
            std::vector<float> buffer(m * r.n_vocab());
            std::vector<std::int32_t> ids(m);
            const std::size_t n = r.read_rows(buffer, ids, m);
            if (n == 0 && m > 0) break;
            std::copy_n(buffer.begin(), n * r.n_vocab(), out.begin() + static_cast<std::ptrdiff_t>(done * r.n_vocab()));
            std::copy_n(ids.begin(), n, t.begin() + static_cast<std::ptrdiff_t>(done));
            done += n;
        }
        EXPECT_EQ(done, r.rows());
        if (tokens != nullptr) *tokens = t;
        return out;
    }

    static std::string load(const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    fs::path save(const std::string& name, const std::string& bytes) {
        const fs::path path = dir_ / name;
        std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    fs::path dir_;
};

// Little-endian field access and CRC repair on file bytes, for files written wrong on purpose.
template <class T>
void put(std::string& bytes, std::size_t offset, T value) {
    kldiv::io::detail::store_le(reinterpret_cast<std::byte*>(bytes.data()) + offset, value);
}
void reseal_header(std::string& bytes, std::size_t header_size = 64) {
    put(bytes, header_size - 4, kldiv::io::detail::crc32c_extend(0, bytes_of(bytes.substr(0, header_size - 4))));
}
void reseal_chunk(std::string& bytes, std::size_t start, std::size_t size) {
    using namespace kldiv::io::detail;
    std::uint32_t crc = crc32c_extend(0, bytes_of(bytes.substr(start, chunk_at::crc)));
    crc = crc32c_extend(crc, bytes_of(bytes.substr(start + chunk_at::sections, size - chunk_at::sections)));
    put(bytes, start + chunk_at::crc, crc);
}

// ----- CRC-32C and float16 rounding ---------------------------------------------------------------------

TEST(Crc32c, PublishedCheckValues) {
    using kldiv::io::detail::crc32c_extend;
    using kldiv::io::detail::crc32c_extend_portable;
    const std::string digits = "123456789";
    std::string ascending(32, '\0');
    for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
    // The catalogue's check value, and RFC 3720 (iSCSI) appendix B.4.
    for (auto crc : {crc32c_extend, crc32c_extend_portable}) {
        EXPECT_EQ(crc(0, bytes_of(digits)), 0xE3069283u);
        EXPECT_EQ(crc(0, bytes_of(std::string(32, '\0'))), 0x8A9136AAu);
        EXPECT_EQ(crc(0, bytes_of(std::string(32, '\xff'))), 0x62A8AB43u);
        EXPECT_EQ(crc(0, bytes_of(ascending)), 0x46DD794Eu);
        EXPECT_EQ(crc(0, {}), 0u);
    }
}

TEST(Crc32c, TwinsAgreeOnEveryLengthAndAlignmentAndChain) {
    using kldiv::io::detail::crc32c_extend;
    using kldiv::io::detail::crc32c_extend_portable;
    std::mt19937 rng(7);
    std::string data(600, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    for (std::size_t offset = 0; offset < 8; ++offset) {
        for (std::size_t n = 0; n + offset <= 300; ++n) {
            const auto piece = bytes_of(data).subspan(offset, n);
            const std::uint32_t whole = crc32c_extend_portable(0, piece);
            ASSERT_EQ(crc32c_extend(0, piece), whole) << "offset " << offset << ", length " << n;
            const std::size_t cut = n / 3;
            ASSERT_EQ(crc32c_extend(crc32c_extend(0, piece.first(cut)), piece.subspan(cut)), whole);
            ASSERT_EQ(crc32c_extend_portable(crc32c_extend_portable(0, piece.first(cut)), piece.subspan(cut)), whole);
        }
    }
}

TEST(Float16, EveryValueAndEveryMidpointRoundsToNearestEven) {
    using kldiv::io::detail::to_float16;
    auto value = [](std::uint16_t bits) { return static_cast<double>(kldiv::float16{bits}); };
    for (std::uint32_t h = 0; h <= 0x7bff; ++h) {
        const auto bits = static_cast<std::uint16_t>(h);
        ASSERT_EQ(to_float16(value(bits)), bits);
        ASSERT_EQ(to_float16(-value(bits)), bits | 0x8000u);
        if (h == 0x7bff) break;
        const double lo = value(bits), hi = value(static_cast<std::uint16_t>(bits + 1));
        const double mid = (lo + hi) / 2;  // exact in double
        const std::uint16_t even = (h & 1u) == 0 ? bits : static_cast<std::uint16_t>(bits + 1);
        ASSERT_EQ(to_float16(mid), even) << "midpoint of 0x" << std::hex << h;
        ASSERT_EQ(to_float16(-mid), even | 0x8000u);
        ASSERT_EQ(to_float16(std::nextafter(mid, 0.0)), bits);
        ASSERT_EQ(to_float16(std::nextafter(mid, inf)), bits + 1);
    }
    // 65504 is the largest finite value; the midpoint to the next step (65520) is a tie that goes
    // to the even neighbour, 2^16, which overflows.
    EXPECT_EQ(to_float16(std::nextafter(65520.0, 0.0)), 0x7bffu);
    EXPECT_EQ(to_float16(65520.0), 0x7c00u);
    EXPECT_EQ(to_float16(-1e300), 0xfc00u);
    EXPECT_EQ(to_float16(-inf), 0xfc00u);
    EXPECT_TRUE(std::isnan(value(to_float16(std::nan("")))));
}

// The reader's widening gives every half's value bit for bit, against the binary16 definition
// written here; a NaN stays NaN (F16C quiets signalling NaNs, the scalar conversion keeps the
// payload: no row with a NaN is ever used); decode_row reports the first value no writer writes.
TEST(Float16, DecodingEveryHalfMatchesTheReferenceConversion) {
    std::vector<std::byte> bytes(2 * 65536);
    for (std::uint32_t h = 0; h < 65536; ++h) {
        kldiv::io::detail::store_le(bytes.data() + 2 * h, static_cast<std::uint16_t>(h));
    }
    std::vector<float> out(65536);
    const std::size_t first_bad = kldiv::io::detail::decode_row(bytes.data(), 0, reference_encoding::float16, 0, out);
    EXPECT_EQ(first_bad, 1u);  // 0x0001: the smallest positive subnormal, > 0
    for (std::uint32_t h = 0; h < 65536; ++h) {
        const std::uint32_t sign = (h & 0x8000u) << 16, exponent = h >> 10 & 31, mantissa = h & 1023;
        const double magnitude =
            exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(1024 + mantissa, int(exponent) - 25);
        if (exponent == 31 && mantissa != 0) {
            ASSERT_TRUE(std::isnan(out[h])) << std::hex << h;
            continue;
        }
        const std::uint32_t expected =
            exponent == 31 ? sign | 0x7f800000u : sign | std::bit_cast<std::uint32_t>(static_cast<float>(magnitude));
        ASSERT_EQ(std::bit_cast<std::uint32_t>(out[h]), expected) << std::hex << h;
    }
}

// ----- round trips ---------------------------------------------------------------------------------------

TEST_F(ReferenceFileTest, Float32StoresTheNormalizedRowExactly) {
    const std::size_t v = 1000, rows = 23;
    std::vector<float> logits = normal_logits(rows, v, 3.0, 1);
    logits[5] = -finf;       // a masked token
    logits[v + 7] = -1e30f;  // a token masked with a huge negative logit
    const auto tokens = some_tokens(rows, v, 2);
    reference_writer_options o;
    o.rows_per_chunk = 5;
    reference_reader r(write("f32.kref", v, reference_encoding::float32, logits, tokens, o, {4, 9}));
    EXPECT_EQ(r.n_vocab(), v);
    EXPECT_EQ(r.rows(), rows);
    EXPECT_EQ(r.encoding(), reference_encoding::float32);
    EXPECT_TRUE(r.has_tokens());
    EXPECT_EQ(r.rows_per_chunk(), 5u);
    std::vector<std::int32_t> got_tokens;
    const std::vector<float> got = read_all(r, &got_tokens, {3});
    EXPECT_EQ(got_tokens, tokens);
    for (std::size_t i = 0; i < rows; ++i) {
        const auto l = log_softmax(std::span(logits).subspan(i * v, v));
        for (std::size_t j = 0; j < v; ++j) ASSERT_EQ(got[i * v + j], static_cast<float>(l[j])) << i << ", " << j;
    }
    EXPECT_EQ(got[5], -finf);

    // The same rows given as log-probabilities (already normalized in float) come back the same
    // up to the float rounding of their renormalization.
    std::vector<float> log_probs(logits.size());
    for (std::size_t i = 0; i < rows; ++i) {
        const auto l = log_softmax(std::span(logits).subspan(i * v, v));
        for (std::size_t j = 0; j < v; ++j) log_probs[i * v + j] = static_cast<float>(l[j]);
    }
    o.input = kldiv::input_kind::log_probs;
    reference_reader r2(write("f32lp.kref", v, reference_encoding::float32, log_probs, tokens, o));
    const std::vector<float> again = read_all(r2);
    for (std::size_t k = 0; k < again.size(); ++k) {
        if (got[k] == -finf) {
            ASSERT_EQ(again[k], got[k]) << k;
        } else {
            ASSERT_NEAR(again[k], got[k], 4e-7 * std::max(1.0f, std::fabs(got[k])) + 1e-6) << k;
        }
    }
}

TEST_F(ReferenceFileTest, Float16IsWithinHalfAnUlp) {
    const std::size_t v = 32000, rows = 12;
    const std::vector<float> logits = normal_logits(rows, v, 3.0, 3);
    reference_reader r(write("f16.kref", v, reference_encoding::float16, logits, {}));
    EXPECT_FALSE(r.has_tokens());
    const auto bound = r.error_bound();
    EXPECT_EQ(bound.relative, 0x1p-11);
    EXPECT_EQ(bound.absolute, 0x1p-25);
    EXPECT_EQ(bound.dropped_mass, 0.0);
    std::vector<std::int32_t> tokens;
    const std::vector<float> got = read_all(r, &tokens);
    EXPECT_EQ(tokens, std::vector<std::int32_t>(rows, -1));
    double worst = 0;  // |error| / (relative·|ℓ| + absolute)
    for (std::size_t i = 0; i < rows; ++i) {
        const auto l = log_softmax(std::span(logits).subspan(i * v, v));
        for (std::size_t j = 0; j < v; ++j) {
            const double decoded = got[i * v + j];
            ASSERT_EQ(decoded, static_cast<double>(kldiv::float16{kldiv::io::detail::to_float16(l[j])}));
            const double allowed = std::fabs(l[j]) < 0x1p-14 ? bound.absolute : bound.relative * std::fabs(l[j]);
            ASSERT_LE(std::fabs(decoded - l[j]), allowed) << i << ", " << j;
            worst = std::max(worst, std::fabs(decoded - l[j]) / allowed);
        }
    }
    std::cout << "float16: largest error / half-ulp bound = " << worst << "\n";
    EXPECT_GT(worst, 0.9);  // the bound is reached, not loose
}

TEST_F(ReferenceFileTest, Q16IsWithinHalfAStep) {
    const std::size_t v = 32000, rows = 12;
    const std::vector<float> logits = normal_logits(rows, v, 3.0, 4);
    for (int step_log2 : {-10, -6}) {
        reference_writer_options o;
        o.q16_step_log2 = step_log2;
        reference_reader r(write("q16.kref", v, reference_encoding::q16, logits, some_tokens(rows, v, 5), o));
        const auto bound = r.error_bound();
        const double step = std::ldexp(1.0, step_log2);
        EXPECT_EQ(bound.absolute, step / 2);
        EXPECT_EQ(bound.relative, 0.0);
        EXPECT_EQ(bound.kept_range, 65534 * step);
        EXPECT_EQ(bound.dropped_mass, 0.0);  // N(0, 3²) rows span far less than 64 nats
        const std::vector<float> got = read_all(r);
        double worst = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            const auto l = log_softmax(std::span(logits).subspan(i * v, v));
            for (std::size_t j = 0; j < v; ++j) {
                const double decoded = got[i * v + j];
                ASSERT_EQ(decoded / step, std::nearbyint(decoded / step)) << "decoded values lie on the grid";
                worst = std::max(worst, std::fabs(decoded - l[j]));
            }
        }
        std::cout << "q16 step 2^" << step_log2 << ": largest |error| = " << worst << " (bound " << step / 2 << ")\n";
        EXPECT_LE(worst, step / 2);
        EXPECT_GT(worst, 0.99 * step / 2);
    }
}

// Values at most 65534 steps below the row maximum are kept, values more than 65535 steps below
// it (and −∞) decode to −∞; the mass so lost is recorded in the header.
TEST_F(ReferenceFileTest, Q16DropsOnlyValuesBelowTheFloorAndRecordsTheirMass) {
    const std::size_t v = 8;
    const double s = 0x1p-10;
    // Row 0: maximum 0 and the rest at least 64 nats below it, so that S rounds to 1, log S = 0
    // and ℓ = a exactly: the grid of the anchor 0 is the grid of the logits.
    const std::vector<float> logits = {0.0f, static_cast<float>(-65534 * s), static_cast<float>(-65534.5 * s),
                                       static_cast<float>(-65535.5 * s), -70.0f, -finf, -1e30f, -100.0f,
                                       // Row 1: an ordinary row with one token far down.
                                       1.0f, 2.0f, 0.5f, -1.0f, -80.0f, 0.0f, 1.5f, -0.5f};
    reference_writer_options o;
    reference_reader r(write("floor.kref", v, reference_encoding::q16, logits, {}, o));
    const std::vector<float> got = read_all(r);
    const auto l0 = log_softmax(std::span(logits).first(v));
    const auto l1 = log_softmax(std::span(logits).subspan(v, v));
    ASSERT_EQ(l0[0], 0.0);
    EXPECT_EQ(got[1], -65534 * s);
    EXPECT_EQ(got[2], -65534 * s);  // a tie: 65534.5 rounds to the even 65534, kept
    for (std::size_t j : {3, 4, 5, 6, 7}) EXPECT_EQ(got[j], -finf) << j;  // 65535.5 rounds to 65536
    for (std::size_t j = 0; j < v; ++j) {
        if (j != 4) {
            EXPECT_NEAR(got[v + j], l1[j], s / 2) << j;
        }
    }
    EXPECT_EQ(got[v + 4], -finf);
    const double dropped0 = std::exp(l0[3]) + std::exp(l0[4]) + std::exp(l0[7]);
    const double dropped1 = std::exp(l1[4]);
    EXPECT_DOUBLE_EQ(r.error_bound().dropped_mass, std::max(dropped0, dropped1));
}

// |D(p̂‖q) − D(p‖q)| <= η (D + √(2D)) + η² + β, η = e^{2δ}/(1 − β) − 1, on realistic rows
// (V = 32000, logits N(0, 3²)) and candidates at several distances. q16 (2 bytes a value) also
// errs less than float16 (2 bytes a value) at every distance.
TEST_F(ReferenceFileTest, KlFromTheDecodedReferenceIsWithinTheStatedBound) {
    const std::size_t v = 32000, rows = 16;
    const std::vector<float> ref = normal_logits(rows, v, 3.0, 6);
    std::vector<std::vector<double>> truth(rows);
    for (std::size_t i = 0; i < rows; ++i) truth[i] = log_softmax(std::span(ref).subspan(i * v, v));
    const std::vector<double> sigmas = {0.003, 0.03, 0.3, 1.0};
    std::map<reference_encoding, std::vector<double>> worst_relative;  // per sigma

    for (auto e : {reference_encoding::float32, reference_encoding::float16, reference_encoding::q16}) {
        reference_reader r(write("kl.kref", v, e, ref, {}));
        const std::vector<float> decoded = read_all(r);
        const auto b = r.error_bound();
        for (double sigma : sigmas) {
            const std::vector<float> noise = normal_logits(rows, v, sigma, 7);
            double worst_ratio = 0, worst_error = 0, relative = 0, mean_kl = 0;
            for (std::size_t i = 0; i < rows; ++i) {
                std::vector<float> cand(v);
                for (std::size_t j = 0; j < v; ++j) cand[j] = ref[i * v + j] + noise[i * v + j];
                const auto lq = log_softmax(cand);
                const double d = kl(truth[i], lq);
                const double d_hat = kl(renormalized(std::span(decoded).subspan(i * v, v)), lq);
                // δ: the largest error of a kept value of this row (float encodings: relative).
                double largest = 0;
                for (double x : truth[i]) largest = std::max(largest, std::fabs(x));
                const double delta = b.absolute + b.relative * largest;
                const double bound = kldiv::io::reference_kl_error_bound(d, delta, b.dropped_mass);
                ASSERT_LE(std::fabs(d_hat - d), bound) << kldiv::name(e) << ", sigma " << sigma << ", row " << i;
                worst_ratio = std::max(worst_ratio, std::fabs(d_hat - d) / bound);
                worst_error = std::max(worst_error, std::fabs(d_hat - d));
                relative = std::max(relative, std::fabs(d_hat - d) / d);
                mean_kl += d / rows;
            }
            worst_relative[e].push_back(relative);
            std::cout << kldiv::name(e) << ", candidate noise " << sigma << ": mean D = " << mean_kl
                      << " nats, largest |error| = " << worst_error << " = " << relative
                      << " D, largest |error| / bound = " << worst_ratio << "\n";
        }
    }
    for (std::size_t k = 0; k < sigmas.size(); ++k) {
        EXPECT_LT(worst_relative[reference_encoding::q16][k], worst_relative[reference_encoding::float16][k])
            << sigmas[k];
        if (sigmas[k] >= 0.03) {  // D >= 4e-4
            EXPECT_LT(worst_relative[reference_encoding::q16][k], 1e-2) << sigmas[k];
        }
    }
}

// The bound with dropped values: rows with tokens far below the floor, a candidate that keeps
// finite mass on them.
TEST_F(ReferenceFileTest, KlBoundHoldsWithDroppedValues) {
    const std::size_t v = 4000, rows = 6;
    std::vector<float> ref = normal_logits(rows, v, 3.0, 8);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < 50; ++j) ref[i * v + 13 * j] = -60.0f - static_cast<float>(j);  // max ≈ 10
    }
    reference_writer_options o;
    o.q16_step_log2 = -11;  // a 32-nat window: the low tokens fall below it
    reference_reader r(write("drop.kref", v, reference_encoding::q16, ref, {}, o));
    const auto b = r.error_bound();
    EXPECT_GT(b.dropped_mass, 0.0);
    EXPECT_LT(b.dropped_mass, 1e-20);
    const std::vector<float> decoded = read_all(r);
    const std::vector<float> noise = normal_logits(rows, v, 0.1, 9);
    for (std::size_t i = 0; i < rows; ++i) {
        const auto lp = log_softmax(std::span(ref).subspan(i * v, v));
        std::vector<float> cand(v);
        for (std::size_t j = 0; j < v; ++j) cand[j] = ref[i * v + j] + noise[i * v + j];
        const auto lq = log_softmax(cand);
        const double d = kl(lp, lq);
        const double d_hat = kl(renormalized(std::span(decoded).subspan(i * v, v)), lq);
        // The terms of the dropped tokens, which the bound adds separately.
        double dropped_terms = 0;
        for (std::size_t j = 0; j < v; ++j) {
            if (decoded[i * v + j] == -finf) dropped_terms += std::exp(lp[j]) * std::fabs(lp[j] - lq[j]);
        }
        EXPECT_GT(dropped_terms, 0.0);
        EXPECT_LE(std::fabs(d_hat - d),
                  kldiv::io::reference_kl_error_bound(d, b.absolute, b.dropped_mass) + dropped_terms);
    }
}

TEST(ReferenceKlErrorBound, FormulaAndDomain) {
    using kldiv::io::reference_kl_error_bound;
    EXPECT_EQ(reference_kl_error_bound(0.0, 0.0, 0.0), 0.0);
    const double eta = std::expm1(2 * 0x1p-11);
    EXPECT_DOUBLE_EQ(reference_kl_error_bound(0.02, 0x1p-11, 0.0), eta * (0.02 + 0.2) + eta * eta);
    EXPECT_EQ(reference_kl_error_bound(0.02, 0.0, 1.0), inf);
    EXPECT_THAT(error_of([] { reference_kl_error_bound(-1e-3, 0.0, 0.0); }, "reference_kl_error_bound"),
                HasSubstr("kl >= 0"));
}

// ----- chunks and streaming --------------------------------------------------------------------------

TEST_F(ReferenceFileTest, ChunkBoundariesOddBatchesSeekAndEmptyFiles) {
    const std::size_t v = 37, rows = 103;
    const std::vector<float> logits = normal_logits(rows, v, 2.0, 10);
    const auto tokens = some_tokens(rows, v, 11);
    for (auto e : {reference_encoding::float32, reference_encoding::float16, reference_encoding::q16}) {
        reference_writer_options o;
        o.rows_per_chunk = 10;
        const fs::path path = write("chunks.kref", v, e, logits, tokens, o, {1, 7, 13, 0, 82});
        reference_reader whole(path);
        std::vector<std::int32_t> t;
        const std::vector<float> all = read_all(whole, &t, {1000});
        EXPECT_EQ(t, tokens);
        for (const std::vector<std::size_t>& sizes : {std::vector<std::size_t>{3}, {11, 1, 29}, {10}, {1}}) {
            reference_reader r(path);
            std::vector<std::int32_t> t2;
            ASSERT_EQ(read_all(r, &t2, sizes), all) << kldiv::name(e);
            EXPECT_EQ(t2, tokens);
        }
        reference_reader r(path);
        r.seek(57);
        std::vector<float> out(20 * v);
        std::vector<std::int32_t> ids(20);
        ASSERT_EQ(r.read_rows(out, ids, 20), 20u);
        EXPECT_TRUE(std::equal(out.begin(), out.end(), all.begin() + 57 * v));
        EXPECT_TRUE(std::equal(ids.begin(), ids.end(), tokens.begin() + 57));
        EXPECT_EQ(r.position(), 77u);
        EXPECT_EQ(r.read_rows(out, {}, 0), 0u);
        r.seek(100);
        EXPECT_EQ(r.read_rows(out, {}, 20), 3u);  // the end: fewer rows than asked
        EXPECT_EQ(r.read_rows(out, {}, 20), 0u);
        EXPECT_THAT(error_of([&] { r.seek(104); }, "reference_reader"), HasSubstr("has 103 rows"));
    }
    // A multiple of the chunk size, and an empty file.
    reference_writer_options o;
    o.rows_per_chunk = 10;
    reference_reader exact(write("exact.kref", v, reference_encoding::q16,
                                 std::vector<float>(logits.begin(), logits.begin() + 100 * v), {}, o));
    EXPECT_EQ(read_all(exact, nullptr, {7}).size(), 100 * v);
    reference_reader empty(write("empty.kref", v, reference_encoding::q16, {}, {}, o));
    EXPECT_EQ(empty.rows(), 0u);
    std::vector<float> out(v);
    EXPECT_EQ(empty.read_rows(out, {}, 1), 0u);
}

TEST_F(ReferenceFileTest, DefaultChunksHoldAbout16MiB) {
    const std::size_t v = 1000;
    reference_reader r(write("default.kref", v, reference_encoding::float32, normal_logits(3, v, 1.0, 12), {}));
    EXPECT_EQ(r.rows_per_chunk(), (1u << 24) / (4 * v + 8));
}

// ----- bad files ------------------------------------------------------------------------------------------

class BadReferenceFileTest : public ReferenceFileTest {
protected:
    static constexpr std::size_t v = 50, rows = 25, per_chunk = 4;
    void SetUp() override {
        ReferenceFileTest::SetUp();
        reference_writer_options o;
        o.rows_per_chunk = per_chunk;
        good_ = load(write("good.kref", v, reference_encoding::q16, normal_logits(rows, v, 3.0, 13),
                           some_tokens(rows, v, 14), o));
        layout_ = kldiv::io::detail::layout_of_chunk(per_chunk, 2 * v, true, true);
    }
    std::size_t chunk_start(std::size_t k) const { return 64 + k * layout_.size; }
    std::string open_error(const std::string& bytes) {
        const fs::path path = save("bad.kref", bytes);
        const std::string message = error_of([&] { reference_reader r(path); }, "reference_reader");
        EXPECT_THAT(message, HasSubstr(path.string()));
        return message;
    }
    std::string read_error(const std::string& bytes) {
        const fs::path path = save("bad.kref", bytes);
        reference_reader r(path);
        return error_of([&] { read_all(r); }, "reference_reader");
    }
    std::string good_;
    kldiv::io::detail::chunk_layout layout_;
};

TEST_F(BadReferenceFileTest, TheGoodFileReads) {
    reference_reader r(save("bad.kref", good_));
    EXPECT_EQ(read_all(r).size(), rows * v);
    EXPECT_EQ(good_.size(), chunk_start(6) + kldiv::io::detail::layout_of_chunk(1, 2 * v, true, true).size);
}

TEST_F(BadReferenceFileTest, AFlippedByteInAChunkIsACrcErrorNamingTheChunk) {
    for (std::size_t offset :
         {layout_.values + 17, layout_.tokens + 1, layout_.anchors, std::size_t{5}, layout_.size - 1}) {
        std::string bytes = good_;
        bytes[chunk_start(2) + offset] ^= 0x10;
        const fs::path path = save("bad.kref", bytes);
        reference_reader r(path);
        std::vector<float> out(8 * v);
        EXPECT_EQ(r.read_rows(out, {}, 8), 8u);  // chunks 0 and 1 are sound
        const std::string message = error_of([&] { r.read_rows(out, {}, 8); }, "reference_reader");
        EXPECT_THAT(message, HasSubstr(path.string()));
        EXPECT_THAT(message, HasSubstr("chunk 2 (rows 8..11"));
        EXPECT_THAT(message, HasSubstr(offset == 5 ? "CRC-32C" : "the chunk is corrupt"));
    }
}

TEST_F(BadReferenceFileTest, AFlippedByteInTheHeaderIsACrcError) {
    std::string bytes = good_;
    bytes[25] ^= 0x01;  // n_vocab
    EXPECT_THAT(open_error(bytes), HasSubstr("the header is corrupt"));
}

TEST_F(BadReferenceFileTest, TruncatedOrExtendedFiles) {
    EXPECT_THAT(open_error(good_.substr(0, good_.size() - 1)),
                HasSubstr("truncated, it ends inside chunk 6 (rows 24..24"));
    EXPECT_THAT(open_error(good_.substr(0, chunk_start(3) + 10)),
                HasSubstr("truncated, it ends inside chunk 3 (rows 12..15"));
    EXPECT_THAT(open_error(good_.substr(0, 64)), HasSubstr("truncated, it ends inside chunk 0"));
    EXPECT_THAT(open_error(good_.substr(0, 40)), HasSubstr("the header has 64 bytes, but the file has only 40"));
    EXPECT_THAT(open_error(good_.substr(0, 10)), HasSubstr("too few for a kldiv reference file"));
    EXPECT_THAT(open_error(good_ + std::string(8, '\0')), HasSubstr("8 bytes follow the last chunk"));
}

TEST_F(BadReferenceFileTest, VersionsAndUnfinishedFiles) {
    using namespace kldiv::io::detail;
    std::string newer = good_;
    put<std::uint16_t>(newer, header_at::version_major, 2);
    EXPECT_THAT(
        open_error(newer),
        HasSubstr("format version 2.0, but this kldiv reads version 1.x (the file was written by a newer kldiv)"));

    // A newer minor version may append header fields: a 1.x reader reads on.
    std::string minor = good_.substr(0, 60);
    put<std::uint16_t>(minor, header_at::version_minor, 3);
    put<std::uint32_t>(minor, header_at::header_size, 72);
    minor += std::string(12, '\x5a');
    reseal_header(minor, 72);
    minor += good_.substr(64);
    reference_reader later(save("minor.kref", minor));
    reference_reader now(save("good.kref", good_));
    EXPECT_EQ(read_all(later), read_all(now));

    std::string unfinished = good_;
    put<std::uint64_t>(unfinished, header_at::rows, rows_unfinished);
    reseal_header(unfinished);
    EXPECT_THAT(open_error(unfinished), HasSubstr("the writer did not finish this file"));

    EXPECT_THAT(open_error("KLDIVREX" + good_.substr(8)), HasSubstr("this is not a kldiv reference file"));
    EXPECT_THAT(open_error(std::string("_logits_") + good_.substr(8)), HasSubstr("starts with '_logits_'"));
}

TEST_F(BadReferenceFileTest, HeaderFieldsThatBreakTheRules) {
    using namespace kldiv::io::detail;
    auto with = [&](auto field, std::size_t offset) {
        std::string bytes = good_;
        put(bytes, offset, field);
        reseal_header(bytes);
        return open_error(bytes);
    };
    EXPECT_THAT(with(std::uint32_t{1}, header_at::n_vocab), HasSubstr("n_vocab = 1, but it must be >= 2"));
    EXPECT_THAT(with(std::uint32_t{51}, header_at::n_vocab), HasSubstr("rows of n_vocab 51"));  // size mismatch
    EXPECT_THAT(with(std::uint32_t{7}, header_at::encoding), HasSubstr("encoding 7, but the encodings are"));
    EXPECT_THAT(with(std::uint32_t{0}, header_at::rows_per_chunk), HasSubstr("rows_per_chunk = 0"));
    EXPECT_THAT(with(std::uint32_t{0xffffffff}, header_at::rows_per_chunk), HasSubstr("at most 268435456 bytes"));
    EXPECT_THAT(with(std::uint32_t{3}, header_at::flags), HasSubstr("bits this kldiv does not know (0x00000002)"));
    EXPECT_THAT(with(std::int32_t{-30}, header_at::q16_step_log2), HasSubstr("q16_step_log2 = -30"));
    EXPECT_THAT(with(std::numeric_limits<double>::quiet_NaN(), header_at::dropped_mass),
                HasSubstr("dropped_mass = nan"));
    EXPECT_THAT(with(std::uint64_t{1} << 62, header_at::rows), HasSubstr("the file is truncated"));
    EXPECT_THAT(with(std::uint64_t{26}, header_at::rows), HasSubstr("rows 24..25"));
    // Unknown optional flags (bits 16..31) are ignored.
    std::string optional = good_;
    put(optional, header_at::flags, std::uint32_t{0x10001});
    reseal_header(optional);
    reference_reader r(save("optional.kref", optional));
    EXPECT_TRUE(r.has_tokens());
}

// Any header or chunk-header byte changed, under a valid CRC: an error or a clean read, never a
// crash, a hang or a huge allocation.
TEST_F(BadReferenceFileTest, EveryHeaderByteChangedUnderAValidCrcIsAnErrorOrReads) {
    std::size_t errors = 0, reads = 0;
    // Reads the whole file; counts a clean read, or an error whose message holds `where`.
    const auto read_or_error = [&](const std::string& bytes, const std::string& where) {
        const fs::path path = save("bad.kref", bytes);
        try {
            reference_reader r(path);
            read_all(r);
            ++reads;
        } catch (const kldiv::error& e) {
            EXPECT_THAT(e.what(), HasSubstr(where));
            ++errors;
        }
    };
    for (std::size_t offset = 8; offset < 60; ++offset) {
        for (unsigned char value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
            std::string bytes = good_;
            if (static_cast<unsigned char>(bytes[offset]) == value) continue;
            bytes[offset] = static_cast<char>(value);
            reseal_header(bytes);
            read_or_error(bytes, (dir_ / "bad.kref").string());
        }
    }
    EXPECT_GT(errors, 100u);
    EXPECT_GT(reads, 10u);  // the reserved fields, optional flags, dropped_mass, …

    // The same for the chunk header, the tokens and the anchors of chunk 1.
    errors = reads = 0;
    for (std::size_t offset = 0; offset < layout_.values + 4; ++offset) {
        if (offset == kldiv::io::detail::chunk_at::crc) offset += 4;
        std::string bytes = good_;
        bytes[chunk_start(1) + offset] ^= static_cast<char>(0xa5);
        reseal_chunk(bytes, chunk_start(1), layout_.size);
        read_or_error(bytes, "chunk 1 (rows 4..7");
    }
    EXPECT_GT(errors, 20u);
    EXPECT_GT(reads, 4u);  // the reserved field, low bytes of token ids and anchors, values
}

// Contents no writer writes, under a valid CRC (a buggy or hostile writer).
TEST_F(BadReferenceFileTest, ChunkContentsThatBreakTheRules) {
    using namespace kldiv::io::detail;
    auto with = [&](auto value, std::size_t offset) {
        std::string bytes = good_;
        put(bytes, chunk_start(1) + offset, value);
        reseal_chunk(bytes, chunk_start(1), layout_.size);
        return read_error(bytes);
    };
    EXPECT_THAT(with(std::int32_t{50}, layout_.tokens + 4),
                HasSubstr("chunk 1 (rows 4..7, bytes 520..975): row 5: next token id 50, but token ids must be -1 "
                          "(unknown) or in [0, n_vocab = 50)"));
    EXPECT_THAT(with(std::int32_t{-2}, layout_.tokens), HasSubstr("row 4: next token id -2"));
    EXPECT_THAT(with(std::uint32_t{1} << 24, layout_.anchors + 8), HasSubstr("row 6: q16 anchor 16777216"));
    EXPECT_THAT(with(std::uint32_t{3}, chunk_at::rows), HasSubstr("its chunk header says 3 rows from row 4"));
    EXPECT_THAT(with(std::uint64_t{0}, chunk_at::first_row), HasSubstr("4 rows from row 4 here"));
    std::string tag = good_;
    tag[chunk_start(1)] = 'X';
    EXPECT_THAT(read_error(tag), HasSubstr("it starts with 'XRCH', but a chunk starts with 'KRCH'"));

    // A float32 file with a positive log-probability.
    reference_writer_options o;
    o.rows_per_chunk = per_chunk;
    std::string f32 = load(write("f32.kref", v, reference_encoding::float32, normal_logits(rows, v, 3.0, 15), {}, o));
    const auto c = layout_of_chunk(per_chunk, 4 * v, false, false);
    put(f32, 64 + c.size + c.values + 4 * (v + 3), 0.25f);
    reseal_chunk(f32, 64 + c.size, c.size);
    EXPECT_THAT(
        read_error(f32),
        HasSubstr("row 5, column 3: log-probability 0.25 (float32), but stored log-probabilities must be <= 0"));
}

// ----- writing: whole or nothing, and what it refuses ---------------------------------------------

TEST_F(ReferenceFileTest, AnUnfinishedWriteLeavesNoFile) {
    const std::size_t v = 20;
    const std::vector<float> logits = normal_logits(30, v, 1.0, 16);
    const fs::path path = dir_ / "never.kref";
    {
        reference_writer w(path, v, reference_encoding::float16, {.has_tokens = false, .rows_per_chunk = 4});
        w.write_rows(logits, {}, 30);  // chunks are on disk, in the temporary
        EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
        EXPECT_FALSE(fs::exists(path));
    }  // destroyed without close(), as when an exception unwinds
    EXPECT_TRUE(fs::is_empty(dir_));

    // A bad row fails the writer: nothing more is written, and nothing appears.
    const fs::path kept = write("kept.kref", v, reference_encoding::q16, logits, {});
    const std::string before = load(kept);
    {
        reference_writer w(kept, v, reference_encoding::q16, {.has_tokens = false});
        std::vector<float> bad = logits;
        bad[2 * v + 3] = std::numeric_limits<float>::quiet_NaN();
        EXPECT_THAT(error_of([&] { w.write_rows(bad, {}, 30); }, "reference_writer"),
                    HasSubstr("row 2, column 3: logits value nan, but the values must be finite or -inf"));
        EXPECT_THAT(error_of([&] { w.write_rows(std::span(logits).first(v), {}, 1); }, "reference_writer"),
                    HasSubstr("after an earlier error"));
        EXPECT_THAT(error_of([&] { w.close(); }, "reference_writer"), HasSubstr("after an earlier error"));
    }
    EXPECT_EQ(load(kept), before);  // the old file is untouched
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(ReferenceFileTest, WriterRefusals) {
    const std::size_t v = 10;
    const fs::path path = dir_ / "w.kref";
    const std::vector<float> logits = normal_logits(3, v, 1.0, 17);
    auto refusal = [&](const std::function<void(reference_writer&)>& f, reference_writer_options o = {}) {
        reference_writer w(path, v, reference_encoding::q16, o);
        return error_of([&] { f(w); }, "reference_writer");
    };
    const std::vector<std::int32_t> ids = {1, 2, 3};
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(std::span(logits).first(25), ids, 3); }),
                HasSubstr("values holds 25 numbers, but 3 rows of n_vocab = 10 need rows × n_vocab of them"));
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(logits, std::span(ids).first(2), 3); }),
                HasSubstr("next_tokens holds 2 ids, but the file stores one per row: 3"));
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(logits, ids, 3); }, {.has_tokens = false}),
                HasSubstr("the file stores none (has_tokens = false)"));
    const std::vector<std::int32_t> out_of_range = {1, 10, 3};
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(logits, out_of_range, 3); }),
                HasSubstr("row 1: next token id 10, but token ids must be -1 (unknown) or in [0, n_vocab = 10)"));
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(logits, ids, 3); }, {.input = kldiv::input_kind::log_probs}),
                HasSubstr("row 0: the probabilities sum to 1 + "));
    std::vector<float> masked(v, -finf);
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(masked, std::span(ids).first(1), 1); }),
                HasSubstr("row 0: every value is -inf"));
    std::vector<float> plus_inf(v, 0.0f);
    plus_inf[4] = finf;
    EXPECT_THAT(refusal([&](auto& w) { w.write_rows(plus_inf, std::span(ids).first(1), 1); }),
                HasSubstr("row 0, column 4: logits value inf"));
    EXPECT_THAT(refusal([&](auto& w) {
                    w.close();
                    w.write_rows(logits, ids, 3);
                }),
                HasSubstr("write_rows after close()"));

    auto construction = [&](std::size_t n_vocab, reference_writer_options o) {
        return error_of([&] { reference_writer w(path, n_vocab, reference_encoding::q16, o); }, "reference_writer");
    };
    EXPECT_THAT(construction(1, {}), HasSubstr("n_vocab = 1, but it must be in [2, 2^32 - 1]"));
    EXPECT_THAT(construction(v, {.input = kldiv::input_kind::probs}), HasSubstr("takes logits or log-probabilities"));
    EXPECT_THAT(construction(v, {.q16_step_log2 = -3}), HasSubstr("q16_step_log2 = -3, but it must be in [-16, -4]"));
    EXPECT_THAT(construction(1u << 20, {.rows_per_chunk = 1000}),
                HasSubstr("a chunk may hold at most 268435456 bytes"));
    EXPECT_TRUE(fs::exists(path));  // the close() above committed an empty file; the others left nothing
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(ReferenceFileTest, ReaderRefusesBuffersThatDoNotFit) {
    const std::size_t v = 10;
    reference_reader r(
        write("r.kref", v, reference_encoding::float16, normal_logits(5, v, 1.0, 18), some_tokens(5, v, 19)));
    std::vector<float> out(2 * v - 1);
    std::vector<std::int32_t> ids(1);
    EXPECT_THAT(error_of([&] { r.read_rows(out, {}, 2); }, "reference_reader"),
                HasSubstr("read_rows: out holds 19 floats, but max_rows = 2 rows of n_vocab = 10 need 2 × 10"));
    out.resize(2 * v);
    EXPECT_THAT(error_of([&] { r.read_rows(out, ids, 2); }, "reference_reader"), HasSubstr("next_tokens holds 1 ids"));
    EXPECT_THAT(error_of([&] { reference_reader missing(dir_ / "missing.kref"); }, "reference_reader"),
                HasSubstr("cannot open it"));
}

TEST_F(ReferenceFileTest, AtomicOutputFilePiecesAndOverwrite) {
    const fs::path path = dir_ / "pieces.bin";
    {
        kldiv::io::atomic_output_file f(path, "test");
        f.append(bytes_of("hello, "));
        f.append(bytes_of("world"));
        f.overwrite(0, bytes_of("J"));
        EXPECT_EQ(f.size(), 12u);
        EXPECT_THAT(error_of([&] { f.overwrite(10, bytes_of("abc")); }, "test"),
                    HasSubstr("only 12 bytes are written"));
    }
    EXPECT_TRUE(fs::is_empty(dir_));  // destroyed without commit(): nothing appears
    kldiv::io::atomic_output_file f(path, "test");
    f.append(bytes_of("Jello"));
    f.commit();
    EXPECT_EQ(load(path), "Jello");
    kldiv::io::write_file_atomically(path, "whole");
    EXPECT_EQ(load(path), "whole");
}

}  // namespace
