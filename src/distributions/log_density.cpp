// The log densities of log_density.hpp. Each family's ln p is written from its definition in
// include/kldiv/distributions/<family>.hpp, arranged so that nothing overflows before the logarithm:
// ln(1 + z²) as 2 ln|z| for huge z, logistic through |z|, von Mises through ln(I0(κ) e^−κ) and
// κ(cos θ − 1) = −2κ sin²(θ/2). At a support end where the density is 0 or ∞ the value is −∞ or +∞
// (e.g. gamma(α < 1) at 0 is +∞), never NaN.

#include "src/distributions/log_density.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

#include <boost/math/special_functions/bessel.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "src/distributions/line_components.hpp"
#include "src/distributions/parameters.hpp"

namespace kldiv::distributions::detail {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
const double log_two_pi = std::log(2.0 * std::numbers::pi);

double lgamma(double x) { return boost::math::lgamma(x); }

// m·ln x with 0·ln 0 = 0 (a power x^m with m = 0 is 1, also at x = 0).
double power_term(double m, double log_x) { return m == 0.0 ? 0.0 : m * log_x; }

bool is_count(double x) { return x >= 0.0 && x == std::floor(x); }

// Loader's saddle-point forms ("Fast and accurate computation of binomial probabilities", 2000) of
// the Poisson and binomial log masses. Written as k ln λ − λ − ln k! they are differences of terms
// of size k ln k, so for k ~ 1e7 they carry absolute errors of ~1e-7, far above the 4 eps·|ln p|
// that divergence_density.hpp allows for; in these forms every term has its relative precision.
//
// stirlerr(n) = ln Γ(n + 1) − (n + ½) ln n + n − ½ ln 2π, by its asymptotic series beyond 15 (five
// terms: the first omitted one is below 1e-16 there).
double stirlerr(double n) {
    if (n <= 15.0) return lgamma(n + 1.0) - (n + 0.5) * std::log(n) + n - 0.5 * log_two_pi;
    const double nn = n * n;
    return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - (1.0 / 1188) / nn) / nn) / nn) / nn) / n;
}

// bd0(x, m) = x ln(x/m) + m − x ≥ 0, by its series in v = (x − m)/(x + m) where x ≈ m.
double bd0(double x, double m) {
    if (std::fabs(x - m) < 0.1 * (x + m)) {
        const double v = (x - m) / (x + m);
        double s = (x - m) * v, ej = 2.0 * x * v;
        for (int j = 1; j < 1000; ++j) {
            ej *= v * v;
            const double next = s + ej / (2 * j + 1);
            if (next == s) break;
            s = next;
        }
        return s;
    }
    const double r = x / m;
    return x * (r > 0.0 && r <= DBL_MAX ? std::log(r) : std::log(x) - std::log(m)) + m - x;
}

// ln of the Poisson(λ) mass at the count k.
double log_poisson_mass(double k, double lambda) {
    if (k == 0.0) return -lambda;
    return -stirlerr(k) - bd0(k, lambda) - 0.5 * (log_two_pi + std::log(k));
}

