#pragma once
// D(P‖Q) between two parametric distributions, for every pair of families kldiv knows:
//   - infinite_by_support: P puts mass where Q has none (a category or a region Q gives
//     probability 0, or one is discrete and the other continuous), or P's tail outweighs Q's so
//     that E_P[−ln q] = ∞ (Cauchy‖normal; decided from the parameters): +∞, no integral needed;
//   - closed_form: the pair has a formula (every pair PyTorch and TensorFlow Probability register,
//     and more; see closed_form_pairs());
//   - quadrature / summation: other univariate pairs, by adaptive quadrature (continuous) or by
//     summing the series (discrete), to about tolerance, with an error estimate;
//   - monte_carlo: other multivariate pairs and mixtures, averaged over seeded samples of P until
//     the standard error meets mc_error.
// The result says which method gave the value and how accurate it is.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "kldiv/distributions/distribution.hpp"
#include "kldiv/names.hpp"
#include "kldiv/progress.hpp"
#include "kldiv/units.hpp"

namespace kldiv::distributions {

enum class kl_method { closed_form, infinite_by_support, quadrature, summation, monte_carlo };

// "closed form", "infinite by support", "quadrature", "summation", "Monte Carlo": prose.
std::string_view describe(kl_method m) noexcept;

// "closed_form", "infinite_by_support", "quadrature", "summation", "monte_carlo" (kldiv/names.hpp):
// the words of JSON and Python.
inline std::span<const named<kl_method>> names_of(kl_method) noexcept {
    static constexpr named<kl_method> table[] = {{kl_method::closed_form, "closed_form"},
                                                 {kl_method::infinite_by_support, "infinite_by_support"},
                                                 {kl_method::quadrature, "quadrature"},
                                                 {kl_method::summation, "summation"},
                                                 {kl_method::monte_carlo, "monte_carlo"}};
    return table;
}

// Which method to use: automatic takes the closed form where there is one, then quadrature or
// summation for univariate pairs, then Monte Carlo. Asking for a method the pair does not support
// throws kldiv::error (a support mismatch is +∞ whatever is asked).
enum class method_choice { automatic, closed_form, numerical, monte_carlo };

// "automatic", "closed_form", "numerical", "monte_carlo"; the aliases "auto" and "closed".
inline std::span<const named<method_choice>> names_of(method_choice) noexcept {
    static constexpr named<method_choice> table[] = {
        {method_choice::automatic, "automatic"}, {method_choice::closed_form, "closed_form"},
        {method_choice::numerical, "numerical"}, {method_choice::monte_carlo, "monte_carlo"},
        {method_choice::automatic, "auto"},      {method_choice::closed_form, "closed"}};
    return table;
}

// The most Monte Carlo samples one call may draw (2^40: hours of work; memory does not grow with it).
inline constexpr std::uint64_t max_monte_carlo_samples = std::uint64_t{1} << 40;

struct kl_options {
    log_base base{};  // unit of value and error
    method_choice method = method_choice::automatic;
    double tolerance = 1e-10;                // quadrature and summation target
    double mc_error = 1e-3;                  // Monte Carlo target standard error, in nats
    std::uint64_t max_samples = 1ull << 26;  // Monte Carlo stops here even if the target is not met
    std::uint64_t seed = 2026;               // Monte Carlo: equal seeds give equal results
    unsigned threads = 0;                    // Monte Carlo threads; 0 = all cores
    progress_callback progress{};            // Monte Carlo samples drawn (the pilot's, then all planned)
};

struct kl_result {
    double value = 0.0;  // D(P‖Q) in the unit of options.base; +∞ allowed
    kl_method method = kl_method::closed_form;
    double error = 0.0;         // estimated absolute error of value: the quadrature's error estimate or
                                // the Monte Carlo standard error; 0 for closed forms and +∞ by support
    std::uint64_t samples = 0;  // Monte Carlo sample count (0 otherwise)
    // Monte Carlo: whether the standard error met options.mc_error; false when max_samples
    // stopped the sampling first (error then says how far it got). True for the other methods.
    bool converged = true;
};

// Throws kldiv::error if the distributions have different dimensions, or the method asked for
// does not apply.
kl_result kl_divergence(const distribution& p, const distribution& q, const kl_options& options = {});

// The pairs with a closed form, as family names (P, Q); some apply only under a condition, e.g.
// binomial pairs with equal total_count (otherwise the pair is summed, or +∞ by support).
struct family_pair {
    std::string_view p, q;
};
std::vector<family_pair> closed_form_pairs();

}  // namespace kldiv::distributions
