// Tests of the univariate closed forms (src/distributions/closed_forms_univariate*.cpp), through the
// public kldiv::distributions::kl_divergence on parsed specs:
//   - every pair is reported as a closed form, is 0 for P = Q (same family) and ≥ 0 on random
//     parameters;
//   - every pair agrees to 1e-9 relative with an independent value: D(P‖Q) = ∫ p (ln p − ln q)
//     (Boost tanh-sinh / exp-sinh quadrature, split at the locations and scales) or Σ P (ln P − ln Q)
//     over the densities and masses written out below;
//   - identities between families (chi2 = gamma(k/2, 1/2), exponential = gamma(1, λ) =
//     weibull(1/λ, 1), beta(1, 1) = CB(1/2) = uniform(0, 1), 1/X, ln X, −ln X maps) give equal values;
//   - nearly identical parameters (relative offsets of 1e-9) give the second-order value
//     ½ dθᵀ I(θ) dθ (Fisher information, in long double) to 1e-6 relative, never a negative number;
//   - divergences that are infinite although the supports nest are +∞.

#include <gtest/gtest.h>
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/trigamma.hpp>

namespace {

namespace kd = kldiv::distributions;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double pi = std::numbers::pi;
constexpr double euler_gamma = std::numbers::egamma;

std::string num(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
}

std::string spec(const std::string& family, std::initializer_list<double> parameters) {
    std::string s = family + "(";
    bool first = true;
    for (const double v : parameters) {
        if (!first) s += ", ";
        s += num(v);
        first = false;
    }
    return s + ")";
}

// D(P‖Q) by kl_divergence, which must report the closed form.
double closed(const std::string& p, const std::string& q) {
    const kd::kl_result r = kd::kl_divergence(kd::parse(p), kd::parse(q));
    EXPECT_EQ(r.method, kd::kl_method::closed_form) << p << " || " << q;
    return r.value;
}

// ---------------------------------------------------------------- densities, written from the definitions

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

const double log_root_two_pi = 0.5 * std::log(2.0 * pi);

// ln p(x); one_minus_x = 1 − x to full precision (for densities on [0, 1]).
double log_density(const kd::distribution& d, double x, double one_minus_x) {
    constexpr double none = -inf;
    return std::visit(
        overloaded{
            [&](const kd::normal& n) {
                const double z = (x - n.loc) / n.scale;
                return -0.5 * z * z - std::log(n.scale) - log_root_two_pi;
            },
            [&](const kd::half_normal& n) {
                const double z = x / n.scale;
                return x < 0 ? none : std::log(2.0) - 0.5 * z * z - std::log(n.scale) - log_root_two_pi;
            },
            [&](const kd::log_normal& n) {
                if (x <= 0) return none;
                const double z = (std::log(x) - n.loc) / n.scale;
                return -0.5 * z * z - std::log(x * n.scale) - log_root_two_pi;
            },
            [&](const kd::laplace& l) { return -std::fabs(x - l.loc) / l.scale - std::log(2.0 * l.scale); },
            [&](const kd::cauchy& c) {
                const double z = (x - c.loc) / c.scale;
                return -std::log(pi * c.scale) - std::log1p(z * z);
            },
            [&](const kd::half_cauchy& c) {
                const double z = x / c.scale;
                return x < 0 ? none : std::log(2.0 / (pi * c.scale)) - std::log1p(z * z);
            },
            [&](const kd::gumbel& g) {
                const double z = (x - g.loc) / g.scale;
                return -(z + std::exp(-z)) - std::log(g.scale);
            },
            [&](const kd::logistic& l) {
                const double z = std::fabs((x - l.loc) / l.scale);  // symmetric density
                return -z - 2.0 * std::log1p(std::exp(-z)) - std::log(l.scale);
            },
            [&](const kd::exponential& e) { return x < 0 ? none : std::log(e.rate) - e.rate * x; },
            [&](const kd::gamma& g) {
                if (x <= 0) return none;
                return g.concentration * std::log(g.rate) + (g.concentration - 1.0) * std::log(x) - g.rate * x -
                       std::lgamma(g.concentration);
            },
            [&](const kd::chi2& c) {
                if (x <= 0) return none;
                const double k = 0.5 * c.df;
                return -k * std::log(2.0) + (k - 1.0) * std::log(x) - 0.5 * x - std::lgamma(k);
            },
            [&](const kd::inverse_gamma& g) {
                if (x <= 0) return none;
                return g.concentration * std::log(g.rate) - (g.concentration + 1.0) * std::log(x) - g.rate / x -
                       std::lgamma(g.concentration);
            },
            [&](const kd::beta& b) {
                if (x < 0 || x > 1) return none;
                const double a = b.concentration1, c = b.concentration0;
                return (a - 1.0) * std::log(x) + (c - 1.0) * std::log(one_minus_x) - std::lgamma(a) - std::lgamma(c) +
                       std::lgamma(a + c);
            },
            [&](const kd::continuous_bernoulli& c) {
                if (x < 0 || x > 1) return none;
                const double l = c.probs;
                const double norm = l == 0.5 ? 2.0 : 2.0 * std::atanh(1.0 - 2.0 * l) / (1.0 - 2.0 * l);
                return std::log(norm) + x * std::log(l) + one_minus_x * std::log1p(-l);
            },
            [&](const kd::uniform& u) { return x < u.low || x > u.high ? none : -std::log(u.high - u.low); },
            [&](const kd::pareto& p) {
                if (x < p.scale) return none;
                return std::log(p.alpha) + p.alpha * std::log(p.scale) - (p.alpha + 1.0) * std::log(x);
            },
            [&](const kd::weibull& w) {
                if (x < 0) return none;
                const double z = x / w.scale;
                return std::log(w.concentration / w.scale) + (w.concentration - 1.0) * std::log(z) -
                       std::pow(z, w.concentration);
            },
            [&](const kd::von_mises& v) {
                return v.concentration * std::cos(x - v.loc) -
                       std::log(2.0 * pi * std::cyl_bessel_i(0.0, v.concentration));
            },
            [](const auto&) -> double { throw std::logic_error("no density in this test"); },
        },
        d);
}

// The interval to integrate over and the points to split it at.
struct region {
    double low, high;
    std::vector<double> marks;
};

region region_of(const kd::distribution& d) {
    return std::visit(
        overloaded{
            [](const kd::normal& n) {
                return region{
                    -inf, inf, {n.loc, n.loc - n.scale, n.loc + n.scale, n.loc - 5 * n.scale, n.loc + 5 * n.scale}};
            },
            [](const kd::half_normal& n) {
                return region{0, inf, {n.scale, 5 * n.scale}};
            },
            [](const kd::log_normal& n) {
                return region{0, inf, {std::exp(n.loc), std::exp(n.loc - 2 * n.scale), std::exp(n.loc + 2 * n.scale)}};
            },
            [](const kd::laplace& l) {
                return region{
                    -inf,
                    inf,
                    {l.loc, l.loc - 3 * l.scale, l.loc + 3 * l.scale, l.loc - 20 * l.scale, l.loc + 20 * l.scale}};
            },
            [](const kd::cauchy& c) {
                return region{
                    -inf, inf, {c.loc, c.loc - c.scale, c.loc + c.scale, c.loc - 30 * c.scale, c.loc + 30 * c.scale}};
            },
            [](const kd::half_cauchy& c) {
                return region{0, inf, {c.scale, 30 * c.scale}};
            },
            [](const kd::gumbel& g) {
                return region{-inf, inf, {g.loc, g.loc - 2 * g.scale, g.loc + 3 * g.scale, g.loc + 20 * g.scale}};
            },
            [](const kd::logistic& l) {
                return region{-inf, inf, {l.loc, l.loc - 5 * l.scale, l.loc + 5 * l.scale}};
            },
            [](const kd::exponential& e) {
                return region{0, inf, {1 / e.rate, 8 / e.rate}};
            },
            [](const kd::gamma& g) {
                const double m = g.concentration / g.rate;
                return region{0, inf, {0.1 * m, m, 3 * m, 10 * m}};
            },
            [](const kd::chi2& c) {
                return region{0, inf, {0.1 * c.df, c.df, 3 * c.df, 10 * c.df}};
            },
            [](const kd::inverse_gamma& g) {
                const double m = g.rate / (g.concentration + 1);
                return region{0, inf, {0.3 * m, m, 3 * m, 30 * m}};
            },
            [](const kd::beta&) {
                return region{0, 1, {0.5}};
            },
            [](const kd::continuous_bernoulli&) {
                return region{0, 1, {}};
            },
            [](const kd::uniform& u) {
                return region{u.low, u.high, {}};
            },
            [](const kd::pareto& p) {
                return region{p.scale, inf, {2 * p.scale, 10 * p.scale}};
            },
            [](const kd::weibull& w) {
                return region{0, inf, {0.1 * w.scale, w.scale, 3 * w.scale}};
            },
            [](const kd::von_mises& v) {
                return region{v.loc - pi, v.loc + pi, {v.loc}};
            },
            [](const auto&) -> region { throw std::logic_error("no region in this test"); },
        },
        d);
}

// ∫ p (ln p − ln q) over P's support, split at both distributions' marks (which include Q's kinks).
double kl_by_quadrature(const kd::distribution& p, const kd::distribution& q) {
    const region rp = region_of(p);
    std::vector<double> cuts;
    for (const auto& r : {rp, region_of(q)})
        for (const double c : r.marks)
            if (c > rp.low && c < rp.high) cuts.push_back(c);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::vector<double> edges{rp.low};
    edges.insert(edges.end(), cuts.begin(), cuts.end());
    edges.push_back(rp.high);

    const auto integrand = [&](double x, double one_minus_x) {
        const double lp = log_density(p, x, one_minus_x);
        const double density = std::exp(lp);
        if (density == 0.0) return 0.0;
        return density * (lp - log_density(q, x, one_minus_x));
    };
    double sum = 0.0;
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
        const double a = edges[i], b = edges[i + 1];
        if (std::isfinite(a) && std::isfinite(b)) {
            boost::math::quadrature::tanh_sinh<double> rule;
            sum += rule.integrate([&](double x, double xc) { return integrand(x, xc > 0 && b == 1.0 ? xc : 1.0 - x); },
                                  a, b, 1e-14);
        } else {
            boost::math::quadrature::exp_sinh<double> rule;
            sum += rule.integrate([&](double x) { return integrand(x, 1.0 - x); }, a, b, 1e-14);
        }
    }
    return sum;
}

