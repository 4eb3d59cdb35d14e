#pragma once
// Progress of long work — bootstrap resamples, permutations, Monte Carlo samples, compared
// positions — reported to a function the caller puts in the options.
//
// The function is called when the work starts (done = 0) and as it advances (after each item,
// round or block), never from two threads at once, with `done` not decreasing; the last call has
// done == total (unless the work ends in an exception). It is called often:
// a caller that prints should limit itself (the kldiv command prints at most 5 lines a second). An
// exception it throws stops the work and reaches the caller.

#include <cstdint>
#include <functional>

namespace kldiv {

struct progress {
    std::uint64_t done = 0;   // units of work done (resamples, samples, positions)
    std::uint64_t total = 0;  // of all: the plan so far (Monte Carlo's grows once its pilot has measured the spread)
    double bytes_done = 0.0;  // input bytes read so far, for work that reads input (else 0)
};

using progress_callback = std::function<void(const progress&)>;

}  // namespace kldiv
