// The compiled core of the Python package: kldiv._kldiv.measure_rows over 2-D NumPy arrays whose
// rows are contiguous (the rows themselves any distance apart, 0 included). The pure-Python layer
// (kldiv/measures.py) moves the reduced axis last, flattens the others and shapes the results;
// here the arrays are only viewed, never copied, and the GIL is released while the kernels run.
// kldiv::error becomes ValueError.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kldiv/batch.hpp"
#include "kldiv/distributions/normal_rows.hpp"
#include "kldiv/divergence_matrix.hpp"
#include "kldiv/divergences.hpp"
#include "kldiv/error.hpp"
#include "kldiv/joint.hpp"
#include "kldiv/losses.hpp"
#include "kldiv/summary.hpp"
#include "kldiv/text.hpp"
#include "kldiv/units.hpp"
#include "kldiv/version.hpp"

#include "kldiv/names.hpp"
#include "python/src/measure_options.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

kldiv::input_kind input_of(const std::string& name) { return kldiv::parse<kldiv::input_kind>(name, "input", "kldiv"); }

kldiv::divergence_kind kind_of(const std::string& name) {
    return kldiv::parse<kldiv::divergence_kind>(name, "kind", "kldiv");
}

kldiv::reduction reduction_of(const std::string& name) {
    return kldiv::parse<kldiv::reduction>(name, "reduction", "kldiv");
}

// The rows of `a` as elements of type E (the type T it holds, or float16 for the bits of NumPy's float16).
template <class T, class E = T>
kldiv::matrix_view<const E> view_of(const py::array_t<T>& a) {
    static_assert(sizeof(E) == sizeof(T));
    return {reinterpret_cast<const E*>(a.data()), static_cast<std::size_t>(a.shape(0)),
            static_cast<std::size_t>(a.shape(1)), static_cast<std::size_t>(a.strides(0)) / sizeof(T)};
}

// The values (nats, or the unit of `base`) of the measures named in `measures`: per row, or one
// value each when opts.reduce sums or averages them.
template <class T, class E>
std::map<std::string, py::array_t<double>> measure(const py::array_t<T>& p, const py::array_t<T>& q,
                                                   const std::vector<std::string>& measures,
                                                   const kldiv::batch_options& opts) {
    const std::size_t rows = static_cast<std::size_t>(p.shape(0));
    const std::size_t values_each = opts.reduce == kldiv::reduction::none ? rows : 1;
    std::map<std::string, py::array_t<double>> out;
    kldiv::row_outputs spans;
    for (const std::string& m : measures) {
        py::array_t<double> values(static_cast<py::ssize_t>(values_each));
        const std::span<double> s(values.mutable_data(), values_each);
        if (m == "kl")
            spans.kl = s;
        else if (m == "reverse_kl")
            spans.reverse_kl = s;
        else if (m == "js")
            spans.js = s;
        else if (m == "entropy_p")
            spans.entropy_p = s;
        else if (m == "entropy_q")
            spans.entropy_q = s;
        else if (m == "cross_entropy")
            spans.cross_entropy = s;
        else if (m.starts_with("divergence:") && spans.divergence.empty()) {  // one of divergences.hpp, by name
            spans.divergence = s;
            spans.divergence_measure = kldiv::parse<kldiv::measure>(m.substr(11), "measure", "kldiv");
        } else if (!m.starts_with("divergence:")) {
            throw kldiv::error("kldiv", "unknown measure '" + m + "'");
        } else {
            throw kldiv::error("kldiv", "measure_rows computes one divergence of divergences.hpp at a time");
        }
        out.emplace(m, std::move(values));
    }
    const auto pv = view_of<T, E>(p), qv = view_of<T, E>(q);
    {
        py::gil_scoped_release unlocked;
        kldiv::measure_rows(pv, qv, spans, opts);
    }
    return out;
}

