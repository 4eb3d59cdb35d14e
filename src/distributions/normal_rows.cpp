// kl_divergence_rows for diagonal Gaussians: validation of shapes, options and values at the
// boundary (the values in a parallel scan over the kept rows, before anything is written), then the
// row kernel (normal_rows_kernels.hpp) over rows spread across threads, then the reduction in row
// order.

#include "kldiv/distributions/normal_rows.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "kldiv/error.hpp"
#include "src/batch/reduce.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/distributions/normal_rows_kernels.hpp"

namespace kldiv::distributions {
namespace {

constexpr const char* fn = "distributions::kl_divergence_rows";

std::string shape(std::size_t rows, std::size_t cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

// A given view must be rows × cols with row_stride ≥ cols and data; an empty one (no data) is
// accepted when `optional`.
template <class T>
void check_view(const char* name, matrix_view<T> v, std::size_t rows, std::size_t cols, bool optional) {
    if (optional && v.data == nullptr) return;
    if (v.rows != rows || v.cols != cols) {
        throw error(fn, std::string(name) + " is " + shape(v.rows, v.cols) + ", but must be " + shape(rows, cols) +
                            " like mean_p");
    }
    if (v.row_stride < cols) {
        throw error(fn, std::string(name) + " has row_stride " + std::to_string(v.row_stride) +
                            ", but it must be >= cols = " + std::to_string(cols));
    }
    if (rows > 0 && cols > 0 && v.data == nullptr) {
        throw error(fn, std::string(name) + " has no data (null pointer), but is " + shape(rows, cols));
    }
}

template <class T>
void check_arguments(const normal_rows<T>& p, const normal_rows<T>& q, std::span<double> out,
                     const normal_rows_gradients<T>& g, const normal_rows_options& o) {
    const std::size_t n = p.mean.rows, cols = p.mean.cols;
    check_view("mean_p", p.mean, n, cols, false);
    check_view("log_var_p", p.log_var, n, cols, false);
    if ((q.mean.data == nullptr) != (q.log_var.data == nullptr)) {
        throw error(fn, std::string(q.mean.data ? "mean_q is given but log_var_q is not"
                                                : "log_var_q is given but mean_q is not") +
                            ", but Q needs both, or neither for the standard normal N(0, I)");
    }
    const bool standard = q.mean.data == nullptr;
    check_view("mean_q", q.mean, n, cols, true);
    check_view("log_var_q", q.log_var, n, cols, true);
    check_view("grad_mean_p", g.mean_p, n, cols, true);
    check_view("grad_log_var_p", g.log_var_p, n, cols, true);
    check_view("grad_mean_q", g.mean_q, n, cols, true);
    check_view("grad_log_var_q", g.log_var_q, n, cols, true);
    if (standard && (g.mean_q.data || g.log_var_q.data)) {
        throw error(fn, std::string(g.mean_q.data ? "grad_mean_q" : "grad_log_var_q") +
                            " is given, but Q is the standard normal N(0, I), which has no parameters");
    }
    const std::size_t size = o.reduce == reduction::none ? n : 1;
    if (out.size() != size) {
        throw error(fn, "out has " + std::to_string(out.size()) + " elements, but needs " + std::to_string(size) +
                            (o.reduce == reduction::none ? " (one per row)" : " (a reduction)"));
    }
    kldiv::detail::check_row_options(fn, o.rows, n);
}

// True when v[0, n) holds no inf or NaN: a test of the exponent bits, which the compiler vectorizes.
template <class T>
bool all_finite(const T* v, std::size_t n) noexcept {
    using bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    constexpr bits exponent = std::bit_cast<bits>(std::numeric_limits<T>::infinity());
    bits special = 0;
    for (std::size_t j = 0; j < n; ++j) special |= (std::bit_cast<bits>(v[j]) & exponent) == exponent;
    return special == 0;
}

// The parameters of row i: mean_p, log_var_p, and Q's where given.
template <class T>
struct row_parameters {
    const T* values[4] = {};
    std::size_t count = 2;
};

template <class T>
row_parameters<T> parameters_of(const normal_rows<T>& p, const normal_rows<T>& q, std::size_t i) {
    row_parameters<T> r;
    r.values[0] = p.mean.row(i);
    r.values[1] = p.log_var.row(i);
    if (q.mean.data != nullptr) {
        r.values[2] = q.mean.row(i);
        r.values[3] = q.log_var.row(i);
        r.count = 4;
    }
    return r;
}

// Throws for the first inf or NaN of the kept rows, in row-major order.
template <class T>
void check_values(const normal_rows<T>& p, const normal_rows<T>& q, const kldiv::detail::row_reduction& reducer,
                  unsigned workers) {
    const std::size_t n = p.mean.rows, cols = p.mean.cols;
    std::vector<std::uint8_t> bad(n);
    kldiv::detail::parallel_for(n, workers, [&](std::size_t i, unsigned) {
        if (!reducer.kept(i)) return;
        const row_parameters<T> r = parameters_of(p, q, i);
        for (std::size_t a = 0; a < r.count; ++a) bad[i] |= !all_finite(r.values[a], cols);
    });
    const auto row = std::find(bad.begin(), bad.end(), std::uint8_t{1});
    if (row == bad.end()) return;
    const std::size_t i = static_cast<std::size_t>(row - bad.begin());
    const row_parameters<T> r = parameters_of(p, q, i);
    static constexpr const char* names[4] = {"mean_p", "log_var_p", "mean_q", "log_var_q"};
    for (std::size_t j = 0; j < cols; ++j) {
        for (std::size_t a = 0; a < r.count; ++a) {
            const double x = static_cast<double>(r.values[a][j]);
            if (std::isfinite(x)) continue;
            throw error(fn, std::string(names[a]) + "[" + std::to_string(i) + ", " + std::to_string(j) +
                                "] = " + kldiv::detail::to_text(x) + ", but " +
                                (a % 2 == 0 ? "means" : "log-variances") + " must be finite");
        }
    }
}

template <class T>
void zero_row(matrix_view<T> g, std::size_t i) {
    if (g.data != nullptr) std::fill_n(g.row(i), g.cols, T(0));
}

template <class T>
void run(const normal_rows<T>& p, const normal_rows<T>& q, std::span<double> out, const normal_rows_gradients<T>& g,
         const normal_rows_options& o) {
    check_arguments(p, q, out, g, o);
    const std::size_t n = p.mean.rows, cols = p.mean.cols;
    const kldiv::detail::row_reduction reducer{o.rows, o.reduce, n};
    const double total = reducer.total_weight(fn);
    const unsigned workers =
        n * cols < kldiv::detail::parallel_threshold ? 1u : kldiv::detail::worker_count(o.rows.threads);
    check_values(p, q, reducer, workers);
    const double unit = o.base.from_nats(1.0);
    std::vector<double> value(n);
    kldiv::detail::parallel_for(n, workers, [&](std::size_t i, unsigned) {
        const double factor = reducer.factor(i, total);
        if (factor == 0.0) {  // masked or weightless: no gradient, and the value is not used
            for (const auto view : {g.mean_p, g.log_var_p, g.mean_q, g.log_var_q}) zero_row(view, i);
            return;
        }
        const row_parameters<T> r = parameters_of(p, q, i);
        const auto at = [i](matrix_view<T> v) { return v.data ? v.row(i) : nullptr; };
        value[i] = detail::normal_row_kl(detail::normal_row<T>{cols, r.values[0], r.values[1], r.values[2], r.values[3],
                                                               at(g.mean_p), at(g.log_var_p), at(g.mean_q),
                                                               at(g.log_var_q), factor * unit});
    });
    if (o.reduce == reduction::none) {
        for (std::size_t i = 0; i < n; ++i) out[i] = o.base.from_nats(value[i]);
    } else {
        out[0] = o.base.from_nats(reducer.apply(fn, [&](std::size_t i) { return value[i]; }));
    }
}

}  // namespace

void kl_divergence_rows(const normal_rows<float>& p, const normal_rows<float>& q, std::span<double> out,
                        const normal_rows_gradients<float>& gradients, const normal_rows_options& opts) {
    run(p, q, out, gradients, opts);
}
void kl_divergence_rows(const normal_rows<double>& p, const normal_rows<double>& q, std::span<double> out,
                        const normal_rows_gradients<double>& gradients, const normal_rows_options& opts) {
    run(p, q, out, gradients, opts);
}

}  // namespace kldiv::distributions
