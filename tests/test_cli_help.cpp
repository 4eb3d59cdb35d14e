// Tests of the command line's help and hints: `kldiv` alone and `kldiv help [COMMAND]` print help
// on stdout (exit 0); a mistyped command or option is a usage error (exit 2) that names the nearest
// one; an argument near nothing gets no guess.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

using kldiv::test::command_result;
using testing::HasSubstr;
using testing::Not;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

const std::vector<std::string> commands = {"compare", "explain", "dist", "estimate", "llm-compare", "llm-reference"};

TEST(CliHelp, KldivAloneAndHelpPrintTheCommands) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{}, std::vector<std::string>{"help"}}) {
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.err, "");
        EXPECT_THAT(r.out, HasSubstr("Usage: kldiv [OPTIONS] SUBCOMMAND"));
        for (const std::string& c : commands) EXPECT_THAT(r.out, HasSubstr(c));
    }
}

TEST(CliHelp, HelpOfACommandIsItsDashDashHelp) {
    for (const std::string& c : commands) {
        const command_result help = kldiv_cli({"help", c}), flag = kldiv_cli({c, "--help"});
        EXPECT_EQ(help.exit_code, 0) << c << ": " << help.err;
        EXPECT_EQ(help.out, flag.out) << c;
        EXPECT_THAT(help.out, HasSubstr("Usage: kldiv " + c));
    }
    const command_result unknown = kldiv_cli({"help", "comparre"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_EQ(unknown.out, "");
    EXPECT_EQ(unknown.err,
              "kldiv help: 'comparre' is not a command; the commands are compare, explain, dist, estimate, "
              "drift, matrix, llm-compare, llm-reference, completion, man; did you mean compare?\n");
}

TEST(CliHelp, AMistypedCommandOrOptionNamesTheNearestOne) {
    const command_result command = kldiv_cli({"comapre", "--p", "0.5,0.5"});
    EXPECT_EQ(command.exit_code, 2);
    EXPECT_THAT(command.err, HasSubstr("'comapre' is not a command; the commands are compare, explain"));
    EXPECT_THAT(command.err, HasSubstr("did you mean compare?"));

    const command_result option = kldiv_cli({"compare", "--p", "0.5,0.5", "--q", "0.5,0.5", "--count"});
    EXPECT_EQ(option.exit_code, 2);
    EXPECT_EQ(option.out, "");
    EXPECT_THAT(option.err, HasSubstr("The following argument was not expected: --count\n"
                                      "--count: did you mean --counts?\n"
                                      "Run with --help for more information."));
    const command_result swapped = kldiv_cli({"estimate", "x.csv", "y.csv", "--mehtod=knn"});
    EXPECT_EQ(swapped.exit_code, 2);
    EXPECT_THAT(swapped.err, HasSubstr("--mehtod: did you mean --method?"));

    const command_result far = kldiv_cli({"compare", "--p", "0.5,0.5", "--q", "0.5,0.5", "--zzzzzzzz"});
    EXPECT_EQ(far.exit_code, 2);
    EXPECT_THAT(far.err, Not(HasSubstr("did you mean")));
    const command_result nothing = kldiv_cli({"zzzzzzzz"});
    EXPECT_EQ(nothing.exit_code, 2);
    EXPECT_THAT(nothing.err, Not(HasSubstr("did you mean")));
}

}  // namespace
