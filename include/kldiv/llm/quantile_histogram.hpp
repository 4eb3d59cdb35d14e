#pragma once
// Percentiles of a long stream of values in fixed memory: a histogram over fixed bins, so that
// summaries of separate shards merge exactly (counts add), with a stated error bound.
//
// Two bin layouts:
//   log_scale   values >= 0 (per-token KL): one bin for exact zeros, one for (0, 1e-20), then
//               40000 bins per decade from 1e-20 to 1e5 (bin edges 10^(−20 + i/40000)), one for
//               values above 1e5. A percentile inside the decades is within a relative 2.9e-5 of
//               the exact one (half a bin: 10^(1/80000) − 1), below 1e-20 within 1e-20.
//   linear      values in [−1, 1] (a change of probability, Δp): 2^20 equal bins, a percentile
//               within 2^−20 ≈ 9.5e-7 of the exact one.
// The exact minimum and maximum are kept beside the bins; every percentile is clamped to them.
//
// Percentile q (in [0, 1]) follows numpy's default ("linear"): the value at the virtual index
// h = (N − 1)·q between the order statistics x_(⌊h⌋) and x_(⌈h⌉), each taken as the centre of its
// bin (the geometric centre on the log scale). If both order statistics lie in one bin the result
// is that bin's centre. The error bound above holds for each order statistic and hence for their
// interpolation.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kldiv::llm {

class quantile_histogram {
public:
    enum class scale : std::uint8_t { log_scale, linear };

    explicit quantile_histogram(scale s);

    // Values outside the layout's domain (negative on the log scale, outside [−1, 1] on the linear
    // one) and NaN are an error (kldiv::error naming `what`).
    void add(double value, const char* what);
    void merge(const quantile_histogram& other);

    std::uint64_t count() const noexcept { return count_; }
    double min() const noexcept { return min_; }
    double max() const noexcept { return max_; }
    // NaN when empty.
    double percentile(double q) const;
    // percentile(q) for each q, in one pass over the bins.
    std::vector<double> percentiles(std::span<const double> qs) const;
    // The bound on |percentile(q) − exact| at a value near x.
    double error_bound(double x) const noexcept;

    // How many values fall in [edges[i], edges[i + 1]) (the last interval closed), each counted at
    // its bin's centre: for charts. edges ascending, at least 2.
    std::vector<std::uint64_t> counts_between(std::span<const double> edges) const;

    // A compact byte form (only the non-empty bins), for shipping between processes.
    std::string serialize() const;
    static quantile_histogram deserialize(std::string_view bytes);

private:
    std::size_t bin_of(double value) const noexcept;
    double centre(std::size_t bin) const noexcept;

    scale scale_;
    std::vector<std::uint64_t> bins_;
    std::uint64_t count_ = 0;
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace kldiv::llm
