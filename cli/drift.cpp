// kldiv drift REFERENCE CURRENT: which columns of CURRENT moved away from REFERENCE, by how much,
// where, and whether more than chance (kldiv/drift/drift.hpp).
//   kldiv drift train.csv today.csv
//   kldiv drift train.csv week.csv --time-column date --window 1d --html drift.html
//   kldiv drift train.csv today.csv --rule psi-0.25 --json

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "cli/choice.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/output_files.hpp"
#include "cli/progress_line.hpp"
#include "cli/unit_option.hpp"
#include "kldiv/drift/drift.hpp"
#include "kldiv/drift/profile_file.hpp"
#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/io/table_file.hpp"
#include "kldiv/text.hpp"
#include "report/drift_html.hpp"
#include "report/drift_json.hpp"

namespace kldiv::cli {
namespace {

namespace kd = kldiv::drift;
constexpr const char* command_name = "kldiv drift";

struct drift_arguments {
    std::string reference, current;
    std::vector<std::string> columns, exclude, categorical, numeric;
    kd::drift_options options;
    std::string base, window, html, save_profile;
    std::size_t top = 3;
    bool json = false;
    progress_choice progress;
};

// 4 significant digits for the table ("-" for a measure that does not apply).
std::string cell(double x) {
    if (std::isnan(x)) return "-";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return fmt::format("{:.4g}", x);
}

// "12.5%", "0%".
std::string percent(double part, double whole) {
    if (!(whole > 0.0)) return "-";
    return fmt::format("{:.3g}%", 100.0 * part / whole);
}

// The current table, read with the reference profile's column types.
io::table read_current(const drift_arguments& a, const kd::profile& reference) {
    std::vector<io::column_schema> schema;
    for (const kd::column_profile& c : reference.columns) schema.push_back({c.bins.name, c.bins.type});
    io::table_options o;
    o.numeric = a.numeric;
    o.categorical = a.categorical;
    o.like = schema;
    return io::read_table(a.current, o);
}

void print_table(const drift_arguments& a, const kd::drift_result& r) {
    const kd::drift_options& o = a.options;
    fmt::print("reference: {} ({} rows)\ncurrent:   {} ({} rows)\n", a.reference, r.reference_rows, a.current,
               r.current_rows);
    if (o.decide == kd::rule::calibrated) {
        fmt::print("drift: the permutation p-value of {} ({}), {}-adjusted across columns, at most {}\n",
                   name(o.measure, '-'), o.measures.base.unit(), name(o.correct, '-'), human(o.alpha));
    } else {
        const kd::threshold_rule t = kd::threshold_of(o.decide);
        fmt::print("drift: {} >= {} (rule {}; p-values beside it)\n", name(t.measure, '-'), human(t.threshold),
                   name(o.decide, '-'));
    }
    const kd::window_result* last = nullptr;
    for (const kd::window_result& w : r.windows) {
        if (w.rows > 0) last = &w;
    }
    if (r.windows.size() > 1) {
        fmt::print("\n{:<25} {:>8}  drifted columns\n", "window", "rows");
        for (const kd::window_result& w : r.windows) {
            std::string names;
            for (const kd::column_result& c : w.columns) {
                if (c.drifted) names += (names.empty() ? "" : ", ") + printable(c.name);
            }
            fmt::print("{:<25} {:>8}  {}\n", w.label, w.rows, w.rows == 0 ? "(no rows)" : names.empty() ? "-" : names);
        }
    }
    for (const kd::window_result& w : r.windows) {
        if (&w != last) continue;
        fmt::print("\n{} ({} rows): ", r.windows.size() > 1 ? "last window " + w.label : "window " + w.label, w.rows);
        fmt::print("{} of {} columns drifted\n", w.drifted, w.columns.size());
        fmt::print("{:<20} {:<12} {:<6} {:<15} {:>11} {:>11} {:>10} {:>9} {:>9} {:>9} {:>15}\n", "column", "type",
                   "drift", "tested", "value", "expected", "p", "psi", "ks", "wass.", "missing");
        for (const kd::column_result& c : w.columns) {
            const kd::measure_result& t = c[c.tested];
            fmt::print("{:<20} {:<12} {:<6} {:<15} {:>11} {:>11} {:>10} {:>9} {:>9} {:>9} {:>15}\n", printable(c.name),
                       name(c.type), c.drifted ? "DRIFT" : "-", name(c.tested, '-'), cell(t.value), cell(t.expected),
                       cell(o.decide == kd::rule::calibrated ? c.adjusted_p_value : t.p_value),
                       cell(c[kd::measure::psi].value), cell(c[kd::measure::ks].value),
                       cell(c[kd::measure::wasserstein].value),
                       percent(c.reference_missing, c.reference_missing + c.reference_count) + " -> " +
                           percent(c.current_missing, c.current_missing + c.current_count));
        }
        bool heading = false;
        for (const kd::column_result& c : w.columns) {
            if (!c.drifted || a.top == 0) continue;
            if (!heading) fmt::print("\nwhere it moved (the bins adding most to the tested measure):\n");
            heading = true;
            std::vector<std::size_t> order(c.labels.size());
            for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t x, std::size_t y) { return c.contributions[x] > c.contributions[y]; });
            double all = 0.0;
            for (const double x : c.contributions) all += std::isfinite(x) ? x : 0.0;
            fmt::print("  {}:\n", printable(c.name));
            for (std::size_t k = 0; k < order.size() && k < a.top; ++k) {
                const std::size_t b = order[k];
                fmt::print("    {:<40} {:>7} of reference, {:>7} of current ({} of {})\n", printable(c.labels[b]),
                           percent(c.reference_counts[b], c.reference_count),
                           percent(c.current_counts[b], c.current_count), percent(c.contributions[b], all),
                           name(c.tested, '-'));
            }
        }
        std::vector<std::string> flagged;
        for (const kd::column_result& c : w.columns) {
            if (!std::isnan(c.missing_p_value) && c.missing_p_value <= o.alpha) flagged.push_back(c.name);
        }
        if (!flagged.empty()) {
            std::string list;
            for (const std::string& n : flagged) list += (list.empty() ? "" : ", ") + printable(n);
            fmt::print("\nmissing-value rate changed (p <= {}, not adjusted): {}\n", human(o.alpha), list);
        }
    }
    if (!r.windows.empty()) {
        std::string types;
        for (const kd::column_result& c : r.windows.back().columns) {
            types += (types.empty() ? "" : ", ") + printable(c.name) + " " + name(c.type) +
                     (c.declared ? " (declared)" : "");
        }
        if (!types.empty()) fmt::print("\ncolumn types: {}\n", types);
    }
    if (r.rows_without_time > 0) fmt::print("{} rows have no time and are in no window\n", r.rows_without_time);
}

}  // namespace

