// The scalar twin of the diagonal-Gaussian row kernel: coordinate by coordinate in the scalar form
// of normal_rows_kernels.hpp (std::expm1, Horner's rule for the series), summed compensated in
// index order. The reference the SIMD kernel is tested against.

#include "src/distributions/normal_rows_kernels.hpp"

#include "src/common/exact_sum.hpp"

namespace kldiv::distributions::detail {

template <class T>
double reference_normal_row_kl(const normal_row<T>& r) noexcept {
    kldiv::detail::compensated_sum sum;
    bool infinite = false;  // keep going: every gradient is still stored
    for (std::size_t j = 0; j < r.cols; ++j) {
        const double term = coordinate(r, j);
        if (term == INFINITY) infinite = true;
        if (!infinite) sum.add(term);
    }
    return infinite ? INFINITY : 0.5 * sum.value();
}

template double reference_normal_row_kl(const normal_row<float>& r) noexcept;
template double reference_normal_row_kl(const normal_row<double>& r) noexcept;

}  // namespace kldiv::distributions::detail
