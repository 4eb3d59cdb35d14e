// explanation_json and explanation_html (report/explanation_report.hpp).
#include "report/explanation_report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kldiv/error.hpp"
#include "kldiv/version.hpp"
#include "report/comparison_json.hpp"
#include "report/html.hpp"
#include "report/json_number.hpp"
#include "report/json_text.hpp"

namespace kldiv::report {

std::size_t events_listed(const explanation& e, std::size_t top) {
    return top == 0 ? e.ranked.size() : std::min(e.ranked.size(), top);
}

std::string percent(double share) {
    if (std::isnan(share)) return "-";
    return fmt::format("{:.1f}%", 100.0 * share);
}

namespace {

std::string typographic_minus(std::string s) {
    if (!s.empty() && s[0] == '-') s = "−" + s.substr(1);
    return s;
}

// The events the per-event charts show: all of them, or the 40 with the largest contributions in
// either direction (kept in their natural order) when there are too many to draw legibly.
std::vector<std::size_t> charted_events(const explanation& e) {
    constexpr std::size_t limit = 40;
    std::vector<std::size_t> idx(e.p.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    if (idx.size() <= 60) return idx;
    const auto weight = [&](std::size_t i) {
        return std::max(std::fabs(e.contribution_pq[i]), std::fabs(e.contribution_qp[i]));
    };
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return weight(a) > weight(b); });
    idx.resize(limit);
    std::sort(idx.begin(), idx.end());
    return idx;
}

std::string value_with_unit(double x, const std::string& unit) { return report::format_value(x, 4) + " " + unit; }

// One label per event, and no more events listed than there are.
void check(const explained_pair& in, const explanation& e, std::size_t count) {
    if (in.labels.size() != e.p.size() || count > e.ranked.size()) {
        throw error("explain", std::to_string(in.labels.size()) + " labels and " + std::to_string(count) +
                                   " events to list are given for " + std::to_string(e.p.size()) +
                                   " events, but there must be one label per event and at most as many listed");
    }
}

}  // namespace

nlohmann::ordered_json explanation_json(const explained_pair& in, const explanation& e, std::size_t count) {
    check(in, e, count);
    nlohmann::ordered_json ranked = nlohmann::ordered_json::array();
    for (std::size_t r = 0; r < count; ++r) {
        const std::size_t i = e.ranked[r];
        const double share = e.share_pq(i);
        ranked.push_back({
            {"rank", r + 1},
            {"index", i},
            {"label", in.labels[i]},
            {"p", e.p[i]},
            {"q", e.q[i]},
            {"contribution_pq", json_number(e.contribution_pq[i])},
            {"contribution_qp", json_number(e.contribution_qp[i])},
            {"share_pq", std::isnan(share) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(share)},
        });
    }
    nlohmann::ordered_json j = comparison_json(in.p_name, in.q_name, e.p.size(), in.options.base, e.totals);
    j["shown"] = count;
    j["ranked"] = std::move(ranked);
    return j;
}

