#include "kldiv/drift/bins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "kldiv/error.hpp"
#include "kldiv/names.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"

namespace kldiv::drift {
namespace {

constexpr const char* function = "drift";

// splitmix64's finalizer: the hash that picks the sampled rows.
std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

bool categorical(io::column_type t) noexcept { return t != io::column_type::numeric; }

// Rows whose hash is below this are sampled: all of them when the table has at most max_sample rows.
std::uint64_t sample_threshold(std::size_t rows, std::size_t max_sample) noexcept {
    if (rows <= max_sample) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(static_cast<double>(max_sample) / static_cast<double>(rows) * 0x1p64);
}

bool needs_every_value(estimate::binning rule) noexcept {
    return rule != estimate::binning::quantile && rule != estimate::binning::fixed;
}

// Interior edges at the sample values of rank ⌊i·S/B⌋, i = 1..B−1.
void add_quantile_edges(const std::vector<double>& sorted, std::size_t bins, std::vector<double>& edges) {
    const std::size_t s = sorted.size();
    for (std::size_t i = 1; i < bins; ++i) {
        const std::size_t rank = i * (s / bins) + i * (s % bins) / bins;  // ⌊i·s/bins⌋ without overflow
        edges.push_back(sorted[std::min(rank, s - 1)]);
    }
}

void check_options(const binning_options& opts) {
    const bool counted = opts.rule == estimate::binning::quantile || opts.rule == estimate::binning::fixed;
    if (counted && (opts.bin_count == 0 || opts.bin_count > max_bins)) {
        throw error(function, "bin_count = " + std::to_string(opts.bin_count) + ", but the " + name(opts.rule, '-') +
                                  " binning needs 1 to " + std::to_string(max_bins) + " bins");
    }
    if (opts.resolution == 0 || opts.resolution > max_bins) {
        throw error(function, "resolution = " + std::to_string(opts.resolution) + ", but it must be 1 to " +
                                  std::to_string(max_bins) + " fine bins");
    }
    if (opts.max_sample < 1) throw error(function, "max_sample = 0, but the quantiles need at least one value");
}

void numeric_bins(column_bins& b, std::vector<double> sample, const column_sample& from, const binning_options& opts) {
    std::sort(sample.begin(), sample.end());
    std::vector<double> report;
    if (!sample.empty()) {
        if (opts.rule == estimate::binning::quantile) {
            add_quantile_edges(sample, opts.bin_count, report);
        } else {
            const bool counted = opts.rule == estimate::binning::fixed;
            const std::vector<double> all =
                estimate::bin_edges(counted ? std::vector<double>{from.min, from.max} : from.values, opts.rule,
                                    counted ? opts.bin_count : 0);
            if (all.size() - 1 > max_bins) {
                throw error(function, "column " + from.name + ": the " + name(opts.rule, '-') + " rule gives " +
                                          std::to_string(all.size() - 1) + " bins, but at most " +
                                          std::to_string(max_bins) + " are allowed");
            }
            report.assign(all.begin() + 1, all.end() - 1);
        }
    }
    report.erase(std::unique(report.begin(), report.end()), report.end());
    b.edges = report;
    if (!sample.empty()) add_quantile_edges(sample, opts.resolution, b.edges);
    std::sort(b.edges.begin(), b.edges.end());
    b.edges.erase(std::unique(b.edges.begin(), b.edges.end()), b.edges.end());
    b.groups.assign(1, 0);
    for (const double e : report) {
        const auto at = std::lower_bound(b.edges.begin(), b.edges.end(), e) - b.edges.begin();
        b.groups.push_back(static_cast<std::size_t>(at) + 1);
    }
    b.groups.push_back(b.edges.size() + 1);
    std::size_t unique_values = sample.empty() ? 0 : 1;
    for (std::size_t i = 1; i < sample.size(); ++i) unique_values += sample[i] != sample[i - 1];
    b.continuous = 2 * unique_values >= sample.size();
}

// Adds x to a double-double accumulator held as hi + lo (two-sum; the error kept in lo).
// hi + lo as the pair whose hi is their rounded sum (so that sums added in any order agree in hi).
void normalize(double& hi, double& lo) noexcept {
    const detail::double_double s = detail::exact_difference(hi, -lo);
    hi = s.hi;
    lo = s.lo;
}

void accumulate(double& hi, double& lo, double x) noexcept {
    const detail::double_double s = detail::exact_difference(hi, -x);
    hi = s.hi;
    lo += s.lo;
}

std::string number_text(double x) {
    if (std::isinf(x)) return x > 0 ? "+inf" : "-inf";
    return detail::to_text(x);
}

// The fine bin of each of n values: the number of edges <= v, by a branchless binary search whose
// steps depend only on the number of edges, run for `lanes` values side by side so that their loads
// overlap. NaN goes to bin 0 (the caller counts it as missing instead).
constexpr std::size_t lanes = 16;

inline void find_bins(const double* edges, std::size_t n_edges, const double* v, std::size_t* bin) noexcept {
    std::size_t lo[lanes] = {};
    for (std::size_t len = n_edges; len > 1;) {
        const std::size_t half = len / 2;
        for (std::size_t j = 0; j < lanes; ++j) lo[j] += edges[lo[j] + half - 1] <= v[j] ? half : 0;
        len -= half;
    }
    for (std::size_t j = 0; j < lanes; ++j) bin[j] = lo[j] + (n_edges > 0 && edges[lo[j]] <= v[j] ? 1 : 0);
}

// Counts numeric values (double or float, read at values[i·stride]) of the rows `rows` hands over.
template <class T, class Rows>
void count_numeric(const column_bins& bins, const T* values, std::size_t stride, Rows&& rows, bool moments,
                   column_counts& out) {
    const double* edges = bins.edges.data();
    const std::size_t n_edges = bins.edges.size();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    double v[lanes];
    std::size_t bin[lanes], filled = 0;
    auto flush = [&](std::size_t n) {
        for (std::size_t j = n; j < lanes; ++j) v[j] = 0.0;  // the unused lanes search too
        find_bins(edges, n_edges, v, bin);
        for (std::size_t j = 0; j < n; ++j) {
            const double x = v[j];
            if (std::isnan(x)) {
                out.missing += 1.0;
                continue;
            }
            out.counts[bin[j]] += 1.0;
            if (std::isinf(x)) {
                out.infinite = true;
                continue;
            }
            out.finite += 1.0;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
            if (moments) {
                accumulate(out.sum_hi, out.sum_lo, x);
                const double square = x * x;
                accumulate(out.squares_hi, out.squares_lo, square);
                out.squares_lo += std::fma(x, x, -square);
            }
        }
    };
    rows([&](std::size_t i) {
        v[filled++] = static_cast<double>(values[i * stride]);
        if (filled == lanes) {
            flush(lanes);
            filled = 0;
        }
    });
    if (filled > 0) flush(filled);
    if (out.finite > 0.0) {
        out.min = lo;
        out.max = hi;
    }
}

// Counts the rows that rows(visit) hands to visit, one index at a time.
template <class Rows>
column_counts count_rows(const column_bins& bins, const column_view& column, Rows&& rows, bool moments) {
    column_counts out;
    out.counts.assign(bins.fine_bins(), 0.0);
    if (categorical(bins.type)) {
        // Each of the column's categories to its bin: the reference's position, or "new".
        std::unordered_map<std::string_view, std::size_t> position;
        for (std::size_t k = 0; k < bins.categories.size(); ++k) position.emplace(bins.categories[k], k);
        const std::size_t fresh = bins.categories.size();
        std::vector<std::size_t> bin_of(column.categories.size());
        std::vector<double> per_category(column.categories.size(), 0.0);
        for (std::size_t k = 0; k < column.categories.size(); ++k) {
            const auto it = position.find(column.categories[k]);
            bin_of[k] = it == position.end() ? fresh : it->second;
        }
        rows([&](std::size_t i) {
            const std::uint32_t code = column.codes[i];
            if (code == io::missing_code) {
                out.missing += 1.0;
            } else {
                out.counts[bin_of[code]] += 1.0;
                per_category[code] += 1.0;
            }
        });
        for (std::size_t k = 0; k < column.categories.size(); ++k) {
            if (bin_of[k] == fresh && per_category[k] > 0.0) {
                out.new_categories.push_back(column.categories[k]);
                out.new_counts.push_back(per_category[k]);
            }
        }
        return out;
    }
    if (column.floats != nullptr) {
        count_numeric(bins, column.floats, column.stride, rows, moments, out);
    } else {
        count_numeric(bins, column.numbers, column.stride, rows, moments, out);
    }
    normalize(out.sum_hi, out.sum_lo);
    normalize(out.squares_hi, out.squares_lo);
    return out;
}

}  // namespace

table_view view_of(const io::table& t) {
    table_view v;
    v.rows = t.rows;
    v.columns.reserve(t.columns.size());
    for (const io::table_column& c : t.columns) {
        column_view cv;
        cv.name = c.name;
        cv.type = c.type;
        cv.declared = c.declared;
        if (categorical(c.type)) {
            cv.codes = c.codes.data();
            cv.categories = c.categories;
        } else {
            cv.numbers = c.numbers.data();
        }
        v.columns.push_back(cv);
    }
    return v;
}

std::size_t column_bins::fine_bins() const noexcept {
    return categorical(type) ? categories.size() + 1 : edges.size() + 1;
}

double column_counts::total() const noexcept {
    double t = 0.0;
    for (const double c : counts) t += c;
    return t;
}

double column_counts::standard_deviation() const noexcept {
    if (finite == 0.0) return 0.0;
    // Mean and mean square in double-double; their difference cancels only to the extent that the
    // values are far from 0 compared with their spread (mean/σ up to about 1e8 keeps 1e-16).
    const detail::double_double sum{sum_hi, sum_lo}, squares{squares_hi, squares_lo}, n{finite, 0.0};
    const detail::double_double mean = detail::divide(sum, n), mean_square = detail::divide(squares, n);
    // mean² in double-double: hi² exactly by fma, plus the cross term.
    const double m2_hi = mean.hi * mean.hi;
    const double m2_lo = std::fma(mean.hi, mean.hi, -m2_hi) + 2.0 * mean.hi * mean.lo;
    const detail::double_double d = detail::exact_difference(mean_square.hi, m2_hi);
    const double variance = d.hi + (d.lo + mean_square.lo - m2_lo);
    return variance > 0.0 ? std::sqrt(variance) : 0.0;
}

column_sample sample_column(const column_view& c, std::size_t begin, std::size_t end, const binning_options& opts,
                            std::size_t row_offset, std::size_t total_rows) {
    check_options(opts);
    column_sample out;
    out.name = c.name;
    out.type = c.type;
    out.declared = c.declared;
    if (categorical(c.type)) {
        if (c.type == io::column_type::boolean) {
            out.categories.assign(c.categories.begin(), c.categories.end());
            return out;
        }
        std::vector<char> seen(c.categories.size(), 0);
        for (std::size_t i = begin; i < end; ++i) {
            const std::uint32_t code = c.codes[i];
            if (code == io::missing_code || seen[code]) continue;
            seen[code] = 1;
            out.categories.push_back(c.categories[code]);
        }
        return out;
    }
    const std::uint64_t threshold = sample_threshold(total_rows != 0 ? total_rows : end - begin, opts.max_sample);
    const bool every = needs_every_value(opts.rule);
    for (std::size_t i = begin; i < end; ++i) {
        const double v = c.number(i);
        if (!std::isfinite(v)) continue;
        out.min = std::min(out.min, v);
        out.max = std::max(out.max, v);
        if (every) out.values.push_back(v);
        if (threshold == std::numeric_limits<std::uint64_t>::max() || mix(row_offset + (i - begin)) < threshold) {
            out.sample.push_back(v);
        }
    }
    return out;
}

void merge(column_sample& a, const column_sample& b) {
    a.sample.insert(a.sample.end(), b.sample.begin(), b.sample.end());
    a.values.insert(a.values.end(), b.values.begin(), b.values.end());
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
    for (const std::string& c : b.categories) {
        if (std::find(a.categories.begin(), a.categories.end(), c) == a.categories.end()) a.categories.push_back(c);
    }
}

column_bins bins_from(const column_sample& s, const binning_options& opts) {
    check_options(opts);
    column_bins b;
    b.name = s.name;
    b.type = s.type;
    b.declared = s.declared;
    if (categorical(s.type)) {
        b.categories = s.categories;
        const std::size_t bins = b.categories.size() + 1;
        b.groups.resize(bins + 1);
        for (std::size_t j = 0; j <= bins; ++j) b.groups[j] = j;
    } else {
        numeric_bins(b, s.sample, s, opts);
    }
    return b;
}

column_bins make_bins(const column_view& reference, std::size_t begin, std::size_t end, const binning_options& opts) {
    return bins_from(sample_column(reference, begin, end, opts), opts);
}

column_counts count(const column_bins& bins, const column_view& column, std::size_t begin, std::size_t end,
                    bool moments) {
    return count_rows(
        bins, column,
        [&](auto&& visit) {
            for (std::size_t i = begin; i < end; ++i) visit(i);
        },
        moments);
}

column_counts count(const column_bins& bins, const column_view& column, std::span<const std::size_t> rows,
                    bool moments) {
    return count_rows(
        bins, column,
        [&](auto&& visit) {
            for (const std::size_t i : rows) visit(i);
        },
        moments);
}

void merge(column_counts& a, const column_counts& b) {
    for (std::size_t k = 0; k < a.counts.size() && k < b.counts.size(); ++k) a.counts[k] += b.counts[k];
    a.missing += b.missing;
    if (b.finite > 0.0) {
        a.min = a.finite > 0.0 ? std::min(a.min, b.min) : b.min;
        a.max = a.finite > 0.0 ? std::max(a.max, b.max) : b.max;
    }
    a.finite += b.finite;
    a.infinite = a.infinite || b.infinite;
    accumulate(a.sum_hi, a.sum_lo, b.sum_hi);
    a.sum_lo += b.sum_lo;
    accumulate(a.squares_hi, a.squares_lo, b.squares_hi);
    a.squares_lo += b.squares_lo;
    normalize(a.sum_hi, a.sum_lo);
    normalize(a.squares_hi, a.squares_lo);
    for (std::size_t k = 0; k < b.new_categories.size(); ++k) {
        const auto it = std::find(a.new_categories.begin(), a.new_categories.end(), b.new_categories[k]);
        if (it == a.new_categories.end()) {
            a.new_categories.push_back(b.new_categories[k]);
            a.new_counts.push_back(b.new_counts[k]);
        } else {
            a.new_counts[static_cast<std::size_t>(it - a.new_categories.begin())] += b.new_counts[k];
        }
    }
}

std::vector<double> report_counts(const column_bins& bins, std::span<const double> fine) {
    std::vector<double> out(bins.report_bins(), 0.0);
    for (std::size_t j = 0; j < out.size(); ++j) {
        for (std::size_t k = bins.groups[j]; k < bins.groups[j + 1]; ++k) out[j] += fine[k];
    }
    return out;
}

std::string bin_label(const column_bins& bins, std::size_t j) {
    if (categorical(bins.type)) return j < bins.categories.size() ? bins.categories[j] : "new";
    const std::size_t first = bins.groups[j], last = bins.groups[j + 1];  // fine bins [first, last)
    const double low = first == 0 ? -std::numeric_limits<double>::infinity() : bins.edges[first - 1];
    const double high = last > bins.edges.size() ? std::numeric_limits<double>::infinity() : bins.edges[last - 1];
    std::string label(1, first == 0 ? '(' : '[');  // appended: GCC 12 warns falsely on "(" + string
    label += number_text(low);
    label += ", ";
    label += number_text(high);
    label += ')';
    return label;
}

}  // namespace kldiv::drift
