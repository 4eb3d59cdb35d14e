#include "kldiv/distributions/kl.hpp"

#include <cmath>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/distributions/closed_form.hpp"
#include "src/distributions/numerical.hpp"
#include "src/distributions/support.hpp"
#include "src/distributions/tails.hpp"

namespace kldiv::distributions {

std::string_view describe(kl_method m) noexcept {
    switch (m) {
        case kl_method::closed_form:
            return "closed form";
        case kl_method::infinite_by_support:
            return "infinite by support";
        case kl_method::quadrature:
            return "quadrature";
        case kl_method::summation:
            return "summation";
        case kl_method::monte_carlo:
            return "Monte Carlo";
    }
    return {};
}

namespace {

void check_options(const kl_options& o) {
    if (!(o.tolerance > 0.0) || !(o.tolerance < 1.0))
        throw error("kl_divergence",
                    "tolerance = " + kldiv::detail::to_text(o.tolerance) + ", but it must be in (0, 1)");
    if (!(o.mc_error > 0.0) || !std::isfinite(o.mc_error))
        throw error("kl_divergence",
                    "mc_error = " + kldiv::detail::to_text(o.mc_error) + ", but it must be finite and > 0");
    if (o.max_samples < 2 || o.max_samples > max_monte_carlo_samples)
        throw error("kl_divergence", "max_samples = " + std::to_string(o.max_samples) +
                                         ", but it must be in [2, 2^40 = " + std::to_string(max_monte_carlo_samples) +
                                         "]");
}

std::string pair_name(const distribution& p, const distribution& q) {
    return "(" + std::string(family_name(p)) + ", " + std::string(family_name(q)) + ")";
}

kl_result in_nats(const distribution& p, const distribution& q, const kl_options& o);

// The components of d as a product of n: an independent's own, a diagonal_normal of dimension n as
// n normals, any other distribution as a product of one; nullopt where d is no such product.
std::optional<std::vector<distribution>> as_product(const distribution& d, std::size_t n) {
    if (const auto* i = std::get_if<independent>(&d)) return i->components;
    if (const auto* g = std::get_if<diagonal_normal>(&d); g && g->dimension() == n) {
        std::vector<distribution> out;
        for (std::size_t j = 0; j < n; ++j) out.emplace_back(normal(g->loc[j], g->scale[j]));
        return out;
    }
    if (n == 1) return std::vector<distribution>{d};
    return std::nullopt;
}

// A product of normals as the diagonal_normal it is; nullopt for other products.
std::optional<distribution> as_diagonal_normal(const independent& d) {
    std::vector<double> loc, scale;
    for (const auto& c : d.components) {
        const auto* n = std::get_if<normal>(&c);
        if (n == nullptr) return std::nullopt;
        loc.push_back(n->loc);
        scale.push_back(n->scale);
    }
    return distribution(diagonal_normal(std::move(loc), std::move(scale)));
}

std::size_t product_size(const distribution& d) {
    const auto* i = std::get_if<independent>(&d);
    return i ? i->components.size() : 1;
}

// D between products (independent.hpp): Σ D(P_i‖Q_i), each component pair by its own method. The
// result names the least exact method used (closed form < summation < quadrature < Monte Carlo);
// the error adds the components' error estimates (Monte Carlo standard errors in quadrature: each
// component draws from its own seed, seed + i, to mc_error / √n so that the sum meets mc_error).
kl_result product_nats(const distribution& p, const distribution& q, const kl_options& o) {
    // A product of normals against another Gaussian family is that Gaussian on ℝ^d.
    const auto gaussian = [](const distribution& d) {
        return std::holds_alternative<multivariate_normal>(d) ||
               std::holds_alternative<lowrank_multivariate_normal>(d) || std::holds_alternative<gaussian_mixture>(d);
    };
    if (const auto* ip = std::get_if<independent>(&p); ip && gaussian(q))
        if (const auto d = as_diagonal_normal(*ip)) return in_nats(*d, q, o);
    if (const auto* iq = std::get_if<independent>(&q); iq && gaussian(p))
        if (const auto d = as_diagonal_normal(*iq)) return in_nats(p, *d, o);
    const std::size_t n = std::max(product_size(p), product_size(q));
    const auto ps = as_product(p, n), qs = as_product(q, n);
    if (!ps || !qs || ps->size() != qs->size())
        throw error("kl_divergence", "P is " + to_spec(p) + " and Q is " + to_spec(q) +
                                         ", but a product (independent) is compared only with a product of as many "
                                         "components (or a diagonal_normal of that dimension)");
    constexpr auto rank = [](kl_method m) {
        switch (m) {
            case kl_method::closed_form:
                return 0;
            case kl_method::summation:
                return 1;
            case kl_method::quadrature:
                return 2;
            default:
                return 3;
        }
    };
    kl_options component = o;
    component.mc_error = o.mc_error / std::sqrt(static_cast<double>(ps->size()));
    kl_result out{0.0, kl_method::closed_form, 0.0, 0};
    double numeric_error = 0.0, mc_variance = 0.0;
    for (std::size_t i = 0; i < ps->size(); ++i) {
        component.seed = o.seed + i;
        const kl_result r = in_nats((*ps)[i], (*qs)[i], component);
        if (r.method == kl_method::infinite_by_support)
            return {std::numeric_limits<double>::infinity(), kl_method::infinite_by_support, 0.0, 0};
        out.value += r.value;
        if (rank(r.method) > rank(out.method)) out.method = r.method;
        if (r.method == kl_method::monte_carlo)
            mc_variance += r.error * r.error;
        else
            numeric_error += r.error;
        out.samples += r.samples;
        out.converged = out.converged && r.converged;
    }
    out.error = numeric_error + std::sqrt(mc_variance);
    return out;
}

kl_result in_nats(const distribution& p, const distribution& q, const kl_options& o) {
    if (std::holds_alternative<independent>(p) || std::holds_alternative<independent>(q)) return product_nats(p, q, o);
    // +∞ decided from the parameters, whatever method is asked for: supports that do not nest, and
    // for pairs on the line, gaps in a mixture's support and tails that make E_P[−ln q] diverge.
    if (!detail::nested(detail::support_of(p), detail::support_of(q), p, q) ||
        detail::infinite_cause_of(p, q) != detail::infinite_cause::none)
        return {std::numeric_limits<double>::infinity(), kl_method::infinite_by_support, 0.0, 0};
    if (o.method == method_choice::automatic || o.method == method_choice::closed_form) {
        if (const auto value = detail::closed_form_nats(p, q)) return {*value, kl_method::closed_form, 0.0, 0};
        if (o.method == method_choice::closed_form)
            throw error("kl_divergence", "the pair " + pair_name(p, q) +
                                             " has no closed form for these parameters; ask for another method");
    }
    if (o.method != method_choice::monte_carlo && detail::integrable(p, q)) return detail::integrate_nats(p, q, o);
    if (o.method == method_choice::numerical)
        throw error("kl_divergence",
                    "the pair " + pair_name(p, q) +
                        " cannot be integrated numerically (it is not univariate); ask for Monte Carlo");
    return detail::monte_carlo_nats(p, q, o);
}

}  // namespace

kl_result kl_divergence(const distribution& p, const distribution& q, const kl_options& options) {
    check_options(options);
    // What the caller's progress callback throws reaches the caller as it is (a Python
    // KeyboardInterrupt is not a special function's failure).
    kl_options o = options;
    std::exception_ptr from_progress;
    if (options.progress) {
        o.progress = [&](const progress& done) {
            try {
                options.progress(done);
            } catch (...) {
                from_progress = std::current_exception();
                throw;
            }
        };
    }
    kl_result r;
    try {
        r = in_nats(p, q, o);
    } catch (const error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        if (from_progress) std::rethrow_exception(from_progress);
        // A special function (Boost's lgamma, digamma, …) refused parameters far beyond the usual
        // range, e.g. student_t(1e308): a kldiv error naming the pair, not the library's text.
        const bool overflow = dynamic_cast<const std::overflow_error*>(&e) != nullptr;
        throw error("kl_divergence", to_spec(p) + " against " + to_spec(q) + ": a special function " +
                                         (overflow ? "overflows" : "is undefined") +
                                         " at these parameters, beyond what double precision evaluates");
    }
    r.value = options.base.from_nats(r.value);
    r.error = options.base.from_nats(r.error);
    return r;
}

std::vector<family_pair> closed_form_pairs() { return detail::closed_form_family_pairs(); }

}  // namespace kldiv::distributions
