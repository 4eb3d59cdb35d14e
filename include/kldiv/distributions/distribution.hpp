#pragma once
// Every family kldiv knows, as one value type: `distribution` holds any of them, `univariate` any
// distribution of one real or integer variable. Mixtures are finite mixtures of univariate
// distributions (of any families) or of multivariate normals of one dimension; `independent` is the
// product of independent components of any families (PyTorch's Independent).

#include <string_view>
#include <variant>
#include <vector>

#include "kldiv/distributions/bernoulli.hpp"
#include "kldiv/distributions/beta.hpp"
#include "kldiv/distributions/binomial.hpp"
#include "kldiv/distributions/categorical.hpp"
#include "kldiv/distributions/cauchy.hpp"
#include "kldiv/distributions/chi2.hpp"
#include "kldiv/distributions/continuous_bernoulli.hpp"
#include "kldiv/distributions/diagonal_normal.hpp"
#include "kldiv/distributions/dirichlet.hpp"
#include "kldiv/distributions/exponential.hpp"
#include "kldiv/distributions/gamma.hpp"
#include "kldiv/distributions/geometric.hpp"
#include "kldiv/distributions/gumbel.hpp"
#include "kldiv/distributions/half_cauchy.hpp"
#include "kldiv/distributions/half_normal.hpp"
#include "kldiv/distributions/inverse_gamma.hpp"
#include "kldiv/distributions/laplace.hpp"
#include "kldiv/distributions/log_normal.hpp"
#include "kldiv/distributions/logistic.hpp"
#include "kldiv/distributions/logistic_normal.hpp"
#include "kldiv/distributions/lowrank_multivariate_normal.hpp"
#include "kldiv/distributions/multinomial.hpp"
#include "kldiv/distributions/multivariate_normal.hpp"
#include "kldiv/distributions/negative_binomial.hpp"
#include "kldiv/distributions/normal.hpp"
#include "kldiv/distributions/pareto.hpp"
#include "kldiv/distributions/poisson.hpp"
#include "kldiv/distributions/student_t.hpp"
#include "kldiv/distributions/uniform.hpp"
#include "kldiv/distributions/von_mises.hpp"
#include "kldiv/distributions/weibull.hpp"
#include "kldiv/distributions/wishart.hpp"

namespace kldiv::distributions {

using univariate =
    std::variant<bernoulli, binomial, categorical, geometric, poisson, negative_binomial, normal, half_normal,
                 log_normal, laplace, cauchy, gumbel, logistic, exponential, gamma, inverse_gamma, chi2, beta,
                 continuous_bernoulli, uniform, pareto, weibull, student_t, von_mises, half_cauchy>;

// A finite mixture Σ w_k P_k of univariate distributions, of any families. The weights are
// normalized on construction (like PyTorch's mixing Categorical).
struct mixture {
    static constexpr std::string_view name = "mixture";

    std::vector<double> weights;
    std::vector<univariate> components;

    // Throws kldiv::error unless there is one weight (finite, ≥ 0, not all 0) per component and at
    // least one component.
    mixture(std::vector<double> weights, std::vector<univariate> components);
};

// A finite mixture of multivariate normals of one dimension d.
struct gaussian_mixture {
    static constexpr std::string_view name = "gaussian_mixture";

    std::vector<double> weights;
    std::vector<multivariate_normal> components;

    // As for mixture; also throws unless all components have the same dimension.
    gaussian_mixture(std::vector<double> weights, std::vector<multivariate_normal> components);

    std::size_t dimension() const noexcept { return components.front().dimension(); }
};

struct independent;

using distribution =
    std::variant<bernoulli, binomial, categorical, geometric, poisson, negative_binomial, normal, half_normal,
                 log_normal, laplace, cauchy, gumbel, logistic, exponential, gamma, inverse_gamma, chi2, beta,
                 continuous_bernoulli, uniform, pareto, weibull, student_t, von_mises, multinomial, dirichlet,
                 multivariate_normal, lowrank_multivariate_normal, diagonal_normal, wishart, mixture, gaussian_mixture,
                 half_cauchy, logistic_normal, independent>;

// Independent(components): the joint distribution of independent components X_1, …, X_n of any
// families, p(x) = Π p_i(x_i) — PyTorch's Independent(X, n) with X's batch written out. Nested
// products are flattened on construction. D(P‖Q) between two products of as many components is
// Σ D(P_i‖Q_i) (kl.hpp).
struct independent {
    static constexpr std::string_view name = "independent";

    std::vector<distribution> components;  // n ≥ 1, none of them independent (flattened)

    // Throws kldiv::error unless there is at least one component.
    explicit independent(std::vector<distribution> components);
};

// The family's name, e.g. "gamma".
std::string_view family_name(const distribution& d) noexcept;
std::string_view family_name(const univariate& d) noexcept;

}  // namespace kldiv::distributions
