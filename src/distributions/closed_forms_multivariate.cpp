// Closed forms of D(P‖Q) for the multivariate families, in nats, each written as a sum of terms that
// are ≥ 0 (or of second order), so that nearly equal distributions give small positive values
// with their relative precision instead of rounding noise, and equal ones give exactly 0.
//
// Gaussians N(μp, Σp), N(μq, Σq) on ℝ^d, δ = μp − μq:
//   D = ½ [tr(Σq⁻¹Σp) − d − ln det(Σq⁻¹Σp) + δᵀΣq⁻¹δ].
// PyTorch evaluates this as written: terms of size d that cancel, so for Σp ≈ Σq it returns noise
// of size d·1e-16, often negative. Here D follows the chain rule over the coordinates,
//   D = Σ_j E_P[D(P(x_j | x_<j) ‖ Q(x_j | x_<j))],
// where each conditional is a 1-D normal with standard deviation ℓ_j (the Cholesky diagonal) and a
// mean affine in x_<j, so each coordinate contributes ½[f(2 ln(ℓp_j/ℓq_j)) + E_P(m_j²)/ℓq_j²] with
// f(u) = e^u − 1 − u ≥ 0 (by its series for small u) and m_j the difference of the conditional means.
//   - With dense lower factors Σ = L Lᵀ and A = Lq⁻¹Lp (so Σq⁻¹Σp ~ A Aᵀ) this is
//       D = ½ [Σ_j f(2 ln(ℓp_j/ℓq_j)) + Σ_{i>j} A_ij² + ‖Lq⁻¹δ‖²]
//     (tr AAᵀ − d − ln det AAᵀ split entry by entry), with the off-diagonal A_ij taken from
//     Lq⁻¹(Lp − Lq), one triangular solve of the small difference, and ln(ℓp/ℓq) from
//     log1p((ℓp − ℓq)/ℓq). No eigen-decomposition; O(d³). Used when either side is a full
//     multivariate_normal (a low-rank or diagonal partner is turned into its Cholesky factor).
//     Accuracy: the solve is backward stable, so every term has relative error about d·κ(Lq)·ε
//     however close P and Q are, for factors given exactly (scale_tril, or a low-rank normal's
//     rows below). Two covariances given as matrices (from_covariance) would each be perturbed by
//     about ε‖Σ‖ when factored, which swamps a relative difference near ε; where every eigenvalue
//     β of B = Lq⁻¹(Σp − Σq)Lq⁻ᵀ has |β| ≤ 1/2 they are compared by that exact difference
//     instead: the covariance part is Σ_β f(ln(1 + β)) (M = I + B), again with relative error
//     about d·κ·ε, and exactly 0 for equal matrices. Two precision matrices likewise, with
//     B = Lλp⁻¹(Λq − Λp)Lλp⁻ᵀ, Λp = Lλp Lλpᵀ (M = Λq Λp⁻¹ ~ I + B). A covariance or precision
//     against another representation goes through the factors (error about ε/δ relative for a
//     relative difference δ of the parameters).
//   - Low-rank Σ = diag(D) + W Wᵀ (W: d × r): the Cholesky factor is never formed. A Kalman filter
//     over the coordinates gives its rows: with the capacitance matrix built a row at a time,
//     Λ_j = I_r + Σ_{k<j} w_k w_kᵀ / D_k (kept as its Cholesky factor, rank-one updates),
//       ℓ_j² = D_j + w_jᵀ Λ_j⁻¹ w_j,  g_j = Λ_j⁻¹ w_j / ℓ_j,  L_ij = w_iᵀ g_j (i > j),
//     and the conditional mean of x_j is μ_j + w_jᵀ s_j with s_j = Σ_{k<j} g_k z_k (z the
//     standardized innovations). Under P, m_j is affine in the Gaussian state (s_p, s_p − s_q),
//     whose mean and covariance are carried from row to row; keeping s_p − s_q (and W_p − W_q,
//     Λp − Λq, ℓp − ℓq, see by_filters) rather than the Q side keeps the small differences. O(d r²)
//     for a pair of low-rank or diagonal normals, r the larger rank; accuracy as above, with κ
//     that of the capacitance matrices, and exactly 0 for equal parameters.
//   - Two diagonal normals: the coordinates are independent, O(d).
//
// Wishart W_d(νp, Σp) against W_d(νq, Σq), a = ν/2, M = Σq⁻¹Σp: from E_P[X] = νpΣp and
// E_P[ln|X|] = ψ_d(ap) + d ln 2 + ln|Σp| in the log-density ratio,
//   D = (νp/2)(tr M − d) + (νq/2)(ln|Σq| − ln|Σp|) + (ap − aq) ψ_d(ap) + ln Γ_d(aq) − ln Γ_d(ap)
//     = ap·T(M) + (ap − aq) ln det M + Σ_{i=0}^{d−1} G(ap − i/2, aq − ap),
// with T(M) = tr M − d − ln det M ≥ 0 (the Gaussian covariance part above, from the exact difference
// of the scale matrices where both were given as covariances, or both as precisions, and nearly
// agree) and
// G(a, h) = ln Γ(a + h) − ln Γ(a) − h ψ(a) ≥ 0. For d = 1 it is Gamma(νp/2, rate 1/(2sp)) against
// Gamma(νq/2, rate 1/(2sq)).
//
// Dirichlet(α) against Dirichlet(β), α0 = Σα_k, h = β − α:
//   D = ln Γ(α0) − ln Γ(β0) + Σ_k [ln Γ(β_k) − ln Γ(α_k) + (α_k − β_k)(ψ(α_k) − ψ(α0))]
//     = Σ_k G(α_k, h_k) − G(α0, Σ_k h_k).
// G(a, h) for |h| ≤ a/10 by its Taylor series Σ_{n≥2} ψ^(n−1)(a) hⁿ/n! (radius a; each term at
// most 1/10 of the one before), so G keeps its relative precision for nearly equal parameters;
// otherwise from ln Γ and ψ directly (relative error ≤ about 1e-13 there).
//
// Multinomial(n, p) against Multinomial(n, q): n·D(Categorical(p)‖Categorical(q)), by the core's
// non-negative terms on the weights as given, normalized exactly there (0·log 0 = 0, +∞ where
// q_k = 0 < p_k); different n: +∞.

