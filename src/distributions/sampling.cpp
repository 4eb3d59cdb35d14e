// The samplers of sampling.hpp.

#include "src/distributions/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>
#include <vector>

#include <boost/math/special_functions/gamma.hpp>

#include "src/distributions/line_components.hpp"
#include "src/distributions/log_density.hpp"

namespace kldiv::distributions::detail {
namespace {

double lgamma(double x) { return boost::math::lgamma(x); }

// Poisson(rate): inversion below rate 10, PTRS above.
double draw_poisson(random_stream& r, double rate) {
    if (rate < 10.0) {
        double k = 0.0, term = std::exp(-rate), sum = term;
        const double u = r.uniform();
        while (u > sum && term > 0.0) {
            k += 1.0;
            term *= rate / k;
            sum += term;
        }
        return k;
    }
    const double root = std::sqrt(rate), log_rate = std::log(rate);
    const double b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b;
    const double inverse_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double u = r.uniform() - 0.5, v = r.uniform(), us = 0.5 - std::fabs(u);
        const double k = std::floor((2.0 * a / us + b) * u + rate + 0.43);
        if (us >= 0.07 && v <= vr) return k;
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(inverse_alpha) - std::log(a / (us * us) + b) <=
            -rate + k * log_rate - lgamma(k + 1.0))
            return k;
    }
}

// Binomial(n, p) for p ≤ ½: inversion below n p = 10, BTRS above.
double draw_binomial_low(random_stream& r, double n, double p) {
    const double q = 1.0 - p;
    if (n * p < 10.0) {
        const double s = p / q, a = (n + 1.0) * s;
        double term = std::pow(q, n), u = r.uniform(), k = 0.0;
        while (u > term && k < n && term > 0.0) {
            u -= term;
            k += 1.0;
            term *= a / k - s;
        }
        return k;
    }
    const double spq = std::sqrt(n * p * q), b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = n * p + 0.5, alpha = (2.83 + 5.1 / b) * spq, lpq = std::log(p / q);
    const double m = std::floor((n + 1.0) * p), h = lgamma(m + 1.0) + lgamma(n - m + 1.0), vr = 0.92 - 4.2 / b;
    for (;;) {
        const double u = r.uniform() - 0.5, us = 0.5 - std::fabs(u);
        double v = r.uniform();
        const double k = std::floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > n) continue;
        if (us >= 0.07 && v <= vr) return k;
        v = std::log(v * alpha / (a / (us * us) + b));
        if (v <= h - lgamma(k + 1.0) - lgamma(n - k + 1.0) + (k - m) * lpq) return k;
    }
}

double draw_binomial(random_stream& r, double n, double p) {
    if (p <= 0.0 || n == 0.0) return 0.0;
    if (p >= 1.0) return n;
    return p <= 0.5 ? draw_binomial_low(r, n, p) : n - draw_binomial_low(r, n, 1.0 - p);
}

// The index drawn from probabilities that sum to 1 (up to rounding), never one of probability 0.
std::size_t draw_index(random_stream& r, const std::vector<double>& probs) {
    const double u = r.uniform();
    double sum = 0.0;
    std::size_t last = 0;
    for (std::size_t k = 0; k < probs.size(); ++k) {
        if (!(probs[k] > 0.0)) continue;
        sum += probs[k];
        if (u < sum) return k;
        last = k;
    }
    return last;
}

using line_sampler = std::function<real_point(random_stream&)>;

// The point e^l given by its logarithm (which stays exact where e^l underflows).
real_point from_log(double l) { return {std::exp(l), l, std::log1p(-std::exp(l))}; }

