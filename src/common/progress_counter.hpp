#pragma once
// Counting finished items of parallel work for a progress_callback (kldiv/progress.hpp): any
// thread adds; at most one reports at a time (the others go on without waiting), `done` as
// reported never decreases, and the item that completes the total is always reported.

#include <atomic>
#include <cstdint>
#include <mutex>

#include "kldiv/progress.hpp"

namespace kldiv::detail {

class progress_counter {
public:
    // Reports the start (done = 0).
    progress_counter(const progress_callback& report, std::uint64_t total) : report_(report), total_(total) {
        if (report_) report_(progress{0, total_});
    }

    void add(std::uint64_t items = 1) {
        if (!report_) return;
        const std::uint64_t done = done_.fetch_add(items) + items;
        std::unique_lock lock(mutex_, std::defer_lock);
        if (done >= total_)
            lock.lock();  // the last report is never skipped
        else if (!lock.try_lock())
            return;
        if (done <= reported_) return;
        reported_ = done;
        report_(progress{done, total_});
    }

private:
    const progress_callback& report_;
    const std::uint64_t total_;
    std::atomic<std::uint64_t> done_{0};
    std::mutex mutex_;
    std::uint64_t reported_ = 0;
};

}  // namespace kldiv::detail
