#include "kldiv/estimate/mutual_information.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "kldiv/error.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/common/progress_counter.hpp"
#include "src/common/random_stream.hpp"
#include "src/core/kernels.hpp"
#include "src/estimate/chebyshev_tree.hpp"

namespace kldiv::estimate {
namespace {

using detail::chebyshev_tree;
using random_stream = kldiv::distributions::detail::random_stream;

// ψ(m) for m = 1 … size−1, by ψ(m + 1) = ψ(m) + 1/m from ψ(1) = −γ, summed in double-double.
std::vector<double> digamma_table(std::size_t size) {
    std::vector<double> out(size, 0.0);
    kldiv::detail::compensated_sum s;
    s.add(boost::math::digamma(1.0));
    for (std::size_t m = 1; m < size; ++m) {
        out[m] = s.value();
        s.add(1.0 / static_cast<double>(m));
    }
    return out;
}

// The rows of a matrix as a compact copy, or the rows `pick` of it.
std::vector<double> rows_of(matrix_view<const double> m, std::span<const std::size_t> pick) {
    std::vector<double> out(pick.size() * m.cols);
    for (std::size_t i = 0; i < pick.size(); ++i) std::copy_n(m.row(pick[i]), m.cols, out.data() + i * m.cols);
    return out;
}

// #{v in sorted : fl(|v − q|) <= r} for q = sorted[at], galloping outward from `at`: the values
// within r are one run around it, found in O(log run) steps near the query.
std::size_t count_around(std::span<const double> sorted, std::size_t at, double r) {
    const double q = sorted[at];
    const std::size_t n = sorted.size();
    const auto above = [&](double v) { return v - q <= r; };  // true, then false, from `at` upwards
    std::size_t step = 1, last = at;
    while (at + step < n && above(sorted[at + step])) {
        last = at + step;
        step *= 2;
    }
    const auto hi = std::partition_point(sorted.begin() + static_cast<std::ptrdiff_t>(last + 1),
                                         sorted.begin() + static_cast<std::ptrdiff_t>(std::min(n, at + step)), above);
    const auto below = [&](double v) { return q - v > r; };  // true, then false, up to `at`
    step = 1;
    std::size_t first = at;
    while (step <= at && !below(sorted[at - step])) {
        first = at - step;
        step *= 2;
    }
    const auto lo = std::partition_point(sorted.begin() + static_cast<std::ptrdiff_t>(step <= at ? at - step : 0),
                                         sorted.begin() + static_cast<std::ptrdiff_t>(first), below);
    return static_cast<std::size_t>(hi - lo);
}

// The rows of one side, searched by distance from each of them: sorted values (with each row's
// place among them) in one dimension, else a tree.
class marginal {
public:
    explicit marginal(matrix_view<const double> m) : d_(m.cols), rows_(m) {
        if (d_ == 1) {
            std::vector<std::pair<double, std::size_t>> order(m.rows);
            for (std::size_t i = 0; i < m.rows; ++i) order[i] = {m.row(i)[0], i};
            std::sort(order.begin(), order.end());
            sorted_.resize(m.rows);
            place_.resize(m.rows);
            for (std::size_t p = 0; p < m.rows; ++p) {
                sorted_[p] = order[p].first;
                place_[order[p].second] = p;
            }
        } else {
            tree_.emplace(m);
        }
    }
    // Rows at distance <= r from row i, row i included.
    std::size_t count(std::size_t i, double r) const {
        return d_ == 1 ? count_around(sorted_, place_[i], r) : tree_->count_within(rows_.row(i), r);
    }

private:
    std::size_t d_;
    matrix_view<const double> rows_;
    std::vector<double> sorted_;
    std::vector<std::size_t> place_;
    std::optional<chebyshev_tree> tree_;
};

double chebyshev(const double* a, const double* b, std::size_t d) {
    double dist = 0.0;
    for (std::size_t j = 0; j < d; ++j) dist = std::max(dist, std::fabs(a[j] - b[j]));
    return dist;
}

// Items [0, n) in chunks over the threads (per-item work is small).
template <class Body>
void for_chunks(std::size_t n, unsigned threads, Body&& body) {
    constexpr std::size_t chunk = 256;
    const unsigned workers = n < 4 * chunk ? 1u : kldiv::detail::worker_count(threads);
    kldiv::detail::parallel_for((n + chunk - 1) / chunk, workers, [&](std::size_t c, unsigned) {
        for (std::size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) body(i);
    });
}

// KSG in nats on compact x (n×dx) and y (n×dy).
// `my`, when given, is y's marginal already built (the same y against many columns).
double ksg_nats(std::span<const double> xs, std::size_t dx, std::span<const double> ys, std::size_t dy, std::size_t k,
                ksg_method method, unsigned threads, const marginal* y_marginal = nullptr) {
    const std::size_t n = xs.size() / dx, d = dx + dy;
    std::vector<double> zs(n * d);
    for (std::size_t i = 0; i < n; ++i) {
        std::copy_n(xs.data() + i * dx, dx, zs.data() + i * d);
        std::copy_n(ys.data() + i * dy, dy, zs.data() + i * d + dx);
    }
    const chebyshev_tree joint(matrix_view<const double>(zs.data(), n, d));
    const marginal mx(matrix_view<const double>(xs.data(), n, dx));
    std::optional<marginal> own_y;
    if (y_marginal == nullptr) own_y.emplace(matrix_view<const double>(ys.data(), n, dy));
    const marginal& my = y_marginal != nullptr ? *y_marginal : *own_y;
    std::vector<std::size_t> nx(n), ny(n);
    for_chunks(n, threads, [&](std::size_t p) {  // in the tree's leaf order
        double dist[64];
        std::size_t rows[64];
        const std::span<double> distances(dist, k);
        const std::size_t i = joint.row_at(p);
        const double* z = joint.coordinates_at(p);
        if (method == ksg_method::ksg_1) {
            joint.nearest(z, i, distances, {});
            const double r = std::nextafter(distances[k - 1], 0.0);  // < ε (≤ 0 where ε = 0)
            nx[i] = mx.count(i, r) - 1;
            ny[i] = my.count(i, r) - 1;
        } else {
            joint.nearest(z, i, distances, std::span<std::size_t>(rows, k));
            double ex = 0.0, ey = 0.0;
            for (std::size_t j = 0; j < k; ++j) {
                ex = std::max(ex, chebyshev(z, zs.data() + rows[j] * d, dx));
                ey = std::max(ey, chebyshev(z + dx, zs.data() + rows[j] * d + dx, dy));
            }
            nx[i] = mx.count(i, ex) - 1;
            ny[i] = my.count(i, ey) - 1;
        }
    });
    const std::vector<double> psi = digamma_table(n + 2);
    const std::size_t shift = method == ksg_method::ksg_1 ? 1 : 0;
    kldiv::detail::compensated_sum marginals;
    for (std::size_t i = 0; i < n; ++i) {
        marginals.add(psi[nx[i] + shift]);
        marginals.add(psi[ny[i] + shift]);
    }
    const double base = boost::math::digamma(static_cast<double>(k)) + psi[n] -
                        (method == ksg_method::ksg_2 ? 1.0 / static_cast<double>(k) : 0.0);
    return base - marginals.value() / static_cast<double>(n);
}

// The rows of each label, in increasing label order.
std::vector<std::vector<std::size_t>> groups_of(std::span<const std::int64_t> labels) {
    std::map<std::int64_t, std::vector<std::size_t>> classes;
    for (std::size_t i = 0; i < labels.size(); ++i) classes[labels[i]].push_back(i);
    std::vector<std::vector<std::size_t>> out;
    out.reserve(classes.size());
    for (auto& entry : classes) out.push_back(std::move(entry.second));
    return out;
}

// Ross in nats on compact x (n×d) and the rows of each label.
double ross_nats(std::span<const double> xs, std::size_t d, const std::vector<std::vector<std::size_t>>& classes,
                 std::size_t k, unsigned threads) {
    const std::size_t n = xs.size() / d;
    std::vector<std::size_t> kept;  // points whose label occurs more than once
    std::vector<double> radius(n, 0.0);
    std::vector<std::size_t> k_of(n, 0), label_count(n, 0);
    for (const std::vector<std::size_t>& members : classes) {
        if (members.size() < 2) continue;
        const std::vector<double> own = rows_of(matrix_view<const double>(xs.data(), n, d), members);
        const chebyshev_tree tree(matrix_view<const double>(own.data(), members.size(), d));
        const std::size_t kc = std::min(k, members.size() - 1);
        for_chunks(members.size(), threads, [&](std::size_t m) {
            double dist[64];
            tree.nearest(own.data() + m * d, m, std::span<double>(dist, kc), {});
            radius[members[m]] = std::nextafter(dist[kc - 1], 0.0);
        });
        for (const std::size_t i : members) {
            k_of[i] = kc;
            label_count[i] = members.size();
            kept.push_back(i);
        }
    }
    if (kept.empty()) {
        throw error("mutual_information_mixed",
                    "no label occurs twice, but each point needs a neighbour with its "
                    "label");
    }
    std::sort(kept.begin(), kept.end());
    const std::vector<double> all = rows_of(matrix_view<const double>(xs.data(), n, d), kept);
    const marginal points(matrix_view<const double>(all.data(), kept.size(), d));
    std::vector<std::size_t> m_of(kept.size());
    for_chunks(kept.size(), threads, [&](std::size_t j) { m_of[j] = points.count(j, radius[kept[j]]); });
    const std::vector<double> psi = digamma_table(n + 2);
    kldiv::detail::compensated_sum terms;
    for (std::size_t j = 0; j < kept.size(); ++j) {
        const std::size_t i = kept[j];
        terms.add(psi[k_of[i]]);
        terms.add(-psi[label_count[i]]);
        terms.add(-psi[m_of[j]]);
    }
    return psi[kept.size()] + terms.value() / static_cast<double>(kept.size());
}

// Discrete: the MI of the joint table (rows × cols, row-major counts) as the estimator says, nats.
double counts_nats(std::span<const double> joint, std::size_t rows, std::size_t cols, count_estimator method) {
    const bool miller_madow = method == count_estimator::miller_madow;
    const std::vector<double> theta =
        probabilities_from_counts(joint, miller_madow ? count_estimator::plug_in : method);
    std::vector<double> px(rows, 0.0), py(cols, 0.0);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) {
            px[i] += theta[i * cols + j];
            py[j] += theta[i * cols + j];
        }
    }
    std::vector<double> product(rows * cols);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) product[i * cols + j] = px[i] * py[j];
    }
    const std::span<const double> t(theta), q(product);
    double mi = kldiv::detail::kl_nats(t, kldiv::detail::exact_sum(t), q, kldiv::detail::exact_sum(q));
    if (miller_madow) {
        double total = 0.0;
        std::size_t cells = 0;
        std::vector<bool> row_used(rows, false), col_used(cols, false);
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) {
                const double c = joint[i * cols + j];
                total += c;
                if (c > 0.0) {
                    ++cells;
                    row_used[i] = col_used[j] = true;
                }
            }
        }
        const auto used = [](const std::vector<bool>& v) {
            return static_cast<double>(std::count(v.begin(), v.end(), true));
        };
        mi += (used(row_used) + used(col_used) - static_cast<double>(cells) - 1.0) / (2.0 * total);
    }
    return mi;
}

