#pragma once
// Reference profiles in files: everything a drift comparison needs of the reference (the bins and
// the reference's counts of every column, drift.hpp's profile), so that a large reference is read
// once and compared with many current tables (`kldiv drift --save-profile`, a profile given as
// REFERENCE, kldiv.drift_profile in Python).
//
// The file is JSON (UTF-8):
//   {"format": "kldiv-drift-profile", "version": 1, "rows": N,
//    "binning": {"rule": "quantile", "bin_count": 10, "resolution": 1000, "max_sample": 262144},
//    "columns": [{"name": "age", "type": "numeric", "declared": false, "continuous": true, "scale": 64,
//                 "edges": [...], "groups": [...],          (numeric)
//                 "categories": [...],                      (boolean and categorical)
//                 "counts": [...], "missing": m,
//                 "finite": f, "min": a, "max": b, "infinite": false,
//                 "sum": [hi, lo], "squares": [hi, lo]}, ...]}   (sums of the values / scale)
// Numbers are written to round-trip exactly (the shortest decimal that reads back as the same
// double), so a profile read back compares bit for bit as the profile it was written from.
//
// Reading checks everything a comparison relies on and refuses, with a kldiv::error naming the file
// and the field, anything else: not JSON, another format or version, a column without its fields,
// edges not finite or not increasing, groups that do not split the fine bins, counts of the wrong
// length or not non-negative whole numbers, a column whose counts and missing values do not add up
// to the profile's rows, a boolean column whose categories are not false and true, a repeated column
// name or category, more than max_bins bins, a file over 1 GiB.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "kldiv/drift/drift.hpp"

namespace kldiv::drift {

std::string profile_text(const profile& p);
profile parse_profile(std::string_view text, const std::string& source);

void save_profile(const profile& p, const std::filesystem::path& path);  // atomically (io/atomic_file.hpp)
profile load_profile(const std::filesystem::path& path);

// The parts' interchange, in memory (a cluster's workers send them to the client): current counts
// (count_current's, merged by merge) and reference samples (sample_reference's) as JSON texts that
// read back exactly, checked as profiles are.
std::string counts_text(const current_counts& c);
current_counts parse_counts(std::string_view text, const std::string& source);
std::string samples_text(const std::vector<column_sample>& samples);
std::vector<column_sample> parse_samples(std::string_view text, const std::string& source);

// Whether the file starts like a profile: '{' after blanks, and "kldiv-drift-profile" in its first
// kilobyte. Tables (CSV, .npy) never do.
bool is_profile_file(const std::filesystem::path& path);

}  // namespace kldiv::drift
