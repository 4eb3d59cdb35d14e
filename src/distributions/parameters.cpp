#include "src/distributions/parameters.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <string>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"

namespace kldiv::distributions::detail {
namespace {

using dense = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

[[noreturn]] void fail(std::string_view family, std::string_view parameter, double value, std::string_view rule) {
    throw error(std::string(family), std::string(parameter) + " = " + kldiv::detail::to_text(value) +
                                         ", but it must be " + std::string(rule));
}

std::string element(std::string_view parameter, std::size_t i) {
    return std::string(parameter) + "[" + std::to_string(i) + "]";
}

std::string element(std::string_view parameter, std::size_t i, std::size_t j) {
    return std::string(parameter) + "[" + std::to_string(i) + ", " + std::to_string(j) + "]";
}

void require_square(std::string_view family, std::string_view parameter, const matrix& a, std::size_t d) {
    if (a.rows != d || a.cols != d || a.values.size() != d * d)
        throw error(std::string(family), std::string(parameter) + " is " + std::to_string(a.rows) + " x " +
                                             std::to_string(a.cols) + ", but it must be " + std::to_string(d) + " x " +
                                             std::to_string(d));
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j)
            if (!std::isfinite(a(i, j))) fail(family, element(parameter, i, j), a(i, j), "finite");
}

dense symmetric_positive_definite(std::string_view family, std::string_view parameter, const matrix& a, std::size_t d) {
    require_square(family, parameter, a, d);
    double largest = 0.0;
    for (double v : a.values) largest = std::fmax(largest, std::fabs(v));
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (std::fabs(a(i, j) - a(j, i)) > 1e-10 * largest)
                throw error(std::string(family), element(parameter, i, j) + " = " + kldiv::detail::to_text(a(i, j)) +
                                                     " and " + element(parameter, j, i) + " = " +
                                                     kldiv::detail::to_text(a(j, i)) +
                                                     ", but the matrix must be symmetric");
    return Eigen::Map<const dense>(a.values.data(), static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
}

matrix lower_factor(std::string_view family, std::string_view parameter, const dense& a) {
    const Eigen::LLT<dense> llt(a);
    const auto d = static_cast<std::size_t>(a.rows());
    matrix l(d, d);
    bool ok = llt.info() == Eigen::Success;
    if (ok) {
        const dense factor = llt.matrixL();
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j <= i; ++j)
                l(i, j) = factor(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
        for (std::size_t i = 0; i < d; ++i) ok = ok && l(i, i) > 0.0 && std::isfinite(l(i, i));
    }
    if (!ok) throw error(std::string(family), std::string(parameter) + " must be positive definite");
    return l;
}

}  // namespace

void require_finite(std::string_view family, std::string_view parameter, double value) {
    if (!std::isfinite(value)) fail(family, parameter, value, "finite");
}

void require_positive(std::string_view family, std::string_view parameter, double value) {
    if (!(value > 0.0) || !std::isfinite(value)) fail(family, parameter, value, "finite and > 0");
}

void require_non_negative(std::string_view family, std::string_view parameter, double value) {
    if (!(value >= 0.0) || !std::isfinite(value)) fail(family, parameter, value, "finite and >= 0");
}

void require_between(std::string_view family, std::string_view parameter, double value, double low, bool low_included,
                     double high, bool high_included) {
    const bool above = low_included ? value >= low : value > low;
    const bool below = high_included ? value <= high : value < high;
    if (!(above && below))
        fail(family, parameter, value,
             "in " + std::string(low_included ? "[" : "(") + kldiv::detail::to_text(low) + ", " +
                 kldiv::detail::to_text(high) + (high_included ? "]" : ")"));
}

void require_finite(std::string_view family, std::string_view parameter, const std::vector<double>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) require_finite(family, element(parameter, i), values[i]);
}

void require_positive(std::string_view family, std::string_view parameter, const std::vector<double>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) require_positive(family, element(parameter, i), values[i]);
}

std::vector<double> normalized_weights(std::string_view family, std::string_view parameter,
                                       const std::vector<double>& values) {
    if (values.empty()) throw error(std::string(family), std::string(parameter) + " is empty");
    double sum = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        require_non_negative(family, element(parameter, i), values[i]);
        sum += values[i];
    }
    if (!(sum > 0.0) || !std::isfinite(sum))
        throw error(std::string(family), std::string(parameter) + " sums to " + kldiv::detail::to_text(sum) +
                                             ", but the sum must be finite and > 0");
    // Weights that already sum to 1 up to the rounding of a normalization (each of the n values
    // off by 2^-53 relative, and the sum by (n − 1)·2^-53 more) are kept as given: normalizing is
    // then idempotent, so the canonical spec to_spec prints parses back to the same numbers.
    std::vector<double> out(values);
    if (std::fabs(sum - 1.0) <= static_cast<double>(values.size()) * 0x1p-51) return out;
    for (double& v : out) v /= sum;
    return out;
}

void require_size(std::string_view family, std::string_view parameter, std::size_t size, std::size_t expected) {
    if (size != expected)
        throw error(std::string(family), std::string(parameter) + " has " + std::to_string(size) +
                                             " values, but it must have " + std::to_string(expected));
}

matrix cholesky(std::string_view family, std::string_view parameter, const matrix& a, std::size_t d) {
    return lower_factor(family, parameter, symmetric_positive_definite(family, parameter, a, d));
}

matrix cholesky_of_inverse(std::string_view family, std::string_view parameter, const matrix& a, std::size_t d) {
    const dense precision = symmetric_positive_definite(family, parameter, a, d);
    lower_factor(family, parameter, precision);  // throws unless positive definite
    const dense covariance = precision.llt().solve(dense::Identity(precision.rows(), precision.cols()));
    return lower_factor(family, parameter, 0.5 * (covariance + covariance.transpose()));
}

void require_scale_tril(std::string_view family, std::string_view parameter, const matrix& l, std::size_t d) {
    require_square(family, parameter, l, d);
    for (std::size_t i = 0; i < d; ++i) {
        for (std::size_t j = i + 1; j < d; ++j)
            if (l(i, j) != 0.0) fail(family, element(parameter, i, j), l(i, j), "0 (lower triangular)");
        require_positive(family, element(parameter, i, i), l(i, i));
    }
}

matrix times_transpose(const matrix& l) {
    const std::size_t d = l.rows;
    matrix out(d, l.rows);
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            double s = 0.0;
            for (std::size_t k = 0; k < l.cols; ++k) s += l(i, k) * l(j, k);
            out(i, j) = out(j, i) = s;
        }
    return out;
}

}  // namespace kldiv::distributions::detail
