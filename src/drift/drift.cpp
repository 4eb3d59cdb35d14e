#include "kldiv/drift/drift.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/common/progress_counter.hpp"

namespace kldiv::drift {
namespace {

constexpr const char* function = "drift";
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool categorical(io::column_type t) noexcept { return t != io::column_type::numeric; }

std::string in_quotes(std::string_view name) { return "\"" + std::string(name) + "\""; }

// "a, b, c" (the first 20).
std::string names_list(const table_view& t) {
    std::string out;
    for (std::size_t j = 0; j < t.columns.size() && j < 20; ++j)
        out += (j ? ", " : "") + std::string(t.columns[j].name);
    if (t.columns.size() > 20) out += ", ... (" + std::to_string(t.columns.size()) + " in all)";
    return out;
}

const column_view* find(const table_view& t, std::string_view name) noexcept {
    for (const column_view& c : t.columns) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

void check(const drift_options& o) {
    if (!(o.alpha > 0.0 && o.alpha < 1.0)) {
        throw error(function, "alpha = " + detail::to_text(o.alpha) + ", but the false-alarm rate must be in (0, 1)");
    }
    if (o.window_rows > 0 && !o.time_column.empty()) {
        throw error(function, "window_rows = " + std::to_string(o.window_rows) + " and time_column = " +
                                  in_quotes(o.time_column) + ", but windows are by rows or by time, not both");
    }
    if (!o.time_column.empty() && !(o.window_seconds > 0.0 && std::isfinite(o.window_seconds))) {
        throw error(function, "window_seconds = " + detail::to_text(o.window_seconds) +
                                  ", but windows by time need a finite width > 0");
    }
    if (o.time_column.empty() && o.window_seconds != 0.0) {
        throw error(function, "window_seconds = " + detail::to_text(o.window_seconds) +
                                  ", but it needs time_column (the column holding each row's time)");
    }
}

// The reference's columns that `o` selects, in table order.
std::vector<const column_view*> selected(const table_view& t, const drift_options& o) {
    for (std::size_t j = 0; j < t.columns.size(); ++j) {
        for (std::size_t k = 0; k < j; ++k) {
            if (t.columns[k].name == t.columns[j].name) {
                throw error(function, "the reference has two columns named " + in_quotes(t.columns[j].name) +
                                          ", but column names must be distinct");
            }
        }
    }
    for (const auto& [list, option] : {std::pair{&o.columns, "columns"}, std::pair{&o.exclude, "exclude"}}) {
        for (const std::string& name : *list) {
            if (find(t, name) == nullptr) {
                throw error(function, std::string(option) + " names " + in_quotes(name) +
                                          ", but the reference has no such column (its columns: " + names_list(t) +
                                          ")");
            }
        }
    }
    std::vector<const column_view*> out;
    for (const column_view& c : t.columns) {
        const auto named_in = [&](const std::vector<std::string>& list) {
            return std::find(list.begin(), list.end(), c.name) != list.end();
        };
        if (!o.columns.empty() && !named_in(o.columns)) continue;
        if (named_in(o.exclude) || c.name == o.time_column) continue;
        out.push_back(&c);
    }
    if (out.empty())
        throw error(function, "no column is left to compare (the reference's columns: " + names_list(t) + ")");
    return out;
}

// A window: its label, its span, and its rows (a range, or a list).
struct window {
    std::string label;
    double start = 0.0, end = 0.0;
    std::size_t begin = 0, stop = 0;  // rows [begin, stop) when `rows` is empty
    std::vector<std::size_t> rows;
    bool listed = false;
    std::size_t size() const noexcept { return listed ? rows.size() : stop - begin; }
};

// Each row's time from the time column (NaN where missing).
std::vector<double> times_of(const column_view& c, std::size_t rows) {
    std::vector<double> t(rows, nan);
    if (!categorical(c.type)) {
        for (std::size_t i = 0; i < rows; ++i) t[i] = c.numbers[i * c.stride];
        return t;
    }
    std::vector<double> of_category(c.categories.size(), nan);
    std::vector<char> parsed(c.categories.size(), 0);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::uint32_t code = c.codes[i];
        if (code == io::missing_code) continue;
        if (!parsed[code]) {
            parsed[code] = 1;
            if (!parse_time(c.categories[code], of_category[code])) {
                throw error(function, "time column " + in_quotes(c.name) + ", row " + std::to_string(i + 1) + ": " +
                                          in_quotes(c.categories[code]) +
                                          " is not a date or time (ISO 8601: 2024-01-31, 2024-01-31T12:30:00Z, "
                                          "2024-01-31 12:30:00+02:00) nor a number");
            }
        }
        t[i] = of_category[code];
    }
    return t;
}

std::vector<window> windows_of(const table_view& cur, const drift_options& o, std::size_t& untimed,
                               bool& calendar_time) {
    std::vector<window> out;
    if (o.window_rows == 0 && o.time_column.empty()) {
        window w;
        w.label = "all";
        w.stop = cur.rows;
        w.end = static_cast<double>(cur.rows);
        out.push_back(std::move(w));
        return out;
    }
    if (o.window_rows > 0) {
        const std::size_t count = (cur.rows + o.window_rows - 1) / o.window_rows;
        if (count > max_windows) {
            throw error(function, "window_rows = " + std::to_string(o.window_rows) + " cuts " +
                                      std::to_string(cur.rows) + " rows into " + std::to_string(count) +
                                      " windows, but at most " + std::to_string(max_windows) + " are made");
        }
        for (std::size_t begin = 0; begin < cur.rows; begin += o.window_rows) {
            window w;
            w.begin = begin;
            w.stop = std::min(cur.rows, begin + o.window_rows);
            w.start = static_cast<double>(w.begin);
            w.end = static_cast<double>(w.stop);
            w.label = "rows " + std::to_string(w.begin + 1) + "-" + std::to_string(w.stop);
            out.push_back(std::move(w));
        }
        return out;
    }
    const column_view* tc = find(cur, o.time_column);
    if (tc == nullptr) {
        throw error(function, "time_column = " + in_quotes(o.time_column) +
                                  ", but the current data has no such column (its columns: " + names_list(cur) + ")");
    }
    const std::vector<double> t = times_of(*tc, cur.rows);
    const double w = o.window_seconds;
    double first = std::numeric_limits<double>::infinity(), last = -first;
    for (const double x : t) {
        if (std::isnan(x)) continue;
        if (std::isinf(x)) {
            throw error(function, "time column " + in_quotes(o.time_column) + " holds " + detail::to_text(x) +
                                      ", but times must be finite");
        }
        first = std::min(first, std::floor(x / w));
        last = std::max(last, std::floor(x / w));
    }
    if (first > last) {
        throw error(function, "time column " + in_quotes(o.time_column) + " has no time in any row");
    }
    if (last - first + 1.0 > static_cast<double>(max_windows)) {
        throw error(function, "windows of " + detail::to_text(w) + " over the times of column " +
                                  in_quotes(o.time_column) + " make " + detail::to_text(last - first + 1.0) +
                                  " windows, but at most " + std::to_string(max_windows) +
                                  " are made (a wider window)");
    }
    const auto count = static_cast<std::size_t>(last - first + 1.0);
    out.resize(count);
    const bool calendar = categorical(tc->type) || o.epoch_seconds;
    calendar_time = calendar;
    for (std::size_t k = 0; k < count; ++k) {
        window& win = out[k];
        win.listed = true;
        win.start = (first + static_cast<double>(k)) * w;
        win.end = win.start + w;
        win.label = calendar ? format_time(win.start) : detail::to_text(win.start);
    }
    untimed = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (std::isnan(t[i])) {
            ++untimed;
            continue;
        }
        out[static_cast<std::size_t>(std::floor(t[i] / w) - first)].rows.push_back(i);
    }
    return out;
}

// The measure a column is flagged on, and the threshold (NaN: by the calibrated test).
std::pair<measure, double> decision_of(const drift_options& o, io::column_type type) {
    if (o.decide == rule::calibrated) {
        const measure m = categorical(type) && numeric_only(o.measure) ? measure::chi2 : o.measure;
        return {m, nan};
    }
    threshold_rule r = threshold_of(o.decide);
    if (categorical(type) && r.measure == measure::wasserstein) r.measure = measure::js_distance;
    return {r.measure, r.threshold};
}

column_result measure_column(const column_profile& ref, const column_view& cur, const window& win,
                             const drift_options& o) {
    const column_counts counts =
        win.listed ? count(ref.bins, cur, win.rows) : count(ref.bins, cur, win.begin, win.stop);
    const column_pair pr = pair_of(ref.bins, ref.counts, counts);
    column_result r;
    r.name = ref.bins.name;
    r.type = ref.bins.type;
    r.declared = ref.bins.declared;
    r.continuous = ref.bins.continuous;
    r.tested = decision_of(o, r.type).first;
    r.reference_count = ref.counts.total();
    r.current_count = counts.total();
    r.reference_missing = ref.counts.missing;
    r.current_missing = counts.missing;
    const measure_values values = measures(pr, o.measures);
    const measure_calibration cal = calibrate(pr, {ref.counts.missing, counts.missing}, o.measures, o.calibration);
    for (std::size_t j = 0; j < measure_count; ++j) {
        r.measures[j] = {values[j], cal.expected[j], cal.p_value[j], cal.low[j], cal.high[j]};
    }
    r.missing_p_value = cal.missing_p_value;
    r.permutations = cal.permutations;
    r.bounds = bounds(pr);
    for (std::size_t j = 0; j < ref.bins.report_bins(); ++j) r.labels.push_back(bin_label(ref.bins, j));
    r.reference_counts = report_counts(ref.bins, ref.counts.counts);
    r.current_counts = report_counts(ref.bins, counts.counts);
    r.contributions = contributions(pr, r.tested, o.measures);
    if (!categorical(r.type)) {
        r.edges = ref.bins.edges;
        r.reference_fine = ref.counts.counts;
        r.current_fine = counts.counts;
        r.reference_min = ref.counts.min;
        r.reference_max = ref.counts.max;
        r.current_min = counts.min;
        r.current_max = counts.max;
    }
    return r;
}

void decide(window_result& w, const drift_options& o) {
    std::vector<double> p;
    for (const column_result& c : w.columns) p.push_back(c[c.tested].p_value);
    const std::vector<double> adjusted = adjust(p, o.correct);
    w.drifted = 0;
    for (std::size_t j = 0; j < w.columns.size(); ++j) {
        column_result& c = w.columns[j];
        const auto [m, threshold] = decision_of(o, c.type);
        if (std::isnan(threshold)) {
            c.adjusted_p_value = adjusted[j];
            c.drifted = adjusted[j] <= o.alpha;
        } else {
            c.adjusted_p_value = nan;
            c.drifted = c[m].value >= threshold;
        }
        w.drifted += c.drifted;
    }
    // Ranked: drifted first, then the smaller p-value, then the larger value of the tested measure.
    std::stable_sort(w.columns.begin(), w.columns.end(), [](const column_result& a, const column_result& b) {
        if (a.drifted != b.drifted) return a.drifted;
        const double pa = a[a.tested].p_value, pb = b[b.tested].p_value;
        if (pa < pb || (std::isnan(pb) && !std::isnan(pa))) return true;
        if (pb < pa || (std::isnan(pa) && !std::isnan(pb))) return false;
        return a[a.tested].value > b[b.tested].value;
    });
}

}  // namespace

