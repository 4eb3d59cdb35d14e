// k-th positive nearest-neighbour distances: a merge on the sorted line, a nanoflann k-d tree and a
// blocked brute force (conventions in neighbours.hpp). Each search is first prepared (the sort, the
// tree, the blocks), the preparations of the jobs running side by side, then the queries of all
// jobs are shared by the threads in runs. Each query keeps the k smallest positive squared
// distances seen, ascending, in a per-worker buffer; what a query gets does not depend on the
// worker, the run or the other jobs.

#include "src/estimate/neighbours.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include <nanoflann.hpp>

#include "src/common/parallel.hpp"
#include "src/common/progress_counter.hpp"
#include "src/estimate/nearest_kernels.hpp"

namespace kldiv::estimate::detail {
namespace {

constexpr double unseen = std::numeric_limits<double>::infinity();

double kth(std::span<const double> best) {
    return best.back() == unseen ? std::numeric_limits<double>::quiet_NaN() : best.back();
}

// A job ready to answer its queries in runs [first, first + queries_per_run).
class prepared_search {
public:
    static constexpr std::size_t queries_per_run = 128;

    prepared_search(const neighbour_job& job, unsigned workers)
        : job_(job), best_(workers, std::vector<double>(queries_per_run * job.k)) {}
    virtual ~prepared_search() = default;
    std::size_t runs() const { return (job_.queries.rows + queries_per_run - 1) / queries_per_run; }
    // Searches run `index`; returns its number of queries.
    std::size_t run(std::size_t index, unsigned worker) {
        const std::size_t first = index * queries_per_run;
        const std::size_t count = std::min(queries_per_run, job_.queries.rows - first);
        std::vector<double>& best = best_[worker];
        std::fill(best.begin(), best.end(), unseen);
        search(first, count, best);
        return count;
    }

protected:
    // Fills best[j·k, (j + 1)·k) for the queries first + j and writes job().out.
    virtual void search(std::size_t first, std::size_t count, std::span<double> best) = 0;
    const neighbour_job& job() const { return job_; }

private:
    neighbour_job job_;
    std::vector<std::vector<double>> best_;
};

// d = 1: the points sorted once; from a query's place among them, the k-th positive distance is
// the k-th step of a merge of the two sides (equal points skipped).
class line_search final : public prepared_search {
public:
    line_search(const neighbour_job& job, unsigned workers) : prepared_search(job, workers), sorted_(job.points.rows) {
        for (std::size_t p = 0; p < job.points.rows; ++p) sorted_[p] = job.points.row(p)[0];
        std::sort(sorted_.begin(), sorted_.end());
    }

private:
    void search(std::size_t first, std::size_t count, std::span<double>) override {
        for (std::size_t q = first; q < first + count; ++q) job().out[q] = kth_from(job().queries.row(q)[0]);
    }
    double kth_from(double a) const {
        auto left = std::lower_bound(sorted_.begin(), sorted_.end(), a);  // points before it are < a
        auto right = std::upper_bound(left, sorted_.end(), a);            // points from it are > a
        double s = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t taken = 0; taken < job().k; ++taken) {
            const bool has_left = left != sorted_.begin(), has_right = right != sorted_.end();
            if (!has_left && !has_right) return std::numeric_limits<double>::quiet_NaN();
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
        return s;
    }

    std::vector<double> sorted_;
};

// nanoflann's result-set interface over keep_if_nearer.
class positive_neighbours {
public:
    using DistanceType = double;
    using IndexType = std::size_t;
    using CountType = std::size_t;

    explicit positive_neighbours(std::span<double> best) : best_(best) {}
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
    bool kdtree_get_bbox(Box&) const {
        return false;
    }
};

constexpr std::size_t leaf_size = 16;

// A k-d tree over the points. It then reads them from a copy in its own order (the index holds
// `data_` by reference), so that a leaf's points lie together in memory, and the queries run in
// the order of the leaves they fall in, so that consecutive queries visit the same nodes.
template <int Dimension>
class tree_search final : public prepared_search {
    using tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, dataset, double, std::size_t>,
                                                     dataset, Dimension, std::size_t>;

public:
    tree_search(const neighbour_job& job, unsigned workers)
        : prepared_search(job, workers), data_{job.points},
          index_(job.points.cols, data_, nanoflann::KDTreeSingleIndexAdaptorParams(leaf_size)) {
        const std::size_t d = job.points.cols;
        ordered_.resize(job.points.rows * d);
        for (std::size_t t = 0; t < job.points.rows; ++t) {
            std::copy_n(job.points.row(index_.vAcc[t]), d, ordered_.data() + t * d);
        }
        data_.rows = matrix_view<const double>(ordered_.data(), job.points.rows, d);
        std::iota(index_.vAcc.begin(), index_.vAcc.end(), std::size_t{0});
        order_queries_by_leaf();
    }

private:
    void search(std::size_t first, std::size_t count, std::span<double> best) override {
        const std::size_t k = job().k;
        for (std::size_t j = first; j < first + count; ++j) {
            const std::size_t q = order_[j];
            const std::span<double> list = best.subspan((j - first) * k, k);
            positive_neighbours result(list);
            index_.findNeighbors(result, job().queries.row(q), nanoflann::SearchParams());
            job().out[q] = kth(list);
        }
    }

