// The progress line on stderr (progress_line.hpp).

#include "cli/progress_line.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

namespace kldiv::cli {

void add_progress_options(CLI::App* command, progress_choice& choice) {
    CLI::Option* force = command->add_flag(
        "--progress", choice.force, "Report progress on stderr even when it is not a terminal (a line every 10 s)");
    command->add_flag("--no-progress,--quiet", choice.quiet, "No progress on stderr, even on a terminal")
        ->excludes(force);
}

progress_line::progress_line(const progress_choice& choice, std::string label, std::string unit)
    : display_(choice.quiet                 ? display::none
               : isatty(STDERR_FILENO) != 0 ? display::terminal
               : choice.force               ? display::lines
                                            : display::none),
      label_(std::move(label)), unit_(std::move(unit)) {}

void progress_line::operator()(const progress& p) {
    if (display_ == display::none) return;
    if (p.done == 0) {  // the work starts: its clock too (one command may run several)
        start_ = clock::now();
        last_ = -1e9;
        if (display_ == display::lines) return;
    }
    const double seconds = std::chrono::duration<double>(clock::now() - start_).count();
    const bool last = p.done >= p.total;
    if (!last && seconds - last_ < (display_ == display::terminal ? 0.2 : 10.0)) return;
    last_ = seconds;
    const double rate = static_cast<double>(p.done) / std::max(seconds, 1e-9);
    const double fraction = static_cast<double>(p.done) / std::max(1.0, static_cast<double>(p.total));
    std::string text = fmt::format("{}: {}/{} {}", label_, p.done, p.total, unit_);
    if (display_ == display::terminal) {
        const int width = 30, filled = std::clamp(static_cast<int>(fraction * width), 0, width);
        text = fmt::format("\r{}: [{}{}] {}/{} {}", label_, std::string(filled, '#'), std::string(width - filled, '.'),
                           p.done, p.total, unit_);
    } else {
        text += fmt::format(" ({:.0f}%)", 100 * fraction);
    }
    text += fmt::format(", {:.0f}/s", rate);
    if (p.bytes_done > 0) text += fmt::format(", {:.2f} GB/s", p.bytes_done / std::max(seconds, 1e-9) / 1e9);
    text += last ? fmt::format(", {:.1f} s", seconds)
                 : fmt::format(", ETA {:.0f} s", rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0.0);
    if (display_ == display::terminal) text += "\033[K";  // clears what a longer line left
    fmt::print(stderr, "{}{}", text, display_ == display::terminal && !last ? "" : "\n");
    std::fflush(stderr);
}

}  // namespace kldiv::cli
