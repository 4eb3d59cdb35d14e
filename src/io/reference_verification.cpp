// verify_reference: a reference file read back against its input (kldiv/io/reference_verification.hpp).
#include "kldiv/io/reference_verification.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/reference_file.hpp"
#include "src/common/format.hpp"

namespace kldiv::io {

namespace {

std::string text(double x) { return kldiv::detail::to_text(x); }

}  // namespace

reference_verification verify_reference(row_source& input, const std::filesystem::path& reference,
                                        std::span<const std::int32_t> tokens, std::size_t buffer_bytes) {
    constexpr const char* function = "verify_reference";
    if (input.has_floors()) {
        throw error(function, "the input is a " + input.format() +
                                  " file, whose rows hold floored values: no reference file is written from it");
    }
    reference_reader reader(reference);
    const std::size_t v = input.vocabulary();
    if (reader.n_vocab() != v) {
        throw error(function, "the file's vocabulary is " + std::to_string(reader.n_vocab()) +
                                  " tokens, but the input's is " + std::to_string(v));
    }
    if (!tokens.empty() && tokens.size() != input.rows()) {
        throw error(function, std::to_string(tokens.size()) + " token ids are given, but the input has " +
                                  std::to_string(input.rows()) + " rows: one per row (-1: unknown)");
    }
    if (reader.has_tokens() && tokens.empty() && !input.carries_tokens()) {
        throw error(function,
                    "the file holds next-token ids, but none are given and the input carries none: give "
                    "the ids it was written with");
    }
    const reference_error_bound bound = reader.error_bound();
    const std::size_t block_rows = static_cast<std::size_t>(
        std::max<std::uint64_t>(1, std::min<std::uint64_t>(buffer_bytes / (2 * v * sizeof(float)), input.rows())));
    std::vector<float> in(block_rows * v), decoded(block_rows * v);
    const bool check_tokens = reader.has_tokens();
    const bool carried_tokens = check_tokens && tokens.empty() && input.carries_tokens();
    std::vector<std::int32_t> carried(carried_tokens ? block_rows : 0), stored(check_tokens ? block_rows : 0);
    reference_verification found;
    std::uint64_t done = 0;
    const auto fail = [&](std::uint64_t row, const std::string& what) {
        throw error(function, "row " + std::to_string(row) + ": " + what);
    };
    while (const std::size_t n = input.read(in, carried, {}, block_rows)) {
        if (reader.read_rows(decoded, stored, n) != n) fail(done, "the file ends before the input does");
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t row = done + i;
            const std::int32_t want = !tokens.empty() ? tokens[row] : carried_tokens ? carried[i] : -1;
            if (check_tokens && stored[i] != want) {
                fail(row, "next token " + std::to_string(want) + " is stored as " + std::to_string(stored[i]));
            }
            const std::span<const float> a(in.data() + i * v, v), decoded_row(decoded.data() + i * v, v);
            for (std::size_t j = 0; j < v; ++j) {
                if (std::isnan(a[j]) || a[j] == std::numeric_limits<float>::infinity()) {
                    fail(row, "column " + std::to_string(j) + ": the input holds " + text(a[j]) +
                                  ", but a reference file is written from finite values or -inf");
                }
            }
            const double top = *std::max_element(a.begin(), a.end());
            if (std::isinf(top)) fail(row, "every value of the input's row is -inf: it is no distribution");
            double sum = 0;
            for (const float value : a) sum += std::exp(value - top);
            const double log_sum = std::log(sum);
            double dropped_mass = 0;
            for (std::size_t j = 0; j < v; ++j) {
                const double l = (a[j] - top) - log_sum;
                const float d = decoded_row[j];
                // d <= 0 or -inf: the reader refuses a decoded NaN or positive value (+inf included).
                if (std::isinf(l) || std::isinf(d)) {
                    if (std::isinf(l) && !std::isinf(d))
                        fail(row, "column " + std::to_string(j) + ": -inf decodes to " + text(d));
                    if (std::isinf(l)) continue;
                    if (top - a[j] > bound.kept_range) {
                        ++found.dropped_values;
                        dropped_mass += std::exp(l);
                        continue;
                    }
                    fail(row, "column " + std::to_string(j) + ": ℓ = " + text(l) + " lies " + text(top - a[j]) +
                                  " nats below the row's maximum, within the kept range of " + text(bound.kept_range) +
                                  ", but decodes to -inf");
                }
                const double off = std::fabs(d - l),
                             allowed = (bound.absolute + bound.relative * std::fabs(l)) * (1 + 1e-12);
                if (!(off <= allowed)) {
                    fail(row, "column " + std::to_string(j) + ": ℓ = " + text(l) + " decodes to " + text(d) + ", " +
                                  text(off) + " off, but the encoding's bound is " + text(allowed));
                }
                found.largest_error = std::max(found.largest_error, off);
                found.largest_error_to_bound = std::max(found.largest_error_to_bound, off / allowed);
            }
            found.largest_dropped_mass = std::max(found.largest_dropped_mass, dropped_mass);
        }
        done += n;
    }
    if (done != reader.rows()) {
        fail(done, "the file holds " + std::to_string(reader.rows()) + " rows, but the input " + std::to_string(done));
    }
    return found;
}

}  // namespace kldiv::io
