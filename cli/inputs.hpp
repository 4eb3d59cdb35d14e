#pragma once
// The two distributions a command compares, from files or inline values, and the options that
// shape their measures (--base, --counts, --normalize, --on-zero, --epsilon, --beta, --alpha).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>
#include "kldiv/options.hpp"

namespace kldiv::cli {

struct pair_arguments {
    std::string command;             // the subcommand, for error messages
    std::string p_file, q_file;      // positional P Q
    std::string p_values, q_values;  // --p 0.2,0.8 --q 0.5,0.5
    bool counts = false;
    bool normalize = false;
    double sum_tolerance = 1e-6;
    std::string base;
    zero_support on_zero = zero_support::infinity;
    double epsilon = 1e-10;
    const CLI::Option* epsilon_option = nullptr;  // whether --epsilon was given
    double beta = 0.5;
    double alpha = 1.0;
};

// Registers the positional files and the shared options on `command`.
void add_pair_arguments(CLI::App& command, pair_arguments& args);
// The measure options alone (--normalize, --sum-tolerance, --base, --on-zero, --epsilon, --beta,
// --alpha), for a command that reads its inputs its own way (matrix); pair_options reads them.
void add_measure_options(CLI::App& command, pair_arguments& args);

struct event_pair {
    std::vector<double> p, q;
    std::vector<std::string> labels;  // one per event: from the files, else the event index
    std::string p_name, q_name;       // where each came from, for display
    kldiv::options options;
};

// The measure options the arguments ask for (--base, --on-zero, --epsilon, --counts/--normalize,
// --sum-tolerance, --beta, --alpha); throws kldiv::error for a bad --base.
kldiv::options pair_options(const pair_arguments& args);

// Reads and checks both inputs; throws kldiv::error naming the argument and the rule.
event_pair load_pair(const pair_arguments& args);

}  // namespace kldiv::cli
