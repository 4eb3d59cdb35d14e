// kldiv matrix A [B] --measure M --output D.npy: a divergence between every row of A and every row
// of B (every pair of rows of A), written as a .npy matrix (kldiv/divergence_matrix.hpp).

#include <fmt/core.h>
#include "kldiv/divergence_matrix.hpp"
#include "kldiv/io/matrix_file.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/choice.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/inputs.hpp"
#include "cli/output_files.hpp"
#include "report/json_number.hpp"
#include "report/json_text.hpp"

namespace kldiv::cli {
namespace {

struct matrix_arguments {
    std::string a_file, b_file, output;
    measure which = measure::kl_divergence;  // as kldiv.divergence_matrix
    input_kind input = input_kind::probs;
    double temperature = 1.0;
    pair_arguments pair;  // the measure options (--base, --on-zero, --epsilon, --normalize, --beta, --alpha)
    unsigned threads = 0;
    bool json = false;
};

void run(const matrix_arguments& args) {
    refuse_overwriting_inputs("matrix", "--output", args.output, {{"A", args.a_file}, {"B", args.b_file}});
    const options o = pair_options(args.pair);
    batch_options opts{
        .input = args.input, .temperature = args.temperature, .measure = o, .rows = {.threads = args.threads}};
    io::matrix_file a = io::read_matrix(args.a_file);
    std::optional<io::matrix_file> b;
    if (!args.b_file.empty()) b = io::read_matrix(args.b_file);
    // float16 probabilities: checked within the storage's rounding (2^-11) at least, as compare does
    if (a.dtype == "float16" || (b && b->dtype == "float16")) {
        opts.measure.sum_tolerance = std::max(o.sum_tolerance, 0x1p-11);
    }
    const bool doubles = a.is_double || (b && b->is_double);
    if (doubles) {
        a.to_double();
        if (b) b->to_double();
    }
    const std::size_t rows = a.rows, cols = b ? b->rows : a.rows;
    std::vector<double> d(rows * cols);
    const matrix_view<double> out(d.data(), rows, cols);
    if (doubles) {
        b ? divergence_matrix(a.doubles(), b->doubles(), out, args.which, opts)
          : divergence_matrix(a.doubles(), out, args.which, opts);
    } else {
        b ? divergence_matrix(a.floats(), b->floats(), out, args.which, opts)
          : divergence_matrix(a.floats(), out, args.which, opts);
    }
    io::write_matrix(args.output, matrix_view<const double>(d.data(), rows, cols));  // only now: no partial file
    const std::string unit = in_log_units(args.which) ? o.base.unit() : "";
    if (args.json) {
        nlohmann::ordered_json j{
            {"a", args.a_file}, {"b", b ? nlohmann::ordered_json(args.b_file) : nlohmann::ordered_json(nullptr)},
            {"rows", rows},     {"columns", cols},
            {"events", a.cols}, {"measure", name(args.which)},
            {"unit", unit},     {"output", args.output}};
        std::cout << report::json_text(j, 2) << '\n';
        return;
    }
    fmt::print("{} × {} matrix of {}{} between the rows of {} and {} ({} events each) written to {}\n", rows, cols,
               name(args.which, '-'), unit.empty() ? "" : " (" + unit + ")", args.a_file, b ? args.b_file : args.a_file,
               a.cols, args.output);
}

}  // namespace

void add_matrix(CLI::App& app) {
    auto args = std::make_shared<matrix_arguments>();
    CLI::App* command = app.add_subcommand(
        "matrix", "A divergence between every row of A and every row of B (or every pair of rows of A), as .npy");
    command->add_option("A", args->a_file, "2-D .npy file: one distribution per row")->required();
    command->add_option("B", args->b_file, "2-D .npy file with the same number of events (default: A itself)");
    command->add_option("--output,-o", args->output, "Where to write the rows(A) × rows(B) matrix (.npy, float64)")
        ->required()
        ->check(output_path);
    add_choice<measure>(*command, "--measure", args->which, "The divergence");
    add_choice<input_kind>(*command, "--input", args->input, "How the rows give their distributions");
    command->add_option("--temperature", args->temperature, "T for --input logits or log-probs")->capture_default_str();
    add_measure_options(*command, args->pair);
    command->add_option("--threads", args->threads, "Threads (0: all cores)")->capture_default_str();
    command->add_flag("--json", args->json, "Print JSON instead of a sentence");
    command->callback([args] { run(*args); });
}

}  // namespace kldiv::cli
