#pragma once
// Reading a sample — n observations of d variables, one per row — for the estimators of
// kldiv/estimate/ and `kldiv estimate`.
//
// read_samples(path):
//   .npy (or any file starting with the npy magic): a 1-D array (n observations of one variable)
//       or a 2-D array (n × d, C or Fortran order) of float16, float32 or float64, read as double.
//   anything else: delimited text, one observation per line, d numbers separated by a tab, a comma,
//       a semicolon or runs of spaces; blank lines and lines starting with '#' are skipped; the first
//       line is a header (variable names) when any of its fields is not a number; every row must
//       have the same number of fields. Numbers as read_distribution reads them: one reader, so a
//       magnitude beyond a double (1e999, -1e999) or below its smallest subnormal but not 0
//       (1e-400) is an error naming the line and column, never ±inf or 0; subnormals are read.
//   Pipes and devices are read whole first, up to 256 MiB.
// Errors throw kldiv::error with function() == "read_samples" naming the file, the line and column
// or npy field, and the rule. Values are read, not judged (NaN is left for the estimators).

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "kldiv/views.hpp"

namespace kldiv::io {

struct sample_matrix {
    std::size_t rows = 0;            // observations
    std::size_t cols = 0;            // variables
    std::vector<double> values;      // rows × cols, row-major
    std::vector<std::string> names;  // the header's variable names, or empty

    matrix_view<const double> view() const noexcept { return {values.data(), rows, cols}; }
};

sample_matrix read_samples(const std::filesystem::path& path);

}  // namespace kldiv::io
