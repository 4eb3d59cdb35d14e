#pragma once
// k-th nearest neighbour distances for the k-NN estimators (include/kldiv/estimate/knn.hpp).
//
// For every row q of `queries`: the k-th smallest of the positive squared Euclidean distances
// s(q, p) = Σ_j (q_j − p_j)², j = 0..d−1 in order, over the rows p of `points`, counted with
// repetition. Points equal to q (q itself when the queries are the points) are skipped. A row with
// fewer than k points at positive distance gets NaN (the caller names it in its error).
//
// Three searches, equal bit for bit: at d = 1 a merge outward from the query's place among the
// sorted points; a k-d tree (nanoflann, reading a copy of the points in its leaf order); and a blocked brute force
// (the points copied into cache-sized coordinate-major blocks, a SIMD kernel running across points
// without changing each sum's order: nearest_kernels.hpp). Threads take runs of queries.

#include <cstddef>
#include <span>

#include "kldiv/progress.hpp"
#include "kldiv/views.hpp"

namespace kldiv::estimate::detail {

// sorted_line: d = 1 only (automatic there).
enum class neighbour_search { automatic, sorted_line, kd_tree, brute_force };

// The dimension up to which `automatic` uses the k-d tree: on normal samples the brute force is
// faster from d = 9 on, at n = 2·10⁴ to 2·10⁵ (bench/bench_knn.cpp, docs/performance.md).
inline constexpr std::size_t kd_tree_max_dimension = 8;

// One search: out.size() == queries.rows; points.cols == queries.cols >= 1; k >= 1.
struct neighbour_job {
    matrix_view<const double> points, queries;
    std::size_t k = 1;
    std::span<double> out;
};

// The jobs run together: their searches are prepared side by side (a thread each), then their
// queries share the threads.
// `progress` counts the queries done, of all jobs' queries.
void kth_positive_squared_distances(std::span<const neighbour_job> jobs, unsigned threads,
                                    neighbour_search search = neighbour_search::automatic,
                                    const progress_callback& progress = {});

void kth_positive_squared_distances(matrix_view<const double> points, matrix_view<const double> queries, std::size_t k,
                                    unsigned threads, std::span<double> out,
                                    neighbour_search search = neighbour_search::automatic);

}  // namespace kldiv::estimate::detail
