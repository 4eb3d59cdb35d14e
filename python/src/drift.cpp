// kldiv._kldiv's part for drift (kldiv/drift/drift.hpp): two tables given as lists of columns, each a
// dict {"name", "type", "declared", and "values" (a 1-D float64 or float32 array, any stride) or "codes" (uint32,
// io::missing_code where missing) with "categories" (list of str)}, compared with the options of
// kldiv/drift.py; the result is the JSON document of `kldiv drift --json` (report/drift_json.hpp).
// The arrays are viewed, not copied, and the GIL is released while comparing.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "kldiv/drift/drift.hpp"
#include "kldiv/drift/profile_file.hpp"
#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/names.hpp"
#include "python/src/choice.hpp"
#include "python/src/progress.hpp"
#include "report/drift_html.hpp"
#include "report/drift_json.hpp"
#include "report/json_text.hpp"

namespace py = pybind11;
namespace kd = kldiv::drift;

namespace {

// A table's columns as views, with the arrays and strings they point into.
struct held_table {
    kd::table_view view;
    std::vector<py::array> arrays;
    std::vector<std::vector<std::string>> categories;
    std::vector<std::string> names;
};

void hold(held_table& t, const py::list& columns, std::size_t rows) {
    t.view.rows = rows;
    t.names.reserve(columns.size());
    t.categories.reserve(columns.size());
    for (const py::handle item : columns) {
        const py::dict c = py::reinterpret_borrow<py::dict>(item);
        kd::column_view v;
        t.names.push_back(c["name"].cast<std::string>());
        v.type = kldiv::parse<kldiv::io::column_type>(c["type"].cast<std::string>(), "type", "kldiv.drift");
        v.declared = c["declared"].cast<bool>();
        if (v.type == kldiv::io::column_type::numeric) {
            // float64 or float32 values read in place, any stride (kldiv/drift.py converts the rest).
            py::array a = c["values"].cast<py::array>();
            const bool single = a.dtype().is(py::dtype::of<float>());
            const std::size_t size = single ? sizeof(float) : sizeof(double);
            if ((!single && !a.dtype().is(py::dtype::of<double>())) || a.ndim() != 1 ||
                static_cast<std::size_t>(a.shape(0)) != rows || a.strides(0) < 0 ||
                static_cast<std::size_t>(a.strides(0)) % size != 0) {
                throw kldiv::error("kldiv.drift", "column " + t.names.back() + ": expected " + std::to_string(rows) +
                                                      " float64 or float32 values");
            }
            if (single) {
                v.floats = static_cast<const float*>(a.data());
            } else {
                v.numbers = static_cast<const double*>(a.data());
            }
            v.stride = static_cast<std::size_t>(a.strides(0)) / size;
            t.arrays.push_back(a);
        } else {
            auto a = c["codes"].cast<py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>>();
            t.categories.push_back(c["categories"].cast<std::vector<std::string>>());
            if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != rows) {
                throw kldiv::error("kldiv.drift", "column " + t.names.back() + ": expected " + std::to_string(rows) +
                                                      " category codes");
            }
            const std::size_t n = t.categories.back().size();
            for (std::size_t i = 0; i < rows; ++i) {
                if (a.data()[i] != kldiv::io::missing_code && a.data()[i] >= n) {
                    throw kldiv::error("kldiv.drift", "column " + t.names.back() + ": a category code out of range");
                }
            }
            v.codes = a.data();
            v.categories = t.categories.back();
            t.arrays.push_back(a);
        }
        t.view.columns.push_back(v);
    }
    for (std::size_t j = 0; j < t.view.columns.size(); ++j) t.view.columns[j].name = t.names[j];
}

