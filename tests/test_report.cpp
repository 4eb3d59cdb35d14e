// Unit tests of the report toolkit (report/svg.hpp, report/html.hpp): escaping, ticks and scales,
// honest bar lengths, non-finite values, and self-contained HTML.

#include <gtest/gtest.h>

#if __has_include("report/svg.hpp")
#include "report/html.hpp"
#include "report/svg.hpp"

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

namespace r = kldiv::report;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
const double nan_value = std::nan("");

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

// Every numeric geometry attribute of the SVG, which must all be finite numbers.
std::vector<std::pair<std::string, std::string>> geometry_attributes(const std::string& svg) {
    static const std::regex attribute(R"re(\s(x|y|x1|x2|y1|y2|width|height|cx|cy|r)="([^"]*)")re");
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), attribute); it != std::sregex_iterator(); ++it) {
        out.emplace_back((*it)[1], (*it)[2]);
    }
    return out;
}

void expect_finite_geometry(const std::string& svg) {
    const auto attributes = geometry_attributes(svg);
    ASSERT_FALSE(attributes.empty());
    for (const auto& [name, value] : attributes) {
        std::size_t used = 0;
        double v = 0;
        ASSERT_NO_THROW(v = std::stod(value, &used)) << name << "=\"" << value << "\"";
        EXPECT_EQ(used, value.size()) << name << "=\"" << value << "\"";
        EXPECT_TRUE(std::isfinite(v)) << name << "=\"" << value << "\"";
    }
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf\""), std::string::npos);
}

// Heights (vertical bars) or widths (horizontal bars) of the finite bars, in drawing order.
std::vector<double> bar_lengths(const std::string& svg, bool horizontal) {
    static const std::regex bar(
        R"re(<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)" fill="[^"]*" class="bar")re");
    std::vector<double> out;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it) {
        out.push_back(std::stod((*it)[horizontal ? 3 : 4]));
    }
    return out;
}

}  // namespace

TEST(ReportEscape, EscapesMarkupCharacters) {
    EXPECT_EQ(r::escape("<a & \"b\">'c'"), "&lt;a &amp; &quot;b&quot;&gt;&#39;c&#39;");
    EXPECT_EQ(r::escape("plain ‖ text"), "plain ‖ text");
    EXPECT_EQ(r::escape(""), "");
    // Control characters other than tab, newline and carriage return are not allowed in XML/HTML.
    EXPECT_EQ(r::escape(std::string("a\0b\x1b[31m\x7f\t\n\r", 12)), "a\uFFFDb\uFFFD[31m\uFFFD\t\n\r");
}

TEST(ReportEscape, LabelsTitlesAndLegendsAreEscapedInCharts) {
    const std::string evil = "<b>&\"x\"";
    const std::string escaped = "&lt;b&gt;&amp;&quot;x&quot;";
    r::bar_chart chart;
    chart.title = "title " + evil;
    chart.value_label = "value " + evil;
    chart.category_label = "event " + evil;
    chart.categories = {evil, "ok"};
    chart.series = {{"series " + evil, {0.2, 0.8}, ""}, {"other", {0.5, 0.5}, ""}};
    chart.note = "note " + evil;
    for (bool horizontal : {false, true}) {
        chart.horizontal = horizontal;
        const std::string svg = r::render(chart);
        EXPECT_EQ(svg.find(evil), std::string::npos) << svg;
        EXPECT_EQ(svg.find("<b>"), std::string::npos);
        EXPECT_NE(svg.find("title " + escaped), std::string::npos);
        EXPECT_NE(svg.find("series " + escaped), std::string::npos);
        EXPECT_NE(svg.find(">" + escaped + "<"), std::string::npos);  // the category label itself
    }

    r::stacked_bar_chart stacked;
    stacked.title = evil;
    stacked.bars = {{evil, evil, {{evil, evil, 1.0, ""}}, evil}};
    const std::string s = r::render(stacked);
    EXPECT_EQ(s.find(evil), std::string::npos);
    EXPECT_GE(count(s, escaped), 4u);

    r::line_chart line;
    line.title = evil;
    line.x_label = evil;
    line.series = {{evil, {0, 1}, {0, 1}, "", false}};
    line.points = {{0.5, 0.5, evil, ""}};
    line.intervals = {{0.5, 0.0, 1.0, evil}};
    const std::string l = r::render(line);
    EXPECT_EQ(l.find(evil), std::string::npos);
    EXPECT_GE(count(l, escaped), 4u);
}

