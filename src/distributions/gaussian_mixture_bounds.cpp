// Approximations and bounds of D(f‖g) between Gaussian mixtures (gaussian_mixture_bounds.hpp for
// the formulas and references). Everything is computed in log space from the component pairs:
// D_ab by the Gaussian closed form (closed_forms_multivariate.cpp), ln t_ab = ln N(μ_a; μ_b,
// Σ_a + Σ_b) by a Cholesky factorization of Σ_a + Σ_b, so no density underflows however far apart
// the components are. The bounds are valid up to rounding (about 1e-15 of the terms summed).
//
// Why they are bounds: for each a, Jensen gives ∫ f_a ln g ≤ ln ∫ f_a g = ln Σ_b ω_b t_ab, and the
// variational (log-sum) inequality gives ∫ f_a ln g ≥ ln Σ_b ω_b e^(−H(f_a, g_b)) with the
// cross-entropy H(f_a, g_b) = H_a + D_ab; the same with g = f bounds ∫ f ln f. D = ∫ f ln f − ∫ f ln g
// takes the lower bound of one and the upper of the other. The variational upper bound is the
// divergence of the joint mixtures Σ_ab φ_ab f_a and Σ_ab ψ_ab g_b over (a, b, x), which is at
// least D(f‖g) (a marginal); alternating exact minimization over φ (rows summing to π_a) and ψ
// (columns summing to ω_b) never increases it:
//   φ_ab = π_a ψ_ab e^(−D_ab) / Σ_b' ψ_ab' e^(−D_ab'),  ψ_ab = ω_b φ_ab / Σ_a' φ_a'b.

#include "kldiv/distributions/gaussian_mixture_bounds.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>

#include "kldiv/error.hpp"
#include "src/distributions/closed_forms_multivariate.hpp"

