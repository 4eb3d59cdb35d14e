// Tests of verify_reference (kldiv/io/reference_verification.hpp): a file written by the writer
// passes against its own input in every encoding, with the largest error it reports equal to the
// one found here in long double from the decoded rows; shifting a row's logits by a constant
// (the same distribution) passes; swapping two logits, other token ids, a missing or an extra row,
// another vocabulary fail with the row (and column) named.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/io/reference_verification.hpp"
#include "kldiv/io/row_source.hpp"
#include "tests/run_command.hpp"

namespace {

namespace fs = std::filesystem;
namespace io = kldiv::io;
using testing::HasSubstr;

constexpr std::size_t vocabulary = 200, rows = 23;

// A 2-D little-endian float32 .npy file of `n` rows of `values` (v columns).
fs::path write_npy(const fs::path& path, const std::vector<float>& values, std::size_t n, std::size_t v = vocabulary) {
    std::string header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", " + std::to_string(v) + "), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    out.put(static_cast<char>(header.size() & 0xff)).put(static_cast<char>(header.size() >> 8));
    out << header;
    out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(n * v * sizeof(float)));
    return path;
}

class ReferenceVerification : public testing::Test {
protected:
    void SetUp() override {
        std::mt19937_64 rng(5);
        std::normal_distribution<float> z;
        logits_.resize(rows * vocabulary);
        for (float& a : logits_) a = 3.0f * z(rng);
        logits_[3 * vocabulary + 17] = -std::numeric_limits<float>::infinity();  // a masked token
        logits_[8 * vocabulary + 5] = -60.0f;  // beyond q16's kept range at step 2^-10 (64 nats), not at 2^-4
        for (std::size_t i = 0; i < rows; ++i) tokens_.push_back(static_cast<std::int32_t>((7 * i) % vocabulary));
        input_ = write_npy(dir_.path() / "input.npy", logits_, rows);
    }

    fs::path write_reference(io::reference_encoding e, int step_log2 = -10) const {
        const fs::path path = dir_.path() / ("ref-" + kldiv::name(e) + ".kref");
        io::reference_writer w(path, vocabulary, e, {.rows_per_chunk = 4, .q16_step_log2 = step_log2});
        w.write_rows(logits_, tokens_, rows);
        w.close();
        return path;
    }

    io::reference_verification verify(const fs::path& input, const fs::path& reference,
                                      std::span<const std::int32_t> tokens, std::size_t buffer_bytes = 3 << 20) {
        const auto source = io::open_rows({input}, "input");
        return io::verify_reference(*source, reference, tokens, buffer_bytes);
    }

    // The message of the error verify throws, or "" if it throws none.
    std::string failure(const fs::path& input, const fs::path& reference, std::span<const std::int32_t> tokens) {
        try {
            verify(input, reference, tokens, 5 * vocabulary * 2 * sizeof(float));  // blocks of 5 rows
        } catch (const kldiv::error& e) {
            EXPECT_EQ(e.function(), "verify_reference");
            return e.what();
        }
        return "";
    }

    kldiv::test::scratch_dir dir_;
    std::vector<float> logits_;
    std::vector<std::int32_t> tokens_;
    fs::path input_;
};

TEST_F(ReferenceVerification, AFileItsWriterWrotePassesWithTheErrorFoundIndependently) {
    for (const auto& [e, step] : {std::pair{io::reference_encoding::q16, -10},
                                  {io::reference_encoding::q16, -4},
                                  {io::reference_encoding::float16, 0},
                                  {io::reference_encoding::float32, 0}}) {
        SCOPED_TRACE(kldiv::name(e) + " " + std::to_string(step));
        const fs::path file = write_reference(e, e == io::reference_encoding::q16 ? step : -10);
        // The decoded rows against log_softmax in long double.
        io::reference_reader reader(file);
        std::vector<float> decoded(rows * vocabulary);
        std::vector<std::int32_t> ids(rows);
        ASSERT_EQ(reader.read_rows(decoded, ids, rows), rows);
        long double largest = 0;
        std::uint64_t dropped = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            long double top = -INFINITY, sum = 0;
            for (std::size_t j = 0; j < vocabulary; ++j) top = std::max<long double>(top, logits_[i * vocabulary + j]);
            for (std::size_t j = 0; j < vocabulary; ++j) sum += std::exp(logits_[i * vocabulary + j] - top);
            for (std::size_t j = 0; j < vocabulary; ++j) {
                const long double l = logits_[i * vocabulary + j] - top - std::log(sum);
                const float d = decoded[i * vocabulary + j];
                if (std::isinf(d)) {
                    dropped += std::isinf(l) ? 0 : 1;
                    continue;
                }
                largest = std::max(largest, std::fabs(d - l));
            }
        }
        const io::reference_verification v = verify(input_, file, tokens_);
        EXPECT_NEAR(v.largest_error, static_cast<double>(largest), 1e-12 + 1e-9 * static_cast<double>(largest));
        EXPECT_GT(v.largest_error_to_bound, 0.0);
        EXPECT_LE(v.largest_error_to_bound, 1.0);
        EXPECT_EQ(v.dropped_values, dropped);
        EXPECT_EQ(dropped, e == io::reference_encoding::q16 && step == -10 ? 1u : 0u);
        EXPECT_EQ(v.largest_dropped_mass > 0, dropped > 0);
        // The same with blocks of one row.
        const io::reference_verification one = verify(input_, file, tokens_, 1);
        EXPECT_EQ(one.largest_error, v.largest_error);
        EXPECT_EQ(one.dropped_values, v.dropped_values);
    }
}

