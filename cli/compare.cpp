// kldiv compare P Q: every measure of the pair, with the decomposition D(P‖Q) = H(P,Q) − H(P); with
// --measure, the divergences asked for (divergences.hpp) instead.
// With 2-D .npy files (or --input, --temperature, --per-row) the pair is measured row by row: rows.hpp.

#include <fmt/core.h>
#include "kldiv/comparison.hpp"
#include "kldiv/divergences.hpp"

#include <algorithm>
#include <iostream>
#include <span>
#include <vector>

#include "cli/choice.hpp"
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
    std::vector<measure> measures;  // --measure: only these, instead of the KL family's table
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

// What a divergence is, for the table.
std::string meaning(measure m, const options& o) {
    switch (m) {
        case measure::kl_divergence:
            return "KL divergence D(P‖Q)";
        case measure::reverse_kl:
            return "KL divergence D(Q‖P)";
        case measure::jeffreys:
            return "Jeffreys: D(P‖Q) + D(Q‖P)";
        case measure::js_divergence:
            return "Jensen-Shannon divergence";
        case measure::js_distance:
            return "Jensen-Shannon distance, √JS";
        case measure::renyi_divergence:
            return "Rényi divergence of order " + human(o.alpha);
        case measure::tsallis_divergence:
            return "Tsallis divergence of order " + human(o.alpha);
        case measure::pearson_chi2:
            return "Pearson's χ²(P‖Q) = Σ (p − q)²/q";
        case measure::neyman_chi2:
            return "Neyman's χ²: Σ (p − q)²/p";
        case measure::squared_hellinger:
            return "squared Hellinger distance, ½ Σ (√p − √q)²";
        case measure::hellinger:
            return "Hellinger distance";
        case measure::total_variation:
            return "total variation, ½ Σ |p − q|";
        case measure::bhattacharyya:
            return "Bhattacharyya distance, −ln Σ √(pq)";
        case measure::triangular:
            return "triangular discrimination, Σ (p − q)²/(p + q)";
        case measure::skew_divergence:
            return "skew divergence D(P‖" + human(o.alpha) + " Q + " + human(1.0 - o.alpha) + " P)";
    }
    return {};
}

void print_divergences(const event_pair& in, std::span<const measure> measures, std::span<const double> values) {
    fmt::print("P = {} ({} events)\nQ = {} ({} events)\n\n", in.p_name, in.p.size(), in.q_name, in.q.size());
    std::size_t width = 0;
    for (const measure m : measures) width = std::max(width, name(m, '-').size());
    for (std::size_t k = 0; k < measures.size(); ++k) {
        const measure m = measures[k];
        fmt::print("  {:<{}}{:>14} {:<6}  {}\n", name(m, '-'), width + 2, human(values[k]),
                   in_log_units(m) ? in.options.base.unit() : "", meaning(m, in.options));
    }
}

}  // namespace

void add_compare(CLI::App& app) {
    auto args = std::make_shared<compare_arguments>();
    CLI::App* command =
        app.add_subcommand("compare", "Entropies, cross-entropies, KL both ways, Jeffreys and JS of P and Q");
    add_pair_arguments(*command, args->pair);
    add_rows_arguments(*command, args->rows);
    add_choice<measure>(*command, "--measure", args->measures,
                        "Only these measures (repeat the option or separate names by commas), instead of the KL "
                        "family's table");
    command->add_flag("--json", args->json, "Print JSON with stable keys instead of a table");
    command->callback([args] {
        for (std::size_t k = 0; k < args->measures.size(); ++k) {
            if (std::find(args->measures.begin(), args->measures.begin() + static_cast<std::ptrdiff_t>(k),
                          args->measures[k]) != args->measures.begin() + static_cast<std::ptrdiff_t>(k)) {
                throw error("compare", "--measure = " + name(args->measures[k], '-') +
                                           " is asked for twice, but each measure is one column: name it once");
            }
        }
        if (wants_rows(args->pair, args->rows)) {
            compare_rows(args->pair, args->rows, args->measures, args->json);
            return;
        }
        const event_pair in = load_pair(args->pair);
        if (!args->measures.empty()) {
            std::vector<double> values;
            for (const measure m : args->measures) values.push_back(kldiv::divergence(in.p, in.q, m, in.options));
            if (args->json) {
                std::cout << json_text(report::divergences_json(in.p_name, in.q_name, in.p.size(), in.options,
                                                                args->measures, values),
                                       2)
                          << '\n';
            } else {
                print_divergences(in, args->measures, values);
            }
            return;
        }
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
