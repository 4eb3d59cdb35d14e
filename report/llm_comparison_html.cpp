// llm_comparison_html: the page (report/llm_comparison_html.hpp). The KL histogram has 4 bars per decade
// of KL (a log axis, since per-token KL spans many decades), plus one bar for exact zeros; the Δp
// histogram 40 equal bars over [min, max].

#include "report/llm_comparison_html.hpp"

#include <fmt/core.h>

#include <cmath>
#include <vector>

#include "report/html.hpp"

namespace kldiv::report {
namespace {

using llm::comparison_statistics;
using llm::mean_with_error;

std::string pm(const mean_with_error& m, double scale = 1.0, const char* unit = "") {
    return format_value(scale * m.mean, 5) + " ± " + format_value(scale * m.standard_error, 3) + unit;
}

std::string kl_histogram(const llm::quantile_histogram& h) {
    bar_chart chart;
    chart.title = "Per-token KL divergence D(reference‖candidate)";
    chart.value_label = "positions";
    chart.category_label = "KL (nats), 4 bars per decade";
    std::vector<double> values;
    const double top = h.max();
    if (h.count() == 0 || !(top > 0)) return {};
    const std::uint64_t zeros = h.counts_between(std::vector<double>{0.0, 0.0}).front();
    if (zeros > 0) {
        chart.categories.push_back("0");
        values.push_back(static_cast<double>(zeros));
    }
    // From the smallest value (at most 12 decades below the largest) to the largest.
    const double first = std::floor(std::log10(std::max(h.min(), top * 1e-12)) * 4) / 4;
    const double last = std::ceil(std::log10(top) * 4) / 4;
    std::vector<double> edges;
    for (double e = first; e <= last + 1e-9; e += 0.25) edges.push_back(std::pow(10.0, e));
    if (edges.size() < 2) edges.push_back(edges.back() * std::pow(10.0, 0.25));
    edges.front() = std::nextafter(0.0, 1.0);  // everything above 0 below the first edge
    const auto counts = h.counts_between(edges);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        chart.categories.push_back(i == 0 ? "< " + format_value(edges[1], 2) : format_value(edges[i], 2));
        values.push_back(static_cast<double>(counts[i]));
    }
    chart.series.push_back({"positions", values, ""});
    chart.note = "Bars are labelled by their lower edge; the first holds every positive value below the second.";
    return render(chart);
}

std::string delta_p_histogram(const llm::quantile_histogram& h) {
    if (h.count() == 0) return {};
    bar_chart chart;
    chart.title = "Δp = p_candidate − p_reference of the actual next token";
    chart.value_label = "positions";
    chart.category_label = "Δp (%)";
    const double lo = h.min(), hi = h.max() > h.min() ? h.max() : h.min() + 1e-6;
    std::vector<double> edges(41);
    for (std::size_t i = 0; i <= 40; ++i) edges[i] = lo + (hi - lo) * static_cast<double>(i) / 40.0;
    const auto counts = h.counts_between(edges);
    std::vector<double> values;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        chart.categories.push_back(format_value(100.0 * edges[i], 3));
        values.push_back(static_cast<double>(counts[i]));
    }
    chart.series.push_back({"positions", values, ""});
    chart.note = "Bars are labelled by their lower edge.";
    return render(chart);
}

table statistics_table(const comparison_statistics& s) {
    table t{
        .caption = "Percentiles", .header = {"", "KL (nats)", "Δp (%)"}, .rows = {}, .numeric = {false, true, true}};
    const bool tokens = s.positions_with_token > 0;
    const auto row = [&](const std::string& name, double kl, double dp) {
        t.rows.push_back({name, format_value(kl, 6), tokens ? format_value(100.0 * dp, 5) : "n/a"});
    };
    row("maximum", s.kl.max, s.delta_p.max);
    for (std::size_t i = 0; i < std::size(llm::reported_percentiles); ++i) {
        const double p = llm::reported_percentiles[i];
        row(p == 50.0 ? std::string("median") : fmt::format("{}%", p), s.kl.percentiles[i], s.delta_p.percentiles[i]);
    }
    row("minimum", s.kl.min, s.delta_p.min);
    return t;
}

}  // namespace

std::string llm_comparison_html(const std::string& reference, const std::string& candidate,
                                const llm::model_comparison& comparison, const std::string& json) {
    const comparison_statistics s = comparison.overall.statistics();
    html_page page("How far the candidate is from the reference",
                   "reference: " + reference + " (" + comparison.reference_format + ")   ·   candidate: " + candidate +
                       " (" + comparison.candidate_format + ")   ·   " + std::to_string(s.positions) +
                       " positions scored, vocabulary " + std::to_string(comparison.vocabulary));
    std::vector<key_value> headline{
        {"mean KL", pm(s.kl.mean) + " nats", "D(reference‖candidate) per position, ± standard error"},
        {"median KL", format_value(s.kl.percentiles[5], 5) + " nats", "half of the positions are below"},
        {"same top token", pm(s.same_top, 100.0, " %"), "positions where both models rank the same token first"},
        {"top-10 overlap", pm(s.top10_overlap, 100.0, " %"), "shared tokens among the ten most likely"}};
    if (s.positions_with_token > 0) {
        headline.push_back({"PPL(cand)/PPL(ref)", pm(s.ppl_ratio), "perplexity ratio on the actual tokens"});
        headline.push_back({"RMS Δp", pm(s.rms_delta_p, 100.0, " %"), "change of the actual token's probability"});
        headline.push_back({"actual token floored",
                            fmt::format("{} / {}", s.floored_token_reference, s.floored_token_candidate),
                            "positions whose actual token lies below a llama.cpp file's stored window (reference / "
                            "candidate), read at the floor"});
    }
    page.summary(headline);
    page.heading("Distribution of the per-token KL");
    page.figure(kl_histogram(comparison.overall.kl_histogram()),
                "Each bar counts the positions whose KL lies in its quarter of a decade.");
    if (s.positions_with_token > 0) {
        page.heading("Change of the actual token's probability");
        page.figure(delta_p_histogram(comparison.overall.delta_p_histogram()),
                    "Negative values: the candidate gives the actual next token less probability than the reference.");
    }
    page.add(statistics_table(s));
    if (comparison.files.size() > 1) {
        table files{.caption = "Per candidate file",
                    .header = {"file", "positions", "mean KL (nats)", "same top (%)", "PPL(cand)"},
                    .rows = {},
                    .numeric = {false, true, true, true, true}};
        for (const auto& f : comparison.files) {
            const auto& t = f.statistics;
            files.rows.push_back({f.file, std::to_string(t.positions), pm(t.kl.mean), pm(t.same_top, 100.0),
                                  format_value(t.ppl_candidate.mean, 5)});
        }
        page.add(files);
    }
    page.json_data("llm-compare", json);
    page.footer("kldiv llm-compare: percentiles within " + format_value(s.kl.percentile_error, 2) +
                " nats (KL) of the exact ones; the JSON numbers are embedded in this page.");
    return page.str();
}

}  // namespace kldiv::report
