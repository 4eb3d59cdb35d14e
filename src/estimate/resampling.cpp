// Bootstrap intervals and permutation tests over two samples or two count vectors
// (include/kldiv/estimate/resampling.hpp states the formulas and conventions).
//
// Every resample b draws from its own stream random_stream(seed, b) into per-thread scratch, and
// its value goes to slot b, so the values, and everything computed from them, do not depend on the
// thread count. A uniform index in [0, n) is Lemire's multiply-shift with rejection (unbiased).
// Counts are expanded once into their list of observed events (event index per observation), so a
// multinomial resample is "draw N observations with replacement" and a permutation is "split the
// pooled observations": the same index draws as for samples whose rows are those observations.

#include "kldiv/estimate/resampling.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/common/progress_counter.hpp"
#include "src/common/random_stream.hpp"

namespace kldiv::estimate {
namespace {

using kldiv::detail::to_text;
using random_stream = kldiv::distributions::detail::random_stream;
__extension__ typedef unsigned __int128 uint128;

std::uint64_t uniform_index(random_stream& stream, std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
        const uint128 product = static_cast<uint128>(stream.bits()) * n;
        if (static_cast<std::uint64_t>(product) >= threshold) return static_cast<std::uint64_t>(product >> 64);
    }
}

using kldiv::detail::progress_counter;

// values[i] = body(i, worker) for i in [0, count), each counted in `done` once computed; an
// exception from body is rethrown here (by parallel_for: the one of the lowest item, whatever the
// thread count). A NaN value is an error naming the item.
template <class Body>
std::vector<double> evaluate(const char* function, const char* item_name, std::size_t count, unsigned threads,
                             progress_counter& done, Body&& body) {
    std::vector<double> values(count);
    kldiv::detail::parallel_for(count, kldiv::detail::worker_count(threads), [&](std::size_t i, unsigned worker) {
        values[i] = body(i, worker);
        done.add();
    });
    for (std::size_t i = 0; i < count; ++i)
        if (std::isnan(values[i]))
            throw error(function, std::string("the statistic returned NaN on ") + item_name + " " + std::to_string(i));
    return values;
}

double observed_value(const char* function, double value) {
    if (std::isnan(value)) throw error(function, "the statistic returned NaN on the observed data");
    return value;
}

void check_samples(const char* function, matrix_view<const double> x, matrix_view<const double> y,
                   std::size_t min_rows) {
    if (x.rows < min_rows || y.rows < min_rows)
        throw error(function, "x has " + std::to_string(x.rows) + " rows and y " + std::to_string(y.rows) +
                                  ", but each sample needs at least " + std::to_string(min_rows));
    if (x.cols == 0 || x.cols != y.cols)
        throw error(function, "x has " + std::to_string(x.cols) + " columns and y " + std::to_string(y.cols) +
                                  ", but the samples need the same number of columns, at least 1");
    if (x.data == nullptr || y.data == nullptr || x.row_stride < x.cols || y.row_stride < y.cols)
        throw error(function, "a sample has no data or a row stride below its column count");
}

// The most observations a count vector expands into (400 MB of event indices): 1e18 counts asked
// std::vector for more than max_size().
constexpr std::size_t max_expanded_observations = 100'000'000;

// The observed events of a count vector: event i listed counts[i] times.
std::vector<std::uint32_t> expand_counts(const char* function, const char* name, std::span<const double> counts,
                                         std::size_t min_total) {
    double total = 0.0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const double c = counts[i];
        if (!(c >= 0.0) || !std::isfinite(c) || c != std::floor(c))
            throw error(function, std::string(name) + "[" + std::to_string(i) + "] = " + to_text(c) +
                                      ", but counts must be finite non-negative integers");
        total += c;
    }
    if (total < static_cast<double>(min_total))
        throw error(function, std::string(name) + " totals " + to_text(total) + ", but needs at least " +
                                  std::to_string(min_total) + " observations");
    if (total > static_cast<double>(max_expanded_observations))
        throw error(function, std::string(name) + " totals " + to_text(total) +
                                  " observations, but resampling lists each one (4 bytes) and takes at most " +
                                  std::to_string(max_expanded_observations));
    if (counts.size() > std::numeric_limits<std::uint32_t>::max())
        throw error(function,
                    std::string(name) + " has " + std::to_string(counts.size()) + " events, more than 2^32 - 1");
    std::vector<std::uint32_t> events;
    events.reserve(static_cast<std::size_t>(total));
    for (std::size_t i = 0; i < counts.size(); ++i)
        events.insert(events.end(), static_cast<std::size_t>(counts[i]), static_cast<std::uint32_t>(i));
    return events;
}

