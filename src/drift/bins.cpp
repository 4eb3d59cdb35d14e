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
#include "src/drift/column_counter.hpp"

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

// Interior edges of up to `bins` bins of about equal mass of the sorted sample: each cut where the
// values since the last cut reach their share of what is left, ⌊left values / bins left⌋ (at least
// one), moved up to the next change of value, so that tied values stay in one bin and the rest is
// cut again evenly after a large tie (a column 95% zeros: one bin for the zeros, the others for the
// rest). Every edge is a sample value; without ties the cuts are at ranks ⌊i·S/B⌋.
void add_quantile_edges(const std::vector<double>& sorted, std::size_t bins, std::vector<double>& edges) {
    const std::size_t s = sorted.size();
    std::size_t at = 0;
    for (std::size_t left = bins; left > 1 && at < s; --left) {
        std::size_t cut = at + std::max<std::size_t>(1, (s - at) / left);
        while (cut < s && sorted[cut] == sorted[cut - 1]) ++cut;
        if (cut >= s) break;
        edges.push_back(sorted[cut]);
        at = cut;
    }
}

// The edges that give values beyond the reference's range bins of their own: its smallest value (the
// bin below holds what lies under it) and, above, its largest value for continuous columns (a
// reference value, as the rank null needs) or the next double above it for the others (the bin from
// there holds only what lies above). None that would be infinite.
void add_range_edges(const std::vector<double>& sorted, bool continuous, std::vector<double>& edges) {
    if (sorted.empty()) return;
    edges.push_back(sorted.front());
    const double above =
        continuous ? sorted.back() : std::nextafter(sorted.back(), std::numeric_limits<double>::infinity());
    if (std::isfinite(above)) edges.push_back(above);
}

}  // namespace