// ln P(k) for the discrete families.
double log_mass(const kd::distribution& d, double k) {
    return std::visit(overloaded{
                          [&](const kd::bernoulli& b) {
                              if (k > 1) return -inf;
                              const double m = k == 1 ? b.probs : 1.0 - b.probs;
                              return std::log(m);
                          },
                          [&](const kd::binomial& b) {
                              const double n = static_cast<double>(b.total_count);
                              if (k > n) return -inf;
                              const double t = k * std::log(b.probs) + (n - k) * std::log1p(-b.probs);
                              return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) + t;
                          },
                          [&](const kd::categorical& c) {
                              const auto i = static_cast<std::size_t>(k);
                              return i < c.probs.size() ? std::log(c.probs[i]) : -inf;
                          },
                          [&](const kd::geometric& g) { return k * std::log1p(-g.probs) + std::log(g.probs); },
                          [&](const kd::poisson& p) { return k * std::log(p.rate) - p.rate - std::lgamma(k + 1); },
                          [&](const kd::negative_binomial& nb) {
                              const double r = nb.total_count;
                              return std::lgamma(k + r) - std::lgamma(k + 1) - std::lgamma(r) +
                                     r * std::log1p(-nb.probs) + k * std::log(nb.probs);
                          },
                          [](const auto&) -> double { throw std::logic_error("no mass in this test"); },
                      },
                      d);
}