void check_count_lengths(const char* function, std::span<const double> p, std::span<const double> q) {
    if (p.size() != q.size() || p.empty())
        throw error(function, "p_counts has " + std::to_string(p.size()) + " events and q_counts " +
                                  std::to_string(q.size()) + ", but they must be the same events, at least 1");
}

void check_bootstrap_options(const bootstrap_options& opts) {
    if (!(opts.level > 0.0 && opts.level < 1.0))
        throw error("bootstrap_interval", "level = " + to_text(opts.level) + ", but it must be in (0, 1)");
    if (opts.resamples == 0 || opts.resamples > max_resamples)
        throw error("bootstrap_interval", "resamples = " + std::to_string(opts.resamples) + ", but it must be in [1, " +
                                              std::to_string(max_resamples) + "]");
    if (opts.max_jackknife_groups < 2)
        throw error("bootstrap_interval", "max_jackknife_groups = " + std::to_string(opts.max_jackknife_groups) +
                                              ", but it must be at least 2");
}

// Leave-out values of one data set: value[j] with weight[j] (how many leave-outs it stands for).
struct jackknife {
    std::vector<double> values;
    std::vector<double> weights;
};

// a = Σ w d³ / (6 (Σ w d²)^{3/2}), d = ((g−1)/g)(θ̄ − θ_(j)), g = Σ w, over both data sets; 0 when a
// leave-out value is not finite or all are equal.
double acceleration(const jackknife& first, const jackknife& second) {
    double sum2 = 0.0, sum3 = 0.0;
    for (const jackknife* set : {&first, &second}) {
        double g = 0.0, weighted = 0.0;
        for (std::size_t j = 0; j < set->values.size(); ++j) {
            if (!std::isfinite(set->values[j])) return 0.0;
            g += set->weights[j];
            weighted += set->weights[j] * set->values[j];
        }
        const double mean = weighted / g;
        for (std::size_t j = 0; j < set->values.size(); ++j) {
            const double d = (g - 1.0) / g * (mean - set->values[j]);
            sum2 += set->weights[j] * d * d;
            sum3 += set->weights[j] * d * d * d;
        }
    }
    return sum2 > 0.0 ? sum3 / (6.0 * std::pow(sum2, 1.5)) : 0.0;
}

// The order statistic for quantile level alpha of B sorted values: θ*_(k), k = ⌊(B+1)α⌋ (lower
// end) or ⌈(B+1)α⌉ (upper end), clamped to [1, B]; (B+1)α within 1e-9 of an integer counts as it.
double order_statistic(const std::vector<double>& sorted, double alpha, bool upper) {
    double position = static_cast<double>(sorted.size() + 1) * alpha;
    if (std::abs(position - std::nearbyint(position)) <= 1e-9 * position) position = std::nearbyint(position);
    position = upper ? std::ceil(position) : std::floor(position);
    const double k = std::clamp(position, 1.0, static_cast<double>(sorted.size()));
    return sorted[static_cast<std::size_t>(k) - 1];
}

