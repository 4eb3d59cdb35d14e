#include "kldiv/divergence_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "src/batch/log_space_events.hpp"
#include "src/batch/prob_pair_events.hpp"
#include "src/common/exact_sum.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/core/divergence_terms.hpp"
#include "src/core/validate.hpp"

namespace kldiv {

bool is_symmetric(measure m, const options& opts) noexcept {
    switch (m) {
        case measure::jeffreys:
        case measure::squared_hellinger:
        case measure::hellinger:
        case measure::total_variation:
        case measure::bhattacharyya:
        case measure::triangular:
            return true;
        case measure::js_divergence:
        case measure::js_distance:
            return opts.beta == 0.5;
        case measure::renyi_divergence:
        case measure::tsallis_divergence:
            return opts.alpha == 0.5;  // D_½ = −2 ln Σ √(pq), T_½ = 2(1 − Σ √(pq))
        default:
            return false;
    }
}

namespace {

using detail::double_double;

bool log_space(const batch_options& o) { return o.input != input_kind::probs; }

// One matrix's rows, validated: probability rows keep their exact sums; smoothed rows are
// materialized (p̂ + ε for each event, as the one-pair functions smooth).
template <class T>
struct prepared_rows {
    matrix_view<const T> m;
    std::vector<double_double> sums;
    std::vector<double> smoothed;  // rows × cols, under on_zero = smooth
};

template <class T>
prepared_rows<T> prepare(const char* fn, const char* name, matrix_view<const T> m, const batch_options& o) {
    prepared_rows<T> out{m, std::vector<double_double>(m.rows), {}};
    const bool smooth = o.measure.on_zero == zero_support::smooth;
    if (smooth) out.smoothed.resize(m.rows * m.cols);
    for (std::size_t i = 0; i < m.rows; ++i) {
        const std::string row = std::string(name) + "[" + std::to_string(i) + "]";
        const T* v = m.row(i);
        if (!log_space(o)) {
            const std::span<const T> values(v, m.cols);
            out.sums[i] = detail::validated_sum(fn, row.c_str(), values, o.measure);
            if (smooth) {
                const std::vector<double> s = detail::smoothed(values, out.sums[i], o.measure.epsilon);
                std::copy(s.begin(), s.end(), out.smoothed.begin() + static_cast<std::ptrdiff_t>(i * m.cols));
            }
            continue;
        }
        bool any = false;
        for (std::size_t j = 0; j < m.cols; ++j) {
            const double x = static_cast<double>(v[j]);
            if (std::isnan(x) || x == INFINITY) {
                throw error(fn, row + "[" + std::to_string(j) + "] = " + detail::to_text(x) + ", but " +
                                    describe(o.input) + " must be finite or -inf");
            }
            any = any || x > -INFINITY;
        }
        if (!any) throw error(fn, row + " has every value -inf, but a distribution needs mass somewhere");
        const detail::log_scale s = detail::log_normalizer(v, m.cols, 1.0 / o.temperature);
        if (o.input == input_kind::log_probs && o.temperature == 1.0 && !o.measure.normalize) {
            const double total = std::exp(s.top + s.log_sum);
            if (!(std::fabs(total - 1.0) <= o.measure.sum_tolerance)) {
                throw error(fn, row + " (exponentiated) sums to " + detail::to_text(total) +
                                    ", but must sum to 1 within " + detail::to_text(o.measure.sum_tolerance) +
                                    " (set normalize to rescale it)");
            }
        }
        if (smooth) {
            for (std::size_t j = 0; j < m.cols; ++j) {
                out.smoothed[i * m.cols + j] = std::exp(s.log_p(static_cast<double>(v[j]))) + o.measure.epsilon;
            }
        }
    }
    if (smooth) {
        for (std::size_t i = 0; i < m.rows; ++i) {
            out.sums[i] = detail::exact_sum(std::span<const double>(out.smoothed.data() + i * m.cols, m.cols));
        }
    }
    return out;
}

// d(row i of a, row j of b) in the unit of the options.
template <class T>
double pair_value(const prepared_rows<T>& a, std::size_t i, const prepared_rows<T>& b, std::size_t j, measure m,
                  const batch_options& o) {
    const std::size_t n = a.m.cols;
    const auto measured = [&](auto pv, double_double sp, auto qv, double_double sq) {
        return detail::divergence_of_vectors(detail::prob_pair(pv, sp, qv, sq), pv, sp, qv, sq, m, o.measure);
    };
    if (!a.smoothed.empty()) {
        return measured(std::span<const double>(a.smoothed.data() + i * n, n), a.sums[i],
                        std::span<const double>(b.smoothed.data() + j * n, n), b.sums[j]);
    }
    if (!log_space(o)) {
        return measured(std::span<const T>(a.m.row(i), n), a.sums[i], std::span<const T>(b.m.row(j), n), b.sums[j]);
    }
    const detail::log_space_events<T> events(a.m.row(i), b.m.row(j), n, 1.0 / o.temperature);
    const double v = detail::divergence_nats(events, m, o.measure, [&](measure family) {
        const double forward =
            family == measure::reverse_kl ? 0.0 : detail::sum_events<true>(events, detail::kl_event_term);
        return family == measure::kl_divergence
                   ? forward
                   : forward + detail::sum_events<true>(events, detail::reverse_kl_event_term);
    });
    if (m == measure::js_distance) return std::sqrt(o.measure.base.from_nats(v * v));
    return in_log_units(m) ? o.measure.base.from_nats(v) : v;
}

template <class T>
void run(matrix_view<const T> a, matrix_view<const T> b, bool same, matrix_view<double> out, measure m,
         const batch_options& o) {
    const char* fn = "divergence_matrix";
    detail::check_options(fn, o.measure);
    check_parameters(fn, m, o.measure);
    if (log_space(o) && !(o.temperature > 0.0 && std::isfinite(o.temperature))) {
        throw error(fn, "temperature = " + detail::to_text(o.temperature) + ", but it must be finite and > 0");
    }
    if (!log_space(o) && o.temperature != 1.0) {
        throw error(fn, "temperature = " + detail::to_text(o.temperature) +
                            ", but a temperature applies only to logits and log_probs input");
    }
    if (a.cols != b.cols) {
        throw error(fn, "a has " + std::to_string(a.cols) + " events and b " + std::to_string(b.cols) +
                            ", but every row needs the same events");
    }
    if (a.cols == 0 && a.rows + b.rows > 0)
        throw error(fn, "rows have 0 events, but a distribution needs at least one");
    if (out.rows != a.rows || out.cols != b.rows || out.row_stride < out.cols ||
        (out.rows * out.cols > 0 && out.data == nullptr)) {
        throw error(fn, "out is " + std::to_string(out.rows) + "x" + std::to_string(out.cols) + ", but it must be " +
                            std::to_string(a.rows) + "x" + std::to_string(b.rows) + " (rows of a × rows of b)");
    }
    const prepared_rows<T> pa = prepare(fn, "a", a, o);
    std::optional<prepared_rows<T>> other;
    if (!same) other.emplace(prepare(fn, "b", b, o));
    const prepared_rows<T>& pb = same ? pa : *other;
    const bool mirror = same && is_symmetric(m, o.measure);
    // Tiles of rows whose pairs are computed together: both tiles' rows fit in about 256 KiB.
    const std::size_t bytes = std::max<std::size_t>(1, a.cols * sizeof(T));
    const std::size_t tile = std::clamp<std::size_t>((std::size_t{1} << 17) / bytes, 1, 64);
    const std::size_t ti = (a.rows + tile - 1) / tile, tj = (b.rows + tile - 1) / tile;
    std::vector<std::pair<std::size_t, std::size_t>> tiles;
    for (std::size_t r = 0; r < ti; ++r) {
        for (std::size_t c = mirror ? r : 0; c < tj; ++c) tiles.push_back({r, c});
    }
    const std::size_t pairs = a.rows * b.rows;
    const unsigned workers = pairs * a.cols < detail::parallel_threshold ? 1u : detail::worker_count(o.rows.threads);
    detail::parallel_for(tiles.size(), workers, [&](std::size_t t, unsigned) {
        const auto [r, c] = tiles[t];
        for (std::size_t i = r * tile; i < std::min(a.rows, (r + 1) * tile); ++i) {
            for (std::size_t j = c * tile; j < std::min(b.rows, (c + 1) * tile); ++j) {
                if (mirror && j < i) continue;
                const double v = mirror && j == i ? 0.0 : pair_value(pa, i, pb, j, m, o);
                out.data[i * out.row_stride + j] = v;
                if (mirror) out.data[j * out.row_stride + i] = v;
            }
        }
    });
}

}  // namespace

void divergence_matrix(matrix_view<const double> a, matrix_view<const double> b, matrix_view<double> out, measure m,
                       const batch_options& opts) {
    run(a, b, false, out, m, opts);
}
void divergence_matrix(matrix_view<const float> a, matrix_view<const float> b, matrix_view<double> out, measure m,
                       const batch_options& opts) {
    run(a, b, false, out, m, opts);
}
void divergence_matrix(matrix_view<const double> a, matrix_view<double> out, measure m, const batch_options& opts) {
    run(a, a, true, out, m, opts);
}
void divergence_matrix(matrix_view<const float> a, matrix_view<double> out, measure m, const batch_options& opts) {
    run(a, a, true, out, m, opts);
}

}  // namespace kldiv
