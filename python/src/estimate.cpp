// kldiv._kldiv's part for estimation from data: D(P‖Q), H(P, Q) or H(P) from samples (k nearest
// neighbours or a histogram) or count vectors, with the bootstrap interval and permutation test of
// kldiv/estimate/from_data.hpp. kldiv/estimate.py builds on these.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kldiv/error.hpp"
#include "kldiv/estimate/from_data.hpp"

#include "kldiv/names.hpp"
#include "python/src/choice.hpp"
#include "python/src/progress.hpp"

#include <string>

namespace py = pybind11;
namespace ke = kldiv::estimate;

namespace {

ke::data_options options_of(const py::dict& o) {
    ke::data_options d;
    d.measure = choice<ke::quantity>(o, "measure");
    if (const double base = o["base"].cast<double>(); base > 0.0) d.base = kldiv::log_base(base);
    d.method = choice<ke::estimator>(o, "method");
    d.knn.k = o["k"].cast<std::size_t>();
    d.knn.l = o["l"].cast<std::size_t>();
    d.knn.method = choice<ke::knn_method>(o, "form");
    d.knn.threads = o["threads"].cast<unsigned>();
    d.knn.progress = python_progress(o["knn_progress"]);
    d.counts.method = choice<ke::count_estimator>(o, "estimator");
    d.histogram.bins = choice<ke::binning>(o, "bins");
    d.histogram.bin_count = o["bin_count"].cast<std::size_t>();
    d.histogram.counts.method = d.counts.method;
    if (!o["ci"].is_none()) {  // checked in (0, 1) by kldiv/estimate.py
        ke::bootstrap_options b;
        b.level = o["ci"].cast<double>();
        b.resamples = o["resamples"].cast<std::size_t>();
        b.method = choice<ke::interval_method>(o, "interval");
        b.seed = o["seed"].cast<std::uint64_t>();
        b.threads = d.knn.threads;
        b.progress = python_progress(o["bootstrap_progress"]);
        d.bootstrap = b;
    }
    if (const auto n = o["permutations"].cast<std::size_t>(); n > 0)
        d.permutation = ke::permutation_options{n, o["seed"].cast<std::uint64_t>(), d.knn.threads,
                                                python_progress(o["permutation_progress"])};
    return d;
}

py::dict result_of(const ke::data_result& r, const ke::data_options& o) {
    py::dict out;
    const ke::estimate& e = r.value;
    out["value"] = e.value;
    out["unit"] = o.base.unit();
    out["method"] = ke::describe(e);
    if (e.interval.level > 0.0)
        out["interval"] = py::make_tuple(e.interval.low, e.interval.high, e.interval.level, e.interval.resamples);
    if (r.test) out["test"] = py::make_tuple(r.test->statistic, r.test->p_value, r.test->permutations);
    return out;
}

}  // namespace

void bind_estimate(py::module_& m) {
    using matrix = py::array_t<double, py::array::c_style | py::array::forcecast>;
    m.def(
        "estimate_samples",
        [](const matrix& x, const matrix& y, const py::dict& options) {
            if (x.ndim() != 2 || y.ndim() != 2)
                throw kldiv::error("kldiv", "samples must be 2-D (observations x variables)");
            const kldiv::matrix_view<const double> xv(x.data(), static_cast<std::size_t>(x.shape(0)),
                                                      static_cast<std::size_t>(x.shape(1)));
            const kldiv::matrix_view<const double> yv(y.data(), static_cast<std::size_t>(y.shape(0)),
                                                      static_cast<std::size_t>(y.shape(1)));
            const ke::data_options o = options_of(options);
            ke::data_result r;
            {
                py::gil_scoped_release release;
                r = ke::estimate_from_data(xv, yv, o);
            }
            return result_of(r, o);
        },
        py::arg("x"), py::arg("y"), py::arg("options"));
    m.def(
        "estimate_counts",
        [](const matrix& p, const matrix& q, const py::dict& options) {
            if (p.ndim() != 1 || q.ndim() != 1) throw kldiv::error("kldiv", "counts must be 1-D");
            const ke::data_options o = options_of(options);
            ke::data_result r;
            {
                py::gil_scoped_release release;
                r = ke::estimate_from_data(std::span<const double>(p.data(), static_cast<std::size_t>(p.size())),
                                           std::span<const double>(q.data(), static_cast<std::size_t>(q.size())), o);
            }
            return result_of(r, o);
        },
        py::arg("p"), py::arg("q"), py::arg("options"));
}