TEST(ReportTicks, NiceStepsOnKnownInputs) {
    {
        const r::ticks t = r::nice_ticks(0.0, 1.0, 5);
        EXPECT_DOUBLE_EQ(t.step, 0.2);
        EXPECT_DOUBLE_EQ(t.lo, 0.0);
        EXPECT_DOUBLE_EQ(t.hi, 1.0);
        ASSERT_EQ(t.values.size(), 6u);
        for (std::size_t i = 0; i < t.values.size(); ++i) EXPECT_NEAR(t.values[i], 0.2 * static_cast<double>(i), 1e-15);
    }
    {
        const r::ticks t = r::nice_ticks(0.0, 0.37, 5);  // raw step 0.074 -> 0.1, axis widened to 0.4
        EXPECT_DOUBLE_EQ(t.step, 0.1);
        EXPECT_NEAR(t.hi, 0.4, 1e-15);
        EXPECT_EQ(t.values.size(), 5u);
    }
    {
        const r::ticks t = r::nice_ticks(-0.03, 0.18, 6);  // raw 0.035 -> 0.05
        EXPECT_DOUBLE_EQ(t.step, 0.05);
        EXPECT_NEAR(t.lo, -0.05, 1e-15);
        EXPECT_NEAR(t.hi, 0.2, 1e-15);
        ASSERT_EQ(t.values.size(), 6u);
        EXPECT_EQ(t.values[1], 0.0);  // zero is exactly a tick
    }
    {
        const r::ticks t = r::nice_ticks(0.0, 122.0, 6);  // raw 20.3 -> 50
        EXPECT_DOUBLE_EQ(t.step, 50.0);
        EXPECT_DOUBLE_EQ(t.hi, 150.0);
    }
    {
        const r::ticks t = r::nice_ticks(2e-7, 9e-7, 7);  // tiny values still get a 1-2-5 step
        EXPECT_NEAR(t.step, 1e-7, 1e-22);
    }
}

TEST(ReportTicks, TicksAreMultiplesOfTheStepAndCoverTheRange) {
    const double ranges[][2] = {{0, 0.353}, {-0.0339, 0.183}, {1.03, 1.37},     {0, 4.53},
                                {-5, -1},   {3, 1e6},         {0.61, 0.6100001}};
    for (const auto& range : ranges) {
        const r::ticks t = r::nice_ticks(range[0], range[1], 6);
        EXPECT_LE(t.lo, range[0]);
        EXPECT_GE(t.hi, range[1]);
        EXPECT_GE(t.values.size(), 2u);
        EXPECT_LE(t.values.size(), 14u);
        for (double v : t.values) EXPECT_NEAR(v / t.step, std::round(v / t.step), 1e-6) << v;
        const double m = std::log10(t.step / std::pow(10.0, std::floor(std::log10(t.step) + 1e-12)));
        EXPECT_TRUE(std::fabs(m) < 1e-9 || std::fabs(m - std::log10(2.0)) < 1e-9 ||
                    std::fabs(m - std::log10(5.0)) < 1e-9)
            << t.step;
    }
}

TEST(ReportTicks, DegenerateAndNonFiniteRanges) {
    const r::ticks zero = r::nice_ticks(0.0, 0.0);
    EXPECT_EQ(zero.lo, 0.0);
    EXPECT_EQ(zero.hi, 1.0);
    const r::ticks point = r::nice_ticks(5.0, 5.0);
    EXPECT_LT(point.lo, 5.0);
    EXPECT_GT(point.hi, 5.0);
    for (const r::ticks& t : {r::nice_ticks(nan_value, nan_value), r::nice_ticks(-inf, inf), r::nice_ticks(0.0, inf)}) {
        EXPECT_TRUE(std::isfinite(t.lo));
        EXPECT_TRUE(std::isfinite(t.hi));
        EXPECT_LT(t.lo, t.hi);
    }
    const r::ticks reversed = r::nice_ticks(1.0, 0.0);
    EXPECT_EQ(reversed.lo, 0.0);
    EXPECT_EQ(reversed.hi, 1.0);
}

TEST(ReportTicks, Labels) {
    EXPECT_EQ(r::tick_label(0.2, 0.2), "0.2");
    EXPECT_EQ(r::tick_label(0.30000000000000004, 0.1), "0.3");
    EXPECT_EQ(r::tick_label(-0.05, 0.05), "−0.05");
    EXPECT_EQ(r::tick_label(-1e-18, 0.05), "0.00");  // no "−0.00"
    EXPECT_EQ(r::tick_label(1000.0, 500.0), "1000");
    EXPECT_EQ(r::tick_label(1.5, 0.5), "1.5");
}