confidence_interval interval(std::vector<double> values, double observed, double acceleration_value,
                             const bootstrap_options& opts) {
    const boost::math::normal standard;
    const double tail = (1.0 - opts.level) / 2.0;
    double alpha_low = tail, alpha_high = 1.0 - tail;
    if (opts.method == interval_method::bca) {
        const double b = static_cast<double>(values.size());
        double below = 0.0;
        for (const double v : values) below += v < observed ? 1.0 : v == observed ? 0.5 : 0.0;
        if (below == 0.0 || below == b) {  // z0 = ±inf: the interval would collapse to one resample
            throw error("bootstrap_interval",
                        "interval = bca, but every one of the " + std::to_string(values.size()) + " resamples lies " +
                            (below == 0.0 ? "above" : "below") + " the estimate " + to_text(observed) +
                            ", so the bias correction is infinite: the bootstrap does not fit this estimator "
                            "here (ties in resamples move histogram and nearest-neighbour estimates); use the "
                            "percentile interval and read it with care, or more data");
        }
        const double z0 = boost::math::quantile(standard, std::clamp(below / b, 0.5 / b, 1.0 - 0.5 / b));
        const auto adjusted = [&](double alpha) {
            const double w = z0 + boost::math::quantile(standard, alpha);
            const double denominator = 1.0 - acceleration_value * w;
            if (denominator <= 0.0) return w > 0.0 ? 1.0 : 0.0;
            return boost::math::cdf(standard, z0 + w / denominator);
        };
        alpha_low = adjusted(tail);
        alpha_high = adjusted(1.0 - tail);
    }
    std::sort(values.begin(), values.end());
    return {.low = order_statistic(values, alpha_low, false),
            .high = order_statistic(values, alpha_high, true),
            .level = opts.level,
            .resamples = values.size()};
}

// Rows of the pooled sample (x then y) whose pooled indices are listed; gather(x, x, …) picks rows of x.
matrix_view<const double> gather(matrix_view<const double> x, matrix_view<const double> y,
                                 std::span<const std::size_t> rows, std::vector<double>& out) {
    out.resize(rows.size() * x.cols);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double* row = rows[i] < x.rows ? x.row(rows[i]) : y.row(rows[i] - x.rows);
        std::copy_n(row, x.cols, out.data() + i * x.cols);
    }
    return {out.data(), rows.size(), x.cols};
}

// Event counts of the picked observations: events[picks[i]] for each i.
std::span<const double> tally(std::span<const std::uint32_t> events, std::span<const std::size_t> picks,
                              std::size_t event_count, std::vector<double>& out) {
    out.assign(event_count, 0.0);
    for (const std::size_t i : picks) out[events[i]] += 1.0;
    return out;
}

// Per-thread space for the two resampled (or left-out) data sets.
struct buffers {
    std::vector<std::size_t> x_picks, y_picks;
    std::vector<double> x, y;
};

// The B bootstrap values: resample b draws n indices uniformly from [0, n), then m from [0, m), with
// stream (seed, b), and value_of(x_picks, y_picks, buffers) gives its statistic.
template <class ValueOf>
std::vector<double> bootstrap_values(std::size_t n, std::size_t m, const bootstrap_options& opts,
                                     progress_counter& done, ValueOf&& value_of) {
    std::vector<buffers> work(kldiv::detail::worker_count(opts.threads, opts.resamples));
    const auto resample = [&](std::size_t b, unsigned w) {
        buffers& s = work[w];
        random_stream stream(opts.seed, b);
        s.x_picks.resize(n);
        s.y_picks.resize(m);
        for (auto& i : s.x_picks) i = uniform_index(stream, n);
        for (auto& i : s.y_picks) i = uniform_index(stream, m);
        return value_of(std::span<const std::size_t>(s.x_picks), std::span<const std::size_t>(s.y_picks), s);
    };
    return evaluate("bootstrap_interval", "resample", opts.resamples, opts.threads, done, resample);
}

// The B permutation values: permutation b splits the pooled indices [0, n + m) into a uniform
// random n-subset and the rest (partial Fisher–Yates with stream (seed, b)), and
// value_of(first, rest, buffers) gives its statistic.
template <class ValueOf>
std::vector<double> permutation_values(std::size_t n, std::size_t m, const permutation_options& opts,
                                       ValueOf&& value_of) {
    std::vector<buffers> work(kldiv::detail::worker_count(opts.threads, opts.permutations));
    progress_counter done(opts.progress, opts.permutations);
    const auto permutation = [&](std::size_t b, unsigned w) {
        std::vector<std::size_t>& pooled = work[w].x_picks;
        random_stream stream(opts.seed, b);
        pooled.resize(n + m);
        std::iota(pooled.begin(), pooled.end(), std::size_t{0});
        for (std::size_t i = 0; i < n; ++i) std::swap(pooled[i], pooled[i + uniform_index(stream, n + m - i)]);
        const std::span<const std::size_t> split(pooled);
        return value_of(split.first(n), split.subspan(n), work[w]);
    };
    return evaluate("permutation_test", "permutation", opts.permutations, opts.threads, done, permutation);
}

