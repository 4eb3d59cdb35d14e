// The progress line on stderr (progress_line.hpp).

#include "progress_line.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace kldiv::cli {

void progress_line::operator()(const llm::comparison_progress& p) {
    if (!enabled_) return;
    const double seconds = std::chrono::duration<double>(clock::now() - start_).count();
    if (p.rows_done < p.rows_total && seconds - last_ < 0.2) return;
    last_ = seconds;
    const double rate = p.rows_done / std::max(seconds, 1e-9);
    const double fraction = static_cast<double>(p.rows_done) / std::max<double>(1.0, p.rows_total);
    const int width = 30, filled = static_cast<int>(fraction * width);
    const double eta = rate > 0 ? (p.rows_total - p.rows_done) / rate : 0.0;
    fmt::print(stderr, "\r[{}{}] {}/{} positions, {:.0f}/s, {:.2f} GB/s, ETA {:.0f} s ", std::string(filled, '#'),
               std::string(width - filled, '.'), p.rows_done, p.rows_total, rate, p.bytes_done / seconds / 1e9, eta);
    if (p.rows_done == p.rows_total) fmt::print(stderr, "\n");
    std::fflush(stderr);
}

}  // namespace kldiv::cli