struct line_sampler_of {
    line_sampler operator()(const bernoulli& d) const {
        return [p = d.probs](random_stream& r) { return at(r.uniform() < p ? 1.0 : 0.0); };
    }
    line_sampler operator()(const binomial& d) const {
        return [n = static_cast<double>(d.total_count), p = d.probs](random_stream& r) {
            return at(draw_binomial(r, n, p));
        };
    }
    line_sampler operator()(const categorical& d) const {
        return [probs = d.probs](random_stream& r) { return at(static_cast<double>(draw_index(r, probs))); };
    }
    line_sampler operator()(const geometric& d) const {
        return [l = -std::log1p(-d.probs)](random_stream& r) { return at(std::floor(r.exponential() / l)); };
    }
    line_sampler operator()(const poisson& d) const {
        return [rate = d.rate](random_stream& r) { return at(draw_poisson(r, rate)); };
    }
    line_sampler operator()(const negative_binomial& d) const {
        return [total = d.total_count, odds = d.probs / (1.0 - d.probs)](random_stream& r) {
            const double rate = r.gamma(total) * odds;
            return at(rate > 0.0 ? draw_poisson(r, rate) : 0.0);
        };
    }
    line_sampler operator()(const normal& d) const {
        return [mu = d.loc, s = d.scale](random_stream& r) { return at(mu + s * r.normal()); };
    }
    line_sampler operator()(const half_normal& d) const {
        return [s = d.scale](random_stream& r) { return at(s * std::fabs(r.normal())); };
    }
    line_sampler operator()(const half_cauchy& d) const {  // s tan(πU/2), U uniform in (0, 1)
        return [s = d.scale](random_stream& r) { return at(s * std::tan(0.5 * std::numbers::pi * r.uniform())); };
    }
    line_sampler operator()(const log_normal& d) const {
        return [mu = d.loc, s = d.scale](random_stream& r) { return from_log(mu + s * r.normal()); };
    }
    line_sampler operator()(const laplace& d) const {
        return [mu = d.loc, s = d.scale](random_stream& r) {
            const double e = r.exponential();
            return at(r.uniform() < 0.5 ? mu - s * e : mu + s * e);
        };
    }
    line_sampler operator()(const cauchy& d) const {
        return [mu = d.loc, s = d.scale](random_stream& r) {
            return at(mu + s * std::tan(std::numbers::pi * (r.uniform() - 0.5)));
        };
    }
    line_sampler operator()(const gumbel& d) const {
        return [mu = d.loc, s = d.scale](random_stream& r) { return at(mu - s * std::log(r.exponential())); };
    }
    line_sampler operator()(const logistic& d) const {
        return [mu = d.loc, s = d.scale](random_stream& r) {
            const double u = r.uniform();
            return at(mu + s * (std::log(u) - std::log1p(-u)));
        };
    }
    line_sampler operator()(const exponential& d) const {
        return [rate = d.rate](random_stream& r) { return at(r.exponential() / rate); };
    }
    line_sampler operator()(const gamma& d) const {
        return [a = d.concentration, log_rate = std::log(d.rate)](random_stream& r) {
            return from_log(r.log_gamma(a) - log_rate);
        };
    }
    line_sampler operator()(const chi2& d) const {
        return [a = 0.5 * d.df](random_stream& r) { return from_log(r.log_gamma(a) + std::numbers::ln2); };
    }
    line_sampler operator()(const inverse_gamma& d) const {
        return [a = d.concentration, log_rate = std::log(d.rate)](random_stream& r) {
            return from_log(log_rate - r.log_gamma(a));
        };
    }
    line_sampler operator()(const beta& d) const {
        return [a = d.concentration1, b = d.concentration0](random_stream& r) {
            const double la = r.log_gamma(a), lb = r.log_gamma(b), m = std::max(la, lb);
            const double log_total = m + std::log(std::exp(la - m) + std::exp(lb - m));
            return real_point{std::exp(la - log_total), la - log_total, lb - log_total};
        };
    }
    // Inversion of F(x) = (1 − λ) expm1(x L)/(2λ − 1), L = ln(λ/(1 − λ)).
    line_sampler operator()(const continuous_bernoulli& d) const {
        const double lambda = d.probs, l = std::log(lambda) - std::log1p(-lambda);
        return [lambda, l](random_stream& r) {
            const double u = r.uniform();
            return at(lambda == 0.5 ? u : std::log1p(u * (2.0 * lambda - 1.0) / (1.0 - lambda)) / l);
        };
    }
    line_sampler operator()(const uniform& d) const {
        return [low = d.low, width = d.high - d.low](random_stream& r) { return at(low + width * r.uniform()); };
    }
    line_sampler operator()(const pareto& d) const {
        return [log_s = std::log(d.scale), alpha = d.alpha](random_stream& r) {
            return from_log(log_s + r.exponential() / alpha);
        };
    }
    line_sampler operator()(const weibull& d) const {
        return [log_lambda = std::log(d.scale), k = d.concentration](random_stream& r) {
            return from_log(log_lambda + std::log(r.exponential()) / k);
        };
    }
    // Z / √(2 G/ν), G ~ Gamma(ν/2, 1).
    line_sampler operator()(const student_t& d) const {
        return [nu = d.df, mu = d.loc, s = d.scale](random_stream& r) {
            const double z = r.normal();
            return at(mu + s * z * std::exp(-0.5 * (r.log_gamma(0.5 * nu) + std::log(2.0 / nu))));
        };
    }
    line_sampler operator()(const von_mises& d) const {
        const double kappa = d.concentration;
        double s = 0.0;
        if (kappa < 1e-5) {
            s = 1.0 / kappa + kappa;
        } else {
            const double t = 1.0 + std::sqrt(1.0 + 4.0 * kappa * kappa), rho = (t - std::sqrt(2.0 * t)) / (2.0 * kappa);
            s = (1.0 + rho * rho) / (2.0 * rho);
        }
        return [mu = d.loc, kappa, s](random_stream& r) {
            if (kappa < 1e-8) return at(mu + std::numbers::pi * (2.0 * r.uniform() - 1.0));
            if (kappa > 1e6) return at(mu + r.normal() / std::sqrt(kappa));
            double w;
            for (;;) {
                const double z = std::cos(std::numbers::pi * r.uniform());
                w = (1.0 + s * z) / (s + z);
                const double y = kappa * (s - w), v = r.uniform();
                if (y * (2.0 - y) - v >= 0.0 || std::log(y / v) + 1.0 - y >= 0.0) break;
            }
            const double theta = std::acos(std::clamp(w, -1.0, 1.0));
            return at(r.uniform() < 0.5 ? mu - theta : mu + theta);
        };
    }
};

