// kldiv explain P Q: which events make P and Q differ, in both directions, with the decomposition
// H(P,Q) = H(P) + D(P‖Q); --html writes a self-contained report with charts.

#include <fmt/core.h>
#include "kldiv/comparison.hpp"
#include "kldiv/contributions.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/normalized.hpp"
#include "kldiv/text.hpp"
#include "kldiv/version.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>
#include <span>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/inputs.hpp"
#include "cli/output_files.hpp"
#include "report/html.hpp"
#include "report/svg.hpp"

namespace kldiv::cli {
namespace {

struct explain_arguments {
    pair_arguments pair;
    std::size_t top = 10;
    std::string html;
    bool json = false;
};

// Everything the text, JSON and HTML outputs show, computed once.
struct explanation {
    comparison totals;
    std::vector<double> p, q;              // the probabilities measured (normalized, smoothed if asked)
    std::vector<double> term_pq, term_qp;  // p log(p/q) and q log(q/p), in the unit
    std::vector<std::size_t> ranked;       // event indices, largest contribution to D(P‖Q) first
    std::string unit;
};

explanation explain(const event_pair& in) {
    explanation e;
    const std::span<const double> p(in.p), q(in.q);
    e.totals = kldiv::compare(p, q, in.beta, in.options);  // validates both inputs, both directions
    e.term_pq.resize(p.size());
    e.term_qp.resize(p.size());
    kldiv::kl_contributions(p, q, e.term_pq, in.options);
    kldiv::kl_contributions(q, p, e.term_qp, in.options);
    e.p = kldiv::normalized(p, in.options);
    e.q = kldiv::normalized(q, in.options);
    e.ranked.resize(p.size());
    std::iota(e.ranked.begin(), e.ranked.end(), std::size_t{0});
    std::stable_sort(e.ranked.begin(), e.ranked.end(),
                     [&](std::size_t a, std::size_t b) { return e.term_pq[a] > e.term_pq[b]; });
    e.unit = in.options.base.unit();
    return e;
}

// Share of one event in D(P‖Q); NaN where it has no meaning (D = 0 or D = ∞).
double share_of(const explanation& e, std::size_t i) {
    const double d = e.totals.kl_pq;
    if (!(d > 0) || std::isinf(d)) return std::nan("");
    return e.term_pq[i] / d;
}

std::size_t shown(const explanation& e, std::size_t top) {
    return top == 0 ? e.ranked.size() : std::min(e.ranked.size(), top);
}

nlohmann::ordered_json to_json(const event_pair& in, const explanation& e, std::size_t count) {
    nlohmann::ordered_json ranked = nlohmann::ordered_json::array();
    for (std::size_t r = 0; r < count; ++r) {
        const std::size_t i = e.ranked[r];
        const double share = share_of(e, i);
        ranked.push_back({
            {"rank", r + 1},
            {"index", i},
            {"label", in.labels[i]},
            {"p", e.p[i]},
            {"q", e.q[i]},
            {"contribution_pq", json_number(e.term_pq[i])},
            {"contribution_qp", json_number(e.term_qp[i])},
            {"share_pq", std::isnan(share) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(share)},
        });
    }
    nlohmann::ordered_json j = comparison_json(in, e.totals);
    j["shown"] = count;
    j["ranked"] = std::move(ranked);
    return j;
}

std::string percent(double share) {
    if (std::isnan(share)) return "-";
    return fmt::format("{:.1f}%", 100.0 * share);
}

std::string typographic_minus(std::string s) {
    if (!s.empty() && s[0] == '-') s = "−" + s.substr(1);
    return s;
}

// Padding by characters, not bytes, so labels and headers with "·", "‖" or "é" line up.
std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}
std::string right(std::string_view s, std::size_t width) {
    const std::size_t w = display_width(s);
    return std::string(w < width ? width - w : 0, ' ') + std::string(s);
}
// At most `width` characters, with "…" when cut.
std::string shorten(std::string_view s, std::size_t width) {
    if (display_width(s) <= width) return std::string(s);
    std::string out;
    std::size_t n = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++n == width) break;
        out += c;
    }
    return out + "…";
}
std::string left(std::string_view s, std::size_t width) {
    const std::size_t w = display_width(s);
    return std::string(s) + std::string(w < width ? width - w : 0, ' ');
}

