// explain: the measures of a pair and its events' contributions, ranked (kldiv/explanation.hpp).
#include "kldiv/explanation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kldiv/contributions.hpp"
#include "kldiv/error.hpp"
#include "kldiv/normalized.hpp"

namespace kldiv {

double explanation::share_pq(std::size_t i) const noexcept {
    const double d = totals.kl_pq;
    if (!(d > 0) || std::isinf(d)) return std::numeric_limits<double>::quiet_NaN();
    return contribution_pq[i] / d;
}

explanation explain(std::span<const double> p, std::span<const double> q, const options& opts) {
    explanation e;
    try {
        e.totals = compare(p, q, opts);  // validates both inputs, both directions
    } catch (const error& x) {
        throw error("explain", x.message());
    }
    e.contribution_pq.resize(p.size());
    e.contribution_qp.resize(p.size());
    kl_contributions(p, q, e.contribution_pq, opts);
    kl_contributions(q, p, e.contribution_qp, opts);
    e.p = normalized(p, opts);
    e.q = normalized(q, opts);
    e.ranked.resize(p.size());
    std::iota(e.ranked.begin(), e.ranked.end(), std::size_t{0});
    std::stable_sort(e.ranked.begin(), e.ranked.end(),
                     [&](std::size_t a, std::size_t b) { return e.contribution_pq[a] > e.contribution_pq[b]; });
    return e;
}

}  // namespace kldiv
