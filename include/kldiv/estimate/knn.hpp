#pragma once
// KL divergence and entropy of continuous multivariate samples from k-nearest-neighbour distances.
//
// x: n samples of P, y: m samples of Q, both n×d / m×d (rows = samples), Euclidean distance.
// ρ_k(i): distance from x_i to its k-th nearest neighbour among the other points of x;
// ν_l(i): distance from x_i to its l-th nearest neighbour among the points of y.
//
// Wang, Kulkarni & Verdú, "Divergence estimation for multidimensional densities via k-nearest-
// neighbor distances", IEEE Trans. Inf. Theory 55(5), 2392–2405 (2009)
// (separate k and l, with their bias correction):
//     D̂(P‖Q) = (d/n) Σ_i ln(ν_l(i)/ρ_k(i)) + ψ(k) − ψ(l) + ln(m/(n−1)).
// With l = k the ψ terms cancel (their basic estimator).
//
// Pérez-Cruz, "Kullback-Leibler divergence estimation of continuous distributions", ISIT 2008:
// D̂(P‖Q) = (d/n) Σ_i ln(s_k(x_i)/r_k(x_i)) + ln(m/(n−1)), r_k in x \ {x_i}, s_k in y.
// It is the plug-in (1/n) Σ ln(p̂_k(x_i)/q̂_k(x_i)) of the k-NN density estimates
// p̂_k = k/((n−1) V_d ρ_k^d), q̂_k = k/(m V_d ν_k^d) with one k for both samples. The paper defines
// it for l = k only, where it coincides with Wang–Kulkarni–Verdú (their derivations differ: a
// density-ratio plug-in whose ψ(k) − ln k biases cancel, against the bias-corrected estimator);
// knn_method::perez_cruz therefore rejects l ≠ k instead of inventing a correction.
//
// Kozachenko–Leonenko entropy (Kozachenko & Leonenko 1987; Kraskov, Stögbauer & Grassberger 2004):
// Ĥ(P) = ψ(n) − ψ(k) + ln V_d + (d/n) Σ_i ln ρ_k(i), V_d = π^{d/2}/Γ(d/2 + 1).
//
// Duplicate points and ties. A sample of a continuous distribution has no two equal points; equal
// rows come from rounding or resampling and are treated as one point measured several times:
// neighbours are counted among the points at positive distance from x_i, each with its
// multiplicity. That is, ρ_k(i) is the k-th smallest of the positive distances ‖x_j − x_i‖ (j ≠ i)
// and ν_l(i) the l-th smallest of the positive ‖y_j − x_i‖, counted with repetition (two copies of
// a neighbour are two neighbours at the same distance; ties among positive distances need no
// rule, the k-th smallest is well defined). Zero distances therefore never enter a logarithm, the
// estimate is unchanged when no rows coincide, and duplicating every row of x and of y leaves the
// estimate close to the value without duplicates (ρ_k, ν_l then behave like ρ_⌈k/2⌉, ν_⌈l/2⌉ of the
// original samples; with l = k the scales cancel). When fewer than k points of x (l points of y)
// lie at positive distance from some x_i, kldiv::error names the row.
//
// Search: at d = 1 the sorted points, a k-d tree (nanoflann) for 2 ≤ d ≤ 8, a blocked brute force
// above; all compute the squared distance as Σ_j (a_j − b_j)² in the order j = 0..d−1, so they agree
// bit for bit. Threads share the query points; results do not depend on their number.
//
//   kldiv::matrix_view<const double> x(px, n, d), y(py, m, d);
//   auto e = kldiv::estimate::kl_divergence_knn(x, y, {.k = 5});   // e.value in nats

#include <cstddef>

#include "kldiv/estimate/estimate.hpp"
#include "kldiv/names.hpp"
#include "kldiv/progress.hpp"
#include "kldiv/units.hpp"
#include "kldiv/views.hpp"

namespace kldiv::estimate {

enum class knn_method {
    wang_kulkarni_verdu,  // separate k and l with the ψ(k) − ψ(l) correction
    perez_cruz,           // one k for both samples (l must be 0 or k)
};

// "wang_kulkarni_verdu", "perez_cruz"; the alias "wkv" (kldiv/names.hpp).
inline std::span<const named<knn_method>> names_of(knn_method) noexcept {
    static constexpr named<knn_method> table[] = {{knn_method::wang_kulkarni_verdu, "wang_kulkarni_verdu"},
                                                  {knn_method::perez_cruz, "perez_cruz"},
                                                  {knn_method::wang_kulkarni_verdu, "wkv"}};
    return table;
}

struct knn_options {
    std::size_t k = 5;  // neighbour index in x (needs n > k)
    std::size_t l = 0;  // neighbour index in y (needs m >= l); 0: l = k
    knn_method method = knn_method::wang_kulkarni_verdu;
    log_base base{};
    unsigned threads = 0;          // 0: all hardware threads
    progress_callback progress{};  // neighbour searches done: the points of x searched in x (entropy), in y
                                   // (cross-entropy) or in both (KL)
};

// D(P‖Q) from x ~ P and y ~ Q. Throws kldiv::error for k = 0, n ≤ k, m < l, d = 0, different
// numbers of columns, a NaN or infinite value, or too few points at positive distance.
estimate kl_divergence_knn(matrix_view<const double> x, matrix_view<const double> y, const knn_options& opts = {});

// H(P) from x ~ P (Kozachenko–Leonenko; uses opts.k, opts.base and opts.threads only).
estimate entropy_knn(matrix_view<const double> x, const knn_options& opts = {});

// H(P, Q) = −E_P[ln q] from x ~ P and y ~ Q by the l-th neighbours in y (l = opts.l, or opts.k
// when 0): Ĥ(P, Q) = ln m − ψ(l) + ln V_d + (d/n) Σ_i ln ν_l(i) (Leonenko, Pronzato & Savani,
// Ann. Statist. 36(5), 2008). With the same k and l, Ĥ(P, Q) − Ĥ(P) = D̂(P‖Q) + ln(n−1) − ψ(n).
estimate cross_entropy_knn(matrix_view<const double> x, matrix_view<const double> y, const knn_options& opts = {});

}  // namespace kldiv::estimate