kd::drift_options options_of(const py::dict& o) {
    kd::drift_options d;
    d.columns = o["columns"].cast<std::vector<std::string>>();
    d.exclude = o["exclude"].cast<std::vector<std::string>>();
    d.binning.rule = choice<kldiv::estimate::binning>(o, "binning", "kldiv.drift");
    d.binning.bin_count = o["bin_count"].cast<std::size_t>();
    d.binning.resolution = o["resolution"].cast<std::size_t>();
    d.binning.max_sample = o["max_sample"].cast<std::size_t>();
    d.measure = choice<kd::measure>(o, "measure", "kldiv.drift");
    d.decide = choice<kd::rule>(o, "rule", "kldiv.drift");
    d.alpha = o["alpha"].cast<double>();
    d.correct = choice<kd::correction>(o, "correction", "kldiv.drift");
    d.measures.on_empty = choice<kd::empty_bins>(o, "empty_bins", "kldiv.drift");
    d.measures.pseudocount = o["pseudocount"].cast<double>();
    d.measures.epsilon = o["epsilon"].cast<double>();
    if (const double base = o["base"].cast<double>(); base > 0.0) d.measures.base = kldiv::log_base(base);
    d.calibration.permutations = o["permutations"].cast<std::size_t>();
    d.calibration.resamples = o["resamples"].cast<std::size_t>();
    d.calibration.level = o["level"].cast<double>();
    d.calibration.seed = o["seed"].cast<std::uint64_t>();
    d.window_rows = o["window_rows"].cast<std::size_t>();
    d.time_column = o["time_column"].cast<std::string>();
    d.window_seconds = o["window_seconds"].cast<double>();
    d.epoch_seconds = o["epoch_seconds"].cast<bool>();
    d.threads = o["threads"].cast<unsigned>();
    d.progress = python_progress(o["progress"]);
    return d;
}

// The JSON document of a result, and its HTML report written to options["html"] when that is a path.
std::string document_of(const kd::drift_result& r, const kd::drift_options& o, const py::dict& options) {
    const std::string html = options.contains("html") ? options["html"].cast<std::string>() : "";
    if (!html.empty()) kldiv::io::write_file_atomically(html, kldiv::report::drift_html("reference", "current", r, o));
    return kldiv::report::json_text(kldiv::report::drift_json(r, o));
}

}  // namespace

