// D(P‖Q) by adaptive quadrature, for P and Q continuous on the line or on the circle:
//   D = ∫_{hull of supp P} t(x) dx + Q(x < a) + Q(x > b),  t = p φ(ln p − ln q) ≥ 0,
// [a, b] the hull of P's support (where P's mixture components leave a gap, t = q there, so the
// gap's Q-mass is integrated too); the two Q-masses come from Q's cdf (cdf.hpp).
//
// The hull is cut at landmarks of every component of P and Q: its support ends, its mode and its
// quantiles at 1/2, 0.2, 0.05, 10^−2, 10^−3, 10^−4, 10^−6, …, 10^−12, 10^−15 on both sides. Every
// peak, kink and jump of the integrand then sits at a cut, each piece holds a bounded share of the
// mass with no feature far smaller than the piece (a narrow P beside a wide Q, far-apart mixture
// components), and singular ends (gamma with α < 1 at 0, beta at 0 and 1) are piece ends, where
// tanh-sinh quadrature handles x^(a−1) singularities. Finite pieces use Boost's tanh_sinh (with the
// exact distance to the piece's end, so that beta's 1 − x stays exact near 1); the rays beyond the
// outermost cuts use exp_sinh. On the circle the period [loc − π, loc + π] of P's first component is
// cut at every component's loc, loc + π and loc ± 2^j/√κ.
//
// Each piece is integrated to relative_tolerance of its own value (its integrand is ≥ 0, so
// Boost's L1 norm is the value); the error is the sum of Boost's estimates (the difference of the
// last two levels, which overstates the true error of a converged piece) plus the integrated
// rounding bound of divergence_density.hpp (integrated to 1%). A piece that does not converge keeps
// its large estimate, so the error says so.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/version.hpp>

#include "kldiv/error.hpp"
#include "src/distributions/cdf.hpp"
#include "src/distributions/divergence_density.hpp"
#include "src/distributions/line_components.hpp"
#include "src/distributions/log_density.hpp"
#include "src/distributions/numerical.hpp"
#include "src/distributions/support.hpp"
#include "src/format.hpp"

namespace kldiv::distributions::detail {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double rounding_tolerance = 1e-2;
constexpr std::size_t tanh_sinh_refinements = 12, exp_sinh_refinements = 9;
constexpr double quantile_levels[] = {0.5, 0.2, 0.05, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 1e-15};

// The mode of a continuous family, where it is not a support end.
struct mode_of {
    template <class T>
    std::optional<double> operator()(const T& d) const {
        if constexpr (requires { d.loc; } && !std::is_same_v<T, log_normal>)
            return d.loc;  // normal, Laplace, Cauchy, Gumbel, logistic, Student-t, von Mises
        else if constexpr (std::is_same_v<T, log_normal>)
            return std::exp(d.loc - d.scale * d.scale);
        else if constexpr (std::is_same_v<T, gamma>)
            return d.concentration > 1.0 ? std::optional((d.concentration - 1.0) / d.rate) : std::nullopt;
        else if constexpr (std::is_same_v<T, chi2>)
            return d.df > 2.0 ? std::optional(d.df - 2.0) : std::nullopt;
        else if constexpr (std::is_same_v<T, inverse_gamma>)
            return d.rate / (d.concentration + 1.0);
        else if constexpr (std::is_same_v<T, weibull>)
            return d.concentration > 1.0
                       ? std::optional(d.scale * std::pow((d.concentration - 1.0) / d.concentration, 1.0 / d.concentration))
                       : std::nullopt;
        else if constexpr (std::is_same_v<T, beta>)
            return d.concentration1 > 1.0 && d.concentration0 > 1.0
                       ? std::optional((d.concentration1 - 1.0) / (d.concentration1 + d.concentration0 - 2.0))
                       : std::nullopt;
        else
            return std::nullopt;
    }
};

std::vector<double> landmarks(const univariate& d) {
    const support s = support_of(d);
    std::vector<double> out{s.low, s.high};
    if (const auto m = std::visit(mode_of{}, d)) out.push_back(*m);
    for (const double u : quantile_levels)
        for (const bool upper : {false, true}) {
            try {
                out.push_back(quantile(d, u, upper));
            } catch (const std::exception&) {
                // A quantile Boost cannot reach (extreme parameters) only costs a cut.
            }
        }
    return out;
}

struct integral {
    double value = 0.0, error = 0.0;
};

// ∫ f over [a, b] (finite) by tanh-sinh, f called with the point and its exact 1 − x near 1.
template <class F>
integral tanh_sinh_piece(const F& f, double a, double b, double tolerance) {
    static boost::math::quadrature::tanh_sinh<double> rule(tanh_sinh_refinements);  // integrate is not const in Boost 1.74
    const auto g = [&](double x, double xc) {
        if (xc == 0.0) return 0.0;  // a node closer to the end than the smallest double adds nothing
        return f(real_point{x, xc > 0.0 ? (1.0 - b) + xc : (1.0 - a) + xc});
    };
    integral out;
    out.value = rule.integrate(g, a, b, tolerance, &out.error);
#if BOOST_VERSION < 107500  // before boostorg/math#455 the estimate was not scaled to [a, b]
    out.error *= 0.5 * (b - a);
#endif
    return out;
}

// ∫ f over a ray [a, ∞) or (−∞, b] by exp-sinh.
template <class F>
integral exp_sinh_piece(const F& f, double a, double b, double tolerance) {
    static boost::math::quadrature::exp_sinh<double> rule(exp_sinh_refinements);
    const auto g = [&](double x) { return f(at(x)); };
    integral out;
    out.value = rule.integrate(g, a, b, tolerance, &out.error);
    return out;
}

// ∫ f over the cut line or circle, piece by piece (rays where the cuts begin or end at ±∞).
template <class F>
integral integrate_pieces(const F& f, const std::vector<double>& cuts, double tolerance) {
    integral total;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        const double a = cuts[i], b = cuts[i + 1];
        integral piece;
        try {
            piece = std::isinf(a) || std::isinf(b) ? exp_sinh_piece(f, a, b, tolerance) : tanh_sinh_piece(f, a, b, tolerance);
        } catch (const std::exception& e) {
            throw error("kl_divergence", "quadrature failed on [" + kldiv::detail::to_text(a) + ", " +
                                             kldiv::detail::to_text(b) + "]: " + e.what());
        }
        if (getenv("KLDIV_DEBUG")) fprintf(stderr, "%.17g %.17g %.17g %.3g\n", a, b, piece.value, piece.error);
        total.value += piece.value;
        total.error += piece.error;
    }
    return total;
}

