#pragma once
// The progress of the llm commands: one line on stderr, rewritten in place, with the rows done
// out of all, rows/s, GB/s of stored input and the time left.

#include <kldiv/llm/model_comparison.hpp>

#include <chrono>

namespace kldiv::cli {

class progress_line {
public:
    // Disabled, it prints nothing (stderr is no terminal, or --quiet).
    explicit progress_line(bool enabled) : enabled_(enabled) {}
    // Called after each block; prints at most 5 times a second, and always the last time.
    void operator()(const llm::comparison_progress& p);

private:
    using clock = std::chrono::steady_clock;
    bool enabled_;
    clock::time_point start_ = clock::now();
    double last_ = -1.0;
};

}  // namespace kldiv::cli
