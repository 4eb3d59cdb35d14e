// Google Benchmark programs for the k-NN estimators (include/kldiv/estimate/knn.hpp).
//   build/bench/bench_knn --benchmark_filter=kl_divergence_knn
// kl_divergence_knn: n = m samples of N(0, I_d) and N(0.5, I_d), k = l = 5, the whole estimate
// (validation, both searches, the sum; counter kl: the estimate, the truth is d/8); bench/compare_knn.py runs it beside SciPy's cKDTree.
// search: the two neighbour searches alone (points = queries, k = 6) at the dimensions around
// detail::kd_tree_max_dimension, the measurement behind that switch.
// Arguments: n, d, threads (0: all).

#include <benchmark/benchmark.h>
#include "kldiv/estimate/knn.hpp"

#include <random>
#include <vector>

#include "src/estimate/neighbours.hpp"

namespace bench {
namespace {

std::vector<double> normal_sample(std::size_t n, std::size_t d, double mean, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(mean, 1.0);
    std::vector<double> v(n * d);
    for (double& x : v) x = z(rng);
    return v;
}

void kl_divergence_knn(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), d = static_cast<std::size_t>(state.range(1));
    const auto threads = static_cast<unsigned>(state.range(2));
    const auto x = normal_sample(n, d, 0.0, 1), y = normal_sample(n, d, 0.5, 2);
    double value = 0.0;
    for (auto _ : state) {
        value =
            kldiv::estimate::kl_divergence_knn({x.data(), n, d}, {y.data(), n, d}, {.k = 5, .threads = threads}).value;
        benchmark::DoNotOptimize(value);
    }
    state.counters["kl"] = value;  // the truth is d/8
}

template <kldiv::estimate::detail::neighbour_search how>
void search(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), d = static_cast<std::size_t>(state.range(1));
    const auto threads = static_cast<unsigned>(state.range(2));
    const auto x = normal_sample(n, d, 0.0, 1);
    std::vector<double> out(n);
    const kldiv::matrix_view<const double> points(x.data(), n, d);
    for (auto _ : state) {
        kldiv::estimate::detail::kth_positive_squared_distances(points, points, 6, threads, out, how);
        benchmark::DoNotOptimize(out.data());
    }
}

}  // namespace
}  // namespace bench

BENCHMARK(bench::kl_divergence_knn)
    ->ArgNames({"n", "d", "threads"})
    ->ArgsProduct({{100000}, {1, 2, 5, 10}, {2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
// The searches at the dimensions around the switch.
void search_shapes(benchmark::internal::Benchmark* b) {
    b->ArgNames({"n", "d", "threads"})->ArgsProduct({{20000}, {6, 8, 10, 12, 16, 24}, {2}});
    b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(bench::search<kldiv::estimate::detail::neighbour_search::kd_tree>)
    ->Name("search/kd_tree")
    ->Apply(search_shapes);
BENCHMARK(bench::search<kldiv::estimate::detail::neighbour_search::brute_force>)
    ->Name("search/brute_force")
    ->Apply(search_shapes);
BENCHMARK_MAIN();
