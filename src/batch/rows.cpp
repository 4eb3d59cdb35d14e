// The batched measures: validation at the boundary, rows spread over threads, the block kernels for
// the KL family, an exact scalar path (the core's sums over the row as given, or over the events of
// log-space rows) for Jensen–Shannon, the other divergences and smoothing, a log-space path for rows
// whose fast path overflowed, then reductions in row order.

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "kldiv/batch.hpp"
#include "kldiv/error.hpp"
#include "src/batch/block_kernels.hpp"
#include "src/batch/blocks.hpp"
#include "src/batch/log_space_events.hpp"
#include "src/batch/prob_pair_events.hpp"
#include "src/batch/reduce.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/core/kernels.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

using detail::block_count;
using detail::infinity;

// What the rows' passes compute: the KL family's values (from the block kernels), JS and `family` (a
// measure of divergences.hpp outside the KL family: the exact path).
struct wanted {
    bool kl, reverse, js, entropy_p, entropy_q, cross, log_z_p, log_z_q, family = false;

    bool any() const noexcept {
        return kl || reverse || js || entropy_p || entropy_q || cross || log_z_p || log_z_q || family;
    }
};

// The KL-family value that answers a divergence output, if one does: α = 1 makes Rényi, Tsallis and
// skew KL.
enum class family_source { kl, reverse, jeffreys, js, own };

family_source source_of(measure m, const options& o) {
    switch (m) {
        case measure::kl_divergence:
            return family_source::kl;
        case measure::reverse_kl:
            return family_source::reverse;
        case measure::jeffreys:
            return family_source::jeffreys;
        case measure::js_divergence:
        case measure::js_distance:
            return family_source::js;
        case measure::renyi_divergence:
        case measure::tsallis_divergence:
        case measure::skew_divergence:
            return o.alpha == 1.0 ? family_source::kl : family_source::own;
        default:
            return family_source::own;
    }
}

wanted wanted_of(const row_outputs& o, const options& measure_options) {
    wanted w{!o.kl.empty(),
             !o.reverse_kl.empty(),
             !o.js.empty(),
             !o.entropy_p.empty(),
             !o.entropy_q.empty(),
             !o.cross_entropy.empty(),
             !o.log_normalizer_p.empty(),
             !o.log_normalizer_q.empty()};
    if (o.divergence.empty()) return w;
    switch (source_of(o.divergence_measure, measure_options)) {
        case family_source::kl:
            w.kl = true;
            break;
        case family_source::reverse:
            w.reverse = true;
            break;
        case family_source::jeffreys:
            w.kl = w.reverse = true;
            break;
        case family_source::js:
            w.js = true;
            break;
        case family_source::own:
            w.family = true;
            break;
    }
    return w;
}

enum class problem : unsigned char { none, bad_value, no_mass, tiny_sum, sum, outside };

// One row's measures in nats, or what is wrong with it (`in_q`: the problem is Q's).
struct row_values {
    double kl = 0.0, reverse = 0.0, js = 0.0, entropy_p = 0.0, entropy_q = 0.0, log_z_p = 0.0, log_z_q = 0.0;
    double family = 0.0;  // the divergence output's own measure (nats for the logarithmic ones)
    problem issue = problem::none;
    bool in_q = false;
};

bool log_space(const batch_options& o) { return o.input != input_kind::probs; }

// Scratch of one worker: block summaries, and two materialized rows when the exact path is used.
struct scratch {
    std::vector<detail::log_block> p_blocks, q_blocks;
    std::vector<detail::prob_block> blocks;
    std::vector<double> masses;
    std::unique_ptr<double[]> p_row, q_row;

    scratch(std::size_t cols, std::size_t nb, bool rows)
        : p_blocks(nb), q_blocks(nb), blocks(nb), masses(2 * nb), p_row(rows ? new double[cols] : nullptr),
          q_row(rows ? new double[cols] : nullptr) {}
};

