// The command line: the input is the argument list, one argument per line. Every subcommand's
// options are parsed as `kldiv` parses them (CLI11's number conversions, ranges and rules), the
// parse stopped where the chosen command would start: the top-level app's parse-complete callback
// runs after every option is converted and checked and before any subcommand's callback, so no
// command runs. Then the text options that the commands parse themselves (--base, --on-zero
// through pair_options, --encoding, inline values).

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/distribution_file.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/units.hpp"

using namespace kldiv;

namespace {

struct parsed_only {};  // thrown where the chosen command would start running

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

void parse_with(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<const char*> argv{"kldiv"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const parsed_only&) {
    } catch (const CLI::Error&) {
        // A usage error (exit code 2) or --help/--version: refused cleanly.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    const std::vector<std::string> args = split_lines(text);
    {
        CLI::App app{"kldiv", "kldiv"};
        app.require_subcommand(1);
        cli::add_commands(app);
        app.parse_complete_callback([] { throw parsed_only{}; });
        fuzz::refusals_allowed([&] { parse_with(app, args); });
    }
    {
        // What compare and explain check before reading any file.
        CLI::App app{"kldiv", "kldiv"};
        CLI::App* compare = app.add_subcommand("compare");
        cli::pair_arguments pair;
        cli::add_pair_arguments(*compare, pair);
        compare->callback([&] { (void)cli::pair_options(pair); });
        std::vector<std::string> with_command{"compare"};
        with_command.insert(with_command.end(), args.begin(), args.end());
        fuzz::refusals_allowed([&] { parse_with(app, with_command); });
    }
    for (const std::string& a : args) {
        fuzz::refusals_allowed([&] { (void)log_base::parse(a); });
        fuzz::refusals_allowed([&] { (void)parse<io::reference_encoding>(a, "--encoding", "fuzz"); });
        fuzz::refusals_allowed([&] { (void)io::parse_values(a, "--p"); });
    }
    return 0;
}
