// Tests of `kldiv drift`: the table, --json equal to the library's comparison of the same files,
// windows, profiles saved and given as REFERENCE, the HTML report, and bad input: errors naming the
// file, line, column or option, and no output file left behind.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kldiv/drift/drift.hpp"
#include "kldiv/io/table_file.hpp"
#include "tests/run_command.hpp"

namespace {

namespace kd = kldiv::drift;
using kldiv::test::command_result;
using testing::HasSubstr;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

// A table "when,x,kind,flag" of n rows: x ~ N(shift, 1) (17 digits), kind from `kinds`, one x in 20
// missing, times an hour apart from 2025-03-01.
std::string table_text(std::size_t n, double shift, const std::vector<std::string>& kinds, unsigned seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> z;
    std::ostringstream t;
    t.precision(17);
    t << "when,x,kind,flag\n";
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t hour = i % 24, day = 1 + i / 24;
        t << "2025-03-" << (day < 10 ? "0" : "") << day << "T" << (hour < 10 ? "0" : "") << hour << ":00:00,";
        if (i % 20 != 7) t << z(g) + shift;
        t << "," << kinds[g() % kinds.size()] << "," << (g() % 4 == 0 ? "true" : "false") << "\n";
    }
    return t.str();
}

struct files {
    kldiv::test::scratch_dir dir;
    std::filesystem::path reference, current;
    files() {
        reference = dir.write("ref.csv", table_text(480, 0.0, {"a", "b", "c"}, 1));
        current = dir.write("cur.csv", table_text(240, 0.6, {"a", "b", "c", "d"}, 2));
    }
};

