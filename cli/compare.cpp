// kldiv compare P Q: every measure of the pair, with the decomposition D(P‖Q) = H(P,Q) − H(P).
// With 2-D .npy files (or --input, --temperature, --per-row) the pair is measured row by row: rows.hpp.

#include <fmt/core.h>
#include "kldiv/comparison.hpp"

#include <iostream>
#include <span>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/inputs.hpp"
#include "cli/rows.hpp"
#include "report/comparison_json.hpp"

namespace kldiv::cli {
namespace {

struct compare_arguments {
    pair_arguments pair;
    rows_arguments rows;
    bool json = false;
};

void print_table(const event_pair& in, const comparison& c) {
    const std::string unit = in.options.base.unit();
    fmt::print("P = {} ({} events)\nQ = {} ({} events)\n\n", in.p_name, in.p.size(), in.q_name, in.q.size());
    const auto row = [&](const char* symbol, double value, const std::string& meaning) {
        fmt::print("  {:<10}{:>14} {:<6}  {}\n", symbol, human(value), unit, meaning);
    };
    row("H(P)", c.entropy_p, "entropy of P");
    row("H(Q)", c.entropy_q, "entropy of Q");
    row("H(P,Q)", c.cross_entropy_pq, "cross-entropy: events of P coded for Q");
    row("H(Q,P)", c.cross_entropy_qp, "cross-entropy: events of Q coded for P");
    row("D(P‖Q)", c.kl_pq, "KL divergence, relative entropy of P with respect to Q");
    row("D(Q‖P)", c.kl_qp, "KL divergence, relative entropy of Q with respect to P");
    row("J(P,Q)", c.jeffreys, "Jeffreys: D(P‖Q) + D(Q‖P)");
    row("JS(P,Q)", c.js, fmt::format("Jensen-Shannon, M = {} P + {} Q", human(c.beta), human(1.0 - c.beta)));
    fmt::print(
        "\nD(P‖Q) = H(P,Q) − H(P): coding events of P with a code built for Q costs {} extra {} per event "
        "({} instead of {}).\n",
        human(c.kl_pq), unit, human(c.cross_entropy_pq), human(c.entropy_p));
}

}  // namespace

void add_compare(CLI::App& app) {
    auto args = std::make_shared<compare_arguments>();
    CLI::App* command =
        app.add_subcommand("compare", "Entropies, cross-entropies, KL both ways, Jeffreys and JS of P and Q");
    add_pair_arguments(*command, args->pair);
    add_rows_arguments(*command, args->rows);
    command->add_flag("--json", args->json, "Print JSON with stable keys instead of a table");
    command->callback([args] {
        if (wants_rows(args->pair, args->rows)) {
            compare_rows(args->pair, args->rows, args->json);
            return;
        }
        const event_pair in = load_pair(args->pair);
        const comparison c = kldiv::compare(std::span<const double>(in.p), std::span<const double>(in.q), in.options);
        if (args->json) {
            std::cout << json_text(report::comparison_json(in.p_name, in.q_name, in.p.size(), in.options.base, c), 2)
                      << '\n';
        } else {
            print_table(in, c);
        }
    });
}

}  // namespace kldiv::cli