void bind_drift(py::module_& m) {
    m.def(
        "drift",
        [](const py::list& reference, std::size_t reference_rows, const py::list& current, std::size_t current_rows,
           const py::dict& options) {
            held_table ref, cur;
            hold(ref, reference, reference_rows);
            hold(cur, current, current_rows);
            const kd::drift_options o = options_of(options);
            kd::drift_result r;
            {
                py::gil_scoped_release release;
                r = kd::compare(ref.view, cur.view, o);
            }
            return document_of(r, o, options);
        },
        py::arg("reference"), py::arg("reference_rows"), py::arg("current"), py::arg("current_rows"),
        py::arg("options"));
    // Profiles and the parts of a comparison held in parts (kldiv/drift.py's profiles, kldiv/dask.py's
    // drift): texts of kldiv/drift/profile_file.hpp between the steps.
    m.def(
        "drift_profile",
        [](const py::list& reference, std::size_t rows, const py::dict& options) {
            held_table ref;
            hold(ref, reference, rows);
            const kd::drift_options o = options_of(options);
            py::gil_scoped_release release;
            return kd::profile_text(kd::make_profile(ref.view, o));
        },
        py::arg("reference"), py::arg("rows"), py::arg("options"));
    m.def(
        "drift_with_profile",
        [](const std::string& profile, const py::list& current, std::size_t rows, const py::dict& options) {
            held_table cur;
            hold(cur, current, rows);
            kd::drift_options o = options_of(options);
            kd::drift_result r;
            {
                py::gil_scoped_release release;
                const kd::profile p = kd::parse_profile(profile, "the profile");
                o.binning = p.binning;
                r = kd::compare(p, cur.view, o);
            }
            return document_of(r, o, options);
        },
        py::arg("profile"), py::arg("current"), py::arg("rows"), py::arg("options"));
    m.def(
        "drift_sample",
        [](const py::list& part, std::size_t rows, std::size_t row_offset, std::size_t total_rows,
           const py::dict& options) {
            held_table t;
            hold(t, part, rows);
            const kd::drift_options o = options_of(options);
            py::gil_scoped_release release;
            return kd::samples_text(kd::sample_reference(t.view, o, row_offset, total_rows));
        },
        py::arg("part"), py::arg("rows"), py::arg("row_offset"), py::arg("total_rows"), py::arg("options"));
    m.def(
        "drift_bins",
        [](const std::vector<std::string>& samples, const py::dict& options) {
            const kd::drift_options o = options_of(options);
            py::gil_scoped_release release;
            std::vector<kd::column_sample> all = kd::parse_samples(samples.at(0), "part 1");
            for (std::size_t k = 1; k < samples.size(); ++k) {
                kd::merge(all, kd::parse_samples(samples[k], "part " + std::to_string(k + 1)));
            }
            return kd::profile_text(kd::profile_from(all, o));
        },
        py::arg("samples"), py::arg("options"));
    m.def(
        "drift_add_counts",
        [](const std::string& bins, const py::list& part, std::size_t rows, unsigned threads) {
            held_table t;
            hold(t, part, rows);
            py::gil_scoped_release release;
            kd::profile p = kd::parse_profile(bins, "the profile");
            kd::add_counts(p, t.view, threads);
            return kd::profile_text(p);
        },
        py::arg("bins"), py::arg("part"), py::arg("rows"), py::arg("threads"));
    m.def(
        "drift_merge_profiles",
        [](const std::vector<std::string>& profiles) {
            py::gil_scoped_release release;
            kd::profile p = kd::parse_profile(profiles.at(0), "profile 1");
            for (std::size_t k = 1; k < profiles.size(); ++k) {
                kd::merge(p, kd::parse_profile(profiles[k], "profile " + std::to_string(k + 1)));
            }
            return kd::profile_text(p);
        },
        py::arg("profiles"));
    m.def(
        "drift_count_current",
        [](const std::string& profile, const py::list& part, std::size_t rows, std::size_t row_offset,
           const py::dict& options) {
            held_table t;
            hold(t, part, rows);
            const kd::drift_options o = options_of(options);
            py::gil_scoped_release release;
            return kd::counts_text(kd::count_current(kd::parse_profile(profile, "the profile"), t.view, o, row_offset));
        },
        py::arg("profile"), py::arg("part"), py::arg("rows"), py::arg("row_offset"), py::arg("options"));
    m.def(
        "drift_compare_counts",
        [](const std::string& profile, const std::vector<std::string>& counts, const py::dict& options) {
            kd::drift_options o = options_of(options);
            kd::drift_result r;
            {
                py::gil_scoped_release release;
                kd::current_counts all = kd::parse_counts(counts.at(0), "part 1");
                for (std::size_t k = 1; k < counts.size(); ++k) {
                    kd::merge(all, kd::parse_counts(counts[k], "part " + std::to_string(k + 1)));
                }
                const kd::profile p = kd::parse_profile(profile, "the profile");
                o.binning = p.binning;
                r = kd::compare(p, all, o);
            }
            return document_of(r, o, options);
        },
        py::arg("profile"), py::arg("counts"), py::arg("options"));
    m.def(
        "load_drift_profile", [](const std::string& path) { return kd::profile_text(kd::load_profile(path)); },
        py::arg("path"));
    m.def(
        "save_drift_profile",
        [](const std::string& text, const std::string& path) {
            kd::save_profile(kd::parse_profile(text, "the profile"), path);
        },
        py::arg("text"), py::arg("path"));
    // The seconds of a window width ("1d", "6h", 90): kldiv.drift's window= as the command line reads it.
    m.def(
        "parse_duration",
        [](const std::string& text) {
            double seconds = 0.0;
            if (!kd::parse_duration(text, seconds)) {
                throw kldiv::error("kldiv.drift", "window = \"" + text +
                                                      "\", but a window is a positive number of seconds or a number "
                                                      "with a unit s, min, h, d or w (\"15min\", \"1d\")");
            }
            return seconds;
        },
        py::arg("text"));
}