void print_text(const event_pair& in, const explanation& e, std::size_t count) {
    const comparison& c = e.totals;
    const std::string& unit = e.unit;
    // Names and labels come from the user's files: their control characters are shown escaped,
    // never sent raw to the terminal (a label "x\x1b[31m" coloured the rest of the table).
    fmt::print("P = {} ({} events)\nQ = {} ({} events)\nunit: {}", printable(in.p_name), in.p.size(),
               printable(in.q_name), in.q.size(), unit);
    if (in.options.on_zero == zero_support::smooth) {
        fmt::print(" (both distributions smoothed: + {} per event, renormalized)", human(in.options.smoothing_epsilon));
    }
    fmt::print("\n\nEvents ranked by their contribution p·log(p/q) to D(P‖Q) (top {} of {}):\n\n", count,
               e.ranked.size());
    std::size_t label_width = 5;
    for (std::size_t r = 0; r < count; ++r)
        label_width = std::max(label_width, display_width(printable(in.labels[e.ranked[r]])));
    label_width = std::min<std::size_t>(label_width, 24);
    const auto row = [&](std::string_view rank, std::string_view label, std::string_view p, std::string_view q,
                         std::string_view pq, std::string_view share, std::string_view qp) {
        fmt::print("  {}  {}  {}  {}  {}  {}  {}\n", right(rank, 4), left(label, label_width), right(p, 11),
                   right(q, 11), right(pq, 12), right(share, 7), right(qp, 12));
    };
    row("rank", "event", "p", "q", "p·log(p/q)", "share", "q·log(q/p)");
    for (std::size_t r = 0; r < count; ++r) {
        const std::size_t i = e.ranked[r];
        row(std::to_string(r + 1), shorten(printable(in.labels[i]), label_width), human(e.p[i]), human(e.q[i]),
            human(e.term_pq[i]), percent(share_of(e, i)), human(e.term_qp[i]));
    }
    if (count < e.ranked.size()) {
        double rest = 0;
        for (std::size_t r = count; r < e.ranked.size(); ++r) rest += e.term_pq[e.ranked[r]];
        const double d = c.kl_pq;
        const std::size_t more = e.ranked.size() - count;
        fmt::print("  ({} more {} {} {}{}{})\n", more, more == 1 ? "event contributes" : "events contribute",
                   human(rest), unit, more == 1 ? "" : " together",
                   d > 0 && std::isfinite(d) ? ", " + percent(rest / d) + " of D(P‖Q)" : "");
    }
    fmt::print("\n(p·log(p/q) < 0 where Q gives the event more probability than P; the sum is never negative.)\n\n");

    fmt::print("Totals, in {}:\n", unit);
    fmt::print("  D(P‖Q) = Σ p·log(p/q) = {:>10}   extra {} per event when events of P are coded with Q's code\n",
               human(c.kl_pq), unit);
    fmt::print("  D(Q‖P) = Σ q·log(q/p) = {:>10}   extra {} per event when events of Q are coded with P's code\n",
               human(c.kl_qp), unit);
    fmt::print("\nDecomposition, cross-entropy = entropy + KL divergence:\n");
    fmt::print("  H(P,Q) = H(P) + D(P‖Q):  {} = {} + {} {}\n", human(c.cross_entropy_pq), human(c.entropy_p),
               human(c.kl_pq), unit);
    fmt::print("  H(Q,P) = H(Q) + D(Q‖P):  {} = {} + {} {}\n", human(c.cross_entropy_qp), human(c.entropy_q),
               human(c.kl_qp), unit);
}

// ---- the HTML report ------------------------------------------------------------------------

// The events the per-event charts show: all of them, or the 40 with the largest contributions in
// either direction (kept in their natural order) when there are too many to draw legibly.
std::vector<std::size_t> charted_events(const explanation& e) {
    constexpr std::size_t limit = 40;
    std::vector<std::size_t> idx(e.p.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    if (idx.size() <= 60) return idx;
    const auto weight = [&](std::size_t i) { return std::max(std::fabs(e.term_pq[i]), std::fabs(e.term_qp[i])); };
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return weight(a) > weight(b); });
    idx.resize(limit);
    std::sort(idx.begin(), idx.end());
    return idx;
}

std::string value_with_unit(double x, const std::string& unit) { return report::format_value(x, 4) + " " + unit; }