TEST(CliDrift, JsonEqualsTheLibraryOnTheSameFiles) {
    const files f;
    const command_result r = kldiv_cli({"drift", f.reference.string(), f.current.string(), "--exclude", "when",
                                        "--permutations", "500", "--resamples", "50", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    const kldiv::io::table ref = kldiv::io::read_table(f.reference);
    const std::vector<kldiv::io::column_schema> schema = kldiv::io::schema_of(ref);
    kldiv::io::table_options like;
    like.like = schema;
    const kldiv::io::table cur = kldiv::io::read_table(f.current, like);
    kd::drift_options o;
    o.exclude = {"when"};
    o.calibration.permutations = 500;
    o.calibration.resamples = 50;
    const kd::drift_result lib = kd::compare(kd::view_of(ref), kd::view_of(cur), o);
    ASSERT_EQ(doc["windows"].size(), 1u);
    const auto& columns = doc["windows"][0]["columns"];
    ASSERT_EQ(columns.size(), 3u);
    for (std::size_t j = 0; j < 3; ++j) {
        const kd::column_result& c = lib.windows[0].columns[j];
        EXPECT_EQ(columns[j]["name"], c.name);
        EXPECT_EQ(columns[j]["drifted"], c.drifted);
        EXPECT_EQ(columns[j]["measures"]["psi"]["value"].get<double>(), c[kd::measure::psi].value);
        EXPECT_EQ(columns[j]["measures"]["js_divergence"]["p_value"].get<double>(),
                  c[kd::measure::js_divergence].p_value);
    }
    // x moved by 0.6 standard deviations and kind gained a category: both flagged; flag did not move.
    EXPECT_EQ(columns[0]["drifted"], true);
    EXPECT_EQ(columns[1]["drifted"], true);
    EXPECT_EQ(columns[2]["name"], "flag");
    EXPECT_EQ(columns[2]["type"], "boolean");
    EXPECT_EQ(doc["settings"]["unit"], "nats");
    EXPECT_EQ(doc["settings"]["correction"], "holm");
}

TEST(CliDrift, TableRanksTheColumnsAndShowsWhereTheyMoved) {
    const files f;
    const command_result r = kldiv_cli({"drift", f.reference.string(), f.current.string(), "--exclude", "when"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("window all (240 rows): 2 of 3 columns drifted"));
    EXPECT_THAT(r.out, HasSubstr("where it moved"));
    EXPECT_THAT(r.out, HasSubstr("    new "));
    EXPECT_THAT(r.out, HasSubstr("column types: "));
    EXPECT_THAT(r.out, HasSubstr("x numeric"));
}

TEST(CliDrift, WindowsByTimeAndByRows) {
    const files f;
    const command_result by_time = kldiv_cli({"drift", f.reference.string(), f.current.string(), "--time-column",
                                              "when", "--window", "1d", "--json", "--resamples", "0"});
    ASSERT_EQ(by_time.exit_code, 0) << by_time.err;
    const auto doc = nlohmann::json::parse(by_time.out);
    ASSERT_EQ(doc["windows"].size(), 10u);  // 240 hours
    EXPECT_EQ(doc["windows"][0]["window"], "2025-03-01T00:00:00Z");
    EXPECT_EQ(doc["windows"][9]["rows"], 24);
    const command_result by_rows = kldiv_cli(
        {"drift", f.reference.string(), f.current.string(), "--window-rows", "100", "--exclude", "when", "--json"});
    ASSERT_EQ(by_rows.exit_code, 0) << by_rows.err;
    const auto rows = nlohmann::json::parse(by_rows.out);
    ASSERT_EQ(rows["windows"].size(), 3u);
    EXPECT_EQ(rows["windows"][2]["window"], "rows 201-240");
}

TEST(CliDrift, ASavedProfileComparesAsTheTable) {
    const files f;
    const auto profile = f.dir.path() / "ref.profile.json";
    const command_result saved =
        kldiv_cli({"drift", f.reference.string(), "--exclude", "when", "--save-profile", profile.string()});
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    EXPECT_THAT(saved.out, HasSubstr("(480 rows, 3 columns) saved to"));
    const command_result a = kldiv_cli({"drift", profile.string(), f.current.string(), "--exclude", "when", "--json"});
    const command_result b =
        kldiv_cli({"drift", f.reference.string(), f.current.string(), "--exclude", "when", "--json"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    const command_result binned = kldiv_cli({"drift", profile.string(), f.current.string(), "--bin-count", "5"});
    EXPECT_EQ(binned.exit_code, 1);
    EXPECT_THAT(binned.err, HasSubstr("--bin-count is given, but REFERENCE"));
}

TEST(CliDrift, HtmlReportIsWrittenWhole) {
    const files f;
    const auto html = f.dir.path() / "drift.html";
    const command_result r = kldiv_cli({"drift", f.reference.string(), f.current.string(), "--time-column", "when",
                                        "--window", "2d", "--html", html.string(), "--resamples", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string page = kldiv::test::read_text(html);
    EXPECT_THAT(page, HasSubstr("Drift over time"));
    EXPECT_THAT(page, HasSubstr("<svg"));
    EXPECT_THAT(page, HasSubstr("id=\"kldiv-drift\""));
    EXPECT_THAT(page, testing::EndsWith("</html>\n"));
}

TEST(CliDrift, BadTablesAndOptionsNameTheFileLineColumnOrOption) {
    const files f;
    const auto ragged = f.dir.write("ragged.csv", "when,x,kind,flag\n2025-03-01T00:00:00,1.0,a,true\n2025-03-01,2.0\n");
    const auto words = f.dir.write("words.csv", "when,x,kind,flag\n2025-03-01T00:00:00,forty,a,true\n");
    const auto missing = f.dir.write("missing.csv", "when,kind,flag\n2025-03-01T00:00:00,a,true\n");
    const auto header = f.dir.write("header.csv", "when,x,kind,flag\n");
    const auto html = f.dir.path() / "never.html";
    struct bad_case {
        std::vector<std::string> args;
        int exit_code;
        std::string message;
    };
    const std::string ref = f.reference.string(), cur = f.current.string();
    const bad_case cases[] = {
        {{"drift", ref, ragged.string()}, 1, "line 3: 2 fields, but the header (line 1) has 4"},
        {{"drift", ref, words.string()}, 1, "line 2, column 21 (x): \"forty\" is not a number"},
        {{"drift", ref, missing.string()}, 1, "missing.csv"},
        {{"drift", ref, header.string(), "--exclude", "when"}, 1, "the current data has no rows"},
        {{"drift", ref, cur, "--columns", "nope"}, 2, "--columns = \"nope\", but the reference has no such column"},
        {{"drift", ref, cur, "--alpha", "1"}, 2, "--alpha = 1, but the false-alarm rate must be in (0, 1)"},
        {{"drift", ref, cur, "--bin-count", "0"}, 2, "--bin-count"},
        {{"drift", ref, cur, "--window-rows", "0"}, 2, "--window-rows"},
        {{"drift", ref, cur, "--time-column", "when"}, 1, "without --window"},
        {{"drift", ref, cur, "--time-column", "when", "--window", "-1d"}, 2, "--window = \"-1d\""},
        {{"drift", ref, cur, "--time-column", "x", "--window", "1d", "--window-rows", "5"}, 1, "not both"},
        {{"drift", ref, cur, "--measure", "psy"}, 2, "--measure"},
        {{"drift", ref, cur, "--permutations", "100000000"}, 2, "--permutations"},
        {{"drift", ref, cur, "--html", ref}, 1, "REFERENCE"},
        {{"drift", ref}, 1, "CURRENT is missing"},
        {{"drift", ref, ragged.string(), "--html", html.string()}, 1, "ragged.csv"},
    };
    for (const bad_case& c : cases) {
        const command_result r = kldiv_cli(c.args);
        EXPECT_EQ(r.exit_code, c.exit_code) << c.message << "\n" << r.err;
        EXPECT_THAT(r.err, HasSubstr(c.message));
        EXPECT_TRUE(r.out.empty()) << r.out;
        // One line (CLI11's own usage errors add "Run with --help for more information.").
        const std::string first = r.err.substr(0, r.err.find('\n') + 1);
        EXPECT_THAT(first, HasSubstr(c.message));
        EXPECT_TRUE(r.err == first || r.err == first + "Run with --help for more information.\n") << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(html));
    EXPECT_EQ(kldiv::test::read_text(f.reference), table_text(480, 0.0, {"a", "b", "c"}, 1));
}

}  // namespace
