// kldiv._kldiv's part for parametric distributions: the Distribution type (a parsed, validated spec),
// kl_divergence between two of them, and the Gaussian mixture estimates. kldiv/distributions.py builds on these.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kldiv/distributions/gaussian_mixture_bounds.hpp"
#include "kldiv/distributions/kl.hpp"
#include "kldiv/distributions/spec.hpp"
#include "kldiv/error.hpp"

#include <string>

#include "kldiv/names.hpp"
#include "python/src/progress.hpp"

namespace py = pybind11;
namespace kd = kldiv::distributions;

namespace {

// A parsed distribution. (Wrapped: pybind11's std::variant caster would otherwise claim the type.)
struct distribution_object {
    kd::distribution value;
};

kd::method_choice method_of(const std::string& name) {
    return kldiv::parse<kd::method_choice>(name, "method", "kl_divergence");  // kldiv.distributions.kl_divergence
}

}  // namespace

void bind_distributions(py::module_& m) {
    py::class_<distribution_object>(m, "Distribution")
        .def(py::init([](const std::string& spec) { return distribution_object{kd::parse(spec)}; }), py::arg("spec"))
        .def_property_readonly("spec", [](const distribution_object& d) { return kd::to_spec(d.value); })
        .def_property_readonly("family",
                               [](const distribution_object& d) { return std::string(kd::family_name(d.value)); })
        .def("__repr__", [](const distribution_object& d) { return "Distribution('" + kd::to_spec(d.value) + "')"; })
        .def("__str__", [](const distribution_object& d) { return kd::to_spec(d.value); });

    m.def(
        "distribution_kl",
        [](const distribution_object& p, const distribution_object& q, double base, const std::string& method,
           double tolerance, double mc_error, std::uint64_t max_samples, std::uint64_t seed, unsigned threads,
           py::object progress) {
            kd::kl_options o;
            o.base = base == 0.0 ? kldiv::log_base{} : kldiv::log_base(base);
            o.method = method_of(method);
            o.tolerance = tolerance;
            o.mc_error = mc_error;
            o.max_samples = max_samples;
            o.seed = seed;
            o.threads = threads;
            o.progress = python_progress(std::move(progress));
            kd::kl_result r;
            {
                py::gil_scoped_release release;
                r = kd::kl_divergence(p.value, q.value, o);
            }
            return py::make_tuple(r.value, kldiv::name(r.method), r.error, r.samples, o.base.unit(), r.converged);
        },
        py::arg("p"), py::arg("q"), py::arg("base"), py::arg("method"), py::arg("tolerance"), py::arg("mc_error"),
        py::arg("max_samples"), py::arg("seed"), py::arg("threads"), py::arg("progress"));

    m.def(
        "gaussian_mixture_estimates",
        [](const distribution_object& p, const distribution_object& q) {
            const auto e = kd::gaussian_mixture_kl_estimates(p.value, q.value);
            return py::make_tuple(e.lower_bound, e.upper_bound, e.variational, e.product);
        },
        py::arg("p"), py::arg("q"));

    m.def("distribution_families", [] {
        py::list out;
        for (const auto& f : kd::families()) {
            py::list parameters;
            for (const auto& p : f.parameters)
                parameters.append(
                    py::dict(py::arg("name") = std::string(p.name), py::arg("rule") = std::string(p.rule),
                             py::arg("default") = p.default_value.empty()
                                                      ? py::object(py::none())
                                                      : py::float_(std::stod(std::string(p.default_value)))));
            py::list aliases, alternatives;
            for (const auto& a : f.aliases) aliases.append(std::string(a));
            for (const auto& a : f.alternatives) alternatives.append(std::string(a));
            out.append(py::dict(py::arg("name") = std::string(f.name), py::arg("aliases") = aliases,
                                py::arg("parameters") = parameters, py::arg("named_alternatives") = alternatives,
                                py::arg("support") = std::string(f.support)));
        }
        return out;
    });

    m.def("closed_form_pairs", [] {
        py::list out;
        for (const auto& pair : kd::closed_form_pairs())
            out.append(py::make_tuple(std::string(pair.p), std::string(pair.q)));
        return out;
    });
}
