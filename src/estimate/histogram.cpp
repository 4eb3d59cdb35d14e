// Shared-bin histograms of two samples and the KL divergence of their counts. The binning rules
// and numpy's conventions they follow are in include/kldiv/estimate/histogram.hpp; the
// arithmetic of the edges (range, linspace, type-7 quantiles with numpy's two-sided lerp) is
// written here to give numpy's doubles exactly.

#include "kldiv/estimate/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "kldiv/error.hpp"
#include "kldiv/summary.hpp"
#include "src/common/format.hpp"

namespace kldiv::estimate {
namespace {

using detail::to_text;

constexpr std::size_t max_dimensions = 3;
constexpr std::size_t max_grid_bins = histogram_max_bins;

// numpy.linspace(first, last, bins + 1): first + i·step, step = (last − first)/bins, last exact.
std::vector<double> equal_width_edges(double first, double last, std::size_t bins) {
    std::vector<double> edges(bins + 1);
    const double step = (last - first) / static_cast<double>(bins);
    for (std::size_t i = 0; i < bins; ++i) edges[i] = static_cast<double>(i) * step + first;
    edges[bins] = last;
    return edges;
}

double standard_deviation(std::span<const double> values) {
    const double n = static_cast<double>(values.size());
    double sum = 0.0;
    for (const double v : values) sum += v;
    const double mean = sum / n;
    double squares = 0.0;
    for (const double v : values) squares += (v - mean) * (v - mean);
    return std::sqrt(squares / n);
}

// The bin width of a width rule (numpy's _hist_bin_fd, _hist_bin_scott, _hist_bin_sturges).
double rule_width(binning rule, const std::vector<double>& sorted) {
    const double n = static_cast<double>(sorted.size());
    switch (rule) {
        case binning::freedman_diaconis:
            return 2.0 * (quantile(sorted, 0.75) - quantile(sorted, 0.25)) * std::pow(n, -1.0 / 3.0);
        case binning::scott:
            return std::pow(24.0 * std::sqrt(std::numbers::pi) / n, 1.0 / 3.0) * standard_deviation(sorted);
        default:  // sturges
            return (sorted.back() - sorted.front()) / (std::log2(n) + 1.0);
    }
}

void check_bins(const char* function, binning rule, std::size_t bins) {
    const bool counted = rule == binning::fixed || rule == binning::quantile;
    if (counted && bins == 0) {
        throw error(function, "bin_count = 0, but the " + name(rule, '-') + " rule needs a number of bins >= 1");
    }
    if (counted && bins > max_grid_bins) {
        throw error(function, "bin_count = " + std::to_string(bins) +
                                  ", but at most 2^26 = " + std::to_string(max_grid_bins) + " bins are allowed");
    }
    if (!counted && bins != 0) {
        throw error(function, "bin_count = " + std::to_string(bins) + ", but the " + name(rule, '-') +
                                  " rule chooses the number of bins itself (set bin_count = 0)");
    }
}

std::vector<double> edges_of(const char* function, std::vector<double> values, binning rule, std::size_t bins) {
    check_bins(function, rule, bins);
    if (values.empty()) throw error(function, "the sample is empty, but bins need at least one value");
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            throw error(function,
                        "value " + std::to_string(i) + " = " + to_text(values[i]) + ", but samples must be finite");
        }
    }
    std::sort(values.begin(), values.end());
    if (rule == binning::quantile) {
        // N sorted values have N − 1 gaps. At N − 1 bins every edge is a value; more bins would
        // only cut the gaps into bins that no value can fall in (a bin_count of 2^26 on 10 points
        // took 2.4 GB and diluted pseudocounts over empty bins), so at most N − 1 are made.
        bins = std::min(bins, std::max<std::size_t>(values.size() - 1, 1));
        std::vector<double> edges(bins + 1);
        for (std::size_t i = 0; i <= bins; ++i) {
            edges[i] = quantile(values, static_cast<double>(i) / static_cast<double>(bins));
        }
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
        if (edges.size() == 1) edges = {edges[0] - 0.5, edges[0] + 0.5};  // all values equal
        return edges;
    }
    double first = values.front(), last = values.back();
    if (first == last) {
        first -= 0.5;
        last += 0.5;
    }
    if (rule == binning::fixed) return equal_width_edges(first, last, bins);
    const double width = rule_width(rule, values);
    if (width == 0.0) return equal_width_edges(first, last, 1);
    const double count = std::ceil((last - first) / width);
    if (!(count <= static_cast<double>(max_grid_bins))) {
        throw error(function, "the " + name(rule, '-') + " rule asks for " + to_text(count) +
                                  " bins, but at most 2^26 are allowed (use binning::fixed)");
    }
    return equal_width_edges(first, last, static_cast<std::size_t>(count));
}

