#include "kldiv/drift/measures.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/core/generators.hpp"
#include "src/drift/report_measures.hpp"

namespace kldiv::drift {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

double& at(measure_values& v, measure m) noexcept { return v[static_cast<std::size_t>(m)]; }

double sum(std::span<const double> x) noexcept {
    double s = 0.0;
    for (const double v : x) s += v;
    return s;
}

// (q − p)·ln(q/p) ≥ 0 for proportions p, q >= 0 (+inf where exactly one is 0).
double psi_term(double p, double q) noexcept {
    if (p == q) return 0.0;
    if (p == 0.0 || q == 0.0) return inf;
    return (q - p) * std::log1p((q - p) / p);
}

// p·ln(p/q): the direct term of the epsilon rule (its proportions are not renormalized).
double kl_direct_term(double p, double q) noexcept {
    if (p == 0.0) return 0.0;
    if (q == 0.0) return inf;
    return p * std::log1p((p - q) / q);
}

// p·ln(p/q) − p + q = q·f(p/q − 1) ≥ 0, f the core's KL generator (series near 0).
double kl_term(double p, double q) noexcept {
    if (p == 0.0) return q;
    if (q == 0.0) return inf;
    return q * kldiv::detail::kl_generator((p - q) / q);
}

// ½ p ln(2p/(p+q)) + ½ q ln(2q/(p+q)) ≥ 0, as ½(m·φ(p/m − 1) + m·φ(q/m − 1)), m = (p + q)/2.
double js_term(double p, double q) noexcept {
    const double m = 0.5 * (p + q);
    if (m == 0.0) return 0.0;
    return 0.5 * (kl_term(p, m) + kl_term(q, m));
}

// The smoothed report-bin counts the zero rule gives PSI and the KLs (pseudocount, infinity); the
// epsilon rule's proportions are formed by the callers.
void smoothed(std::span<const double> r, std::span<const double> c, const measure_options& o, std::vector<double>& rs,
              std::vector<double>& cs) {
    rs.clear();
    cs.clear();
    for (std::size_t k = 0; k < r.size(); ++k) {
        if (o.on_empty == empty_bins::pseudocount) {
            if (r[k] == 0.0 && c[k] == 0.0) continue;
            rs.push_back(r[k] + o.pseudocount);
            cs.push_back(c[k] + o.pseudocount);
        } else {
            rs.push_back(r[k]);
            cs.push_back(c[k]);
        }
    }
}

double epsilon_proportion(double count, double total, double epsilon) noexcept {
    const double p = count / total;
    return p == 0.0 ? epsilon : p;
}

// The CDFs of both sides over the fine bins, piecewise linear (above): ∫|F_ref − F_cur| dx per fine
// bin, through `visit(bin, integral, reference's width, current's width)` (the spans the values were
// spread over).
template <class Visit>
void wasserstein_segments(const column_pair& pr, double rt, double ct, Visit&& visit) {
    const std::vector<double>& e = pr.bins->edges;
    const std::size_t bins = e.size() + 1;
    // A side's values in fine bin k lie within the bin and within the side's range: [a, b], where
    // its CDF is taken to rise linearly (flat where the side has no value in the bin).
    auto span = [&](double lo_edge, double hi_edge, double min, double max, double count) {
        const double a = std::max(lo_edge, min), b = std::min(hi_edge, max);
        if (count == 0.0 || !(a <= b)) {
            const double at = std::isfinite(lo_edge) ? lo_edge : hi_edge;
            return std::pair{at, at};
        }
        return std::pair{a, b};
    };
    // Right-continuous: a side whose values in the bin sit at one point a = b has all of them from a on.
    auto cdf = [](double below, double count, double total, double a, double b, double x) {
        if (x < a) return below / total;
        if (x >= b) return (below + count) / total;
        return (below + count * ((x - a) / (b - a))) / total;
    };
    double below_r = 0.0, below_c = 0.0;
    for (std::size_t k = 0; k < bins; ++k) {
        const double lo_edge = k == 0 ? -inf : e[k - 1], hi_edge = k + 1 == bins ? inf : e[k];
        const double nr = pr.reference[k], nc = pr.current[k];
        const auto [ar, br] = span(lo_edge, hi_edge, pr.reference_min, pr.reference_max, nr);
        const auto [ac, bc] = span(lo_edge, hi_edge, pr.current_min, pr.current_max, nc);
        // Knots: both sides' ends and the bin's finite edges (between them both CDFs are flat).
        double x[6] = {ar, br, ac, bc, 0.0, 0.0};
        int knots = 4;
        if (std::isfinite(lo_edge)) x[knots++] = lo_edge;
        if (std::isfinite(hi_edge)) x[knots++] = hi_edge;
        for (int i = 1; i < knots; ++i) {  // insertion sort (std::sort on 6 doubles draws a false GCC warning)
            for (int j = i; j > 0 && x[j] < x[j - 1]; --j) std::swap(x[j], x[j - 1]);
        }
        double integral = 0.0;
        for (int s = 0; s + 1 < knots; ++s) {
            const double w = x[s + 1] - x[s];
            if (!(w > 0.0)) continue;
            const double d0 = cdf(below_r, nr, rt, ar, br, x[s]) - cdf(below_c, nc, ct, ac, bc, x[s]);
            const double d1 = cdf(below_r, nr, rt, ar, br, x[s + 1]) - cdf(below_c, nc, ct, ac, bc, x[s + 1]);
            const double a0 = std::fabs(d0), a1 = std::fabs(d1);
            if ((d0 >= 0.0) == (d1 >= 0.0) || a0 + a1 == 0.0) {
                integral += 0.5 * (a0 + a1) * w;
            } else {
                integral += 0.5 * (a0 * a0 + a1 * a1) / (a0 + a1) * w;  // the segment crosses zero
            }
        }
        visit(k, integral, br - ar, bc - ac);
        below_r += nr;
        below_c += nc;
    }
}

double wasserstein(const column_pair& pr, double rt, double ct) {
    if (pr.infinite) return inf;
    double w = 0.0;
    wasserstein_segments(pr, rt, ct, [&](std::size_t, double integral, double, double) { w += integral; });
    if (w == 0.0) return 0.0;
    return pr.reference_sd > 0.0 ? w / pr.reference_sd : inf;
}

double ks(const column_pair& pr, double rt, double ct) {
    double a = 0.0, b = 0.0, d = 0.0;
    for (std::size_t k = 0; k + 1 < pr.reference.size(); ++k) {
        a += pr.reference[k];
        b += pr.current[k];
        d = std::max(d, std::fabs(a * ct - b * rt));  // exact while the products stay below 2^53
    }
    return d / (rt * ct);
}

bool numeric(const column_pair& pr) noexcept { return pr.bins->type == io::column_type::numeric; }

}  // namespace

