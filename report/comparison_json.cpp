// comparison_json (report/comparison_json.hpp).
#include "report/comparison_json.hpp"

#include <algorithm>

#include "kldiv/names.hpp"
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

nlohmann::ordered_json divergences_json(const std::string& p_name, const std::string& q_name, std::size_t events,
                                        const options& o, std::span<const measure> measures,
                                        std::span<const double> values) {
    nlohmann::ordered_json j{{"p", p_name}, {"q", q_name}, {"events", events}, {"unit", o.base.unit()}};
    const auto any = [&](bool (*uses)(measure)) { return std::any_of(measures.begin(), measures.end(), uses); };
    if (any(uses_beta)) j["beta"] = o.beta;
    if (any(uses_alpha)) j["alpha"] = json_number(o.alpha);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < measures.size(); ++k) {
        list.push_back({{"measure", name(measures[k])},
                        {"value", json_number(values[k])},
                        {"unit", in_log_units(measures[k]) ? o.base.unit() : ""}});
    }
    j["measures"] = std::move(list);
    return j;
}

}  // namespace kldiv::report
