// drift_html (report/drift_html.hpp).
#include "report/drift_html.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kldiv/names.hpp"
#include "kldiv/version.hpp"
#include "report/drift_json.hpp"
#include "report/html.hpp"
#include "report/json_text.hpp"

namespace kldiv::report {
namespace {

namespace kd = drift;

// Columns drawn one by one; the rest are in the table only.
constexpr std::size_t detailed_columns = 30;
// Columns drawn in the chart of drift over time (the largest values).
constexpr std::size_t charted_columns = 8;

std::string percent_of(double part, double whole) {
    return whole > 0.0 ? format_value(100.0 * part / whole, 3) + " %" : "n/a";
}

std::string rule_text(const kd::drift_options& o) {
    if (o.decide == kd::rule::calibrated) {
        return fmt::format(
            "a column has drifted when the permutation p-value of {} ({}), adjusted across the "
            "columns by {}, is at most {}",
            name(o.measure), o.measures.base.unit(), name(o.correct), format_value(o.alpha, 3));
    }
    const kd::threshold_rule t = kd::threshold_of(o.decide);
    return fmt::format("a column has drifted when {} ≥ {} (the fixed rule {}, whatever the sample sizes)",
                       name(t.measure), format_value(t.threshold, 3), name(o.decide));
}

table ranking(const kd::window_result& w, const kd::drift_options& o) {
    bool several = false;  // tested measures differ (ks or wasserstein, chi2 on categorical columns)
    for (const kd::column_result& c : w.columns) several = several || c.tested != w.columns.front().tested;
    table t;
    t.caption = "Columns ranked by drift (window " + w.label + "); value, expected and p are of " +
                (several ? "the tested measure" : name(w.columns.front().tested));
    t.header = {"column", "type",     "drift", "value", "expected", o.decide == kd::rule::calibrated ? "p (adj.)" : "p",
                "PSI",    "JS dist.", "KS",    "Wass.", "missing"};
    t.numeric = {false, false, false, true, true, true, true, true, true, true, false};
    if (several) {
        t.header.insert(t.header.begin() + 3, "tested");
        t.numeric.insert(t.numeric.begin() + 3, false);
    }
    for (const kd::column_result& c : w.columns) {
        const kd::measure_result& m = c[c.tested];
        std::vector<std::string> row{c.name,
                                     std::string(name(c.type)) + (c.declared ? " (declared)" : ""),
                                     c.drifted ? "DRIFT" : "–",
                                     format_value(m.value),
                                     format_value(m.expected, 3),
                                     format_value(o.decide == kd::rule::calibrated ? c.adjusted_p_value : m.p_value, 3),
                                     format_value(c[kd::measure::psi].value),
                                     format_value(c[kd::measure::js_distance].value),
                                     format_value(c[kd::measure::ks].value),
                                     format_value(c[kd::measure::wasserstein].value),
                                     percent_of(c.reference_missing, c.reference_missing + c.reference_count) + " → " +
                                         percent_of(c.current_missing, c.current_missing + c.current_count)};
        if (several) row.insert(row.begin() + 3, name(c.tested));
        t.rows.push_back(std::move(row));
    }
    return t;
}

// The report bins worth showing: all but a "new" bin empty on both sides.
std::vector<std::size_t> shown_bins(const kd::column_result& c) {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < c.labels.size(); ++k) {
        const bool empty_new = c.type != io::column_type::numeric && k + 1 == c.labels.size() &&
                               c.reference_counts[k] == 0.0 && c.current_counts[k] == 0.0;
        if (!empty_new) out.push_back(k);
    }
    return out;
}

// The tested measure of the most drifting columns over the windows.
std::string over_time(const kd::drift_result& r, const kd::drift_options& o) {
    std::vector<std::string> names;
    std::vector<double> peak;
    for (const kd::window_result& w : r.windows) {
        for (const kd::column_result& c : w.columns) {
            const auto at = std::find(names.begin(), names.end(), c.name);
            const double v = c[c.tested].value;
            if (at == names.end()) {
                names.push_back(c.name);
                peak.push_back(std::isfinite(v) ? v : 0.0);
            } else if (std::isfinite(v)) {
                peak[static_cast<std::size_t>(at - names.begin())] =
                    std::max(peak[static_cast<std::size_t>(at - names.begin())], v);
            }
        }
    }
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return peak[a] > peak[b]; });
    if (order.size() > charted_columns) order.resize(charted_columns);
    const bool by_time = !o.time_column.empty();
    const double origin = r.windows.front().start;
    const double unit = r.calendar ? 86400.0 : 1.0;
    line_chart chart;
    chart.title = "Drift over the windows";
    chart.x_label = r.calendar
                        ? "days since " + r.windows.front().label
                        : (by_time ? o.time_column + " from " + r.windows.front().label : "row of the current data");
    chart.y_label = name(o.measure) + " (tested measure)";
    chart.y_from_zero = true;
    for (const std::size_t j : order) {
        line_series s;
        s.name = names[j];
        for (const kd::window_result& w : r.windows) {
            s.x.push_back((by_time ? w.start - origin : w.start) / unit);
            double v = std::nan("");
            for (const kd::column_result& c : w.columns) {
                if (c.name == names[j]) v = c[c.tested].value;
            }
            s.y.push_back(v);
        }
        // A window between two without rows would be no line at all: a dot.
        for (std::size_t k = 0; k < s.y.size(); ++k) {
            const bool alone =
                (k == 0 || !std::isfinite(s.y[k - 1])) && (k + 1 == s.y.size() || !std::isfinite(s.y[k + 1]));
            if (alone && std::isfinite(s.y[k])) {
                chart.points.push_back({s.x[k], s.y[k], "", palette::series_color(chart.series.size())});
            }
        }
        chart.series.push_back(std::move(s));
    }
    chart.note = "Each point is one window (at its start); a gap is a window without rows. Up to " +
                 std::to_string(charted_columns) + " columns, those reaching the largest values.";
    return render(chart);
}