// Σ P(k) (ln P(k) − ln Q(k)), summed until P's remaining mass is negligible.
double kl_by_summation(const kd::distribution& p, const kd::distribution& q) {
    double sum = 0.0, mass = 0.0;
    for (double k = 0; k < 1e6; ++k) {
        const double lp = log_mass(p, k);
        if (lp == -inf) {
            if (k > 50) break;
            continue;
        }
        const double pk = std::exp(lp);
        sum += pk * (lp - log_mass(q, k));
        mass += pk;
        if (mass > 1.0 - 1e-17 && pk < 1e-20) break;
    }
    return sum;
}

double kl_reference(const kd::distribution& p, const kd::distribution& q) {
    const bool discrete =
        std::visit(overloaded{[](const kd::bernoulli&) { return true; }, [](const kd::binomial&) { return true; },
                              [](const kd::categorical&) { return true; }, [](const kd::geometric&) { return true; },
                              [](const kd::poisson&) { return true; },
                              [](const kd::negative_binomial&) { return true; }, [](const auto&) { return false; }},
                   p);
    return discrete ? kl_by_summation(p, q) : kl_by_quadrature(p, q);
}

// ---------------------------------------------------------------- random parameters

class random_specs {
public:
    explicit random_specs(unsigned seed) : engine_(seed) {}

    double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(engine_); }
    double log_uniform(double a, double b) { return std::exp(uniform(std::log(a), std::log(b))); }
    int integer(int a, int b) { return std::uniform_int_distribution<int>(a, b)(engine_); }

    // A spec of the family with typical parameters.
    std::string operator()(const std::string& family) {
        if (family == "normal" || family == "laplace" || family == "cauchy" || family == "gumbel" ||
            family == "logistic")
            return spec(family, {uniform(-2, 2), log_uniform(0.4, 2.5)});
        if (family == "half_normal" || family == "half_cauchy") return spec(family, {log_uniform(0.4, 2.5)});
        if (family == "log_normal") return spec(family, {uniform(-1, 1), log_uniform(0.25, 1.2)});
        if (family == "exponential") return spec(family, {log_uniform(0.4, 2.5)});
        if (family == "gamma" || family == "inverse_gamma")
            return spec(family, {log_uniform(0.5, 8), log_uniform(0.4, 2.5)});
        if (family == "chi2") return spec(family, {log_uniform(1, 12)});
        if (family == "beta") return spec(family, {log_uniform(0.5, 5), log_uniform(0.5, 5)});
        if (family == "continuous_bernoulli") return spec(family, {uniform(0.05, 0.95)});
        if (family == "uniform") {
            const double low = uniform(-1, 1);
            return spec(family, {low, low + log_uniform(0.3, 3)});
        }
        if (family == "pareto") return spec(family, {log_uniform(0.4, 2.5), log_uniform(2.5, 6)});
        if (family == "weibull") return spec(family, {log_uniform(0.4, 2.5), log_uniform(0.5, 4)});
        if (family == "von_mises") return spec(family, {uniform(-3, 3), log_uniform(0.1, 20)});
        if (family == "bernoulli" || family == "geometric") return spec(family, {uniform(0.05, 0.95)});
        if (family == "poisson") return spec(family, {log_uniform(0.1, 20)});
        throw std::logic_error("no random " + family);
    }

private:
    std::mt19937_64 engine_;
};

// A random pair of the families (P, Q) for which D is finite.
std::pair<std::string, std::string> random_pair(random_specs& r, const std::string& pf, const std::string& qf) {
    if (pf == "binomial") {
        const double n = r.integer(1, 20);
        return {spec("binomial", {n, r.uniform(0.05, 0.95)}), spec("binomial", {n, r.uniform(0.05, 0.95)})};
    }
    if (pf == "categorical") {  // Q may have more categories than P
        const auto probs = [&](int k) {
            std::string s = "categorical([";
            for (int i = 0; i < k; ++i) s += (i ? ", " : "") + num(r.uniform(0.05, 1));
            return s + "])";
        };
        const int k = r.integer(2, 6);
        return {probs(k), probs(k + r.integer(0, 2))};
    }
    if (pf == "negative_binomial") {
        const double n = r.log_uniform(0.5, 10);
        return {spec(pf, {n, r.uniform(0.05, 0.9)}), spec(pf, {n, r.uniform(0.05, 0.9)})};
    }
    if (qf == "uniform") {  // Q covers P's support
        if (pf == "uniform") {
            const double low = r.uniform(-1, 1), high = low + r.log_uniform(0.3, 3);
            return {spec(pf, {low, high}), spec(qf, {low - r.log_uniform(0.01, 1), high + r.log_uniform(0.01, 1)})};
        }
        return {r(pf), spec(qf, {-r.log_uniform(0.01, 1), 1 + r.log_uniform(0.01, 1)})};
    }
    if (pf == "uniform") {  // P inside Q's support
        if (qf == "beta" || qf == "continuous_bernoulli") {
            const double low = r.uniform(0, 0.4);
            return {spec(pf, {low, r.uniform(0.6, 1)}), r(qf)};
        }
        if (qf == "pareto") {
            const double s = r.log_uniform(0.4, 2.5), low = s * r.uniform(1, 2);
            return {spec(pf, {low, low + r.log_uniform(0.3, 3)}), spec(qf, {s, r.log_uniform(0.5, 6)})};
        }
        if (qf != "normal" && qf != "laplace" && qf != "gumbel") {
            const double low = r.uniform(0, 1);
            return {spec(pf, {low, low + r.log_uniform(0.3, 3)}), r(qf)};
        }
    }
    if (pf == "pareto" && qf == "pareto") {
        const double s = r.log_uniform(0.4, 2.5);
        return {spec(pf, {s * r.uniform(1, 2), r.log_uniform(0.5, 6)}), spec(qf, {s, r.log_uniform(0.5, 6)})};
    }
    if (pf == "gamma" && qf == "inverse_gamma")
        return {spec(pf, {r.log_uniform(1.5, 8), r.log_uniform(0.4, 2.5)}), r(qf)};
    if (pf == "chi2" && qf == "inverse_gamma") return {spec(pf, {r.log_uniform(3, 12)}), r(qf)};
    if (pf == "inverse_gamma" && qf != "inverse_gamma")  // = gamma ‖ 1/Q: finite for α > 1 (α > 2 against normal)
        return {spec(pf, {r.log_uniform(qf == "normal" ? 2.5 : 1.5, 8), r.log_uniform(0.4, 2.5)}), r(qf)};
    if ((pf == "laplace" || pf == "logistic") && qf == "gumbel") {
        const double s = r.log_uniform(0.4, 2.5);
        return {spec(pf, {r.uniform(-2, 2), s * r.uniform(0.1, 0.9)}), spec(qf, {r.uniform(-2, 2), s})};
    }
    return {r(pf), r(qf)};
}

