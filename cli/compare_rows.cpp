// kldiv compare on rows: one kldiv::measure_rows call over every row pair (one divergence_rows call
// per --measure), summarized per measure.

#include <fmt/core.h>
#include "kldiv/batch.hpp"
#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/io/matrix_file.hpp"
#include "kldiv/summary.hpp"

#include <algorithm>
#include <iostream>
#include <span>
#include <vector>

#include "cli/choice.hpp"
#include "cli/format.hpp"
#include "cli/output_files.hpp"
#include "cli/rows.hpp"
#include "report/row_comparison.hpp"

namespace kldiv::cli {
namespace {

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// One side of the pair: a matrix, where it came from and what the file held.
struct side {
    io::matrix_file m;
    std::string name;
    std::string shape_text() const {
        std::string s = plural(m.rows, "row", "rows") + " × " + plural(m.cols, "event", "events");
        return m.dtype.empty() ? s : s + ", " + m.dtype;
    }
};

io::matrix_file one_row(std::vector<double>&& values) {
    io::matrix_file m;
    m.rows = 1;
    m.cols = values.size();
    m.is_double = true;
    m.f64 = std::move(values);
    return m;
}

bool is_matrix_file(const std::string& file) { return !file.empty() && io::npy_dimensions(file) == std::size_t{2}; }

// Both sides as matrices of the same shape and element type.
std::pair<side, side> load_sides(const pair_arguments& args) {
    const bool p_matrix = is_matrix_file(args.p_file), q_matrix = is_matrix_file(args.q_file);
    side p, q;
    if (p_matrix || q_matrix) {
        // Inline values cannot be a matrix; files are read as matrices so that the reader says what is
        // wrong with one that is not.
        const std::string matrix = p_matrix ? "P (" + args.p_file + ")" : "Q (" + args.q_file + ")";
        const auto need_file = [&](const char* which, const char* option, const std::string& values,
                                   const std::string& file) {
            if (values.empty() && !file.empty()) return;
            throw error(args.command, matrix + " is a 2-D array, one distribution per row, but " + which +
                                          (values.empty() ? std::string(" is not given")
                                                          : std::string(" is given inline with ") + option) +
                                          "; give both P and Q as 2-D .npy files of the same shape");
        };
        need_file("P", "--p", args.p_values, args.p_file);
        need_file("Q", "--q", args.q_values, args.q_file);
        p = {io::read_matrix(args.p_file), args.p_file};
        q = {io::read_matrix(args.q_file), args.q_file};
        if (p.m.rows != q.m.rows || p.m.cols != q.m.cols) {
            throw error(args.command, "P (" + p.name + ") is " + plural(p.m.rows, "row", "rows") + " × " +
                                          plural(p.m.cols, "event", "events") + " and Q (" + q.name + ") is " +
                                          plural(q.m.rows, "row", "rows") + " × " +
                                          plural(q.m.cols, "event", "events") + ", but both must have the same shape");
        }
    } else {
        // 1-D inputs (files or inline values): one row each, read and checked as the 1-D compare does.
        event_pair pair = load_pair(args);
        p = {one_row(std::move(pair.p)), std::move(pair.p_name)};
        q = {one_row(std::move(pair.q)), std::move(pair.q_name)};
    }
    if (p.m.is_double != q.m.is_double) {
        p.m.to_double();
        q.m.to_double();
    }
    return {std::move(p), std::move(q)};
}

// The parameters a table's measures read ("; JS mixture M = 0.5 P + 0.5 Q", "; alpha = 2"; the
// JS mixture for the KL family, whose list is `measures` empty), and the unit line ("nats", or
// "nats (hellinger: no unit)").
std::string parameters_text(const options& o, std::span<const measure> measures) {
    const auto reads = [&](bool (*uses)(measure)) {
        return measures.empty() ? uses == uses_beta : std::any_of(measures.begin(), measures.end(), uses);
    };
    std::string text;
    if (reads(uses_beta)) text = fmt::format("; JS mixture M = {} P + {} Q", human(o.beta), human(1.0 - o.beta));
    if (reads(uses_alpha)) text += "; alpha = " + human(o.alpha);
    return text;
}

std::string unit_text(const options& o, std::span<const measure> measures) {
    std::string pure;
    for (const measure d : measures) {
        if (!in_log_units(d)) pure += (pure.empty() ? "" : ", ") + name(d, '-');
    }
    return pure.empty() ? o.base.unit() : o.base.unit() + " (" + pure + ": no unit)";
}

}  // namespace

void add_rows_arguments(CLI::App& command, rows_arguments& args) {
    command.get_option("P")->description(
        "File with the distribution P (CSV/TSV column or row, label,value rows, or 1-D .npy), or a 2-D .npy with one "
        "distribution per row");
    command.get_option("Q")->description("File with the distribution Q (same formats as P; 2-D only with a 2-D P)");
    add_choice<input_kind>(command, "--input", args.input,
                           "How P and Q give their distributions (logits: p = softmax(a / T); with 2-D .npy files, "
                           "one distribution per row, every row pair is measured)");
    command.add_option("--temperature", args.temperature, "T for --input logits or log-probs")->capture_default_str();
    command
        .add_option("--per-row", args.per_row,
                    "Write every row's measures to this CSV (row,kl,reverse_kl,js,entropy_p,entropy_q,cross_entropy; "
                    "or row and the --measure names)")
        ->check(output_path);
    command.add_option("--threads", args.threads, "Threads for rows of 2-D inputs (0: all cores)")
        ->capture_default_str();
}

bool wants_rows(const pair_arguments& pair, const rows_arguments& rows) {
    return rows.input != input_kind::probs || rows.temperature != 1.0 || !rows.per_row.empty() ||
           is_matrix_file(pair.p_file) || is_matrix_file(pair.q_file);
}

void compare_rows(const pair_arguments& pair, const rows_arguments& rows, std::span<const measure> measures,
                  bool json) {
    const options o = pair_options(pair);
    batch_options opts{
        .input = rows.input, .temperature = rows.temperature, .measure = o, .rows = {.threads = rows.threads}};

    refuse_overwriting_inputs(pair.command, "--per-row", rows.per_row, {{"P", pair.p_file}, {"Q", pair.q_file}});
    auto [p, q] = load_sides(pair);
    // Probabilities stored as float16 are checked within the storage's own rounding (2^-11) at least,
    // as the library checks float16 rows it reads itself (batch.hpp): they are widened to float here.
    if (p.m.dtype == "float16" || q.m.dtype == "float16")
        opts.measure.sum_tolerance = std::max(o.sum_tolerance, 0x1p-11);
    const std::size_t n = p.m.rows;
    report::row_measures m =
        measures.empty() ? report::row_measures::kl_family(n) : report::row_measures::of(measures, n);
    const auto measure_all = [&](auto pv, auto qv) {
        if (measures.empty()) {
            measure_rows(pv, qv, m.outputs(), opts);
            return;
        }
        for (std::size_t k = 0; k < measures.size(); ++k)
            divergence_rows(pv, qv, m.columns[k].values, measures[k], opts);
    };
    if (p.m.is_double) {
        measure_all(p.m.doubles(), q.m.doubles());
    } else {
        measure_all(p.m.floats(), q.m.floats());
    }
    const auto summaries = report::summarize_rows(m, "compare");
    // Written only once everything that can fail has run: a failed command leaves no file.
    if (!rows.per_row.empty()) io::write_file_atomically(rows.per_row, report::per_row_csv(m));

    if (json) {
        std::cout << json_text(report::row_comparison_json(p.name, q.name, n, p.m.cols, opts, m, summaries), 2) << '\n';
        return;
    }

    fmt::print("P = {} ({})\nQ = {} ({})\n", p.name, p.shape_text(), q.name, q.shape_text());
    std::string input = kldiv::describe(opts.input);
    if (opts.input != input_kind::probs) input += ", temperature " + human(rows.temperature);
    fmt::print("input: {}; unit: {}{}\n\n", input, unit_text(o, measures), parameters_text(o, measures));
    std::size_t width = 9;  // the KL family's symbols fit; divergence names are wider
    for (const report::row_column& c : m.columns) {
        if (!m.divergences.empty()) width = std::max(width, c.symbol.size() + 2);
    }
    fmt::print("  {:<{}}{:>12}{:>12}", "per row", width, "mean", "min");
    for (const char* label : report::quantile_labels) fmt::print("{:>12}", label);
    fmt::print("{:>12}\n", "max");
    for (std::size_t k = 0; k < m.columns.size(); ++k) {
        const value_summary& s = summaries[k];
        fmt::print("  {:<{}}{:>12}{:>12}", m.columns[k].symbol, width, human(s.mean), human(s.min));
        for (double x : s.quantiles) fmt::print("{:>12}", human(x));
        fmt::print("{:>12}\n", human(s.max));
    }
    fmt::print("\nOver {}; quantiles interpolate linearly between the sorted row values (numpy.quantile's default).\n",
               plural(n, "row", "rows"));
    if (!rows.per_row.empty()) fmt::print("Every row's values: {}\n", rows.per_row);
}

}  // namespace kldiv::cli