TEST(ReportScale, LinearMapping) {
    const r::linear_scale s(0.0, 2.0, 100.0, 300.0);
    EXPECT_DOUBLE_EQ(s(0.0), 100.0);
    EXPECT_DOUBLE_EQ(s(1.0), 200.0);
    EXPECT_DOUBLE_EQ(s(2.0), 300.0);
    const r::linear_scale flipped(0.0, 1.0, 400.0, 50.0);  // SVG y grows downwards
    EXPECT_DOUBLE_EQ(flipped(0.0), 400.0);
    EXPECT_DOUBLE_EQ(flipped(0.5), 225.0);
    const r::linear_scale degenerate(1.0, 1.0, 10.0, 20.0);
    EXPECT_DOUBLE_EQ(degenerate(7.0), 10.0);
}

TEST(ReportFormat, Values) {
    EXPECT_EQ(r::format_value(inf), "∞");
    EXPECT_EQ(r::format_value(-inf), "−∞");
    EXPECT_EQ(r::format_value(nan_value), "n/a");
    EXPECT_EQ(r::format_value(-0.5), "−0.5");
    EXPECT_EQ(r::format_value(0.353156, 4), "0.3532");
    EXPECT_EQ(r::format_value(-0.0), "0");
}

TEST(ReportBars, LengthsAreProportionalToValues) {
    r::bar_chart chart;
    chart.value_label = "bits";
    chart.categories = {"a", "b", "c"};
    chart.series = {{"", {1.0, 2.0, 0.5}, ""}};
    for (bool horizontal : {false, true}) {
        chart.horizontal = horizontal;
        const std::vector<double> len = bar_lengths(r::render(chart), horizontal);
        ASSERT_EQ(len.size(), 3u);
        EXPECT_NEAR(len[1] / len[0], 2.0, 0.01);
        EXPECT_NEAR(len[2] / len[0], 0.5, 0.01);
    }
}

TEST(ReportBars, NegativeValuesGrowFromZero) {
    r::bar_chart chart;
    chart.categories = {"a", "b"};
    chart.series = {{"", {-1.0, 1.0}, ""}};
    const std::string svg = r::render(chart);
    const std::vector<double> len = bar_lengths(svg, false);
    ASSERT_EQ(len.size(), 2u);
    EXPECT_NEAR(len[0], len[1], 0.02);
    EXPECT_NE(svg.find(">−1.0<"), std::string::npos);  // the axis reaches below zero
    expect_finite_geometry(svg);
}

TEST(ReportBars, InfiniteAndNanValuesDoNotBreakTheScale) {
    r::bar_chart chart;
    chart.value_label = "bits";
    chart.categories = {"a", "b", "c", "d", "e"};
    chart.series = {{"P", {1.0, inf, nan_value, 2.0, -inf}, ""}, {"Q", {0.5, 0.5, 0.5, 0.5, 0.5}, ""}};
    for (bool horizontal : {false, true}) {
        chart.horizontal = horizontal;
        const std::string svg = r::render(chart);
        expect_finite_geometry(svg);
        EXPECT_NE(svg.find("∞"), std::string::npos);
        EXPECT_NE(svg.find("−∞"), std::string::npos);
        EXPECT_NE(svg.find("n/a"), std::string::npos);
        EXPECT_EQ(count(svg, "class=\"bar infinite\""), 2u);
        // The finite scale is the one of the finite values: ticks up to 2, not beyond.
        EXPECT_NE(svg.find(">2.0<"), std::string::npos);
        EXPECT_EQ(svg.find(">2.5<"), std::string::npos);
        // Finite bars keep their proportions (1 : 2 : 0.5 ...).
        const std::vector<double> len = bar_lengths(svg, horizontal);
        ASSERT_EQ(len.size(), 2u + 5u);
        EXPECT_NEAR(len[1] / len[0], 2.0, 0.01);
    }
}

TEST(ReportStacked, InfiniteSegmentIsMarked) {
    r::stacked_bar_chart chart;
    chart.value_label = "bits per event";
    chart.bars = {{"H(P,Q)", "", {{"entropy", "H(P) = 2", 2.0, ""}, {"KL", "D(P‖Q) = ∞", inf, ""}}, "= ∞ bits"},
                  {"H(Q,P)", "", {{"entropy", "H(Q) = 1.2", 1.2, ""}, {"KL", "D(Q‖P) = 0.8", 0.8, ""}}, "= 2 bits"}};
    const std::string svg = r::render(chart);
    expect_finite_geometry(svg);
    EXPECT_EQ(count(svg, "class=\"segment infinite\""), 1u);
    EXPECT_EQ(count(svg, "class=\"segment\""), 3u);
    EXPECT_NE(svg.find(">2.0<"), std::string::npos);
    EXPECT_EQ(svg.find(">2.5<"), std::string::npos);
    EXPECT_NE(svg.find("D(P‖Q) = ∞"), std::string::npos);
    // Legend: one entry per distinct legend name.
    EXPECT_EQ(count(svg, ">entropy<"), 1u);
}