// The leave-out groups of a sample of n rows (bca).
std::size_t jackknife_groups(std::size_t n, const bootstrap_options& opts) {
    return std::min(n, opts.max_jackknife_groups);
}

// Leave-out values for samples: data set k (0: x, 1: y) with g_k groups, rows i ≡ j (mod g_k).
std::pair<jackknife, jackknife> sample_jackknife(matrix_view<const double> x, matrix_view<const double> y,
                                                 const sample_statistic& statistic, const bootstrap_options& opts,
                                                 progress_counter& done) {
    const std::size_t gx = jackknife_groups(x.rows, opts);
    const std::size_t gy = jackknife_groups(y.rows, opts);
    std::vector<buffers> work(kldiv::detail::worker_count(opts.threads, gx + gy));
    const auto kept_rows = [](std::size_t n, std::size_t g, std::size_t j, std::vector<std::size_t>& rows) {
        rows.clear();
        for (std::size_t i = 0; i < n; ++i)
            if (i % g != j) rows.push_back(i);
        return std::span<const std::size_t>(rows);
    };
    const std::vector<double> values = evaluate(
        "bootstrap_interval", "jackknife leave-out", gx + gy, opts.threads, done, [&](std::size_t item, unsigned w) {
            buffers& s = work[w];
            if (item < gx) return statistic(gather(x, x, kept_rows(x.rows, gx, item, s.x_picks), s.x), y);
            return statistic(x, gather(y, y, kept_rows(y.rows, gy, item - gx, s.x_picks), s.x));
        });
    return {jackknife{{values.begin(), values.begin() + static_cast<std::ptrdiff_t>(gx)}, std::vector<double>(gx, 1.0)},
            jackknife{{values.begin() + static_cast<std::ptrdiff_t>(gx), values.end()}, std::vector<double>(gy, 1.0)}};
}

// Leave-one-observation-out values for counts: one per event with a non-zero count, weighted by it.
std::pair<jackknife, jackknife> count_jackknife(std::span<const double> p, std::span<const double> q,
                                                const count_statistic& statistic, const bootstrap_options& opts,
                                                progress_counter& done) {
    std::vector<std::size_t> p_events, q_events;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] > 0.0) p_events.push_back(i);
        if (q[i] > 0.0) q_events.push_back(i);
    }
    const std::size_t np = p_events.size();
    std::vector<buffers> work(kldiv::detail::worker_count(opts.threads, np + q_events.size()));
    const auto leave_out = [&](std::size_t item, unsigned w) {
        std::vector<double>& counts = work[w].x;
        const bool in_p = item < np;
        const std::span<const double> source = in_p ? p : q;
        counts.assign(source.begin(), source.end());
        counts[in_p ? p_events[item] : q_events[item - np]] -= 1.0;
        return in_p ? statistic(counts, q) : statistic(p, counts);
    };
    const std::vector<double> values =
        evaluate("bootstrap_interval", "jackknife leave-out", np + q_events.size(), opts.threads, done, leave_out);
    jackknife jp, jq;
    for (std::size_t j = 0; j < values.size(); ++j) {
        jackknife& set = j < np ? jp : jq;
        set.values.push_back(values[j]);
        set.weights.push_back(j < np ? p[p_events[j]] : q[q_events[j - np]]);
    }
    return {std::move(jp), std::move(jq)};
}

void check_permutations(const permutation_options& opts) {
    if (opts.permutations == 0 || opts.permutations > max_resamples)
        throw error("permutation_test", "permutations = " + std::to_string(opts.permutations) +
                                            ", but it must be in [1, " + std::to_string(max_resamples) + "]");
}

permutation_result p_value(double observed, const std::vector<double>& permuted) {
    const auto at_least =
        static_cast<double>(std::count_if(permuted.begin(), permuted.end(), [&](double t) { return t >= observed; }));
    return {.statistic = observed,
            .p_value = (1.0 + at_least) / (1.0 + static_cast<double>(permuted.size())),
            .permutations = permuted.size()};
}

}  // namespace