std::string html_report(const event_pair& in, const explanation& e, std::size_t count) {
    namespace r = report;
    const comparison& c = e.totals;
    const std::string& unit = e.unit;
    const std::string per_event = unit + " per event";

    r::html_page page("Why P and Q differ: KL divergence explained", "P = " + in.p_name + "   ·   Q = " + in.q_name +
                                                                         "   ·   " + std::to_string(in.p.size()) +
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
        r::escape(value_with_unit(c.entropy_p, per_event)) +
        ". A code built for <b>Q</b> instead spends the cross-entropy <b>H(P,Q)</b> = " +
        r::escape(value_with_unit(c.cross_entropy_pq, per_event)) +
        ". The difference is the KL divergence <b>D(P‖Q)</b> = " + r::escape(kl_pq_text) + ": the extra " +
        r::escape(unit) +
        " per event paid for believing Q when the events really follow P.</p>"
        "<p>Each event adds <span class=\"math\">p·log(p/q)</span> to D(P‖Q). Events that P finds much more likely "
        "than Q "
        "add a lot; events that Q over-predicts add a negative amount, but the total is never negative. "
        "KL is <b>not symmetric</b>: D(Q‖P) = " +
        r::escape(kl_qp_text) +
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
                           " is event <b>" + r::escape(in.labels[i]) + "</b> (" +
                           r::escape(value_with_unit(terms[i], unit));
        if (total > 0 && std::isfinite(total)) text += ", " + r::escape(percent(terms[i] / total)) + " of the total";
        return text + ")";
    };
    intro += "<p>" + largest(e.term_pq, c.kl_pq, "D(P‖Q)", "The") + "; the " +
             largest(e.term_qp, c.kl_qp, "D(Q‖P)", "") + ".</p></div>";
    page.raw_html(intro);

    const std::vector<std::size_t> chart_idx = charted_events(e);
    const bool subset = chart_idx.size() < e.p.size();
    std::vector<std::string> categories;
    std::vector<double> pv, qv, tpq, tqp;
    for (std::size_t i : chart_idx) {
        categories.push_back(in.labels[i]);
        pv.push_back(e.p[i]);
        qv.push_back(e.q[i]);
        tpq.push_back(e.term_pq[i]);
        tqp.push_back(e.term_qp[i]);
    }
    const std::string subset_note = subset ? "Showing the " + std::to_string(chart_idx.size()) + " of " +
                                                 std::to_string(e.p.size()) +
                                                 " events with the largest contributions, in their original order."
                                           : "";

    page.heading("1. The two distributions, event by event");
    r::bar_chart dist;
    dist.title = "Probability of each event under P and Q";
    dist.value_label = "probability";
    dist.category_label = "event";
    dist.categories = categories;
    dist.series = {{"P: " + in.p_name, pv, r::palette::blue}, {"Q: " + in.q_name, qv, r::palette::orange}};
    dist.note = subset_note;
    page.figure(r::render(dist),
                "Bars side by side for each event, in the events' natural order. "
                "Where the blue bar is taller, P expects the event more often than Q does.");

    page.heading("2. Where the divergence comes from");
    r::bar_chart contrib;
    contrib.title = "Contribution of each event, in " + unit;
    contrib.value_label = "contribution (" + unit + ")";
    contrib.category_label = "event";
    contrib.categories = categories;
    contrib.series = {{"p·log(p/q): term of D(P‖Q)", tpq, r::palette::blue},
                      {"q·log(q/p): term of D(Q‖P)", tqp, r::palette::orange}};
    const bool any_inf = std::any_of(tpq.begin(), tpq.end(), [](double v) { return std::isinf(v); }) ||
                         std::any_of(tqp.begin(), tqp.end(), [](double v) { return std::isinf(v); });
    std::string contrib_note = subset_note;
    if (any_inf) {
        contrib_note +=
            std::string(contrib_note.empty() ? "" : " ") +
            "∞: the other distribution gives this event probability 0; the bar is cut at the end of the axis.";
    }
    contrib.note = contrib_note;
    page.figure(r::render(contrib),
                "The blue bars add up to D(P‖Q) = " + kl_pq_text + ", the orange bars to D(Q‖P) = " + kl_qp_text +
                    ". A bar above zero: the first distribution expects this event more than the second does; below "
                    "zero: less. The same event can weigh heavily in one direction and hardly at all in the other.");

    page.heading("3. Cross-entropy = entropy + KL divergence, both ways");
    r::stacked_bar_chart decomposition;
    decomposition.title = "Average code length per event, in " + unit;
    decomposition.value_label = unit + " per event";
    decomposition.bars = {
        {"H(P,Q)",
         "events of P, Q's code",
         {{"entropy (best possible code)", "H(P) = " + r::format_value(c.entropy_p, 4), c.entropy_p,
           r::palette::sky_blue},
          {"KL divergence (extra cost)", "D(P‖Q) = " + r::format_value(c.kl_pq, 4), c.kl_pq, r::palette::vermillion}},
         "= " + value_with_unit(c.cross_entropy_pq, unit)},
        {"H(Q,P)",
         "events of Q, P's code",
         {{"entropy (best possible code)", "H(Q) = " + r::format_value(c.entropy_q, 4), c.entropy_q,
           r::palette::sky_blue},
          {"KL divergence (extra cost)", "D(Q‖P) = " + r::format_value(c.kl_qp, 4), c.kl_qp, r::palette::vermillion}},
         "= " + value_with_unit(c.cross_entropy_qp, unit)},
    };
    page.figure(r::render(decomposition),
                "Each bar is the average number of " + unit +
                    " per event when events of one distribution are coded with a code built for the other. The light "
                    "part is unavoidable (the entropy); the dark part is the price of using the wrong code. The two "
                    "dark parts differ: that is the asymmetry of KL divergence.");

    r::bar_chart directions;
    directions.title = "The two directions side by side, in " + unit;
    directions.value_label = unit + " per event";
    directions.categories = {"D(P‖Q)", "D(Q‖P)"};
    directions.series = {{"", {c.kl_pq, c.kl_qp}, r::palette::vermillion}};
    directions.horizontal = true;
    directions.value_labels = true;
    page.figure(r::render(directions),
                "The dark parts of the bars above, on their own scale: KL divergence is not a "
                "distance, and the cost of the mistake depends on which way it is made.");

    page.heading("4. The events that matter most");
    r::table t;
    t.caption = "Top " + std::to_string(count) + " of " + std::to_string(e.p.size()) +
                " events, ranked by contribution to D(P‖Q); contributions in " + unit + ".";
    t.header = {"rank", "event", "p", "q", "p·log(p/q)", "share of D(P‖Q)", "q·log(q/p)"};
    t.numeric = {true, false, true, true, true, true, true};
    for (std::size_t rank = 0; rank < count; ++rank) {
        const std::size_t i = e.ranked[rank];
        const double share = share_of(e, i);
        t.rows.push_back({std::to_string(rank + 1), in.labels[i], r::format_value(e.p[i], 4),
                          r::format_value(e.q[i], 4), r::format_value(e.term_pq[i], 4),
                          std::isnan(share) ? "–" : typographic_minus(percent(share)),
                          r::format_value(e.term_qp[i], 4)});
    }
    t.rows.push_back({"", "all " + std::to_string(e.p.size()) + " events", "1", "1", r::format_value(c.kl_pq, 4),
                      c.kl_pq > 0 && std::isfinite(c.kl_pq) ? "100%" : "–", r::format_value(c.kl_qp, 4)});
    page.add(t);

    std::string options_text = "Options: base " + in.options.base.unit();
    if (in.options.normalize) options_text += ", inputs normalized to sum to 1";
    if (in.options.on_zero == zero_support::smooth) {
        options_text += ", smoothed with ε = " + r::format_value(in.options.smoothing_epsilon, 3);
    }
    // The embedded data keeps the page small for large vocabularies: at most this many ranked events.
    constexpr std::size_t embedded_limit = 10000;
    const std::size_t embedded = std::min(e.ranked.size(), embedded_limit);
    page.footer(options_text + ". Exact numbers are embedded in this file as JSON (script id \"kldiv-data\")" +
                (embedded < e.ranked.size()
                     ? ", for the " + std::to_string(embedded) + " events with the largest contributions to D(P‖Q)."
                     : "."));
    page.footer(std::string("Generated by kldiv ") + kldiv::version + " (kldiv explain).");
    page.json_data("kldiv-data", json_text(to_json(in, e, embedded)));
    return page.str();
}

}  // namespace