// ln [C(n, x) p^x q^(n−x)] for real 0 ≤ x ≤ n, q = 1 − p given separately (its own precision).
double log_binomial_mass(double x, double n, double p, double q) {
    if (x == 0.0) return n == 0.0 ? 0.0 : p < 0.1 ? -bd0(n, n * q) - n * p : n * std::log(q);
    if (x == n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * std::log(p);
    const double lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    return lc - 0.5 * (log_two_pi + std::log(x) + std::log1p(-x / n));
}

// ln(1 + z²/ν) without overflow of z².
double log1p_square(double z, double nu) {
    const double a = std::fabs(z);
    return a < 1e100 ? std::log1p(a * a / nu) : 2.0 * std::log(a) - std::log(nu);
}

// ln(I0(κ) e^−κ): Boost's I0 below κ = 500, the asymptotic series
// I0(κ) e^−κ = (2πκ)^−½ Σ_k a_k κ^−k, a_k = a_{k−1} (2k − 1)²/(8k), beyond (eight terms: the first
// omitted one is below 1e-19 there).
double log_scaled_bessel_i0(double kappa) {
    if (kappa < 500.0) return std::log(boost::math::cyl_bessel_i(0, kappa)) - kappa;
    double term = 1.0, sum = 1.0;
    for (int k = 1; k < 8; ++k) {
        term *= (2.0 * k - 1.0) * (2.0 * k - 1.0) / (8.0 * k * kappa);
        sum += term;
    }
    return std::log(sum) - 0.5 * std::log(2.0 * std::numbers::pi * kappa);
}

// ln C(λ) of the continuous Bernoulli, C = 2 artanh(t)/t with t = 1 − 2λ; by the series
// artanh(t)/t = Σ t^(2k)/(2k + 1) for |t| < 0.1 (to t^18: the rest is below 1e-20).
double log_continuous_bernoulli_normalizer(double lambda) {
    const double t = 1.0 - 2.0 * lambda;
    if (std::fabs(t) >= 0.1) return std::log(2.0 * std::atanh(t) / t);
    double sum = 0.0, power = 1.0;
    for (int k = 0; k < 10; ++k) {
        sum += power / (2.0 * k + 1.0);
        power *= t * t;
    }
    return std::log(2.0) + std::log(sum);
}

using kernel = std::function<double(real_point)>;

// True for x ≥ 0 given as a point (ln x = −∞ at 0, NaN below).
bool non_negative(real_point p) { return p.x >= 0.0; }

// x^m at a support end x = 0 (ln x = −∞): +∞, 1 or 0 as m < 0, = 0, > 0.
double log_power_at_zero(double m) { return m < 0.0 ? infinity : m == 0.0 ? 0.0 : -infinity; }

kernel gamma_kernel(double alpha, double rate) {
    const double c = alpha * std::log(rate) - lgamma(alpha);
    return [=](real_point p) {
        if (!non_negative(p)) return -infinity;
        if (p.log_x == -infinity) return c + log_power_at_zero(alpha - 1.0);
        return c + power_term(alpha - 1.0, p.log_x) - rate * p.x;
    };
}

struct kernel_of {
    kernel operator()(const bernoulli& d) const {
        const double l1 = std::log(d.probs), l0 = std::log1p(-d.probs);
        return [=](real_point p) { return p.x == 1.0 ? l1 : p.x == 0.0 ? l0 : -infinity; };
    }
    kernel operator()(const binomial& d) const {
        const double n = static_cast<double>(d.total_count), prob = d.probs;
        return [=](real_point p) {
            const double k = p.x;
            if (!is_count(k) || k > n) return -infinity;
            if (prob == 0.0 || prob == 1.0) return k == n * prob ? 0.0 : -infinity;
            return log_binomial_mass(k, n, prob, 1.0 - prob);
        };
    }
    kernel operator()(const categorical& d) const {
        std::vector<double> logs(d.probs.size());
        std::transform(d.probs.begin(), d.probs.end(), logs.begin(), [](double v) { return std::log(v); });
        return [logs = std::move(logs)](real_point p) {
            if (!is_count(p.x) || p.x >= static_cast<double>(logs.size())) return -infinity;
            return logs[static_cast<std::size_t>(p.x)];
        };
    }
    kernel operator()(const geometric& d) const {
        const double lp = std::log(d.probs), lq = std::log1p(-d.probs);
        return [=](real_point p) { return is_count(p.x) ? lp + power_term(p.x, lq) : -infinity; };
    }
    kernel operator()(const poisson& d) const {
        return [rate = d.rate](real_point p) { return is_count(p.x) ? log_poisson_mass(p.x, rate) : -infinity; };
    }
    kernel operator()(const negative_binomial& d) const {
        // C(k + r − 1, k) (1 − p)^r p^k = r/(k + r) · [C(k + r, r) (1 − p)^r p^k].
        const double r = d.total_count, prob = d.probs;
        return [=](real_point p) {
            const double k = p.x;
            if (!is_count(k)) return -infinity;
            if (prob == 0.0) return k == 0.0 ? 0.0 : -infinity;
            return std::log(r / (k + r)) + log_binomial_mass(r, k + r, 1.0 - prob, prob);
        };
    }
    kernel operator()(const normal& d) const {
        const double mu = d.loc, s = d.scale, c = -std::log(d.scale) - 0.5 * log_two_pi;
        return [=](real_point p) {
            const double z = (p.x - mu) / s;
            return c - 0.5 * z * z;
        };
    }
    kernel operator()(const half_normal& d) const {
        const double s = d.scale, c = std::log(2.0) - std::log(d.scale) - 0.5 * log_two_pi;
        return [=](real_point p) {
            if (p.x < 0.0) return -infinity;
            const double z = p.x / s;
            return c - 0.5 * z * z;
        };
    }
    kernel operator()(const half_cauchy& d) const {
        const double s = d.scale, c = std::log(2.0 / std::numbers::pi) - std::log(d.scale);
        return [=](real_point p) { return p.x < 0.0 ? -infinity : c - log1p_square(p.x / s, 1.0); };
    }
    kernel operator()(const log_normal& d) const {
        const double mu = d.loc, s = d.scale, c = -std::log(d.scale) - 0.5 * log_two_pi;
        return [=](real_point p) {
            if (!non_negative(p) || p.log_x == -infinity) return -infinity;
            const double z = (p.log_x - mu) / s;
            return c - 0.5 * z * z - p.log_x;
        };
    }
    kernel operator()(const laplace& d) const {
        const double mu = d.loc, s = d.scale, c = -std::log(2.0 * d.scale);
        return [=](real_point p) { return c - std::fabs(p.x - mu) / s; };
    }
    kernel operator()(const cauchy& d) const {
        const double mu = d.loc, s = d.scale, c = -std::log(std::numbers::pi * d.scale);
        return [=](real_point p) { return c - log1p_square((p.x - mu) / s, 1.0); };
    }
    kernel operator()(const gumbel& d) const {
        const double mu = d.loc, s = d.scale, c = -std::log(d.scale);
        return [=](real_point p) {
            const double z = (p.x - mu) / s, e = std::exp(-z);
            return e == infinity ? -infinity : c - (z + e);
        };
    }
    kernel operator()(const logistic& d) const {
        const double mu = d.loc, s = d.scale, c = -std::log(d.scale);
        return [=](real_point p) {
            const double a = std::fabs((p.x - mu) / s);
            return c - a - 2.0 * std::log1p(std::exp(-a));
        };
    }
    kernel operator()(const exponential& d) const { return gamma_kernel(1.0, d.rate); }
    kernel operator()(const gamma& d) const { return gamma_kernel(d.concentration, d.rate); }
    kernel operator()(const chi2& d) const { return gamma_kernel(0.5 * d.df, 0.5); }
    kernel operator()(const inverse_gamma& d) const {
        const double alpha = d.concentration, rate = d.rate;
        const double c = alpha * std::log(rate) - lgamma(alpha);
        return [=](real_point p) {  // rate/x = rate·e^(−ln x), finite or +∞ where x underflows
            if (!non_negative(p) || p.log_x == -infinity) return -infinity;
            return c - (alpha + 1.0) * p.log_x - rate * std::exp(-p.log_x);
        };
    }
    kernel operator()(const beta& d) const {
        const double a = d.concentration1, b = d.concentration0;
        const double c = lgamma(a + b) - lgamma(a) - lgamma(b);
        return [=](real_point p) {
            if (!non_negative(p) || p.x > 1.0) return -infinity;
            if (p.log_x == -infinity) return c + log_power_at_zero(a - 1.0);
            if (p.log_one_minus_x == -infinity) return c + log_power_at_zero(b - 1.0);
            return c + power_term(a - 1.0, p.log_x) + power_term(b - 1.0, p.log_one_minus_x);
        };
    }
    kernel operator()(const continuous_bernoulli& d) const {
        const double lq = std::log1p(-d.probs), slope = std::log(d.probs) - lq;
        const double c = log_continuous_bernoulli_normalizer(d.probs) + lq;
        return [=](real_point p) {
            if (p.x < 0.0 || p.x > 1.0) return -infinity;
            return c + p.x * slope;
        };
    }
    kernel operator()(const uniform& d) const {
        const double low = d.low, high = d.high, c = -std::log(d.high - d.low);
        return [=](real_point p) { return p.x >= low && p.x <= high ? c : -infinity; };
    }
    kernel operator()(const pareto& d) const {
        const double s = d.scale, alpha = d.alpha, c = std::log(d.alpha) + d.alpha * std::log(d.scale);
        return [=](real_point p) { return p.x >= s ? c - (alpha + 1.0) * p.log_x : -infinity; };
    }
    kernel operator()(const weibull& d) const {
        const double log_lambda = std::log(d.scale), k = d.concentration, c = std::log(d.concentration / d.scale);
        return [=](real_point p) {
            if (!non_negative(p)) return -infinity;
            if (p.log_x == -infinity) return c + log_power_at_zero(k - 1.0);
            const double ly = p.log_x - log_lambda;
            return c + power_term(k - 1.0, ly) - std::exp(k * ly);
        };
    }
    kernel operator()(const student_t& d) const {
        const double nu = d.df, mu = d.loc, s = d.scale;
        const double c =
            lgamma(0.5 * (nu + 1.0)) - lgamma(0.5 * nu) - 0.5 * std::log(nu * std::numbers::pi) - std::log(d.scale);
        return [=](real_point p) { return c - 0.5 * (nu + 1.0) * log1p_square((p.x - mu) / s, nu); };
    }
    kernel operator()(const von_mises& d) const {
        const double mu = d.loc, kappa = d.concentration;
        const double c = -log_two_pi - log_scaled_bessel_i0(d.concentration);
        return [=](real_point p) {
            const double h = std::sin(0.5 * (p.x - mu));
            return c - 2.0 * kappa * h * h;
        };
    }
};

// ln Σ_k exp(a_k), exact for a single term and for all −∞.
double log_sum_exp(std::span<const double> a) {
    if (a.size() == 1) return a[0];
    const double m = *std::max_element(a.begin(), a.end());
    if (std::isinf(m)) return m;
    // Terms below e^−60 of the largest (a mixture's far components: most of them, for a wide
    // mixture) add less than 1e-26 each, so they skip exp and its underflow path.
    double sum = 0.0;
    for (const double v : a)
        if (v - m > -60.0) sum += std::exp(v - m);
    return m + std::log(sum);
}

// Scratch space per thread, so that densities can be called concurrently without allocating: slot 0
// for a mixture's component terms, slot 1 for a vector inside one component.
std::vector<double>& scratch(std::size_t slot, std::size_t n) {
    thread_local std::vector<double> buffers[2];
    if (buffers[slot].size() < n) buffers[slot].resize(n);
    return buffers[slot];
}

// A normal on ℝ^d as loc and lower Cholesky factor L (row-major), or as loc and diagonal scale.
struct gaussian {
    std::vector<double> loc;
    std::vector<double> tril;   // d × d, empty for a diagonal covariance
    std::vector<double> scale;  // the diagonal of L
    double log_normalizer = 0;  // −d/2 ln 2π − Σ ln L_ii

    gaussian(std::vector<double> mean, std::vector<double> l, std::vector<double> diag)
        : loc(std::move(mean)), tril(std::move(l)), scale(std::move(diag)) {
        log_normalizer = -0.5 * static_cast<double>(loc.size()) * log_two_pi;
        for (const double s : scale) log_normalizer -= std::log(s);
    }

    // −½ |L⁻¹(x − μ)|² + log_normalizer.
    double operator()(std::span<const double> x) const {
        const std::size_t d = loc.size();
        double square = 0.0;
        if (tril.empty()) {
            for (std::size_t i = 0; i < d; ++i) {
                const double z = (x[i] - loc[i]) / scale[i];
                square += z * z;
            }
        } else {
            std::vector<double>& z = scratch(1, d);
            for (std::size_t i = 0; i < d; ++i) {
                double r = x[i] - loc[i];
                for (std::size_t j = 0; j < i; ++j) r -= tril[i * d + j] * z[j];
                z[i] = r / tril[i * d + i];
                square += z[i] * z[i];
            }
        }
        return log_normalizer - 0.5 * square;
    }
};

std::vector<double> diagonal(const matrix& l) {
    std::vector<double> out(l.rows);
    for (std::size_t i = 0; i < l.rows; ++i) out[i] = l(i, i);
    return out;
}

gaussian gaussian_of(const multivariate_normal& d) { return {d.loc, d.scale_tril.values, diagonal(d.scale_tril)}; }

struct point_density_of {
    point_log_density operator()(const multinomial& d) const {
        const double n = static_cast<double>(d.total_count), c = lgamma(n + 1.0);
        std::vector<double> logs(d.probs.size());
        std::transform(d.probs.begin(), d.probs.end(), logs.begin(), [](double v) { return std::log(v); });
        return [=](std::span<const double> counts) {
            double sum = 0.0, total = 0.0;
            for (std::size_t k = 0; k < logs.size(); ++k) {
                if (!is_count(counts[k])) return -infinity;
                total += counts[k];
                sum += power_term(counts[k], logs[k]) - lgamma(counts[k] + 1.0);
            }
            return total == n ? c + sum : -infinity;
        };
    }
    point_log_density operator()(const dirichlet& d) const {
        double c = 0.0, total = 0.0;
        for (const double a : d.concentration) {
            c -= lgamma(a);
            total += a;
        }
        c += lgamma(total);
        return [alpha = d.concentration, c](std::span<const double> log_x) {
            double sum = c;
            for (std::size_t k = 0; k < alpha.size(); ++k) sum += power_term(alpha[k] - 1.0, log_x[k]);
            return sum;
        };
    }
    // x = stick_breaking(y), y ~ N(loc, diag(scale²)) on ℝ^d: ln p(x) = ln N(y) − Σ_k ln x_k, the
    // Jacobian of the map being Π_{i<d} x_i (1 − z_i) with Π (1 − z_i) = x_d. From the end,
    // r_{i+1} = x_{i+1} + … + x_d (a log-sum-exp of the point's ln x_k, never 1 − Σ of the first),
    // y_i = ln x_i − ln r_{i+1} + ln(d − i).
    point_log_density operator()(const logistic_normal& d) const {
        double c = 0.0;
        for (const double s : d.scale) c -= std::log(s) + 0.5 * log_two_pi;
        return [loc = d.loc, scale = d.scale, c](std::span<const double> log_x) {
            const std::size_t n = loc.size();
            double sum = c - log_x[n], log_rest = log_x[n];
            for (std::size_t i = n; i-- > 0;) {
                const double y = log_x[i] - log_rest + std::log(static_cast<double>(n - i));
                const double z = (y - loc[i]) / scale[i];
                sum -= 0.5 * z * z + log_x[i];
                const double hi = std::max(log_rest, log_x[i]), lo = std::min(log_rest, log_x[i]);
                log_rest = hi + std::log1p(std::exp(lo - hi));
            }
            return std::isnan(sum) ? -infinity : sum;
        };
    }
    // Σ ln p_i(x_i) over the components' slices of the point.
    point_log_density operator()(const independent& d) const {
        std::vector<point_log_density> parts;
        std::vector<std::size_t> sizes;
        for (const auto& c : d.components) {
            parts.push_back(log_density_function(c));
            sizes.push_back(point_size(c));
        }
        return [parts = std::move(parts), sizes = std::move(sizes)](std::span<const double> x) {
            double sum = 0.0;
            std::size_t at = 0;
            for (std::size_t k = 0; k < parts.size(); ++k) {
                sum += parts[k](x.subspan(at, sizes[k]));
                at += sizes[k];
            }
            return sum;
        };
    }
    point_log_density operator()(const multivariate_normal& d) const { return gaussian_of(d); }
    point_log_density operator()(const diagonal_normal& d) const { return gaussian(d.loc, {}, d.scale); }
    point_log_density operator()(const lowrank_multivariate_normal& d) const {
        const matrix l = cholesky(d.name, "covariance", d.covariance(), d.dimension());
        return gaussian(d.loc, l.values, diagonal(l));
    }
    point_log_density operator()(const gaussian_mixture& d) const {
        std::vector<gaussian> parts;
        std::vector<double> log_weights;
        for (std::size_t k = 0; k < d.components.size(); ++k) {
            if (!(d.weights[k] > 0.0)) continue;
            parts.push_back(gaussian_of(d.components[k]));
            log_weights.push_back(std::log(d.weights[k]));
        }
        return [parts = std::move(parts), log_weights = std::move(log_weights)](std::span<const double> x) {
            std::vector<double>& terms = scratch(0, parts.size());
            for (std::size_t k = 0; k < parts.size(); ++k) terms[k] = log_weights[k] + parts[k](x);
            return log_sum_exp(std::span<const double>(terms.data(), parts.size()));
        };
    }
    // ln p(X) = (ν − d − 1)/2 ln|X| − ½ tr(Σ⁻¹X) − (νd/2) ln 2 − (ν/2) ln|Σ| − ln Γ_d(ν/2), with
    // X = C Cᵀ: ln|X| = 2 Σ ln C_ii and tr(Σ⁻¹X) = |L⁻¹C|²_F.
    point_log_density operator()(const wishart& d) const {
        const std::size_t dim = d.dimension();
        const double nu = d.df, dd = static_cast<double>(dim);
        double c = -0.5 * nu * dd * std::log(2.0) - 0.25 * dd * (dd - 1.0) * std::log(std::numbers::pi);
        for (std::size_t i = 0; i < dim; ++i) {
            c -= nu * std::log(d.scale_tril(i, i));
            c -= lgamma(0.5 * (nu - static_cast<double>(i)));
        }
        return [l = d.scale_tril.values, dim, nu, c](std::span<const double> chol) {
            std::vector<double>& y = scratch(1, dim);
            double log_det = 0.0, trace = 0.0;
            for (std::size_t col = 0; col < dim; ++col) {  // y = L⁻¹ C e_col, by forward substitution
                for (std::size_t i = 0; i < dim; ++i) {
                    double r = i >= col ? chol[i * dim + col] : 0.0;
                    for (std::size_t j = col; j < i; ++j) r -= l[i * dim + j] * y[j];
                    y[i] = i >= col ? r / l[i * dim + i] : 0.0;
                    trace += y[i] * y[i];
                }
                log_det += 2.0 * std::log(chol[col * dim + col]);
            }
            return c + 0.5 * (nu - static_cast<double>(dim) - 1.0) * log_det - 0.5 * trace;
        };
    }
    template <class T>
    requires on_the_line<T> point_log_density operator()(const T& d) const {
        return [density = line_density(distribution(d))](std::span<const double> x) {
            return density({x[0], x[1], x[2]});
        };
    }
};

}  // namespace

