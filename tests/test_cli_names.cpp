// Tests of the command's choices (--on-zero, --input, --method, --measure, --knn-form, --bins,
// --estimator, --interval, --encoding): each takes every name of the library's table (kldiv/names.hpp)
// in both spellings and every alias, shows the names in its help, and refuses anything else as a
// usage error (exit 2) that lists them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "kldiv/batch.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/drift/drift.hpp"
#include "kldiv/estimate/from_data.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/names.hpp"
#include "kldiv/options.hpp"
#include "tests/run_command.hpp"

namespace {

namespace kd = kldiv::distributions;
namespace ke = kldiv::estimate;
using kldiv::test::command_result;
using testing::HasSubstr;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

// `command` (a subcommand and its arguments) with `flag` set to every name and alias of E in both
// spellings: none is a usage error (but the values the command refuses, tested by the caller); a
// name that is no name is one, with the listing.
template <class E>
void expect_choice(const std::vector<std::string>& command, const std::string& flag,
                   std::initializer_list<E> refused = {}) {
    for (const kldiv::named<E>& n : names_of(E{})) {
        if (std::find(refused.begin(), refused.end(), n.value) != refused.end()) continue;
        std::string hyphens(n.name);
        for (char& c : hyphens) c = c == '_' ? '-' : c;
        for (const std::string& text : {std::string(n.name), hyphens}) {
            std::vector<std::string> args = command;
            args.insert(args.end(), {flag, text});
            const command_result r = kldiv_cli(args);
            // Accepted: no usage error about the flag itself (another option may still conflict with
            // it, as --bin-count does with the rules that choose their own bin count).
            EXPECT_THAT(r.err, testing::Not(testing::StartsWith(flag + ":")))
                << command[0] << " " << flag << " " << text << ": " << r.err;
            EXPECT_THAT(r.err, testing::Not(HasSubstr("but it must be"))) << flag << " " << text;
        }
    }
    std::vector<std::string> args = command;
    args.insert(args.end(), {flag, "nonesuch"});
    const command_result wrong = kldiv_cli(args);
    EXPECT_EQ(wrong.exit_code, 2) << flag;
    EXPECT_THAT(wrong.err, HasSubstr(flag + ": 'nonesuch', but it must be " + kldiv::listing<E>('-')));
    EXPECT_EQ(wrong.out, "");
    const command_result help = kldiv_cli({command[0], "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_THAT(help.out, HasSubstr(kldiv::listing<E>('-'))) << command[0] << " " << flag;
}

TEST(CliNames, CompareAndExplain) {
    const std::vector<std::string> pair{"--p", "0.5,0.5", "--q", "0.25,0.75"};
    for (const char* command : {"compare", "explain"}) {
        std::vector<std::string> args{command};
        args.insert(args.end(), pair.begin(), pair.end());
        expect_choice<kldiv::zero_support>(args, "--on-zero");
    }
    std::vector<std::string> rows{"compare"};
    rows.insert(rows.end(), pair.begin(), pair.end());
    expect_choice<kldiv::input_kind>(rows, "--input");
    expect_choice<kldiv::measure>(rows, "--measure");
    // The JSON names the input as the library does, whichever spelling was given.
    rows.insert(rows.end(), {"--input", "log-probs", "--normalize", "--json"});
    const command_result r = kldiv_cli(rows);
    EXPECT_THAT(r.out, HasSubstr("\"input\": \"log_probs\"")) << r.err;
}

TEST(CliNames, Drift) {
    const kldiv::test::scratch_dir dir;
    const std::string ref = dir.write("r.csv", "x,k\n0.1,a\n0.4,b\n-0.3,a\n1.2,b\n0.8,a\n").string();
    const std::string cur = dir.write("c.csv", "x,k\n0.2,a\n0.9,a\n-0.7,b\n1.5,a\n").string();
    const std::vector<std::string> args{"drift", ref, cur, "--permutations", "20", "--resamples", "0"};
    expect_choice<kldiv::drift::measure>(args, "--measure");
    expect_choice<kldiv::drift::rule>(args, "--rule");
    expect_choice<kldiv::drift::correction>(args, "--correction");
    expect_choice<kldiv::drift::empty_bins>(args, "--empty-bins");
    expect_choice<ke::binning>({"drift", ref, cur, "--bin-count", "2", "--resamples", "0"}, "--binning");
}

TEST(CliNames, Dist) {
    expect_choice<kd::method_choice>({"dist", "normal(0, 1)", "normal(1, 2)", "--mc-error", "0.05"}, "--method");
}

TEST(CliNames, Estimate) {
    const kldiv::test::scratch_dir dir;
    const std::string x = dir.write("x.csv", "0.1\n0.4\n-0.3\n1.2\n0.8\n-1.1\n0.05\n0.6\n").string();
    const std::string y = dir.write("y.csv", "0.2\n0.9\n-0.7\n1.5\n0.3\n-0.2\n1.1\n0.45\n").string();
    expect_choice<ke::quantity>({"estimate", x, y, "--k", "1"}, "--measure");
    expect_choice<ke::knn_method>({"estimate", x, y, "--k", "1"}, "--knn-form");
    expect_choice<ke::binning>({"estimate", x, y, "--method", "histogram", "--bin-count", "3"}, "--bins");
    expect_choice<ke::count_estimator>({"estimate", x, y, "--method", "counts"}, "--estimator");
    expect_choice<ke::interval_method>({"estimate", x, y, "--k", "1", "--ci", "0.9", "--resamples", "20"},
                                       "--interval");
    // --method: a sample method, or counts.
    for (const char* method : {"knn", "histogram", "hist", "counts"}) {
        const command_result r = kldiv_cli({"estimate", x, y, "--k", "1", "--method", method});
        EXPECT_NE(r.exit_code, 2) << method << ": " << r.err;
    }
    const command_result wrong = kldiv_cli({"estimate", x, y, "--method", "magic"});
    EXPECT_EQ(wrong.exit_code, 2);
    EXPECT_THAT(wrong.err, HasSubstr("--method: 'magic', but it must be knn, histogram or counts"));
}

TEST(CliNames, LlmReference) {
    const kldiv::test::scratch_dir dir;
    const std::string missing = (dir.path() / "missing.npy").string(), out = (dir.path() / "out.kref").string();
    expect_choice<kldiv::io::reference_encoding>({"llm-reference", missing, out}, "--encoding");
    expect_choice<kldiv::input_kind>({"llm-reference", missing, out}, "--input", {kldiv::input_kind::probs});
    const command_result probs = kldiv_cli({"llm-reference", missing, out, "--input", "probs"});
    EXPECT_EQ(probs.exit_code, 2);  // a usage error, before any file is opened
    EXPECT_THAT(probs.err, HasSubstr("--input: 'probs', but a reference file is written from logits or log-probs"));
}

}  // namespace
