// The distribution functions of cdf.hpp, through Boost.Math's distributions: cdf(dist, x) for the
// lower half-line, cdf(complement(dist, x)) for the upper one, so that each tail keeps its relative
// accuracy. The families Boost has no distribution for are written out: half-normal (erf, erfc),
// continuous Bernoulli (F(x) = (1 − λ)·expm1(x L)/(2λ − 1), L = ln(λ/(1 − λ))), uniform, Bernoulli,
// categorical. Discrete families: P(X < x) = F(⌈x⌉ − 1), P(X > x) = 1 − F(⌊x⌋).

#include "src/distributions/cdf.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/math/distributions.hpp>

#include "kldiv/error.hpp"
#include "src/distributions/line_components.hpp"
#include "src/distributions/support.hpp"

namespace kldiv::distributions::detail {
namespace {

namespace bm = boost::math;
using policy = bm::policies::policy<bm::policies::overflow_error<bm::policies::ignore_error>>;

// The Boost distribution and the affine map x ↦ (x − shift)/stretch to its variable, for the
// families Boost has.
template <class Dist>
struct boost_family {
    Dist dist;
    double shift = 0.0, stretch = 1.0;
};
// Spelled out for compilers without aggregate deduction (clang 14, which builds fuzz/).
template <class Dist>
boost_family(Dist) -> boost_family<Dist>;
template <class Dist>
boost_family(Dist, double, double) -> boost_family<Dist>;

struct boost_of {
    auto operator()(const normal& d) const {
        return boost_family{bm::normal_distribution<double, policy>(d.loc, d.scale)};
    }
    auto operator()(const log_normal& d) const {
        return boost_family{bm::lognormal_distribution<double, policy>(d.loc, d.scale)};
    }
    auto operator()(const laplace& d) const {
        return boost_family{bm::laplace_distribution<double, policy>(d.loc, d.scale)};
    }
    auto operator()(const cauchy& d) const {
        return boost_family{bm::cauchy_distribution<double, policy>(d.loc, d.scale)};
    }
    auto operator()(const gumbel& d) const {
        return boost_family{bm::extreme_value_distribution<double, policy>(d.loc, d.scale)};
    }
    auto operator()(const logistic& d) const {
        return boost_family{bm::logistic_distribution<double, policy>(d.loc, d.scale)};
    }
    auto operator()(const exponential& d) const {
        return boost_family{bm::exponential_distribution<double, policy>(d.rate)};
    }
    auto operator()(const gamma& d) const {
        return boost_family{bm::gamma_distribution<double, policy>(d.concentration, 1.0 / d.rate)};
    }
    auto operator()(const inverse_gamma& d) const {
        return boost_family{bm::inverse_gamma_distribution<double, policy>(d.concentration, d.rate)};
    }
    auto operator()(const chi2& d) const { return boost_family{bm::chi_squared_distribution<double, policy>(d.df)}; }
    auto operator()(const beta& d) const {
        return boost_family{bm::beta_distribution<double, policy>(d.concentration1, d.concentration0)};
    }
    auto operator()(const pareto& d) const {
        return boost_family{bm::pareto_distribution<double, policy>(d.scale, d.alpha)};
    }
    auto operator()(const weibull& d) const {
        return boost_family{bm::weibull_distribution<double, policy>(d.concentration, d.scale)};
    }
    auto operator()(const student_t& d) const {
        return boost_family{bm::students_t_distribution<double, policy>(d.df), d.loc, d.scale};
    }
    auto operator()(const binomial& d) const {
        return boost_family{bm::binomial_distribution<double, policy>(static_cast<double>(d.total_count), d.probs)};
    }
    auto operator()(const geometric& d) const {
        return boost_family{bm::geometric_distribution<double, policy>(d.probs)};
    }
    auto operator()(const poisson& d) const { return boost_family{bm::poisson_distribution<double, policy>(d.rate)}; }
    auto operator()(const negative_binomial& d) const {  // Boost counts failures at success fraction 1 − p
        return boost_family{bm::negative_binomial_distribution<double, policy>(d.total_count, 1.0 - d.probs)};
    }
};

template <class T>
concept in_boost = requires(const T& d) {
    boost_of{}(d);
};

// P(X < x) or, with upper, P(X > x), for x strictly inside the support's hull.
template <class T>
double half_line_inside(const T& d, double x, bool upper, bool discrete) {
    if constexpr (in_boost<T>) {
        const auto f = boost_of{}(d);
        if (discrete) {
            const double k = upper ? std::floor(x) : std::ceil(x) - 1.0;
            return upper ? bm::cdf(bm::complement(f.dist, k)) : bm::cdf(f.dist, k);
        }
        const double z = (x - f.shift) / f.stretch;
        return upper ? bm::cdf(bm::complement(f.dist, z)) : bm::cdf(f.dist, z);
    } else if constexpr (std::is_same_v<T, half_normal>) {
        const double z = x / (d.scale * std::numbers::sqrt2);
        return upper ? std::erfc(z) : std::erf(z);
    } else if constexpr (std::is_same_v<T, half_cauchy>) {  // (2/π) atan(x/s), and its complement (2/π) atan(s/x)
        return upper ? std::atan2(d.scale, x) * std::numbers::inv_pi * 2.0
                     : std::atan2(x, d.scale) * std::numbers::inv_pi * 2.0;
    } else if constexpr (std::is_same_v<T, continuous_bernoulli>) {
        const double lambda = d.probs;
        if (lambda == 0.5) return upper ? 1.0 - x : x;
        const double l = std::log(lambda) - std::log1p(-lambda), t = 2.0 * lambda - 1.0;
        return upper ? -lambda * std::expm1((x - 1.0) * l) / t : (1.0 - lambda) * std::expm1(x * l) / t;
    } else if constexpr (std::is_same_v<T, uniform>) {
        return (upper ? d.high - x : x - d.low) / (d.high - d.low);
    } else if constexpr (std::is_same_v<T, bernoulli>) {  // 0 < x < 1
        return upper ? d.probs : 1.0 - d.probs;
    } else if constexpr (std::is_same_v<T, categorical>) {
        const auto split = static_cast<std::size_t>(upper ? std::floor(x) + 1.0 : std::ceil(x));
        double sum = 0.0;
        for (std::size_t k = upper ? split : 0; k < (upper ? d.probs.size() : split); ++k) sum += d.probs[k];
        return sum;
    } else {
        static_assert(std::is_same_v<T, von_mises>);
        throw error("kl_divergence", "von_mises has no distribution function on the line");
    }
}

double half_line(const univariate& d, double x, bool upper) {
    const support s = support_of(d);
    if (upper ? x < s.low : x > s.high) return 1.0;
    if (upper ? x >= s.high : x <= s.low) return 0.0;
    const bool discrete = s.kind == space::integers;
    return std::visit([&](const auto& c) { return half_line_inside(c, x, upper, discrete); }, d);
}

double half_line(const distribution& d, double x, bool upper) {
    double sum = 0.0;
    for (const auto& [w, c] : line_components(d)) sum += w * half_line(c, x, upper);
    return sum;
}

// Boost's quantile, lower or upper, through the family's affine map.
template <class T>
double quantile_of(const T& d, double u, bool upper) {
    if constexpr (in_boost<T>) {
        const auto f = boost_of{}(d);
        return f.shift + f.stretch * (upper ? bm::quantile(bm::complement(f.dist, u)) : bm::quantile(f.dist, u));
    } else if constexpr (std::is_same_v<T, half_normal>) {
        return d.scale * std::numbers::sqrt2 * (upper ? bm::erfc_inv(u, policy()) : bm::erf_inv(u, policy()));
    } else if constexpr (std::is_same_v<T, half_cauchy>) {  // s tan(πu/2), or s / tan(πu/2) above
        const double t = std::tan(0.5 * std::numbers::pi * u);
        return upper ? d.scale / t : d.scale * t;
    } else if constexpr (std::is_same_v<T, continuous_bernoulli>) {
        const double v = upper ? 1.0 - u : u, lambda = d.probs;
        if (lambda == 0.5) return v;
        const double l = std::log(lambda) - std::log1p(-lambda);
        return std::log1p(v * (2.0 * lambda - 1.0) / (1.0 - lambda)) / l;
    } else if constexpr (std::is_same_v<T, uniform>) {
        return upper ? d.high - u * (d.high - d.low) : d.low + u * (d.high - d.low);
    } else {
        throw error("kl_divergence", std::string(T::name) + " has no continuous quantile function");
    }
}

}  // namespace

double mass_below(const univariate& d, double x) { return half_line(d, x, false); }
double mass_above(const univariate& d, double x) { return half_line(d, x, true); }
double mass_below(const distribution& d, double x) { return half_line(d, x, false); }
double mass_above(const distribution& d, double x) { return half_line(d, x, true); }

double quantile(const univariate& d, double u, bool upper) {
    return std::visit([&](const auto& c) { return quantile_of(c, u, upper); }, d);
}

double mass_outside_support(const distribution& q, const distribution& p) {
    if (const auto* mp = std::get_if<multinomial>(&p)) {
        const auto& mq = std::get<multinomial>(q);
        double outside = 0.0;
        for (std::size_t k = 0; k < mp->probs.size(); ++k)
            if (!(mp->probs[k] > 0.0)) outside += mq.probs[k];
        return -std::expm1(static_cast<double>(mp->total_count) * std::log1p(-std::min(outside, 1.0)));
    }
    const auto components = line_components(p);
    if (components.empty() || support_of(components.front().component).kind == space::circle) return 0.0;
    const auto pieces = support_union(components);
    const double step = support_of(components.front().component).kind == space::integers ? 1.0 : 0.0;
    double outside = mass_below(q, pieces.front().first) + mass_above(q, pieces.back().second);
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i)  // the gaps between the pieces
        outside +=
            std::max(0.0, 1.0 - mass_below(q, pieces[i].second + step) - mass_above(q, pieces[i + 1].first - step));
    return outside;
}

}  // namespace kldiv::distributions::detail
