#pragma once
// Has the data moved? Column by column, the current data against a reference: the drift measures
// (measures.hpp) in shared bins (bins.hpp), what they would be by chance at these sample sizes and
// whether the observed values are more than chance (calibration.hpp), where each column moved (the
// bins' contributions), and over time (the current rows in windows).
//
//   auto ref = kldiv::io::read_table("train.csv");
//   auto cur = kldiv::io::read_table("today.csv", {.like = kldiv::io::schema_of(ref)});
//   kldiv::drift::drift_result r = kldiv::drift::compare(kldiv::drift::view_of(ref), kldiv::drift::view_of(cur));
//
// Draws: with a correction, at least ⌈2·columns/alpha⌉ permutations are allowed per column whatever
// calibration.permutations says (if it is not 0), so that the smallest p-value can pass the
// correction's strictest threshold, alpha/columns (drift_result::permutations says how many).
//
// The decision. By default (rule::calibrated) a column has drifted when the permutation p-value of the
// tested measure (`measure`, js_divergence by default), adjusted across the window's columns
// (`correct`, Holm by default), is at most `alpha` (0.05): with Holm, the chance that a window
// reports any drift when nothing moved is at most alpha. The fixed-threshold rules of other tools
// are there to reproduce what they report: psi_0_1 and psi_0_25 (PSI ≥ 0.1, ≥ 0.25), js_distance_0_1
// (Jensen–Shannon distance in nats ≥ 0.1, Evidently's), wasserstein_0_1 (normed Wasserstein ≥ 0.1,
// Evidently's), hellinger_0_1; each flags on its own measure's value, whatever the sample size.
//
// The tested measure: `measure` for numeric columns; for categorical columns, where ks and
// wasserstein do not apply, chi2 in their place. A fixed-threshold rule reads its own measure, with
// wasserstein_0_1 reading js_distance ≥ 0.1 on categorical columns (Evidently's pairing).
//
// Windows: the whole current table (the default), consecutive runs of window_rows rows (the last may
// be shorter), or the rows whose time (time_column) falls in each interval [k·w, (k+1)·w) of width
// w = window_seconds from 1970-01-01T00:00:00Z (or from 0 for a numeric time column, w in its units,
// unless epoch_seconds says that it counts seconds since 1970-01-01T00:00:00Z).
// A time window with no rows is reported with no columns. Time columns hold numbers or ISO 8601
// dates and times: 2024-01-31, 2024-01-31T12:30, 2024-01-31 12:30:45.25, with Z or ±hh:mm (none is
// UTC).
//
// Errors (kldiv::error, function "drift"): a column of `columns` or `exclude` that the reference
// lacks, a reference column the current data lacks, a column numeric on one side and categorical on
// the other, no columns left, an empty reference or current table, more than max_windows windows, a
// time that is not one, options out of range (named as the C++ member; front ends name their
// options). A column whose values are all missing on a side is no error: its measures are NaN and
// its missing rate is tested.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "kldiv/drift/bins.hpp"
#include "kldiv/drift/calibration.hpp"
#include "kldiv/drift/measures.hpp"
#include "kldiv/names.hpp"
#include "kldiv/progress.hpp"

namespace kldiv::drift {

enum class rule { calibrated, psi_0_1, psi_0_25, js_distance_0_1, wasserstein_0_1, hellinger_0_1 };

// "calibrated", "psi_0.1", "psi_0.25", "js_distance_0.1", "wasserstein_0.1", "hellinger_0.1".
inline std::span<const named<rule>> names_of(rule) noexcept {
    static constexpr named<rule> table[] = {{rule::calibrated, "calibrated"},
                                            {rule::psi_0_1, "psi_0.1"},
                                            {rule::psi_0_25, "psi_0.25"},
                                            {rule::js_distance_0_1, "js_distance_0.1"},
                                            {rule::wasserstein_0_1, "wasserstein_0.1"},
                                            {rule::hellinger_0_1, "hellinger_0.1"}};
    return table;
}

// The measure a fixed-threshold rule reads and its threshold.
struct threshold_rule {
    drift::measure measure = measure::psi;
    double threshold = 0.0;
};
threshold_rule threshold_of(rule r);  // r != rule::calibrated

struct drift_options {
    std::vector<std::string> columns;  // measure only these (empty: all)
    std::vector<std::string> exclude;  // never these
    binning_options binning{};
    measure_options measures{};
    calibration_options calibration{};
    drift::measure measure = measure::js_divergence;  // tested, ranked by and flagged on (--measure)
    double alpha = 0.05;                              // the false-alarm rate, in (0, 1) (--alpha)
    correction correct = correction::holm;            // --correction
    rule decide = rule::calibrated;                   // --rule
    std::size_t window_rows = 0;                      // > 0: windows of this many current rows
    std::string time_column;                          // with window_seconds: windows in time
    double window_seconds = 0.0;
    bool epoch_seconds = false;    // a numeric time column counts seconds since 1970-01-01T00:00:00Z
    unsigned threads = 0;          // 0: all hardware threads
    progress_callback progress{};  // columns done (of columns × windows)
};

// Throws kldiv::error unless every option is in range (the binning's, the measures', the
// calibration's and the windows'); every function below calls it first, front ends may call it before
// reading any data.
void validate(const drift_options& opts);

// A reference profile: the bins and the reference's counts of every column. All a comparison needs
// of the reference; profiles of row ranges counted in the same bins merge by adding counts.
struct column_profile {
    column_bins bins;
    column_counts counts;
};
struct profile {
    std::size_t rows = 0;
    binning_options binning{};
    std::vector<column_profile> columns;

