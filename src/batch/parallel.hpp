#pragma once
// A minimal fork-join loop: items [0, n) are taken in order from a shared counter by `workers`
// threads (the caller is one of them). Results must not depend on which worker runs an item.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace kldiv::detail {

inline unsigned worker_count(unsigned requested) noexcept {
    return requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

// Calls body(item, worker) for every item; worker < workers identifies per-thread scratch.
template <class Body>
void parallel_for(std::size_t n, unsigned workers, Body&& body) {
    workers = static_cast<unsigned>(std::min<std::size_t>(workers, n));
    if (workers <= 1) {
        for (std::size_t i = 0; i < n; ++i) body(i, 0u);
        return;
    }
    std::atomic<std::size_t> next{0};
    const auto run = [&](unsigned worker) {
        for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) body(i, worker);
    };
    std::vector<std::jthread> helpers;
    helpers.reserve(workers - 1);
    for (unsigned w = 1; w < workers; ++w) helpers.emplace_back(run, w);
    run(0);
}

}  // namespace kldiv::detail
