#include "kldiv/joint.hpp"

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "src/core/kernels.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

using detail::compensated_sum;
using detail::double_double;
using detail::exact_sum;

// A validated table's values (compact, row-major) and exact total.
struct table {
    std::vector<double> values;
    double_double total;
};

table read(const char* function, const char* name, matrix_view<const double> m, const options& opts) {
    detail::check_options(function, opts);
    if (opts.on_zero == zero_support::smooth) {
        throw error(function,
                    "on_zero = smooth, but a joint table is not smoothed (smoothing it is not smoothing its "
                    "rows or its margins): give counts with pseudocounts added instead");
    }
    if (m.rows == 0 || m.cols == 0) {
        throw error(function, std::string(name) + " is " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                                  ", but a joint table needs at least one cell");
    }
    table t;
    t.values.resize(m.rows * m.cols);
    for (std::size_t i = 0; i < m.rows; ++i) {
        for (std::size_t j = 0; j < m.cols; ++j) t.values[i * m.cols + j] = m.row(i)[j];
    }
    t.total = detail::validated_sum(function, name, std::span<const double>(t.values), opts);
    return t;
}

// D(P ‖ P_rows ⊗ P_cols) in nats of the rows × cols block of raw values `p` (its own exact sum),
// each cell against the product of its row's and its column's sums.
double independence_gap(std::span<const double> p, double_double sum, std::size_t rows, std::size_t cols) {
    if (rows == 1 || cols == 1) return 0.0;  // one variable is constant: independent, exactly
    std::vector<double> row_sum(rows, 0.0), col_sum(cols, 0.0);
    for (std::size_t i = 0; i < rows; ++i) {
        row_sum[i] = exact_sum(p.subspan(i * cols, cols)).value();
        for (std::size_t j = 0; j < cols; ++j) col_sum[j] += p[i * cols + j];
    }
    std::vector<double> product(rows * cols);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) product[i * cols + j] = row_sum[i] * col_sum[j];
    }
    const std::span<const double> q(product);
    return detail::kl_nats(p, sum, q, exact_sum(q));
}

}  // namespace

double joint_entropy(matrix_view<const double> joint, const options& opts) {
    const table t = read("joint_entropy", "joint", joint, opts);
    return opts.base.from_nats(detail::entropy_nats(std::span<const double>(t.values), t.total));
}

double conditional_entropy(matrix_view<const double> joint, const options& opts) {
    const table t = read("conditional_entropy", "joint", joint, opts);
    const std::size_t cols = joint.cols;
    const double inverse_total = 1.0 / t.total.hi;
    compensated_sum h;
    for (std::size_t i = 0; i < joint.rows; ++i) {
        const std::span<const double> row = std::span<const double>(t.values).subspan(i * cols, cols);
        const double_double row_total = exact_sum(row);
        if (row_total.hi == 0.0) continue;
        const detail::scale s(row_total);
        for (const double p : row) {
            // −p̂(x,y)·ln p̂(y|x) ≥ 0, ln p̂(y|x) accurate also where p̂(y|x) is close to 1
            if (p > 0.0) h.add(std::fmax(0.0, -(p * inverse_total) * detail::log_normalized(p, s)));
        }
    }
    return opts.base.from_nats(h.value());
}

double mutual_information(matrix_view<const double> joint, const options& opts) {
    const table t = read("mutual_information", "joint", joint, opts);
    return opts.base.from_nats(independence_gap(t.values, t.total, joint.rows, joint.cols));
}

double conditional_mutual_information(table3_view joint, const options& opts) {
    const char* function = "conditional_mutual_information";
    if (joint.data == nullptr && joint.x * joint.y * joint.z > 0) {
        throw error(function, "joint has no data (a null pointer)");
    }
    // The table as x·y rows of z values: read and checked as one matrix.
    const table t = read(function, "joint", matrix_view<const double>(joint.data, joint.x * joint.y, joint.z), opts);
    const double inverse_total = 1.0 / t.total.hi;
    compensated_sum total;
    std::vector<double> slice(joint.x * joint.y);
    for (std::size_t l = 0; l < joint.z; ++l) {
        for (std::size_t i = 0; i < joint.x * joint.y; ++i) slice[i] = t.values[i * joint.z + l];
        const std::span<const double> s(slice);
        const double_double mass = exact_sum(s);
        if (mass.hi == 0.0) continue;
        total.add((mass.hi * inverse_total) * independence_gap(s, mass, joint.x, joint.y));
    }
    return opts.base.from_nats(total.value());
}

double conditional_kl(matrix_view<const double> p_joint, matrix_view<const double> q_joint, const options& opts) {
    const char* function = "conditional_kl";
    if (p_joint.rows != q_joint.rows || p_joint.cols != q_joint.cols) {
        throw error(function, "p_joint is " + std::to_string(p_joint.rows) + "x" + std::to_string(p_joint.cols) +
                                  " and q_joint " + std::to_string(q_joint.rows) + "x" + std::to_string(q_joint.cols) +
                                  ", but both must have the same shape");
    }
    const table p = read(function, "p_joint", p_joint, opts);
    const table q = read(function, "q_joint", q_joint, opts);
    const std::size_t cols = p_joint.cols;
    const double inverse_total = 1.0 / p.total.hi;
    compensated_sum d;
    for (std::size_t i = 0; i < p_joint.rows; ++i) {
        const std::span<const double> pr = std::span<const double>(p.values).subspan(i * cols, cols);
        const std::span<const double> qr = std::span<const double>(q.values).subspan(i * cols, cols);
        const double_double sp = exact_sum(pr), sq = exact_sum(qr);
        if (sp.hi == 0.0) continue;  // p(x) = 0: no weight
        for (std::size_t j = 0; j < cols; ++j) {
            if (pr[j] > 0.0 && qr[j] == 0.0) {
                if (opts.on_zero == zero_support::error) {
                    throw error(function, "p_joint[" + std::to_string(i) + ", " + std::to_string(j) +
                                              "] = " + detail::to_text(pr[j]) + " > 0 where q_joint[" +
                                              std::to_string(i) + ", " + std::to_string(j) +
                                              "] = 0, and on_zero = error forbids events outside Q's support");
                }
                return detail::infinity;  // in any unit
            }
        }
        d.add((sp.hi * inverse_total) * detail::kl_nats(pr, sp, qr, sq));
    }
    return opts.base.from_nats(d.value());
}

}  // namespace kldiv
