#pragma once
// A minimal fork-join loop: items [0, n) are taken in order from a shared counter by `workers`
// threads (the caller is one of them). Results must not depend on which worker runs an item.
//
// The one exception transport for worker threads: an exception thrown by body stops the handing
// out of items, every thread is joined, and the caller rethrows it. Items are handed out in order,
// so when item i fails every item below i has already started; of those that fail, the exception of
// the lowest item is rethrown — the same one a single thread would throw, whatever the thread count.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace kldiv::detail {

// The most threads any kldiv loop runs: a larger request (threads = 100000, 2^32 − 1) means this
// many. Results do not depend on the thread count, so the clamp changes only the speed.
inline constexpr unsigned max_threads = 1024;

// Below this many elements (events, coordinates) of work a call runs on one thread: starting
// threads would cost more than they save.
inline constexpr std::size_t parallel_threshold = std::size_t{1} << 15;

// Threads for a request: 0 means one per hardware thread; at most max_threads.
inline unsigned worker_count(unsigned requested) noexcept {
    const unsigned n = requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
    return std::min(n, max_threads);
}

// Threads for a request over n items: worker_count(requested), at most n (at least 1). Size
// per-thread scratch with this, not with the request.
inline unsigned worker_count(unsigned requested, std::size_t n) noexcept {
    return static_cast<unsigned>(std::clamp<std::size_t>(n, 1, worker_count(requested)));
}

// Calls body(item, worker) for every item; worker < min(workers, n, max_threads) identifies
// per-thread scratch. Rethrows the exception of the lowest failing item (see above).
template <class Body>
void parallel_for(std::size_t n, unsigned workers, Body&& body) {
    workers = worker_count(std::max(workers, 1u), n);
    if (workers <= 1) {
        for (std::size_t i = 0; i < n; ++i) body(i, 0u);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::size_t failed_item = n;
    std::exception_ptr failure;
    const auto run = [&](unsigned worker) noexcept {
        while (!stop.load(std::memory_order_relaxed)) {
            const std::size_t i = next.fetch_add(1);
            if (i >= n) return;
            try {
                body(i, worker);
            } catch (...) {
                const std::lock_guard lock(mutex);
                if (i < failed_item) {
                    failed_item = i;
                    failure = std::current_exception();
                }
                stop.store(true);
            }
        }
    };
    {
        std::vector<std::jthread> helpers;
        try {
            helpers.reserve(workers - 1);
            for (unsigned w = 1; w < workers; ++w) helpers.emplace_back(run, w);
        } catch (...) {
            // No more threads to be had (std::system_error, std::bad_alloc): those started and
            // the caller do the work.
        }
        run(0);
    }  // joins the helpers
    if (failure) std::rethrow_exception(failure);
}

}  // namespace kldiv::detail
