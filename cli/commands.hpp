#pragma once
// Each subcommand lives in its own file and registers itself here; add_commands adds them all.

#include <CLI/CLI.hpp>

namespace kldiv::cli {

void add_compare(CLI::App& app);
void add_explain(CLI::App& app);
void add_dist(CLI::App& app);
void add_estimate(CLI::App& app);
void add_drift(CLI::App& app);
void add_matrix(CLI::App& app);
void add_llm_compare(CLI::App& app);
void add_llm_reference(CLI::App& app);

// Every subcommand above, and the checks all their options share (unsigned options take digits only).
void add_commands(CLI::App& app);

}  // namespace kldiv::cli
