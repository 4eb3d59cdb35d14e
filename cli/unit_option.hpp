#pragma once
// --base, the unit of every command's results: one name, one default (nats, the library's), one
// rule (kldiv::log_base::parse) checked when the command line is read (a usage error, exit 2).

#include <CLI/CLI.hpp>
#include <string>

namespace kldiv::cli {

// Registers --base on `command`, storing its text in `base` (set to the default unit's name).
CLI::Option* add_unit_option(CLI::App& command, std::string& base);

}  // namespace kldiv::cli