line_density::line_density(const distribution& d) {
    for (const auto& [w, component] : line_components(d)) {
        log_weights_.push_back(std::log(w));
        components_.push_back(std::visit(kernel_of{}, component));
    }
}

line_density::line_density(const univariate& d) : log_weights_{0.0}, components_{std::visit(kernel_of{}, d)} {}

double line_density::operator()(real_point x) const {
    if (!std::isfinite(x.x)) return -infinity;  // every density here vanishes at ±∞
    if (components_.size() == 1) return components_[0](x);
    std::vector<double>& terms = scratch(0, components_.size());
    for (std::size_t k = 0; k < components_.size(); ++k) terms[k] = log_weights_[k] + components_[k](x);
    return log_sum_exp(std::span<const double>(terms.data(), components_.size()));
}

std::size_t point_size(const distribution& d) {
    return std::visit(
        [](const auto& x) -> std::size_t {
            using T = std::remove_cvref_t<decltype(x)>;
            if constexpr (std::is_same_v<T, multinomial>)
                return x.probs.size();
            else if constexpr (std::is_same_v<T, dirichlet>)
                return x.concentration.size();
            else if constexpr (std::is_same_v<T, logistic_normal>)
                return x.components();
            else if constexpr (std::is_same_v<T, independent>) {
                std::size_t n = 0;
                for (const auto& c : x.components) n += point_size(c);
                return n;
            } else if constexpr (std::is_same_v<T, wishart>)
                return x.dimension() * x.dimension();
            else if constexpr (on_the_line<T>)
                return 3;
            else
                return x.dimension();
        },
        d);
}

point_log_density log_density_function(const distribution& d) { return std::visit(point_density_of{}, d); }

}  // namespace kldiv::distributions::detail
