// kldiv dist P Q: D(P‖Q) between two parametric distributions written as specs, e.g.
//   kldiv dist 'normal(0, 1)' 'laplace(0, 2)' --json
// and kldiv dist --list: the families, their parameters, and the pairs with a closed form.

#include <fmt/core.h>
#include "kldiv/distributions/gaussian_mixture_bounds.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"

#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "cli/choice.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/progress_line.hpp"
#include "cli/unit_option.hpp"
#include "report/distribution_kl_json.hpp"

namespace kldiv::cli {
namespace {

namespace kd = kldiv::distributions;

struct dist_arguments {
    std::string p, q;
    std::string base;
    kd::kl_options options;
    bool list = false;
    bool bounds = false;
    bool json = false;
    progress_choice progress;
};

// Gaussian mixture estimates in the unit asked for.
kd::gaussian_mixture_estimates estimates_of(const dist_arguments& a, const kd::distribution& p,
                                            const kd::distribution& q) {
    kd::gaussian_mixture_estimates e = kd::gaussian_mixture_kl_estimates(p, q);
    for (double* v : {&e.variational, &e.product, &e.upper_bound, &e.lower_bound}) *v = a.options.base.from_nats(*v);
    return e;
}

void print_result(const dist_arguments& a, const kd::distribution& p, const kd::distribution& q,
                  const kd::kl_result& r) {
    const std::string unit = a.options.base.unit();
    if (!r.converged) {
        fmt::print(stderr,
                   "kldiv dist: Monte Carlo stopped at --max-samples {} with a standard error of {} {}, above "
                   "--mc-error {} nats; give a larger --max-samples (at most 2^40) to reach it\n",
                   r.samples, human(r.error), unit, human(a.options.mc_error));
    }
    std::optional<kd::gaussian_mixture_estimates> e;
    if (a.bounds) e = estimates_of(a, p, q);
    if (a.json) {
        std::cout << json_text(report::distribution_kl_json(p, q, a.options, r, e), 2) << '\n';
        return;
    }
    fmt::print("P = {}\nQ = {}\n\nD(P‖Q) = {} {}", kd::to_spec(p), kd::to_spec(q), human(r.value), unit);
    switch (r.method) {
        case kd::kl_method::closed_form:
            fmt::print("  (closed form)\n");
            break;
        case kd::kl_method::infinite_by_support:
            fmt::print("  (P has mass where Q has none)\n");
            break;
        case kd::kl_method::monte_carlo:
            fmt::print(" ± {} (Monte Carlo standard error, {} samples, seed {})\n", human(r.error), r.samples,
                       a.options.seed);
            break;
        default:
            fmt::print(" ± {} ({} error estimate)\n", human(r.error), kd::describe(r.method));
    }
    if (e) {
        fmt::print(
            "\nGaussian mixture estimates (closed form, no sampling):\n"
            "  {} <= D(P‖Q) <= {} {}\n  variational approximation {}, product-of-Gaussians approximation {}\n",
            human(e->lower_bound), human(e->upper_bound), unit, human(e->variational), human(e->product));
    }
}

// P or Q from its spec; an error names the argument and the spec ("P = 'normal(0, -1)': normal:
// scale = -1, but ...") where the library names only the family.
kd::distribution spec_argument(const char* which, const std::string& spec) {
    try {
        return kd::parse(spec);
    } catch (const error& e) {
        if (e.function() == "parse") throw;  // it quotes the spec and the position already
        throw error(e.function(), std::string(which) + " = '" + spec + "': " + e.function() + ": " + e.message());
    }
}

std::string parameters_of(const kd::family_info& f) {
    std::string out;
    for (const auto& p : f.parameters)
        out += (out.empty() ? "" : ", ") + std::string(p.name) +
               (p.default_value.empty() ? "" : "=" + std::string(p.default_value));
    return out;
}

void print_list(bool json) {
    std::map<std::string_view, std::vector<std::string_view>> closed;
    for (const auto& pair : kd::closed_form_pairs()) closed[pair.p].push_back(pair.q);
    if (json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const auto& f : kd::families()) {
            nlohmann::ordered_json family;
            family["name"] = f.name;
            family["aliases"] = f.aliases;
            nlohmann::ordered_json parameters = nlohmann::ordered_json::array();
            for (const auto& p : f.parameters) {
                nlohmann::ordered_json item{{"name", p.name}, {"rule", p.rule}};
                if (!p.default_value.empty()) item["default"] = p.default_value;
                parameters.push_back(item);
            }
            family["parameters"] = parameters;
            family["named_alternatives"] = f.alternatives;
            family["support"] = f.support;
            family["closed_form_with"] = closed[f.name];
            out.push_back(family);
        }
        std::cout << json_text(out, 2) << '\n';
        return;
    }
    fmt::print("Families (parameters positional in this order, or by name):\n\n");
    for (const auto& f : kd::families()) {
        std::string alternatives;
        for (const auto& a : f.alternatives)
            alternatives += (alternatives.empty() ? "  or " : ", ") + std::string(a) + "=";
        fmt::print("  {}({}){}\n      support {}", f.name, parameters_of(f), alternatives, f.support);
        if (!f.aliases.empty()) {
            std::string aliases;
            for (const auto& a : f.aliases) aliases += (aliases.empty() ? "" : ", ") + std::string(a);
            fmt::print("; also written {}", aliases);
        }
        fmt::print("\n");
    }
    fmt::print(
        "\nPairs with a closed form (P: Q...); every other pair is +inf by support, or integrated\n"
        "numerically (univariate), or estimated by Monte Carlo (multivariate):\n\n");
    for (const auto& [p, qs] : closed) {
        std::string line;
        for (const auto& q : qs) line += (line.empty() ? "" : ", ") + std::string(q);
        fmt::print("  {}: {}\n", p, line);
    }
}

}  // namespace

