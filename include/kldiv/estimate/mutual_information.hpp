#pragma once
// Mutual information I(X;Y) = D(P_XY ‖ P_X ⊗ P_Y) estimated from n paired observations (x_i, y_i).
//
// Continuous X and Y (x: n×dx, y: n×dy): Kraskov, Stögbauer & Grassberger, "Estimating mutual
// information", Phys. Rev. E 69, 066138 (2004), in the maximum norm ‖z − z'‖ = max(‖x − x'‖,
// ‖y − y'‖), each of them the maximum over coordinates. With ε_i the distance from z_i to its k-th
// nearest neighbour among the other n − 1 points, and ψ the digamma function:
//   ksg_1  Î = ψ(k) + ψ(n) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩,  n_x(i) = #{j ≠ i : ‖x_j − x_i‖ < ε_i};
//   ksg_2  Î = ψ(k) − 1/k + ψ(n) − ⟨ψ(n_x) + ψ(n_y)⟩,    n_x(i) = #{j ≠ i : ‖x_j − x_i‖ ≤ ε_x(i)},
//          ε_x(i) the largest ‖x_j − x_i‖ over the k neighbours (n_y, ε_y alike; of neighbours tied
//          at the k-th distance, the lower row numbers).
// ksg_1 is scikit-learn's mutual_info_regression (which counts ‖x_j − x_i‖ ≤ nextafter(ε_i, 0),
// the same set); kldiv computes the counts the same way, so where ε_i = 0 (repeated rows) both count
// the repeats. Continuous data have no repeated rows; scikit-learn breaks ties by adding noise of
// 1e-10 (kldiv.mutual_information does the same, by option).
//
// Continuous X, discrete Y (labels): Ross, "Mutual information between discrete and continuous data
// sets", PLoS ONE 9(2), e87357 (2014) — scikit-learn's mutual_info_classif. Points whose label occurs
// once are left out (n' points remain); for each point, k_i = min(k, count of its label − 1), r_i the
// distance to its k_i-th neighbour among the points with its label, and m_i the number of points
// (all labels, itself included) at distance ≤ nextafter(r_i, 0):
//   Î = ψ(n') + ⟨ψ(k_i)⟩ − ⟨ψ(N_label(i))⟩ − ⟨ψ(m_i)⟩.
//
// Discrete X and Y (a joint table of counts, or two label vectors): the mutual information of the
// estimated joint distribution θ̂ (estimate::count_estimator: plug_in, or the pseudocount and
// James–Stein estimators of counts.hpp applied to the joint table), D(θ̂_XY ‖ θ̂_X ⊗ θ̂_Y) as a sum of
// non-negative terms; miller_madow adds (m_X + m_Y − m_XY − 1)/(2n) to the plug-in value, m the
// number of non-empty cells (Miller's correction of each entropy in H(X) + H(Y) − H(X,Y)).
//
// The kNN estimates are not clipped: an independent pair gives values scattered around 0, some
// negative (scikit-learn reports max(0, Î)). Repeated rows (ties: data rounded to a grid, labels
// treated as continuous) break the kNN estimators — ε = 0 and the counts collapse, estimates can be
// far below 0 — so declare such columns discrete or break the ties (kldiv.mutual_information adds
// noise of 1e-10 as scikit-learn does). Uncertainty: with `permutation`, the test of independence:
// y's rows (labels) permuted against x's, p = (1 + #{Î_perm ≥ Î}) / (1 + B); with `bootstrap`
// (discrete estimators only: resampled rows repeat, which breaks the kNN counts), a percentile
// interval from resampled pairs (`bca` refused). Each resample or permutation has its own random
// stream (seed, b): the same bits for any thread count. The options' `progress` reports the
// resamples and permutations as they finish; an exception it throws stops the work (Python: Ctrl-C
// while a progress callback is set).
//
// Search: a k-d tree in the maximum norm (src/estimate/chebyshev_tree.hpp); the counts in one
// dimension by binary search over the sorted values. Threads share the points.
//
//   kldiv::matrix_view<const double> x(px, n, 1), y(py, n, 1);
//   auto r = kldiv::estimate::mutual_information_knn(x, y, {.k = 3});   // r.value.value in nats

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kldiv/estimate/counts.hpp"
#include "kldiv/estimate/estimate.hpp"
#include "kldiv/estimate/resampling.hpp"
#include "kldiv/names.hpp"
#include "kldiv/units.hpp"
#include "kldiv/views.hpp"

