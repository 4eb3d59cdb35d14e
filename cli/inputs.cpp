#include "cli/inputs.hpp"

#include "cli/choice.hpp"
#include "cli/format.hpp"
#include "cli/unit_option.hpp"

#include "kldiv/error.hpp"
#include "kldiv/io/distribution_file.hpp"

namespace kldiv::cli {
namespace {

struct one_input {
    std::vector<double> values;
    std::vector<std::string> labels;
    std::string name;
};

one_input load_one(const std::string& command, const char* which, const std::string& file,
                   const std::string& inline_values) {
    const std::string option = std::string("--") + which;
    if (!file.empty() && !inline_values.empty()) {
        throw error(command, std::string(which) == "p"
                                 ? "P is given both as the file '" + file + "' and as --p; give one"
                                 : "Q is given both as the file '" + file + "' and as --q; give one");
    }
    if (!inline_values.empty()) return {io::parse_values(inline_values, option), {}, option + " " + inline_values};
    if (file.empty()) {
        throw error(command, "no " + std::string(which == std::string("p") ? "P" : "Q") +
                                 ": give a file (CSV/TSV/.npy) or inline values with " + option);
    }
    io::labeled_vector v = io::read_distribution(file);
    return {std::move(v.values), std::move(v.labels), file};
}

}  // namespace

void add_pair_arguments(CLI::App& command, pair_arguments& args) {
    args.command = command.get_name();
    command.add_option("P", args.p_file,
                       "File with the distribution P (CSV/TSV column or row, label,value rows, or 1-D .npy)");
    command.add_option("Q", args.q_file, "File with the distribution Q (same formats as P)");
    command.add_option("--p", args.p_values, "P inline, e.g. 0.2,0.8");
    command.add_option("--q", args.q_values, "Q inline, e.g. 0.5,0.5");
    command.add_flag("--counts", args.counts, "Inputs are counts (or weights): normalize them to probabilities");
    add_measure_options(command, args);
}

void add_measure_options(CLI::App& command, pair_arguments& args) {
    args.command = command.get_name();
    command.add_flag("--normalize", args.normalize, "Rescale inputs that do not sum to 1");
    command
        .add_option("--sum-tolerance,--tolerance", args.sum_tolerance,
                    "How far from 1 a sum may be without --normalize")
        ->capture_default_str();
    add_unit_option(command, args.base);
    add_choice<zero_support>(command, "--on-zero", args.on_zero,
                             "Where P > 0 but Q = 0: the divergence is infinity, an error, or smooth (add --epsilon "
                             "to every probability and renormalize)");
    args.epsilon_option =
        command.add_option("--epsilon", args.epsilon, "Smoothing added to every probability with --on-zero smooth")
            ->capture_default_str();
    command.add_option("--beta", args.beta, "Weight of P in the Jensen-Shannon mixture M = beta P + (1 - beta) Q")
        ->capture_default_str();
    command
        .add_option("--alpha", args.alpha,
                    "Order of the Renyi divergence (0 to inf) and the Tsallis divergence (finite, >= 0), weight of Q "
                    "in the skew divergence ((0, 1]) (--measure); 1 makes each of them KL")
        ->capture_default_str();
}

kldiv::options pair_options(const pair_arguments& args) {
    if (args.epsilon_option != nullptr && args.epsilon_option->count() > 0 && args.on_zero != zero_support::smooth) {
        throw error(args.command, "--epsilon = " + args.epsilon_option->as<std::string>() +
                                      " is given with --on-zero " + name(args.on_zero, '-') +
                                      ", but --epsilon is the smoothing amount of --on-zero smooth and nothing else "
                                      "uses it");
    }
    kldiv::options o;
    o.base = log_base::parse(args.base, "--base");
    o.on_zero = args.on_zero;
    o.epsilon = args.epsilon;
    o.normalize = args.counts || args.normalize;
    o.sum_tolerance = args.sum_tolerance;
    o.beta = args.beta;
    o.alpha = args.alpha;
    return o;
}

event_pair load_pair(const pair_arguments& args) {
    event_pair pair;
    pair.options = pair_options(args);

    one_input p = load_one(args.command, "p", args.p_file, args.p_values);
    one_input q = load_one(args.command, "q", args.q_file, args.q_values);
    if (p.values.size() != q.values.size()) {
        throw error(args.command, "P (" + p.name + ") has " + std::to_string(p.values.size()) + " events and Q (" +
                                      q.name + ") has " + std::to_string(q.values.size()) +
                                      ", but both must have the same number of events");
    }
    if (!p.labels.empty() && !q.labels.empty()) {
        for (std::size_t i = 0; i < p.labels.size(); ++i) {
            if (p.labels[i] != q.labels[i]) {
                throw error(args.command, "event " + std::to_string(i) + " is '" + p.labels[i] + "' in P but '" +
                                              q.labels[i] +
                                              "' in Q, but both must list the same events in the same order");
            }
        }
    }
    pair.labels = !p.labels.empty() ? std::move(p.labels) : std::move(q.labels);
    if (pair.labels.empty()) {
        for (std::size_t i = 0; i < p.values.size(); ++i) pair.labels.push_back(std::to_string(i));
    }
    pair.p = std::move(p.values);
    pair.q = std::move(q.values);
    pair.p_name = std::move(p.name);
    pair.q_name = std::move(q.name);
    return pair;
}

}  // namespace kldiv::cli
