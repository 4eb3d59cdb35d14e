#pragma once
// The JSON keys of one pair's measures: what `kldiv compare --json` prints and `kldiv explain
// --json` begins with (p, q, events, unit, entropy_p, entropy_q, cross_entropy_pq, cross_entropy_qp,
// kl_pq, kl_qp, jeffreys, js, beta; +inf as the string "inf").

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "kldiv/comparison.hpp"
#include "kldiv/units.hpp"

namespace kldiv::report {

// `p_name` and `q_name` say where P and Q came from (a file, or the inline values).
nlohmann::ordered_json comparison_json(const std::string& p_name, const std::string& q_name, std::size_t events,
                                       const log_base& base, const comparison& c);

}  // namespace kldiv::report