// Every pair with a closed form, as (P family, Q family).
const std::vector<std::pair<std::string, std::string>> pairs = {
    {"bernoulli", "bernoulli"},
    {"binomial", "binomial"},
    {"categorical", "categorical"},
    {"geometric", "geometric"},
    {"poisson", "poisson"},
    {"negative_binomial", "negative_binomial"},
    {"bernoulli", "poisson"},
    {"normal", "normal"},
    {"half_normal", "half_normal"},
    {"half_cauchy", "half_cauchy"},
    {"log_normal", "log_normal"},
    {"gumbel", "normal"},
    {"laplace", "normal"},
    {"logistic", "normal"},
    {"uniform", "normal"},
    {"half_normal", "normal"},
    {"log_normal", "normal"},
    {"gamma", "normal"},
    {"exponential", "normal"},
    {"chi2", "normal"},
    {"inverse_gamma", "normal"},
    {"weibull", "normal"},
    {"pareto", "normal"},
    {"beta", "normal"},
    {"continuous_bernoulli", "normal"},
    {"laplace", "laplace"},
    {"normal", "laplace"},
    {"uniform", "laplace"},
    {"gumbel", "gumbel"},
    {"weibull", "weibull"},
    {"normal", "gumbel"},
    {"log_normal", "weibull"},
    {"weibull", "log_normal"},
    {"laplace", "gumbel"},
    {"logistic", "gumbel"},
    {"uniform", "gumbel"},
    {"gamma", "gumbel"},
    {"exponential", "gumbel"},
    {"chi2", "gumbel"},
    {"cauchy", "cauchy"},
    {"von_mises", "von_mises"},
    {"gamma", "gamma"},
    {"gamma", "exponential"},
    {"gamma", "chi2"},
    {"exponential", "gamma"},
    {"exponential", "exponential"},
    {"exponential", "chi2"},
    {"chi2", "gamma"},
    {"chi2", "exponential"},
    {"chi2", "chi2"},
    {"inverse_gamma", "inverse_gamma"},
    {"gamma", "inverse_gamma"},
    {"exponential", "inverse_gamma"},
    {"chi2", "inverse_gamma"},
    {"inverse_gamma", "gamma"},
    {"inverse_gamma", "exponential"},
    {"inverse_gamma", "chi2"},
    {"gamma", "weibull"},
    {"exponential", "weibull"},
    {"chi2", "weibull"},
    {"weibull", "gamma"},
    {"weibull", "exponential"},
    {"weibull", "chi2"},
    {"log_normal", "gamma"},
    {"log_normal", "exponential"},
    {"log_normal", "chi2"},
    {"gamma", "log_normal"},
    {"exponential", "log_normal"},
    {"chi2", "log_normal"},
    {"half_normal", "gamma"},
    {"half_normal", "exponential"},
    {"half_normal", "chi2"},
    {"gamma", "half_normal"},
    {"exponential", "half_normal"},
    {"chi2", "half_normal"},
    {"pareto", "pareto"},
    {"pareto", "gamma"},
    {"pareto", "exponential"},
    {"pareto", "chi2"},
    {"uniform", "gamma"},
    {"uniform", "exponential"},
    {"uniform", "chi2"},
    {"uniform", "pareto"},
    {"beta", "gamma"},
    {"beta", "exponential"},
    {"beta", "chi2"},
    {"continuous_bernoulli", "exponential"},
    {"beta", "beta"},
    {"continuous_bernoulli", "continuous_bernoulli"},
    {"uniform", "uniform"},
    {"beta", "uniform"},
    {"continuous_bernoulli", "uniform"},
    {"uniform", "beta"},
    {"uniform", "continuous_bernoulli"},
    {"beta", "continuous_bernoulli"},
};

template <std::size_t... I>
std::vector<std::string_view> univariate_names(std::index_sequence<I...>) {
    return {std::variant_alternative_t<I, kd::univariate>::name...};
}

TEST(ClosedFormsUnivariate, EveryPairIsListedAsClosedFormAndTestedHere) {
    const auto listed = kd::closed_form_pairs();
    for (const auto& pair : pairs) {
        const auto& p = pair.first;  // not bindings: clang 14 cannot capture them
        const auto& q = pair.second;
        const bool found =
            std::any_of(listed.begin(), listed.end(), [&](const kd::family_pair& f) { return f.p == p && f.q == q; });
        EXPECT_TRUE(found) << p << " || " << q;
    }
    const auto names = univariate_names(std::make_index_sequence<std::variant_size_v<kd::univariate>>{});
    const auto univariate = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    for (const kd::family_pair& f : listed) {
        if (!univariate(f.p) || !univariate(f.q)) continue;
        const bool tested =
            std::any_of(pairs.begin(), pairs.end(), [&](const auto& t) { return t.first == f.p && t.second == f.q; });
        EXPECT_TRUE(tested) << f.p << " || " << f.q;
    }
}