void validate(const binning_options& opts) {
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

namespace {

void numeric_bins(column_bins& b, std::vector<double> sample, const column_sample& from, const binning_options& opts) {
    std::sort(sample.begin(), sample.end());
    std::size_t unique_values = sample.empty() ? 0 : 1;
    for (std::size_t i = 1; i < sample.size(); ++i) unique_values += sample[i] != sample[i - 1];
    b.continuous = 2 * unique_values >= sample.size();
    std::vector<double> report;
    if (!sample.empty()) {
        if (opts.rule == estimate::binning::quantile) {
            add_quantile_edges(sample, opts.bin_count, report);
            add_range_edges(sample, b.continuous, report);
        } else {
            const bool counted = opts.rule == estimate::binning::fixed;
            std::vector<double> all =
                estimate::bin_edges(counted ? std::vector<double>{from.min, from.max} : from.values, opts.rule,
                                    counted ? opts.bin_count : 0);
            if (all.size() - 1 > max_bins) {
                throw error(function, "column " + from.name + ": the " + name(opts.rule, '-') + " rule gives " +
                                          std::to_string(all.size() - 1) + " bins, but at most " +
                                          std::to_string(max_bins) + " are allowed");
            }
            // NumPy's bins, the last one closed at the maximum, and a bin on either side for what lies
            // beyond the reference's range.
            all.back() = std::nextafter(all.back(), std::numeric_limits<double>::infinity());
            if (!std::isfinite(all.back())) all.pop_back();
            report = all;
        }
    }
    std::sort(report.begin(), report.end());
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
    const double largest = sample.empty() ? 0.0 : std::max(std::fabs(sample.front()), std::fabs(sample.back()));
    // A power of two whose inverse is finite (subnormal columns too).
    b.scale = largest > 0.0 ? std::ldexp(1.0, std::max(std::ilogb(largest), -1000)) : 1.0;
}

// Adds x to a double-double accumulator held as hi + lo (two-sum; the error kept in lo).
// hi + lo as the pair whose hi is their rounded sum (so that sums added in any order agree in hi).
void normalize(double& hi, double& lo) noexcept {
    const kldiv::detail::double_double s = kldiv::detail::exact_difference(hi, -lo);
    hi = s.hi;
    lo = s.lo;
}

void accumulate(double& hi, double& lo, double x) noexcept {
    const kldiv::detail::double_double s = kldiv::detail::exact_difference(hi, -x);
    hi = s.hi;
    lo += s.lo;
}

// x·x − square exactly, for square = x·x rounded (Dekker's product, without a fused multiply-add,
// which here would be a library call); 0 where splitting x would overflow (|x| > 1e150: the error
// is then below 2^-53 of a square that large, far under what the variance needs).
inline double square_error(double x, double square) noexcept {
    if (!(std::fabs(x) < 1e150)) return 0.0;
    const double c = 134217729.0 * x;  // 2^27 + 1
    const double high = c - (c - x), low = x - high;
    return ((high * high - square) + 2.0 * high * low) + low * low;
}

std::string number_text(double x) {
    if (std::isinf(x)) return x > 0 ? "+inf" : "-inf";
    return kldiv::detail::to_text(x);
}

// Counts numeric values (double or float, read at values[i·stride]) of the rows `rows` hands over,
// keeping the finite values' range in lo and hi.
template <class T, class Rows>
void count_numeric(const detail::bin_finder& find, const T* values, std::size_t stride, Rows&& rows, bool moments,
                   double inverse_scale, column_counts& out, double& lo, double& hi) {
    // Everything in locals: stores into out.counts could alias out's other members, which the
    // compiler would then reload and store around every value.
    double* const counts = out.counts.data();
    double missing = 0.0, finite = 0.0, low = lo, high = hi;
    double sum_hi = out.sum_hi, sum_lo = out.sum_lo, squares_hi = out.squares_hi, squares_lo = out.squares_lo;
    bool infinite = false;
    rows([&](std::size_t i) {
        const double x = static_cast<double>(values[i * stride]);
        if (std::isnan(x)) {
            missing += 1.0;
            return;
        }
        counts[find(x)] += 1.0;
        if (std::isinf(x)) {
            infinite = true;
            return;
        }
        finite += 1.0;
        low = std::min(low, x);
        high = std::max(high, x);
        if (moments) {
            const double y = x * inverse_scale;  // exact: a power of two (subnormal results aside)
            accumulate(sum_hi, sum_lo, y);
            const double square = y * y;
            accumulate(squares_hi, squares_lo, square);
            squares_lo += square_error(y, square);
        }
    });
    out.missing += missing;
    out.finite += finite;
    out.infinite = out.infinite || infinite;
    out.sum_hi = sum_hi;
    out.sum_lo = sum_lo;
    out.squares_hi = squares_hi;
    out.squares_lo = squares_lo;
    lo = low;
    hi = high;
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
    const kldiv::detail::double_double sum{sum_hi, sum_lo}, squares{squares_hi, squares_lo}, n{finite, 0.0};
    const kldiv::detail::double_double mean = kldiv::detail::divide(sum, n),
                                       mean_square = kldiv::detail::divide(squares, n);
    // mean² in double-double: hi² exactly by fma, plus the cross term.
    const double m2_hi = mean.hi * mean.hi;
    const double m2_lo = std::fma(mean.hi, mean.hi, -m2_hi) + 2.0 * mean.hi * mean.lo;
    const kldiv::detail::double_double d = kldiv::detail::exact_difference(mean_square.hi, m2_hi);
    const double variance = d.hi + (d.lo + mean_square.lo - m2_lo);
    return variance > 0.0 ? std::sqrt(variance) : 0.0;
}

std::vector<std::size_t> sampled_rows(std::size_t begin, std::size_t end, std::size_t row_offset,
                                      std::size_t total_rows, std::size_t max_sample) {
    const std::uint64_t threshold = sample_threshold(total_rows != 0 ? total_rows : end - begin, max_sample);
    std::vector<std::size_t> rows;
    for (std::size_t i = begin; i < end; ++i) {
        if (threshold == std::numeric_limits<std::uint64_t>::max() || mix(row_offset + (i - begin)) < threshold) {
            rows.push_back(i);
        }
    }
    return rows;
}

column_sample sample_column(const column_view& c, std::size_t begin, std::size_t end, const binning_options& opts,
                            std::size_t row_offset, std::size_t total_rows) {
    return sample_column(c, begin, end, sampled_rows(begin, end, row_offset, total_rows, opts.max_sample), opts);
}

column_sample sample_column(const column_view& c, std::size_t begin, std::size_t end,
                            std::span<const std::size_t> sampled, const binning_options& opts) {
    validate(opts);
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
    for (const std::size_t i : sampled) {
        const double v = c.number(i);
        if (std::isfinite(v)) out.sample.push_back(v);
    }
    if (opts.rule == estimate::binning::quantile) return out;  // needs nothing more: no pass over every row
    const bool every = needs_every_value(opts.rule);
    for (std::size_t i = begin; i < end; ++i) {
        const double v = c.number(i);
        if (!std::isfinite(v)) continue;
        out.min = std::min(out.min, v);
        out.max = std::max(out.max, v);
        if (every) out.values.push_back(v);
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
    validate(opts);
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

detail::bin_finder::bin_finder(std::span<const double> edges) : edges_(edges.begin(), edges.end()), n_(edges.size()) {
    edges_.insert(edges_.end(), 3, std::numeric_limits<double>::quiet_NaN());  // never <= a value, +inf included
    if (n_ < 2) return;
    cells_ = std::clamp<std::size_t>(4 * n_, 64, std::size_t{1} << 16);
    scale_ = static_cast<double>(cells_) / (edges_[n_ - 1] - edges_[0]);
    last_cell_ = static_cast<double>(cells_ - 1);
    if (!std::isfinite(scale_)) scale_ = 0.0;  // edges spanning more than a double: every value in cell 0
    auto cell = [&](double v) {
        const double t = (v - edges_[0]) * scale_;
        return t < last_cell_ ? static_cast<std::size_t>(t) : cells_ - 1;
    };
    // low[c] = edges in cells below c, high[c] = edges in cells up to c.
    std::vector<std::uint32_t> in_cell(cells_, 0);
    for (std::size_t k = 0; k < n_; ++k) ++in_cell[cell(edges_[k])];
    low_.resize(cells_);
    high_.resize(cells_);
    std::uint32_t below = 0;
    for (std::size_t c = 0; c < cells_; ++c) {
        low_[c] = below;
        below += in_cell[c];
        high_[c] = below;
    }
}

detail::column_counter::column_counter(const column_bins& bins, const column_view& column, bool moments)
    : bins_(bins), column_(column), moments_(moments),
      find_(categorical(bins.type) ? std::span<const double>() : std::span<const double>(bins.edges)) {
    out_.counts.assign(bins.fine_bins(), 0.0);
    if (!categorical(bins.type)) return;
    // Each of the column's categories to its bin: the reference's position, or "new".
    std::unordered_map<std::string_view, std::size_t> position;
    for (std::size_t k = 0; k < bins.categories.size(); ++k) position.emplace(bins.categories[k], k);
    bin_of_.resize(column.categories.size());
    per_category_.assign(column.categories.size(), 0.0);
    for (std::size_t k = 0; k < column.categories.size(); ++k) {
        const auto it = position.find(column.categories[k]);
        bin_of_[k] = it == position.end() ? bins.categories.size() : it->second;
    }
}

template <class Rows>
void detail::column_counter::add_rows(Rows&& rows) {
    if (categorical(bins_.type)) {
        rows([&](std::size_t i) {
            const std::uint32_t code = column_.codes[i];
            if (code == io::missing_code) {
                out_.missing += 1.0;
            } else {
                out_.counts[bin_of_[code]] += 1.0;
                per_category_[code] += 1.0;
            }
        });
    } else if (column_.floats != nullptr) {
        count_numeric(find_, column_.floats, column_.stride, rows, moments_, 1.0 / bins_.scale, out_, lo_, hi_);
    } else {
        count_numeric(find_, column_.numbers, column_.stride, rows, moments_, 1.0 / bins_.scale, out_, lo_, hi_);
    }
}

void detail::column_counter::add(std::size_t begin, std::size_t end) {
    add_rows([&](auto&& visit) {
        for (std::size_t i = begin; i < end; ++i) visit(i);
    });
}

void detail::column_counter::add(std::span<const std::size_t> rows) {
    add_rows([&](auto&& visit) {
        for (const std::size_t i : rows) visit(i);
    });
}

column_counts detail::column_counter::finish() {
    if (out_.finite > 0.0) {
        out_.min = lo_;
        out_.max = hi_;
    }
    normalize(out_.sum_hi, out_.sum_lo);
    normalize(out_.squares_hi, out_.squares_lo);
    for (std::size_t k = 0; k < per_category_.size(); ++k) {
        if (bin_of_[k] == bins_.categories.size() && per_category_[k] > 0.0) {
            out_.new_categories.push_back(column_.categories[k]);
            out_.new_counts.push_back(per_category_[k]);
        }
    }
    return std::move(out_);
}

column_counts count(const column_bins& bins, const column_view& column, std::size_t begin, std::size_t end,
                    bool moments) {
    detail::column_counter c(bins, column, moments);
    c.add(begin, end);
    return c.finish();
}

column_counts count(const column_bins& bins, const column_view& column, std::span<const std::size_t> rows,
                    bool moments) {
    detail::column_counter c(bins, column, moments);
    c.add(rows);
    return c.finish();
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