// The rows the exact path measures: p̂ (normalized), plus ε under smoothing.
template <class T>
void materialize(const T* v, std::size_t n, const batch_options& o, double* out) {
    if (log_space(o)) {
        const detail::log_scale s = detail::log_normalizer(v, n, 1.0 / o.temperature);
        for (std::size_t i = 0; i < n; ++i) out[i] = std::exp(s.log_p(static_cast<double>(v[i])));
    } else {
        const double inverse = 1.0 / detail::exact_sum(std::span<const T>(v, n)).value();
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(v[i]) * inverse;
    }
    if (o.measure.on_zero == zero_support::smooth) {
        for (std::size_t i = 0; i < n; ++i) out[i] += o.measure.epsilon;
    }
}

// The exact path's measures of one pair of events (src/core/divergence_terms.hpp): JS and the
// divergence output's own measure (the KL family never reaches divergence_nats here).
template <class Source>
void measure_events(const Source& events, const wanted& w, measure family, const options& o, row_values& r) {
    if (w.js)
        r.js = detail::sum_events(
            events, [&](const detail::event& e) { return detail::js_term_of(e.ph, e.qh, e.delta, o.beta); });
    if (w.family) r.family = detail::divergence_nats(events, family, o, [](measure) { return NAN; });
}

// Probability rows as given are measured in place (the core's terms take p/Σp with the exact sum, so
// nearly equal rows keep their digits), log-space rows through their events (log_space_events.hpp);
// smoothed rows are materialized first.
template <class T>
void exact_row(const T* p, const T* q, std::size_t n, const wanted& w, measure family, const batch_options& o,
               scratch& s, row_values& r) {
    const auto measure = [&](auto pv, auto qv) {
        const detail::double_double sp = detail::exact_sum(pv), sq = detail::exact_sum(qv);
        if (w.kl || w.cross) r.kl = detail::kl_nats(pv, sp, qv, sq);
        if (w.reverse) r.reverse = detail::kl_nats(qv, sq, pv, sp);
        if (w.entropy_p || w.cross) r.entropy_p = detail::entropy_nats(pv, sp);
        if (w.entropy_q) r.entropy_q = detail::entropy_nats(qv, sq);
        measure_events(detail::prob_pair(pv, sp, qv, sq), w, family, o.measure, r);
    };
    if (o.measure.on_zero != zero_support::smooth) {
        if (!log_space(o)) {
            measure(std::span<const T>(p, n), std::span<const T>(q, n));
        } else if (w.js || w.family) {  // the fast path gives every other measure of log-space rows
            measure_events(detail::log_space_events<T>(p, q, n, 1.0 / o.temperature), w, family, o.measure, r);
        }
        return;
    }
    materialize(p, n, o, s.p_row.get());
    materialize(q, n, o, s.q_row.get());
    measure(std::span<const double>(s.p_row.get(), n), std::span<const double>(s.q_row.get(), n));
}

// The measures the fast path gives: everything but JS, unless smoothing changes the rows.
wanted fast_part(const wanted& w, const batch_options& o) {
    if (o.measure.on_zero == zero_support::smooth) return {};
    return {w.kl, w.reverse, false, w.entropy_p, w.entropy_q, w.cross, w.log_z_p, w.log_z_q, false};
}

bool sum_ok(double sum, const batch_options& o) {
    return o.measure.normalize ? sum > 0.0 : std::fabs(sum - 1.0) <= o.measure.sum_tolerance;
}

// D(P‖Q) for rows whose one-pass form overflowed (P and Q so far apart that a probability ratio
// leaves the double range): Σ p (ln p − ln q) in log space, two passes. The divergence is then
// hundreds of nats, so the signed sum cannot cancel.
template <class T>
double log_space_kl(const T* a, const T* b, std::size_t n, double inv_t) noexcept {
    const detail::log_scale la = detail::log_normalizer(a, n, inv_t), lb = detail::log_normalizer(b, n, inv_t);
    detail::compensated_sum kl;
    for (std::size_t j = 0; j < n; ++j) {
        const double lp = la.log_p(static_cast<double>(a[j]));
        if (lp == -INFINITY) continue;
        const double lq = lb.log_p(static_cast<double>(b[j]));
        if (lq == -INFINITY) return infinity;
        kl.add(std::exp(lp) * (lp - lq));
    }
    return std::max(0.0, kl.value());
}

