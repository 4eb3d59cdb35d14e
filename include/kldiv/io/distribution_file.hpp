#pragma once
// Reading a discrete distribution (or counts) from a file or from inline text.
//
// Formats, chosen by content and extension:
//   .npy                NumPy array file, 1-D float32 or float64 (either byte order)
//   anything else       delimited text (CSV, TSV, or whitespace/semicolon separated): one column of
//                       numbers, one row of numbers, or two columns "label,value"; an optional
//                       header line; blank lines and lines starting with '#' are ignored
// Readers check sizes, shapes, dtypes and magic numbers before allocating; a malformed file throws
// kldiv::error naming the reader, the file, the place (line and column, or header field) and the rule.
// Values are parsed, not judged: negative or NaN entries are left for the measures to reject.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kldiv::io {

struct labeled_vector {
    std::vector<double> values;
    std::vector<std::string> labels;  // one per value, or empty when the source has no labels
};

labeled_vector read_distribution(const std::filesystem::path& path);

// "0.2,0.8" or "0.2 0.8" (commas and/or whitespace); `what` names the source in errors ("--p").
std::vector<double> parse_values(std::string_view text, std::string_view what);

}  // namespace kldiv::io
