// explain: the measures of a pair and its events' contributions, ranked (kldiv/explanation.hpp).
#include "kldiv/explanation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "src/core/comparison_measures.hpp"
#include "src/core/terms.hpp"
#include "src/core/validate.hpp"

namespace kldiv {

double explanation::share_pq(std::size_t i) const noexcept {
    const double d = totals.kl_pq;
    if (!(d > 0) || std::isinf(d)) return std::numeric_limits<double>::quiet_NaN();
    return contribution_pq[i] / d;
}

explanation explain(std::span<const double> p, std::span<const double> q, const options& opts) {
    detail::check_beta("explain", opts.beta);
    // One validation of both inputs, both directions (as compare()), then every per-event value
    // from the values and sums it gives (smoothed when the options say so).
    return detail::with_pair(
        "explain", p, q, opts, detail::support_rule::both,
        [&](auto pv, detail::double_double sp, auto qv, detail::double_double sq) {
            explanation e;
            e.totals = detail::comparison_measures(pv, sp, qv, sq, opts);
            const std::size_t n = pv.size();
            const detail::pair_scale pq(sp, sq), qp(sq, sp);
            e.p.resize(n);
            e.q.resize(n);
            e.contribution_pq.resize(n);
            e.contribution_qp.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                e.p[i] = pv[i] / sp.hi;
                e.q[i] = qv[i] / sq.hi;
                e.contribution_pq[i] = opts.base.from_nats(detail::kl_contribution(pv[i], qv[i], pq));
                e.contribution_qp[i] = opts.base.from_nats(detail::kl_contribution(qv[i], pv[i], qp));
            }
            e.ranked.resize(n);
            std::iota(e.ranked.begin(), e.ranked.end(), std::size_t{0});
            std::stable_sort(e.ranked.begin(), e.ranked.end(),
                             [&](std::size_t a, std::size_t b) { return e.contribution_pq[a] > e.contribution_pq[b]; });
            return e;
        });
}

}  // namespace kldiv
