// Tests of `kldiv explain`: runs the built command on small inputs written to a temporary directory
// and checks its numbers against the library (kldiv::kl_contributions, kldiv::compare).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "kldiv/comparison.hpp"
#include "kldiv/contributions.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "tests/run_command.hpp"

namespace fs = std::filesystem;

#ifdef KLDIV_CLI_PATH

namespace {

using kldiv::test::command_result;
using kldiv::test::read_text;

class ExplainTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = scratch.path();
        // Labels with markup characters, to check escaping in the report.
        scratch.write("p.csv", "event,prob\na<b,0.4\nc&d,0.3\ne,0.2\nf,0.1\ng,0\n");
        scratch.write("q.csv", "event,prob\na<b,0.1\nc&d,0.2\ne,0.3\nf,0.25\ng,0.15\n");
    }

    static command_result run(const std::vector<std::string>& args) {
        return kldiv::test::run_command(KLDIV_CLI_PATH, args);
    }

    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    // Library reference: contributions in the given unit.
    static std::vector<double> contributions(const std::vector<double>& a, const std::vector<double>& b,
                                             kldiv::log_base base) {
        std::vector<double> out(a.size());
        kldiv::kl_contributions(std::span<const double>(a), std::span<const double>(b), out, {.base = base});
        return out;
    }

    kldiv::test::scratch_dir scratch;
    fs::path dir;
    const std::vector<double> p{0.4, 0.3, 0.2, 0.1, 0.0};
    const std::vector<double> q{0.1, 0.2, 0.3, 0.25, 0.15};
    const std::vector<std::string> labels{"a<b", "c&d", "e", "f", "g"};
};

// Relative agreement, with +inf written as the JSON string "inf".
void expect_close(const nlohmann::json& value, double expected, double rel, const std::string& what) {
    if (std::isinf(expected)) {
        EXPECT_EQ(value, "inf") << what;
        return;
    }
    ASSERT_TRUE(value.is_number()) << what << ": " << value.dump();
    const double v = value.get<double>();
    EXPECT_LE(std::fabs(v - expected), rel * std::fabs(expected) + 1e-300) << what << ": " << v << " vs " << expected;
}

// A number the table printed with 6 significant digits ("inf" for +∞).
void expect_printed(const std::string& text, double expected, const std::string& line) {
    if (std::isinf(expected)) {
        EXPECT_EQ(text, "inf") << line;
        return;
    }
    EXPECT_LE(std::fabs(std::stod(text) - expected), 5e-6 * std::fabs(expected)) << line;
}

std::vector<std::size_t> expected_ranking(const std::vector<double>& c) {
    std::vector<std::size_t> idx(c.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return c[a] > c[b]; });
    return idx;
}

nlohmann::json embedded_data(const std::string& html) {
    const std::string open = "<script type=\"application/json\" id=\"kldiv-data\">";
    const std::size_t at = html.find(open);
    if (at == std::string::npos) return nullptr;
    const std::size_t begin = at + open.size();
    const std::size_t end = html.find("</script>", begin);
    return nlohmann::json::parse(html.substr(begin, end - begin));
}

}  // namespace