threshold_rule threshold_of(rule r) {
    switch (r) {
        case rule::psi_0_1:
            return {measure::psi, 0.1};
        case rule::psi_0_25:
            return {measure::psi, 0.25};
        case rule::js_distance_0_1:
            return {measure::js_distance, 0.1};
        case rule::wasserstein_0_1:
            return {measure::wasserstein, 0.1};
        case rule::hellinger_0_1:
            return {measure::hellinger, 0.1};
        case rule::calibrated:
            break;
    }
    throw error(function, "the calibrated rule has no fixed threshold");
}

const column_profile* profile::find(std::string_view name) const noexcept {
    for (const column_profile& c : columns) {
        if (c.bins.name == name) return &c;
    }
    return nullptr;
}

profile make_profile(const table_view& reference, const drift_options& opts) {
    check(opts);
    const std::vector<const column_view*> columns = selected(reference, opts);
    if (reference.rows == 0) throw error(function, "the reference has no rows, but drift needs data to compare with");
    profile p;
    p.rows = reference.rows;
    p.binning = opts.binning;
    p.columns.resize(columns.size());
    detail::parallel_for(columns.size(), detail::worker_count(opts.threads), [&](std::size_t j, unsigned) {
        column_profile& c = p.columns[j];
        c.bins = make_bins(*columns[j], 0, reference.rows, opts.binning);
        c.counts = count(c.bins, *columns[j], 0, reference.rows);
    });
    return p;
}

