#pragma once
// Divergence matrices: a measure of divergences.hpp between every row of A and every row of B
// (out[i, j] = d(A_i, B_j), as scipy.spatial.distance.cdist), or between every pair of rows of A
// (out[i, j] = d(A_i, A_j), as pdist in square form). Rows are probabilities, log-probabilities or
// logits as batch.hpp reads them (batch_options: input, temperature, measure options; reduce and the
// row options do not apply, except threads).
//
// Each entry is the single-pair value: for probability rows the sums of divergence_rows over the rows
// as given (bit for bit divergence_rows of the pair but for the KL family, which rows take from
// the block kernels; within 1e-14 of kldiv::divergence, which sums χ², Hellinger, total variation
// and triangular terms one at a time where the batch layer uses SIMD lanes); for log-space rows the
// sums over their events (log_space_events: accurate for nearly equal rows), the KL family included. Each row is validated
// once (a bad value or sum names the matrix, the row and the column), probability rows' exact sums
// are computed once, and the pairs are taken in tiles of rows that stay in cache, the tiles shared
// by the threads; a symmetric measure (js, js_distance, jeffreys, Hellinger, total variation,
// Bhattacharyya, triangular) of A with itself is computed for j > i only and mirrored, its diagonal
// exactly 0. The result does not depend on the number of threads.
//
//   kldiv::matrix_view<const double> a(pa, n, vocab);
//   std::vector<double> d(n * n);
//   kldiv::divergence_matrix(a, {d.data(), n, n}, kldiv::measure::js_distance, {.measure = {.base = kldiv::log_base::bits()}});

#include "kldiv/batch.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/views.hpp"

namespace kldiv {

// True for the measures with d(P, Q) = d(Q, P) (for every α and β they take).
bool is_symmetric(measure m, const options& opts) noexcept;

// out: a.rows × b.rows (row stride >= b.rows). Throws kldiv::error for different numbers of columns,
// a wrong output shape, bad rows, or bad options.
void divergence_matrix(matrix_view<const double> a, matrix_view<const double> b, matrix_view<double> out, measure m,
                       const batch_options& opts = {});
void divergence_matrix(matrix_view<const float> a, matrix_view<const float> b, matrix_view<double> out, measure m,
                       const batch_options& opts = {});
// Every pair of rows of a: out a.rows × a.rows.
void divergence_matrix(matrix_view<const double> a, matrix_view<double> out, measure m, const batch_options& opts = {});
void divergence_matrix(matrix_view<const float> a, matrix_view<double> out, measure m, const batch_options& opts = {});

}  // namespace kldiv
