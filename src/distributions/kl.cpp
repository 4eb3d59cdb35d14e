#include "kldiv/distributions/kl.hpp"

#include <cmath>
#include <exception>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>

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

kl_result in_nats(const distribution& p, const distribution& q, const kl_options& o) {
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
