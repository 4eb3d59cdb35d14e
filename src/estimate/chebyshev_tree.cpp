#include "src/estimate/chebyshev_tree.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace kldiv::estimate::detail {
namespace {

constexpr std::size_t leaf_size = 8;

// The loops below take the dimension as D (1, 2, 3: known to the compiler, unrolled) or d (D = 0).

// The distance from `query` to the box [lo, hi] (0 inside it): never above a point's in the box.
template <std::size_t D>
inline double box_distance(const double* lo, const double* hi, const double* query, std::size_t d) noexcept {
    double gap = 0.0;
    for (std::size_t j = 0; j < (D != 0 ? D : d); ++j)
        gap = std::max(gap, std::max(lo[j] - query[j], query[j] - hi[j]));
    return gap;
}

// Whether every point of the box [lo, hi] lies within `radius` of `query`.
template <std::size_t D>
inline bool box_within(const double* lo, const double* hi, const double* query, double radius, std::size_t d) noexcept {
    for (std::size_t j = 0; j < (D != 0 ? D : d); ++j) {
        if (std::fabs(hi[j] - query[j]) > radius || std::fabs(query[j] - lo[j]) > radius) return false;
    }
    return true;
}

template <std::size_t D>
inline double distance(const double* a, const double* b, std::size_t d) noexcept {
    double dist = 0.0;
    for (std::size_t j = 0; j < (D != 0 ? D : d); ++j) dist = std::max(dist, std::fabs(a[j] - b[j]));
    return dist;
}

}  // namespace

chebyshev_tree::chebyshev_tree(matrix_view<const double> points) : d_(points.cols), index_(points.rows) {
    std::iota(index_.begin(), index_.end(), std::size_t{0});
    // The rows are copied once and then moved with index_ as the build partitions them, so every
    // pass reads contiguous rows; at the end they are in leaf order.
    coords_.resize(points.rows * d_);
    for (std::size_t i = 0; i < points.rows; ++i) std::copy_n(points.row(i), d_, coords_.data() + i * d_);
    nodes_.reserve(2 * (points.rows / leaf_size + 1));
    if (!index_.empty()) build(0, index_.size());
}

// Builds the node of places [begin, end) and returns its number.
std::size_t chebyshev_tree::build(std::size_t begin, std::size_t end) {
    const std::size_t at = nodes_.size();
    nodes_.push_back({begin, end});
    lo_.resize((at + 1) * d_, std::numeric_limits<double>::infinity());
    hi_.resize((at + 1) * d_, -std::numeric_limits<double>::infinity());
    for (std::size_t pos = begin; pos < end; ++pos) {
        const double* x = coords_.data() + pos * d_;
        for (std::size_t j = 0; j < d_; ++j) {
            lo_[at * d_ + j] = std::min(lo_[at * d_ + j], x[j]);
            hi_[at * d_ + j] = std::max(hi_[at * d_ + j], x[j]);
        }
    }
    if (end - begin <= leaf_size) return at;
    std::size_t split = 0;
    double widest = -1.0;
    for (std::size_t j = 0; j < d_; ++j) {
        const double width = hi_[at * d_ + j] - lo_[at * d_ + j];
        if (width > widest) {
            widest = width;
            split = j;
        }
    }
    if (!(widest > 0.0)) return at;  // every row the same: a leaf, however many
    const std::size_t mid = begin + (end - begin) / 2;
    // The median on the split coordinate, then the rows (and their numbers) moved to its order.
    std::vector<std::pair<double, std::size_t>> keyed(end - begin);
    for (std::size_t pos = begin; pos < end; ++pos) keyed[pos - begin] = {coords_[pos * d_ + split], pos};
    std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(mid - begin), keyed.end());
    std::vector<double> moved((end - begin) * d_);
    std::vector<std::size_t> numbers(end - begin);
    for (std::size_t r = 0; r < keyed.size(); ++r) {
        std::copy_n(coords_.data() + keyed[r].second * d_, d_, moved.data() + r * d_);
        numbers[r] = index_[keyed[r].second];
    }
    std::copy(moved.begin(), moved.end(), coords_.begin() + static_cast<std::ptrdiff_t>(begin * d_));
    std::copy(numbers.begin(), numbers.end(), index_.begin() + static_cast<std::ptrdiff_t>(begin));
    const std::size_t left = build(begin, mid);
    const std::size_t right = build(mid, end);
    nodes_[at].left = left;
    nodes_[at].right = right;
    return at;
}

