#include "kldiv/drift/drift.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"
#include "src/common/parallel.hpp"
#include "src/common/progress_counter.hpp"
#include "src/drift/column_counter.hpp"

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

}  // namespace

void validate(const drift_options& o) {
    validate(o.binning);
    validate(o.measures);
    validate(o.calibration);
    if (!(o.alpha > 0.0 && o.alpha < 1.0)) {
        throw error(function,
                    "alpha = " + kldiv::detail::to_text(o.alpha) + ", but the false-alarm rate must be in (0, 1)");
    }
    if (o.window_rows > 0 && !o.time_column.empty()) {
        throw error(function, "window_rows = " + std::to_string(o.window_rows) + " and time_column = " +
                                  in_quotes(o.time_column) + ", but windows are by rows or by time, not both");
    }
    if (!o.time_column.empty() && !(o.window_seconds > 0.0 && std::isfinite(o.window_seconds))) {
        throw error(function, "window_seconds = " + kldiv::detail::to_text(o.window_seconds) +
                                  ", but windows by time need a finite width > 0");
    }
    if (o.time_column.empty() && o.window_seconds != 0.0) {
        throw error(function, "window_seconds = " + kldiv::detail::to_text(o.window_seconds) +
                                  ", but it needs time_column (the column holding each row's time)");
    }
}

