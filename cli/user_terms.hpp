#pragma once
// A library error in the terms of the command line the user typed: "kldiv COMMAND: " first (not
// the library function, which the user never called), the library's option names spelled as the
// command's flags ("epsilon = 2" → "--epsilon = 2", "set normalize" → "give --normalize"), and a
// hint for the common mistakes: counts given as probabilities (--counts), logits or
// log-probabilities given as probabilities (--input).

#include <CLI/CLI.hpp>
#include <string>

#include "kldiv/error.hpp"

namespace kldiv::cli {

// `command` is the subcommand that ran (null: the error came before one ran).
std::string in_users_terms(const CLI::App* command, const error& e);

}  // namespace kldiv::cli