// measure_rows for arrays of T read as E: float, double, or the bits of float16 (measure_rows_float16)
// or bfloat16 (measure_rows_bfloat16). Rows are apart by a row or more, or by nothing (one row
// broadcast to every row); weights and mask, when given, hold one entry per row.
template <class T, class E = T>
void bind_measure(py::module_& m, const char* name) {
    m.def(
        name,
        [](const py::array_t<T>& p, const py::array_t<T>& q, const std::vector<std::string>& measures,
           const std::string& input, double temperature, double base, const std::string& on_zero,
           std::optional<double> epsilon, bool normalize, double sum_tolerance, unsigned threads, double beta,
           double alpha, const std::string& reduction,
           const std::optional<py::array_t<double, py::array::c_style>>& weights,
           const std::optional<py::array_t<std::uint8_t, py::array::c_style>>& mask) {
            if (p.ndim() != 2 || q.ndim() != 2) {
                throw kldiv::error("kldiv", "measure_rows needs 2-D arrays (rows x events)");
            }
            for (const auto* a : {&p, &q}) {
                if (a->shape(1) > 1 && a->strides(1) != static_cast<py::ssize_t>(sizeof(T))) {
                    throw kldiv::error("kldiv", "measure_rows needs rows contiguous along the events");
                }
                if (a->strides(0) % static_cast<py::ssize_t>(sizeof(T)) != 0 || a->strides(0) < 0) {
                    throw kldiv::error("kldiv", "measure_rows needs a non-negative row stride in whole elements");
                }
            }
            kldiv::batch_options o{
                .input = input_of(input),
                .temperature = temperature,
                .measure = measure_options(base, on_zero, epsilon, normalize, sum_tolerance, beta, alpha),
                .reduce = reduction_of(reduction),
                .rows = {.threads = threads}};
            if (weights) o.rows.weights = {weights->data(), static_cast<std::size_t>(weights->size())};
            if (mask) o.rows.mask = {mask->data(), static_cast<std::size_t>(mask->size())};
            return measure<T, E>(p, q, measures, o);
        },
        py::arg("p"), py::arg("q"), py::arg("measures"), py::arg("input"), py::arg("temperature"), py::arg("base"),
        py::arg("on_zero"), py::arg("epsilon"), py::arg("normalize"), py::arg("sum_tolerance"), py::arg("threads"),
        py::arg("beta"), py::arg("alpha"), py::arg("reduction"), py::arg("weights") = py::none(),
        py::arg("mask") = py::none());
}

// The divergence matrix of the rows of a against those of b (or of a with itself when b is None):
// float32 or float64 rows, contiguous.
template <class T>
void bind_divergence_matrix(py::module_& m) {
    using rows = py::array_t<T, py::array::c_style>;
    m.def(
        "divergence_matrix",
        [](const rows& a, const std::optional<rows>& b, const std::string& measure, const std::string& input,
           double temperature, double base, const std::string& on_zero, std::optional<double> epsilon, bool normalize,
           double sum_tolerance, unsigned threads, double beta, double alpha) {
            const auto view = [](const rows& x) {
                if (x.ndim() != 2) throw kldiv::error("kldiv", "divergence_matrix needs 2-D arrays (rows x events)");
                return kldiv::matrix_view<const T>(x.data(), static_cast<std::size_t>(x.shape(0)),
                                                   static_cast<std::size_t>(x.shape(1)));
            };
            const auto av = view(a);
            const std::size_t cols = b ? static_cast<std::size_t>(b->shape(0)) : av.rows;
            const kldiv::batch_options o{
                .input = input_of(input),
                .temperature = temperature,
                .measure = measure_options(base, on_zero, epsilon, normalize, sum_tolerance, beta, alpha),
                .rows = {.threads = threads}};
            const auto which = kldiv::parse<kldiv::measure>(measure, "measure", "divergence_matrix");
            py::array_t<double> out({static_cast<py::ssize_t>(av.rows), static_cast<py::ssize_t>(cols)});
            const kldiv::matrix_view<double> ov(out.mutable_data(), av.rows, cols);
            if (b) {
                const auto bv = view(*b);
                py::gil_scoped_release unlocked;
                kldiv::divergence_matrix(av, bv, ov, which, o);
            } else {
                py::gil_scoped_release unlocked;
                kldiv::divergence_matrix(av, ov, which, o);
            }
            return out;
        },
        py::arg("a"), py::arg("b"), py::arg("measure"), py::arg("input"), py::arg("temperature"), py::arg("base"),
        py::arg("on_zero"), py::arg("epsilon"), py::arg("normalize"), py::arg("sum_tolerance"), py::arg("threads"),
        py::arg("beta"), py::arg("alpha"));
}