template <class T>
class row_engine {
public:
    row_engine(matrix_view<const T> p, matrix_view<const T> q, const row_outputs& out, const batch_options& o)
        : p_(p), q_(q), o_(o), want_(wanted_of(out, o.measure)), fast_(fast_part(want_, o)),
          family_(out.divergence_measure), family_rule_(detail::divergence_support(family_, o.measure.alpha)),
          nb_(block_count(p.cols)) {
        const bool p_kl = fast_.kl || fast_.cross, q_kl = fast_.reverse;
        // Q is validated through its weights unless it is P itself or D(P‖Q) already checks it;
        // log_probs rows must sum to 1, so their weights are needed even when no measure asks.
        const bool alias = p.data == q.data && p.row_stride == q.row_stride;
        const bool sums = o.input == input_kind::log_probs && !o.measure.normalize;
        p_side_ = p_kl ? detail::side::divergence : detail::side::weights;
        q_side_ = q_kl                                                                ? detail::side::divergence
                  : (fast_.entropy_q || want_.log_z_q || (!alias && (sums || !p_kl))) ? detail::side::weights
                                                                                      : detail::side::none;
        request_ = {p_kl, q_kl, fast_.entropy_p || fast_.entropy_q || fast_.cross};
    }

    std::size_t blocks_per_row() const { return nb_; }

    // Summaries of blocks [first, last) of row i into s (at offset first).
    void summarize(std::size_t i, std::size_t first, std::size_t last, scratch& s, bool& bad) const noexcept {
        const T* a = p_.row(i);
        const T* b = q_.row(i);
        if (log_space(o_)) {
            const detail::log_segment seg{p_.cols, first,           last, 1.0 / o_.temperature, p_side_,
                                          q_side_, request_.entropy};
            detail::log_blocks(a, b, seg, s.p_blocks.data() + first, s.q_blocks.data() + first, bad);
        } else {
            const detail::prob_segment seg{p_.cols, first, last, request_};
            detail::prob_blocks(a, b, seg, s.blocks.data() + first, bad);
        }
    }

    // Row i from its summaries in s.
    row_values finish(std::size_t i, bool bad, scratch& s) const noexcept {
        row_values r;
        if (bad) {
            r.issue = problem::bad_value;
            return r;
        }
        if (log_space(o_)) {
            finish_log(i, s, r);
        } else {
            finish_prob(s, r);
        }
        if (r.issue != problem::none) return r;
        if (o_.measure.on_zero == zero_support::error) {
            if ((want_.kl || want_.cross) && r.kl == infinity) return outside(r, false);
            if (want_.reverse && r.reverse == infinity) return outside(r, true);
        }
        wanted exact{};
        if (o_.measure.on_zero == zero_support::smooth) {
            exact = want_;
            exact.log_z_p = exact.log_z_q = false;  // from the summaries: the rows as given
        } else {
            exact.js = want_.js;
            exact.family = want_.family;
        }
        if (exact.any()) {
            exact_row(p_.row(i), q_.row(i), p_.cols, exact, family_, o_, s, r);
        }
        if (want_.family && r.family == infinity && o_.measure.on_zero == zero_support::error) {
            using detail::support_rule;
            if (family_rule_ == support_rule::p_within_q) return outside(r, false);
            if (family_rule_ == support_rule::q_within_p) return outside(r, true);
        }
        return r;
    }

private:
    static row_values outside(row_values r, bool in_q) {
        r.issue = problem::outside;
        r.in_q = in_q;
        return r;
    }

