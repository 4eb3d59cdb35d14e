// The subcommands on one app, with the rules every command shares.

#include "cli/commands.hpp"

#include "cli/completion.hpp"

#include "kldiv/text.hpp"

#include <algorithm>
#include <string>

namespace kldiv::cli {
namespace {

// Unsigned options take digits only: CLI11 alone reads "-1" as 2^64 − 1 (`--seed -1` ran with seed
// 18446744073709551615, `--k -1` asked for k = 18446744073709551615) and "0x10" as 16.
const CLI::Validator whole_number(
    [](const std::string& text) {
        const bool digits =
            !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        return digits ? std::string() : "'" + printable(text) + "' is not a whole number >= 0";
    },
    "", "whole_number");

}  // namespace

void add_commands(CLI::App& app) {
    add_compare(app);
    add_explain(app);
    add_dist(app);
    add_estimate(app);
    add_drift(app);
    add_matrix(app);
    add_llm_compare(app);
    add_llm_reference(app);
    add_completion(app);
    for (CLI::App* command : app.get_subcommands({})) {
        for (CLI::Option* option : command->get_options()) {
            const std::string type = option->get_type_name();  // "UINT", then ":" and its checks
            if (type == "UINT" || type.starts_with("UINT:")) option->check(whole_number);
        }
    }
}

}  // namespace kldiv::cli
