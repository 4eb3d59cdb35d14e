// The rules of tails.hpp: each continuous family's behaviour at the two ends of its support, and
// the places where Q's −ln q may grow without bound.

#include "src/distributions/tails.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "src/distributions/line_components.hpp"
#include "src/distributions/support.hpp"

namespace kldiv::distributions::detail {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// How P's mass thins out near a place (tails.hpp).
struct decay {
    enum kind_t { power, log_squared, exponential_power, double_exponential } kind;
    double index = 0.0;  // α for power, β for exponential_power
    double rate = 0.0;   // c for exponential_power
};

// How −ln q grows near a place; ordered from slowest to fastest.
struct growth {
    enum kind_t { slow, power, exponential } kind;
    double index = 0.0;  // b for power, r for exponential

    bool operator<(const growth& o) const { return std::tie(kind, index) < std::tie(o.kind, o.index); }
};

struct end_behaviour {
    decay p;
    growth q;
};

// Both ends of a support.
struct ends {
    end_behaviour lower, upper;
};

constexpr end_behaviour bounded{{decay::power, 1.0}, {growth::slow}};  // a positive, finite density

end_behaviour exponential_tail(double beta, double c) {
    return {{decay::exponential_power, beta, c}, {growth::power, beta}};
}
end_behaviour power_tail(double alpha) { return {{decay::power, alpha}, {growth::slow}}; }
end_behaviour gamma_upper(double rate) { return exponential_tail(1.0, rate); }

struct ends_of {
    ends operator()(const normal& d) const {
        const auto t = exponential_tail(2.0, 0.5 / (d.scale * d.scale));
        return {t, t};
    }
    ends operator()(const half_normal& d) const { return {bounded, exponential_tail(2.0, 0.5 / (d.scale * d.scale))}; }
    ends operator()(const log_normal&) const {
        const end_behaviour t{{decay::log_squared}, {growth::slow}};
        return {t, t};
    }
    ends operator()(const laplace& d) const {
        return {exponential_tail(1.0, 1.0 / d.scale), exponential_tail(1.0, 1.0 / d.scale)};
    }
    ends operator()(const cauchy&) const { return {power_tail(1.0), power_tail(1.0)}; }
    ends operator()(const half_cauchy&) const { return {bounded, power_tail(1.0)}; }
    ends operator()(const gumbel& d) const {
        return {{{decay::double_exponential}, {growth::exponential, 1.0 / d.scale}},
                exponential_tail(1.0, 1.0 / d.scale)};
    }
    ends operator()(const logistic& d) const {
        return {exponential_tail(1.0, 1.0 / d.scale), exponential_tail(1.0, 1.0 / d.scale)};
    }
    ends operator()(const exponential& d) const { return {bounded, gamma_upper(d.rate)}; }
    ends operator()(const gamma& d) const { return {power_tail(d.concentration), gamma_upper(d.rate)}; }
    ends operator()(const chi2& d) const { return {power_tail(0.5 * d.df), gamma_upper(0.5)}; }
    ends operator()(const inverse_gamma& d) const {
        return {exponential_tail(1.0, d.rate), power_tail(d.concentration)};
    }
    ends operator()(const beta& d) const { return {power_tail(d.concentration1), power_tail(d.concentration0)}; }
    ends operator()(const continuous_bernoulli&) const { return {bounded, bounded}; }
    ends operator()(const uniform&) const { return {bounded, bounded}; }
    ends operator()(const pareto& d) const { return {bounded, power_tail(d.alpha)}; }
    ends operator()(const weibull& d) const {
        return {power_tail(d.concentration), exponential_tail(d.concentration, std::pow(d.scale, -d.concentration))};
    }
    ends operator()(const student_t& d) const { return {power_tail(d.df), power_tail(d.df)}; }
    template <class T>
    ends operator()(const T&) const {  // discrete families and von Mises: tails never decide
        return {bounded, bounded};
    }
};

bool diverges(const decay& p, const growth& q) {
    switch (q.kind) {
        case growth::slow:
            return false;
        case growth::power:
            return p.kind == decay::power && p.index <= q.index;
        case growth::exponential:
            return p.kind == decay::power || p.kind == decay::log_squared ||
                   (p.kind == decay::exponential_power && (p.index < 1.0 || (p.index == 1.0 && p.rate <= q.index)));
    }
    return false;
}

struct located {
    support range;
    ends behaviour;
};

std::vector<located> locate(const std::vector<weighted_component>& components) {
    std::vector<located> out;
    for (const auto& c : components) out.push_back({support_of(c.component), std::visit(ends_of{}, c.component)});
    return out;
}

// The behaviour of a component next to point e, on the side above it (above) or below it; nullopt
// where the component has no mass on that side of e.
std::optional<end_behaviour> next_to(const located& c, double e, bool above) {
    const double low = c.range.low, high = c.range.high;
    if (above ? !(low <= e && e < high) : !(low < e && e <= high)) return std::nullopt;
    if (above && low == e) return c.behaviour.lower;
    if (!above && high == e) return c.behaviour.upper;
    return bounded;
}

// True where E_P[−ln q] = ∞ next to e on one side (e = ±∞ for the infinite ends).
bool diverges_next_to(const std::vector<located>& p, const std::vector<located>& q, double e, bool above) {
    std::optional<growth> slowest;
    for (const auto& c : q)
        if (const auto b = next_to(c, e, above)) slowest = slowest ? std::min(*slowest, b->q) : b->q;
    if (!slowest || slowest->kind == growth::slow) return false;
    return std::any_of(p.begin(), p.end(), [&](const located& c) {
        const auto b = next_to(c, e, above);
        return b && diverges(b->p, *slowest);
    });
}

// True where some piece of P's support is not inside one connected piece of Q's.
bool has_gap(const std::vector<weighted_component>& p, const std::vector<weighted_component>& q) {
    const auto merged = support_union(q);
    return std::any_of(p.begin(), p.end(), [&](const weighted_component& c) {
        const auto own = support_pieces(c.component);
        return std::any_of(own.begin(), own.end(), [&](const auto& piece) {
            return std::none_of(merged.begin(), merged.end(),
                                [&](const auto& m) { return m.first <= piece.first && piece.second <= m.second; });
        });
    });
}

}  // namespace

bool power_tail_at(const distribution& p, bool upper) {
    const auto pc = line_components(p);
    const auto located = locate(pc);
    return std::any_of(located.begin(), located.end(), [&](const auto& c) {
        const auto b = next_to(c, upper ? infinity : -infinity, !upper);
        return b && b->p.kind == decay::power;
    });
}

infinite_cause infinite_cause_of(const distribution& p, const distribution& q) {
    const auto pc = line_components(p), qc = line_components(q);
    if (pc.empty() || qc.empty()) return infinite_cause::none;
    const space kind = support_of(pc.front().component).kind;
    if (kind == space::circle) return infinite_cause::none;
    if (has_gap(pc, qc)) return infinite_cause::support_gap;
    if (kind == space::integers) return infinite_cause::none;
    const auto lp = locate(pc), lq = locate(qc);
    if (diverges_next_to(lp, lq, -infinity, true) || diverges_next_to(lp, lq, infinity, false))
        return infinite_cause::tails;
    for (const auto& c : lq)
        for (const double e : {c.range.low, c.range.high})
            if (std::isfinite(e) && (diverges_next_to(lp, lq, e, true) || diverges_next_to(lp, lq, e, false)))
                return infinite_cause::tails;
    return infinite_cause::none;
}

}  // namespace kldiv::distributions::detail
