// estimate_json (report/estimate_json.hpp).
#include "report/estimate_json.hpp"

#include "kldiv/names.hpp"
#include "report/json_number.hpp"

namespace kldiv::report {
namespace {

const char* key_of(estimate::quantity q) {
    switch (q) {
        case estimate::quantity::kl_divergence:
            return "kl";
        case estimate::quantity::cross_entropy:
            return "cross_entropy";
        case estimate::quantity::entropy:
            break;
    }
    return "entropy";
}

}  // namespace

nlohmann::ordered_json estimate_json(const std::string& x_name, const std::string& y_name,
                                     const estimate::data_options& opts, const estimate::data_result& r) {
    const estimate::estimate& e = r.value;
    nlohmann::ordered_json out;
    out["x"] = x_name;
    if (opts.measure != estimate::quantity::entropy) out["y"] = y_name;
    out[key_of(opts.measure)] = json_number(e.value);
    out["unit"] = opts.base.unit();
    out["method"] = estimate::describe(e);
    if (e.interval.level > 0.0 && opts.bootstrap) {
        out["interval"] = {{"low", json_number(e.interval.low)},
                           {"high", json_number(e.interval.high)},
                           {"level", e.interval.level},
                           {"resamples", e.interval.resamples},
                           {"method", name(opts.bootstrap->method)},
                           {"seed", opts.bootstrap->seed}};
    }
    if (r.test) {
        out["permutation_test"] = {{"statistic", json_number(r.test->statistic)},
                                   {"p_value", r.test->p_value},
                                   {"permutations", r.test->permutations}};
    }
    return out;
}

}  // namespace kldiv::report