    void finish_log(std::size_t i, scratch& s, row_values& r) const noexcept {
        const std::span<const detail::log_block> pb(s.p_blocks.data(), nb_), qb(s.q_blocks.data(), nb_);
        const auto side_of = [&](std::span<const detail::log_block> blocks, detail::side side, bool in_q, double& kl,
                                 double& entropy, double& log_z) {
            if (side == detail::side::none || r.issue != problem::none) return;
            const detail::log_row row = detail::fold_log_blocks(blocks, side == detail::side::divergence);
            if (row.log_normalizer == -INFINITY) {
                r.issue = problem::no_mass;
                r.in_q = in_q;
                return;
            }
            if (o_.input == input_kind::log_probs && o_.temperature == 1.0 &&
                !sum_ok(std::exp(row.log_normalizer), o_)) {
                r.issue = problem::sum;
                r.in_q = in_q;
                return;
            }
            kl = row.kl;
            entropy = row.entropy;
            log_z = row.log_normalizer;
            if (side == detail::side::divergence && !row.finite) {
                // A probability ratio beyond the range of the one-pass form (about e^700).
                const T* a = in_q ? q_.row(i) : p_.row(i);
                const T* b = in_q ? p_.row(i) : q_.row(i);
                kl = log_space_kl(a, b, p_.cols, 1.0 / o_.temperature);
            }
        };
        side_of(pb, p_side_, false, r.kl, r.entropy_p, r.log_z_p);
        side_of(qb, q_side_, true, r.reverse, r.entropy_q, r.log_z_q);
        if (r.issue == problem::none && r.kl == infinity && q_side_ == detail::side::none) {
            // Every event of P outside Q may mean Q has no mass at all.
            const T* b = q_.row(i);
            if (std::none_of(b, b + q_.cols, [](T v) { return static_cast<double>(v) > -INFINITY; })) {
                r.issue = problem::no_mass;
                r.in_q = true;
            }
        }
    }

    void finish_prob(scratch& s, row_values& r) const noexcept {
        const detail::prob_row row =
            detail::fold_prob_blocks(std::span<const detail::prob_block>(s.blocks.data(), nb_), request_, s.masses);
        for (const bool in_q : {false, true}) {
            const double sum = in_q ? row.sum_q : row.sum_p;
            if (sum < DBL_MIN || !sum_ok(sum, o_)) {
                r.issue = sum <= 0.0                              ? problem::no_mass
                          : sum < DBL_MIN && o_.measure.normalize ? problem::tiny_sum
                                                                  : problem::sum;
                r.in_q = in_q;
                return;
            }
        }
        r.kl = row.kl;
        r.reverse = row.reverse_kl;
        r.entropy_p = row.entropy_p;
        r.entropy_q = row.entropy_q;
        r.log_z_p = std::log(row.sum_p);
        r.log_z_q = std::log(row.sum_q);
    }

    matrix_view<const T> p_, q_;
    const batch_options& o_;
    wanted want_, fast_;
    measure family_;
    detail::support_rule family_rule_;
    std::size_t nb_;
    detail::side p_side_ = detail::side::none, q_side_ = detail::side::none;
    detail::block_request request_{};
};

// "p[3, 17] = nan"; a batch of one row (a 1-D input) is named as a vector: "p[17] = nan".
std::string at(const char* name, std::size_t i, std::size_t j, double v, std::size_t rows) {
    return std::string(name) + "[" + (rows == 1 ? std::string() : std::to_string(i) + ", ") + std::to_string(j) +
           "] = " + detail::to_text(v);
}

// "row 3 of p"; "p" in a batch of one row.
std::string row_of(std::size_t i, const char* name, std::size_t rows) {
    return rows == 1 ? std::string(name) : "row " + std::to_string(i) + " of " + name;
}