TEST_F(ExplainTest, JsonRanksEventsAndMatchesTheLibrary) {
    const command_result r =
        run({"explain", (dir / "p.csv").string(), (dir / "q.csv").string(), "--json", "--top", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    const std::vector<double> cpq = contributions(p, q, kldiv::log_base::nats());
    const std::vector<double> cqp = contributions(q, p, kldiv::log_base::nats());
    const kldiv::comparison c =
        kldiv::compare(std::span<const double>(p), std::span<const double>(q), {.base = kldiv::log_base::nats()});
    EXPECT_EQ(j["unit"], "nats");
    EXPECT_EQ(j["events"], 5);
    expect_close(j["kl_pq"], c.kl_pq, 1e-12, "kl_pq");
    expect_close(j["kl_qp"], c.kl_qp, 1e-12, "kl_qp");
    expect_close(j["entropy_p"], c.entropy_p, 1e-12, "entropy_p");
    expect_close(j["entropy_q"], c.entropy_q, 1e-12, "entropy_q");
    expect_close(j["cross_entropy_pq"], c.cross_entropy_pq, 1e-12, "cross_entropy_pq");
    expect_close(j["cross_entropy_qp"], c.cross_entropy_qp, 1e-12, "cross_entropy_qp");

    const std::vector<std::size_t> order = expected_ranking(cpq);
    ASSERT_EQ(j["ranked"].size(), order.size());
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        const nlohmann::json& e = j["ranked"][rank];
        const std::size_t i = order[rank];
        EXPECT_EQ(e["rank"], rank + 1);
        EXPECT_EQ(e["index"], i);
        EXPECT_EQ(e["label"], labels[i]);
        expect_close(e["p"], p[i], 1e-12, "p");
        expect_close(e["q"], q[i], 1e-12, "q");
        expect_close(e["contribution_pq"], cpq[i], 1e-12, "contribution_pq " + labels[i]);
        expect_close(e["contribution_qp"], cqp[i], 1e-12, "contribution_qp " + labels[i]);
        expect_close(e["share_pq"], cpq[i] / c.kl_pq, 1e-12, "share_pq");
    }
    // Largest first: a<b (0.4 vs 0.1), and the event P never sees contributes 0.
    EXPECT_EQ(j["ranked"][0]["label"], "a<b");
}

TEST_F(ExplainTest, TextTableIsRankedWithTheLibraryNumbers) {
    const command_result r = run({"explain", (dir / "p.csv").string(), (dir / "q.csv").string(), "--top", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::vector<double> cpq = contributions(p, q, kldiv::log_base::nats());
    const std::vector<double> cqp = contributions(q, p, kldiv::log_base::nats());
    const std::vector<std::size_t> order = expected_ranking(cpq);
    // Rows: "  rank  event  p  q  p·log(p/q)  share  q·log(q/p)"; the table prints 6 significant digits.
    std::istringstream lines(r.out);
    std::string line;
    std::size_t rows = 0;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::size_t rank;
        std::string label, pv, qv, tpq, share, tqp;
        if (!(fields >> rank >> label >> pv >> qv >> tpq >> share >> tqp)) continue;
        ASSERT_EQ(rank, rows + 1) << line;
        const std::size_t i = order[rows];
        EXPECT_EQ(label, labels[i]);
        expect_printed(pv, p[i], line);
        expect_printed(qv, q[i], line);
        expect_printed(tpq, cpq[i], line);
        expect_printed(tqp, cqp[i], line);
        ++rows;
    }
    EXPECT_EQ(rows, 3u) << r.out;
    const kldiv::comparison c =
        kldiv::compare(std::span<const double>(p), std::span<const double>(q), {.base = kldiv::log_base::nats()});
    char expected[128];
    std::snprintf(expected, sizeof expected, "H(P,Q) = H(P) + D(P‖Q):  %.6g = %.6g + %.6g nats", c.cross_entropy_pq,
                  c.entropy_p, c.kl_pq);
    EXPECT_NE(r.out.find(expected), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 more events"), std::string::npos);
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(ExplainTest, LargeInputsKeepTheReportSmall) {
    // 20,000 events: the embedded data holds the 10,000 largest contributions, in rank order.
    std::string pc = "prob\n", qc = "prob\n";
    std::vector<double> pv, qv;
    for (int i = 0; i < 20000; ++i) {
        pv.push_back(1 + i % 7);
        qv.push_back(1 + (i * 13) % 11);
        pc += std::to_string(1 + i % 7) + "\n";
        qc += std::to_string(1 + (i * 13) % 11) + "\n";
    }
    scratch.write("big_p.csv", pc);
    scratch.write("big_q.csv", qc);
    const fs::path report = dir / "big.html";
    const command_result r = run(
        {"explain", (dir / "big_p.csv").string(), (dir / "big_q.csv").string(), "--counts", "--html", report.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string html = read_text(report);
    EXPECT_LT(html.size(), 3u << 20);
    const nlohmann::json j = embedded_data(html);
    EXPECT_EQ(j["events"], 20000);
    ASSERT_EQ(j["ranked"].size(), 10000u);
    std::vector<double> c(pv.size());
    kldiv::kl_contributions(std::span<const double>(pv), std::span<const double>(qv), c,
                            {.base = kldiv::log_base::nats(), .normalize = true});
    std::vector<double> sorted = c;
    std::sort(sorted.rbegin(), sorted.rend());
    EXPECT_EQ(j["ranked"][9999]["contribution_pq"].get<double>(), sorted[9999]);
    EXPECT_NE(html.find("for the 10000 events with the largest contributions"), std::string::npos);
}

TEST_F(ExplainTest, HtmlReportEmbedsExactNumbersAndIsSelfContained) {
    const fs::path report = dir / "report.html";
    const command_result r = run(
        {"explain", (dir / "p.csv").string(), (dir / "q.csv").string(), "--html", report.string(), "--base", "nats"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::exists(report));
    const std::string html = read_text(report);

    const nlohmann::json j = embedded_data(html);
    ASSERT_TRUE(j.is_object());
    const kldiv::comparison c = kldiv::compare(std::span<const double>(p), std::span<const double>(q));
    EXPECT_EQ(j["unit"], "nats");
    expect_close(j["kl_pq"], c.kl_pq, 1e-12, "kl_pq");
    expect_close(j["kl_qp"], c.kl_qp, 1e-12, "kl_qp");
    expect_close(j["entropy_p"], c.entropy_p, 1e-12, "entropy_p");
    expect_close(j["cross_entropy_pq"], c.cross_entropy_pq, 1e-12, "cross_entropy_pq");
    const std::vector<double> cpq = contributions(p, q, kldiv::log_base::nats());
    const std::vector<double> cqp = contributions(q, p, kldiv::log_base::nats());
    ASSERT_EQ(j["ranked"].size(), p.size());  // every event, whatever --top says
    for (const nlohmann::json& e : j["ranked"]) {
        const std::size_t i = e["index"];
        expect_close(e["contribution_pq"], cpq[i], 1e-12, "contribution_pq");
        expect_close(e["contribution_qp"], cqp[i], 1e-12, "contribution_qp");
    }

    // Self-contained: nothing fetched, no scripts but the JSON data block.
    for (const char* external : {"http:", "https:", "<link", "src=", "url(", "@import", "<img", "<iframe"}) {
        EXPECT_EQ(html.find(external), std::string::npos) << external;
    }
    std::size_t scripts = 0;
    for (std::size_t at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) {
        const std::string json_script = "<script type=\"application/json\"";
        EXPECT_EQ(html.compare(at, json_script.size(), json_script), 0);
        ++scripts;
    }
    EXPECT_EQ(scripts, 1u);
    // Charts, units, labels escaped.
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("nats"), std::string::npos);
    EXPECT_NE(html.find("a&lt;b"), std::string::npos);
    EXPECT_NE(html.find("c&amp;d"), std::string::npos);
    EXPECT_EQ(html.find("a<b"), std::string::npos);
    EXPECT_NE(html.find("H(P,Q)"), std::string::npos);
    EXPECT_NE(html.find("H(Q,P)"), std::string::npos);
    EXPECT_EQ(files(), (std::vector<std::string>{"p.csv", "q.csv", "report.html"}));
}

TEST_F(ExplainTest, InfiniteContributionsAreMarked) {
    // Q = P's roles swapped: P has mass on g where Q = 0, so D(P‖Q) = ∞.
    const fs::path report = dir / "inf.html";
    const command_result r =
        run({"explain", (dir / "q.csv").string(), (dir / "p.csv").string(), "--html", report.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["kl_pq"], "inf");
    EXPECT_TRUE(j["kl_qp"].is_number());
    EXPECT_EQ(j["ranked"][0]["label"], "g");
    EXPECT_EQ(j["ranked"][0]["contribution_pq"], "inf");
    EXPECT_TRUE(j["ranked"][0]["share_pq"].is_null());
    const std::string html = read_text(report);
    EXPECT_NE(html.find("∞"), std::string::npos);
    EXPECT_NE(html.find("class=\"bar infinite\""), std::string::npos);
    EXPECT_NE(html.find("class=\"segment infinite\""), std::string::npos);
    EXPECT_EQ(html.find("nan"), std::string::npos);
    EXPECT_EQ(embedded_data(html)["kl_pq"], "inf");
}

TEST_F(ExplainTest, CountsAreNormalized) {
    scratch.write("pc.csv", "letter,count\na,8\nb,2\n");
    scratch.write("qc.csv", "letter,count\na,5\nb,5\n");
    const command_result r =
        run({"explain", (dir / "pc.csv").string(), (dir / "qc.csv").string(), "--counts", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    expect_close(j["kl_pq"], 0.8 * std::log(1.6) + 0.2 * std::log(0.4), 1e-12, "kl_pq");
    expect_close(j["ranked"][0]["p"], 0.8, 1e-15, "p");
}

TEST_F(ExplainTest, BadInputFailsWithOneLineAndNoReport) {
    scratch.write("neg.csv", "event,prob\na,0.5\nb,-0.1\nc,0.6\n");
    scratch.write("short.csv", "event,prob\na,0.5\nb,0.5\n");
    scratch.write("old.html", "old report");
    const std::string p_csv = (dir / "p.csv").string(), q_csv = (dir / "q.csv").string();
    const std::vector<std::vector<std::string>> bad = {
        {"explain", (dir / "neg.csv").string(), q_csv},      // negative probability
        {"explain", p_csv, (dir / "short.csv").string()},    // sizes differ
        {"explain", p_csv, (dir / "missing.csv").string()},  // no such file
        {"explain", q_csv, p_csv, "--on-zero", "error"},     // q > 0 where p = 0, refused
    };
    const std::vector<std::string> before = files();
    for (const auto& args : bad) {
        for (const std::string target : {"report.html", "old.html"}) {
            std::vector<std::string> with_html = args;
            with_html.push_back("--html");
            with_html.push_back((dir / target).string());
            const command_result r = run(with_html);
            EXPECT_EQ(r.exit_code, 1) << with_html[1] << " " << with_html[2] << ": " << r.err;
            EXPECT_TRUE(r.out.empty()) << r.out;
            EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
            EXPECT_EQ(r.err.rfind("kldiv explain: ", 0), 0u) << r.err;
            EXPECT_EQ(files(), before);                            // no report, no temporary left behind
            EXPECT_EQ(read_text(dir / "old.html"), "old report");  // an existing file is left as it was
        }
    }
    // A report that cannot be written is an error too, and leaves nothing behind.
    const command_result r = run({"explain", p_csv, q_csv, "--html", (dir / "no-such-dir" / "r.html").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(files(), before);
}

TEST_F(ExplainTest, UsageErrors) {
    const command_result r = run({"explain", (dir / "p.csv").string(), (dir / "q.csv").string(), "--top", "-3"});
    EXPECT_EQ(r.exit_code, 2);
}

#else

TEST(CliExplain, Skipped) { GTEST_SKIP() << "KLDIV_CLI_PATH is not defined (the kldiv command is not built)"; }

#endif