TEST(ClosedFormsUnivariate, AgreesWithQuadratureOnRandomParameters) {
    random_specs r(2026);
    for (const auto& [pf, qf] : pairs) {
        if (pf == "exponential" && qf == "inverse_gamma") continue;  // always +∞ (E_P[1/X] = ∞)
        for (int i = 0; i < 3; ++i) {
            const auto [ps, qs] = random_pair(r, pf, qf);
            SCOPED_TRACE(ps + " || " + qs);
            const double value = closed(ps, qs);
            const double reference = kl_reference(kd::parse(ps), kd::parse(qs));
            EXPECT_NEAR(value, reference, 1e-9 * std::fabs(reference) + 1e-14) << ps << " || " << qs;
        }
    }
}

TEST(ClosedFormsUnivariate, NonNegativeOnRandomParameters) {
    random_specs r(7);
    for (const auto& [pf, qf] : pairs) {
        for (int i = 0; i < 200; ++i) {
            const auto [ps, qs] = random_pair(r, pf, qf);
            const kd::kl_result got = kd::kl_divergence(kd::parse(ps), kd::parse(qs));
            EXPECT_GE(got.value, 0.0) << ps << " || " << qs;
            // +∞ from the tails (exponential against inverse gamma) is decided before any formula.
            EXPECT_EQ(got.method,
                      std::isinf(got.value) ? kd::kl_method::infinite_by_support : kd::kl_method::closed_form)
                << ps << " || " << qs;
        }
    }
}

TEST(ClosedFormsUnivariate, ZeroForEqualDistributions) {
    random_specs r(11);
    for (const auto& [pf, qf] : pairs) {
        if (pf != qf) continue;
        for (int i = 0; i < 20; ++i) {
            const std::string s = random_pair(r, pf, qf).first;
            EXPECT_NEAR(closed(s, s), 0.0, 1e-15) << s;
        }
    }
}

// ---------------------------------------------------------------- nearly identical parameters

using real = long double;

// v·(1 + δ) with δ = ±(0.5 .. 1.5)·1e-9, rounded to double.
class nudger {
public:
    explicit nudger(unsigned seed) : engine_(seed) {}
    double operator()(double v) {
        const double magnitude = std::uniform_real_distribution<double>(0.5e-9, 1.5e-9)(engine_);
        const double delta = std::bernoulli_distribution(0.5)(engine_) ? magnitude : -magnitude;
        return v == 0.0 ? delta : v * (1.0 + delta);
    }

private:
    std::mt19937_64 engine_;
};

real trigamma(real x) { return boost::math::trigamma(x); }

// ½ dθᵀ I dθ for a symmetric 2×2 Fisher information I = [[a, b], [b, c]].
real quadratic(real a, real b, real c, real d1, real d2) {
    return 0.5L * (a * d1 * d1 + 2 * b * d1 * d2 + c * d2 * d2);
}

// ½ (dμ² I_μμ + 2 dμ ds I_μs + ds² I_ss) for Gumbel(μ, s).
real gumbel_fisher(real s, real dmu, real ds) {
    const real g = euler_gamma;
    return quadratic(1, g - 1, pi * pi / 6 + (1 - g) * (1 - g), dmu, ds) / (s * s);
}

real gamma_fisher(real alpha, real beta, real dalpha, real dbeta) {
    return quadratic(trigamma(alpha), -1 / beta, alpha / (beta * beta), dalpha, dbeta);
}

real beta_fisher(real a, real b, real da, real db) {
    const real ts = trigamma(a + b);
    return quadratic(trigamma(a) - ts, -ts, trigamma(b) - ts, da, db);
}

// ln(x2/x1) in long double from the exact difference.
real log_ratio(double x2, double x1) { return std::log1p((static_cast<real>(x2) - x1) / x1); }

// The continuous Bernoulli's y = logit(λ)/2 difference and ℓ''(y) = 1/y² − 1/sinh² y.
real cb_dy(double l1, double l2) {
    const real d = static_cast<real>(l2) - l1;
    return 0.5L * (std::log1p(d / l1) - std::log1p(-d / (1 - static_cast<real>(l1))));
}
real cb_curvature(double l) {
    const real y = 0.5L * std::log(static_cast<real>(l) / (1 - static_cast<real>(l)));
    if (std::fabs(y) < 1e-3L) return 1.0L / 3 - y * y / 15;
    const real s = std::sinh(y);
    return 1 / (y * y) - 1 / (s * s);
}

void expect_near_identical(const std::string& p, const std::string& q, real reference) {
    const double value = closed(p, q);
    EXPECT_GT(value, 0.0) << p << " || " << q;
    EXPECT_LE(std::fabs(value - reference), 1e-6L * reference)
        << p << " || " << q << ": " << value << " vs " << static_cast<double>(reference);
}