// Finds what made row i fail and throws it, naming the row, the column, the value and the rule.
template <class T>
[[noreturn]] void report(const char* fn, matrix_view<const T> p, matrix_view<const T> q, std::size_t i,
                         const row_values& r, const batch_options& o) {
    const char* name = r.in_q ? "q" : "p";
    const T* row = (r.in_q ? q : p).row(i);
    const std::size_t n = p.cols;
    const std::string kind = describe(o.input);
    switch (r.issue) {
        case problem::bad_value:
            for (const bool in_q : {false, true}) {
                const T* v = (in_q ? q : p).row(i);
                for (std::size_t j = 0; j < n; ++j) {
                    const double x = static_cast<double>(v[j]);
                    const char* which = in_q ? "q" : "p";
                    if (std::isnan(x))
                        throw error(fn, at(which, i, j, x, p.rows) + ", but " + kind + " must not be NaN");
                    if (log_space(o) && x == INFINITY) {
                        throw error(fn, at(which, i, j, x, p.rows) + ", but " + kind + " must be < +inf");
                    }
                    if (!log_space(o) && std::isinf(x)) {
                        throw error(fn, at(which, i, j, x, p.rows) + ", but probabilities must be finite");
                    }
                    if (!log_space(o) && x < 0.0)
                        throw error(fn, at(which, i, j, x, p.rows) + ", but probabilities must be >= 0");
                }
            }
            break;
        case problem::no_mass:
            if (log_space(o)) {
                throw error(fn, row_of(i, name, p.rows) + " has every " +
                                    (o.input == input_kind::logits ? "logit" : "log-probability") +
                                    " = -inf, but a distribution needs mass somewhere");
            }
            throw error(fn, row_of(i, name, p.rows) + " sums to 0, but a distribution needs a positive sum");
        case problem::tiny_sum: {  // 1/sum would overflow: refused, not answered with inf or NaN
            double sum = 0.0;      // subnormal values: the sum is exact
            for (std::size_t j = 0; j < n; ++j) sum += static_cast<double>(row[j]);
            throw error(fn, row_of(i, name, p.rows) + " sums to " + detail::to_text(sum) +
                                ", but normalizing needs a sum >= " + detail::to_text(DBL_MIN) +
                                " (the smallest normal double): scale the row up");
        }
        case problem::sum: {
            double sum = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                const double x = static_cast<double>(row[j]);
                sum += log_space(o) ? std::exp(x / o.temperature) : x;
            }
            throw error(fn, row_of(i, name, p.rows) + (log_space(o) ? " (exponentiated)" : "") + " sums to " +
                                detail::to_text(sum) + ", but must sum to 1 within " +
                                detail::to_text(o.measure.sum_tolerance) + " (set normalize to rescale it)");
        }
        case problem::outside: {
            const T* a = r.in_q ? q.row(i) : p.row(i);
            const T* b = r.in_q ? p.row(i) : q.row(i);
            const char* other = r.in_q ? "p" : "q";
            for (std::size_t j = 0; j < n; ++j) {
                const double x = static_cast<double>(a[j]), y = static_cast<double>(b[j]);
                const bool has_a = log_space(o) ? x > -INFINITY : x > 0;
                const bool has_b = log_space(o) ? y > -INFINITY : y > 0;
                if (has_a && !has_b) {
                    throw error(fn, at(name, i, j, x, p.rows) + " gives mass where " + at(other, i, j, y, p.rows) +
                                        " gives none, and on_zero = error forbids events outside " + other +
                                        "'s support");
                }
            }
            break;
        }
        case problem::none:
            break;
    }
    throw error(fn, row_of(i, name, p.rows) + " is not a valid distribution");
}

