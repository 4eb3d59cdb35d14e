// kldiv: Kullback-Leibler divergence and the measures around it, from the shell.
// Exit codes: 0 success, 1 bad input (one line on stderr naming the value and the rule), 2 bad usage.

#include <fmt/core.h>
#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "kldiv/version.hpp"

#include <new>
#include <string>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"kldiv: Kullback-Leibler divergence and the measures around it", "kldiv"};
    app.set_version_flag("--version", kldiv::version);
    app.require_subcommand(1);
    kldiv::cli::add_commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    } catch (const kldiv::error& e) {
        // A subcommand's own errors name it ("kldiv estimate: …"): no second "kldiv: " before them.
        // Messages quote file contents, labels and paths: printable() shows their control
        // characters and bytes that are not UTF-8 as escapes, never raw on the terminal.
        const bool named = e.function().starts_with("kldiv ");
        fmt::print(stderr, "{}{}\n", named ? "" : "kldiv: ", kldiv::printable(e.what()));
        return 1;
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
    return 0;
}
