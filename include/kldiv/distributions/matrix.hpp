#pragma once
// A dense matrix of doubles, row-major, as the multivariate families take their parameters.

#include <cstddef>
#include <vector>

namespace kldiv::distributions {

struct matrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<double> values;  // rows × cols, row-major

    matrix() = default;
    matrix(std::size_t r, std::size_t c) : rows(r), cols(c), values(r * c, 0.0) {}
    matrix(std::size_t r, std::size_t c, std::vector<double> v) : rows(r), cols(c), values(std::move(v)) {}

    double operator()(std::size_t i, std::size_t j) const { return values[i * cols + j]; }
    double& operator()(std::size_t i, std::size_t j) { return values[i * cols + j]; }
};

}  // namespace kldiv::distributions
