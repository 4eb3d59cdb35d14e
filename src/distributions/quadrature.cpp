// D(P‖Q) by adaptive quadrature, for P and Q continuous on the line or on the circle:
//   D = ∫_{hull of supp P} t(x) dx + Q(x < a) + Q(x > b),  t = p φ(ln p − ln q) ≥ 0,
// [a, b] the hull of P's support (where P's mixture components leave a gap, t = q there, so the
// gap's Q-mass is integrated too); the two Q-masses come from Q's cdf (cdf.hpp).
//
// The hull is cut at landmarks of every component of P and Q: its support ends, its mode and its
// quantiles at 1/2, 0.2, 0.05, 10^−2, 10^−3, 10^−4, 10^−6, …, 10^−12, 10^−15 on both sides (and the
// rays at ±1e300, see line_cuts). Every
// peak, kink and jump of the integrand then sits at a cut, each piece holds a bounded share of the
// mass with no feature far smaller than the piece (a narrow P beside a wide Q, far-apart mixture
// components), and singular ends (gamma with α < 1 at 0, beta at 0 and 1) are piece ends, where
// they are handled by a change of variable: pieces next to 0 or 1 that span decades of the distance
// to it are integrated in s = ln x or s = ln(1 − x), where x^(a−1) becomes e^(a s) and the mass of
// gamma(0.01, ·) or beta(0.01, 0.01) far below the smallest double next to 0 or 1 is in reach (see
// integrate_piece). Finite pieces use Boost's tanh_sinh, rays exp_sinh. On the circle the period [loc − π, loc + π] of P's first component is
// cut at every component's loc, loc + π and loc ± 2^j/√κ.
//
// Each piece is integrated to tolerance of its own value (its integrand is ≥ 0, so
// Boost's L1 norm is the value); the error is the sum of Boost's estimates (the difference of the
// last two levels, which overstates the true error of a converged piece) plus the integrated
// rounding bound of divergence_density.hpp (integrated to 1%), plus, where P's tail is a power law,
// a bound on what lies beyond ±1e300 (beyond_far). A piece that does not converge keeps its large
// estimate, so the error says so.

#include <algorithm>
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
#include "src/common/format.hpp"
#include "src/distributions/cdf.hpp"
#include "src/distributions/divergence_density.hpp"
#include "src/distributions/line_components.hpp"
#include "src/distributions/log_density.hpp"
#include "src/distributions/numerical.hpp"
#include "src/distributions/support.hpp"
#include "src/distributions/tails.hpp"

