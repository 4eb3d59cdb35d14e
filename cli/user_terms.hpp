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

// Whether a message in the user's terms is about an option's value ("kldiv compare: --beta = 2,
// but ..."): a usage error (exit 2), as the values refused while the command line is read are;
// other errors are about the input (exit 1).
bool names_an_option_value(const std::string& message);

}  // namespace kldiv::cli
