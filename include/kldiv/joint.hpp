#pragma once
// Information measures of joint distributions given as tables: a matrix P(X = i, Y = j) (rows: X's
// values, columns: Y's), or a three-way table P(X = i, Y = j, Z = l) (row-major, l fastest). As in
// discrete.hpp the tables are read as distributions p̂ = p/Σp (Σ computed exactly): they must sum to 1
// within opts.sum_tolerance, or anything positive with opts.normalize (counts); entries finite and
// >= 0. Results in the unit of opts.base; each is a sum of non-negative terms, so nothing cancels:
//
//   joint_entropy                   H(X,Y) = −Σ p(x,y) ln p(x,y)
//   conditional_entropy             H(Y|X) = −Σ p(x,y) ln(p(x,y)/p(x)) = H(X,Y) − H(X)
//   mutual_information              I(X;Y) = D(P_XY ‖ P_X ⊗ P_Y) = H(Y) − H(Y|X)
//   conditional_mutual_information  I(X;Y|Z) = Σ_z p(z) D(P_XY|z ‖ P_X|z ⊗ P_Y|z)
//   conditional_kl                  D(P_Y|X ‖ Q_Y|X | P_X) = Σ_x p(x) D(p(·|x) ‖ q(·|x)),
//                                   so that D(P_XY ‖ Q_XY) = D(P_X ‖ Q_X) + conditional_kl (chain rule)
//
// In conditional_kl a row x with p(x) > 0 whose q-row is zero where p(·|x) is not follows
// opts.on_zero (+inf by default; smooth is refused: smoothing a joint table is not smoothing its rows);
// rows with p(x) = 0 contribute 0. The other measures are always finite.
//
//   const std::vector<double> counts{10, 3, 2, 8};            // 2 × 2 contingency table
//   double i = kldiv::mutual_information(kldiv::matrix_view<const double>(counts.data(), 2, 2),
//                                        {.base = kldiv::log_base::bits(), .normalize = true});

#include <cstddef>

#include "kldiv/options.hpp"
#include "kldiv/views.hpp"

namespace kldiv {

// A three-way table, row-major: entry (i, j, l) at data[(i·y + j)·z + l].
struct table3_view {
    const double* data = nullptr;
    std::size_t x = 0, y = 0, z = 0;
};

double joint_entropy(matrix_view<const double> joint, const options& opts = {});
double conditional_entropy(matrix_view<const double> joint, const options& opts = {});
double mutual_information(matrix_view<const double> joint, const options& opts = {});
double conditional_mutual_information(table3_view joint, const options& opts = {});
double conditional_kl(matrix_view<const double> p_joint, matrix_view<const double> q_joint, const options& opts = {});

}  // namespace kldiv