TEST_F(ReferenceVerification, ARowShiftedByAConstantIsTheSameDistribution) {
    const fs::path file = write_reference(io::reference_encoding::q16);
    std::vector<float> shifted = logits_;
    for (std::size_t j = 0; j < vocabulary; ++j) shifted[6 * vocabulary + j] += 4.0f;  // exact in float here
    EXPECT_EQ(failure(write_npy(dir_.path() / "shifted.npy", shifted, rows), file, tokens_), "");
}

TEST_F(ReferenceVerification, WhatDiffersIsNamed) {
    const fs::path file = write_reference(io::reference_encoding::q16);
    std::vector<float> swapped = logits_;
    std::swap(swapped[11 * vocabulary + 30], swapped[11 * vocabulary + 31]);
    ASSERT_GT(std::fabs(swapped[11 * vocabulary + 30] - swapped[11 * vocabulary + 31]), 0.01f);
    EXPECT_THAT(failure(write_npy(dir_.path() / "swapped.npy", swapped, rows), file, tokens_),
                HasSubstr("verify_reference: row 11: column 30: ℓ = "));

    std::vector<std::int32_t> other = tokens_;
    other[9] = 1;
    EXPECT_EQ(failure(input_, file, other), "verify_reference: row 9: next token 1 is stored as 63");
    // Without ids given, those the input carries: a .npy carries none.
    EXPECT_EQ(failure(input_, file, {}),
              "verify_reference: the file holds next-token ids, but none are given and the "
              "input carries none: give the ids it was written with");
    std::vector<float> bad = logits_;
    bad[4 * vocabulary + 9] = std::numeric_limits<float>::infinity();
    EXPECT_EQ(failure(write_npy(dir_.path() / "inf.npy", bad, rows), file, tokens_),
              "verify_reference: row 4: column 9: the input holds inf, but a reference file is written from finite "
              "values or -inf");
    bad[4 * vocabulary + 9] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THAT(failure(write_npy(dir_.path() / "nan.npy", bad, rows), file, tokens_),
                HasSubstr("row 4: column 9: the input holds nan"));
    std::fill_n(bad.begin() + 4 * vocabulary, vocabulary, -std::numeric_limits<float>::infinity());
    EXPECT_EQ(failure(write_npy(dir_.path() / "masked.npy", bad, rows), file, tokens_),
              "verify_reference: row 4: every value of the input's row is -inf: it is no distribution");
    EXPECT_EQ(failure(input_, file, std::span(tokens_).first(rows - 1)),
              "verify_reference: 22 token ids are given, but the input has 23 rows: one per row (-1: unknown)");

    std::vector<float> more = logits_;
    more.insert(more.end(), logits_.begin(), logits_.begin() + 2 * vocabulary);
    std::vector<std::int32_t> more_tokens = tokens_;
    more_tokens.insert(more_tokens.end(), {0, 7});
    EXPECT_EQ(failure(write_npy(dir_.path() / "more.npy", more, rows + 2), file, more_tokens),
              "verify_reference: row 20: the file ends before the input does");
    EXPECT_EQ(
        failure(write_npy(dir_.path() / "fewer.npy", logits_, rows - 3), file, std::span(tokens_).first(rows - 3)),
        "verify_reference: row 20: the file holds 23 rows, but the input 20");
    // A llama.cpp base file (written by llama-perplexity) stores floored values: no reference file
    // is written from it, and none is checked against it.
    const auto floored = io::open_rows({fs::path(KLDIV_LLAMA_CPP_FIXTURE) / "reference.kld"}, "input");
    try {
        io::verify_reference(*floored, file, {});
        ADD_FAILURE() << "a floored input was accepted";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("verify_reference: the input is a llama.cpp KL base file, whose rows hold "
                                        "floored values"));
    }
    const std::vector<float> narrow(rows * 100, 0.5f);
    EXPECT_EQ(failure(write_npy(dir_.path() / "narrow.npy", narrow, rows, 100), file, tokens_),
              "verify_reference: the file's vocabulary is 200 tokens, but the input's is 100");
}

}  // namespace
