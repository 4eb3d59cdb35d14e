// quantile_histogram: the bin layouts, numpy-style percentiles from the bins, and the byte form
// (include/kldiv/llm/quantile_histogram.hpp).
//
// Byte form, little-endian: "KQH1", the scale (1 byte), count, min, max (8 bytes each), the number
// of non-empty bins (8 bytes), then per non-empty bin its index (4 bytes) and count (8 bytes).

#include "kldiv/llm/quantile_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"

namespace kldiv::llm {
namespace {

constexpr double bins_per_decade = 40000.0;
constexpr int first_decade = -20, decades = 25;
constexpr std::size_t decade_bins = static_cast<std::size_t>(decades * bins_per_decade);
// log_scale: [0] exact zeros, [1] (0, 1e-20), [2, 2 + decade_bins) the decades, then > 1e5.
constexpr std::size_t log_bins = decade_bins + 3;
constexpr double linear_half_bins = 524288.0;  // 2^19 bins per unit: 2^20 over [−1, 1]
constexpr std::size_t linear_bins = 1u << 20;
constexpr char magic[4] = {'K', 'Q', 'H', '1'};

static_assert(std::endian::native == std::endian::little, "the byte form is written little-endian");

template <class T>
void put(std::string& out, T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}

template <class T>
T take(std::string_view& in) {
    if (in.size() < sizeof(T)) throw error("quantile_histogram::deserialize", "the bytes end early");
    T value;
    std::memcpy(&value, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return value;
}

}  // namespace

quantile_histogram::quantile_histogram(scale s) : scale_(s), bins_(s == scale::log_scale ? log_bins : linear_bins, 0) {}

std::size_t quantile_histogram::bin_of(double value) const noexcept {
    if (scale_ == scale::linear) {
        const double i = std::floor((value + 1.0) * linear_half_bins);
        return static_cast<std::size_t>(std::clamp(i, 0.0, static_cast<double>(linear_bins - 1)));
    }
    if (value == 0.0) return 0;
    const double offset = (std::log10(value) - first_decade) * bins_per_decade;
    if (offset < 0.0) return 1;
    if (offset >= static_cast<double>(decade_bins)) return log_bins - 1;
    return 2 + static_cast<std::size_t>(offset);
}

double quantile_histogram::centre(std::size_t bin) const noexcept {
    if (scale_ == scale::linear) return -1.0 + (static_cast<double>(bin) + 0.5) / linear_half_bins;
    if (bin == 0) return 0.0;
    if (bin == 1) return 0.5 * std::pow(10.0, first_decade);
    if (bin == log_bins - 1) return max_;
    return std::pow(10.0, first_decade + (static_cast<double>(bin - 2) + 0.5) / bins_per_decade);
}

double quantile_histogram::error_bound(double x) const noexcept {
    if (scale_ == scale::linear) return 0.5 / linear_half_bins;
    if (x < std::pow(10.0, first_decade)) return std::pow(10.0, first_decade);
    return std::fabs(x) * (std::pow(10.0, 0.5 / bins_per_decade) - 1.0);
}

void quantile_histogram::add(double value, const char* what) {
    const bool inside = scale_ == scale::log_scale ? value >= 0.0 && value <= std::numeric_limits<double>::max()
                                                   : value >= -1.0 && value <= 1.0;
    if (!inside) {
        throw error("quantile_histogram", std::string(what) + " = " + detail::to_text(value) + ", but it must be " +
                                              (scale_ == scale::log_scale ? "finite and >= 0" : "in [-1, 1]"));
    }
    ++bins_[bin_of(value)];
    ++count_;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void quantile_histogram::merge(const quantile_histogram& other) {
    if (other.scale_ != scale_) throw error("quantile_histogram::merge", "the two histograms have different scales");
    for (std::size_t i = 0; i < bins_.size(); ++i) bins_[i] += other.bins_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

double quantile_histogram::percentile(double q) const { return percentiles(std::span(&q, 1))[0]; }

std::vector<double> quantile_histogram::percentiles(std::span<const double> qs) const {
    std::vector<double> out(qs.size(), std::numeric_limits<double>::quiet_NaN());
    if (count_ == 0) return out;
    // Numpy's linear method: between the order statistics of ranks floor(h) and ceil(h) (0-based),
    // h = (count − 1)·q. Each is exact at the ends, else its bin's centre.
    std::vector<std::uint64_t> ranks;
    for (const double q : qs) {
        const double h = static_cast<double>(count_ - 1) * q;
        ranks.push_back(static_cast<std::uint64_t>(std::floor(h)));
        ranks.push_back(static_cast<std::uint64_t>(std::ceil(h)));
    }
    std::vector<std::uint64_t> sorted = ranks;
    std::sort(sorted.begin(), sorted.end());
    std::vector<double> value(sorted.size(), max_);  // of sorted[i]
    std::uint64_t below = 0;
    for (std::size_t b = 0, i = 0; b < bins_.size() && i < sorted.size(); ++b) {
        below += bins_[b];
        for (; i < sorted.size() && below > sorted[i]; ++i) value[i] = std::clamp(centre(b), min_, max_);
    }
    const auto order_statistic = [&](std::uint64_t r) {
        if (r == 0) return min_;
        if (r == count_ - 1) return max_;
        return value[static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), r) - sorted.begin())];
    };
    for (std::size_t k = 0; k < qs.size(); ++k) {
        const double h = static_cast<double>(count_ - 1) * qs[k];
        const std::uint64_t lo = ranks[2 * k], hi = ranks[2 * k + 1];
        const double a = order_statistic(lo);
        out[k] = hi == lo ? a : a + (h - static_cast<double>(lo)) * (order_statistic(hi) - a);
    }
    return out;
}

std::vector<std::uint64_t> quantile_histogram::counts_between(std::span<const double> edges) const {
    std::vector<std::uint64_t> counts(edges.size() < 2 ? 0 : edges.size() - 1, 0);
    for (std::size_t b = 0; b < bins_.size() && !counts.empty(); ++b) {
        if (bins_[b] == 0) continue;
        const double x = std::clamp(centre(b), min_, max_);
        if (x < edges.front() || x > edges.back()) continue;
        const auto above = std::upper_bound(edges.begin(), edges.end(), x);
        const auto i = std::min<std::size_t>(static_cast<std::size_t>(above - edges.begin()), counts.size()) - 1;
        counts[i] += bins_[b];
    }
    return counts;
}

std::string quantile_histogram::serialize() const {
    std::string out(magic, sizeof magic);
    put(out, static_cast<std::uint8_t>(scale_));
    put(out, count_);
    put(out, min_);
    put(out, max_);
    const auto filled =
        static_cast<std::uint64_t>(std::count_if(bins_.begin(), bins_.end(), [](auto c) { return c != 0; }));
    put(out, filled);
    for (std::size_t b = 0; b < bins_.size(); ++b) {
        if (bins_[b] == 0) continue;
        put(out, static_cast<std::uint32_t>(b));
        put(out, bins_[b]);
    }
    return out;
}

quantile_histogram quantile_histogram::deserialize(std::string_view in) {
    constexpr const char* function = "quantile_histogram::deserialize";
    if (in.size() < sizeof magic || std::memcmp(in.data(), magic, sizeof magic) != 0) {
        throw error(function, "the bytes do not start with KQH1");
    }
    in.remove_prefix(sizeof magic);
    const auto s = take<std::uint8_t>(in);
    if (s > 1) throw error(function, "scale = " + std::to_string(s) + ", but it must be 0 or 1");
    quantile_histogram h(static_cast<scale>(s));
    h.count_ = take<std::uint64_t>(in);
    h.min_ = take<double>(in);
    h.max_ = take<double>(in);
    const auto filled = take<std::uint64_t>(in);
    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < filled; ++i) {
        const auto b = take<std::uint32_t>(in);
        if (b >= h.bins_.size()) throw error(function, "bin " + std::to_string(b) + " is outside the layout");
        h.bins_[b] = take<std::uint64_t>(in);
        total += h.bins_[b];
    }
    if (total != h.count_ || !in.empty()) throw error(function, "the bin counts do not add up to the count");
    return h;
}

}  // namespace kldiv::llm