TEST(ReportLine, NonFinitePointsBreakTheLineAndMarkersAreDrawn) {
    r::line_chart chart;
    chart.x_label = "λ";
    chart.y_label = "nats";
    chart.series = {{"D", {0.1, 0.2, 0.3, 0.4, 0.5}, {1.0, 0.5, inf, 0.4, 0.9}, "", false}};
    chart.points = {{0.4, 0.4, "min", ""}};
    chart.intervals = {{0.2, 0.5, 1.0, "gap"}};
    const std::string svg = r::render(chart);
    expect_finite_geometry(svg);
    const std::size_t path = svg.find("<path d=\"");
    ASSERT_NE(path, std::string::npos);
    const std::string d = svg.substr(path, svg.find('"', path + 9) - path);
    EXPECT_EQ(count(d, "M"), 2u) << d;
    EXPECT_NE(svg.find("<circle"), std::string::npos);
    EXPECT_NE(svg.find(">min<"), std::string::npos);
    EXPECT_NE(svg.find(">gap<"), std::string::npos);
}

TEST(ReportPalette, ColourBlindSafeCycleIsDistinct) {
    std::vector<std::string> colours;
    for (std::size_t i = 0; i < 8; ++i) colours.push_back(r::palette::series_color(i));
    for (std::size_t i = 0; i < colours.size(); ++i) {
        for (std::size_t j = i + 1; j < colours.size(); ++j) EXPECT_NE(colours[i], colours[j]);
    }
    EXPECT_EQ(colours[0], "#0072B2");  // Okabe–Ito blue first
    EXPECT_EQ(std::string(r::palette::series_color(8)), colours[0]);
}

TEST(ReportHtml, SelfContainedAndEscaped) {
    r::html_page page("Title <x> & \"y\"", "sub <z>");
    page.heading("Heading <h>");
    page.heading("a < b && c > d", 3);
    page.summary({{"D(P‖Q)", "0.35 bits", "note <n>"}});
    r::table t;
    t.header = {"event", "p"};
    t.numeric = {false, true};
    t.rows = {{"<td>", "0.5"}};
    page.add(t);
    r::bar_chart chart;
    chart.categories = {"a"};
    chart.series = {{"", {1.0}, ""}};
    page.figure(r::render(chart), "caption <c>");
    page.json_data("kldiv-data", R"({"label":"</script><script>alert(1)</script>","x":1})");
    page.footer("footer & co");
    const std::string html = page.str();

    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(html.find("<title>Title &lt;x&gt; &amp; &quot;y&quot;</title>"), std::string::npos);
    EXPECT_NE(html.find("a &lt; b &amp;&amp; c &gt; d"), std::string::npos);
    EXPECT_NE(html.find("&lt;td&gt;"), std::string::npos);
    EXPECT_NE(html.find("caption &lt;c&gt;"), std::string::npos);
    EXPECT_EQ(html.find("<h>"), std::string::npos);
    // The data block cannot be closed early by its content.
    EXPECT_EQ(count(html, "</script>"), 1u);
    EXPECT_NE(html.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), std::string::npos);
    EXPECT_NE(html.find("<script type=\"application/json\" id=\"kldiv-data\">"), std::string::npos);
    // Nothing is fetched from anywhere.
    for (const char* external : {"http:", "https:", "<link", "src=", "url(", "@import", "<img"}) {
        EXPECT_EQ(html.find(external), std::string::npos) << external;
    }
    EXPECT_NE(html.find("<style>"), std::string::npos);
    EXPECT_NE(html.find("<svg"), std::string::npos);
}

TEST(ReportHtml, JsonForScript) {
    EXPECT_EQ(r::json_for_script(R"({"a":"<&>"})"), R"({"a":"\u003c\u0026\u003e"})");
    EXPECT_EQ(r::json_for_script("[1,2]"), "[1,2]");
}

#else

TEST(Report, Skipped) { GTEST_SKIP() << "kldiv_report is not built (needs KLDIV_BUILD_CLI or KLDIV_BUILD_EXAMPLES)"; }

#endif