std::string explanation_html(const explained_pair& in, const explanation& e, std::size_t count) {
    check(in, e, count);
    count = std::min(count, html_table_limit);
    const comparison& c = e.totals;
    const std::string unit = in.options.base.unit();
    const std::string per_event = unit + " per event";

    html_page page("Why P and Q differ: KL divergence explained", "P = " + in.p_name + "   ·   Q = " + in.q_name +
                                                                      "   ·   " + std::to_string(e.p.size()) +
                                                                      " events   ·   unit: " + unit);
    page.summary({
        {"H(P)", value_with_unit(c.entropy_p, unit), "entropy: events of P with the best code for P"},
        {"H(P,Q)", value_with_unit(c.cross_entropy_pq, unit), "cross-entropy: events of P with a code for Q"},
        {"D(P‖Q) = H(P,Q) − H(P)", value_with_unit(c.kl_pq, unit), "extra cost per event of P coded with Q's code"},
        {"H(Q)", value_with_unit(c.entropy_q, unit), "entropy: events of Q with the best code for Q"},
        {"H(Q,P)", value_with_unit(c.cross_entropy_qp, unit), "cross-entropy: events of Q with a code for P"},
        {"D(Q‖P) = H(Q,P) − H(Q)", value_with_unit(c.kl_qp, unit), "extra cost per event of Q coded with P's code"},
    });

    const std::string kl_pq_text = value_with_unit(c.kl_pq, unit);
    const std::string kl_qp_text = value_with_unit(c.kl_qp, unit);
    std::string intro =
        "<div class=\"callout\"><p><b>How to read this.</b> Imagine compressing a long stream of events drawn from "
        "<b>P</b>. The best possible code spends, on average, the entropy <b>H(P)</b> = " +
        escape(value_with_unit(c.entropy_p, per_event)) +
        ". A code built for <b>Q</b> instead spends the cross-entropy <b>H(P,Q)</b> = " +
        escape(value_with_unit(c.cross_entropy_pq, per_event)) +
        ". The difference is the KL divergence <b>D(P‖Q)</b> = " + escape(kl_pq_text) + ": the extra " + escape(unit) +
        " per event paid for believing Q when the events really follow P.</p>"
        "<p>Each event adds <span class=\"math\">p·log(p/q)</span> to D(P‖Q). Events that P finds much more likely "
        "than Q "
        "add a lot; events that Q over-predicts add a negative amount, but the total is never negative. "
        "KL is <b>not symmetric</b>: D(Q‖P) = " +
        escape(kl_qp_text) +
        " weighs the same log-ratios by Q's probabilities instead of P's, so an event that is rare under one and "
        "common "
        "under the other counts very differently in the two directions.";
    const bool infinite = std::isinf(c.kl_pq) || std::isinf(c.kl_qp);
    if (infinite) {
        intro +=
            " Where one distribution gives an event probability but the other gives it none, the cost is infinite "
            "(marked ∞): the other one's code has no codeword for it.";
    }
    intro += "</p>";
    // The event that weighs most in each direction, in words.
    const auto largest = [&](const std::vector<double>& terms, double total, const char* name, const char* lead) {
        const std::size_t i = static_cast<std::size_t>(std::max_element(terms.begin(), terms.end()) - terms.begin());
        std::string text = std::string(lead) + (lead[0] ? " " : "") + "largest term of " + std::string(name) +
                           " is event <b>" + escape(in.labels[i]) + "</b> (" + escape(value_with_unit(terms[i], unit));
        if (total > 0 && std::isfinite(total)) text += ", " + escape(percent(terms[i] / total)) + " of the total";
        return text + ")";
    };
    intro += "<p>" + largest(e.contribution_pq, c.kl_pq, "D(P‖Q)", "The") + "; the " +
             largest(e.contribution_qp, c.kl_qp, "D(Q‖P)", "") + ".</p></div>";
    page.raw_html(intro);

    const std::vector<std::size_t> chart_idx = charted_events(e);
    const bool subset = chart_idx.size() < e.p.size();
    std::vector<std::string> categories;
    std::vector<double> pv, qv, tpq, tqp;
    for (std::size_t i : chart_idx) {
        categories.push_back(in.labels[i]);
        pv.push_back(e.p[i]);
        qv.push_back(e.q[i]);
        tpq.push_back(e.contribution_pq[i]);
        tqp.push_back(e.contribution_qp[i]);
    }
    const std::string subset_note = subset ? "Showing the " + std::to_string(chart_idx.size()) + " of " +
                                                 std::to_string(e.p.size()) +
                                                 " events with the largest contributions, in their original order."
                                           : "";

    page.heading("1. The two distributions, event by event");
    bar_chart dist;
    dist.title = "Probability of each event under P and Q";
    dist.value_label = "probability";
    dist.category_label = "event";
    dist.categories = categories;
    dist.series = {{"P: " + in.p_name, pv, palette::blue}, {"Q: " + in.q_name, qv, palette::orange}};
    dist.note = subset_note;
    page.figure(render(dist),
                "Bars side by side for each event, in the events' natural order. "
                "Where the blue bar is taller, P expects the event more often than Q does.");

    page.heading("2. Where the divergence comes from");
    bar_chart contrib;
    contrib.title = "Contribution of each event, in " + unit;
    contrib.value_label = "contribution (" + unit + ")";
    contrib.category_label = "event";
    contrib.categories = categories;
    contrib.series = {{"p·log(p/q): term of D(P‖Q)", tpq, palette::blue},
                      {"q·log(q/p): term of D(Q‖P)", tqp, palette::orange}};
    const bool any_inf = std::any_of(tpq.begin(), tpq.end(), [](double v) { return std::isinf(v); }) ||
                         std::any_of(tqp.begin(), tqp.end(), [](double v) { return std::isinf(v); });
    std::string contrib_note = subset_note;
    if (any_inf) {
        contrib_note +=
            std::string(contrib_note.empty() ? "" : " ") +
            "∞: the other distribution gives this event probability 0; the bar is cut at the end of the axis.";
    }
    contrib.note = contrib_note;
    page.figure(render(contrib),
                "The blue bars add up to D(P‖Q) = " + kl_pq_text + ", the orange bars to D(Q‖P) = " + kl_qp_text +
                    ". A bar above zero: the first distribution expects this event more than the second does; below "
                    "zero: less. The same event can weigh heavily in one direction and hardly at all in the other.");

    page.heading("3. Cross-entropy = entropy + KL divergence, both ways");
    stacked_bar_chart decomposition;
    decomposition.title = "Average code length per event, in " + unit;
    decomposition.value_label = unit + " per event";
    decomposition.bars = {
        {"H(P,Q)",
         "events of P, Q's code",
         {{"entropy (best possible code)", "H(P) = " + format_value(c.entropy_p, 4), c.entropy_p, palette::sky_blue},
          {"KL divergence (extra cost)", "D(P‖Q) = " + format_value(c.kl_pq, 4), c.kl_pq, palette::vermillion}},
         "= " + value_with_unit(c.cross_entropy_pq, unit)},
        {"H(Q,P)",
         "events of Q, P's code",
         {{"entropy (best possible code)", "H(Q) = " + format_value(c.entropy_q, 4), c.entropy_q, palette::sky_blue},
          {"KL divergence (extra cost)", "D(Q‖P) = " + format_value(c.kl_qp, 4), c.kl_qp, palette::vermillion}},
         "= " + value_with_unit(c.cross_entropy_qp, unit)},
    };
    page.figure(render(decomposition),
                "Each bar is the average number of " + unit +
                    " per event when events of one distribution are coded with a code built for the other. The light "
                    "part is unavoidable (the entropy); the dark part is the price of using the wrong code. The two "
                    "dark parts differ: that is the asymmetry of KL divergence.");

    bar_chart directions;
    directions.title = "The two directions side by side, in " + unit;
    directions.value_label = unit + " per event";
    directions.categories = {"D(P‖Q)", "D(Q‖P)"};
    directions.series = {{"", {c.kl_pq, c.kl_qp}, palette::vermillion}};
    directions.horizontal = true;
    directions.value_labels = true;
    page.figure(render(directions),
                "The dark parts of the bars above, on their own scale: KL divergence is not a "
                "distance, and the cost of the mistake depends on which way it is made.");

    page.heading("4. The events that matter most");
    table t;
    t.caption = "Top " + std::to_string(count) + " of " + std::to_string(e.p.size()) +
                " events, ranked by contribution to D(P‖Q); contributions in " + unit + ".";
    t.header = {"rank", "event", "p", "q", "p·log(p/q)", "share of D(P‖Q)", "q·log(q/p)"};
    t.numeric = {true, false, true, true, true, true, true};
    for (std::size_t rank = 0; rank < count; ++rank) {
        const std::size_t i = e.ranked[rank];
        const double share = e.share_pq(i);
        t.rows.push_back({std::to_string(rank + 1), in.labels[i], format_value(e.p[i], 4), format_value(e.q[i], 4),
                          format_value(e.contribution_pq[i], 4),
                          std::isnan(share) ? "–" : typographic_minus(percent(share)),
                          format_value(e.contribution_qp[i], 4)});
    }
    t.rows.push_back({"", "all " + std::to_string(e.p.size()) + " events", "1", "1", format_value(c.kl_pq, 4),
                      c.kl_pq > 0 && std::isfinite(c.kl_pq) ? "100%" : "–", format_value(c.kl_qp, 4)});
    page.add(t);

    std::string options_text = "Options: base " + in.options.base.unit();
    if (in.options.normalize) options_text += ", inputs normalized to sum to 1";
    if (in.options.on_zero == zero_support::smooth) {
        options_text += ", smoothed with ε = " + format_value(in.options.epsilon, 3);
    }
    // The embedded data keeps the page small for large vocabularies: at most this many ranked events.
    constexpr std::size_t embedded_limit = 10000;
    const std::size_t embedded = std::min(e.ranked.size(), embedded_limit);
    page.footer(options_text + ". Exact numbers are embedded in this file as JSON (script id \"kldiv-data\")" +
                (embedded < e.ranked.size()
                     ? ", for the " + std::to_string(embedded) + " events with the largest contributions to D(P‖Q)."
                     : "."));
    page.footer(std::string("Generated by kldiv ") + kldiv::version + " (kldiv explain).");
    page.json_data("kldiv-data", json_text(explanation_json(in, e, embedded)));
    return page.str();
}

}  // namespace kldiv::report