// loc + L z for a normal on ℝ^d given by its lower Cholesky factor.
void draw_gaussian(random_stream& r, const multivariate_normal& d, std::span<double> x) {
    const std::size_t n = d.dimension();
    std::vector<double> z(n);
    for (auto& v : z) v = r.normal();
    for (std::size_t i = 0; i < n; ++i) {
        double sum = d.loc[i];
        for (std::size_t j = 0; j <= i; ++j) sum += d.scale_tril(i, j) * z[j];
        x[i] = sum;
    }
}

struct sampler_of {
    point_sampler operator()(const multinomial& d) const {
        const std::size_t k_count = d.probs.size();
        std::size_t last = 0;  // the last category of positive probability takes what is left
        for (std::size_t k = 0; k < k_count; ++k)
            if (d.probs[k] > 0.0) last = k;
        std::vector<double> rest(k_count + 1, 0.0);  // Σ_{j ≥ k} p_j, summed from the end
        for (std::size_t k = k_count; k-- > 0;) rest[k] = rest[k + 1] + d.probs[k];
        return [n = static_cast<double>(d.total_count), probs = d.probs, rest, last](random_stream& r,
                                                                                     std::span<double> counts) {
            double left = n;
            for (std::size_t k = 0; k < probs.size(); ++k) {
                const double x = k < last    ? draw_binomial(r, left, std::min(1.0, probs[k] / rest[k]))
                                 : k == last ? left
                                             : 0.0;
                counts[k] = x;
                left -= x;
            }
        };
    }
    point_sampler operator()(const dirichlet& d) const {
        return [alpha = d.concentration](random_stream& r, std::span<double> log_x) {
            double m = -std::numeric_limits<double>::infinity();
            for (std::size_t k = 0; k < alpha.size(); ++k) m = std::max(m, log_x[k] = r.log_gamma(alpha[k]));
            double sum = 0.0;
            for (std::size_t k = 0; k < alpha.size(); ++k) sum += std::exp(log_x[k] - m);
            const double log_total = m + std::log(sum);
            for (std::size_t k = 0; k < alpha.size(); ++k) log_x[k] -= log_total;
        };
    }
    // Stick breaking of y = loc + scale ∘ z in logarithms: ln z_i = ln σ(u_i), ln(1 − z_i) = ln σ(−u_i),
    // u_i = y_i − ln(d − i); ln x_i = ln z_i + Σ_{j<i} ln(1 − z_j), ln x_d = Σ_j ln(1 − z_j).
    point_sampler operator()(const logistic_normal& d) const {
        return [d](random_stream& r, std::span<double> log_x) {
            const auto log_sigmoid = [](double u) {
                return u >= 0.0 ? -std::log1p(std::exp(-u)) : u - std::log1p(std::exp(u));
            };
            const std::size_t n = d.loc.size();
            double rest = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const double u = d.loc[i] + d.scale[i] * r.normal() - std::log(static_cast<double>(n - i));
                log_x[i] = rest + log_sigmoid(u);
                rest += log_sigmoid(-u);
            }
            log_x[n] = rest;
        };
    }
    // The components' samplers, each into its slice of the point.
    point_sampler operator()(const independent& d) const {
        std::vector<point_sampler> parts;
        std::vector<std::size_t> sizes;
        for (const auto& c : d.components) {
            parts.push_back(sampler_for(c));
            sizes.push_back(point_size(c));
        }
        return [parts = std::move(parts), sizes = std::move(sizes)](random_stream& r, std::span<double> x) {
            std::size_t at = 0;
            for (std::size_t k = 0; k < parts.size(); ++k) {
                parts[k](r, x.subspan(at, sizes[k]));
                at += sizes[k];
            }
        };
    }
    point_sampler operator()(const multivariate_normal& d) const {
        return [d](random_stream& r, std::span<double> x) { draw_gaussian(r, d, x); };
    }
    point_sampler operator()(const diagonal_normal& d) const {
        return [d](random_stream& r, std::span<double> x) {
            for (std::size_t i = 0; i < d.loc.size(); ++i) x[i] = d.loc[i] + d.scale[i] * r.normal();
        };
    }
    // loc + W z_r + √D ∘ z_d.
    point_sampler operator()(const lowrank_multivariate_normal& d) const {
        return [d](random_stream& r, std::span<double> x) {
            const std::size_t n = d.dimension(), rank = d.cov_factor.cols;
            std::vector<double> z(rank);
            for (auto& v : z) v = r.normal();
            for (std::size_t i = 0; i < n; ++i) {
                double sum = d.loc[i];
                for (std::size_t j = 0; j < rank; ++j) sum += d.cov_factor(i, j) * z[j];
                x[i] = sum + std::sqrt(d.cov_diag[i]) * r.normal();
            }
        };
    }
    point_sampler operator()(const gaussian_mixture& d) const {
        return
            [d](random_stream& r, std::span<double> x) { draw_gaussian(r, d.components[draw_index(r, d.weights)], x); };
    }
    point_sampler operator()(const wishart& d) const {
        return [d](random_stream& r, std::span<double> chol) {
            const std::size_t n = d.dimension();
            std::vector<double> a(n * n, 0.0);  // Bartlett's A, lower triangular
            for (std::size_t i = 0; i < n; ++i) {
                a[i * n + i] = std::sqrt(2.0 * r.gamma(0.5 * (d.df - static_cast<double>(i))));
                for (std::size_t j = 0; j < i; ++j) a[i * n + j] = r.normal();
            }
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < n; ++j) {
                    double sum = 0.0;
                    for (std::size_t k = j; k <= i; ++k) sum += d.scale_tril(i, k) * a[k * n + j];
                    chol[i * n + j] = j <= i ? sum : 0.0;
                }
        };
    }
    template <class T>
    requires on_the_line<T> point_sampler operator()(const T& d) const {
        std::vector<double> weights;
        std::vector<line_sampler> parts;
        for (const auto& [w, c] : line_components(distribution(d))) {
            weights.push_back(w);
            parts.push_back(std::visit(line_sampler_of{}, c));
        }
        return [weights = std::move(weights), parts = std::move(parts)](random_stream& r, std::span<double> x) {
            const real_point p = parts[parts.size() == 1 ? 0 : draw_index(r, weights)](r);
            x[0] = p.x;
            x[1] = p.log_x;
            x[2] = p.log_one_minus_x;
        };
    }
};

}  // namespace

point_sampler sampler_for(const distribution& d) { return std::visit(sampler_of{}, d); }

}  // namespace kldiv::distributions::detail
