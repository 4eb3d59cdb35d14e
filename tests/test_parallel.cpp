// parallel_for (src/common/parallel.hpp), the one exception transport for worker threads: an
// exception in any worker stops the handing out of items, every thread is joined, and the caller
// rethrows the exception of the lowest failing item, whatever the thread count; thread requests
// are clamped to max_threads and to the item count.

#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/common/parallel.hpp"

namespace {

using kldiv::detail::max_threads;
using kldiv::detail::parallel_for;
using kldiv::detail::worker_count;

TEST(ParallelFor, RunsEveryItemOnce) {
    for (const unsigned threads : {1u, 2u, 7u, 4294967295u}) {
        std::vector<std::atomic<int>> seen(1000);
        parallel_for(seen.size(), worker_count(threads), [&](std::size_t i, unsigned w) {
            EXPECT_LT(w, max_threads);
            seen[i].fetch_add(1);
        });
        for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
    }
}

TEST(ParallelFor, TheLowestFailingItemIsRethrownInTheCaller) {
    for (const unsigned threads : {1u, 2u, 4u, 16u}) {
        std::atomic<std::size_t> ran{0};
        try {
            parallel_for(100000, threads, [&](std::size_t i, unsigned) {
                ran.fetch_add(1);
                if (i == 700 || i == 701 || i == 5000) throw std::runtime_error("item " + std::to_string(i));
            });
            FAIL() << "no exception";
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()), "item 700") << threads;
        }
        EXPECT_LT(ran.load(), 100000u) << "items kept being handed out after the failure";
    }
}

TEST(ParallelFor, BadAllocInAWorkerReachesTheCaller) {
    // It used to escape the worker thread and std::terminate the program.
    EXPECT_THROW(parallel_for(64, 8,
                              [](std::size_t i, unsigned) {
                                  if (i == 3) throw std::bad_alloc();
                              }),
                 std::bad_alloc);
}

TEST(ParallelFor, ThreadRequestsAreClamped) {
    EXPECT_EQ(worker_count(4294967295u), max_threads);
    EXPECT_EQ(worker_count(100000u), 1024u);
    EXPECT_EQ(worker_count(3u), 3u);
    EXPECT_GE(worker_count(0u), 1u);
    EXPECT_EQ(worker_count(4294967295u, 10), 10u);  // per-thread scratch: at most one per item
    EXPECT_EQ(worker_count(8u, 0), 1u);
}

}  // namespace
