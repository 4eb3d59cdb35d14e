#pragma once
// The progress of long work on stderr (kldiv/progress.hpp): units done out of all, their rate, GB/s
// of input when the work reads input, and the time left. On a terminal one line rewritten in place,
// at most 5 times a second; with --progress and stderr not a terminal (a log, nohup, CI), one line
// every 10 seconds; with --no-progress (alias --quiet), or stderr not a terminal and no --progress, nothing. The last
// report (done == total) is always printed; rates and times count from the report of the start.

#include "kldiv/progress.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>

namespace kldiv::cli {

// --progress and --no-progress (alias --quiet) of a command that can run long.
struct progress_choice {
    bool force = false, quiet = false;
};
void add_progress_options(CLI::App* command, progress_choice& choice);

class progress_line {
public:
    // `label` starts the line ("bootstrap"), `unit` names what is counted ("resamples").
    progress_line(const progress_choice& choice, std::string label, std::string unit);
    void operator()(const progress& p);

private:
    using clock = std::chrono::steady_clock;
    enum class display { none, terminal, lines } display_;
    std::string label_, unit_;
    clock::time_point start_ = clock::now();
    double last_ = -1e9;
};

}  // namespace kldiv::cli