// logits (or log-probabilities) divided by the temperature, and their differences, must stay finite
// in the kernels' working type (double for double input, float for the others): a tiny temperature
// would turn them into ±inf and the measures into 0 or NaN. So max(1, 2·max|x|)/temperature must not
// exceed that type's largest value (one pass over the finite values, only for temperatures below 1).
template <class T>
void check_scaled_range(const char* fn, matrix_view<const T> p, matrix_view<const T> q, const batch_options& o) {
    if (!log_space(o) || !(o.temperature < 1.0)) return;
    double largest = 0.0;
    for (const auto* m : {&p, &q}) {
        for (std::size_t i = 0; i < m->rows; ++i) {
            const T* row = m->row(i);
            for (std::size_t j = 0; j < m->cols; ++j) {
                const double x = std::fabs(static_cast<double>(row[j]));
                if (x > largest && x <= DBL_MAX) largest = x;
            }
        }
    }
    const bool in_double = std::is_same_v<T, double>;
    const double limit = in_double ? DBL_MAX : static_cast<double>(FLT_MAX);
    const double scaled = std::max(1.0, 2.0 * largest);
    if (scaled / o.temperature <= limit) return;
    throw error(fn, "temperature = " + detail::to_text(o.temperature) + ", but the " +
                        (o.input == input_kind::logits ? "logits" : "log-probabilities") +
                        " divided by it must stay finite in " + (in_double ? "double" : "single") +
                        " precision: with the largest |value| " + detail::to_text(largest) +
                        ", the temperature must be >= max(1, 2 x " + detail::to_text(largest) + ") / " +
                        detail::to_text(limit) + " = " + detail::to_text(scaled / limit));
}

template <class T>
void check_arguments(const char* fn, matrix_view<const T> p, matrix_view<const T> q, const row_outputs& out,
                     const batch_options& o) {
    detail::check_options(fn, o.measure);
    if (log_space(o) && !(o.temperature > 0.0 && std::isfinite(o.temperature))) {
        throw error(fn, "temperature = " + detail::to_text(o.temperature) + ", but it must be finite and > 0");
    }
    if (!log_space(o) && o.temperature != 1.0) {
        throw error(fn, "temperature = " + detail::to_text(o.temperature) +
                            ", but a temperature applies only to logits and log_probs input");
    }
    if (p.rows != q.rows || p.cols != q.cols) {
        throw error(fn, "p is " + std::to_string(p.rows) + "x" + std::to_string(p.cols) + " and q is " +
                            std::to_string(q.rows) + "x" + std::to_string(q.cols) +
                            ", but both must have the same shape");
    }
    if (p.cols == 0) throw error(fn, "rows have 0 events, but a distribution needs at least one event");
    for (const auto* m : {&p, &q}) {
        if (m->row_stride < m->cols && m->row_stride != 0) {
            throw error(fn, "row_stride = " + std::to_string(m->row_stride) + ", but it must be >= cols = " +
                                std::to_string(m->cols) + " (or 0: one row for every row)");
        }
        if (m->rows > 0 && m->data == nullptr) throw error(fn, "a matrix with rows has no data (null pointer)");
    }
    check_scaled_range(fn, p, q, o);
    const wanted w = wanted_of(out, o.measure);
    // With no rows and no reduction every output span is empty, asked for or not: nothing to do.
    if (!w.any() && !(p.rows == 0 && o.reduce == reduction::none)) {
        throw error(fn, "no output span is set, but at least one measure must be asked for");
    }
    if (!out.js.empty()) detail::check_beta(fn, o.measure.beta);
    if (!out.divergence.empty()) check_parameters(fn, out.divergence_measure, o.measure);
    const std::size_t size = o.reduce == reduction::none ? p.rows : 1;
    for (const auto span : {out.kl, out.reverse_kl, out.js, out.entropy_p, out.entropy_q, out.cross_entropy,
                            out.log_normalizer_p, out.log_normalizer_q, out.divergence}) {
        if (!span.empty() && span.size() != size) {
            throw error(fn, "an output span has " + std::to_string(span.size()) + " elements, but needs " +
                                std::to_string(size) +
                                (o.reduce == reduction::none ? " (one per row)" : " (a reduction)"));
        }
    }
    detail::check_row_options(fn, o.rows, p.rows);
}