namespace kldiv::estimate {

enum class ksg_method { ksg_1, ksg_2 };

// "ksg_1", "ksg_2"; the aliases "kraskov_1", "kraskov_2" (kldiv/names.hpp).
inline std::span<const named<ksg_method>> names_of(ksg_method) noexcept {
    static constexpr named<ksg_method> table[] = {{ksg_method::ksg_1, "ksg_1"},
                                                  {ksg_method::ksg_2, "ksg_2"},
                                                  {ksg_method::ksg_1, "kraskov_1"},
                                                  {ksg_method::ksg_2, "kraskov_2"}};
    return table;
}

struct mutual_information_options {
    std::size_t k = 3;  // neighbours (scikit-learn's n_neighbors), 1 to 64; KSG needs k < n
    ksg_method method = ksg_method::ksg_1;
    count_estimator counts = count_estimator::plug_in;  // discrete X and Y
    log_base base{};
    unsigned threads = 0;                            // 0: all hardware threads
    std::optional<bootstrap_options> bootstrap;      // set: a percentile interval
    std::optional<permutation_options> permutation;  // set: the test of independence
};

struct mutual_information_result {
    estimate value;  // with .interval when a bootstrap was asked for
    std::optional<permutation_result> test;
};

// Continuous x (n×dx) and y (n×dy): KSG. Throws kldiv::error for different row counts, no columns,
// k = 0 or k >= n, NaN or infinite values.
mutual_information_result mutual_information_knn(matrix_view<const double> x, matrix_view<const double> y,
                                                 const mutual_information_options& opts = {});

// Continuous x (n×d) and discrete labels (n, any integers): Ross. Throws as above, and when no label
// occurs twice.
mutual_information_result mutual_information_mixed(matrix_view<const double> x, std::span<const std::int64_t> labels,
                                                   const mutual_information_options& opts = {});

// Discrete X and Y from their joint counts (rows: X's values, columns: Y's; finite, >= 0, total > 0).
mutual_information_result mutual_information_counts(matrix_view<const double> joint_counts,
                                                    const mutual_information_options& opts = {});

// Discrete X and Y from paired labels (n each, any integers): their joint table, then as above.
mutual_information_result mutual_information_discrete(std::span<const std::int64_t> x_labels,
                                                      std::span<const std::int64_t> y_labels,
                                                      const mutual_information_options& opts = {});

// I(X_j; Y) for every column j of x (n×p): a feature ranking, as scikit-learn's mutual_info_regression
// (a continuous target y) and mutual_info_classif (target labels) compute it, on the data as given
// (scikit-learn first scales continuous variables to unit variance and adds noise of 1e-10:
// kldiv.mutual_information does that in Python). `discrete` (empty: none; else one entry per
// column, non-zero for a column of labels, whole numbers) marks the discrete columns. Continuous y:
// KSG (opts.method) against continuous columns, Ross with the column's labels against discrete ones.
// Labels: Ross against continuous columns, opts.counts against discrete ones. The target's search
// structure is built once; the columns share the threads. bootstrap and permutation are refused
// here (ask the single-pair functions). Values in the unit of opts.base.
std::vector<double> mutual_information_columns(matrix_view<const double> x, std::span<const double> y,
                                               std::span<const std::uint8_t> discrete,
                                               const mutual_information_options& opts = {});
std::vector<double> mutual_information_columns(matrix_view<const double> x, std::span<const std::int64_t> labels,
                                               std::span<const std::uint8_t> discrete,
                                               const mutual_information_options& opts = {});

}  // namespace kldiv::estimate
