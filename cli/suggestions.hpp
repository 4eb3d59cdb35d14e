#pragma once
// What the user probably meant: the closest option or subcommand name to a mistyped one, for the
// hint after a usage error ("did you mean --counts?").

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kldiv::cli {

// The candidate nearest to `typed` by edit distance (insertions, deletions, substitutions and
// swaps of neighbours), if it is close enough to be a slip: at most 1 edit for names up to 4
// characters, 2 up to 8, 3 beyond. Ties go to the first candidate.
std::optional<std::string> nearest(const std::string& typed, const std::vector<std::string>& candidates);

// The long option names of `command` ("--counts", …) and its subcommands' names.
std::vector<std::string> option_names(const CLI::App& command);
std::vector<std::string> subcommand_names(const CLI::App& command);

}  // namespace kldiv::cli