namespace kldiv::distributions {
namespace {

using dense = Eigen::MatrixXd;
using vector = Eigen::VectorXd;
using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Eigen::Index;

constexpr std::string_view function = "gaussian_mixture_kl_estimates";
constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
// The variational upper bound stops when an iteration lowers it by less than this fraction, or
// after max_iterations.
constexpr double iteration_tolerance = 1e-14;
constexpr int max_iterations = 1000;

multivariate_normal one_dimensional(const normal& n) {
    return multivariate_normal::from_scale_tril({n.loc}, matrix(1, 1, {n.scale}));
}

gaussian_mixture as_gaussian_mixture(const distribution& d, std::string_view role) {
    return std::visit(
        [&](const auto& x) -> gaussian_mixture {
            using T = std::remove_cvref_t<decltype(x)>;
            if constexpr (std::is_same_v<T, gaussian_mixture>) {
                return x;
            } else if constexpr (std::is_same_v<T, multivariate_normal>) {
                return {{1.0}, {x}};
            } else if constexpr (std::is_same_v<T, lowrank_multivariate_normal> || std::is_same_v<T, diagonal_normal>) {
                return {{1.0}, {multivariate_normal::from_covariance(x.loc, x.covariance())}};
            } else if constexpr (std::is_same_v<T, normal>) {
                return {{1.0}, {one_dimensional(x)}};
            } else if constexpr (std::is_same_v<T, mixture>) {
                std::vector<multivariate_normal> components;
                for (const univariate& c : x.components) {
                    const auto* n = std::get_if<normal>(&c);
                    if (n == nullptr)
                        throw error(std::string(function), std::string(role) + " has a " + std::string(family_name(c)) +
                                                               " component, but all must be normal");
                    components.push_back(one_dimensional(*n));
                }
                return {x.weights, std::move(components)};
            } else {
                throw error(std::string(function), std::string(role) + " is " + std::string(T::name) +
                                                       ", but it must be a Gaussian or a mixture of Gaussians");
            }
        },
        d);
}

// One component, ready for the pairwise quantities.
struct component {
    double log_weight;
    const multivariate_normal* normal;
    vector loc;
    dense scale_tril;
    double entropy;  // ½ d (1 + ln 2π) + Σ ln L_ii
};

std::vector<component> components_of(const gaussian_mixture& m) {
    std::vector<component> out;
    for (std::size_t k = 0; k < m.components.size(); ++k) {
        if (m.weights[k] == 0.0) continue;
        const multivariate_normal& c = m.components[k];
        const auto d = static_cast<Index>(c.dimension());
        component x{std::log(m.weights[k]), &c, Eigen::Map<const vector>(c.loc.data(), d),
                    Eigen::Map<const row_major>(c.scale_tril.values.data(), d, d), 0.0};
        x.entropy = 0.5 * static_cast<double>(d) * (1.0 + std::log(2.0 * std::numbers::pi)) +
                    x.scale_tril.diagonal().array().log().sum();
        out.push_back(std::move(x));
    }
    return out;
}

// ln ∫ f g = ln N(μ_f; μ_g, Σ_f + Σ_g).
double log_overlap(const component& f, const component& g) {
    const dense sum = f.scale_tril * f.scale_tril.transpose() + g.scale_tril * g.scale_tril.transpose();
    const Eigen::LLT<dense> llt(sum);
    vector delta = f.loc - g.loc;
    llt.matrixL().solveInPlace(delta);
    const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    return -0.5 *
           (static_cast<double>(delta.size()) * std::log(2.0 * std::numbers::pi) + log_det + delta.squaredNorm());
}

double divergence(const component& f, const component& g) { return *detail::closed_form(*f.normal, *g.normal); }

// ln Σ_k e^(x_k), −∞ for no terms or all −∞.
double log_sum_exp(const vector& x) {
    const double top = x.size() == 0 ? minus_infinity : x.maxCoeff();
    if (top == minus_infinity) return minus_infinity;
    return top + std::log((x.array() - top).exp().sum());
}

// The pairwise table between the components of f and of g: D(f_a‖g_b) and ln ∫ f_a g_b.
struct pair_table {
    dense divergence, log_overlap;
};

pair_table table_of(const std::vector<component>& f, const std::vector<component>& g) {
    const auto n = static_cast<Index>(f.size()), m = static_cast<Index>(g.size());
    pair_table t{dense(n, m), dense(n, m)};
    for (Index a = 0; a < n; ++a)
        for (Index b = 0; b < m; ++b) {
            t.divergence(a, b) = divergence(f[a], g[b]);
            t.log_overlap(a, b) = log_overlap(f[a], g[b]);
        }
    return t;
}

vector log_weights(const std::vector<component>& c) {
    vector w(static_cast<Index>(c.size()));
    for (std::size_t k = 0; k < c.size(); ++k) w(static_cast<Index>(k)) = c[k].log_weight;
    return w;
}

// Σ_ab φ_ab (ln φ_ab − ln ψ_ab + D_ab): the variational upper bound at (φ, ψ).
double variational_objective(const dense& log_phi, const dense& log_psi, const dense& d) {
    double sum = 0.0;
    for (Index a = 0; a < d.rows(); ++a)
        for (Index b = 0; b < d.cols(); ++b)
            if (log_phi(a, b) != minus_infinity)
                sum += std::exp(log_phi(a, b)) * (log_phi(a, b) - log_psi(a, b) + d(a, b));
    return sum;
}

// Hershey & Olsen's variational upper bound, iterated from the convexity bound.
double variational_upper_bound(const vector& log_pi, const vector& log_omega, const dense& d) {
    const Index n = d.rows(), m = d.cols();
    dense log_phi = log_pi.replicate(1, m);
    log_phi.rowwise() += log_omega.transpose();
    dense log_psi = log_phi;
    double best = variational_objective(log_phi, log_psi, d);
    for (int iteration = 0; iteration < max_iterations; ++iteration) {
        for (Index a = 0; a < n; ++a) {
            const vector row = (log_psi.row(a) - d.row(a)).transpose();
            const double norm = log_sum_exp(row);
            log_phi.row(a) = (row.array() + (log_pi(a) - norm)).transpose();
        }
        for (Index b = 0; b < m; ++b) {
            const double norm = log_sum_exp(log_phi.col(b));
            log_psi.col(b) = log_phi.col(b).array() + (log_omega(b) - norm);
        }
        const double value = variational_objective(log_phi, log_psi, d);
        const bool converged = !(best - value > iteration_tolerance * std::fabs(value));
        best = std::min(best, value);
        if (converged) break;
    }
    return best;
}

}  // namespace

gaussian_mixture_estimates gaussian_mixture_kl_estimates(const distribution& p, const distribution& q) {
    const gaussian_mixture mp = as_gaussian_mixture(p, "P"), mq = as_gaussian_mixture(q, "Q");
    if (mp.dimension() != mq.dimension())
        throw error(std::string(function), "P has dimension " + std::to_string(mp.dimension()) + " and Q " +
                                               std::to_string(mq.dimension()) + ", but they must be equal");
    const std::vector<component> f = components_of(mp), g = components_of(mq);
    const pair_table fg = table_of(f, g), ff = table_of(f, f);
    const vector log_pi = log_weights(f), log_omega = log_weights(g);

    gaussian_mixture_estimates out;
    double durrieu_upper = 0.0, durrieu_lower = 0.0;
    for (Index a = 0; a < static_cast<Index>(f.size()); ++a) {
        const double pi = std::exp(log_pi(a)), entropy = f[static_cast<std::size_t>(a)].entropy;
        const double self_variational = log_sum_exp(log_pi - ff.divergence.row(a).transpose());
        const double other_variational = log_sum_exp(log_omega - fg.divergence.row(a).transpose());
        const double self_overlap = log_sum_exp(log_pi + ff.log_overlap.row(a).transpose());
        const double other_overlap = log_sum_exp(log_omega + fg.log_overlap.row(a).transpose());
        out.variational += pi * (self_variational - other_variational);
        out.product += pi * (self_overlap - other_overlap);
        durrieu_upper += pi * (self_overlap + entropy - other_variational);
        durrieu_lower += pi * (self_variational - entropy - other_overlap);
    }
    out.upper_bound = std::min(durrieu_upper, variational_upper_bound(log_pi, log_omega, fg.divergence));
    out.lower_bound = std::max(0.0, durrieu_lower);
    return out;
}

}  // namespace kldiv::distributions
