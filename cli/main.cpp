// kldiv: Kullback-Leibler divergence and the measures around it, from the shell.
// Exit codes: 0 success, 1 bad input (one line on stderr naming the value and the rule), 2 bad usage.

#include <fmt/core.h>
#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "kldiv/version.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <string>

#include "cli/commands.hpp"
#include "cli/suggestions.hpp"
#include "cli/user_terms.hpp"

namespace {

// "'comapre' is not a command; the commands are compare, …; did you mean compare?"
std::string not_a_command(CLI::App& app, const std::string& typed) {
    const auto names = kldiv::cli::subcommand_names(app);
    std::string listing;
    for (const std::string& n : names) listing += (listing.empty() ? "" : ", ") + n;
    const auto guess = kldiv::cli::nearest(typed, names);
    return "'" + kldiv::printable(typed) + "' is not a command; the commands are " + listing +
           (guess ? "; did you mean " + *guess + "?" : "");
}

// `kldiv help [COMMAND]`: the help of kldiv or of one command, on stdout (exit 0); an unknown
// command is a usage error (exit 2) with the commands and the nearest one.
int help(CLI::App& app, int argc, char** argv) {
    if (argc <= 2) {
        fmt::print("{}", app.help());
        return 0;
    }
    const std::string name = argv[2];
    for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
        if (command->get_name() == name) {  // exactly what `kldiv COMMAND --help` prints
            const char* const args[] = {argv[0], argv[2], "--help"};
            try {
                app.parse(3, args);
            } catch (const CLI::CallForHelp& e) {
                return app.exit(e);
            }
        }
    }
    fmt::print(stderr, "kldiv help: {}\n", not_a_command(app, name));
    return 2;
}

// The usage error of arguments the command does not take, with the nearest option or command
// for each one that looks like a slip ("--count": did you mean --counts?).
int unexpected(CLI::App& app, const CLI::ParseError& e) {
    const auto parsed = app.get_subcommands();
    const CLI::App& command = parsed.empty() ? app : *parsed.front();
    std::string hints;
    for (const std::string& arg : command.remaining()) {
        const bool option = arg.starts_with("-");
        const std::string typed = option ? arg.substr(0, arg.find('=')) : arg;
        const auto guess = kldiv::cli::nearest(typed, option           ? kldiv::cli::option_names(command)
                                                      : parsed.empty() ? kldiv::cli::subcommand_names(app)
                                                                       : std::vector<std::string>{});
        if (guess) hints += fmt::format("{}: did you mean {}?\n", kldiv::printable(typed), *guess);
    }
    fmt::print(stderr, "{}\n{}Run with --help for more information.\n", kldiv::printable(e.what()), hints);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"kldiv: Kullback-Leibler divergence and the measures around it", "kldiv"};
    app.set_version_flag("--version", kldiv::version);
    app.require_subcommand(1);
    kldiv::cli::add_commands(app);
    // `kldiv` alone: what it can do, not an error.
    if (argc == 1) {
        fmt::print("{}", app.help());
        return 0;
    }
    if (std::string(argv[1]) == "help") return help(app, argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ExtrasError& e) {
        return unexpected(app, e);
    } catch (const CLI::RequiredError& e) {
        const auto rest = app.remaining();
        if (app.get_subcommands().empty() && !rest.empty() && !rest.front().starts_with("-")) {  // `kldiv comapre`
            fmt::print(stderr, "{}\nRun with --help for more information.\n", not_a_command(app, rest.front()));
            return 2;
        }
        app.exit(e);
        return 2;
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    } catch (const kldiv::error& e) {
        // In the command line's terms (user_terms.hpp). Messages quote file contents, labels and
        // paths: printable() shows their control characters and bytes that are not UTF-8 as
        // escapes, never raw on the terminal.
        const auto commands = app.get_subcommands();
        const std::string message = kldiv::cli::in_users_terms(commands.empty() ? nullptr : commands.front(), e);
        fmt::print(stderr, "{}\n", kldiv::printable(message));
        return kldiv::cli::names_an_option_value(message) ? 2 : 1;
    } catch (const std::bad_alloc&) {
        // Sizes are capped before allocating; this is the machine running out, not an internal text.
        const auto commands = app.get_subcommands();
        fmt::print(stderr, "kldiv: out of memory while running kldiv {}\n",
                   commands.empty() ? std::string("(parsing the command line)") : commands.front()->get_name());
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "kldiv: {}\n", kldiv::printable(e.what()));
        return 1;
    }
    // What was printed must have reached stdout (a full disk, a closed pipe): else not a success.
    std::cout.flush();
    if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
        fmt::print(stderr, "kldiv: the output could not be written to stdout: {}\n", std::strerror(errno));
        return 1;
    }
    return 0;
}