// The unit roundoff of 16-bit storage: rounding probabilities that sum to 1 to such a type moves
// their sum by up to this much, so a tighter sum_tolerance would refuse correctly rounded rows.
template <class T>
constexpr double storage_roundoff() {
    if constexpr (std::is_same_v<T, float16>) return 0x1p-11;
    if constexpr (std::is_same_v<T, bfloat16>) return 0x1p-8;
    return 0.0;
}

template <class T>
void run(const char* fn, matrix_view<const T> p, matrix_view<const T> q, const row_outputs& out,
         const batch_options& given) {
    check_arguments(fn, p, q, out, given);
    batch_options o = given;
    o.measure.sum_tolerance = std::max(o.measure.sum_tolerance, storage_roundoff<T>());
    const std::size_t n = p.rows, cols = p.cols;
    const detail::row_reduction reducer{o.rows, o.reduce, n};
    reducer.total_weight(fn);  // a mean over no weight fails before any work
    const auto skipped = [&](std::size_t i) { return !reducer.kept(i); };
    const row_engine<T> engine(p, q, out, o);
    const std::size_t nb = engine.blocks_per_row();
    // Smoothing measures materialized rows (the exact path).
    const bool exact_rows = o.measure.on_zero == zero_support::smooth;
    const unsigned workers = n * cols < detail::parallel_threshold ? 1u : detail::worker_count(o.rows.threads);
    std::vector<row_values> values(n);
    if (n >= workers) {  // whole rows per thread
        std::vector<scratch> scratches;
        scratches.reserve(workers);
        for (unsigned w = 0; w < workers; ++w) scratches.emplace_back(cols, nb, exact_rows);
        detail::parallel_for(n, workers, [&](std::size_t i, unsigned w) {
            if (skipped(i)) return;
            bool bad = false;
            engine.summarize(i, 0, nb, scratches[w], bad);
            values[i] = engine.finish(i, bad, scratches[w]);
        });
    } else {  // few long rows: the blocks of each row are shared out
        scratch shared(cols, nb, exact_rows);
        const std::size_t chunks = std::min<std::size_t>(nb, 4 * workers);
        std::vector<unsigned char> bad(chunks);
        for (std::size_t i = 0; i < n; ++i) {
            if (skipped(i)) continue;
            detail::parallel_for(chunks, workers, [&](std::size_t c, unsigned) {
                bool b = false;
                engine.summarize(i, c * nb / chunks, (c + 1) * nb / chunks, shared, b);
                bad[c] = b;
            });
            values[i] =
                engine.finish(i, std::any_of(bad.begin(), bad.end(), [](unsigned char b) { return b != 0; }), shared);
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (values[i].issue != problem::none) report(fn, p, q, i, values[i], o);
    }
    // `unit` converts from nats (the measures) or keeps natural logarithms (the log normalizers).
    const auto emit = [&](std::span<double> dst, auto value_of, bool in_base = true) {
        if (dst.empty()) return;
        const auto unit = [&](double nats) { return in_base ? o.measure.base.from_nats(nats) : nats; };
        if (o.reduce == reduction::none) {
            for (std::size_t i = 0; i < n; ++i) dst[i] = skipped(i) ? 0.0 : unit(value_of(values[i]));
            return;
        }
        dst[0] = unit(reducer.apply(fn, [&](std::size_t i) { return value_of(values[i]); }));
    };
    emit(out.kl, [](const row_values& r) { return r.kl; });
    emit(out.reverse_kl, [](const row_values& r) { return r.reverse; });
    emit(out.js, [](const row_values& r) { return r.js; });
    emit(out.entropy_p, [](const row_values& r) { return r.entropy_p; });
    emit(out.entropy_q, [](const row_values& r) { return r.entropy_q; });
    emit(out.cross_entropy, [](const row_values& r) { return r.entropy_p + r.kl; });
    emit(
        out.log_normalizer_p, [](const row_values& r) { return r.log_z_p; }, false);
    emit(
        out.log_normalizer_q, [](const row_values& r) { return r.log_z_q; }, false);
    // The divergence output: each row's value in its unit (js_distance: the root of JS in the unit).
    const measure family = out.divergence_measure;
    const family_source from = source_of(family, o.measure);
    emit(
        out.divergence,
        [&](const row_values& r) {
            const auto unit = [&](double nats) { return in_log_units(family) ? o.measure.base.from_nats(nats) : nats; };
            switch (from) {
                case family_source::kl:
                    return unit(r.kl);
                case family_source::reverse:
                    return unit(r.reverse);
                case family_source::jeffreys:
                    return unit(r.kl + r.reverse);
                case family_source::js:
                    return family == measure::js_distance ? std::sqrt(unit(r.js)) : unit(r.js);
                case family_source::own:
                    break;
            }
            return family == measure::js_distance ? std::sqrt(unit(r.family * r.family)) : unit(r.family);
        },
        false);
}

}  // namespace