// Labels → indices 0 … levels−1 (in increasing label order).
std::vector<std::size_t> codes_of(std::span<const std::int64_t> labels, std::size_t& levels) {
    std::vector<std::int64_t> sorted(labels.begin(), labels.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    levels = sorted.size();
    std::vector<std::size_t> codes(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        codes[i] = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), labels[i]) - sorted.begin());
    }
    return codes;
}

std::vector<double> joint_table(std::span<const std::size_t> x, std::size_t rows, std::span<const std::size_t> y,
                                std::size_t cols, std::span<const std::size_t> x_pick,
                                std::span<const std::size_t> y_pick) {
    std::vector<double> table(rows * cols, 0.0);
    for (std::size_t i = 0; i < x_pick.size(); ++i) table[x[x_pick[i]] * cols + y[y_pick[i]]] += 1.0;
    return table;
}

// The statistic of the data with x's rows x_pick[i] paired with y's rows y_pick[i].
using paired_statistic = std::function<double(std::span<const std::size_t>, std::span<const std::size_t>, unsigned)>;

// Uncertainty of a paired statistic: bootstrap percentile interval and permutation test.
void resample(const char* function, std::size_t n, double observed, const paired_statistic& statistic,
              const mutual_information_options& opts, mutual_information_result& out) {
    if (opts.bootstrap) {
        const bootstrap_options& b = *opts.bootstrap;
        if (b.method != interval_method::percentile) {
            throw error(function, "bootstrap method = " + name(b.method) +
                                      ", but mutual information has percentile intervals only");
        }
        if (!(b.level > 0.0 && b.level < 1.0)) {
            throw error(function, "level = " + kldiv::detail::to_text(b.level) + ", but it must lie in (0, 1)");
        }
        if (b.resamples < 1 || b.resamples > max_resamples) {
            throw error(function, "resamples = " + std::to_string(b.resamples) + ", but it must be in [1, " +
                                      std::to_string(max_resamples) + "]");
        }
        std::vector<double> values(b.resamples);
        kldiv::detail::progress_counter done(b.progress, b.resamples);
        kldiv::detail::parallel_for(b.resamples, kldiv::detail::worker_count(b.threads), [&](std::size_t r, unsigned) {
            random_stream stream(b.seed, r);
            std::vector<std::size_t> pick(n);
            for (std::size_t& i : pick) i = static_cast<std::size_t>(stream.uniform() * static_cast<double>(n));
            values[r] = statistic(pick, pick, 1);
            done.add();
        });
        std::sort(values.begin(), values.end());
        const double alpha = 1.0 - b.level, count = static_cast<double>(b.resamples);
        const auto at = [&](double position) {
            const double k = std::clamp(position, 1.0, count);
            return values[static_cast<std::size_t>(k) - 1];
        };
        out.value.interval = {opts.base.from_nats(at(std::floor((count + 1.0) * alpha / 2.0))),
                              opts.base.from_nats(at(std::ceil((count + 1.0) * (1.0 - alpha / 2.0)))), b.level,
                              b.resamples};
    }
    if (opts.permutation) {
        const permutation_options& p = *opts.permutation;
        if (p.permutations < 1 || p.permutations > max_resamples) {
            throw error(function, "permutations = " + std::to_string(p.permutations) + ", but it must be in [1, " +
                                      std::to_string(max_resamples) + "]");
        }
        std::vector<unsigned char> exceeded(p.permutations);
        kldiv::detail::progress_counter done(p.progress, p.permutations);
        std::vector<std::size_t> identity(n);
        std::iota(identity.begin(), identity.end(), std::size_t{0});
        kldiv::detail::parallel_for(
            p.permutations, kldiv::detail::worker_count(p.threads), [&](std::size_t r, unsigned) {
                random_stream stream(p.seed, r);
                std::vector<std::size_t> shuffled = identity;
                for (std::size_t i = n; i > 1; --i) {  // Fisher–Yates
                    const auto j = static_cast<std::size_t>(stream.uniform() * static_cast<double>(i));
                    std::swap(shuffled[i - 1], shuffled[j]);
                }
                exceeded[r] = statistic(identity, shuffled, 1) >= observed;
                done.add();
            });
        const auto at_least = static_cast<double>(std::count(exceeded.begin(), exceeded.end(), 1));
        out.test = permutation_result{opts.base.from_nats(observed),
                                      (1.0 + at_least) / (1.0 + static_cast<double>(p.permutations)), p.permutations};
    }
}