// The loss (per row, or reduced) and the gradients asked for (None otherwise), same dtype as the
// logits; weights and mask, when given, one entry per row.
template <class T>
void bind_loss(py::module_& m) {
    m.def(
        "distillation_loss",
        [](const py::array_t<T, py::array::c_style>& student, const py::array_t<T, py::array::c_style>& teacher,
           const std::string& kind, double temperature, double beta, bool scale_t2, double base,
           const std::string& reduction, bool want_student, bool want_teacher, unsigned threads,
           const std::optional<py::array_t<double, py::array::c_style>>& weights,
           const std::optional<py::array_t<std::uint8_t, py::array::c_style>>& mask) {
            if (student.ndim() != 2 || teacher.ndim() != 2) {
                throw kldiv::error("kldiv", "distillation_loss needs 2-D arrays (rows x events)");
            }
            kldiv::loss_options o;
            o.kind = kind_of(kind);
            o.temperature = temperature;
            o.measure.beta = beta;
            o.scale_by_temperature_squared = scale_t2;
            if (base > 0.0) o.measure.base = kldiv::log_base(base);
            o.reduce = reduction_of(reduction);
            o.rows.threads = threads;
            if (weights) o.rows.weights = {weights->data(), static_cast<std::size_t>(weights->size())};
            if (mask) o.rows.mask = {mask->data(), static_cast<std::size_t>(mask->size())};
            const auto rows = static_cast<std::size_t>(student.shape(0)),
                       cols = static_cast<std::size_t>(student.shape(1));
            py::array_t<double> loss(o.reduce == kldiv::reduction::none ? static_cast<py::ssize_t>(rows) : 1);
            py::object grad_s = py::none(), grad_t = py::none();
            kldiv::matrix_view<T> gs, gt;
            if (want_student) {
                py::array_t<T> g({student.shape(0), student.shape(1)});
                gs = {g.mutable_data(), rows, cols};
                grad_s = g;
            }
            if (want_teacher) {
                py::array_t<T> g({teacher.shape(0), teacher.shape(1)});
                gt = {g.mutable_data(), static_cast<std::size_t>(teacher.shape(0)),
                      static_cast<std::size_t>(teacher.shape(1))};
                grad_t = g;
            }
            const kldiv::matrix_view<const T> sv(student.data(), rows, cols),
                tv(teacher.data(), static_cast<std::size_t>(teacher.shape(0)),
                   static_cast<std::size_t>(teacher.shape(1)));
            const std::span<double> out(loss.mutable_data(), static_cast<std::size_t>(loss.size()));
            {
                py::gil_scoped_release unlocked;
                kldiv::distillation_loss(sv, tv, out, gs, gt, o);
            }
            return py::make_tuple(loss, grad_s, grad_t);
        },
        py::arg("student"), py::arg("teacher"), py::arg("kind"), py::arg("temperature"), py::arg("beta"),
        py::arg("scale_by_temperature_squared"), py::arg("base"), py::arg("reduction"), py::arg("grad_student"),
        py::arg("grad_teacher"), py::arg("threads"), py::arg("weights") = py::none(), py::arg("mask") = py::none());
}

