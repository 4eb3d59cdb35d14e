#include "src/distributions/support.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "kldiv/error.hpp"

namespace kldiv::distributions::detail {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

support integers(double low, double high) { return {space::integers, low, high}; }
support reals(double low, double high) { return {space::reals, low, high}; }

// The smallest and largest k with probs[k] > 0.
support occupied(const std::vector<double>& probs) {
    const auto first = std::find_if(probs.begin(), probs.end(), [](double v) { return v > 0.0; });
    const auto last = std::find_if(probs.rbegin(), probs.rend(), [](double v) { return v > 0.0; });
    return integers(static_cast<double>(first - probs.begin()), static_cast<double>(probs.rend() - last - 1));
}

struct support_visitor {
    support operator()(const bernoulli& d) const { return integers(d.probs == 1.0 ? 1 : 0, d.probs == 0.0 ? 0 : 1); }
    support operator()(const binomial& d) const {
        const auto n = static_cast<double>(d.total_count);
        return integers(d.probs == 1.0 ? n : 0.0, d.probs == 0.0 ? 0.0 : n);
    }
    support operator()(const categorical& d) const { return occupied(d.probs); }
    support operator()(const geometric& d) const { return integers(0, d.probs == 1.0 ? 0 : infinity); }
    support operator()(const poisson&) const { return integers(0, infinity); }
    support operator()(const negative_binomial& d) const { return integers(0, d.probs == 0.0 ? 0 : infinity); }
    support operator()(const normal&) const { return reals(-infinity, infinity); }
    support operator()(const half_normal&) const { return reals(0, infinity); }
    support operator()(const half_cauchy&) const { return reals(0, infinity); }
    support operator()(const log_normal&) const { return reals(0, infinity); }
    support operator()(const laplace&) const { return reals(-infinity, infinity); }
    support operator()(const cauchy&) const { return reals(-infinity, infinity); }
    support operator()(const gumbel&) const { return reals(-infinity, infinity); }
    support operator()(const logistic&) const { return reals(-infinity, infinity); }
    support operator()(const exponential&) const { return reals(0, infinity); }
    support operator()(const gamma&) const { return reals(0, infinity); }
    support operator()(const inverse_gamma&) const { return reals(0, infinity); }
    support operator()(const chi2&) const { return reals(0, infinity); }
    support operator()(const beta&) const { return reals(0, 1); }
    support operator()(const continuous_bernoulli&) const { return reals(0, 1); }
    support operator()(const uniform& d) const { return reals(d.low, d.high); }
    support operator()(const pareto& d) const { return reals(d.scale, infinity); }
    support operator()(const weibull&) const { return reals(0, infinity); }
    support operator()(const student_t&) const { return reals(-infinity, infinity); }
    support operator()(const von_mises&) const { return {space::circle}; }
    support operator()(const multinomial& d) const {
        return {space::count_vectors, 0, 0, d.probs.size(), d.total_count};
    }
    support operator()(const dirichlet& d) const { return {space::simplex, 0, 0, d.concentration.size()}; }
    support operator()(const multivariate_normal& d) const { return {space::real_vectors, 0, 0, d.dimension()}; }
    support operator()(const lowrank_multivariate_normal& d) const {
        return {space::real_vectors, 0, 0, d.dimension()};
    }
    support operator()(const diagonal_normal& d) const { return {space::real_vectors, 0, 0, d.dimension()}; }
    support operator()(const logistic_normal& d) const { return {space::simplex, 0, 0, d.components()}; }
    // A product: its dimension is the number of components (kl.cpp pairs products component by component).
    support operator()(const independent& d) const { return {space::product, 0, 0, d.components.size()}; }
    support operator()(const wishart& d) const { return {space::positive_definite_matrices, 0, 0, d.dimension()}; }
    // The hull of the components of weight > 0 (all components share one kind of space).
    support operator()(const mixture& d) const {
        std::optional<support> hull;
        for (std::size_t k = 0; k < d.components.size(); ++k) {
            const support s = support_of(d.components[k]);
            if (s.kind != support_of(d.components.front()).kind)
                throw error("mixture", "components mix " + std::string(family_name(d.components.front())) + " and " +
                                           std::string(family_name(d.components[k])) +
                                           ", but they must all be discrete, all continuous, or all on the circle");
            if (d.weights[k] == 0.0) continue;
            if (!hull) hull = s;
            hull->low = std::min(hull->low, s.low);
            hull->high = std::max(hull->high, s.high);
        }
        return *hull;  // the weights are not all 0
    }
    support operator()(const gaussian_mixture& d) const { return {space::real_vectors, 0, 0, d.dimension()}; }
};

// Whether P puts mass on a category that Q gives probability 0 (a missing category has 0).
bool category_outside(const std::vector<double>& p, const std::vector<double>& q) {
    for (std::size_t k = 0; k < p.size(); ++k)
        if (p[k] > 0.0 && (k >= q.size() || q[k] == 0.0)) return true;
    return false;
}

// The per-category probabilities of a categorical or multinomial, null for other families.
const std::vector<double>* category_probs(const distribution& d) {
    if (const auto* c = std::get_if<categorical>(&d)) return &c->probs;
    if (const auto* m = std::get_if<multinomial>(&d)) return m->total_count == 0 ? nullptr : &m->probs;
    return nullptr;
}

std::string describe(const support& s) {
    switch (s.kind) {
        case space::integers:
            return "integers";
        case space::reals:
            return "real numbers";
        case space::circle:
            return "the circle";
        case space::count_vectors:
            return "count vectors of " + std::to_string(s.dimension) + " categories";
        case space::simplex:
            return "the simplex of " + std::to_string(s.dimension) + " components";
        case space::real_vectors:
            return "vectors of dimension " + std::to_string(s.dimension);
        case space::positive_definite_matrices:
            return "positive-definite matrices of size " + std::to_string(s.dimension);
        case space::product:
            return "a product of " + std::to_string(s.dimension) + " independent components";
    }
    return {};
}

}  // namespace

support support_of(const distribution& d) { return std::visit(support_visitor{}, d); }
support support_of(const univariate& d) { return std::visit(support_visitor{}, d); }

bool nested(const support& p, const support& q, const distribution& dp, const distribution& dq) {
    const bool on_the_line =
        (p.kind == space::integers || p.kind == space::reals) && (q.kind == space::integers || q.kind == space::reals);
    if (on_the_line) {
        if (p.kind != q.kind) return false;  // atoms against a density, or a density against atoms
        if (!(q.low <= p.low && p.high <= q.high)) return false;
    } else {
        if (p.kind != q.kind || p.dimension != q.dimension)
            throw error("kl_divergence", "P is " + std::string(family_name(dp)) + " on " + describe(p) + " and Q is " +
                                             std::string(family_name(dq)) + " on " + describe(q) +
                                             ", but both must be on the same space");
        if (p.kind == space::count_vectors && p.total != q.total) return false;
    }
    const auto *pk = category_probs(dp), *qk = category_probs(dq);  // zeros inside the hulls
    return !(pk && qk && category_outside(*pk, *qk));
}

}  // namespace kldiv::distributions::detail