// The sorted, distinct cuts of the line for P's hull [a, b].
std::vector<double> line_cuts(const std::vector<weighted_component>& pc, const std::vector<weighted_component>& qc,
                              double a, double b) {
    std::vector<double> cuts{a, b};
    for (const auto* components : {&pc, &qc})
        for (const auto& c : *components)
            for (const double x : landmarks(c.component))
                if (x > a && x < b) cuts.push_back(x);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    if (cuts.size() == 2 && std::isinf(a) && std::isinf(b)) cuts.insert(cuts.begin() + 1, 0.0);
    return cuts;
}

// The cuts of the period [c − π, c + π] for von Mises components.
std::vector<double> circle_cuts(const std::vector<weighted_component>& pc, const std::vector<weighted_component>& qc,
                                double c) {
    const double pi = std::numbers::pi, start = c - pi;
    std::vector<double> cuts{start, c + pi};
    const auto add = [&](double x) {
        double y = std::fmod(x - start, 2.0 * pi);
        if (y < 0.0) y += 2.0 * pi;
        if (y > 0.0 && y < 2.0 * pi) cuts.push_back(start + y);
    };
    for (const auto* components : {&pc, &qc})
        for (const auto& comp : *components) {
            const auto& d = std::get<von_mises>(comp.component);
            add(d.loc);
            add(d.loc + pi);
            for (double w = 1.0 / std::sqrt(d.concentration); w < pi; w *= 2.0) {
                add(d.loc - w);
                add(d.loc + w);
            }
        }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    return cuts;
}

}  // namespace

kl_result quadrature_nats(const distribution& p, const distribution& q, double relative_tolerance) {
    const auto pc = line_components(p), qc = line_components(q);
    const line_density lp(p), lq(q);
    const auto term = [&](real_point x) { return divergence_density(lp(x), lq(x)); };
    std::vector<double> cuts;
    double outside = 0.0;
    if (support_of(pc.front().component).kind == space::circle) {
        cuts = circle_cuts(pc, qc, std::get<von_mises>(pc.front().component).loc);
    } else {
        double a = infinity, b = -infinity;
        for (const auto& c : pc) {
            const support s = support_of(c.component);
            a = std::min(a, s.low);
            b = std::max(b, s.high);
        }
        cuts = line_cuts(pc, qc, a, b);
        outside = mass_below(q, a) + mass_above(q, b);
    }
    const integral main = integrate_pieces([&](real_point x) { return term(x).value; }, cuts, relative_tolerance);
    const integral rounding = integrate_pieces([&](real_point x) { return term(x).rounding; }, cuts, rounding_tolerance);
    return {main.value + outside, kl_method::quadrature, main.error + rounding.value, 0};
}

}  // namespace kldiv::distributions::detail