#include "src/distributions/closed_forms_multivariate.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <cfloat>
#include <cmath>
#include <limits>

#include "kldiv/discrete.hpp"
#include "src/core/generators.hpp"
#include "src/distributions/closed_forms_univariate.hpp"

namespace kldiv::distributions::detail {
namespace {

using dense = Eigen::MatrixXd;
using vector = Eigen::VectorXd;
using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Eigen::Index;

vector as_vector(const std::vector<double>& v) {
    return Eigen::Map<const vector>(v.data(), static_cast<Index>(v.size()));
}

dense as_dense(const matrix& m) {
    return Eigen::Map<const row_major>(m.values.data(), static_cast<Index>(m.rows), static_cast<Index>(m.cols));
}

// ln(a/b) for a, b > 0 given their difference a − b, with full relative precision also when a ≈ b.
double log_ratio(double a, double b, double difference) {
    if (std::fabs(difference) <= 0.5 * b) return std::log1p(difference / b);
    const double r = a / b;
    if (r >= DBL_MIN && r <= DBL_MAX) return std::log(r);
    return std::log(a) - std::log(b);
}

double log_ratio(double a, double b) { return log_ratio(a, b, a - b); }  // a − b exact for b/2 ≤ a ≤ 2b

// Twice D(N(μ + m, ℓp²) ‖ N(μ, ℓq²)) averaged over a random m with mean m0 and variance v, given
// ln(ℓp/ℓq): f(2 ln(ℓp/ℓq)) + (m0² + v)/ℓq², with f(u) = e^u − 1 − u = φ(−u) (src/core/generators.hpp).
double coordinate_term(double log_ratio_pq, double ell_q, double m0, double v) {
    const double z = m0 / ell_q;
    return kldiv::detail::phi(-2.0 * log_ratio_pq) + z * z + v / ell_q / ell_q;
}

// T(M) = tr M − d − ln det M ≥ 0 and ln det M for M = Σq⁻¹Σp, from the lower factors Lp, Lq.
struct covariance_part {
    double trace_log_det = 0.0;
    double log_det = 0.0;
};

covariance_part compare_factors(const dense& lp, const dense& lq) {
    dense a = lp - lq;  // the off-diagonal of Lq⁻¹Lp is that of Lq⁻¹(Lp − Lq)
    lq.triangularView<Eigen::Lower>().solveInPlace(a);
    covariance_part out;
    for (Index j = 0; j < a.cols(); ++j) {
        const double log_ratio_j = log_ratio(lp(j, j), lq(j, j));
        out.trace_log_det += kldiv::detail::phi(-2.0 * log_ratio_j);
        out.log_det += 2.0 * log_ratio_j;
        for (Index i = j + 1; i < a.rows(); ++i) out.trace_log_det += a(i, j) * a(i, j);
    }
    return out;
}

// A symmetric matrix from the upper triangle of m, the one the factorizations read
// (parameters.cpp maps the row-major values column-major).
dense from_upper(const dense& m) {
    dense out = m;
    out.triangularView<Eigen::StrictlyLower>() = m.transpose();
    return out;
}

// T(M) and ln det M for M similar to I + B, B = L⁻¹(A − C)L⁻ᵀ with C = L Lᵀ, from the matrices as
// given where they nearly agree: covariances A = Σp, C = Σq (M = Σq⁻¹Σp), or precisions A = Λq,
// C = Λp (M = Λq Λp⁻¹). Over the eigenvalues β of B,
//   T = Σ f(ln(1 + β)),  ln det M = Σ ln(1 + β),  f(u) = e^u − 1 − u = φ(−u),
// every term ≥ 0 and exactly 0 for equal inputs. A − C is exact where the entries agree to a
// factor 2 (Sterbenz), so B has relative error about d·κ(L)·ε whatever its size. Nullopt unless
// every |β| ≤ 1/2: farther apart, T ≥ 0.09 and the factors (compare_factors) do as well.
std::optional<covariance_part> compare_matrices(const matrix& a, const matrix& c, const dense& l) {
    dense b = from_upper(as_dense(a) - as_dense(c));
    l.triangularView<Eigen::Lower>().solveInPlace(b);
    b.transposeInPlace();
    l.triangularView<Eigen::Lower>().solveInPlace(b);  // L⁻¹ (L⁻¹ Δ)ᵀ = L⁻¹ Δ L⁻ᵀ
    const Eigen::SelfAdjointEigenSolver<dense> eigen(b, Eigen::EigenvaluesOnly);
    if (eigen.info() != Eigen::Success || !(eigen.eigenvalues().cwiseAbs().maxCoeff() <= 0.5)) return std::nullopt;
    covariance_part out;
    for (const double beta : eigen.eigenvalues()) {
        const double log_lambda = std::log1p(beta);
        out.trace_log_det += kldiv::detail::phi(-log_lambda);
        out.log_det += log_lambda;
    }
    return out;
}

// The matrix given to from_covariance (precision = false) or from_precision, null where the
// distribution was built otherwise or its family has no such parameter.
template <class G>
const matrix* given_matrix_of(const G& g, bool precision) {
    if constexpr (requires { g.given_precision; }) {
        const auto& m = precision ? g.given_precision : g.given_covariance;
        return m ? &*m : nullptr;
    } else {
        return nullptr;
    }
}

// A low-rank (or diagonal) normal with its factor padded with zero columns to a common rank.
struct lowrank_view {
    vector loc;
    dense wt;     // Wᵀ: r × d, so that row j of W is the contiguous column j
    vector diag;  // D
};

Index rank_of(const lowrank_multivariate_normal& g) { return static_cast<Index>(g.cov_factor.cols); }
Index rank_of(const diagonal_normal&) { return 0; }

lowrank_view view_of(const lowrank_multivariate_normal& g, Index r) {
    lowrank_view v{as_vector(g.loc), dense::Zero(r, static_cast<Index>(g.dimension())), as_vector(g.cov_diag)};
    v.wt.topRows(rank_of(g)) = as_dense(g.cov_factor).transpose();
    return v;
}

lowrank_view view_of(const diagonal_normal& g, Index r) {
    return {as_vector(g.loc), dense::Zero(r, static_cast<Index>(g.dimension())), as_vector(g.scale).array().square()};
}

// The capacitance matrix Λ_j of diag(D) + W Wᵀ (file comment), row after row, as its Cholesky
// factor: O(r²) per row.
class capacitance {
public:
    explicit capacitance(Index r) : llt_(dense::Identity(r, r)), scaled_(r) {}