void check_samples(const char* function, const char* name, matrix_view<const double> m, std::size_t n) {
    if (m.rows != n) {
        throw error(function, std::string(name) + " has " + std::to_string(m.rows) + " rows and the other side " +
                                  std::to_string(n) + ", but the observations must be paired (one row each)");
    }
    if (m.cols == 0) throw error(function, std::string(name) + " has 0 columns, but a sample needs at least one");
    for (std::size_t i = 0; i < m.rows; ++i) {
        for (std::size_t j = 0; j < m.cols; ++j) {
            const double v = m.row(i)[j];
            if (!std::isfinite(v)) {
                throw error(function, std::string(name) + "[" + std::to_string(i) + ", " + std::to_string(j) +
                                          "] = " + kldiv::detail::to_text(v) + ", but samples must be finite");
            }
        }
    }
}

// Resampled rows repeat, and repeated rows have distance 0: the neighbour counts of a bootstrap
// resample measure something else (the intervals landed far above the estimate), so the kNN
// estimators offer the permutation test only.
void refuse_bootstrap(const char* function, const mutual_information_options& opts) {
    if (opts.bootstrap) {
        throw error(function,
                    "a bootstrap interval is asked for, but resampled rows repeat and break the "
                    "nearest-neighbour counts: ask for the permutation test, or use the discrete estimators");
    }
}

