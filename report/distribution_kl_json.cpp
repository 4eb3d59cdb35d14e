// distribution_kl_json (report/distribution_kl_json.hpp).
#include "report/distribution_kl_json.hpp"

#include "kldiv/distributions/spec.hpp"
#include "kldiv/names.hpp"
#include "report/json_number.hpp"

namespace kldiv::report {

nlohmann::ordered_json distribution_kl_json(const distributions::distribution& p, const distributions::distribution& q,
                                            const distributions::kl_options& opts, const distributions::kl_result& r,
                                            const std::optional<distributions::gaussian_mixture_estimates>& mixture) {
    nlohmann::ordered_json out;
    out["p"] = distributions::to_spec(p);
    out["q"] = distributions::to_spec(q);
    out["kl"] = json_number(r.value);
    out["unit"] = opts.base.unit();
    out["method"] = name(r.method);
    out["error"] = json_number(r.error);
    if (r.method == distributions::kl_method::monte_carlo) {
        out["samples"] = r.samples;
        out["seed"] = opts.seed;
        out["converged"] = r.converged;
    }
    if (mixture) {
        out["gaussian_mixture_estimates"] = {{"lower_bound", json_number(mixture->lower_bound)},
                                             {"upper_bound", json_number(mixture->upper_bound)},
                                             {"variational", json_number(mixture->variational)},
                                             {"product", json_number(mixture->product)}};
    }
    return out;
}

}  // namespace kldiv::report