namespace kldiv::distributions::detail {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double rounding_tolerance = 1e-2;
constexpr std::size_t tanh_sinh_refinements = 12, exp_sinh_refinements = 9;
constexpr double quantile_levels[] = {0.5, 0.2, 0.05, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 1e-15};
// Where the rays of the line are cut once more (see line_cuts).
constexpr double far = 1e300;

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
            return d.concentration > 1.0 ? std::optional(d.scale * std::pow((d.concentration - 1.0) / d.concentration,
                                                                            1.0 / d.concentration))
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

// Throws unless doubles can resolve the component's spread where it lies: its interquartile range
// (von Mises: 1/√κ) must exceed 1e-11 of its location's magnitude (e.g. normal(1e300, 1) cannot be
// integrated in x: its whole mass falls between two neighbouring doubles). A von Mises component is
// integrated over a period around its location, so its magnitude there is at least π (κ = 1e300,
// a spread of 1e-150 at location 0, came out wrong).
void require_resolvable(const univariate& d) {
    using kldiv::detail::to_text;
    const std::string cannot = "quadrature cannot resolve " + std::string(family_name(d)) + ": ";
    if (const auto* v = std::get_if<von_mises>(&d)) {
        const double spread = 1.0 / std::sqrt(v->concentration), magnitude = std::fabs(v->loc) + std::numbers::pi;
        if (!(spread > 1e-11 * magnitude))
            throw error("kl_divergence", cannot + "its spread " + to_text(spread) +
                                             " is below 1e-11 of its location's magnitude " + to_text(magnitude) +
                                             ", beyond double precision");
        return;
    }
    double low, high;
    try {
        low = quantile(d, 0.25, false);
        high = quantile(d, 0.25, true);
    } catch (const std::exception&) {
        return;  // quartiles Boost cannot reach: the check cannot be made, the landmarks still guide
    }
    // (gamma(1e-5, 1) has both quartiles below the smallest double: they are 0 and 0.)
    if (!(high - low > 1e-11 * std::max({std::fabs(low), std::fabs(high), 1e-300})))
        throw error("kl_divergence", cannot + "its quartiles " + to_text(low) + " and " + to_text(high) +
                                         " are not 1e-11 of their magnitude apart in double precision: half its "
                                         "mass lies between neighbouring doubles");
}

struct integral {
    double value = 0.0, error = 0.0;
};

// The integrators take f(point, ln J): the integrand at the point times the Jacobian J of the
// substitution, J passed by its logarithm so that it can be folded into ln p and ln q.

// ∫ g(s) ds over [a, b] (finite) by tanh-sinh.
template <class G>
integral tanh_sinh_piece(const G& g, double a, double b, double tolerance) {
    // One rule per thread: integrate extends the rule's tables (not const in Boost 1.74), so a shared
    // rule would race when kl_divergence is called from several threads.
    thread_local boost::math::quadrature::tanh_sinh<double> rule(tanh_sinh_refinements);
    integral out;
    out.value = rule.integrate(g, a, b, tolerance, &out.error);
#if BOOST_VERSION < 107500  // before boostorg/math#455 the estimate was not scaled to [a, b]
    out.error *= 0.5 * (b - a);
#endif
    return out;
}

// ∫ g(s) ds over (−∞, b] or [a, ∞) by exp-sinh.
template <class G>
integral exp_sinh_piece(const G& g, double a, double b, double tolerance) {
    thread_local boost::math::quadrature::exp_sinh<double> rule(exp_sinh_refinements);  // as above
    integral out;
    out.value = rule.integrate(g, a, b, tolerance, &out.error);
    return out;
}

// ∫ f over one piece [a, b]. Rays of the line by exp-sinh in x. Pieces next to 0 or 1, where
// gamma(α < 1, ·) or beta put mass at distances no double can hold (gamma(0.01, ·) has 1e-3 of its
// mass below 1e-300) and which span many decades of that distance, are integrated in s = ln x or
// s = ln(1 − x) (J = e^s; the point carries s exactly): [0, b] and [a, 1] as rays s ∈ (−∞, ln …] by
// exp-sinh, [a, b] with b > 2a > 0 (or 1 − a > 2(1 − b) > 0) by tanh-sinh in s, and likewise
// [a, b] with a < 2b < 0 in s = ln(−x). Other pieces by tanh-sinh in x, with ln(1 − x) from the
// exact distance to the piece's nearer end.
template <class F>
integral integrate_piece(const F& f, double a, double b, double tolerance) {
    const auto in_log_x = [&](double s) { return f(real_point{std::exp(s), s, std::log1p(-std::exp(s))}, s); };
    const auto in_log_one_minus_x = [&](double s) {
        return f(real_point{-std::expm1(s), std::log1p(-std::exp(s)), s}, s);
    };
    if (std::isinf(a) || std::isinf(b)) return exp_sinh_piece([&](double x) { return f(at(x), 0.0); }, a, b, tolerance);
    if (a == 0.0) return exp_sinh_piece(in_log_x, -infinity, std::log(b), tolerance);
    if (b == 1.0 && a > 0.0) return exp_sinh_piece(in_log_one_minus_x, -infinity, std::log1p(-a), tolerance);
    // (Boost's two-argument form, whose nodes never land on an end; the distance to it is not needed.)
    if (a > 0.0 && b > 2.0 * a)
        return tanh_sinh_piece([&](double s, double) { return in_log_x(s); }, std::log(a), std::log(b), tolerance);
    if (b < 0.0 && a < 2.0 * b)  // the mirror image: s = ln(−x), x = −e^s, ln(1 − x) = ln(1 + e^s)
        return tanh_sinh_piece(
            [&](double s, double) {
                return f(real_point{-std::exp(s), std::numeric_limits<double>::quiet_NaN(), std::log1p(std::exp(s))},
                         s);
            },
            std::log(-b), std::log(-a), tolerance);
    if (b < 1.0 && 1.0 - a > 2.0 * (1.0 - b) && a >= 0.5)
        return tanh_sinh_piece([&](double s, double) { return in_log_one_minus_x(s); }, std::log1p(-b), std::log1p(-a),
                               tolerance);
    const auto in_x = [&](double x, double xc) {
        if (xc == 0.0) return 0.0;  // a node closer to the end than the smallest double adds nothing
        return f(real_point{x, std::log(x), std::log(xc > 0.0 ? (1.0 - b) + xc : (1.0 - a) + xc)}, 0.0);
    };
    return tanh_sinh_piece(in_x, a, b, tolerance);
}

// ∫ f over the cut line or circle, piece by piece.
template <class F>
integral integrate_pieces(const F& f, const std::vector<double>& cuts, double tolerance) {
    integral total;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        const double a = cuts[i], b = cuts[i + 1];
        integral piece;
        try {
            piece = integrate_piece(f, a, b, tolerance);
        } catch (const std::exception& e) {
            throw error("kl_divergence", "quadrature failed on [" + kldiv::detail::to_text(a) + ", " +
                                             kldiv::detail::to_text(b) + "]: " + e.what());
        }
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
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i)  // one piece in s = ln x or s = ln(1 − x), not both
        if ((cuts[i] == 0.0 && cuts[i + 1] == 1.0) || (std::isinf(cuts[i]) && std::isinf(cuts[i + 1])))
            cuts.insert(cuts.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::isinf(cuts[i]) ? 0.0 : 0.5);
    // Rays from a landmark c > 0 are cut at far (c < 0: at −far), so that [c, far] is integrated
    // in s = ln|x|: a heavy tail, t ~ x^(−1−γ) with small γ > 0, still holds a share of D far beyond
    // the last landmark (inverse_gamma(0.5, 1)‖weibull(1, 0.3): γ = 0.2, 2e-6 of D beyond 1e30),
    // which exp-sinh in x misses without noticing; in s it decays like e^(−γs).
    if (cuts.back() == infinity && cuts[cuts.size() - 2] > 0.0 && 2.0 * cuts[cuts.size() - 2] < far)
        cuts.insert(cuts.end() - 1, far);
    if (cuts.front() == -infinity && cuts[1] < 0.0 && 2.0 * cuts[1] > -far) cuts.insert(cuts.begin() + 1, -far);
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

// An allowance for ∫ t over the ray beyond x = ±far (sign ±1), which exp-sinh may miss (t underflows
// there while its integral does not): twice the integral of the local power law of t,
// t(x) = t(x0)(x/x0)^(−1−γ) with γ from t(2x0)/t(x0) = 2^(−1−γ), so ∫_far^∞ t = x0·t(x0)(far/x0)^(−γ)/γ;
// +∞ where t does not decay faster than 1/x. x0 = far, or 1e-10 of it, 1e-20, … where a log density
// overflows at far (Weibull's −(x/λ)^k); t is taken by its logarithm, from ln p and ln q shifted so
// that the larger is 0 (the term scales with e^shift).
double beyond_far(const line_density& lp, const line_density& lq, double sign) {
    const auto log_t = [&](double x) {
        const double a = lp(at(sign * x)), b = lq(at(sign * x)), shift = -std::max(a, b);
        if (std::isnan(shift) || shift == infinity) return -infinity;  // p = q = 0
        return std::log(divergence_density(a + shift, b + shift).value) - shift;
    };
    for (double x0 = far; x0 >= 1.0; x0 *= 1e-10) {
        const double l1 = log_t(x0), l2 = log_t(2.0 * x0);
        if (l1 == -infinity) return 0.0;
        if (!std::isfinite(l1) || !std::isfinite(l2)) continue;
        const double gamma = (l1 - l2) / std::numbers::ln2 - 1.0;
        if (!(gamma > 0.0)) return infinity;
        return 2.0 * std::exp(std::log(x0) + l1 - std::log(gamma) - gamma * std::log(far / x0));
    }
    return infinity;
}

}  // namespace

