#pragma once
// The JSON keys of one pair's measures: what `kldiv compare --json` prints and `kldiv explain
// --json` begins with (p, q, events, unit, entropy_p, entropy_q, cross_entropy_pq, cross_entropy_qp,
// kl_pq, kl_qp, jeffreys, js, beta; +inf as the string "inf"), and of the divergences `kldiv compare
// --measure --json` prints.

#include <cstddef>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "kldiv/comparison.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/units.hpp"

namespace kldiv::report {

// `p_name` and `q_name` say where P and Q came from (a file, or the inline values).
nlohmann::ordered_json comparison_json(const std::string& p_name, const std::string& q_name, std::size_t events,
                                       const log_base& base, const comparison& c);

// p, q, events, unit, beta and alpha where a measure reads them, then "measures": one object per
// measure in the order asked, {"measure": its name, "value", "unit": the unit or "" for a pure number}.
nlohmann::ordered_json divergences_json(const std::string& p_name, const std::string& q_name, std::size_t events,
                                        const options& o, std::span<const measure> measures,
                                        std::span<const double> values);

}  // namespace kldiv::report
