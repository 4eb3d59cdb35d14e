#pragma once
// Shell completion scripts and the manual page, generated from the option definitions of the
// commands themselves (so they cannot drift from them):
//   kldiv completion bash   a bash completion script (commands, each command's options, the names
//                           of choice options, files elsewhere)
//   kldiv completion zsh    the same for zsh (#compdef, with each option's help)
//   kldiv man               the manual page kldiv(1), roff

#include <CLI/CLI.hpp>
#include <string>

namespace kldiv::cli {

std::string bash_completion(const CLI::App& app);
std::string zsh_completion(const CLI::App& app);
std::string man_page(const CLI::App& app);

// Registers `completion SHELL` and `man` on `app` (after the other commands).
void add_completion(CLI::App& app);

}  // namespace kldiv::cli
