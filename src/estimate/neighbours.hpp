#pragma once
// k-th nearest neighbour distances for the k-NN estimators (include/kldiv/estimate/knn.hpp).
//
// For every row q of `queries`: the k-th smallest of the positive squared Euclidean distances
// s(q, p) = Σ_j (q_j − p_j)², j = 0..d−1 in order, over the rows p of `points`, counted with
// repetition. Points equal to q (q itself when the queries are the points) are skipped. A row with
// fewer than k points at positive distance gets NaN (the caller names it in its error).
//
// Three searches, equal bit for bit: at d = 1 a merge outward from the query's place among the
// sorted points; a k-d tree (nanoflann over the matrix_view, no copy); and a blocked brute force
// (blocks of queries × all points, queries transposed so that the sums vectorize across queries
// without changing each sum's order). Threads take blocks of queries.

#include <cstddef>
#include <span>

#include "kldiv/batch.hpp"

namespace kldiv::estimate::detail {

// sorted_line: d = 1 only (automatic there).
enum class neighbour_search { automatic, sorted_line, kd_tree, brute_force };

// The dimension up to which `automatic` uses the k-d tree (measured: bench/bench_knn.cpp).
inline constexpr std::size_t kd_tree_max_dimension = 12;

// out.size() == queries.rows; points.cols == queries.cols >= 1; k >= 1.
void kth_positive_squared_distances(matrix_view<const double> points, matrix_view<const double> queries,
                                    std::size_t k, unsigned threads, std::span<double> out,
                                    neighbour_search search = neighbour_search::automatic);

}  // namespace kldiv::estimate::detail