void chebyshev_tree::nearest(const double* query, std::size_t skip, std::span<double> distances,
                             std::span<std::size_t> rows) const noexcept {
    switch (d_) {
        case 1:
            return nearest_in<1>(query, skip, distances, rows);
        case 2:
            return nearest_in<2>(query, skip, distances, rows);
        case 3:
            return nearest_in<3>(query, skip, distances, rows);
        default:
            return nearest_in<0>(query, skip, distances, rows);
    }
}

std::size_t chebyshev_tree::count_within(const double* query, double radius) const noexcept {
    switch (d_) {
        case 1:
            return count_in<1>(query, radius);
        case 2:
            return count_in<2>(query, radius);
        case 3:
            return count_in<3>(query, radius);
        default:
            return count_in<0>(query, radius);
    }
}

template <std::size_t D>
void chebyshev_tree::nearest_in(const double* query, std::size_t skip, std::span<double> distances,
                                std::span<std::size_t> rows) const noexcept {
    const std::size_t k = distances.size();
    std::size_t found = 0;
    const bool keep_rows = !rows.empty();
    // With rows, neighbours are ordered by (distance, row): of rows at the same distance the lower
    // numbers come first, so the k neighbours are one set whatever the tree's shape.
    const auto before = [&](double dist, std::size_t row, std::size_t at) {
        return dist < distances[at] || (keep_rows && dist == distances[at] && row < rows[at]);
    };
    const auto insert = [&](double dist, std::size_t row) {
        std::size_t at = found < k ? found++ : k - 1;
        while (at > 0 && before(dist, row, at - 1)) {
            distances[at] = distances[at - 1];
            if (keep_rows) rows[at] = rows[at - 1];
            --at;
        }
        distances[at] = dist;
        if (keep_rows) rows[at] = row;
    };
    // Depth first, the nearer child first, each node with its box's distance (median splits: the
    // depth is log2(n) at most, the stack twice that).
    struct pending {
        std::size_t node;
        double gap;
    };
    pending stack[128];
    std::size_t top = 0;
    stack[top++] = {0, 0.0};
    while (top > 0) {
        const pending p = stack[--top];
        // Rows at the k-th distance may still displace a higher-numbered one when rows are kept.
        if (found == k && (p.gap > distances[k - 1] || (!keep_rows && p.gap == distances[k - 1]))) continue;
        const node& nd = nodes_[p.node];
        if (nd.left == 0) {
            for (std::size_t pos = nd.begin; pos < nd.end; ++pos) {
                if (index_[pos] == skip) continue;
                const double dist = distance<D>(coords_.data() + pos * d_, query, d_);
                if (found < k || before(dist, index_[pos], k - 1)) insert(dist, index_[pos]);
            }
            continue;
        }
        const double to_left = box_distance<D>(lo_.data() + nd.left * d_, hi_.data() + nd.left * d_, query, d_);
        const double to_right = box_distance<D>(lo_.data() + nd.right * d_, hi_.data() + nd.right * d_, query, d_);
        if (to_left <= to_right) {  // the nearer child is popped first
            stack[top++] = {nd.right, to_right};
            stack[top++] = {nd.left, to_left};
        } else {
            stack[top++] = {nd.left, to_left};
            stack[top++] = {nd.right, to_right};
        }
    }
}

template <std::size_t D>
std::size_t chebyshev_tree::count_in(const double* query, double radius) const noexcept {
    std::size_t count = 0;
    std::size_t stack[128];
    std::size_t top = 0;
    if (!nodes_.empty()) stack[top++] = 0;
    while (top > 0) {
        const std::size_t n = stack[--top];
        const double* lo = lo_.data() + n * d_;
        const double* hi = hi_.data() + n * d_;
        if (box_distance<D>(lo, hi, query, d_) > radius) continue;
        const node& nd = nodes_[n];
        if (box_within<D>(lo, hi, query, radius, d_)) {
            count += nd.end - nd.begin;
            continue;
        }
        if (nd.left == 0) {
            for (std::size_t pos = nd.begin; pos < nd.end; ++pos) {
                count += distance<D>(coords_.data() + pos * d_, query, d_) <= radius;
            }
            continue;
        }
        stack[top++] = nd.left;
        stack[top++] = nd.right;
    }
    return count;
}

}  // namespace kldiv::estimate::detail
