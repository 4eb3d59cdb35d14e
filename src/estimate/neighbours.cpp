// k-th positive nearest-neighbour distances: a nanoflann k-d tree and a blocked brute force
// (conventions in neighbours.hpp). Each query keeps the k smallest positive squared distances seen,
// ascending, in a per-worker buffer; what a query gets does not depend on the worker or the block.

#include "src/estimate/neighbours.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <nanoflann.hpp>

#include "src/batch/parallel.hpp"

namespace kldiv::estimate::detail {
namespace {

constexpr double unseen = std::numeric_limits<double>::infinity();

// Puts s into the ascending list `best` (dropping its last entry) if 0 < s < best.back().
inline void keep_if_nearer(std::span<double> best, double s) {
    if (!(s > 0.0 && s < best.back())) return;
    std::size_t i = best.size() - 1;
    for (; i > 0 && best[i - 1] > s; --i) best[i] = best[i - 1];
    best[i] = s;
}

inline double kth(std::span<const double> best) {
    return best.back() == unseen ? std::numeric_limits<double>::quiet_NaN() : best.back();
}

// nanoflann's result-set interface over keep_if_nearer.
class positive_neighbours {
public:
    using DistanceType = double;
    using IndexType = std::size_t;
    using CountType = std::size_t;

    explicit positive_neighbours(std::span<double> best) : best_(best) { std::fill(best.begin(), best.end(), unseen); }
    bool addPoint(double s, std::size_t /*index*/) {
        keep_if_nearer(best_, s);
        return true;
    }
    double worstDist() const { return best_.back(); }
    bool full() const { return best_.back() != unseen; }
    std::size_t size() const { return best_.size(); }

private:
    std::span<double> best_;
};

// The rows of a matrix_view as nanoflann's dataset.
struct dataset {
    matrix_view<const double> rows;
    std::size_t kdtree_get_point_count() const { return rows.rows; }
    double kdtree_get_pt(std::size_t i, std::size_t j) const { return rows.data[i * rows.row_stride + j]; }
    template <class Box>
    bool kdtree_get_bbox(Box&) const { return false; }
};

constexpr std::size_t tree_queries_per_item = 256;
constexpr std::size_t leaf_size = 16;

template <int Dimension>
using tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, dataset, double, std::size_t>,
                                                 dataset, Dimension, std::size_t>;

// Queries run in the order of a k-d tree's leaves over them, so that consecutive queries visit the
// same nodes (the cache); the order changes no result.
template <int Dimension>
void search_tree(matrix_view<const double> points, matrix_view<const double> queries, std::size_t k,
                 unsigned workers, std::span<double> out) {
    const dataset data{points}, query_data{queries};
    const tree<Dimension> index(points.cols, data, nanoflann::KDTreeSingleIndexAdaptorParams(leaf_size));
    const std::vector<std::size_t> order =
        queries.data == points.data && queries.rows == points.rows
            ? index.vAcc
            : tree<Dimension>(queries.cols, query_data, nanoflann::KDTreeSingleIndexAdaptorParams(leaf_size)).vAcc;
    std::vector<std::vector<double>> best(workers, std::vector<double>(k));
    const std::size_t items = (queries.rows + tree_queries_per_item - 1) / tree_queries_per_item;
    kldiv::detail::parallel_for(items, workers, [&](std::size_t item, unsigned worker) {
        const std::size_t end = std::min(queries.rows, (item + 1) * tree_queries_per_item);
        for (std::size_t j = item * tree_queries_per_item; j < end; ++j) {
            const std::size_t q = order[j];
            positive_neighbours result(best[worker]);
            index.findNeighbors(result, queries.row(q), nanoflann::SearchParams());
            out[q] = kth(best[worker]);
        }
    });
}

// d = 1: the points sorted once; from a query's place among them, the k-th positive distance is
// the k-th step of a merge of the two sides (equal points skipped).
void search_line(matrix_view<const double> points, matrix_view<const double> queries, std::size_t k,
                 unsigned workers, std::span<double> out) {
    std::vector<double> sorted(points.rows);
    for (std::size_t p = 0; p < points.rows; ++p) sorted[p] = points.row(p)[0];
    std::sort(sorted.begin(), sorted.end());
    const std::size_t items = (queries.rows + tree_queries_per_item - 1) / tree_queries_per_item;
    kldiv::detail::parallel_for(items, workers, [&](std::size_t item, unsigned) {
        const std::size_t end = std::min(queries.rows, (item + 1) * tree_queries_per_item);
        for (std::size_t q = item * tree_queries_per_item; q < end; ++q) {
            const double a = queries.row(q)[0];
            auto left = std::lower_bound(sorted.begin(), sorted.end(), a);  // points before it are < a
            auto right = std::upper_bound(left, sorted.end(), a);            // points from it are > a
            double s = std::numeric_limits<double>::quiet_NaN();
            for (std::size_t taken = 0; taken < k; ++taken) {
                const bool has_left = left != sorted.begin(), has_right = right != sorted.end();
                if (!has_left && !has_right) {
                    s = std::numeric_limits<double>::quiet_NaN();
                    break;
                }
                const double below = has_left ? (a - left[-1]) * (a - left[-1]) : unseen;
                const double above = has_right ? (a - *right) * (a - *right) : unseen;
                if (below <= above) {
                    s = below;
                    --left;
                } else {
                    s = above;
                    ++right;
                }
            }
            out[q] = s;
        }
    });
}

constexpr std::size_t brute_queries_per_block = 64;

void search_brute_force(matrix_view<const double> points, matrix_view<const double> queries, std::size_t k,
                        unsigned workers, std::span<double> out) {
    constexpr std::size_t width = brute_queries_per_block;
    const std::size_t d = points.cols;
    struct scratch {
        std::vector<double> transposed, sums, best;
    };
    std::vector<scratch> buffers(workers, scratch{std::vector<double>(d * width), std::vector<double>(width),
                                                  std::vector<double>(width * k)});
    const std::size_t blocks = (queries.rows + width - 1) / width;
    kldiv::detail::parallel_for(blocks, workers, [&](std::size_t block, unsigned worker) {
        auto& [transposed, sums, best] = buffers[worker];
        const std::size_t first = block * width, count = std::min(width, queries.rows - first);
        std::fill(transposed.begin(), transposed.end(), 0.0);
        for (std::size_t q = 0; q < count; ++q) {
            for (std::size_t j = 0; j < d; ++j) transposed[j * width + q] = queries.row(first + q)[j];
        }
        std::fill(best.begin(), best.end(), unseen);
        for (std::size_t p = 0; p < points.rows; ++p) {
            const double* point = points.row(p);
            std::fill(sums.begin(), sums.end(), 0.0);
            for (std::size_t j = 0; j < d; ++j) {
                const double coordinate = point[j];
                const double* column = transposed.data() + j * width;
                for (std::size_t q = 0; q < width; ++q) {
                    const double difference = column[q] - coordinate;
                    sums[q] += difference * difference;
                }
            }
            for (std::size_t q = 0; q < count; ++q) keep_if_nearer(std::span(best).subspan(q * k, k), sums[q]);
        }
        for (std::size_t q = 0; q < count; ++q) out[first + q] = kth(std::span(best).subspan(q * k, k));
    });
}

}  // namespace

void kth_positive_squared_distances(matrix_view<const double> points, matrix_view<const double> queries,
                                    std::size_t k, unsigned threads, std::span<double> out, neighbour_search search) {
    const unsigned workers = kldiv::detail::worker_count(threads);
    if (search == neighbour_search::automatic) {
        search = points.cols == 1                       ? neighbour_search::sorted_line
                 : points.cols <= kd_tree_max_dimension ? neighbour_search::kd_tree
                                                        : neighbour_search::brute_force;
    }
    if (search == neighbour_search::sorted_line) return search_line(points, queries, k, workers, out);
    if (search == neighbour_search::brute_force) return search_brute_force(points, queries, k, workers, out);
    using tree_search = void (*)(matrix_view<const double>, matrix_view<const double>, std::size_t, unsigned,
                                 std::span<double>);
    // search_tree<d> for d = 1..kd_tree_max_dimension (the dimension known to the compiler).
    static constexpr auto fixed = []<std::size_t... D>(std::index_sequence<D...>) {
        return std::array<tree_search, sizeof...(D)>{&search_tree<static_cast<int>(D) + 1>...};
    }(std::make_index_sequence<kd_tree_max_dimension>{});
    if (points.cols <= fixed.size()) return fixed[points.cols - 1](points, queries, k, workers, out);
    search_tree<-1>(points, queries, k, workers, out);
}

}  // namespace kldiv::estimate::detail