namespace {

// The reference's columns that `o` selects, in table order.
std::vector<const column_view*> selected(const table_view& t, const drift_options& o) {
    std::set<std::string_view> names;
    for (const column_view& c : t.columns) {
        if (!names.insert(c.name).second) {
            throw error(function, "the reference has two columns named " + in_quotes(c.name) +
                                      ", but column names must be distinct");
        }
    }
    for (const auto& [list, option] : {std::pair{&o.columns, "columns"}, std::pair{&o.exclude, "exclude"}}) {
        for (const std::string& name : *list) {
            if (find(t, name) == nullptr) {
                throw error(function, std::string(option) + " = " + in_quotes(name) +
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

// The profile's columns that `o` selects (all of make_profile's, when it made the profile with o).
// Names in exclude need not be the profile's (make_profile left them out already).
std::vector<const column_profile*> chosen(const profile& p, const drift_options& o) {
    for (const std::string& name : o.columns) {
        if (p.find(name) == nullptr) {
            std::string names;
            for (std::size_t j = 0; j < p.columns.size() && j < 20; ++j)
                names += (j ? ", " : "") + p.columns[j].bins.name;
            throw error(function, "columns = " + in_quotes(name) +
                                      ", but the reference has no such column (its columns: " + names + ")");
        }
    }
    std::vector<const column_profile*> out;
    for (const column_profile& c : p.columns) {
        const std::string& n = c.bins.name;
        if (!o.columns.empty() && std::find(o.columns.begin(), o.columns.end(), n) == o.columns.end()) continue;
        if (std::find(o.exclude.begin(), o.exclude.end(), n) != o.exclude.end() || n == o.time_column) continue;
        out.push_back(&c);
    }
    if (out.empty()) throw error(function, "no column of the reference is left to compare");
    return out;
}

// The rows of one window of a current table (a part starting at row `offset` of the whole): a
// range, or a list; `start` and `end` as window_counts has them.
struct window_rows {
    double start = 0.0, end = 0.0;
    std::size_t begin = 0, stop = 0;  // rows [begin, stop) unless listed
    std::vector<std::size_t> rows;
    bool listed = false;
    std::size_t size() const noexcept { return listed ? rows.size() : stop - begin; }
};

// Each row's time from the time column (NaN where missing).
std::vector<double> times_of(const column_view& c, std::size_t rows, std::size_t offset) {
    std::vector<double> t(rows, nan);
    if (!categorical(c.type)) {
        for (std::size_t i = 0; i < rows; ++i) t[i] = c.number(i);
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
                throw error(function, "time column " + in_quotes(c.name) + ", row " + std::to_string(offset + i + 1) +
                                          ": " + in_quotes(c.categories[code]) +
                                          " is not a date or time (ISO 8601: 2024-01-31, 2024-01-31T12:30:00Z, "
                                          "2024-01-31 12:30:00+02:00) nor a number");
            }
        }
        t[i] = of_category[code];
    }
    return t;
}

std::vector<window_rows> windows_of(const table_view& cur, const drift_options& o, std::size_t offset,
                                    current_counts& out) {
    std::vector<window_rows> windows;
    if (o.window_rows == 0 && o.time_column.empty()) {
        window_rows w;  // every part's rows are in the one window, which starts at row 0
        w.end = static_cast<double>(offset + cur.rows);
        w.stop = cur.rows;
        windows.push_back(std::move(w));
        return windows;
    }
    if (o.window_rows > 0) {
        const std::size_t n = o.window_rows;
        const std::size_t through = offset + cur.rows;  // rows of the whole table up to this part's end
        if (through / n + (through % n != 0 ? 1 : 0) > max_windows) {
            throw error(function, "window_rows = " + std::to_string(n) + " cuts the current data into more than " +
                                      std::to_string(max_windows) + " windows, but at most " +
                                      std::to_string(max_windows) + " are made (a larger window_rows)");
        }
        for (std::size_t g = offset / n * n; g < offset + cur.rows; g += n) {
            window_rows w;
            w.begin = std::max(g, offset) - offset;
            w.stop = std::min(g + n, offset + cur.rows) - offset;
            w.start = static_cast<double>(g);
            w.end = static_cast<double>(offset + w.stop);
            windows.push_back(std::move(w));
        }
        return windows;
    }
    const column_view* tc = find(cur, o.time_column);
    if (tc == nullptr) {
        throw error(function, "time_column = " + in_quotes(o.time_column) +
                                  ", but the current data has no such column (its columns: " + names_list(cur) + ")");
    }
    out.calendar = categorical(tc->type) || o.epoch_seconds;
    const std::vector<double> t = times_of(*tc, cur.rows, offset);
    const double w = o.window_seconds;
    std::map<double, window_rows> by_start;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (std::isnan(t[i])) {
            ++out.rows_without_time;
            continue;
        }
        if (std::isinf(t[i])) {
            throw error(function, "time column " + in_quotes(o.time_column) + ", row " +
                                      std::to_string(offset + i + 1) + ": " + kldiv::detail::to_text(t[i]) +
                                      ", but times must be finite");
        }
        const double start = std::floor(t[i] / w) * w;
        window_rows& win = by_start[start];
        win.listed = true;
        win.start = start;
        win.end = start + w;
        win.rows.push_back(i);
    }
    if (by_start.size() > max_windows) {
        throw error(function, "windows of " + kldiv::detail::to_text(w) + " over the times of column " +
                                  in_quotes(o.time_column) + " make more than " + std::to_string(max_windows) +
                                  " windows (a wider window)");
    }
    for (auto& [start, win] : by_start) windows.push_back(std::move(win));
    return windows;
}

// Rows a chunk of the loops below reads across the columns when a column's values are not contiguous
// (a row-major array): the chunk stays in cache while every column of it is counted. Contiguous
// columns are counted whole, one after the other, each column's bins staying in cache instead.
constexpr std::size_t chunk_rows = 4096;

// Every column of `views` counted in its bins over the window's rows: the columns split into one group
// per thread, each group walking the rows in chunks across its columns. Each column's rows are counted
// in row order, so the counts are those of count() on the window, for any thread count.
std::vector<column_counts> count_columns(const std::vector<const column_bins*>& bins,
                                         const std::vector<const column_view*>& views, const window_rows& win,
                                         bool moments, unsigned threads) {
    const std::size_t n = bins.size();
    std::vector<column_counts> out(n);
    const unsigned groups = kldiv::detail::worker_count(threads, n);
    kldiv::detail::parallel_for(groups, groups, [&](std::size_t g, unsigned) {
        const std::size_t first = n * g / groups, last = n * (g + 1) / groups;
        std::vector<detail::column_counter> counters;
        counters.reserve(last - first);
        bool contiguous = true;
        for (std::size_t j = first; j < last; ++j) {
            counters.emplace_back(*bins[j], *views[j], moments);
            contiguous = contiguous && (views[j]->type != io::column_type::numeric || views[j]->stride == 1);
        }
        const std::size_t size = win.size(), chunk = contiguous ? std::max<std::size_t>(size, 1) : chunk_rows;
        for (std::size_t at = 0; at < size; at += chunk) {
            const std::size_t end = std::min(size, at + chunk);
            for (detail::column_counter& c : counters) {
                if (win.listed) {
                    c.add(std::span<const std::size_t>(win.rows).subspan(at, end - at));
                } else {
                    c.add(win.begin + at, win.begin + end);
                }
            }
        }
        for (std::size_t j = first; j < last; ++j) out[j] = counters[j - first].finish();
    });
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

column_result measure_column(const column_profile& ref, const column_counts& counts, const drift_options& o) {
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
    const measure_calibration cal =
        calibrate(pr, {ref.counts.missing, counts.missing}, o.measures, o.calibration, r.tested);
    for (std::size_t j = 0; j < measure_count; ++j) {
        r.measures[j] = {cal.value[j], cal.expected[j], cal.p_value[j], cal.low[j], cal.high[j]};
    }
    r.missing_p_value = cal.missing_p_value;
    r.permutations = cal.permutations;
    r.bounds = bounds(pr);
    for (std::size_t j = 0; j < ref.bins.report_bins(); ++j) r.labels.push_back(bin_label(ref.bins, j));
    r.reference_counts = report_counts(ref.bins, ref.counts.counts);
    r.current_counts = report_counts(ref.bins, counts.counts);
    r.contributions = contributions(pr, r.tested, o.measures);
    if (!categorical(r.type)) {
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

std::vector<column_sample> sample_reference(const table_view& part, const drift_options& opts, std::size_t row_offset,
                                            std::size_t total_rows) {
    validate(opts);
    const std::vector<const column_view*> columns = selected(part, opts);
    std::vector<column_sample> out(columns.size());
    const std::vector<std::size_t> rows = sampled_rows(0, part.rows, row_offset, total_rows, opts.binning.max_sample);
    kldiv::detail::parallel_for(
        columns.size(), kldiv::detail::worker_count(opts.threads),
        [&](std::size_t j, unsigned) { out[j] = sample_column(*columns[j], 0, part.rows, rows, opts.binning); });
    return out;
}

void merge(std::vector<column_sample>& a, const std::vector<column_sample>& b) {
    if (a.size() != b.size()) {
        throw error(function, "samples of " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                                  " columns, but the parts of one table have the same columns");
    }
    for (std::size_t j = 0; j < a.size(); ++j) merge(a[j], b[j]);
}

profile profile_from(const std::vector<column_sample>& samples, const drift_options& opts) {
    validate(opts);
    profile p;
    p.binning = opts.binning;
    p.columns.resize(samples.size());
    kldiv::detail::parallel_for(samples.size(), kldiv::detail::worker_count(opts.threads),
                                [&](std::size_t j, unsigned) {
                                    p.columns[j].bins = bins_from(samples[j], opts.binning);
                                    p.columns[j].counts.counts.assign(p.columns[j].bins.fine_bins(), 0.0);
                                });
    return p;
}

void add_counts(profile& p, const table_view& part, unsigned threads) {
    std::vector<const column_view*> columns;
    for (const column_profile& c : p.columns) {
        const column_view* v = find(part, c.bins.name);
        if (v == nullptr || categorical(v->type) != categorical(c.bins.type)) {
            throw error(function, "column " + in_quotes(c.bins.name) +
                                      (v == nullptr ? " is not in this part of the reference"
                                                    : " has another type in this part of the reference"));
        }
        columns.push_back(v);
    }
    std::vector<const column_bins*> bins;
    for (const column_profile& c : p.columns) bins.push_back(&c.bins);
    window_rows all;
    all.stop = part.rows;
    const std::vector<column_counts> counted = count_columns(bins, columns, all, true, threads);
    for (std::size_t j = 0; j < columns.size(); ++j) merge(p.columns[j].counts, counted[j]);
    p.rows += part.rows;
}

void merge(profile& a, const profile& b) {
    bool same = a.columns.size() == b.columns.size();
    for (std::size_t j = 0; same && j < a.columns.size(); ++j) {
        const column_bins &x = a.columns[j].bins, &y = b.columns[j].bins;
        same = x.name == y.name && x.type == y.type && x.edges == y.edges && x.groups == y.groups &&
               x.categories == y.categories && x.scale == y.scale;
    }
    if (!same)
        throw error(function, "the profiles have different columns or bins, but only profiles of one binning merge");
    for (std::size_t j = 0; j < a.columns.size(); ++j) merge(a.columns[j].counts, b.columns[j].counts);
    a.rows += b.rows;
}

profile make_profile(const table_view& reference, const drift_options& opts) {
    validate(opts);
    if (reference.rows == 0) {
        selected(reference, opts);  // a column named in opts but missing is the first thing to say
        throw error(function, "the reference has no rows, but drift needs data to compare with");
    }
    profile p = profile_from(sample_reference(reference, opts, 0, reference.rows), opts);
    add_counts(p, reference, opts.threads);
    return p;
}

current_counts count_current(const profile& reference, const table_view& current, const drift_options& o,
                             std::size_t row_offset) {
    validate(o);
    const std::vector<const column_profile*> columns_in = chosen(reference, o);
    for (const std::string& name : o.exclude) {
        if (reference.find(name) == nullptr && find(current, name) == nullptr) {
            throw error(function, "exclude = " + in_quotes(name) + ", but neither the reference nor the current data " +
                                      "has such a column (the current data's columns: " + names_list(current) + ")");
        }
    }
    std::vector<const column_view*> matched;
    for (const column_profile* chosen_column : columns_in) {
        const column_profile& c = *chosen_column;
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
    current_counts out;
    out.rows = current.rows;
    const std::vector<window_rows> windows = windows_of(current, o, row_offset, out);
    std::vector<const column_bins*> bins;
    for (const column_profile* c : columns_in) bins.push_back(&c->bins);
    out.windows.resize(windows.size());
    for (std::size_t k = 0; k < windows.size(); ++k) {
        out.windows[k].columns = count_columns(bins, matched, windows[k], false, o.threads);
    }
    for (std::size_t k = 0; k < windows.size(); ++k) {
        out.windows[k].start = windows[k].start;
        out.windows[k].end = windows[k].end;
        out.windows[k].rows = windows[k].size();
    }
    return out;
}

void merge(current_counts& a, const current_counts& b) {
    a.rows += b.rows;
    a.rows_without_time += b.rows_without_time;
    a.calendar = a.calendar || b.calendar;
    for (const window_counts& w : b.windows) {
        auto at = std::lower_bound(a.windows.begin(), a.windows.end(), w.start,
                                   [](const window_counts& x, double start) { return x.start < start; });
        if (at != a.windows.end() && at->start == w.start) {
            at->end = std::max(at->end, w.end);
            at->rows += w.rows;
            for (std::size_t j = 0; j < at->columns.size() && j < w.columns.size(); ++j) {
                merge(at->columns[j], w.columns[j]);
            }
        } else {
            a.windows.insert(at, w);
        }
    }
}

drift_result compare(const profile& reference, const current_counts& current, const drift_options& o) {
    validate(o);
    if (current.rows == 0) throw error(function, "the current data has no rows, but drift needs data to compare");
    drift_result result;
    result.reference_rows = reference.rows;
    result.current_rows = current.rows;
    result.rows_without_time = current.rows_without_time;
    result.calendar = current.calendar;
    // Time windows without rows between the first and the last are reported, empty.
    std::vector<const window_counts*> windows;
    std::vector<double> starts;
    for (const window_counts& w : current.windows) {
        if (!o.time_column.empty() && !starts.empty()) {
            const double step = o.window_seconds;
            const double gaps = std::floor((w.start - starts.back()) / step + 0.5) - 1.0;
            if (gaps + static_cast<double>(starts.size()) > static_cast<double>(max_windows)) {
                throw error(function, "windows of " + kldiv::detail::to_text(step) + " over the times of column " +
                                          in_quotes(o.time_column) + " make more than " + std::to_string(max_windows) +
                                          " windows (a wider window)");
            }
            for (double g = 1.0; g <= gaps; g += 1.0) {
                starts.push_back(starts.back() + step);
                windows.push_back(nullptr);
            }
        }
        starts.push_back(w.start);
        windows.push_back(&w);
    }
    if (windows.empty()) throw error(function, "time column " + in_quotes(o.time_column) + " has no time in any row");
    if (windows.size() > max_windows) {
        throw error(function, "the current data makes " + std::to_string(windows.size()) + " windows, but at most " +
                                  std::to_string(max_windows) + " are made (wider windows)");
    }
    const std::vector<const column_profile*> columns_in = chosen(reference, o);
    const std::size_t columns = columns_in.size();
    // Enough draws that the smallest p-value, 1/(draws + 1), can pass the correction's strictest
    // threshold, α/columns: below that nothing could ever be flagged.
    drift_options raised = o;
    if (o.decide == rule::calibrated && o.correct != correction::none && o.calibration.permutations > 0) {
        const double needed = std::ceil(2.0 * static_cast<double>(columns) / o.alpha);
        if (needed > static_cast<double>(o.calibration.permutations)) {
            raised.calibration.permutations =
                static_cast<std::size_t>(std::min(needed, static_cast<double>(max_draws)));
        }
    }
    result.permutations = raised.calibration.permutations;
    for (const window_counts& w : current.windows) {
        bool fits = w.columns.size() == columns;
        for (std::size_t j = 0; fits && j < columns; ++j) {
            fits = w.columns[j].counts.size() == columns_in[j]->bins.fine_bins();
        }
        if (!fits) {
            throw error(function,
                        "the current counts do not fit the profile's columns and bins (counted with "
                        "another profile or other options)");
        }
    }
    kldiv::detail::progress_counter progress(o.progress, static_cast<std::uint64_t>(windows.size() * columns));
    result.windows.resize(windows.size());
    for (std::size_t k = 0; k < windows.size(); ++k) {
        window_result& w = result.windows[k];
        w.start = starts[k];
        if (o.time_column.empty()) {
            w.end = windows[k]->end;
            w.label = o.window_rows == 0
                          ? "all"
                          : "rows " + kldiv::detail::to_text(w.start + 1.0) + "-" + kldiv::detail::to_text(w.end);
        } else {
            w.end = w.start + o.window_seconds;
            w.label = current.calendar ? format_time(w.start) : kldiv::detail::to_text(w.start);
        }
        w.rows = windows[k] ? windows[k]->rows : 0;
        if (w.rows == 0) {
            progress.add(columns);
            continue;
        }
        w.columns.resize(columns);
        kldiv::detail::parallel_for(columns, kldiv::detail::worker_count(o.threads), [&](std::size_t j, unsigned) {
            w.columns[j] = measure_column(*columns_in[j], windows[k]->columns[j], raised);
            progress.add();
        });
        decide(w, raised);
    }
    return result;
}

drift_result compare(const profile& reference, const table_view& current, const drift_options& o) {
    if (current.rows == 0) throw error(function, "the current data has no rows, but drift needs data to compare");
    return compare(reference, count_current(reference, current, o), o);
}

drift_result compare(const table_view& reference, const table_view& current, const drift_options& opts) {
    return compare(make_profile(reference, opts), current, opts);
}

}  // namespace kldiv::drift