std::string histogram(const kd::column_result& c) {
    bar_chart chart;
    chart.title = c.name + ": share of each side per bin";
    chart.value_label = "share of the side's values (%)";
    chart.category_label = c.type == io::column_type::numeric ? "bin" : "category";
    std::vector<double> ref, cur;
    for (const std::size_t k : shown_bins(c)) {
        chart.categories.push_back(c.labels[k]);
        ref.push_back(c.reference_count > 0.0 ? 100.0 * c.reference_counts[k] / c.reference_count : std::nan(""));
        cur.push_back(c.current_count > 0.0 ? 100.0 * c.current_counts[k] / c.current_count : std::nan(""));
    }
    chart.series.push_back({"reference", ref, palette::blue});
    chart.series.push_back({"current", cur, palette::orange});
    chart.horizontal = c.labels.size() > 12 || c.type == io::column_type::numeric;
    return render(chart);
}

table moved_bins(const kd::column_result& c) {
    table t;
    t.caption = "Where " + c.name + " moved: bins by their share of " + name(c.tested);
    t.header = {"bin", "reference", "current", "contribution", "share of " + name(c.tested)};
    t.numeric = {false, true, true, true, true};
    std::vector<std::size_t> order = shown_bins(c);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return c.contributions[a] > c.contributions[b]; });
    double all = 0.0;
    for (const double x : c.contributions) all += std::isfinite(x) ? x : 0.0;
    for (std::size_t k = 0; k < order.size() && k < 5; ++k) {
        const std::size_t b = order[k];
        t.rows.push_back({c.labels[b], percent_of(c.reference_counts[b], c.reference_count),
                          percent_of(c.current_counts[b], c.current_count), format_value(c.contributions[b]),
                          percent_of(c.contributions[b], all)});
    }
    return t;
}

}  // namespace

std::string drift_html(const std::string& reference_name, const std::string& current_name, const kd::drift_result& r,
                       const kd::drift_options& o) {
    html_page page("Drift of " + current_name + " against " + reference_name,
                   fmt::format("{} reference rows, {} current rows, {} window{}", r.reference_rows, r.current_rows,
                               r.windows.size(), r.windows.size() == 1 ? "" : "s"));
    const kd::window_result* last = nullptr;
    for (const kd::window_result& w : r.windows) {
        if (w.rows > 0) last = &w;
    }
    std::vector<key_value> head;
    if (last != nullptr) {
        head.push_back({"drifted columns", fmt::format("{} of {}", last->drifted, last->columns.size()),
                        r.windows.size() > 1 ? "in the last window with rows (" + last->label + ")"
                                             : "columns flagged by the rule below"});
    }
    std::size_t windows_with_drift = 0;
    for (const kd::window_result& w : r.windows) windows_with_drift += w.drifted > 0;
    if (r.windows.size() > 1) {
        head.push_back({"windows with drift", fmt::format("{} of {}", windows_with_drift, r.windows.size()),
                        "windows where at least one column drifted"});
    }
    page.summary(head);
    page.raw_html("<p>" + escape(rule_text(o)) +
                  ". The expected value is the measure's mean when both sides come from one distribution, at these "
                  "sample sizes (permutations of the rows); p is the share of permutations reaching the observed "
                  "value.</p>");
    if (r.windows.size() > 1) {
        page.heading("Drift over time");
        page.figure(over_time(r, o), "The tested measure per window for the columns that drift most.");
        table t;
        t.caption = "Windows";
        t.header = {"window", "rows", "drifted columns"};
        t.numeric = {false, true, true};
        for (const kd::window_result& w : r.windows) {
            t.rows.push_back({w.label, std::to_string(w.rows), w.rows ? std::to_string(w.drifted) : "no rows"});
        }
        page.add(t);
    }
    if (last != nullptr) {
        page.heading("Columns");
        page.add(ranking(*last, o));
        page.heading("Column by column");
        for (std::size_t j = 0; j < last->columns.size() && j < detailed_columns; ++j) {
            const kd::column_result& c = last->columns[j];
            page.heading(c.name + (c.drifted ? " — drifted" : ""), 3);
            page.figure(histogram(c), "Reference (blue) and current (orange) shares of each bin" +
                                          std::string(c.type == io::column_type::numeric
                                                          ? "; numeric bins are the reference's quantiles."
                                                          : "; \"new\" holds the categories the reference lacks."));
            page.add(moved_bins(c));
        }
        if (last->columns.size() > detailed_columns) {
            page.raw_html("<p>" + escape(std::to_string(last->columns.size() - detailed_columns)) +
                          " more columns are in the table above and in the data block.</p>");
        }
    }
    page.json_data("kldiv-drift", json_text(drift_json(r, o)));
    page.footer(std::string("kldiv ") + kldiv::version + " drift");
    return page.str();
}

}  // namespace kldiv::report
