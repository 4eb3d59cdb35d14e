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

void check(const calibration_options& o) {
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

// FNV-1a of the column's name: its draws' streams.
std::uint64_t name_hash(const std::string& name) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return h;
}

double total(std::span<const double> x) noexcept { return std::accumulate(x.begin(), x.end(), 0.0); }

// m items into bins by the Dirichlet-multinomial(m; α), as successive beta-binomial draws.
void dirichlet_multinomial(rng_t& rng, double m, std::span<const double> alpha, std::span<double> out) {
    double left = m, rest = total(alpha);
    for (std::size_t k = 0; k < alpha.size(); ++k) {
        rest -= alpha[k];
        if (left <= 0.0 || alpha[k] <= 0.0) {
            out[k] = 0.0;
            continue;
        }
        if (!(rest > 0.0)) {
            out[k] = left;
            left = 0.0;
            continue;
        }
        // Beta(α_k, rest) = G₁/(G₁ + G₂), from the logarithms (shapes up to 10^7 and more).
        const double l1 = rng.log_gamma(alpha[k]), l2 = rng.log_gamma(rest);
        const double share = 1.0 / (1.0 + std::exp(l2 - l1));
        out[k] = kldiv::detail::binomial(rng, left, share);
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

// The measures of a drawn pair: numeric pairs are measured as the observed one is, with the drawn
// counts; categorical draws arrive as pooled categories (reference categories, then each current-only
// one) and are collapsed as the observed table was built: categories the drawn reference lacks go to
// "new".
class draw_measures {
public:
    draw_measures(const column_pair& pr, const measure_options& o) : pr_(pr), o_(o) {}

    measure_values numeric(std::span<const double> ref, std::span<const double> cur) {
        measure_values v;
        v.fill(nan);
        column_pair drawn = pr_;
        drawn.reference = ref;
        drawn.current = cur;
        // Under the null the current values come from the reference's distribution: its range.
        drawn.current_min = pr_.reference_min;
        drawn.current_max = pr_.reference_max;
        drawn.infinite = false;
        report_ref_ = report_counts(*pr_.bins, ref);
        report_cur_ = report_counts(*pr_.bins, cur);
        detail::report_measures(report_ref_, report_cur_, o_, v);
        detail::fine_measures(drawn, v);
        return v;
    }

    measure_values categories(std::span<const double> ref, std::span<const double> cur) {
        measure_values v;
        v.fill(nan);
        report_ref_.clear();
        report_cur_.clear();
        double fresh = 0.0;
        for (std::size_t k = 0; k < ref.size(); ++k) {
            if (ref[k] > 0.0) {
                report_ref_.push_back(ref[k]);
                report_cur_.push_back(cur[k]);
            } else {
                fresh += cur[k];
            }
        }
        report_ref_.push_back(0.0);
        report_cur_.push_back(fresh);
        detail::report_measures(report_ref_, report_cur_, o_, v);
        return v;
    }

private:
    const column_pair& pr_;
    const measure_options& o_;
    std::vector<double> report_ref_, report_cur_;
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
                              const calibration_options& o) {
    check(o);
    measure_calibration out;
    out.expected.fill(nan);
    out.p_value.fill(nan);
    out.low.fill(nan);
    out.high.fill(nan);
    out.missing_p_value = nan;
    const measure_values observed = measures(pr, mo);
    const double rt = total(pr.reference), ct = total(pr.current);
    const std::uint64_t stream = name_hash(pr.bins->name);
    draw_measures measure_of(pr, mo);

    // Missing values: |current rate − reference rate| under a random split of all rows.
    const double ref_rows = rt + missing.reference, cur_rows = ct + missing.current;
    const double all_missing = missing.reference + missing.current;
    const double missing_gap =
        ref_rows > 0.0 && cur_rows > 0.0 ? std::fabs(missing.current / cur_rows - missing.reference / ref_rows) : nan;
    double missing_exceed = 0.0;

    if (o.permutations > 0 && rt > 0.0 && ct > 0.0) {
        const bool rank_null = !categorical(pr) && pr.bins->continuous;
        std::vector<double> alpha, pooled, ref(pr.reference.begin(), pr.reference.end());
        std::vector<double> cur(pr.reference.size());
        if (rank_null) {
            alpha = ref;
            alpha[0] += 1.0;
        } else {
            pooled.resize(pr.reference.size());
            for (std::size_t k = 0; k < pooled.size(); ++k) pooled[k] = pr.reference[k] + pr.current[k];
            if (categorical(pr)) {
                // The "new" bin is split into its categories, each pooled on its own.
                pooled.pop_back();
                pooled.insert(pooled.end(), pr.current_new.begin(), pr.current_new.end());
                if (pr.current_new.empty() && pr.current.back() > 0.0) pooled.push_back(pr.current.back());
                ref.resize(pooled.size());
                cur.resize(pooled.size());
            }
        }
        std::array<std::size_t, measure_count> exceed{}, reached{};
        measure_values sums{};
        std::size_t draws = 0;
        auto all_stopped = [&] {
            for (std::size_t j = 0; j < measure_count; ++j) {
                if (!std::isnan(observed[j]) && reached[j] == 0) return false;
            }
            return true;
        };
        const std::size_t at_least = std::min(o.min_permutations, o.permutations);
        while (draws < o.permutations && (draws < at_least || !all_stopped())) {
            rng_t rng(o.seed, stream + draws);
            measure_values v;
            if (rank_null) {
                dirichlet_multinomial(rng, ct, alpha, cur);
                v = measure_of.numeric(ref, cur);
            } else {
                split(rng, ct, pooled, cur);
                for (std::size_t k = 0; k < pooled.size(); ++k) ref[k] = pooled[k] - cur[k];
                v = categorical(pr) ? measure_of.categories(ref, cur) : measure_of.numeric(ref, cur);
            }
            ++draws;
            for (std::size_t j = 0; j < measure_count; ++j) {
                if (std::isnan(observed[j])) continue;
                sums[j] += v[j];
                // Reached or exceeded, up to rounding in the last digits of equal tables.
                if (v[j] >= observed[j] * (1.0 - 1e-12) && ++exceed[j] == o.stop_after) reached[j] = draws;
            }
            if (!std::isnan(missing_gap)) {
                const double m_cur = kldiv::detail::hypergeometric(rng, cur_rows, all_missing, ref_rows + cur_rows);
                const double gap = std::fabs(m_cur / cur_rows - (all_missing - m_cur) / ref_rows);
                missing_exceed += gap >= missing_gap * (1.0 - 1e-12);
            }
        }
        out.permutations = draws;
        const double b = static_cast<double>(draws);
        for (std::size_t j = 0; j < measure_count; ++j) {
            if (std::isnan(observed[j])) continue;
            out.expected[j] = sums[j] / b;
            out.p_value[j] = reached[j] != 0 ? static_cast<double>(o.stop_after) / static_cast<double>(reached[j])
                                             : (static_cast<double>(exceed[j]) + 1.0) / (b + 1.0);
        }
        if (!std::isnan(missing_gap)) out.missing_p_value = (missing_exceed + 1.0) / (b + 1.0);
    }

    if (o.resamples > 0 && rt > 0.0 && ct > 0.0) {
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