void check_k(const char* function, std::size_t k, std::size_t n) {
    if (k < 1 || k > 64) {
        throw error(function, "k = " + std::to_string(k) + ", but it must be in [1, 64]");
    }
    if (k >= n) {
        throw error(function, "k = " + std::to_string(k) + " with " + std::to_string(n) +
                                  " observations, but k must be below the number of observations");
    }
}

}  // namespace

mutual_information_result mutual_information_knn(matrix_view<const double> x, matrix_view<const double> y,
                                                 const mutual_information_options& opts) {
    const char* function = "mutual_information_knn";
    const std::size_t n = x.rows;
    check_samples(function, "x", x, n);
    check_samples(function, "y", y, n);
    check_k(function, opts.k, n);
    refuse_bootstrap(function, opts);
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    const paired_statistic statistic = [&](std::span<const std::size_t> xp, std::span<const std::size_t> yp,
                                           unsigned threads) {
        const std::vector<double> xs = rows_of(x, xp), ys = rows_of(y, yp);
        return ksg_nats(xs, x.cols, ys, y.cols, opts.k, opts.method, threads);
    };
    const double nats = statistic(all, all, opts.threads);
    mutual_information_result out;
    out.value = {opts.base.from_nats(nats),
                 estimator::knn,
                 std::string(opts.method == ksg_method::ksg_1 ? "Kraskov-Stoegbauer-Grassberger 1"
                                                              : "Kraskov-Stoegbauer-Grassberger 2") +
                     ", k=" + std::to_string(opts.k),
                 {}};
    resample(function, n, nats, statistic, opts, out);
    return out;
}

