#pragma once
// Parameter checks shared by the family constructors: each throws kldiv::error naming the family,
// the parameter, its value and the rule, e.g. "normal: scale = -1, but it must be > 0".

#include <string_view>
#include <vector>

#include "kldiv/distributions/matrix.hpp"

namespace kldiv::distributions::detail {

void require_finite(std::string_view family, std::string_view parameter, double value);
void require_positive(std::string_view family, std::string_view parameter, double value);      // finite, > 0
void require_non_negative(std::string_view family, std::string_view parameter, double value);  // finite, ≥ 0
// In the interval between low and high, each end included or not.
void require_between(std::string_view family, std::string_view parameter, double value, double low, bool low_included,
                     double high, bool high_included);
void require_finite(std::string_view family, std::string_view parameter, const std::vector<double>& values);
void require_positive(std::string_view family, std::string_view parameter, const std::vector<double>& values);
// Non-negative, finite, not all 0; returns them divided by their sum.
std::vector<double> normalized_weights(std::string_view family, std::string_view parameter,
                                       const std::vector<double>& values);
void require_size(std::string_view family, std::string_view parameter, std::size_t size, std::size_t expected);

// The lower Cholesky factor of a symmetric positive-definite d × d matrix; throws unless it is one.
matrix cholesky(std::string_view family, std::string_view parameter, const matrix& a, std::size_t d);
// The lower Cholesky factor of the inverse of a symmetric positive-definite matrix.
matrix cholesky_of_inverse(std::string_view family, std::string_view parameter, const matrix& a, std::size_t d);
// Checks a given lower factor: d × d, finite, zero above the diagonal, positive diagonal.
void require_scale_tril(std::string_view family, std::string_view parameter, const matrix& l, std::size_t d);
// L Lᵀ.
matrix times_transpose(const matrix& l);

}  // namespace kldiv::distributions::detail