// The bin of v among the edges: [e_i, e_{i+1}), the last bin closed. v lies within the edges.
std::size_t bin_of(const std::vector<double>& edges, double v) {
    const auto above = std::upper_bound(edges.begin(), edges.end(), v);
    const auto i = static_cast<std::size_t>(above - edges.begin());
    return std::min(i, edges.size() - 1) - 1;
}

// y may be empty (rows = 0, the one-sample measures) when y_needed is false.
void check_samples(const char* function, matrix_view<const double> x, matrix_view<const double> y, bool y_needed) {
    if (x.rows == 0 || (y_needed && y.rows == 0)) {
        throw error(function,
                    std::string(x.rows == 0 ? "x" : "y") + " has no rows, but each sample needs at least one");
    }
    if (y.rows > 0 && x.cols != y.cols) {
        throw error(function, "x has " + std::to_string(x.cols) + " columns and y " + std::to_string(y.cols) +
                                  ", but both samples must have the same dimension");
    }
    if (x.cols == 0 || x.cols > max_dimensions) {
        throw error(function, "the samples have " + std::to_string(x.cols) +
                                  " columns, but histograms need 1 to 3 (use the nearest-neighbour estimator above)");
    }
    for (const auto& [name, sample] : {std::pair{"x", x}, std::pair{"y", y}}) {
        for (std::size_t i = 0; i < sample.rows; ++i) {
            for (std::size_t j = 0; j < sample.cols; ++j) {
                const double v = sample.row(i)[j];
                if (std::isfinite(v)) continue;
                throw error(function, std::string(name) + "[" + std::to_string(i) + "][" + std::to_string(j) +
                                          "] = " + to_text(v) + ", but samples must be finite");
            }
        }
    }
}

std::vector<double> counts_in(const std::vector<std::vector<double>>& edges, matrix_view<const double> sample,
                              std::size_t grid_bins) {
    std::vector<double> counts(grid_bins, 0.0);
    for (std::size_t i = 0; i < sample.rows; ++i) {
        std::size_t flat = 0;
        for (std::size_t j = 0; j < sample.cols; ++j)
            flat = flat * (edges[j].size() - 1) + bin_of(edges[j], sample.row(i)[j]);
        counts[flat] += 1.0;
    }
    return counts;
}

}  // namespace

std::vector<double> bin_edges(std::span<const double> values, binning rule, std::size_t bins) {
    return edges_of("bin_edges", std::vector<double>(values.begin(), values.end()), rule, bins);
}