confidence_interval bootstrap_interval(matrix_view<const double> x, matrix_view<const double> y,
                                       const sample_statistic& statistic, const bootstrap_options& opts) {
    check_bootstrap_options(opts);
    const bool bca = opts.method == interval_method::bca;
    check_samples("bootstrap_interval", x, y, bca ? 2 : 1);
    const double observed = observed_value("bootstrap_interval", statistic(x, y));
    progress_counter done(opts.progress,
                          opts.resamples + (bca ? jackknife_groups(x.rows, opts) + jackknife_groups(y.rows, opts) : 0));
    const double a = bca ? std::apply(acceleration, sample_jackknife(x, y, statistic, opts, done)) : 0.0;
    std::vector<double> values =
        bootstrap_values(x.rows, y.rows, opts, done, [&](auto x_picks, auto y_picks, buffers& out) {
            return statistic(gather(x, x, x_picks, out.x), gather(y, y, y_picks, out.y));
        });
    return interval(std::move(values), observed, a, opts);
}

confidence_interval bootstrap_interval(std::span<const double> p_counts, std::span<const double> q_counts,
                                       const count_statistic& statistic, const bootstrap_options& opts) {
    check_bootstrap_options(opts);
    const bool bca = opts.method == interval_method::bca;
    check_count_lengths("bootstrap_interval", p_counts, q_counts);
    const auto p_events = expand_counts("bootstrap_interval", "p_counts", p_counts, bca ? 2 : 1);
    const auto q_events = expand_counts("bootstrap_interval", "q_counts", q_counts, bca ? 2 : 1);
    const double observed = observed_value("bootstrap_interval", statistic(p_counts, q_counts));
    const auto nonzero = [](std::span<const double> c) {
        return static_cast<std::size_t>(std::count_if(c.begin(), c.end(), [](double x) { return x > 0.0; }));
    };
    progress_counter done(opts.progress, opts.resamples + (bca ? nonzero(p_counts) + nonzero(q_counts) : 0));
    const double a = bca ? std::apply(acceleration, count_jackknife(p_counts, q_counts, statistic, opts, done)) : 0.0;
    const std::size_t k = p_counts.size();
    std::vector<double> values =
        bootstrap_values(p_events.size(), q_events.size(), opts, done, [&](auto p_picks, auto q_picks, buffers& out) {
            return statistic(tally(p_events, p_picks, k, out.x), tally(q_events, q_picks, k, out.y));
        });
    return interval(std::move(values), observed, a, opts);
}

permutation_result permutation_test(matrix_view<const double> x, matrix_view<const double> y,
                                    const sample_statistic& statistic, const permutation_options& opts) {
    check_permutations(opts);
    check_samples("permutation_test", x, y, 1);
    const double observed = observed_value("permutation_test", statistic(x, y));
    const std::vector<double> permuted =
        permutation_values(x.rows, y.rows, opts, [&](auto first, auto rest, buffers& out) {
            return statistic(gather(x, y, first, out.x), gather(x, y, rest, out.y));
        });
    return p_value(observed, permuted);
}

permutation_result permutation_test(std::span<const double> p_counts, std::span<const double> q_counts,
                                    const count_statistic& statistic, const permutation_options& opts) {
    check_permutations(opts);
    check_count_lengths("permutation_test", p_counts, q_counts);
    std::vector<std::uint32_t> pooled = expand_counts("permutation_test", "p_counts", p_counts, 1);
    const std::size_t n = pooled.size();
    const auto q_events = expand_counts("permutation_test", "q_counts", q_counts, 1);
    pooled.insert(pooled.end(), q_events.begin(), q_events.end());
    const double observed = observed_value("permutation_test", statistic(p_counts, q_counts));
    const std::size_t k = p_counts.size();
    const std::vector<double> permuted =
        permutation_values(n, q_events.size(), opts, [&](auto first, auto rest, buffers& out) {
            return statistic(tally(pooled, first, k, out.x), tally(pooled, rest, k, out.y));
        });
    return p_value(observed, permuted);
}

}  // namespace kldiv::estimate