mutual_information_result mutual_information_mixed(matrix_view<const double> x, std::span<const std::int64_t> labels,
                                                   const mutual_information_options& opts) {
    const char* function = "mutual_information_mixed";
    const std::size_t n = labels.size();
    check_samples(function, "x", x, n);
    if (opts.k < 1 || opts.k > 64)
        throw error(function, "k = " + std::to_string(opts.k) + ", but it must be in [1, 64]");
    refuse_bootstrap(function, opts);
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    const paired_statistic statistic = [&](std::span<const std::size_t> xp, std::span<const std::size_t> yp,
                                           unsigned threads) {
        const std::vector<double> xs = rows_of(x, xp);
        std::vector<std::int64_t> ls(yp.size());
        for (std::size_t i = 0; i < yp.size(); ++i) ls[i] = labels[yp[i]];
        return ross_nats(xs, x.cols, groups_of(ls), opts.k, threads);
    };
    const double nats = statistic(all, all, opts.threads);
    mutual_information_result out;
    out.value = {opts.base.from_nats(nats), estimator::knn, "Ross, k=" + std::to_string(opts.k), {}};
    resample(function, n, nats, statistic, opts, out);
    return out;
}

mutual_information_result mutual_information_counts(matrix_view<const double> joint_counts,
                                                    const mutual_information_options& opts) {
    const char* function = "mutual_information_counts";
    const std::size_t rows = joint_counts.rows, cols = joint_counts.cols;
    if (rows == 0 || cols == 0) throw error(function, "the joint table is empty, but it needs at least one cell");
    std::vector<double> table(rows * cols);
    double total = 0.0;
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) {
            const double c = joint_counts.row(i)[j];
            if (!(c >= 0.0 && std::isfinite(c))) {
                throw error(function, "joint_counts[" + std::to_string(i) + ", " + std::to_string(j) +
                                          "] = " + kldiv::detail::to_text(c) + ", but counts must be finite and >= 0");
            }
            table[i * cols + j] = c;
            total += c;
        }
    }
    if (!(total > 0.0)) throw error(function, "the joint counts sum to 0, but an estimate needs observations");
    const double nats = counts_nats(table, rows, cols, opts.counts);
    mutual_information_result out;
    out.value = {opts.base.from_nats(nats), estimator::counts, name(opts.counts, '-'), {}};
    if (opts.bootstrap || opts.permutation) {
        // Resampled as the observations the table counts (each cell's count must be a whole number).
        std::vector<std::size_t> xs, ys;
        for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < cols; ++j) {
                const double c = table[i * cols + j];
                if (c != std::floor(c) || c > 1e8) {
                    throw error(function, "joint_counts[" + std::to_string(i) + ", " + std::to_string(j) +
                                              "] = " + kldiv::detail::to_text(c) +
                                              ", but resampling needs whole counts (at most 1e8)");
                }
                xs.insert(xs.end(), static_cast<std::size_t>(c), i);
                ys.insert(ys.end(), static_cast<std::size_t>(c), j);
            }
        }
        const paired_statistic statistic = [&](std::span<const std::size_t> xp, std::span<const std::size_t> yp,
                                               unsigned) {
            return counts_nats(joint_table(xs, rows, ys, cols, xp, yp), rows, cols, opts.counts);
        };
        resample(function, xs.size(), nats, statistic, opts, out);
    }
    return out;
}

