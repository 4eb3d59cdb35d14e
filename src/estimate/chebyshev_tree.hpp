#pragma once
// A k-d tree over the rows of a matrix in the maximum norm ‖a − b‖ = max_j |a_j − b_j| (Chebyshev),
// the norm of the Kraskov–Stögbauer–Grassberger and Ross estimators of mutual information
// (include/kldiv/estimate/mutual_information.hpp): the k nearest neighbours of a row, and the
// number of rows within a radius.
//
// Distances are |a_j − b_j| in double, each correctly rounded, so they are the very numbers a brute
// force (or scikit-learn's KDTree) computes. A node's box prunes with the same subtraction: for a
// coordinate x ≥ lo, fl(x − q) ≥ fl(lo − q) (rounding is monotone), so the box's distance is never
// above a point's inside it and nothing within the bound is pruned. Leaves hold at most 8 rows,
// copied into leaf order; building costs O(n log n), a query about O(log n) on spread data.

#include <cstddef>
#include <span>
#include <vector>

#include "kldiv/views.hpp"

namespace kldiv::estimate::detail {

class chebyshev_tree {
public:
    explicit chebyshev_tree(matrix_view<const double> points);

    std::size_t size() const noexcept { return index_.size(); }
    std::size_t dimension() const noexcept { return d_; }

    // The rows in leaf order (queries taken in this order find their neighbours in cache): the
    // original row at place p, and its coordinates.
    std::size_t row_at(std::size_t p) const noexcept { return index_[p]; }
    const double* coordinates_at(std::size_t p) const noexcept { return coords_.data() + p * d_; }

    // The k smallest distances from `query` (d coordinates) to the rows other than row `skip` (the
    // query's own row, or size() for none), ascending, into distances[0..k); their rows into rows
    // (may be empty; when given, rows at equal distances are taken lowest number first). Needs
    // k <= size() − (skip < size()).
    void nearest(const double* query, std::size_t skip, std::span<double> distances,
                 std::span<std::size_t> rows) const noexcept;

    // The number of rows at distance <= radius from `query` (the query's own row included when it is
    // one of them).
    std::size_t count_within(const double* query, double radius) const noexcept;

private:
    struct node {
        std::size_t begin, end;           // rows [begin, end) of the leaf order
        std::size_t left = 0, right = 0;  // children (0: a leaf)
    };

    std::size_t build(std::size_t begin, std::size_t end);
    template <std::size_t D>
    void nearest_in(const double* query, std::size_t skip, std::span<double> distances,
                    std::span<std::size_t> rows) const noexcept;
    template <std::size_t D>
    std::size_t count_in(const double* query, double radius) const noexcept;

    std::size_t d_;
    std::vector<double> coords_;      // the rows in leaf order, row-major
    std::vector<std::size_t> index_;  // leaf position → original row
    std::vector<node> nodes_;
    std::vector<double> lo_, hi_;  // each node's box, d values each
};

}  // namespace kldiv::estimate::detail
