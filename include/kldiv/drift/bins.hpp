#pragma once
// The bins a column of the reference and the same column of the current data are counted in. Both
// sides share them, so every measure compares like with like; they are chosen on the reference
// alone, so a reference profile fixes them once for every later comparison.
//
// Numeric columns. The report bins ("coarse") follow the binning rule:
//   quantile (the default)  B = bin_count bins of equal reference mass: interior edges at the
//                           reference values of rank ⌊i·S/B⌋, i = 1..B−1, of the sorted reference
//                           (S values; see the sample below); equal edges (ties) are merged.
//   freedman_diaconis, scott, sturges, fixed
//                           numpy.histogram_bin_edges' equal-width edges over the reference's
//                           finite range (kldiv/estimate/histogram.hpp's bin_edges), interior ones kept.
// The outer bins are open: (−∞, e₁) and [e_{B−1}, +∞), so a current value outside the reference's
// range lands in an outer bin, and −∞/+∞ in the first/last. Bins are [eᵢ, eᵢ₊₁).
// The fine bins, which KS and Wasserstein are measured on, are the union of the report edges and
// the quantile edges for `resolution` bins; every report bin is a run of fine bins.
// Reference values: when the reference has more than max_sample finite values, the quantile edges
// are those of a fixed pseudo-random sample of max_sample of its rows (row i is taken when a hash of
// i is below a threshold: the same rows on one machine and on any partitioning), so the edges are
// reference values near the quantiles rather than exact ones; the counts are always of every row.
// NaN is missing, counted apart.
//
// Categorical and boolean columns: one bin per reference category in order of first appearance,
// then one bin "new" for every current category the reference does not have. Missing values are
// counted apart.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kldiv/estimate/histogram.hpp"
#include "kldiv/io/table_file.hpp"

namespace kldiv::drift {

// One column as the drift functions read it: not owned. Numeric values are read at
// numbers[i·stride] (or floats[i·stride], float32 data read in place); categories as codes
// (io::missing_code where missing) into `categories`.
struct column_view {
    std::string_view name;
    io::column_type type = io::column_type::numeric;
    bool declared = false;  // the type was given, not inferred
    const double* numbers = nullptr;
    const float* floats = nullptr;  // instead of numbers
    std::size_t stride = 1;
    const std::uint32_t* codes = nullptr;
    std::span<const std::string> categories;

    double number(std::size_t i) const noexcept {
        return floats != nullptr ? static_cast<double>(floats[i * stride]) : numbers[i * stride];
    }
};

// A table as the drift functions read it; rows [begin, end) of every column.
struct table_view {
    std::size_t rows = 0;
    std::vector<column_view> columns;
};

table_view view_of(const io::table& t);

struct binning_options {
    estimate::binning rule = estimate::binning::quantile;  // --binning, binning=
    std::size_t bin_count = 10;                            // report bins for quantile and fixed (--bin-count)
    std::size_t resolution = 1000;                         // fine bins for KS and Wasserstein (--resolution)
    std::size_t max_sample = std::size_t{1} << 18;         // reference values the quantiles are taken from
};

// The most bins of either kind.
inline constexpr std::size_t max_bins = 1'000'000;

// Throws kldiv::error unless every option is in range (bin counts, resolution, sample).
void validate(const binning_options& opts);

struct column_bins {
    std::string name;
    io::column_type type = io::column_type::numeric;
    bool declared = false;
    // numeric: the fine bins' interior edges, increasing; fine bins = edges.size() + 1.
    std::vector<double> edges;
    // report bin j is fine bins [groups[j], groups[j + 1]); groups.front() == 0, groups.back() == fine bins.
    std::vector<std::size_t> groups;
    // categorical and boolean: the reference's categories; bins = categories.size() + 1 (the last "new").
    std::vector<std::string> categories;
    // The permutation null for this column (calibration.hpp): true when the reference sample holds at
    // least as many distinct values as half its size (continuous data, ties rare).
    bool continuous = false;
    // numeric: the power of two the values are divided by for their sums (the largest sampled
    // magnitude's), so that squares of 1e300 or 1e-300 neither overflow nor underflow.
    double scale = 1.0;