// D between batches of diagonal Gaussians (means and log-variances, N×D, C order; Q absent: N(0, I))
// and the gradients asked for (None otherwise), same dtype as the inputs.
template <class T>
void bind_normal_rows(py::module_& m) {
    using array = py::array_t<T, py::array::c_style>;
    m.def(
        "normal_kl_rows",
        [](const array& mean_p, const array& log_var_p, const std::optional<array>& mean_q,
           const std::optional<array>& log_var_q, double base, const std::string& reduction, bool gradients,
           unsigned threads) {
            for (const array* a : {&mean_p, &log_var_p, mean_q ? &*mean_q : nullptr, log_var_q ? &*log_var_q : nullptr})
                if (a != nullptr && a->ndim() != 2)
                    throw kldiv::error("kldiv", "normal_kl_rows needs 2-D arrays (rows x dimensions)");
            const auto view = [](const array& a) {
                return kldiv::matrix_view<const T>(a.data(), static_cast<std::size_t>(a.shape(0)),
                                                   static_cast<std::size_t>(a.shape(1)));
            };
            kldiv::distributions::normal_rows<T> p{view(mean_p), view(log_var_p)}, q;
            if (mean_q) q.mean = view(*mean_q);
            if (log_var_q) q.log_var = view(*log_var_q);
            kldiv::distributions::normal_rows_options o;
            if (base > 0.0) o.base = kldiv::log_base(base);
            o.reduce = reduction_of(reduction);
            o.rows.threads = threads;
            const auto rows = static_cast<std::size_t>(mean_p.shape(0)),
                       cols = static_cast<std::size_t>(mean_p.shape(1));
            py::array_t<double> loss(o.reduce == kldiv::reduction::none ? static_cast<py::ssize_t>(rows) : 1);
            py::tuple grads(4);
            kldiv::distributions::normal_rows_gradients<T> g;
            kldiv::matrix_view<T>* targets[] = {&g.mean_p, &g.log_var_p, &g.mean_q, &g.log_var_q};
            for (std::size_t k = 0; k < 4; ++k) {
                if (!gradients || (k >= 2 && !mean_q)) {
                    grads[k] = py::none();
                    continue;
                }
                array a({mean_p.shape(0), mean_p.shape(1)});
                *targets[k] = {a.mutable_data(), rows, cols};
                grads[k] = a;
            }
            const std::span<double> out(loss.mutable_data(), static_cast<std::size_t>(loss.size()));
            {
                py::gil_scoped_release unlocked;
                kldiv::distributions::kl_divergence_rows(p, q, out, g, o);
            }
            return py::make_tuple(loss, grads);
        },
        py::arg("mean_p"), py::arg("log_var_p"), py::arg("mean_q"), py::arg("log_var_q"), py::arg("base"),
        py::arg("reduction"), py::arg("gradients"), py::arg("threads"));
}

}  // namespace

void bind_distributions(py::module_& m);  // distributions.cpp
void bind_estimate(py::module_& m);       // estimate.cpp
void bind_llm(py::module_& m);            // llm.cpp
void bind_explanation(py::module_& m);    // explanation.cpp
void bind_drift(py::module_& m);          // drift.cpp