bool numeric_only(measure m) noexcept { return m == measure::ks || m == measure::wasserstein; }

column_pair pair_of(const column_bins& bins, const column_counts& reference, const column_counts& current) {
    column_pair pr;
    pr.bins = &bins;
    pr.reference = reference.counts;
    pr.current = current.counts;
    pr.current_new = current.new_counts;
    pr.reference_min = reference.min;
    pr.reference_max = reference.max;
    pr.current_min = current.min;
    pr.current_max = current.max;
    pr.infinite = reference.infinite || current.infinite;
    pr.reference_sd = reference.standard_deviation() * bins.scale;
    return pr;
}

void detail::report_measures(std::span<const double> r, std::span<const double> c, const measure_options& o,
                             measure_values& v) {
    const double rt = sum(r), ct = sum(c);
    options normalized;
    normalized.normalize = true;
    options in_base = normalized;
    in_base.base = o.base;
    if (o.on_empty == empty_bins::epsilon) {
        double psi = 0.0, kl_rc = 0.0, kl_cr = 0.0;
        for (std::size_t k = 0; k < r.size(); ++k) {
            const double p = epsilon_proportion(r[k], rt, o.epsilon), q = epsilon_proportion(c[k], ct, o.epsilon);
            psi += psi_term(p, q);
            kl_rc += kl_direct_term(p, q);
            kl_cr += kl_direct_term(q, p);
        }
        at(v, measure::psi) = psi;
        at(v, measure::kl_reference_current) = o.base.from_nats(kl_rc);
        at(v, measure::kl_current_reference) = o.base.from_nats(kl_cr);
    } else {
        thread_local std::vector<double> rs, cs;
        smoothed(r, c, o, rs, cs);
        at(v, measure::psi) = jeffreys(rs, cs, normalized);
        at(v, measure::kl_reference_current) = kl_divergence(rs, cs, in_base);
        at(v, measure::kl_current_reference) = kl_divergence(cs, rs, in_base);
    }
    const double jsd = js_divergence(r, c, in_base);
    at(v, measure::js_divergence) = jsd;
    at(v, measure::js_distance) = std::sqrt(jsd);
    double h2 = 0.0, tv = 0.0, chi2 = 0.0;
    for (std::size_t k = 0; k < r.size(); ++k) {
        const double p = r[k] / rt, q = c[k] / ct;
        const double d = std::sqrt(p) - std::sqrt(q);
        h2 += 0.5 * d * d;
        tv += 0.5 * std::fabs(p - q);
        if (r[k] + c[k] > 0.0) {
            const double e = r[k] * ct - c[k] * rt;
            chi2 += e * e / ((r[k] + c[k]) * rt * ct);
        }
    }
    at(v, measure::hellinger) = std::sqrt(std::min(h2, 1.0));
    at(v, measure::total_variation) = std::min(tv, 1.0);
    at(v, measure::chi2) = chi2;
}

