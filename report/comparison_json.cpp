// comparison_json (report/comparison_json.hpp).
#include "report/comparison_json.hpp"

#include "report/json_number.hpp"

namespace kldiv::report {

nlohmann::ordered_json comparison_json(const std::string& p_name, const std::string& q_name, std::size_t events,
                                       const log_base& base, const comparison& c) {
    return {
        {"p", p_name},
        {"q", q_name},
        {"events", events},
        {"unit", base.unit()},
        {"entropy_p", json_number(c.entropy_p)},
        {"entropy_q", json_number(c.entropy_q)},
        {"cross_entropy_pq", json_number(c.cross_entropy_pq)},
        {"cross_entropy_qp", json_number(c.cross_entropy_qp)},
        {"kl_pq", json_number(c.kl_pq)},
        {"kl_qp", json_number(c.kl_qp)},
        {"jeffreys", json_number(c.jeffreys)},
        {"js", json_number(c.js)},
        {"beta", c.beta},
    };
}

}  // namespace kldiv::report
