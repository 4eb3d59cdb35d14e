// kldiv explain P Q: which events make P and Q differ, in both directions, with the decomposition
// H(P,Q) = H(P) + D(P‖Q); --html writes a self-contained report with charts.

#include <fmt/core.h>
#include "kldiv/comparison.hpp"
#include "kldiv/explanation.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/text.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/inputs.hpp"
#include "cli/output_files.hpp"
#include "report/explanation_report.hpp"

namespace kldiv::cli {
namespace {

struct explain_arguments {
    pair_arguments pair;
    std::size_t top = 10;
    std::string html;
    bool json = false;
};

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
    const std::string unit = in.options.base.unit();
    // Names and labels come from the user's files: their control characters are shown escaped,
    // never sent raw to the terminal (a label "x\x1b[31m" coloured the rest of the table).
    fmt::print("P = {} ({} events)\nQ = {} ({} events)\nunit: {}", printable(in.p_name), in.p.size(),
               printable(in.q_name), in.q.size(), unit);
    if (in.options.on_zero == zero_support::smooth) {
        fmt::print(" (both distributions smoothed: + {} per event, renormalized)", human(in.options.epsilon));
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
            human(e.contribution_pq[i]), report::percent(e.share_pq(i)), human(e.contribution_qp[i]));
    }
    if (count < e.ranked.size()) {
        double rest = 0;
        for (std::size_t r = count; r < e.ranked.size(); ++r) rest += e.contribution_pq[e.ranked[r]];
        const double d = c.kl_pq;
        const std::size_t more = e.ranked.size() - count;
        fmt::print("  ({} more {} {} {}{}{})\n", more, more == 1 ? "event contributes" : "events contribute",
                   human(rest), unit, more == 1 ? "" : " together",
                   d > 0 && std::isfinite(d) ? ", " + report::percent(rest / d) + " of D(P‖Q)" : "");
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

}  // namespace

void add_explain(CLI::App& app) {
    auto args = std::make_shared<explain_arguments>();
    CLI::App* command = app.add_subcommand(
        "explain",
        "Which events make P and Q differ: per-event contributions to KL both ways, with an optional HTML report");
    add_pair_arguments(*command, args->pair);
    command->add_option("--top", args->top, "How many events to list (0: all)")->capture_default_str();
    command->add_option("--html", args->html, "Write a self-contained HTML report with charts to this file")
        ->check(output_path);
    command->add_flag("--json", args->json, "Print JSON with stable keys instead of a table");
    command->callback([args] {
        refuse_overwriting_inputs(args->pair.command, "--html", args->html,
                                  {{"P", args->pair.p_file}, {"Q", args->pair.q_file}});
        const event_pair in = load_pair(args->pair);
        const explanation e = explain(in.p, in.q, in.options);
        const std::size_t count = report::events_listed(e, args->top);
        const report::explained_pair described{in.p_name, in.q_name, in.labels, in.options};
        // Build everything before writing anything: an error leaves no output file behind.
        if (!args->html.empty()) {
            io::write_file_atomically(args->html, report::explanation_html(described, e, count));
        }
        if (args->json) {
            std::cout << json_text(report::explanation_json(described, e, count), 2) << '\n';
        } else {
            print_text(in, e, count);
        }
    });
}

}  // namespace kldiv::cli
