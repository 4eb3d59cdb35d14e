// The family constructors: each validates its parameters once, so every other function can trust them.

#include <cmath>
#include <limits>
#include <type_traits>

#include "kldiv/distributions/distribution.hpp"
#include "kldiv/error.hpp"
#include "src/distributions/parameters.hpp"
#include "src/distributions/support.hpp"

namespace kldiv::distributions {

using namespace detail;

namespace {
constexpr double infinity = std::numeric_limits<double>::infinity();

// The location–scale families: loc finite, scale finite and > 0.
void require_location_scale(std::string_view family, double loc, double scale) {
    require_finite(family, "loc", loc);
    require_positive(family, "scale", scale);
}
}  // namespace

bernoulli::bernoulli(double p) : probs(p) { require_between(name, "probs", p, 0.0, true, 1.0, true); }

binomial::binomial(std::uint64_t n, double p) : total_count(n), probs(p) {
    require_between(name, "probs", p, 0.0, true, 1.0, true);
}

categorical::categorical(std::vector<double> p) : probs(normalized_weights(name, "probs", p)), weights(std::move(p)) {}

geometric::geometric(double p) : probs(p) { require_between(name, "probs", p, 0.0, false, 1.0, true); }

poisson::poisson(double r) : rate(r) { require_positive(name, "rate", r); }

negative_binomial::negative_binomial(double r, double p) : total_count(r), probs(p) {
    require_positive(name, "total_count", r);
    require_between(name, "probs", p, 0.0, true, 1.0, false);
}

multinomial::multinomial(std::uint64_t n, std::vector<double> p)
    : total_count(n), probs(normalized_weights(name, "probs", p)), weights(std::move(p)) {}

normal::normal(double l, double s) : loc(l), scale(s) { require_location_scale(name, l, s); }

half_normal::half_normal(double s) : scale(s) { require_positive(name, "scale", s); }

half_cauchy::half_cauchy(double s) : scale(s) { require_positive(name, "scale", s); }

log_normal::log_normal(double l, double s) : loc(l), scale(s) { require_location_scale(name, l, s); }

laplace::laplace(double l, double s) : loc(l), scale(s) { require_location_scale(name, l, s); }

cauchy::cauchy(double l, double s) : loc(l), scale(s) { require_location_scale(name, l, s); }

gumbel::gumbel(double l, double s) : loc(l), scale(s) { require_location_scale(name, l, s); }

logistic::logistic(double l, double s) : loc(l), scale(s) { require_location_scale(name, l, s); }

exponential::exponential(double r) : rate(r) { require_positive(name, "rate", r); }

gamma::gamma(double a, double b) : concentration(a), rate(b) {
    require_positive(name, "concentration", a);
    require_positive(name, "rate", b);
}

inverse_gamma::inverse_gamma(double a, double b) : concentration(a), rate(b) {
    require_positive(name, "concentration", a);
    require_positive(name, "rate", b);
}

chi2::chi2(double k) : df(k) { require_positive(name, "df", k); }

beta::beta(double a, double b) : concentration1(a), concentration0(b) {
    require_positive(name, "concentration1", a);
    require_positive(name, "concentration0", b);
}

continuous_bernoulli::continuous_bernoulli(double p) : probs(p) {
    require_between(name, "probs", p, 0.0, false, 1.0, false);
}

uniform::uniform(double lo, double hi) : low(lo), high(hi) {
    require_finite(name, "low", lo);
    require_between(name, "high", hi, lo, false, infinity, false);
}

pareto::pareto(double s, double a) : scale(s), alpha(a) {
    require_positive(name, "scale", s);
    require_positive(name, "alpha", a);
}

weibull::weibull(double s, double k) : scale(s), concentration(k) {
    require_positive(name, "scale", s);
    require_positive(name, "concentration", k);
}

student_t::student_t(double n, double l, double s) : df(n), loc(l), scale(s) {
    require_positive(name, "df", n);
    require_finite(name, "loc", l);
    require_positive(name, "scale", s);
}

von_mises::von_mises(double l, double k) : loc(l), concentration(k) {
    require_finite(name, "loc", l);
    require_non_negative(name, "concentration", k);
}

dirichlet::dirichlet(std::vector<double> a) : concentration(std::move(a)) {
    if (concentration.size() < 2)
        throw error(std::string(name), "concentration has " + std::to_string(concentration.size()) +
                                           " values, but it must have at least 2");
    require_positive(name, "concentration", concentration);
}

multivariate_normal multivariate_normal::from_covariance(std::vector<double> loc, const matrix& covariance) {
    require_finite(name, "loc", loc);
    if (loc.empty()) throw error(std::string(name), "loc is empty");
    auto l = cholesky(name, "covariance_matrix", covariance, loc.size());
    return {std::move(loc), std::move(l), covariance};
}

multivariate_normal multivariate_normal::from_precision(std::vector<double> loc, const matrix& precision) {
    require_finite(name, "loc", loc);
    if (loc.empty()) throw error(std::string(name), "loc is empty");
    auto l = cholesky_of_inverse(name, "precision_matrix", precision, loc.size());
    return {std::move(loc), std::move(l), std::nullopt, precision};
}

multivariate_normal multivariate_normal::from_scale_tril(std::vector<double> loc, matrix scale_tril) {
    require_finite(name, "loc", loc);
    if (loc.empty()) throw error(std::string(name), "loc is empty");
    require_scale_tril(name, "scale_tril", scale_tril, loc.size());
    return {std::move(loc), std::move(scale_tril)};
}

matrix multivariate_normal::covariance() const { return times_transpose(scale_tril); }

lowrank_multivariate_normal::lowrank_multivariate_normal(std::vector<double> l, matrix w, std::vector<double> d)
    : loc(std::move(l)), cov_factor(std::move(w)), cov_diag(std::move(d)) {
    if (loc.empty()) throw error(std::string(name), "loc is empty");
    require_finite(name, "loc", loc);
    if (cov_factor.rows != loc.size() || cov_factor.cols == 0 ||
        cov_factor.values.size() != cov_factor.rows * cov_factor.cols)
        throw error(std::string(name), "cov_factor is " + std::to_string(cov_factor.rows) + " x " +
                                           std::to_string(cov_factor.cols) + ", but it must be " +
                                           std::to_string(loc.size()) + " x r with r >= 1");
    require_finite(name, "cov_factor", cov_factor.values);
    require_size(name, "cov_diag", cov_diag.size(), loc.size());
    require_positive(name, "cov_diag", cov_diag);
}

matrix lowrank_multivariate_normal::covariance() const {
    matrix s = times_transpose(cov_factor);
    for (std::size_t i = 0; i < cov_diag.size(); ++i) s(i, i) += cov_diag[i];
    return s;
}

namespace {
// Independent normal coordinates: loc d ≥ 1 finite values, scale as many values > 0.
void require_coordinates(std::string_view family, const std::vector<double>& loc, const std::vector<double>& scale,
                         std::string_view empty) {
    if (loc.empty()) throw error(std::string(family), std::string(empty));
    require_finite(family, "loc", loc);
    require_size(family, "scale", scale.size(), loc.size());
    require_positive(family, "scale", scale);
}
}  // namespace

diagonal_normal::diagonal_normal(std::vector<double> l, std::vector<double> s)
    : loc(std::move(l)), scale(std::move(s)) {
    require_coordinates(name, loc, scale, "loc is empty");
}

logistic_normal::logistic_normal(std::vector<double> l, std::vector<double> s)
    : loc(std::move(l)), scale(std::move(s)) {
    require_coordinates(name, loc, scale, "loc is empty (it has K - 1 values for K components)");
}

matrix diagonal_normal::covariance() const {
    matrix s(scale.size(), scale.size());
    for (std::size_t i = 0; i < scale.size(); ++i) s(i, i) = scale[i] * scale[i];
    return s;
}

namespace {
void require_wishart_df(double df, std::size_t d) {
    require_between(wishart::name, "df", df, static_cast<double>(d) - 1.0, false, infinity, false);
}
}  // namespace

wishart wishart::from_covariance(double df, const matrix& covariance) {
    auto l = cholesky(name, "covariance_matrix", covariance, covariance.rows);
    require_wishart_df(df, l.rows);
    return {df, std::move(l), covariance};
}

wishart wishart::from_precision(double df, const matrix& precision) {
    auto l = cholesky_of_inverse(name, "precision_matrix", precision, precision.rows);
    require_wishart_df(df, l.rows);
    return {df, std::move(l), std::nullopt, precision};
}

wishart wishart::from_scale_tril(double df, matrix scale_tril) {
    require_scale_tril(name, "scale_tril", scale_tril, scale_tril.rows);
    require_wishart_df(df, scale_tril.rows);
    return {df, std::move(scale_tril)};
}

matrix wishart::covariance() const { return times_transpose(scale_tril); }

mixture::mixture(std::vector<double> w, std::vector<univariate> c)
    : weights(normalized_weights(name, "weights", w)), components(std::move(c)) {
    require_size(name, "components", components.size(), weights.size());
    support_of(distribution(*this));  // throws unless the components share a kind of support
}

gaussian_mixture::gaussian_mixture(std::vector<double> w, std::vector<multivariate_normal> c)
    : weights(normalized_weights(name, "weights", w)), components(std::move(c)) {
    require_size(name, "components", components.size(), weights.size());
    for (std::size_t k = 1; k < components.size(); ++k)
        require_size(name, "components[" + std::to_string(k) + "].loc", components[k].dimension(),
                     components[0].dimension());
}

independent::independent(std::vector<distribution> c) {
    if (c.empty()) throw error(std::string(name), "components is empty, but a product needs at least one");
    for (auto& d : c) {
        if (auto* inner = std::get_if<independent>(&d))
            for (auto& e : inner->components) components.push_back(std::move(e));
        else
            components.push_back(std::move(d));
    }
}

namespace {
constexpr auto name_of = [](const auto& x) { return std::remove_cvref_t<decltype(x)>::name; };
}

std::string_view family_name(const distribution& d) noexcept { return std::visit(name_of, d); }
std::string_view family_name(const univariate& d) noexcept { return std::visit(name_of, d); }

}  // namespace kldiv::distributions