TEST(ClosedFormsUnivariate, NearlyIdenticalParametersKeepRelativePrecision) {
    nudger nudge(5);
    for (const double loc : {0.0, 1.5, -300.0})
        for (const double scale : {1e-3, 0.7, 1e4}) {
            const double loc2 = loc + (nudge(scale) - scale), scale2 = nudge(scale);  // offsets relative to the scale
            const real dmu = static_cast<real>(loc2) - loc, ds = static_cast<real>(scale2) - scale;
            const real s = scale;
            expect_near_identical(spec("normal", {loc, scale}), spec("normal", {loc2, scale2}),
                                  (dmu * dmu + 2 * ds * ds) / (2 * s * s));
            expect_near_identical(spec("log_normal", {loc, scale}), spec("log_normal", {loc2, scale2}),
                                  (dmu * dmu + 2 * ds * ds) / (2 * s * s));
            expect_near_identical(spec("half_normal", {scale}), spec("half_normal", {scale2}), ds * ds / (s * s));
            expect_near_identical(spec("laplace", {loc, scale}), spec("laplace", {loc2, scale2}),
                                  (dmu * dmu + ds * ds) / (2 * s * s));
            expect_near_identical(spec("cauchy", {loc, scale}), spec("cauchy", {loc2, scale2}),
                                  (dmu * dmu + ds * ds) / (4 * s * s));
            expect_near_identical(spec("gumbel", {loc, scale}), spec("gumbel", {loc2, scale2}),
                                  gumbel_fisher(s, dmu, ds));
        }
    for (const double lambda : {0.01, 1.0, 50.0})
        for (const double k : {0.3, 1.0, 7.0, 1e3}) {
            const double lambda2 = lambda * (1.0 + (nudge(1.0) - 1.0) / k), k2 = nudge(k);  // −ln X moves by ~1e-9/k
            // −ln X is Gumbel(−ln λ, 1/k).
            const real ds = (static_cast<real>(k) - k2) / (static_cast<real>(k) * k2);
            expect_near_identical(spec("weibull", {lambda, k}), spec("weibull", {lambda2, k2}),
                                  gumbel_fisher(1 / static_cast<real>(k), -log_ratio(lambda2, lambda), ds));
        }
    for (const double alpha : {0.01, 0.7, 1.0, 3.0, 40.0, 1e3, 1e6})
        for (const double beta : {0.02, 1.0, 300.0}) {
            const double alpha2 = nudge(alpha), beta2 = nudge(beta);
            const real reference =
                gamma_fisher(alpha, beta, static_cast<real>(alpha2) - alpha, static_cast<real>(beta2) - beta);
            expect_near_identical(spec("gamma", {alpha, beta}), spec("gamma", {alpha2, beta2}), reference);
            expect_near_identical(spec("inverse_gamma", {alpha, beta}), spec("inverse_gamma", {alpha2, beta2}),
                                  reference);
            expect_near_identical(spec("chi2", {2 * alpha}), spec("chi2", {2 * alpha2}),
                                  gamma_fisher(alpha, 0.5, static_cast<real>(alpha2) - alpha, 0));
            expect_near_identical(spec("exponential", {beta}), spec("exponential", {beta2}),
                                  gamma_fisher(1, beta, 0, static_cast<real>(beta2) - beta));
            // Equal means: the direction in which the textbook formula cancels to 1/α of its terms.
            const double beta3 = beta * (alpha2 / alpha);
            expect_near_identical(
                spec("gamma", {alpha, beta}), spec("gamma", {alpha2, beta3}),
                gamma_fisher(alpha, beta, static_cast<real>(alpha2) - alpha, static_cast<real>(beta3) - beta));
        }
    for (const double a : {0.05, 1.0, 2.5, 30.0, 1e4})
        for (const double b : {0.3, 1.0, 8.0, 1e5}) {
            const double a2 = nudge(a), b2 = nudge(b);
            expect_near_identical(spec("beta", {a, b}), spec("beta", {a2, b2}),
                                  beta_fisher(a, b, static_cast<real>(a2) - a, static_cast<real>(b2) - b));
        }
    for (const double l : {1e-6, 0.01, 0.3, 0.5, 0.75, 0.999}) {
        const double l2 = nudge(l);
        const real dy = cb_dy(l, l2);
        expect_near_identical(spec("continuous_bernoulli", {l}), spec("continuous_bernoulli", {l2}),
                              0.5L * cb_curvature(l) * dy * dy);
    }
    for (const double alpha : {0.5, 3.0, 200.0}) {
        const double alpha2 = nudge(alpha);
        const real da = static_cast<real>(alpha2) - alpha;
        expect_near_identical(spec("pareto", {2.0, alpha}), spec("pareto", {2.0, alpha2}),
                              da * da / (2.0L * alpha * alpha));
    }
    for (const double kappa : {0.0, 0.5, 5.0, 50.0, 700.0}) {
        const double mu2 = nudge(1.0), kappa2 = nudge(kappa);
        const real k = kappa, i0 = std::cyl_bessel_i(0.0L, k), a = k == 0 ? 0 : std::cyl_bessel_i(1.0L, k) / i0;
        const real da = k == 0 ? 0.5L : 1 - a / k - a * a;
        const real dmu = static_cast<real>(mu2) - 1, dk = static_cast<real>(kappa2) - kappa;
        expect_near_identical(spec("von_mises", {1.0, kappa}), spec("von_mises", {mu2, kappa2}),
                              0.5L * (k * a * dmu * dmu + da * dk * dk));
    }
    for (const double p : {1e-4, 0.3, 0.5, 0.9}) {
        const double p2 = nudge(p);
        const real dp = static_cast<real>(p2) - p, rp = p;
        expect_near_identical(spec("bernoulli", {p}), spec("bernoulli", {p2}), dp * dp / (2 * rp * (1 - rp)));
        expect_near_identical(spec("binomial", {17, p}), spec("binomial", {17, p2}),
                              17 * dp * dp / (2 * rp * (1 - rp)));
        expect_near_identical(spec("geometric", {p}), spec("geometric", {p2}), dp * dp / (2 * rp * rp * (1 - rp)));
        expect_near_identical(spec("negative_binomial", {4.5, p}), spec("negative_binomial", {4.5, p2}),
                              4.5L * dp * dp / (2 * rp * (1 - rp) * (1 - rp)));
    }
    for (const double rate : {1e-3, 1.0, 1e6}) {
        const double rate2 = nudge(rate);
        const real d = static_cast<real>(rate2) - rate;
        expect_near_identical(spec("poisson", {rate}), spec("poisson", {rate2}), d * d / (2 * static_cast<real>(rate)));
    }
    {
        const std::string p = "categorical([0.125, 0.5, 0.375])";
        const std::string q = "categorical([0.125000000125, 0.499999999875, 0.375])";
        const std::vector<double> pp = std::get<kd::categorical>(kd::parse(p)).probs;
        const std::vector<double> qq = std::get<kd::categorical>(kd::parse(q)).probs;
        real reference = 0;
        for (std::size_t i = 0; i < pp.size(); ++i) {
            const real d = static_cast<real>(qq[i]) - pp[i];
            reference += d * d / (2 * static_cast<real>(pp[i]));
        }
        expect_near_identical(p, q, reference);
    }
    {
        const double low2 = -1.0 - std::fabs(nudge(1.0) - 1.0), high2 = 2.0 + std::fabs(nudge(2.0) - 2.0);
        const real outer = (static_cast<real>(high2) - 2) + (-1 - static_cast<real>(low2));
        expect_near_identical("uniform(-1, 2)", spec("uniform", {low2, high2}), std::log1p(outer / 3));
    }
}

