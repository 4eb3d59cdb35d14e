#include "kldiv/drift/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kldiv/error.hpp"
#include "src/common/discrete_variates.hpp"
#include "src/common/format.hpp"
#include "src/common/random_stream.hpp"
#include "src/drift/report_measures.hpp"

namespace kldiv::drift {
namespace {

using rng_t = distributions::detail::random_stream;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

void validate(const calibration_options& o) {
    auto fail = [](const std::string& m) { throw error("drift", m); };
    if (o.permutations > max_draws) {
        fail("permutations = " + std::to_string(o.permutations) + ", but at most " + std::to_string(max_draws) +
             " are drawn");
    }
    if (o.resamples > max_draws) {
        fail("resamples = " + std::to_string(o.resamples) + ", but at most " + std::to_string(max_draws) +
             " are drawn");
    }
    if (o.stop_after == 0) fail("stop_after = 0, but the draws of a measure stop after at least 1 exceedance");
    if (!(o.level > 0.0 && o.level < 1.0)) {
        fail("level = " + kldiv::detail::to_text(o.level) + ", but it must be in (0, 1)");
    }
}

namespace {

// FNV-1a of the column's name: its draws' streams.
std::uint64_t name_hash(const std::string& name) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

double total(std::span<const double> x) noexcept { return std::accumulate(x.begin(), x.end(), 0.0); }

// m items into bins by the Dirichlet-multinomial(m; α): masses G_k/ΣG from G_k ~ Gamma(α_k), then the
// multinomial of those masses by successive binomials. `scratch` holds the gammas' suffix sums.
void dirichlet_multinomial(rng_t& rng, double m, std::span<const double> alpha, std::span<double> out,
                           std::vector<double>& scratch) {
    scratch.assign(alpha.size() + 1, 0.0);
    for (std::size_t k = 0; k < alpha.size(); ++k)
        out[k] = alpha[k] > 0.0 ? rng.gamma_at_least_one(alpha[k]) : 0.0;  // α: counts, >= 1
    for (std::size_t k = alpha.size(); k-- > 0;) scratch[k] = scratch[k + 1] + out[k];
    double left = m;
    for (std::size_t k = 0; k < alpha.size(); ++k) {
        const double g = out[k];
        if (left <= 0.0 || g <= 0.0) {
            out[k] = 0.0;
        } else if (!(scratch[k + 1] > 0.0)) {
            out[k] = left;
        } else {
            out[k] = kldiv::detail::binomial(rng, left, g / scratch[k]);
        }
        left -= out[k];
    }
}

// The current side's share of each pooled bin: a multivariate hypergeometric draw of m items.
void split(rng_t& rng, double m, std::span<const double> pooled, std::span<double> out) {
    double left = m, items = total(pooled);
    for (std::size_t k = 0; k < pooled.size(); ++k) {
        out[k] = kldiv::detail::hypergeometric(rng, left, pooled[k], items);
        left -= out[k];
        items -= pooled[k];
    }
}

// Multinomial(m; counts/total) by successive binomials.
void multinomial(rng_t& rng, double m, std::span<const double> counts, std::span<double> out) {
    double left = m, rest = total(counts);
    for (std::size_t k = 0; k < counts.size(); ++k) {
        if (left <= 0.0 || counts[k] <= 0.0) {
            out[k] = 0.0;
        } else if (counts[k] >= rest) {
            out[k] = left;
        } else {
            out[k] = kldiv::detail::binomial(rng, left, counts[k] / rest);
        }
        left -= out[k];
        rest -= counts[k];
    }
}

bool categorical(const column_pair& pr) noexcept { return pr.bins->type != io::column_type::numeric; }

// Besag and Clifford's sequential Monte Carlo p-values for N statistics at once (NaN observed: not
// run). draw(b, values) fills the statistics of draw b; draws go on while b < at_most and (b < at_least
// or some statistic has fewer than stop_after exceedances).
template <std::size_t N>
struct sequential {
    std::array<double, N> mean{}, p_value{};
    std::size_t draws = 0;
};

template <std::size_t N, class Draw>
sequential<N> run_sequential(const std::array<double, N>& observed, std::size_t at_least, std::size_t at_most,
                             std::size_t stop_after, Draw&& draw) {
    sequential<N> out;
    std::array<std::size_t, N> exceed{}, reached{};
    std::array<double, N> values{};
    auto all_stopped = [&] {
        for (std::size_t j = 0; j < N; ++j) {
            if (!std::isnan(observed[j]) && reached[j] == 0) return false;
        }
        return true;
    };
    std::size_t b = 0;
    while (b < at_most && (b < at_least || !all_stopped())) {
        draw(b, values);
        ++b;
        for (std::size_t j = 0; j < N; ++j) {
            if (std::isnan(observed[j])) continue;
            out.mean[j] += values[j];
            // Reached or exceeded, up to rounding in the last digits of equal tables.
            if (values[j] >= observed[j] * (1.0 - 1e-12) && ++exceed[j] == stop_after) reached[j] = b;
        }
    }
    out.draws = b;
    for (std::size_t j = 0; j < N; ++j) {
        if (std::isnan(observed[j]) || b == 0) {
            out.mean[j] = out.p_value[j] = nan;
            continue;
        }
        out.mean[j] /= static_cast<double>(b);
        out.p_value[j] = reached[j] != 0 ? static_cast<double>(stop_after) / static_cast<double>(reached[j])
                                         : (static_cast<double>(exceed[j]) + 1.0) / (static_cast<double>(b) + 1.0);
    }
    return out;
}

// The permutation draws of one column at one level of bins (the report bins, or the fine bins):
// counts of both sides under the null, by the column's null model (calibration.hpp).
class null_draws {
public:
    // `ref` and `cur` are the observed counts at this level; `fresh` the current-only categories.
    null_draws(bool rank_null, bool categories, std::span<const double> ref, std::span<const double> cur,
               std::span<const double> fresh)
        : rank_null_(rank_null), categories_(categories), ref_(ref.begin(), ref.end()), cur_(ref.size()),
          m_(total(cur)) {
        if (rank_null_) {
            alpha_ = ref_;
            alpha_[0] += 1.0;  // the first bin also holds the gap below the smallest reference value
            return;
        }
        pooled_.resize(ref.size());
        for (std::size_t k = 0; k < ref.size(); ++k) pooled_[k] = ref[k] + cur[k];
        if (categories_) {
            // The "new" bin is split into its categories, each pooled on its own.
            pooled_.pop_back();
            pooled_.insert(pooled_.end(), fresh.begin(), fresh.end());
            if (fresh.empty() && cur.back() > 0.0) pooled_.push_back(cur.back());
            ref_.resize(pooled_.size());
            cur_.resize(pooled_.size());
        }
    }