void add_dist(CLI::App& app) {
    auto args = std::make_shared<dist_arguments>();
    CLI::App* command = app.add_subcommand(
        "dist", "KL divergence between two parametric distributions, e.g. kldiv dist 'normal(0,1)' 'laplace(0,2)'");
    command->add_option("P", args->p, "The distribution P, e.g. 'gamma(2, 3)' or 'gamma(concentration=2, rate=3)'");
    command->add_option("Q", args->q, "The distribution Q");
    command->add_flag("--list", args->list, "List the families, their parameters and the closed-form pairs");
    add_unit_option(*command, args->base);
    add_choice<kd::method_choice>(*command, "--method", args->options.method,
                                  "How to compute (numerical: quadrature or summation)");
    command->add_option("--tolerance", args->options.tolerance, "Quadrature/summation relative tolerance")
        ->capture_default_str();
    command->add_option("--mc-error", args->options.mc_error, "Monte Carlo target standard error (nats)")
        ->capture_default_str();
    command->add_option("--max-samples", args->options.max_samples, "Monte Carlo sample limit (at most 2^40)")
        ->check(CLI::Range(std::uint64_t{2}, kd::max_monte_carlo_samples))
        ->capture_default_str();
    command->add_option("--seed", args->options.seed, "Monte Carlo seed")->capture_default_str();
    command->add_option("--threads", args->options.threads, "Monte Carlo threads (0: all cores)")
        ->capture_default_str();
    add_progress_options(command, args->progress);
    command->add_flag("--bounds", args->bounds,
                      "Also give closed-form bounds and approximations (Gaussian mixtures and normals only)");
    command->add_flag("--json", args->json, "Print JSON: p, q, kl, unit, method, error (and samples, seed)");
    command->callback([args] {
        if (args->list) {
            if (!args->p.empty()) throw CLI::ValidationError("--list", "takes no distributions");
            print_list(args->json);
            return;
        }
        if (args->q.empty()) throw CLI::RequiredError("P and Q (or --list)");
        args->options.base = log_base::parse(args->base, "--base");
        args->options.progress = progress_line(args->progress, "Monte Carlo", "samples");
        const kd::distribution p = spec_argument("P", args->p), q = spec_argument("Q", args->q);
        print_result(*args, p, q, kd::kl_divergence(p, q, args->options));
    });
}

}  // namespace kldiv::cli