mutual_information_result mutual_information_discrete(std::span<const std::int64_t> x_labels,
                                                      std::span<const std::int64_t> y_labels,
                                                      const mutual_information_options& opts) {
    const char* function = "mutual_information_discrete";
    if (x_labels.size() != y_labels.size()) {
        throw error(function, "x has " + std::to_string(x_labels.size()) + " labels and y " +
                                  std::to_string(y_labels.size()) + ", but the observations must be paired");
    }
    if (x_labels.empty()) throw error(function, "no observations are given, but an estimate needs at least one");
    std::size_t rows = 0, cols = 0;
    const std::vector<std::size_t> xs = codes_of(x_labels, rows), ys = codes_of(y_labels, cols);
    std::vector<std::size_t> all(xs.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    const std::vector<double> table = joint_table(xs, rows, ys, cols, all, all);
    const double nats = counts_nats(table, rows, cols, opts.counts);
    mutual_information_result out;
    out.value = {opts.base.from_nats(nats), estimator::counts, name(opts.counts, '-'), {}};
    const paired_statistic statistic = [&](std::span<const std::size_t> xp, std::span<const std::size_t> yp, unsigned) {
        return counts_nats(joint_table(xs, rows, ys, cols, xp, yp), rows, cols, opts.counts);
    };
    resample(function, xs.size(), nats, statistic, opts, out);
    return out;
}

namespace {

// Column j of x as labels (its values must be whole numbers), for a discrete column.
std::vector<std::int64_t> labels_of_column(const char* function, matrix_view<const double> x, std::size_t j) {
    std::vector<std::int64_t> out(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) {
        const double v = x.row(i)[j];
        if (!(std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 0x1p62)) {
            throw error(function, "x[" + std::to_string(i) + ", " + std::to_string(j) +
                                      "] = " + kldiv::detail::to_text(v) +
                                      ", but a discrete column holds labels: whole numbers below 2^62");
        }
        out[i] = static_cast<std::int64_t>(v);
    }
    return out;
}

std::vector<double> column_of(matrix_view<const double> x, std::size_t j) {
    std::vector<double> out(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) out[i] = x.row(i)[j];
    return out;
}

// The loop over the columns: `one(j, threads)` gives column j's value in nats. Columns run side by
// side on one thread each when there are at least as many as threads, else one after the other on
// all of them.
template <class One>
std::vector<double> over_columns(const char* function, matrix_view<const double> x,
                                 std::span<const std::uint8_t> discrete, const mutual_information_options& opts,
                                 One&& one) {
    if (opts.bootstrap || opts.permutation) {
        throw error(function,
                    "a bootstrap or a permutation test is asked for, but the feature ranking computes "
                    "estimates only: ask mutual_information_knn (or _mixed, _discrete) for one column");
    }
    if (!discrete.empty() && discrete.size() != x.cols) {
        throw error(function, "discrete has " + std::to_string(discrete.size()) + " entries for " +
                                  std::to_string(x.cols) + " columns, but it needs one per column (or none)");
    }
    if (opts.k < 1 || opts.k > 64)
        throw error(function, "k = " + std::to_string(opts.k) + ", but it must be in [1, 64]");
    std::vector<double> out(x.cols);
    const unsigned workers = kldiv::detail::worker_count(opts.threads);
    const bool side_by_side = x.cols >= workers;
    kldiv::detail::parallel_for(x.cols, side_by_side ? workers : 1u, [&](std::size_t j, unsigned) {
        out[j] = opts.base.from_nats(one(j, !discrete.empty() && discrete[j] != 0, side_by_side ? 1u : opts.threads));
    });
    return out;
}

}  // namespace

std::vector<double> mutual_information_columns(matrix_view<const double> x, std::span<const double> y,
                                               std::span<const std::uint8_t> discrete,
                                               const mutual_information_options& opts) {
    const char* function = "mutual_information_columns";
    const std::size_t n = y.size();
    check_samples(function, "x", x, n);
    check_samples(function, "y", matrix_view<const double>(y.data(), n, 1), n);
    check_k(function, opts.k, n);
    const marginal target(matrix_view<const double>(y.data(), n, 1));
    return over_columns(function, x, discrete, opts, [&](std::size_t j, bool labels, unsigned threads) {
        if (labels) return ross_nats(y, 1, groups_of(labels_of_column(function, x, j)), opts.k, threads);
        return ksg_nats(column_of(x, j), 1, y, 1, opts.k, opts.method, threads, &target);
    });
}

std::vector<double> mutual_information_columns(matrix_view<const double> x, std::span<const std::int64_t> labels,
                                               std::span<const std::uint8_t> discrete,
                                               const mutual_information_options& opts) {
    const char* function = "mutual_information_columns";
    const std::size_t n = labels.size();
    check_samples(function, "x", x, n);
    const std::vector<std::vector<std::size_t>> classes = groups_of(labels);
    std::size_t levels = 0;
    const std::vector<std::size_t> codes = codes_of(labels, levels);
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    return over_columns(function, x, discrete, opts, [&](std::size_t j, bool discrete_column, unsigned threads) {
        if (!discrete_column) return ross_nats(column_of(x, j), 1, classes, opts.k, threads);
        std::size_t rows = 0;
        const std::vector<std::size_t> xs = codes_of(labels_of_column(function, x, j), rows);
        return counts_nats(joint_table(xs, rows, codes, levels, all, all), rows, levels, opts.counts);
    });
}

}  // namespace kldiv::estimate
