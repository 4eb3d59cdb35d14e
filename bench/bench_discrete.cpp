// Google Benchmark programs for the core measures on one pair of probability vectors, plus the
// machine's streaming read bandwidth measured the same way (the bound a memory-bound kernel meets).
//   build/bench/bench_discrete --benchmark_min_time=0.5
// bench/compare_peers.py runs this beside NumPy and SciPy and prints the ratios.

#include <benchmark/benchmark.h>
#include "kldiv/kldiv.hpp"

#include <numeric>
#include <random>
#include <vector>

namespace {

template <class T>
std::vector<T> random_distribution(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(n);
    for (double& x : v) x = u(rng);
    const double s = std::accumulate(v.begin(), v.end(), 0.0);
    std::vector<T> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(v[i] / s);
    return out;
}

template <class T>
void set_counters(benchmark::State& state, std::size_t vectors) {
    const auto n = static_cast<std::int64_t>(state.range(0));
    state.SetItemsProcessed(state.iterations() * n);
    state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(vectors * sizeof(T)));
}

template <class T>
void kl_divergence(benchmark::State& state) {
    const auto p = random_distribution<T>(state.range(0), 1), q = random_distribution<T>(state.range(0), 2);
    for (auto _ : state) benchmark::DoNotOptimize(kldiv::kl_divergence(p, q));
    set_counters<T>(state, 2);
}

template <class T>
void entropy(benchmark::State& state) {
    const auto p = random_distribution<T>(state.range(0), 1);
    for (auto _ : state) benchmark::DoNotOptimize(kldiv::entropy(p));
    set_counters<T>(state, 1);
}

template <class T>
void js_divergence(benchmark::State& state) {
    const auto p = random_distribution<T>(state.range(0), 1), q = random_distribution<T>(state.range(0), 2);
    for (auto _ : state) benchmark::DoNotOptimize(kldiv::js_divergence(p, q));
    set_counters<T>(state, 2);
}

void compare(benchmark::State& state) {
    const auto p = random_distribution<double>(state.range(0), 1), q = random_distribution<double>(state.range(0), 2);
    for (auto _ : state) benchmark::DoNotOptimize(kldiv::compare(p, q));
    set_counters<double>(state, 2);
}

// Streaming read of two double vectors: the memory-bandwidth bound for the same bytes.
void read_bandwidth(benchmark::State& state) {
    const auto p = random_distribution<double>(state.range(0), 1), q = random_distribution<double>(state.range(0), 2);
    for (auto _ : state) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (std::size_t i = 0; i + 1 < p.size(); i += 2) {
            s0 += p[i];
            s1 += q[i];
            s2 += p[i + 1];
            s3 += q[i + 1];
        }
        benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
    }
    set_counters<double>(state, 2);
}

constexpr std::int64_t small = 1000, large = 1000000;

}  // namespace

BENCHMARK(kl_divergence<double>)->Arg(small)->Arg(large);
BENCHMARK(kl_divergence<float>)->Arg(small)->Arg(large);
BENCHMARK(entropy<double>)->Arg(small)->Arg(large);
BENCHMARK(js_divergence<double>)->Arg(small)->Arg(large);
BENCHMARK(compare)->Arg(small)->Arg(large);
BENCHMARK(read_bandwidth)->Arg(large)->Arg(16 * large);

BENCHMARK_MAIN();