const char* describe(input_kind kind) noexcept {
    switch (kind) {
        case input_kind::probs:
            return "probabilities";
        case input_kind::log_probs:
            return "log-probabilities";
        case input_kind::logits:
            return "logits";
    }
    return "values";
}

void measure_rows(matrix_view<const float> p, matrix_view<const float> q, const row_outputs& out,
                  const batch_options& opts) {
    run("measure_rows", p, q, out, opts);
}
void measure_rows(matrix_view<const double> p, matrix_view<const double> q, const row_outputs& out,
                  const batch_options& opts) {
    run("measure_rows", p, q, out, opts);
}
void measure_rows(matrix_view<const float16> p, matrix_view<const float16> q, const row_outputs& out,
                  const batch_options& opts) {
    run("measure_rows", p, q, out, opts);
}
void measure_rows(matrix_view<const bfloat16> p, matrix_view<const bfloat16> q, const row_outputs& out,
                  const batch_options& opts) {
    run("measure_rows", p, q, out, opts);
}
void divergence_rows(matrix_view<const float> p, matrix_view<const float> q, std::span<double> out, measure m,
                     const batch_options& opts) {
    run("divergence_rows", p, q, {.divergence = out, .divergence_measure = m}, opts);
}
void divergence_rows(matrix_view<const double> p, matrix_view<const double> q, std::span<double> out, measure m,
                     const batch_options& opts) {
    run("divergence_rows", p, q, {.divergence = out, .divergence_measure = m}, opts);
}
void divergence_rows(matrix_view<const float16> p, matrix_view<const float16> q, std::span<double> out, measure m,
                     const batch_options& opts) {
    run("divergence_rows", p, q, {.divergence = out, .divergence_measure = m}, opts);
}
void divergence_rows(matrix_view<const bfloat16> p, matrix_view<const bfloat16> q, std::span<double> out, measure m,
                     const batch_options& opts) {
    run("divergence_rows", p, q, {.divergence = out, .divergence_measure = m}, opts);
}
void kl_divergence_rows(matrix_view<const float> p, matrix_view<const float> q, std::span<double> out,
                        const batch_options& opts) {
    run("kl_divergence_rows", p, q, {.kl = out}, opts);
}
void kl_divergence_rows(matrix_view<const double> p, matrix_view<const double> q, std::span<double> out,
                        const batch_options& opts) {
    run("kl_divergence_rows", p, q, {.kl = out}, opts);
}
void entropy_rows(matrix_view<const float> p, std::span<double> out, const batch_options& opts) {
    run("entropy_rows", p, p, {.entropy_p = out}, opts);
}
void entropy_rows(matrix_view<const double> p, std::span<double> out, const batch_options& opts) {
    run("entropy_rows", p, p, {.entropy_p = out}, opts);
}

}  // namespace kldiv
