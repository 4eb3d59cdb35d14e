#pragma once
// LogisticNormal(loc, scale) on the simplex of K = d + 1 components, as in PyTorch: Y ~ N(loc,
// diag(scale²)) on ℝ^d mapped by stick breaking, z_i = σ(y_i − ln(d − i)) (i = 0 … d − 1),
// x_i = z_i Π_{j<i} (1 − z_j), x_d = Π_{j<d} (1 − z_j). The map is a bijection, so D(P‖Q) between
// two logistic normals is that of their underlying normals.

#include <string_view>
#include <vector>

namespace kldiv::distributions {

struct logistic_normal {
    static constexpr std::string_view name = "logistic_normal";

    std::vector<double> loc;    // d ≥ 1, finite
    std::vector<double> scale;  // d values, each > 0

    // Throws kldiv::error unless the sizes agree and the values are as stated above.
    logistic_normal(std::vector<double> loc, std::vector<double> scale);

    std::size_t dimension() const noexcept { return loc.size(); }       // d, of the underlying normal
    std::size_t components() const noexcept { return loc.size() + 1; }  // K, of the simplex
};

}  // namespace kldiv::distributions