void add_explain(CLI::App& app) {
    auto args = std::make_shared<explain_arguments>();
    CLI::App* command = app.add_subcommand(
        "explain",
        "Which events make P and Q differ: per-event contributions to KL both ways, with an optional HTML report");
    add_pair_arguments(*command, args->pair, "bits");
    command->add_option("--top", args->top, "How many events to list (0: all)")->capture_default_str();
    command->add_option("--html", args->html, "Write a self-contained HTML report with charts to this file")
        ->check(output_path);
    command->add_flag("--json", args->json, "Print JSON with stable keys instead of a table");
    command->callback([args] {
        refuse_overwriting_inputs(args->pair.command, "--html", args->html,
                                  {{"P", args->pair.p_file}, {"Q", args->pair.q_file}});
        const event_pair in = load_pair(args->pair);
        const explanation e = explain(in);
        const std::size_t count = shown(e, args->top);
        // Build everything before writing anything: an error leaves no output file behind.
        if (!args->html.empty())
            io::write_file_atomically(args->html, html_report(in, e, std::min<std::size_t>(count, 100)));
        if (args->json) {
            std::cout << json_text(to_json(in, e, count), 2) << '\n';
        } else {
            print_text(in, e, count);
        }
    });
}

}  // namespace kldiv::cli
