// Google Benchmark program for include/kldiv/distributions/normal_rows.hpp: the KL term of a VAE
// (rows of N(μ, diag e^lv) against N(0, I)) and of two diagonal Gaussians, float storage, values
// and every gradient, with the memory-traffic bound measured the same way in the same run:
//   traffic_bound: the same bytes in and out (each output the sum of two inputs) over the same
//   threads — what the kernel would take if it were limited by memory alone.
//   build/bench/bench_normal_rows
// Arguments: rows, cols, threads (0: all), q (0: N(0, I); 1: a diagonal Gaussian per row).
// Per coordinate the kernel reads 2 (4) floats and writes 2 (4) gradients: 16 (32) bytes.

#include <benchmark/benchmark.h>
#include "kldiv/distributions/normal_rows.hpp"

#include <random>
#include <thread>
#include <vector>

namespace bench {
namespace {

namespace kd = kldiv::distributions;

unsigned threads_of(std::int64_t t) { return t > 0 ? static_cast<unsigned>(t) : std::thread::hardware_concurrency(); }

// Means ~ N(0, 1), log-variances uniform in [−4, 1]: an encoder's outputs.
std::vector<float> parameters(std::size_t n, std::uint64_t seed, bool log_variance) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> mean(0.0f, 1.0f);
    std::uniform_real_distribution<float> log_var(-4.0f, 1.0f);
    std::vector<float> v(n);
    for (float& x : v) x = log_variance ? log_var(rng) : mean(rng);
    return v;
}

// 4 bytes in and 4 bytes out per array and coordinate.
void counters(benchmark::State& state, std::int64_t arrays) {
    const auto coordinates = state.range(0) * state.range(1);
    state.SetItemsProcessed(state.iterations() * coordinates);
    state.SetBytesProcessed(state.iterations() * coordinates * arrays * 2 * static_cast<std::int64_t>(sizeof(float)));
}

void normal_rows_kl(benchmark::State& state) {
    const auto rows = static_cast<std::size_t>(state.range(0)), cols = static_cast<std::size_t>(state.range(1));
    const bool pair = state.range(3) != 0;
    const std::size_t n = rows * cols;
    const auto mp = parameters(n, 1, false), lvp = parameters(n, 2, true);
    const auto mq = pair ? parameters(n, 3, false) : std::vector<float>{};
    const auto lvq = pair ? parameters(n, 4, true) : std::vector<float>{};
    std::vector<float> gmp(n), glvp(n), gmq(pair ? n : 0), glvq(pair ? n : 0);
    const kd::normal_rows<float> p{{mp.data(), rows, cols}, {lvp.data(), rows, cols}};
    const kd::normal_rows<float> q =
        pair ? kd::normal_rows<float>{{mq.data(), rows, cols}, {lvq.data(), rows, cols}} : kd::normal_rows<float>{};
    kd::normal_rows_gradients<float> g{{gmp.data(), rows, cols}, {glvp.data(), rows, cols}};
    if (pair) {
        g.mean_q = {gmq.data(), rows, cols};
        g.log_var_q = {glvq.data(), rows, cols};
    }
    double loss = 0.0;
    const kd::normal_rows_options o{.reduce = kldiv::reduction::mean, .rows = {.threads = threads_of(state.range(2))}};
    for (auto _ : state) {
        kd::kl_divergence_rows(p, q, std::span<double>(&loss, 1), g, o);
        benchmark::DoNotOptimize(loss);
        benchmark::ClobberMemory();
    }
    counters(state, pair ? 4 : 2);
}

// out_k[i] = in_k[i] + in_{k+1}[i] for as many arrays as the kernel has, rows split over threads.
void traffic_bound(benchmark::State& state) {
    const auto rows = static_cast<std::size_t>(state.range(0)), cols = static_cast<std::size_t>(state.range(1));
    const std::size_t arrays = state.range(3) != 0 ? 4 : 2, n = rows * cols;
    std::vector<std::vector<float>> in(arrays), out(arrays, std::vector<float>(n));
    for (std::size_t k = 0; k < arrays; ++k) in[k] = parameters(n, 10 + k, false);
    const unsigned threads = threads_of(state.range(2));
    for (auto _ : state) {
        std::vector<std::jthread> pool;
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                const std::size_t lo = rows * t / threads * cols, hi = rows * (t + 1) / threads * cols;
                for (std::size_t k = 0; k < arrays; ++k) {
                    const float* a = in[k].data();
                    const float* b = in[(k + 1) % arrays].data();
                    float* c = out[k].data();
                    for (std::size_t i = lo; i < hi; ++i) c[i] = a[i] + b[i];
                }
            });
        }
        pool.clear();  // joins
        benchmark::ClobberMemory();
    }
    counters(state, static_cast<std::int64_t>(arrays));
}

// The shape, 4096 × 256, at 1, 2 and all threads, against N(0, I) and a Gaussian per row.
void shapes(benchmark::internal::Benchmark* b) {
    for (const int q : {0, 1}) {
        for (const int threads : {1, 2, 0}) b->Args({4096, 256, threads, q});
    }
    b->ArgNames({"rows", "cols", "threads", "q"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace bench

BENCHMARK(bench::normal_rows_kl)->Apply(bench::shapes);
BENCHMARK(bench::traffic_bound)->Apply(bench::shapes);
BENCHMARK_MAIN();