namespace {

// The grid chosen on x and y pooled (y may be empty), and both samples' counts in it.
shared_histogram pooled_histogram(const char* function, matrix_view<const double> x, matrix_view<const double> y,
                                  bool y_needed, const histogram_options& opts) {
    check_samples(function, x, y, y_needed);
    shared_histogram h;
    std::size_t grid_bins = 1;
    for (std::size_t j = 0; j < x.cols; ++j) {
        std::vector<double> pooled;
        pooled.reserve(x.rows + y.rows);
        for (std::size_t i = 0; i < x.rows; ++i) pooled.push_back(x.row(i)[j]);
        for (std::size_t i = 0; i < y.rows; ++i) pooled.push_back(y.row(i)[j]);
        h.edges.push_back(edges_of(function, std::move(pooled), opts.bins, opts.bin_count));
        grid_bins *= h.edges.back().size() - 1;
        if (grid_bins > max_grid_bins) {
            throw error(function, "the grid has more than 2^26 bins after axis " + std::to_string(j) +
                                      ", but at most 2^26 are allowed (fewer bins per axis, or the kNN estimator)");
        }
    }
    h.p_counts = counts_in(h.edges, x, grid_bins);
    h.q_counts = counts_in(h.edges, y, grid_bins);
    return h;
}

// "freedman-diaconis, 12x8 bins; counts (jeffreys, a=1/2)": the histogram's settings and the count
// estimator's.
std::string method_text(binning rule, const shared_histogram& h, const estimate& counts) {
    std::string text = name(rule, '-') + ", ";
    for (std::size_t j = 0; j < h.edges.size(); ++j) {
        if (j > 0) text += 'x';
        text += std::to_string(h.edges[j].size() - 1);
    }
    return text + " bins; " + describe(counts);
}

// Σ_b θ̂_b ln Δ_b in nats: θ̂ the estimated probabilities of `counts`, Δ_b the volume of bin b.
double mean_log_volume(const shared_histogram& h, std::span<const double> counts, count_estimator method) {
    const std::vector<double> theta = probabilities_from_counts(counts, method);
    double sum = 0.0;
    for (std::size_t b = 0; b < theta.size(); ++b) {
        if (theta[b] == 0.0) continue;
        double log_volume = 0.0;
        std::size_t rest = b;
        for (std::size_t j = h.edges.size(); j-- > 0;) {
            const std::size_t bins = h.edges[j].size() - 1, i = rest % bins;
            rest /= bins;
            log_volume += std::log(h.edges[j][i + 1] - h.edges[j][i]);
        }
        sum += theta[b] * log_volume;
    }
    return sum;
}

// A differential measure: the count estimator's discrete value (`discrete`, given the count
// options in nats) plus Σ θ̂_P,b ln Δ_b, in the unit asked for.
template <class Discrete>
estimate differential(const shared_histogram& h, const histogram_options& opts, const Discrete& discrete) {
    count_options nats = opts.counts;
    nats.base = log_base{};
    estimate result = discrete(nats);
    result.value = opts.counts.base.from_nats(result.value + mean_log_volume(h, h.p_counts, opts.counts.method));
    result.detail = method_text(opts.bins, h, result);
    result.method = estimator::histogram;
    return result;
}

}  // namespace

shared_histogram histogram_counts(matrix_view<const double> x, matrix_view<const double> y,
                                  const histogram_options& opts) {
    return pooled_histogram("histogram_counts", x, y, true, opts);
}

estimate kl_divergence_histogram(matrix_view<const double> x, matrix_view<const double> y,
                                 const histogram_options& opts) {
    const shared_histogram h = pooled_histogram("kl_divergence_histogram", x, y, true, opts);
    estimate result = kl_divergence_from_counts(h.p_counts, h.q_counts, opts.counts);
    result.detail = method_text(opts.bins, h, result);
    result.method = estimator::histogram;
    return result;
}

estimate cross_entropy_histogram(matrix_view<const double> x, matrix_view<const double> y,
                                 const histogram_options& opts) {
    const shared_histogram h = pooled_histogram("cross_entropy_histogram", x, y, true, opts);
    return differential(
        h, opts, [&](const count_options& nats) { return cross_entropy_from_counts(h.p_counts, h.q_counts, nats); });
}

estimate entropy_histogram(matrix_view<const double> x, const histogram_options& opts) {
    const shared_histogram h =
        pooled_histogram("entropy_histogram", x, matrix_view<const double>(nullptr, 0, x.cols), false, opts);
    return differential(h, opts, [&](const count_options& nats) { return entropy_from_counts(h.p_counts, nats); });
}

}  // namespace kldiv::estimate