void add_drift(CLI::App& app) {
    auto args = std::make_shared<drift_arguments>();
    kd::drift_options& o = args->options;
    CLI::App* command = app.add_subcommand(
        "drift", "Which columns of CURRENT moved away from REFERENCE, how much, where, and whether more than chance");
    command->add_option("REFERENCE", args->reference, "The reference table (CSV/TSV with a header, or .npy)")
        ->required();
    command->add_option("CURRENT", args->current,
                        "The table to compare with it (same columns); not needed with --save-profile");
    command->add_option("--columns", args->columns, "Compare only these columns (comma-separated)")->delimiter(',');
    command->add_option("--exclude", args->exclude, "Leave these columns out (comma-separated)")->delimiter(',');
    command->add_option("--categorical", args->categorical, "Read these columns as categories (comma-separated)")
        ->delimiter(',');
    command->add_option("--numeric", args->numeric, "Read these columns as numbers (comma-separated)")->delimiter(',');
    add_choice<kd::measure>(*command, "--measure", o.measure,
                            "The measure tested, ranked by and flagged on (categorical columns: chi2 for ks and "
                            "wasserstein)");
    add_choice<kd::rule>(*command, "--rule", o.decide,
                         "calibrated: permutation p-values at --alpha; or another tool's fixed threshold");
    command->add_option("--alpha", o.alpha, "The false-alarm rate, in (0, 1)")->capture_default_str();
    add_choice<kd::correction>(*command, "--correction", o.correct,
                               "Multiple-testing control across columns: holm (any false alarm <= alpha), "
                               "benjamini-hochberg (share of false alarms <= alpha), none");
    add_choice<estimate::binning>(*command, "--binning", o.binning.rule,
                                  "Numeric columns' report bins: quantile (of the reference), fd, scott, sturges, "
                                  "fixed");
    command->add_option("--bin-count", o.binning.bin_count, "Report bins for quantile and fixed binning")
        ->check(CLI::Range(std::size_t{1}, kd::max_bins))
        ->capture_default_str();
    command->add_option("--resolution", o.binning.resolution, "Fine bins for ks and wasserstein")
        ->check(CLI::Range(std::size_t{1}, kd::max_bins))
        ->capture_default_str();
    command
        ->add_option("--max-sample", o.binning.max_sample,
                     "Reference values the quantile edges are taken from (a fixed sample of the rows above it)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
        ->capture_default_str();
    add_choice<kd::empty_bins>(*command, "--empty-bins", o.measures.on_empty,
                               "psi and the KLs where a bin is empty on one side: pseudocount, epsilon (other "
                               "tools' 1e-4), infinity");
    command->add_option("--pseudocount", o.measures.pseudocount, "Added to every bin with --empty-bins pseudocount")
        ->capture_default_str();
    command->add_option("--epsilon", o.measures.epsilon, "The proportion of an empty bin with --empty-bins epsilon")
        ->capture_default_str();
    add_unit_option(*command, args->base);
    command
        ->add_option("--permutations", o.calibration.permutations,
                     "The most permutation draws per column (0: no p-values)")
        ->check(CLI::Range(std::size_t{0}, kd::max_draws))
        ->capture_default_str();
    command->add_option("--resamples", o.calibration.resamples, "Bootstrap draws for the intervals (0: none)")
        ->check(CLI::Range(std::size_t{0}, kd::max_draws))
        ->capture_default_str();
    command->add_option("--level", o.calibration.level, "The intervals' level, in (0, 1)")->capture_default_str();
    command->add_option("--seed", o.calibration.seed, "Seed of the permutations and the bootstrap")
        ->capture_default_str();
    command->add_option("--window-rows", o.window_rows, "Compare CURRENT in windows of this many rows")
        ->check(CLI::Range(std::size_t{1}, std::size_t(-1)));
    command->add_option("--time-column", o.time_column, "The column holding each row's time (ISO 8601 or numbers)");
    command->add_option("--window", args->window,
                        "With --time-column: the window's width, e.g. 1d, 6h, 15min, 1w, or a number of seconds "
                        "(or of the time column's units)");
    command->add_option("--top", args->top, "Bins shown per drifted column in the table")->capture_default_str();
    command->add_option("--threads", o.threads, "Threads (0: all cores)")->capture_default_str();
    add_progress_options(command, args->progress);
    command->add_flag("--json", args->json, "Print the JSON document instead of the table");
    command->add_option("--html", args->html, "Write a self-contained HTML report to this file")->check(output_path);
    command
        ->add_option("--save-profile", args->save_profile,
                     "Write the reference's profile (bins and counts) to this file; give it as REFERENCE later")
        ->check(output_path);
    std::vector<CLI::Option*> binning_flags;
    for (const char* flag :
         {"--binning", "--bin-count", "--resolution", "--max-sample", "--categorical", "--numeric"}) {
        binning_flags.push_back(command->get_option(flag));
    }
    command->callback([args, binning_flags] {
        kd::drift_options& o = args->options;
        if (!o.time_column.empty() && args->window.empty()) {
            throw error(command_name, "--time-column " + o.time_column +
                                          " is given without --window, but windows in time need a width: add "
                                          "--window 1d (or 6h, 15min, 1w, a number)");
        }
        if (o.time_column.empty() && !args->window.empty()) {
            throw error(command_name, "--window " + args->window +
                                          " is given without --time-column, but it needs the column holding each "
                                          "row's time (or use --window-rows N)");
        }
        if (!args->window.empty() && !kd::parse_duration(args->window, o.window_seconds)) {
            throw error(command_name, "--window = \"" + args->window +
                                          "\", but a window is a positive number (of seconds) or a number with a "
                                          "unit s, min, h, d or w (15min, 6h, 1d)");
        }
        if (o.window_rows > 0 && !o.time_column.empty()) {
            throw error(command_name,
                        "--window-rows and --time-column are both given, but windows are by rows or "
                        "by time, not both");
        }
        o.measures.base = log_base::parse(args->base, "--base");
        o.columns = args->columns;
        o.exclude = args->exclude;
        kd::validate(o);  // before any table is read; the library's rules, in the command's words
        if (args->current.empty() && args->save_profile.empty()) {
            throw error(command_name,
                        "CURRENT is missing: give the table to compare with REFERENCE (or "
                        "--save-profile FILE to save REFERENCE's profile alone)");
        }
        for (const auto& [option, output] : {std::pair{"--html", args->html}, {"--save-profile", args->save_profile}}) {
            if (output.empty()) continue;
            std::vector<named_input> inputs{{"REFERENCE", args->reference}};
            if (!args->current.empty()) inputs.push_back({"CURRENT", args->current});
            refuse_overwriting_inputs(command_name, option, output, inputs);
        }
        if (!args->html.empty() && args->current.empty()) {
            throw error(command_name, "--html needs CURRENT: the report compares it with REFERENCE");
        }
        kd::profile reference;
        if (kd::is_profile_file(args->reference)) {
            for (const CLI::Option* flag : binning_flags) {
                if (flag->count() > 0) {
                    throw error(command_name, flag->get_name() + " is given, but REFERENCE " + args->reference +
                                                  " is a profile, whose bins and column types are fixed");
                }
            }
            reference = kd::load_profile(args->reference);
            o.binning = reference.binning;
        } else {
            io::table_options read;
            read.numeric = args->numeric;
            read.categorical = args->categorical;
            reference = kd::make_profile(kd::view_of(io::read_table(args->reference, read)), o);
        }
        if (args->current.empty()) {
            kd::save_profile(reference, args->save_profile);
            fmt::print("profile of {} ({} rows, {} columns) saved to {}\n", args->reference, reference.rows,
                       reference.columns.size(), args->save_profile);
            return;
        }
        const io::table current = read_current(*args, reference);
        o.progress = progress_line(args->progress, "drift", "columns");
        const kd::drift_result r = kd::compare(reference, kd::view_of(current), o);
        // The outputs last, each whole or not at all.
        const std::string html = args->html.empty() ? "" : report::drift_html(args->reference, args->current, r, o);
        const std::string text = args->json ? json_text(report::drift_json(r, o), 2) + "\n" : "";
        if (!args->save_profile.empty()) kd::save_profile(reference, args->save_profile);
        if (!args->html.empty()) io::write_file_atomically(args->html, html);
        if (args->json) {
            std::cout << text;
        } else {
            print_table(*args, r);
        }
    });
}

}  // namespace kldiv::cli
