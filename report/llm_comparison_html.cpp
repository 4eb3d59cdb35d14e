// llm_comparison_html: the page (report/llm_comparison_html.hpp). The KL histogram has 4 bars per decade
// of KL (a log axis, since per-token KL spans many decades), plus one bar for exact zeros; the Δp
// histogram 20 equal bars over [min, max].

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
    constexpr std::size_t bars = 20;
    const double lo = h.min(), hi = h.max() > h.min() ? h.max() : h.min() + 1e-6;
    std::vector<double> edges(bars + 1);
    for (std::size_t i = 0; i <= bars; ++i) edges[i] = lo + (hi - lo) * static_cast<double>(i) / bars;
    const auto counts = h.counts_between(edges);
    std::vector<double> values;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        chart.categories.push_back(format_value(100.0 * edges[i], 2));
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

// The headline numbers of one candidate: every statistic that was computed.
std::vector<key_value> headline(const comparison_statistics& s) {
    std::vector<key_value> out{
        {"mean KL", pm(s.kl.mean) + " nats", "D(reference‖candidate) per position, ± standard error"},
        {"median KL", format_value(s.kl.percentiles[5], 5) + " nats", "half of the positions are below"}};
    if (!std::isnan(s.reverse_kl.mean))
        out.push_back({"mean reverse KL", pm(s.reverse_kl) + " nats", "D(candidate‖reference) per position"});
    if (!std::isnan(s.js.mean))
        out.push_back({"mean JS", pm(s.js) + " nats", "Jensen-Shannon divergence per position (at most ln 2)"});
    out.push_back(
        {"same top token", pm(s.same_top, 100.0, " %"), "positions where both models rank the same token first"});
    out.push_back({"top-5 overlap", pm(s.top5_overlap, 100.0, " %"), "shared tokens among the five most likely"});
    out.push_back({"top-10 overlap", pm(s.top10_overlap, 100.0, " %"), "shared tokens among the ten most likely"});
    if (s.top_k != 0 && s.top_k != 5 && s.top_k != 10) {
        out.push_back({fmt::format("top-{} overlap", s.top_k), pm(s.top_k_overlap, 100.0, " %"),
                       fmt::format("shared tokens among the {} most likely", s.top_k)});
    }
    if (s.positions_with_token > 0) {
        out.push_back({"PPL(reference)", pm(s.ppl_reference), "perplexity of the reference on the actual tokens"});
        out.push_back({"PPL(candidate)", pm(s.ppl_candidate), "perplexity of the candidate on the actual tokens"});
        out.push_back({"PPL(cand)/PPL(ref)", pm(s.ppl_ratio), "perplexity ratio on the actual tokens"});
        out.push_back({"PPL(cand) − PPL(ref)", pm(s.ppl_difference), "perplexity difference"});
        out.push_back({"correlation of ln p", format_value(100.0 * s.ln_ppl_correlation, 5) + " %",
                       "between the two models' log-probabilities of the actual tokens"});
        out.push_back({"RMS Δp", pm(s.rms_delta_p, 100.0, " %"), "change of the actual token's probability"});
        out.push_back({"actual token floored",
                       fmt::format("{} / {}", s.floored_token_reference, s.floored_token_candidate),
                       "positions whose actual token lies below a llama.cpp file's stored window (reference / "
                       "candidate), read at the floor"});
    }
    return out;
}

// One candidate's part of the page.
void add_candidate(html_page& page, const candidate_comparison& c, bool several) {
    const llm::model_comparison& comparison = c.comparison;
    const comparison_statistics s = comparison.overall.statistics();
    if (several) page.heading("Candidate " + c.input + " (" + comparison.candidate_format + ")");
    page.summary(headline(s));
    page.heading("Distribution of the per-token KL", several ? 3 : 2);
    page.figure(kl_histogram(comparison.overall.kl_histogram()),
                "Each bar counts the positions whose KL lies in its quarter of a decade.");
    if (s.positions_with_token > 0) {
        page.heading("Change of the actual token's probability", several ? 3 : 2);
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
}

// Several candidates side by side: one row each.
table candidates_table(const std::vector<candidate_comparison>& candidates) {
    table t{.caption = "Candidates against the reference",
            .header = {"candidate", "mean KL (nats)", "median KL", "99% KL", "same top (%)", "PPL(cand)/PPL(ref)"},
            .rows = {},
            .numeric = {false, true, true, true, true, true}};
    for (const candidate_comparison& c : candidates) {
        const comparison_statistics s = c.comparison.overall.statistics();
        t.rows.push_back({c.input, pm(s.kl.mean), format_value(s.kl.percentiles[5], 5),
                          format_value(s.kl.percentiles[1], 5), pm(s.same_top, 100.0),
                          s.positions_with_token > 0 ? pm(s.ppl_ratio) : "n/a"});
    }
    return t;
}

}  // namespace

std::string llm_comparison_html(const std::string& reference, const std::vector<candidate_comparison>& candidates,
                                const std::string& json) {
    const llm::model_comparison& first = candidates.front().comparison;
    const comparison_statistics s = first.overall.statistics();
    const bool several = candidates.size() > 1;
    html_page page(
        several ? "How far the candidates are from the reference" : "How far the candidate is from the reference",
        "reference: " + reference + " (" + first.reference_format + ")   ·   " +
            (several ? std::to_string(candidates.size()) + " candidates"
                     : "candidate: " + candidates.front().input + " (" + first.candidate_format + ")") +
            "   ·   " + std::to_string(s.positions) + " positions scored, vocabulary " +
            std::to_string(first.vocabulary));
    if (several) page.add(candidates_table(candidates));
    for (const candidate_comparison& c : candidates) add_candidate(page, c, several);
    page.json_data("llm-compare", json);
    page.footer("kldiv llm-compare: percentiles within " + format_value(s.kl.percentile_error, 2) +
                " nats (KL) of the exact ones; the JSON numbers are embedded in this page.");
    return page.str();
}

}  // namespace kldiv::report
