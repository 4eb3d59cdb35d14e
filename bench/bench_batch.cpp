// Google Benchmark programs for the batched measures (include/kldiv/batch.hpp) on N×V matrices,
// with the two bounds of the roofline measured the same way in the same run:
//   - read_bandwidth: a streaming read of the same bytes over the same threads;
//   - exp_throughput: the float exponential of the logits kernel (detail::exp_non_positive) over
//     data in L1 — the transcendental it evaluates once per event of float rows when the rows are
//     close (twice, with expm1, when they are far) — on the same threads.
//   build/bench/bench_batch --benchmark_filter=logits
// bench/compare_batch.py runs this beside PyTorch and SciPy and prints the ratios.
// Arguments: rows, cols, threads (0: all).

#include <benchmark/benchmark.h>
#include "kldiv/batch.hpp"

#include <atomic>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "src/batch/block_kernels.hpp"

namespace bench {
namespace {

unsigned threads_of(std::int64_t t) { return t > 0 ? static_cast<unsigned>(t) : std::thread::hardware_concurrency(); }

// Logits a ~ N(0, 2²); b = a + 0.01·N(0, 1) ("near": a quantized model) or independent ("far").
std::vector<float> logits(std::size_t n, std::uint64_t seed, const std::vector<float>* near) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> z(0.0f, 1.0f);
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = near ? (*near)[i] + 0.01f * z(rng) : 2.0f * z(rng);
    return v;
}

void counters(benchmark::State& state, std::size_t bytes_per_event) {
    const auto events = state.range(0) * state.range(1);
    state.SetItemsProcessed(state.iterations() * events);
    state.SetBytesProcessed(state.iterations() * events * static_cast<std::int64_t>(bytes_per_event));
}

void logits_kl(benchmark::State& state, bool near) {
    const auto rows = static_cast<std::size_t>(state.range(0)), cols = static_cast<std::size_t>(state.range(1));
    const auto a = logits(rows * cols, 1, nullptr);
    const auto b = logits(rows * cols, 2, near ? &a : nullptr);
    std::vector<double> out(rows);
    const kldiv::batch_options o{.input = kldiv::input_kind::logits, .rows = {.threads = threads_of(state.range(2))}};
    for (auto _ : state) {
        kldiv::kl_divergence_rows({a.data(), rows, cols}, {b.data(), rows, cols}, out, o);
        benchmark::DoNotOptimize(out.data());
    }
    counters(state, 2 * sizeof(float));
}
void logits_kl_near(benchmark::State& state) { logits_kl(state, true); }
void logits_kl_far(benchmark::State& state) { logits_kl(state, false); }

void probs_kl(benchmark::State& state) {
    const auto rows = static_cast<std::size_t>(state.range(0)), cols = static_cast<std::size_t>(state.range(1));
    const auto a = logits(rows * cols, 1, nullptr), b = logits(rows * cols, 2, &a);
    std::vector<double> p(rows * cols), q(rows * cols);
    for (std::size_t i = 0; i < rows; ++i) {
        double sp = 0.0, sq = 0.0;
        for (std::size_t j = i * cols; j < (i + 1) * cols; ++j) {
            sp += p[j] = std::exp(static_cast<double>(a[j]));
            sq += q[j] = std::exp(static_cast<double>(b[j]));
        }
        for (std::size_t j = i * cols; j < (i + 1) * cols; ++j) {
            p[j] /= sp;
            q[j] /= sq;
        }
    }
    std::vector<double> out(rows);
    const kldiv::batch_options o{.rows = {.threads = threads_of(state.range(2))}};
    for (auto _ : state) {
        kldiv::kl_divergence_rows({p.data(), rows, cols}, {q.data(), rows, cols}, out, o);
        benchmark::DoNotOptimize(out.data());
    }
    counters(state, 2 * sizeof(double));
}

// Streaming read of rows × cols × bytes_per_event bytes (range 3) split over the threads.
void read_bandwidth(benchmark::State& state) {
    const std::size_t n = static_cast<std::size_t>(state.range(0) * state.range(1) * state.range(3)) / sizeof(double);
    const std::vector<double> v(n, 1.0);
    const unsigned threads = threads_of(state.range(2));
    for (auto _ : state) {
        std::vector<std::thread> pool;
        std::atomic<double> total{0.0};
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                const std::size_t lo = n * t / threads, hi = n * (t + 1) / threads;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (std::size_t i = lo; i + 3 < hi; i += 4) {
                    s0 += v[i];
                    s1 += v[i + 1];
                    s2 += v[i + 2];
                    s3 += v[i + 3];
                }
                total.fetch_add(s0 + s1 + s2 + s3);
            });
        }
        for (auto& th : pool) th.join();
        benchmark::DoNotOptimize(total.load());
    }
    counters(state, static_cast<std::size_t>(state.range(3)));
}

// rows × cols float exponentials over the threads, from a 1 KiB buffer each (L1).
void exp_throughput(benchmark::State& state) {
    const std::size_t events = static_cast<std::size_t>(state.range(0) * state.range(1));
    const unsigned threads = threads_of(state.range(2));
    std::vector<float> x(256);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = -10.0f * static_cast<float>(i) / 256.0f;
    const std::size_t rounds = events / x.size() / threads + 1;
    for (auto _ : state) {
        std::vector<std::thread> pool;
        std::atomic<double> total{0.0};
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back([&] {
                std::vector<float> out(x.size());
                double sum = 0.0;
                for (std::size_t r = 0; r < rounds; ++r) {
                    kldiv::detail::exp_non_positive(x.data(), out.data(), out.size());
                    sum += out[r % out.size()];
                }
                total.fetch_add(sum);
            });
        }
        for (auto& th : pool) th.join();
        benchmark::DoNotOptimize(total.load());
    }
    counters(state, 0);
}

// The shapes (N × V), each at 1 and 2 threads.
void shapes(benchmark::internal::Benchmark* b, std::int64_t bytes_per_event = -1) {
    for (const auto& [rows, cols] : {std::pair{1, 256000}, {64, 32000}, {64, 256000}, {1024, 32000}}) {
        for (const int threads : {1, 2}) {
            if (bytes_per_event < 0) {
                b->Args({rows, cols, threads});
            } else {
                b->Args({rows, cols, threads, bytes_per_event});
            }
        }
    }
    if (bytes_per_event < 0) {
        b->ArgNames({"rows", "cols", "threads"});
    } else {
        b->ArgNames({"rows", "cols", "threads", "bytes"});
    }
    b->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace bench

BENCHMARK(bench::logits_kl_near)->Apply([](auto* b) { bench::shapes(b); });
BENCHMARK(bench::logits_kl_far)->Apply([](auto* b) { bench::shapes(b); });
BENCHMARK(bench::probs_kl)->Apply([](auto* b) { bench::shapes(b); });
BENCHMARK(bench::exp_throughput)->Apply([](auto* b) { bench::shapes(b); });
BENCHMARK(bench::read_bandwidth)->Apply([](auto* b) { bench::shapes(b, 8); });
BENCHMARK_MAIN();