TEST(ClosedFormsUnivariate, NearlyIdenticalAcrossFamiliesKeepRelativePrecision) {
    nudger nudge(17);
    // Beta(1, 1) = CB(½) = Uniform(0, 1): at (a, b, η) = (1, 1, 0) in the family x^(a−1) (1−x)^(b−1) e^(ηx),
    // the Fisher information is the covariance of (ln x, ln(1−x), x) under the uniform.
    const real c = 1 - pi * pi / 6;
    const real info[3][3] = {{1, c, 0.25L}, {c, 1, -0.25L}, {0.25L, -0.25L, 1.0L / 12}};
    const auto fisher3 = [&](real da, real db, real deta) {
        const real d[3] = {da, db, deta};
        real sum = 0;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) sum += d[i] * info[i][j] * d[j];
        return 0.5L * sum;
    };
    for (int i = 0; i < 4; ++i) {
        const double a = nudge(1.0), b = nudge(1.0), l = nudge(0.5);
        const real da = static_cast<real>(a) - 1, db = static_cast<real>(b) - 1, deta = 2 * cb_dy(0.5, l);
        const std::string beta = spec("beta", {a, b}), cb = spec("continuous_bernoulli", {l});
        expect_near_identical(beta, "uniform(0, 1)", fisher3(da, db, 0));
        expect_near_identical("uniform(0, 1)", beta, fisher3(da, db, 0));
        expect_near_identical(cb, "uniform(0, 1)", fisher3(0, 0, deta));
        expect_near_identical("uniform(0, 1)", cb, fisher3(0, 0, deta));
        expect_near_identical(beta, cb, fisher3(-da, -db, deta));
        expect_near_identical(beta, "beta(1, 1)", fisher3(da, db, 0));
    }
    // Gamma(1, β) = Exponential(β) = Weibull(1/β, 1) = e^−Gumbel(ln β, 1); the references use the exact
    // rate 1/λ of the Weibull.
    for (const double beta : {0.3, 1.0, 20.0}) {
        const double lambda = 1 / beta, alpha = nudge(1.0), k = nudge(1.0), beta2 = nudge(beta);
        const real rate = 1 / static_cast<real>(lambda), da = static_cast<real>(alpha) - 1;
        const real ds = 1 / static_cast<real>(k) - 1, dmu = std::log(beta * static_cast<real>(lambda));
        expect_near_identical(spec("gamma", {alpha, beta}), spec("weibull", {lambda, 1}),
                              gamma_fisher(alpha, beta, -da, rate - beta));
        expect_near_identical(spec("gamma", {1, beta}), spec("weibull", {lambda, k}), gumbel_fisher(1, dmu, ds));
        expect_near_identical(spec("weibull", {lambda, k}), spec("gamma", {1, beta}), gumbel_fisher(1 + ds, dmu, ds));
        expect_near_identical(spec("weibull", {lambda, 1}), spec("gamma", {1, beta2}),
                              gamma_fisher(1, rate, 0, static_cast<real>(beta2) - rate));
    }
}

