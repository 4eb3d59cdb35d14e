#pragma once
// Each subcommand lives in its own file and registers itself here.

#include <CLI/CLI.hpp>

namespace kldiv::cli {

void add_compare(CLI::App& app);
void add_explain(CLI::App& app);
void add_dist(CLI::App& app);
void add_estimate(CLI::App& app);
void add_llm_compare(CLI::App& app);
void add_llm_reference(CLI::App& app);

}  // namespace kldiv::cli
