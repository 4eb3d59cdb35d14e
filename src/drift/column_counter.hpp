#pragma once
// Counting one column into its bins piece by piece (row ranges or row lists, in any number of calls)
// and finishing once: what count() does in one call, for the loops that walk a table's rows in
// chunks across its columns (drift.cpp), so that each chunk of a row-major array is read while it is
// in cache.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "kldiv/drift/bins.hpp"

namespace kldiv::drift::detail {

// The fine bin of a value (the number of edges <= v) through a grid of cells over [first edge, last
// edge]: each cell knows the bins its values can have, [low, high], exactly (the cell of a value is a
// monotone function of it, so an edge in a lower cell is below the value and one in a higher cell
// above); at most 3 edges in between are compared without branches, more are searched. Quantile
// edges put about one edge in a cell wherever the data are, so a value costs a multiplication, a
// table load and three comparisons.
class bin_finder {
public:
    explicit bin_finder(std::span<const double> edges);
    std::size_t operator()(double v) const noexcept {  // v not NaN
        if (n_ < 2) return n_ == 1 && edges_[0] <= v ? 1 : 0;
        if (!(v >= edges_[0])) return 0;
        const double t = (v - edges_[0]) * scale_;
        const std::size_t c = t < last_cell_ ? static_cast<std::size_t>(t) : cells_ - 1;
        std::size_t lo = low_[c];
        const std::size_t hi = high_[c];
        if (hi - lo <= 3) {
            const double* e = edges_.data() + lo;
            return lo + (e[0] <= v ? 1 : 0) + (e[1] <= v ? 1 : 0) + (e[2] <= v ? 1 : 0);
        }
        std::size_t len = hi - lo;  // the answer lies in [lo, hi]
        while (len > 0) {
            const std::size_t half = len / 2;
            if (edges_[lo + half] <= v) {
                lo += half + 1;
                len -= half + 1;
            } else {
                len = half;
            }
        }
        return lo;
    }

private:
    std::vector<double> edges_;  // padded with three NaN
    std::size_t n_ = 0, cells_ = 0;
    double scale_ = 0.0, last_cell_ = 0.0;
    std::vector<std::uint32_t> low_, high_;
};

class column_counter {
public:
    // `bins` and `column` must outlive the counter; `moments`: as count()'s.
    column_counter(const column_bins& bins, const column_view& column, bool moments);
    void add(std::size_t begin, std::size_t end);
    void add(std::span<const std::size_t> rows);
    column_counts finish();  // once, last

private:
    template <class Rows>
    void add_rows(Rows&& rows);

    const column_bins& bins_;
    const column_view& column_;
    bool moments_;
    column_counts out_;
    double lo_ = std::numeric_limits<double>::infinity(), hi_ = -std::numeric_limits<double>::infinity();
    bin_finder find_;                   // numeric
    std::vector<std::size_t> bin_of_;   // categorical: each of the column's categories to its bin
    std::vector<double> per_category_;  // categorical: each of the column's categories counted
};

}  // namespace kldiv::drift::detail