    const column_profile* find(std::string_view name) const noexcept;
};

// The profile of the reference's columns (those `opts` selects; the time column left out).
profile make_profile(const table_view& reference, const drift_options& opts = {});

// make_profile in steps, for a reference held in parts (partitions of a cluster's table), bit for bit
// the same: sample each part (its first row is row `row_offset` of `total_rows`), merge the samples in
// the parts' order, make the bins, then count every part into them (in any order).
std::vector<column_sample> sample_reference(const table_view& part, const drift_options& opts, std::size_t row_offset,
                                            std::size_t total_rows);
void merge(std::vector<column_sample>& a, const std::vector<column_sample>& b);
profile profile_from(const std::vector<column_sample>& samples, const drift_options& opts = {});  // no counts yet
void add_counts(profile& p, const table_view& part, unsigned threads = 0);
// Profiles of parts counted in the same bins: b's counts added to a's.
void merge(profile& a, const profile& b);

struct measure_result {
    double value = 0.0;
    double expected = 0.0;  // under no drift, at these sample sizes (the permutation null's mean)
    double p_value = 0.0;
    double low = 0.0, high = 0.0;  // bootstrap interval
};

struct column_result {
    std::string name;
    io::column_type type = io::column_type::numeric;
    bool declared = false;
    bool continuous = false;                                // the null model (calibration.hpp)
    drift::measure tested = measure::js_divergence;         // the measure flagged on (see drift_options::measure)
    double reference_count = 0.0, current_count = 0.0;      // counted values
    double reference_missing = 0.0, current_missing = 0.0;  // missing values
    double missing_p_value = 0.0;
    std::array<measure_result, measure_count> measures{};
    binning_bounds bounds{};
    std::size_t permutations = 0;
    double adjusted_p_value = 0.0;  // of the tested measure (NaN under a fixed-threshold rule)
    bool drifted = false;
    // The report bins: labels, both sides' counts, the tested measure's contributions.
    std::vector<std::string> labels;
    std::vector<double> reference_counts, current_counts, contributions;
    double reference_min = 0.0, reference_max = 0.0, current_min = 0.0, current_max = 0.0;

    const measure_result& operator[](drift::measure m) const noexcept { return measures[static_cast<std::size_t>(m)]; }
};

struct window_result {
    std::string label;              // "all", "rows 1-1000", or the interval's start "2024-01-31T00:00:00Z"
    double start = 0.0, end = 0.0;  // rows [start, end) or times [start, end)
    std::size_t rows = 0;
    std::vector<column_result> columns;  // ranked: drifted first, then by p-value, then by value
    std::size_t drifted = 0;
};

struct drift_result {
    std::size_t reference_rows = 0, current_rows = 0;
    std::size_t rows_without_time = 0;  // current rows left out of time windows: their time is missing
    bool calendar = false;              // the windows are in calendar time (seconds since 1970-01-01T00:00:00Z)
    std::size_t permutations = 0;       // the most draws a column got: calibration.permutations, or more (below)
    std::vector<window_result> windows;
};

drift_result compare(const profile& reference, const table_view& current, const drift_options& opts = {});

// compare in steps, for current data held in parts (partitions of a cluster's table): each part
// counted in the profile's bins window by window, the parts' counts merged, then compared — the same
// result, bit for bit, as one call on the whole table.
struct window_counts {
    double start = 0.0, end = 0.0;  // rows [start, end) of the whole current table, or times [start, end)
    std::size_t rows = 0;
    std::vector<column_counts> columns;  // one per profile column, in its order
};
struct current_counts {
    std::size_t rows = 0;
    std::size_t rows_without_time = 0;
    bool calendar = false;
    std::vector<window_counts> windows;  // by start; windows without rows left out
};
// `row_offset`: the part's first row in the whole table (windows by rows count from there).
current_counts count_current(const profile& reference, const table_view& current, const drift_options& opts = {},
                             std::size_t row_offset = 0);
void merge(current_counts& a, const current_counts& b);
drift_result compare(const profile& reference, const current_counts& current, const drift_options& opts = {});
drift_result compare(const table_view& reference, const table_view& current, const drift_options& opts = {});

// The most windows one comparison makes.
inline constexpr std::size_t max_windows = 10'000;

// Seconds since 1970-01-01T00:00:00Z of an ISO 8601 date or date and time (above); false if `text` is
// not one.
bool parse_time(std::string_view text, double& seconds) noexcept;

// "2024-01-31T12:30:00Z" (fractions of a second as needed) for seconds since 1970-01-01T00:00:00Z.
std::string format_time(double seconds);

// The seconds of a window width: a positive number, optionally followed by a unit s, min, h, d or w
// ("90", "15min", "6h", "1d", "1.5w"); false if `text` is not one.
bool parse_duration(std::string_view text, double& seconds) noexcept;

}  // namespace kldiv::drift