TEST(ClosedFormsUnivariate, IdentitiesBetweenFamilies) {
    random_specs r(3);
    const auto equal = [](const std::string& p1, const std::string& q1, const std::string& p2, const std::string& q2,
                          double tolerance) {
        const double a = closed(p1, q1), b = closed(p2, q2);
        EXPECT_NEAR(a, b, tolerance * std::fabs(b)) << p1 << " || " << q1 << " vs " << p2 << " || " << q2;
    };
    for (int i = 0; i < 10; ++i) {
        const double df = r.log_uniform(3, 12), rate = r.log_uniform(0.4, 2.5);
        const std::string chi2 = spec("chi2", {df}), chi2_gamma = spec("gamma", {df / 2, 0.5});
        const std::string expo = spec("exponential", {rate}), expo_gamma = spec("gamma", {1, rate});
        for (const std::string q : {"normal", "gumbel", "gamma", "exponential", "chi2", "inverse_gamma", "weibull",
                                    "log_normal", "half_normal"}) {
            const std::string qs = r(q);
            equal(chi2, qs, chi2_gamma, qs, 1e-15);
            if (q != "inverse_gamma") equal(expo, qs, expo_gamma, qs, 1e-15);
        }
        for (const std::string p : {"gamma", "exponential", "chi2", "inverse_gamma", "weibull", "log_normal",
                                    "half_normal", "pareto", "uniform", "beta"}) {
            const std::string ps = p == "uniform"         ? "uniform(0.5, 2)"
                                   : p == "inverse_gamma" ? "inverse_gamma(2.5, 1)"
                                                          : r(p);
            equal(ps, chi2, ps, chi2_gamma, 1e-15);
            equal(ps, expo, ps, expo_gamma, 1e-15);
        }
        // Exponential(λ) = Weibull(1/λ, 1)
        for (const std::string q : {"gamma", "weibull", "log_normal"}) {
            const std::string qs = r(q);
            equal(spec("weibull", {1 / rate, 1}), qs, expo, qs, 1e-12);
        }
        const double rate2 = r.log_uniform(0.4, 2.5);
        equal(expo, spec("weibull", {1 / rate2, 1}), expo, spec("exponential", {rate2}), 1e-13);

        // Half-normal, log-normal and inverse gamma against their base families.
        const double s1 = r.log_uniform(0.4, 2.5), s2 = r.log_uniform(0.4, 2.5), m1 = r.uniform(-1, 1),
                     m2 = r.uniform(-1, 1);
        equal(spec("half_normal", {s1}), spec("half_normal", {s2}), spec("normal", {0, s1}), spec("normal", {0, s2}),
              1e-15);
        equal(spec("log_normal", {m1, s1}), spec("log_normal", {m2, s2}), spec("normal", {m1, s1}),
              spec("normal", {m2, s2}), 1e-15);
        const double a1 = r.log_uniform(1.5, 8), b1 = r.log_uniform(0.4, 2.5), a2 = r.log_uniform(0.5, 8),
                     b2 = r.log_uniform(0.4, 2.5);
        equal(spec("inverse_gamma", {a1, b1}), spec("inverse_gamma", {a2, b2}), spec("gamma", {a1, b1}),
              spec("gamma", {a2, b2}), 1e-15);
        equal(spec("inverse_gamma", {a1, b1}), spec("gamma", {a2, b2}), spec("gamma", {a1, b1}),
              spec("inverse_gamma", {a2, b2}), 1e-15);
        // −ln X: Weibull(λ, k) → Gumbel(−ln λ, 1/k), LogNormal(μ, σ) → Normal(−μ, σ).
        const double l1 = r.log_uniform(0.4, 2.5), k1 = r.log_uniform(0.5, 4), l2 = r.log_uniform(0.4, 2.5),
                     k2 = r.log_uniform(0.5, 4);
        const std::string w1 = spec("weibull", {l1, k1}), w2 = spec("weibull", {l2, k2});
        const std::string g1 = spec("gumbel", {-std::log(l1), 1 / k1}), g2 = spec("gumbel", {-std::log(l2), 1 / k2});
        equal(w1, w2, g1, g2, 1e-12);
        equal(spec("log_normal", {m1, s1}), w2, spec("normal", {-m1, s1}), g2, 1e-12);
        equal(w1, spec("log_normal", {m2, s2}), g1, spec("normal", {-m2, s2}), 1e-12);
        // Beta(1, 1) = CB(½) = Uniform(0, 1), as P and as Q.
        for (const std::string& u : {std::string("beta(1, 1)"), std::string("continuous_bernoulli(0.5)")}) {
            for (const std::string q : {"normal", "gamma", "exponential", "beta", "continuous_bernoulli"}) {
                if (u[0] == 'c' && (q == "gamma" || q == "beta")) continue;  // CB ‖ gamma, beta: no closed form
                const std::string qs = r(q);
                equal(u, qs, "uniform(0, 1)", qs, 1e-13);
            }
            const std::string wide = spec("uniform", {-r.log_uniform(0.01, 1), 1 + r.log_uniform(0.01, 1)});
            equal(u, wide, "uniform(0, 1)", wide, 1e-13);
            for (const std::string p : {"beta", "continuous_bernoulli"}) {
                if (p[0] == 'c' && u[0] == 'b') continue;  // CB ‖ beta has no closed form
                const std::string ps = r(p);
                equal(ps, u, ps, "uniform(0, 1)", 1e-12);
            }
            const std::string inside = spec("uniform", {r.uniform(0, 0.4), r.uniform(0.6, 1)});
            equal(inside, u, inside, "uniform(0, 1)", 1e-12);
        }
    }
}

TEST(ClosedFormsUnivariate, InfiniteAlthoughSupportsNest) {
    for (const auto& [p, q] : std::vector<std::pair<std::string, std::string>>{
             {"pareto(1, 2)", "normal(0, 1)"},  // infinite variance
             {"pareto(1, 1.5)", "normal(0, 1)"},
             {"pareto(1, 1)", "exponential(1)"},  // infinite mean
             {"pareto(1, 0.5)", "gamma(2, 1)"},
             {"gamma(0.8, 1)", "inverse_gamma(2, 1)"},  // E[1/X] = ∞
             {"exponential(1)", "inverse_gamma(2, 1)"},
             {"chi2(2)", "inverse_gamma(2, 1)"},
             {"inverse_gamma(0.9, 1)", "gamma(2, 1)"},
             {"inverse_gamma(2, 1)", "normal(0, 1)"},
             {"laplace(0, 2)", "gumbel(0, 1)"},  // the Laplace tail against e^(−z)
             {"laplace(0, 1)", "gumbel(3, 1)"},
             {"logistic(0, 1)", "gumbel(0, 1)"},
             {"categorical([0.5, 0.5])", "categorical([1, 0, 1])"},
         }) {
        // Decided from the tails (or the categories) before any formula, whichever method is asked.
        kd::kl_options asked;
        for (const auto method : {kd::method_choice::automatic, kd::method_choice::closed_form}) {
            asked.method = method;
            const kd::kl_result r = kd::kl_divergence(kd::parse(p), kd::parse(q), asked);
            EXPECT_EQ(r.value, inf) << p << " || " << q;
            EXPECT_EQ(r.method, kd::kl_method::infinite_by_support) << p << " || " << q;
        }
    }
}

TEST(ClosedFormsUnivariate, ConditionalPairsFallBackToNumericalMethods) {
    // Different total counts: no closed form, the series is summed.
    const kd::kl_result binomial = kd::kl_divergence(kd::parse("binomial(5, 0.3)"), kd::parse("binomial(8, 0.4)"));
    EXPECT_EQ(binomial.method, kd::kl_method::summation);
    const kd::kl_result nb =
        kd::kl_divergence(kd::parse("negative_binomial(2, 0.3)"), kd::parse("negative_binomial(3, 0.3)"));
    EXPECT_EQ(nb.method, kd::kl_method::summation);
}

}  // namespace