drift_result compare(const profile& reference, const table_view& current, const drift_options& o) {
    check(o);
    if (current.rows == 0) throw error(function, "the current data has no rows, but drift needs data to compare");
    std::vector<const column_view*> matched;
    for (const column_profile& c : reference.columns) {
        const column_view* cur = find(current, c.bins.name);
        if (cur == nullptr) {
            throw error(function, "the reference's column " + in_quotes(c.bins.name) +
                                      " is not in the current data (its columns: " + names_list(current) +
                                      "); leave it out with exclude");
        }
        if (categorical(cur->type) != categorical(c.bins.type)) {
            throw error(function, "column " + in_quotes(c.bins.name) + " is " + name(c.bins.type) +
                                      " in the reference but " + name(cur->type) +
                                      " in the current data, but both sides must hold numbers or both categories");
        }
        matched.push_back(cur);
    }
    drift_result result;
    result.reference_rows = reference.rows;
    result.current_rows = current.rows;
    const std::vector<window> windows = windows_of(current, o, result.rows_without_time, result.calendar);
    const std::size_t columns = reference.columns.size();
    detail::progress_counter progress(o.progress, static_cast<std::uint64_t>(windows.size() * columns));
    result.windows.resize(windows.size());
    for (std::size_t k = 0; k < windows.size(); ++k) {
        window_result& w = result.windows[k];
        w.label = windows[k].label;
        w.start = windows[k].start;
        w.end = windows[k].end;
        w.rows = windows[k].size();
        if (w.rows == 0) {
            progress.add(columns);
            continue;
        }
        w.columns.resize(columns);
        detail::parallel_for(columns, detail::worker_count(o.threads), [&](std::size_t j, unsigned) {
            w.columns[j] = measure_column(reference.columns[j], *matched[j], windows[k], o);
            progress.add();
        });
        decide(w, o);
    }
    return result;
}

drift_result compare(const table_view& reference, const table_view& current, const drift_options& opts) {
    return compare(make_profile(reference, opts), current, opts);
}

}  // namespace kldiv::drift