    // Each query goes down the side the search visits first; a counting sort by leaf.
    void order_queries_by_leaf() {
        const matrix_view<const double> queries = job().queries;
        std::vector<std::size_t> leaf(queries.rows), start(index_.vAcc.size() + 1, 0);
        for (std::size_t q = 0; q < queries.rows; ++q) {
            const auto* node = index_.root_node;
            while (node->child1 != nullptr) {
                const auto& split = node->node_type.sub;
                const double v = queries.row(q)[split.divfeat];
                node = (v - split.divlow) + (v - split.divhigh) < 0 ? node->child1 : node->child2;
            }
            leaf[q] = node->node_type.lr.left;
            ++start[leaf[q] + 1];
        }
        std::partial_sum(start.begin(), start.end(), start.begin());
        order_.resize(queries.rows);
        for (std::size_t q = 0; q < queries.rows; ++q) order_[start[leaf[q]]++] = q;
    }

    dataset data_;
    tree index_;
    std::vector<double> ordered_;
    std::vector<std::size_t> order_;
};

// Blocked brute force: the points copied once into blocks of coordinate-major rows (a block fits
// the L1 cache); each query of a run visits every block in order.
class brute_force_search final : public prepared_search {
public:
    brute_force_search(const neighbour_job& job, unsigned workers) : prepared_search(job, workers) {
        const std::size_t d = job.points.cols;
        constexpr std::size_t granule = point_block_granule, block_bytes = 16384;
        stride_ = std::max(granule, block_bytes / (sizeof(double) * d) / granule * granule);
        blocks_ = (job.points.rows + stride_ - 1) / stride_;
        coordinates_.assign(blocks_ * d * stride_, std::numeric_limits<double>::quiet_NaN());
        for (std::size_t p = 0; p < job.points.rows; ++p) {
            double* block = coordinates_.data() + p / stride_ * d * stride_ + p % stride_;
            for (std::size_t j = 0; j < d; ++j) block[j * stride_] = job.points.row(p)[j];
        }
    }

private:
    void search(std::size_t first, std::size_t count, std::span<double> best) override {
        const std::size_t d = job().points.cols, k = job().k;
        for (std::size_t b = 0; b < blocks_; ++b) {
            const point_block block{coordinates_.data() + b * d * stride_, stride_, d};
            for (std::size_t j = 0; j < count; ++j) {
                keep_nearer_in_block(block, job().queries.row(first + j), best.subspan(j * k, k));
            }
        }
        for (std::size_t j = 0; j < count; ++j) job().out[first + j] = kth(best.subspan(j * k, k));
    }

    std::size_t stride_ = 0, blocks_ = 0;
    std::vector<double> coordinates_;
};

std::unique_ptr<prepared_search> prepare(const neighbour_job& job, unsigned workers, neighbour_search search) {
    const std::size_t d = job.points.cols;
    if (search == neighbour_search::automatic) {
        search = d == 1                       ? neighbour_search::sorted_line
                 : d <= kd_tree_max_dimension ? neighbour_search::kd_tree
                                              : neighbour_search::brute_force;
    }
    if (search == neighbour_search::sorted_line) return std::make_unique<line_search>(job, workers);
    if (search == neighbour_search::brute_force) return std::make_unique<brute_force_search>(job, workers);
    using make_tree = std::unique_ptr<prepared_search> (*)(const neighbour_job&, unsigned);
    // tree_search<d> for d = 1..kd_tree_max_dimension (the dimension known to the compiler).
    static constexpr auto fixed = []<std::size_t... D>(std::index_sequence<D...>) {
        return std::array<make_tree, sizeof...(D)>{
            [](const neighbour_job& j, unsigned w) -> std::unique_ptr<prepared_search> {
                return std::make_unique<tree_search<static_cast<int>(D) + 1>>(j, w);
            }...};
    }
    (std::make_index_sequence<kd_tree_max_dimension>{});
    if (d <= fixed.size()) return fixed[d - 1](job, workers);
    return std::make_unique<tree_search<-1>>(job, workers);
}

}  // namespace

void kth_positive_squared_distances(std::span<const neighbour_job> jobs, unsigned threads, neighbour_search search,
                                    const progress_callback& progress) {
    const unsigned workers = kldiv::detail::worker_count(threads);
    std::vector<std::unique_ptr<prepared_search>> prepared(jobs.size());
    kldiv::detail::parallel_for(jobs.size(), workers,
                                [&](std::size_t j, unsigned) { prepared[j] = prepare(jobs[j], workers, search); });
    // The searches, counted once the trees are built (their rate then tells the time left).
    std::uint64_t queries = 0;
    for (const neighbour_job& job : jobs) queries += job.queries.rows;
    kldiv::detail::progress_counter done(progress, queries);
    std::vector<std::size_t> first_run(jobs.size() + 1, 0);  // the runs of job j: [first_run[j], first_run[j + 1])
    for (std::size_t j = 0; j < jobs.size(); ++j) first_run[j + 1] = first_run[j] + prepared[j]->runs();
    kldiv::detail::parallel_for(first_run.back(), workers, [&](std::size_t run, unsigned worker) {
        const std::size_t j =
            static_cast<std::size_t>(std::upper_bound(first_run.begin(), first_run.end(), run) - first_run.begin()) - 1;
        done.add(prepared[j]->run(run - first_run[j], worker));
    });
}

void kth_positive_squared_distances(matrix_view<const double> points, matrix_view<const double> queries, std::size_t k,
                                    unsigned threads, std::span<double> out, neighbour_search search) {
    const neighbour_job job{points, queries, k, out};
    kth_positive_squared_distances(std::span(&job, 1), threads, search);
}

}  // namespace kldiv::estimate::detail
