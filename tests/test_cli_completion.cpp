// Tests of `kldiv completion bash|zsh` and `kldiv man`: generated from the option definitions, they
// offer every command and every option that `kldiv COMMAND --help` lists, the names of choice
// options, and a manual page that groff reads without a warning.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace {

using kldiv::test::command_result;
using kldiv::test::scratch_dir;
using testing::HasSubstr;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

const std::vector<std::string> commands = {"compare", "explain",     "dist",          "estimate",   "drift",
                                           "matrix",  "llm-compare", "llm-reference", "completion", "man"};

// The options `kldiv COMMAND --help` lists ("  -h,--help", "  --base TEXT=nats").
std::set<std::string> options_in_help(const std::string& command) {
    std::set<std::string> out;
    std::istringstream lines(kldiv_cli({command, "--help"}).out);
    const std::regex option("^  ((-[-a-z0-9]+)(,(-[-a-z0-9]+))*)");
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (!std::regex_search(line, m, option)) continue;
        std::istringstream names(m[1].str());
        for (std::string name; std::getline(names, name, ',');) out.insert(name);
    }
    return out;
}

// What bash's completion function offers for the words typed (the last one being completed).
std::set<std::string> bash_offers(const std::string& script, const std::vector<std::string>& words) {
    std::string array;
    for (const std::string& w : words) array += " '" + w + "'";
    const command_result r = kldiv::test::run_command(
        "/bin/bash", {"-c", "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" +
                                std::to_string(words.size() - 1) + "; _kldiv; printf '%s\\n' \"${COMPREPLY[@]}\""});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    std::set<std::string> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) out.insert(line);
    return out;
}

TEST(CliCompletion, BashOffersEveryCommandEveryOptionAndTheChoices) {
    const scratch_dir dir;
    const command_result script = kldiv_cli({"completion", "bash"});
    ASSERT_EQ(script.exit_code, 0) << script.err;
    const std::string path = dir.write("kldiv.bash", script.out).string();

    std::set<std::string> all(commands.begin(), commands.end());
    all.insert({"help", "--help", "--version"});
    EXPECT_EQ(bash_offers(path, {"kldiv", ""}), all);
    EXPECT_EQ(bash_offers(path, {"kldiv", "llm"}), (std::set<std::string>{"llm-compare", "llm-reference"}));
    EXPECT_EQ(bash_offers(path, {"kldiv", "help", "es"}), (std::set<std::string>{"estimate"}));
    for (const std::string& c : commands) {
        const std::set<std::string> help = options_in_help(c);
        ASSERT_GE(help.size(), 2u) << c;  // --help and -h at least
        EXPECT_EQ(bash_offers(path, {"kldiv", c, "-"}), help) << c;
    }
    EXPECT_EQ(bash_offers(path, {"kldiv", "compare", "--on-zero", ""}),
              (std::set<std::string>{"infinity", "error", "smooth"}));
    EXPECT_EQ(bash_offers(path, {"kldiv", "estimate", "--base", "b"}), (std::set<std::string>{"bits"}));
    EXPECT_EQ(bash_offers(path, {"kldiv", "dist", "--method", "m"}), (std::set<std::string>{"monte-carlo"}));
    EXPECT_EQ(bash_offers(path, {"kldiv", "completion", ""}), (std::set<std::string>{"bash", "zsh"}));
    EXPECT_EQ(bash_offers(path, {"kldiv", "estimate", "--seed", ""}), std::set<std::string>{});  // a number
    // Files after an option that takes a path, and for the positionals.
    dir.write("rows.csv", "");
    EXPECT_EQ(bash_offers(path, {"kldiv", "compare", "--per-row", dir.path().string() + "/ro"}),
              (std::set<std::string>{dir.path().string() + "/rows.csv"}));
    EXPECT_EQ(bash_offers(path, {"kldiv", "explain", dir.path().string() + "/kl"}),
              (std::set<std::string>{dir.path().string() + "/kldiv.bash"}));
}

TEST(CliCompletion, ZshScriptParsesAndDescribesEveryOption) {
    const scratch_dir dir;
    const command_result script = kldiv_cli({"completion", "zsh"});
    ASSERT_EQ(script.exit_code, 0) << script.err;
    EXPECT_THAT(script.out, testing::StartsWith("#compdef kldiv\n"));
    const std::string path = dir.write("_kldiv", script.out).string();
    const command_result syntax = kldiv::test::run_command("/usr/bin/zsh", {"-n", path});
    EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
    for (const std::string& c : commands) {
        EXPECT_THAT(script.out, HasSubstr("        " + c + ") _arguments")) << c;
        for (const std::string& option : options_in_help(c))
            EXPECT_THAT(script.out, HasSubstr("'" + option + "[")) << c << " " << option;
    }
    EXPECT_THAT(script.out, HasSubstr("'--on-zero[Where P > 0 but Q = 0\\: the divergence is infinity"));
    EXPECT_THAT(script.out, HasSubstr("]:name:(infinity error smooth)' \\\n"));
    EXPECT_THAT(script.out, HasSubstr("'1:name:(bash zsh)' ;;"));
}

TEST(CliCompletion, ManPageListsEveryCommandAndOptionAndGroffReadsItCleanly) {
    const scratch_dir dir;
    const command_result page = kldiv_cli({"man"});
    ASSERT_EQ(page.exit_code, 0) << page.err;
    EXPECT_THAT(page.out, testing::StartsWith(".TH KLDIV 1 "));
    for (const std::string& c : commands) {
        EXPECT_THAT(page.out, HasSubstr(".SS \"kldiv " + c + " [OPTIONS]")) << c;
        for (const std::string& option : options_in_help(c)) {
            std::string roff;
            for (char ch : option) roff += ch == '-' ? std::string("\\-") : std::string(1, ch);
            EXPECT_THAT(page.out, HasSubstr("\\fB" + roff + "\\fR")) << c << " " << option;
        }
    }
    EXPECT_THAT(page.out, HasSubstr("(default: nats)"));
    EXPECT_THAT(page.out, HasSubstr("D(candidate\\[u2016]reference)"));  // UTF-8 as roff's escapes
    const std::string path = dir.write("kldiv.1", page.out).string();
    const command_result groff = kldiv::test::run_command("/usr/bin/groff", {"-man", "-Tutf8", "-ww", "-z", path});
    EXPECT_EQ(groff.exit_code, 0);
    EXPECT_EQ(groff.err, "");  // no warning
}

TEST(CliCompletion, AnotherShellIsAUsageError) {
    const command_result r = kldiv_cli({"completion", "fish"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr("fish"));
    EXPECT_EQ(kldiv_cli({"completion"}).exit_code, 2);
}

}  // namespace