    std::size_t fine_bins() const noexcept;
    std::size_t report_bins() const noexcept { return groups.empty() ? 0 : groups.size() - 1; }
};

// One side of one column counted in shared bins. Mergeable: counts of row ranges add.
struct column_counts {
    std::vector<double> counts;  // per fine bin (numeric) or per category bin (categorical)
    double missing = 0.0;
    double min = 0.0, max = 0.0;  // the finite values' range (numeric; both 0 when there is none)
    double finite = 0.0;          // finite values (numeric)
    bool infinite = false;        // a value is ±inf
    double sum_hi = 0.0, sum_lo = 0.0, squares_hi = 0.0, squares_lo = 0.0;  // of the finite values / scale
    // categorical: the categories counted in "new" (the last bin), each with its count
    std::vector<std::string> new_categories;
    std::vector<double> new_counts;

    double total() const noexcept;               // counted (non-missing) values
    double standard_deviation() const noexcept;  // of the finite values / scale, divisor their number (numpy.std)
};

// The bins of a column, chosen on rows [begin, end) of the reference column.
column_bins make_bins(const column_view& reference, std::size_t begin, std::size_t end,
                      const binning_options& opts = {});

// make_bins in steps, for a reference held in parts (partitions of a cluster's table): each part's
// sample, merged in the parts' order, gives the bins of the whole, bit for bit.
struct column_sample {
    std::string name;
    io::column_type type = io::column_type::numeric;
    bool declared = false;
    std::vector<double> sample;  // numeric: the finite values of the sampled rows
    std::vector<double> values;  // numeric, for the freedman_diaconis, scott and sturges rules: every finite value
    double min = std::numeric_limits<double>::infinity();  // numeric, but for quantile binning: of the finite values
    double max = -std::numeric_limits<double>::infinity();
    std::vector<std::string> categories;  // categorical: the categories met, in order of first appearance
};
// Rows [begin, end) of a part whose first row is row `row_offset` of a table of `total_rows` rows
// (0: the part is the table): the rows sampled are those of the whole table.
column_sample sample_column(const column_view& column, std::size_t begin, std::size_t end,
                            const binning_options& opts = {}, std::size_t row_offset = 0, std::size_t total_rows = 0);
// The same with the sampled rows given (sampled_rows', shared by every column of a table).
std::vector<std::size_t> sampled_rows(std::size_t begin, std::size_t end, std::size_t row_offset,
                                      std::size_t total_rows, std::size_t max_sample);
column_sample sample_column(const column_view& column, std::size_t begin, std::size_t end,
                            std::span<const std::size_t> sampled, const binning_options& opts = {});
void merge(column_sample& a, const column_sample& b);  // b holds the rows after a's
column_bins bins_from(const column_sample& sample, const binning_options& opts = {});

// Counts rows [begin, end) of `column` in `bins` (the column must have the bins' type); `moments`:
// also the sums that give the standard deviation (a reference's; a current side's need not).
column_counts count(const column_bins& bins, const column_view& column, std::size_t begin, std::size_t end,
                    bool moments = true);
// Counts the rows listed (each < the column's rows).
column_counts count(const column_bins& bins, const column_view& column, std::span<const std::size_t> rows,
                    bool moments = true);

// Adds b's counts to a's (same bins).
void merge(column_counts& a, const column_counts& b);

// Report-bin counts from fine-bin counts.
std::vector<double> report_counts(const column_bins& bins, std::span<const double> fine);

// "[0.5, 1.25)", "(-inf, 0.5)", "[3, +inf)"; a category's own text; "new" for the last.
std::string bin_label(const column_bins& bins, std::size_t report_bin);

}  // namespace kldiv::drift