kl_result quadrature_nats(const distribution& p, const distribution& q, double tolerance) {
    const auto pc = line_components(p), qc = line_components(q);
    for (const auto* components : {&pc, &qc})
        for (const auto& c : *components) require_resolvable(c.component);
    const line_density lp(p), lq(q);
    // The integrand times the Jacobian J = e^(log_j): shifting ln p and ln q by ln J scales t by J.
    const auto term = [&](real_point x, double log_j) { return divergence_density(lp(x) + log_j, lq(x) + log_j); };
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
    const integral main = integrate_pieces([&](real_point x, double j) { return term(x, j).value; }, cuts, tolerance);
    const integral rounding =
        integrate_pieces([&](real_point x, double j) { return term(x, j).rounding; }, cuts, rounding_tolerance);
    // Exp-sinh's estimate on the rays beyond ±far does not see a slowly decaying tail (P's tails
    // that thin out faster than a power leave nothing there).
    double beyond = 0.0;
    for (const double sign : {1.0, -1.0})
        if (std::find(cuts.begin(), cuts.end(), sign * far) != cuts.end() && power_tail_at(p, sign > 0.0))
            beyond += beyond_far(lp, lq, sign);
    return {main.value + outside, kl_method::quadrature, main.error + rounding.value + beyond, 0};
}

}  // namespace kldiv::distributions::detail
