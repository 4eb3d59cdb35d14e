// k-NN estimators of KL divergence (Wang–Kulkarni–Verdú, Pérez-Cruz) and entropy
// (Kozachenko–Leonenko); formulas and the rule for coincident points in include/kldiv/estimate/knn.hpp.
// Distances come squared from the search, so d·ln(ν/ρ) = (d/2)·(ln ν² − ln ρ²). The per-point terms
// are summed in row order after the parallel search, so the value does not depend on the threads.

#include "kldiv/estimate/knn.hpp"

#include <cmath>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/estimate/neighbours.hpp"

namespace kldiv::estimate {
namespace {

using detail::kth_positive_squared_distances;
using kldiv::detail::to_text;

void check_sample(const char* function, const char* name, matrix_view<const double> sample) {
    if (sample.cols == 0)
        throw error(function, std::string(name) + " has 0 columns, but samples need dimension d >= 1");
    for (std::size_t i = 0; i < sample.rows; ++i) {
        for (std::size_t j = 0; j < sample.cols; ++j) {
            const double v = sample.row(i)[j];
            if (!std::isfinite(v)) {
                throw error(function, std::string(name) + "[" + std::to_string(i) + ", " + std::to_string(j) +
                                          "] = " + to_text(v) + ", but sample values must be finite");
            }
        }
    }
}

void check_k(const char* function, std::size_t k, std::size_t n) {
    if (k == 0) throw error(function, "k = 0, but the neighbour index k must be >= 1");
    if (n <= k) {
        throw error(function, "x has n = " + std::to_string(n) + " rows, but k = " + std::to_string(k) +
                                  " needs n > k (k neighbours besides each point)");
    }
}

// Throws the error naming a row of x with fewer than k points of `points_name` at positive distance.
void check_distances(const char* function, std::span<const double> s, const char* points_name, std::size_t k) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (std::isnan(s[i])) {
            throw error(function, "x[" + std::to_string(i) + "] has fewer than " + std::to_string(k) + " points of " +
                                      points_name + " at positive distance, but the estimator needs " +
                                      std::to_string(k) + " (coincident rows count as one point)");
        }
    }
}

// The checks on y shared by the two-sample estimators (x's rows are checked here too).
void check_pair(const char* function, matrix_view<const double> x, matrix_view<const double> y, std::size_t l) {
    if (x.cols != y.cols) {
        throw error(function, "x has " + std::to_string(x.cols) + " columns and y " + std::to_string(y.cols) +
                                  ", but both samples must have the same dimension");
    }
    if (y.rows < l) {
        throw error(function,
                    "y has m = " + std::to_string(y.rows) + " rows, but l = " + std::to_string(l) + " needs m >= l");
    }
    check_sample(function, "x", x);
    check_sample(function, "y", y);
}

// ln V_d, V_d = π^{d/2}/Γ(d/2 + 1) the volume of the unit ball.
double log_unit_ball(std::size_t d) {
    const double half = 0.5 * static_cast<double>(d);
    return half * std::log(std::numbers::pi) - std::lgamma(half + 1.0);
}

// (1/n) Σ_i ln s_k(i)², s_k(i) the k-th positive distance from x_i to `points`.
double mean_log_squared_distance(const char* function, matrix_view<const double> points, const char* points_name,
                                 matrix_view<const double> x, std::size_t k, const knn_options& opts) {
    std::vector<double> s2(x.rows);
    const detail::neighbour_job job{points, x, k, s2};
    kth_positive_squared_distances(std::span(&job, 1), opts.threads, detail::neighbour_search::automatic,
                                   opts.progress);
    check_distances(function, s2, points_name, k);
    double sum = 0.0;
    for (const double s : s2) sum += std::log(s);
    return sum / static_cast<double>(x.rows);
}

double psi(std::size_t k) { return boost::math::digamma(static_cast<double>(k)); }

}  // namespace

estimate kl_divergence_knn(matrix_view<const double> x, matrix_view<const double> y, const knn_options& opts) {
    constexpr const char* function = "kl_divergence_knn";
    const std::size_t k = opts.k, l = opts.l == 0 ? opts.k : opts.l;
    check_k(function, k, x.rows);
    if (opts.method == knn_method::perez_cruz && l != k) {
        throw error(function, "l = " + std::to_string(l) + " with k = " + std::to_string(k) +
                                  ", but the Perez-Cruz estimator uses one k for both samples (l = 0 or l = k)");
    }
    check_pair(function, x, y, l);
    std::vector<double> rho2(x.rows), nu2(x.rows);
    const detail::neighbour_job jobs[] = {{x, x, k, rho2}, {y, x, l, nu2}};
    kth_positive_squared_distances(jobs, opts.threads, detail::neighbour_search::automatic, opts.progress);
    check_distances(function, rho2, "x", k);
    check_distances(function, nu2, "y", l);
    double sum = 0.0;
    for (std::size_t i = 0; i < x.rows; ++i) sum += std::log(nu2[i]) - std::log(rho2[i]);
    const double n = static_cast<double>(x.rows), m = static_cast<double>(y.rows), d = static_cast<double>(x.cols);
    const double nats = 0.5 * d * sum / n + (psi(k) - psi(l)) + std::log(m / (n - 1.0));
    std::string detail = opts.method == knn_method::perez_cruz
                             ? "Perez-Cruz, k=" + std::to_string(k)
                             : "Wang-Kulkarni-Verdu, k=" + std::to_string(k) + ", l=" + std::to_string(l);
    return {opts.base.from_nats(nats), estimator::knn, std::move(detail), {}};
}

estimate entropy_knn(matrix_view<const double> x, const knn_options& opts) {
    constexpr const char* function = "entropy_knn";
    const std::size_t k = opts.k;
    check_k(function, k, x.rows);
    check_sample(function, "x", x);
    const double d = static_cast<double>(x.cols);
    const double nats = psi(x.rows) - psi(k) + log_unit_ball(x.cols) +
                        0.5 * d * mean_log_squared_distance(function, x, "x", x, k, opts);
    return {opts.base.from_nats(nats), estimator::knn, "Kozachenko-Leonenko, k=" + std::to_string(k), {}};
}

estimate cross_entropy_knn(matrix_view<const double> x, matrix_view<const double> y, const knn_options& opts) {
    constexpr const char* function = "cross_entropy_knn";
    const std::size_t l = opts.l == 0 ? opts.k : opts.l;
    if (l == 0) throw error(function, "k = 0, but the neighbour index must be >= 1");
    if (x.rows == 0) throw error(function, "x has no rows, but the estimator needs at least one");
    check_pair(function, x, y, l);
    const double d = static_cast<double>(x.cols);
    const double nats = std::log(static_cast<double>(y.rows)) - psi(l) + log_unit_ball(x.cols) +
                        0.5 * d * mean_log_squared_distance(function, y, "y", x, l, opts);
    return {opts.base.from_nats(nats), estimator::knn, "cross-entropy, l=" + std::to_string(l), {}};
}

}  // namespace kldiv::estimate
