// kldiv._kldiv's part for kldiv.explain (include/kldiv/explanation.hpp): the measures of one pair and
// its events' contributions, returned as the `kldiv explain --json` document's text, and the HTML
// report written (whole or not at all) where asked. The GIL is released while computing.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "kldiv/explanation.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/names.hpp"
#include "kldiv/options.hpp"
#include "python/src/measure_options.hpp"
#include "report/explanation_report.hpp"
#include "report/json_text.hpp"

namespace py = pybind11;

void bind_explanation(py::module_& m) {
    m.def(
        "explain",
        [](std::vector<double> p, std::vector<double> q, std::vector<std::string> labels, double base,
           const std::string& on_zero, std::optional<double> epsilon, bool normalize, double sum_tolerance, double beta,
           std::size_t top, const std::string& html) {
            kldiv::report::explained_pair in{"p", "q", std::move(labels), {}};
            in.options = measure_options(base, on_zero, epsilon, normalize, sum_tolerance, beta);
            py::gil_scoped_release unlocked;
            const kldiv::explanation e = kldiv::explain(p, q, in.options);
            if (in.labels.empty()) {
                for (std::size_t i = 0; i < e.p.size(); ++i) in.labels.push_back(std::to_string(i));
            }
            const std::size_t count = kldiv::report::events_listed(e, top);
            if (!html.empty()) {
                kldiv::io::write_file_atomically(html, kldiv::report::explanation_html(in, e, count));
            }
            return kldiv::report::json_text(kldiv::report::explanation_json(in, e, count));
        },
        py::arg("p"), py::arg("q"), py::arg("labels"), py::arg("base"), py::arg("on_zero"), py::arg("epsilon"),
        py::arg("normalize"), py::arg("sum_tolerance"), py::arg("beta"), py::arg("top"), py::arg("html"));
}
