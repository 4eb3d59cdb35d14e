#pragma once
// The documents of `kldiv explain` (and of kldiv.explain in Python), from a kldiv::explanation: the
// --json document and the self-contained HTML report with charts (report/html.hpp).

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kldiv/explanation.hpp"
#include "kldiv/options.hpp"

namespace kldiv::report {

// What an explanation is of: where P and Q came from, their events' labels (one per event), and
// the options they were measured with.
struct explained_pair {
    std::string p_name, q_name;
    std::vector<std::string> labels;
    kldiv::options options;
};

// How many ranked events a document lists for `top` (0: all of them).
std::size_t events_listed(const explanation& e, std::size_t top);

// The most events the HTML report's table lists (the embedded JSON holds more).
inline constexpr std::size_t html_table_limit = 100;

// A share as people read it: "12.3%", or "-" for NaN (no meaning).
std::string percent(double share);

// Both throw kldiv::error("explain") unless in.labels has one label per event and count <= the events.
//
// comparison_json's keys, then "shown" (= count) and "ranked": the first `count` ranked events,
// each with rank, index, label, p, q, contribution_pq, contribution_qp and share_pq (null: NaN).
nlohmann::ordered_json explanation_json(const explained_pair& in, const explanation& e, std::size_t count);

// The page: the headline measures, how to read them, the two distributions and the contributions
// event by event (the 40 weightiest of both directions when there are more than 60 events), the
// decomposition H(P,Q) = H(P) + D(P‖Q) both ways, a table of the first `count` ranked events (at
// most html_table_limit), and
// explanation_json of at most 10,000 events embedded (script id "kldiv-data").
std::string explanation_html(const explained_pair& in, const explanation& e, std::size_t count);

}  // namespace kldiv::report