void detail::fine_measures(const column_pair& pr, measure_values& v) {
    if (!numeric(pr)) return;
    const double rt = sum(pr.reference), ct = sum(pr.current);
    at(v, measure::ks) = ks(pr, rt, ct);
    at(v, measure::wasserstein) = wasserstein(pr, rt, ct);
}

measure_values measures(const column_pair& pr, const measure_options& o) {
    validate(o);
    measure_values v;
    v.fill(nan);
    if (sum(pr.reference) == 0.0 || sum(pr.current) == 0.0) return v;
    detail::report_measures(report_counts(*pr.bins, pr.reference), report_counts(*pr.bins, pr.current), o, v);
    detail::fine_measures(pr, v);
    return v;
}

void validate(const measure_options& o) {
    if (!(o.pseudocount > 0.0) || !std::isfinite(o.pseudocount)) {
        throw error("drift",
                    "pseudocount = " + kldiv::detail::to_text(o.pseudocount) + ", but it must be finite and > 0");
    }
    if (!(o.epsilon > 0.0 && o.epsilon < 1.0)) {
        throw error("drift", "epsilon = " + kldiv::detail::to_text(o.epsilon) + ", but it must be in (0, 1)");
    }
}

binning_bounds bounds(const column_pair& pr) {
    binning_bounds b{nan, nan};
    const double rt = sum(pr.reference), ct = sum(pr.current);
    if (!numeric(pr) || rt == 0.0 || ct == 0.0) return b;
    // Within a bin both empirical CDFs rise monotonically from (F_a, G_a) to (F_b, G_b), so their
    // difference stays within max(F_b − G_a, G_b − F_a): the raw statistic's largest possible value.
    double below_r = 0.0, below_c = 0.0, most = 0.0, w = 0.0;
    for (std::size_t k = 0; k < pr.reference.size(); ++k) {
        const double above_r = below_r + pr.reference[k], above_c = below_c + pr.current[k];
        most = std::max({most, (above_r * ct - below_c * rt) / (rt * ct), (above_c * rt - below_r * ct) / (rt * ct)});
        below_r = above_r;
        below_c = above_c;
    }
    b.ks = std::max(0.0, most - ks(pr, rt, ct));
    wasserstein_segments(pr, rt, ct, [&](std::size_t k, double, double width_r, double width_c) {
        w += width_r * pr.reference[k] / rt + width_c * pr.current[k] / ct;
    });
    b.wasserstein = pr.infinite ? inf : (w == 0.0 ? 0.0 : (pr.reference_sd > 0.0 ? w / pr.reference_sd : inf));
    return b;
}