PYBIND11_MODULE(_kldiv, m) {
    m.doc() = "kldiv's compiled core; use the functions of the kldiv package.";
    // The CMake project's version, as this module was built with it: kldiv.__version__.
    m.attr("__version__") = kldiv::version;
    // kldiv::error becomes kldiv._kldiv.Error (kldiv.Error), a ValueError, with its parts as the
    // attributes `function` and `message` (str(e) is "function: message"), so that the Python
    // functions can name themselves instead. Messages quote file contents, labels and paths:
    // printable() shows their control characters and bytes that are not UTF-8 as escapes (a Python
    // str could not hold the bytes anyway).
    static py::exception<kldiv::error> error_type(m, "Error", PyExc_ValueError);
    py::register_exception_translator([](std::exception_ptr failure) {
        try {
            if (failure) std::rethrow_exception(failure);
        } catch (const kldiv::error& e) {
            py::object raised = py::handle(error_type.ptr())(kldiv::printable(e.what()));
            raised.attr("function") = kldiv::printable(e.function());
            raised.attr("message") = kldiv::printable(e.message());
            PyErr_SetObject(error_type.ptr(), raised.ptr());
        }
    });
    // The core's rule for a logarithm base, for every Python function with a `base` argument:
    // returns it, or raises ValueError naming it and the rule.
    m.def(
        "check_base",
        [](double base) {
            static_cast<void>(kldiv::log_base(base));
            return base;
        },
        py::arg("base"));
    // A unit written as text ("nats", "bits", "dits", "e" or a number) by log_base::parse: the
    // base, 0 for nats (the default unit), or ValueError naming it and the rule.
    m.def(
        "parse_base",
        [](const std::string& text) {
            const kldiv::log_base base = kldiv::log_base::parse(text);
            return base.unit() == "nats" ? 0.0 : base.value();
        },
        py::arg("text"));
    // Summary statistics of per-row values (kldiv/summary.hpp) for kldiv.summarize.
    m.def(
        "summarize",
        [](std::vector<double> values, std::vector<double> levels, const std::string& function) {
            kldiv::value_summary s;
            {
                py::gil_scoped_release release;
                s = kldiv::summarize(values, levels, function.c_str());
            }
            py::dict quantiles;
            for (std::size_t i = 0; i < levels.size(); ++i) quantiles[py::float_(levels[i])] = s.quantiles[i];
            py::dict out;
            out["count"] = s.count;
            out["mean"] = s.mean;
            out["standard_error"] = s.standard_error;
            out["stddev"] = s.stddev;
            out["min"] = s.min;
            out["max"] = s.max;
            out["quantiles"] = quantiles;
            return out;
        },
        py::arg("values"), py::arg("levels"), py::arg("function"));
    // The Jensen-Shannon divergence of the rows of a 2-D array (kldiv/divergences.hpp).
    m.def(
        "generalized_js_divergence",
        [](const py::array_t<double, py::array::c_style>& distributions,
           const std::optional<py::array_t<double, py::array::c_style>>& weights, double base,
           const std::string& on_zero, std::optional<double> epsilon, bool normalize, double sum_tolerance) {
            if (distributions.ndim() != 2) {
                throw kldiv::error("generalized_js_divergence", "distributions must be 2-D (one distribution per row)");
            }
            const std::size_t n = static_cast<std::size_t>(distributions.shape(0));
            const std::size_t events = static_cast<std::size_t>(distributions.shape(1));
            std::vector<std::span<const double>> rows;
            for (std::size_t i = 0; i < n; ++i) rows.emplace_back(distributions.data() + i * events, events);
            std::span<const double> w;
            if (weights) w = {weights->data(), static_cast<std::size_t>(weights->size())};
            const kldiv::options o = measure_options(base, on_zero, epsilon, normalize, sum_tolerance, 0.5);
            py::gil_scoped_release unlocked;
            return kldiv::generalized_js_divergence(rows, w, o);
        },
        py::arg("distributions"), py::arg("weights"), py::arg("base"), py::arg("on_zero"), py::arg("epsilon"),
        py::arg("normalize"), py::arg("sum_tolerance"));
    // The measures of joint tables (kldiv/joint.hpp): `measure` names the function.
    m.def(
        "joint_measure",
        [](const std::string& measure, const py::array_t<double, py::array::c_style | py::array::forcecast>& table,
           const std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>>& other, double base,
           const std::string& on_zero, bool normalize, double sum_tolerance) {
            const kldiv::options o = measure_options(base, on_zero, std::nullopt, normalize, sum_tolerance, 0.5);
            const auto matrix = [](const py::array_t<double, py::array::c_style | py::array::forcecast>& a) {
                if (a.ndim() != 2) throw kldiv::error("kldiv", "a joint table of two variables must be 2-D");
                return kldiv::matrix_view<const double>(a.data(), static_cast<std::size_t>(a.shape(0)),
                                                        static_cast<std::size_t>(a.shape(1)));
            };
            if (measure == "conditional_mutual_information") {
                if (table.ndim() != 3) throw kldiv::error("kldiv", "a joint table of three variables must be 3-D");
                const kldiv::table3_view t{table.data(), static_cast<std::size_t>(table.shape(0)),
                                           static_cast<std::size_t>(table.shape(1)),
                                           static_cast<std::size_t>(table.shape(2))};
                py::gil_scoped_release unlocked;
                return kldiv::conditional_mutual_information(t, o);
            }
            const auto t = matrix(table);
            if (measure == "conditional_kl") return kldiv::conditional_kl(t, matrix(*other), o);
            if (measure == "joint_entropy") return kldiv::joint_entropy(t, o);
            if (measure == "conditional_entropy") return kldiv::conditional_entropy(t, o);
            return kldiv::mutual_information(t, o);
        },
        py::arg("measure"), py::arg("table"), py::arg("other"), py::arg("base"), py::arg("on_zero"),
        py::arg("normalize"), py::arg("sum_tolerance"));
    // float32 first: pybind11 tries the overloads in order, without converting, then with.
    bind_measure<float>(m, "measure_rows");
    bind_measure<double>(m, "measure_rows");
    bind_measure<std::uint16_t, kldiv::float16>(m, "measure_rows_float16");
    bind_measure<std::uint16_t, kldiv::bfloat16>(m, "measure_rows_bfloat16");
    bind_divergence_matrix<float>(m);
    bind_divergence_matrix<double>(m);
    bind_loss<float>(m);
    bind_loss<double>(m);
    bind_normal_rows<float>(m);
    bind_normal_rows<double>(m);
    bind_distributions(m);
    bind_estimate(m);
    bind_llm(m);
    bind_explanation(m);
    bind_drift(m);
}