    // Draws the counts; then reference() and current() hold them (categories collapsed as the
    // observed table was: those the drawn reference lacks are "new", the last bin).
    void draw(rng_t& rng) {
        if (rank_null_) {
            dirichlet_multinomial(rng, m_, alpha_, cur_, scratch_);
            return;
        }
        split(rng, m_, pooled_, cur_);
        for (std::size_t k = 0; k < pooled_.size(); ++k) ref_[k] = pooled_[k] - cur_[k];
        if (!categories_) return;
        collapsed_ref_.clear();
        collapsed_cur_.clear();
        double fresh = 0.0;
        for (std::size_t k = 0; k < ref_.size(); ++k) {
            if (ref_[k] > 0.0) {
                collapsed_ref_.push_back(ref_[k]);
                collapsed_cur_.push_back(cur_[k]);
            } else {
                fresh += cur_[k];
            }
        }
        collapsed_ref_.push_back(0.0);
        collapsed_cur_.push_back(fresh);
    }
    std::span<const double> reference() const noexcept { return categories_ ? collapsed_ref_ : ref_; }
    std::span<const double> current() const noexcept { return categories_ ? collapsed_cur_ : cur_; }

private:
    bool rank_null_, categories_;
    std::vector<double> ref_, cur_, alpha_, pooled_, collapsed_ref_, collapsed_cur_, scratch_;
    double m_;
};

// The percentile interval's ends from B sorted values (order statistics ⌊(B+1)α/2⌋ and ⌈(B+1)(1−α/2)⌉).
std::pair<double, double> percentile_interval(std::vector<double>& values, double level) {
    std::erase_if(values, [](double x) { return std::isnan(x); });
    if (values.empty()) return {nan, nan};
    std::sort(values.begin(), values.end());
    const double b = static_cast<double>(values.size()), tail = (1.0 - level) / 2.0;
    auto pick = [&](double k) {
        const auto i = static_cast<std::size_t>(std::clamp(k, 1.0, b));
        return values[i - 1];
    };
    return {pick(std::floor((b + 1.0) * tail)), pick(std::ceil((b + 1.0) * (1.0 - tail)))};
}

}  // namespace

std::vector<double> adjust(std::span<const double> p, correction c) {
    std::vector<double> out(p.begin(), p.end());
    if (c == correction::none) return out;
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!std::isnan(p[i])) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    const double m = static_cast<double>(order.size());
    if (c == correction::holm) {
        double running = 0.0;  // step-down: the running maximum of (m − i)·p_(i)
        for (std::size_t i = 0; i < order.size(); ++i) {
            running = std::max(running, std::min(1.0, (m - static_cast<double>(i)) * p[order[i]]));
            out[order[i]] = running;
        }
    } else {
        double running = 1.0;  // step-up: the running minimum of m/i·p_(i) from the largest
        for (std::size_t i = order.size(); i-- > 0;) {
            running = std::min(running, std::min(1.0, m / static_cast<double>(i + 1) * p[order[i]]));
            out[order[i]] = running;
        }
    }
    return out;
}

measure_calibration calibrate(const column_pair& pr, missing_counts missing, const measure_options& mo,
                              const calibration_options& o, measure tested) {
    validate(o);
    measure_calibration out;
    out.expected.fill(nan);
    out.p_value.fill(nan);
    out.low.fill(nan);
    out.high.fill(nan);
    out.missing_p_value = nan;
    const measure_values observed = measures(pr, mo);
    out.value = observed;
    const double rt = total(pr.reference), ct = total(pr.current);
    const std::uint64_t stream = name_hash(pr.bins->name);
    const std::size_t at_least_draws = std::min(o.min_permutations, o.permutations);
    const double ref_rows = rt + missing.reference, cur_rows = ct + missing.current;
    const double all_missing = missing.reference + missing.current;
    if (rt == 0.0 || ct == 0.0) {
        // A side without a counted value (all missing): only the missing rate can be tested.
        if (ref_rows == 0.0 || cur_rows == 0.0) return out;
        const std::array<double, 1> gap{std::fabs(missing.current / cur_rows - missing.reference / ref_rows)};
        const auto by_missing =
            run_sequential(gap, at_least_draws, o.permutations, o.stop_after, [&](std::size_t b, auto& values) {
                rng_t rng(o.seed, stream + b);
                const double m_cur = kldiv::detail::hypergeometric(rng, cur_rows, all_missing, ref_rows + cur_rows);
                values[0] = std::fabs(m_cur / cur_rows - (all_missing - m_cur) / ref_rows);
            });
        out.missing_p_value = by_missing.p_value[0];
        out.permutations = by_missing.draws;
        return out;
    }
    const bool rank_null = !categorical(pr) && pr.bins->continuous;
    const std::size_t at_least = std::min(o.min_permutations, o.permutations);

    // The report bins' measures and the missing rate's gap, by draws over the report bins (a
    // Dirichlet-multinomial or hypergeometric draw summed over groups of bins is the same draw over
    // the groups).
    constexpr std::size_t missing_slot = measure_count;
    std::array<double, measure_count + 1> report_observed;
    std::copy(observed.begin(), observed.end(), report_observed.begin());
    report_observed[static_cast<std::size_t>(measure::ks)] = nan;
    report_observed[static_cast<std::size_t>(measure::wasserstein)] = nan;
    report_observed[missing_slot] = std::fabs(missing.current / cur_rows - missing.reference / ref_rows);
    const std::vector<double> report_ref = report_counts(*pr.bins, pr.reference);
    const std::vector<double> report_cur = report_counts(*pr.bins, pr.current);
    null_draws report(rank_null, categorical(pr), report_ref, report_cur, pr.current_new);
    const auto by_report =
        run_sequential(report_observed, at_least, o.permutations, o.stop_after, [&](std::size_t b, auto& values) {
            rng_t rng(o.seed, stream + b);
            report.draw(rng);
            measure_values v;
            detail::report_measures(report.reference(), report.current(), mo, v);
            std::copy(v.begin(), v.end(), values.begin());
            const double m_cur = kldiv::detail::hypergeometric(rng, cur_rows, all_missing, ref_rows + cur_rows);
            values[missing_slot] = std::fabs(m_cur / cur_rows - (all_missing - m_cur) / ref_rows);
        });
    for (std::size_t j = 0; j < measure_count; ++j) {
        out.expected[j] = by_report.mean[j];
        out.p_value[j] = by_report.p_value[j];
    }
    out.missing_p_value = by_report.p_value[missing_slot];
    out.permutations = by_report.draws;

    // ks and wasserstein, by draws over the fine bins: as many as the others when one of them is the
    // tested measure, else min_permutations (their expected values and p-values at that resolution).
    if (!categorical(pr)) {
        measure_values fine_observed;
        fine_observed.fill(nan);
        for (const measure m : {measure::ks, measure::wasserstein}) {
            fine_observed[static_cast<std::size_t>(m)] = observed[static_cast<std::size_t>(m)];
        }
        const bool focus = numeric_only(tested);
        null_draws fine(rank_null, false, pr.reference, pr.current, {});
        column_pair drawn = pr;
        // Under the null the current values come from the reference's distribution: its range.
        drawn.current_min = pr.reference_min;
        drawn.current_max = pr.reference_max;
        drawn.infinite = false;
        const auto by_fine = run_sequential(fine_observed, at_least, focus ? o.permutations : at_least, o.stop_after,
                                            [&](std::size_t b, measure_values& values) {
                                                rng_t rng(o.seed, stream + (std::uint64_t{1} << 61) + b);
                                                fine.draw(rng);
                                                drawn.reference = fine.reference();
                                                drawn.current = fine.current();
                                                detail::fine_measures(drawn, values);
                                            });
        for (const measure m : {measure::ks, measure::wasserstein}) {
            out.expected[static_cast<std::size_t>(m)] = by_fine.mean[static_cast<std::size_t>(m)];
            out.p_value[static_cast<std::size_t>(m)] = by_fine.p_value[static_cast<std::size_t>(m)];
        }
        if (focus) out.permutations = by_fine.draws;
    }

    if (o.resamples > 0) {
        std::vector<double> ref(pr.reference.size()), cur(pr.current.size());
        std::array<std::vector<double>, measure_count> values;
        for (std::size_t b = 0; b < o.resamples; ++b) {
            rng_t rng(o.seed, stream + (std::uint64_t{1} << 62) + b);
            multinomial(rng, rt, pr.reference, ref);
            multinomial(rng, ct, pr.current, cur);
            column_pair drawn = pr;
            drawn.reference = ref;
            drawn.current = cur;
            measure_values v;
            v.fill(nan);
            detail::report_measures(report_counts(*pr.bins, ref), report_counts(*pr.bins, cur), mo, v);
            detail::fine_measures(drawn, v);
            for (std::size_t j = 0; j < measure_count; ++j) values[j].push_back(v[j]);
        }
        for (std::size_t j = 0; j < measure_count; ++j) {
            if (std::isnan(observed[j])) continue;
            std::tie(out.low[j], out.high[j]) = percentile_interval(values[j], o.level);
        }
    }
    return out;
}

}  // namespace kldiv::drift