std::vector<double> contributions(const column_pair& pr, measure m, const measure_options& o) {
    validate(o);
    const std::size_t bins = pr.bins->report_bins();
    std::vector<double> out(bins, nan);
    const double rt = sum(pr.reference), ct = sum(pr.current);
    if (rt == 0.0 || ct == 0.0) return out;
    if (m == measure::wasserstein) {
        if (!numeric(pr)) return out;
        std::vector<double> fine(pr.reference.size(), 0.0);
        wasserstein_segments(pr, rt, ct, [&](std::size_t k, double integral, double, double) { fine[k] = integral; });
        const double scale = pr.reference_sd > 0.0 ? pr.reference_sd : 1.0;
        for (double& f : fine) f /= scale;
        return report_counts(*pr.bins, fine);
    }
    const std::vector<double> r = report_counts(*pr.bins, pr.reference), c = report_counts(*pr.bins, pr.current);
    // The proportions PSI and the KLs are measured on (after the zero rule), with their totals.
    double rs_total = rt, cs_total = ct, add = 0.0;
    if (o.on_empty == empty_bins::pseudocount) {
        add = o.pseudocount;
        std::size_t kept = 0;
        for (std::size_t k = 0; k < bins; ++k) kept += r[k] + c[k] > 0.0;
        rs_total += add * static_cast<double>(kept);
        cs_total += add * static_cast<double>(kept);
    }
    const double ln_base = std::log(o.base.value());
    for (std::size_t k = 0; k < bins; ++k) {
        const double p = r[k] / rt, q = c[k] / ct;
        double ps = (r[k] + add) / rs_total, qs = (c[k] + add) / cs_total;
        if (r[k] + c[k] == 0.0) ps = qs = 0.0;
        if (o.on_empty == empty_bins::epsilon) {
            ps = epsilon_proportion(r[k], rt, o.epsilon);
            qs = epsilon_proportion(c[k], ct, o.epsilon);
        }
        const bool direct = o.on_empty == empty_bins::epsilon;
        switch (m) {
            case measure::psi:
                out[k] = psi_term(ps, qs);
                break;
            case measure::kl_reference_current:
                out[k] = (direct ? kl_direct_term(ps, qs) : kl_term(ps, qs)) / ln_base;
                break;
            case measure::kl_current_reference:
                out[k] = (direct ? kl_direct_term(qs, ps) : kl_term(qs, ps)) / ln_base;
                break;
            case measure::js_divergence:
            case measure::js_distance:
                out[k] = js_term(p, q) / ln_base;
                break;
            case measure::hellinger: {
                const double d = std::sqrt(p) - std::sqrt(q);
                out[k] = 0.5 * d * d;
                break;
            }
            case measure::total_variation:
            case measure::ks:
                out[k] = 0.5 * std::fabs(p - q);
                break;
            case measure::chi2: {
                const double e = r[k] * ct - c[k] * rt;
                out[k] = r[k] + c[k] > 0.0 ? e * e / ((r[k] + c[k]) * rt * ct) : 0.0;
                break;
            }
            case measure::wasserstein:
                break;
        }
    }
    return out;
}

}  // namespace kldiv::drift
