// kldiv._kldiv's part for estimation from data: D(P‖Q), H(P, Q) or H(P) from samples (k nearest
// neighbours or a histogram) or count vectors, with the bootstrap interval and permutation test of
// kldiv/estimate/from_data.hpp. kldiv/estimate.py builds on these.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kldiv/error.hpp"
#include "kldiv/estimate/from_data.hpp"
#include "kldiv/estimate/mutual_information.hpp"

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

ke::mutual_information_options mi_options_of(const py::dict& o) {
    ke::mutual_information_options d;
    d.k = o["k"].cast<std::size_t>();
    d.method = choice<ke::ksg_method>(o, "method");
    d.counts = choice<ke::count_estimator>(o, "estimator");
    if (const double base = o["base"].cast<double>(); base > 0.0) d.base = kldiv::log_base(base);
    d.threads = o["threads"].cast<unsigned>();
    if (!o["ci"].is_none()) {
        ke::bootstrap_options b;
        b.level = o["ci"].cast<double>();
        b.resamples = o["resamples"].cast<std::size_t>();
        b.method = choice<ke::interval_method>(o, "interval");
        b.seed = o["seed"].cast<std::uint64_t>();
        b.threads = d.threads;
        b.progress = python_progress(o["bootstrap_progress"]);
        d.bootstrap = b;
    }
    if (const auto n = o["permutations"].cast<std::size_t>(); n > 0)
        d.permutation = ke::permutation_options{n, o["seed"].cast<std::uint64_t>(), d.threads,
                                                python_progress(o["permutation_progress"])};
    return d;
}

py::dict result_of(const ke::mutual_information_result& r, const ke::mutual_information_options& o) {
    return result_of(ke::data_result{r.value, r.test}, ke::data_options{.base = o.base});
}

kldiv::matrix_view<const double> view_of(const py::array_t<double, py::array::c_style | py::array::forcecast>& a) {
    if (a.ndim() != 2) throw kldiv::error("kldiv", "samples must be 2-D (observations x variables)");
    return {a.data(), static_cast<std::size_t>(a.shape(0)), static_cast<std::size_t>(a.shape(1))};
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
    // Mutual information (kldiv/estimate/mutual_information.hpp): kind "knn" (x, y samples), "mixed"
    // (x samples, y labels), "discrete" (x labels, y labels) or "counts" (x the joint table).
    using labels = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
    m.def(
        "mutual_information",
        [](const std::string& kind, const py::object& x, const py::object& y, const py::dict& options) {
            const ke::mutual_information_options o = mi_options_of(options);
            const auto run = [&](auto&& call) {
                ke::mutual_information_result r;
                {
                    py::gil_scoped_release release;
                    r = call();
                }
                return result_of(r, o);
            };
            const auto span_of = [](const labels& a) {
                if (a.ndim() != 1) throw kldiv::error("kldiv", "labels must be 1-D");
                return std::span<const std::int64_t>(a.data(), static_cast<std::size_t>(a.size()));
            };
            if (kind == "knn") {
                const matrix xs = x.cast<matrix>(), ys = y.cast<matrix>();
                return run([&] { return ke::mutual_information_knn(view_of(xs), view_of(ys), o); });
            }
            if (kind == "mixed") {
                const matrix xs = x.cast<matrix>();
                const labels ls = y.cast<labels>();
                return run([&] { return ke::mutual_information_mixed(view_of(xs), span_of(ls), o); });
            }
            if (kind == "discrete") {
                const labels xs = x.cast<labels>(), ys = y.cast<labels>();
                return run([&] { return ke::mutual_information_discrete(span_of(xs), span_of(ys), o); });
            }
            const matrix table = x.cast<matrix>();
            return run([&] { return ke::mutual_information_counts(view_of(table), o); });
        },
        py::arg("kind"), py::arg("x"), py::arg("y"), py::arg("options"));
    // I(X_j; y) for every column: y continuous (float64) or labels (int64, `labels` true).
    m.def(
        "mutual_information_columns",
        [](const matrix& x, const py::object& y, bool labels_given,
           const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& discrete,
           const py::dict& options) {
            const ke::mutual_information_options o = mi_options_of(options);
            const auto xv = view_of(x);
            const std::span<const std::uint8_t> mask(discrete.data(), static_cast<std::size_t>(discrete.size()));
            std::vector<double> out;
            if (labels_given) {
                const labels ls = y.cast<labels>();
                const std::span<const std::int64_t> lv(ls.data(), static_cast<std::size_t>(ls.size()));
                py::gil_scoped_release release;
                out = ke::mutual_information_columns(xv, lv, mask, o);
            } else {
                const matrix ys = y.cast<matrix>();
                const std::span<const double> yv(ys.data(), static_cast<std::size_t>(ys.size()));
                py::gil_scoped_release release;
                out = ke::mutual_information_columns(xv, yv, mask, o);
            }
            return py::array_t<double>(static_cast<py::ssize_t>(out.size()), out.data());
        },
        py::arg("x"), py::arg("y"), py::arg("labels"), py::arg("discrete"), py::arg("options"));
}