    vector solve(const vector& w) const { return llt_.solve(w); }  // Λ_j⁻¹ w
    // Λ_{j+1} = Λ_j + w wᵀ / D_j.
    void add(const Eigen::Ref<const vector>& w, double diag) {
        scaled_ = w / std::sqrt(diag);
        llt_.rankUpdate(scaled_);
    }

private:
    Eigen::LLT<dense> llt_;
    vector scaled_;
};

// The dense lower Cholesky factor of each representation.
dense factor_of(const multivariate_normal& g) { return as_dense(g.scale_tril); }
dense factor_of(const wishart& g) { return as_dense(g.scale_tril); }
dense factor_of(const diagonal_normal& g) { return as_vector(g.scale).asDiagonal(); }
dense factor_of(const lowrank_multivariate_normal& g) {
    const lowrank_view v = view_of(g, rank_of(g));
    const Index r = v.wt.rows(), d = v.wt.cols();
    dense l = dense::Zero(d, d), generators(r, d);
    capacitance rows(r);
    for (Index j = 0; j < d; ++j) {
        const vector u = rows.solve(v.wt.col(j));
        l(j, j) = std::sqrt(v.diag(j) + v.wt.col(j).dot(u));
        generators.col(j) = u / l(j, j);
        rows.add(v.wt.col(j), v.diag(j));
    }
    l.triangularView<Eigen::StrictlyLower>() = v.wt.transpose() * generators;
    return l;
}

// T(M) and ln det M of two Gaussian or Wishart scales, Lq = factor_of(q): by the difference of the
// covariances or of the precisions where both were given the same way and nearly agree, otherwise
// by the factors.
template <class P, class Q>
covariance_part compare_scales(const P& p, const Q& q, const dense& lq) {
    if (const matrix* sigma_p = given_matrix_of(p, false), *sigma_q = given_matrix_of(q, false); sigma_p && sigma_q)
        if (const auto near = compare_matrices(*sigma_p, *sigma_q, lq)) return *near;
    if (const matrix* lambda_p = given_matrix_of(p, true), *lambda_q = given_matrix_of(q, true); lambda_p && lambda_q) {
        const Eigen::LLT<dense> factor(from_upper(as_dense(*lambda_p)));
        if (const auto near = compare_matrices(*lambda_q, *lambda_p, factor.matrixL())) return *near;
    }
    return compare_factors(factor_of(p), lq);
}

// D by the dense factors.
template <class P, class Q>
std::optional<double> by_factors(const P& p, const Q& q) {
    if (p.dimension() != q.dimension()) return std::nullopt;
    const dense lq = factor_of(q);
    vector delta = as_vector(p.loc) - as_vector(q.loc);
    lq.triangularView<Eigen::Lower>().solveInPlace(delta);
    return 0.5 * (compare_scales(p, q, lq).trace_log_det + delta.squaredNorm());
}

// D by the chain rule over the coordinates for two low-rank (or diagonal) normals, O(d r²). Every
// quantity that vanishes for P = Q is carried as a difference, formed from the differences of the
// parameters (ΔW = Wp − Wq, ΔD = Dp − Dq, Δμ = μp − μq), never by subtracting two rounded values:
//   ΔΛ = Λp − Λq (a rank-two and a rank-one update per row),
//   Δu = up − uq = Λp⁻¹(Δw − ΔΛ uq) for u = Λ⁻¹w,  Δℓ² = ΔD_j + Δwᵀup + wqᵀΔu,
// so ln(ℓp/ℓq) = log1p(Δℓ/ℓq) with Δℓ = Δℓ²/(ℓp + ℓq), and gp − gq·ℓp/ℓq = Δu/ℓp − uq·Δℓ²/(ℓp ℓq²)
// (g = u/ℓ) keep their relative precision however close P and Q are; equal parameters give 0.
double by_filters(const lowrank_view& p, const lowrank_view& q) {
    const Index r = p.wt.rows(), d = p.wt.cols();
    capacitance rows_p(r), rows_q(r);
    dense capacitance_gap = dense::Zero(r, r);  // ΔΛ, lower triangle
    vector mean = vector::Zero(r);              // E_P[s_p − s_q] (E_P[s_p] = 0)
    dense cov = dense::Zero(2 * r, 2 * r);      // Cov_P of (s_p, s_p − s_q), lower triangle
    vector a(2 * r), e = vector::Zero(2 * r), h(2 * r), cov_a(2 * r);
    double sum = 0.0;
    for (Index j = 0; j < d; ++j) {
        const auto w_p = p.wt.col(j), w_q = q.wt.col(j);
        const vector dw = w_p - w_q;
        const double d_p = p.diag(j), d_q = q.diag(j), dd = d_p - d_q;
        const vector u_p = rows_p.solve(w_p), u_q = rows_q.solve(w_q);
        const vector du = rows_p.solve(dw - capacitance_gap.selfadjointView<Eigen::Lower>() * u_q);
        const double ell_p = std::sqrt(d_p + w_p.dot(u_p)), ell_q = std::sqrt(d_q + w_q.dot(u_q));
        const double dell2 = dd + dw.dot(u_p) + w_q.dot(du);  // ℓp² − ℓq²
        // m_j = (μp_j − μq_j) + w_pᵀs_p − w_qᵀs_q = (μp_j − μq_j) + aᵀ(s_p, s_p − s_q)
        a << dw, w_q;
        const double m0 = (p.loc(j) - q.loc(j)) + w_q.dot(mean);
        cov_a.noalias() = cov.selfadjointView<Eigen::Lower>() * a;
        const double v = std::fmax(0.0, a.dot(cov_a));
        sum += coordinate_term(log_ratio(ell_p, ell_q, dell2 / (ell_p + ell_q)), ell_q, m0, v);
        // Next state: s_p += g_p z, s_q += g_q z_q with z_q = (m_j + ℓp z)/ℓq, z ~ N(0, 1), g = u/ℓ.
        auto kappa = e.tail(r);
        kappa = u_q / (ell_q * ell_q);  // g_q/ℓq
        mean -= kappa * m0;
        h << u_p / ell_p, du / ell_p - u_q * (dell2 / (ell_p * ell_q * ell_q));
        // cov ← (I − e aᵀ) cov (I − a eᵀ) + h hᵀ = cov − e uᵀ − u eᵀ + h hᵀ, u = cov·a − (v/2) e
        cov_a -= (0.5 * v) * e;
        cov.selfadjointView<Eigen::Lower>().rankUpdate(e, cov_a, -1.0);
        cov.selfadjointView<Eigen::Lower>().rankUpdate(h);
        // ΔΛ += w_p w_pᵀ/D_p − w_q w_qᵀ/D_q = ½(Δw σᵀ + σ Δwᵀ)/D_p − w_q w_qᵀ ΔD/(D_p D_q), σ = w_p + w_q
        capacitance_gap.selfadjointView<Eigen::Lower>().rankUpdate(dw, w_p + w_q, 0.5 / d_p);
        capacitance_gap.selfadjointView<Eigen::Lower>().rankUpdate(w_q, -dd / (d_p * d_q));
        rows_p.add(w_p, d_p);
        rows_q.add(w_q, d_q);
    }
    return 0.5 * sum;
}

template <class P, class Q>
std::optional<double> by_filters(const P& p, const Q& q) {
    if (p.dimension() != q.dimension()) return std::nullopt;
    const Index r = std::max(rank_of(p), rank_of(q));
    return by_filters(view_of(p, r), view_of(q, r));
}

// G(a, h) = ln Γ(a + h) − ln Γ(a) − h ψ(a) ≥ 0 (ln Γ is convex) for a > 0, a + h > 0.
double log_gamma_gap(double a, double h) {
    if (h == 0.0) return 0.0;
    if (std::fabs(h) <= 0.1 * a) {
        double sum = 0.0, power = h;  // hⁿ/n!
        for (int n = 2; n <= 40; ++n) {
            power *= h / n;
            const double term = boost::math::polygamma(n - 1, a) * power;
            sum += term;
            if (std::fabs(term) <= 1e-17 * sum) break;
        }
        return sum;
    }
    return std::fmax(0.0, boost::math::lgamma(a + h) - boost::math::lgamma(a) - h * boost::math::digamma(a));
}

}  // namespace

std::optional<double> closed_form(const multivariate_normal& p, const multivariate_normal& q) {
    return by_factors(p, q);
}
std::optional<double> closed_form(const multivariate_normal& p, const lowrank_multivariate_normal& q) {
    return by_factors(p, q);
}
std::optional<double> closed_form(const multivariate_normal& p, const diagonal_normal& q) { return by_factors(p, q); }
std::optional<double> closed_form(const lowrank_multivariate_normal& p, const multivariate_normal& q) {
    return by_factors(p, q);
}
std::optional<double> closed_form(const lowrank_multivariate_normal& p, const lowrank_multivariate_normal& q) {
    return by_filters(p, q);
}
std::optional<double> closed_form(const lowrank_multivariate_normal& p, const diagonal_normal& q) {
    return by_filters(p, q);
}
std::optional<double> closed_form(const diagonal_normal& p, const multivariate_normal& q) { return by_factors(p, q); }
std::optional<double> closed_form(const diagonal_normal& p, const lowrank_multivariate_normal& q) {
    return by_filters(p, q);
}

std::optional<double> closed_form(const diagonal_normal& p, const diagonal_normal& q) {
    if (p.dimension() != q.dimension()) return std::nullopt;
    double sum = 0.0;
    for (std::size_t j = 0; j < p.dimension(); ++j)
        sum += coordinate_term(log_ratio(p.scale[j], q.scale[j]), q.scale[j], p.loc[j] - q.loc[j], 0.0);
    return 0.5 * sum;
}

std::optional<double> closed_form(const logistic_normal& p, const logistic_normal& q) {
    if (p.dimension() != q.dimension()) return std::nullopt;
    return closed_form(diagonal_normal(p.loc, p.scale), diagonal_normal(q.loc, q.scale));
}

std::optional<double> closed_form(const dirichlet& p, const dirichlet& q) {
    if (p.concentration.size() != q.concentration.size()) return std::nullopt;
    return kl_terms::log_beta_bregman(p.concentration, q.concentration, dirichlet::name);
}

std::optional<double> closed_form(const multinomial& p, const multinomial& q) {
    if (p.probs.size() != q.probs.size()) return std::nullopt;
    if (p.total_count != q.total_count) return std::numeric_limits<double>::infinity();
    if (p.total_count == 0) return 0.0;
    return static_cast<double>(p.total_count) * kldiv::kl_divergence(p.weights, q.weights, {.normalize = true});
}

std::optional<double> closed_form(const wishart& p, const wishart& q) {
    if (p.dimension() != q.dimension()) return std::nullopt;
    const covariance_part c = compare_scales(p, q, factor_of(q));
    const double a_p = 0.5 * p.df, h = 0.5 * (q.df - p.df);
    double gaps = 0.0;
    for (std::size_t i = 0; i < p.dimension(); ++i) gaps += log_gamma_gap(a_p - 0.5 * static_cast<double>(i), h);
    return std::fmax(0.0, a_p * c.trace_log_det - h * c.log_det + gaps);
}

}  // namespace kldiv::distributions::detail
