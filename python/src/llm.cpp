// kldiv._kldiv's part for `kldiv llm-compare` (include/kldiv/llm/model_comparison.hpp), under
// kldiv/llm.py and kldiv/dask.py:
//   llm_compare          the whole comparison → the --json document's text;
//   llm_candidate_files  the candidate's files and their rows (a cluster run's plan);
//   llm_compare_range    the positions of one range → its files' serialized summaries ("KCS3");
//   llm_document         such summaries, merged in file order as compare_models merges them → the
//                        same document's text;
//   verify_reference     a kldiv reference file read back against its input → what was found.
// A model is a list of files or an array in memory (model_of). The options dict holds tokens and mask (None, a path to a 1-D .npy, or an int32 / uint8 array
// that kldiv/llm.py has checked), reverse_kl, js, threads and buffer_mib. The GIL is released while
// files are read and rows compared; kldiv::error becomes kldiv.Error, a ValueError (module.cpp).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "kldiv/error.hpp"
#include "kldiv/io/memory_rows.hpp"
#include "kldiv/io/reference_verification.hpp"
#include "kldiv/io/row_source.hpp"
#include "kldiv/llm/model_comparison.hpp"

#include "python/src/progress.hpp"
#include "report/json_text.hpp"
#include "report/llm_comparison_json.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace py = pybind11;
namespace llm = kldiv::llm;
namespace io = kldiv::io;

namespace {

template <class T>
using per_position = std::optional<std::variant<std::string, py::array_t<T, py::array::c_style>>>;

// A path is kept, to be read later without the GIL; an array is copied now.
template <class T>
void take_per_position(const per_position<T>& given, std::vector<T>& values, std::string& path) {
    if (!given) return;
    if (const auto* p = std::get_if<std::string>(&*given)) {
        path = *p;
    } else {
        const auto& a = std::get<1>(*given);
        values.assign(a.data(), a.data() + a.size());
    }
}

// A model as kldiv/llm.py gives it: a list of files, or a dict {"array": 2-D array whose rows are
// contiguous, "storage": "float16", "bfloat16" (the array holds its bits), "float32" or "float64",
// "name": what messages call it}. The array is kept (referenced) in `arrays` while it is read.
io::model_rows model_of(const py::handle given, const std::string& role, std::vector<py::array>& arrays) {
    if (!py::isinstance<py::dict>(given)) {
        const auto files = given.cast<std::vector<std::string>>();
        return io::files_model({files.begin(), files.end()}, role);
    }
    const auto d = given.cast<py::dict>();
    const auto a = d["array"].cast<py::array>();
    const auto storage = d["storage"].cast<std::string>();
    const auto name = d["name"].cast<std::string>();
    if (a.ndim() != 2 || (a.shape(1) > 1 && a.strides(1) != a.itemsize()) || a.strides(0) < 0 ||
        a.strides(0) % a.itemsize() != 0) {
        throw kldiv::error("kldiv.llm", name + " must be a 2-D array with contiguous rows");
    }
    arrays.push_back(a);
    const auto rows = static_cast<std::size_t>(a.shape(0)), cols = static_cast<std::size_t>(a.shape(1)),
               stride = static_cast<std::size_t>(a.strides(0) / a.itemsize());
    const auto view = [&]<class T>(T*) {
        return kldiv::matrix_view<const T>(static_cast<const T*>(a.data()), rows, cols, rows > 1 ? stride : cols);
    };
    if (storage == "float32" && a.itemsize() == 4) return io::memory_model(view(static_cast<float*>(nullptr)), name);
    if (storage == "float64" && a.itemsize() == 8) return io::memory_model(view(static_cast<double*>(nullptr)), name);
    if (storage == "float16" && a.itemsize() == 2)
        return io::memory_model(view(static_cast<kldiv::float16*>(nullptr)), name);
    if (storage == "bfloat16" && a.itemsize() == 2)
        return io::memory_model(view(static_cast<kldiv::bfloat16*>(nullptr)), name);
    throw kldiv::error("kldiv.llm", name + " holds " + storage + " in elements of " + std::to_string(a.itemsize()) +
                                        " bytes, but models are float16, bfloat16, float32 or float64");
}

struct comparison_request {
    std::vector<py::array> arrays;  // models in memory, referenced while they are read
    io::model_rows reference, candidate;
    llm::model_comparison_options options;
    std::string tokens_path, mask_path;

    comparison_request(const py::handle reference_model, const py::handle candidate_model, const py::dict& o)
        : reference(model_of(reference_model, "reference", arrays)),
          candidate(model_of(candidate_model, "candidate", arrays)) {
        const auto buffer_mib = o["buffer_mib"].cast<std::size_t>();
        if (buffer_mib < 1 || buffer_mib > (std::size_t{1} << 20)) {
            throw kldiv::error("kldiv.llm",
                               "buffer_mib = " + std::to_string(buffer_mib) + ", but it must be in [1, 1048576]");
        }
        options.rows = {.reverse_kl = o["reverse_kl"].cast<bool>(),
                        .js = o["js"].cast<bool>(),
                        .top_k = o.contains("top_k") ? o["top_k"].cast<std::size_t>() : 0,
                        .threads = o["threads"].cast<unsigned>()};
        options.block_bytes = buffer_mib << 20;
        if (o.contains("progress")) options.progress = python_progress(o["progress"]);
        if (o.contains("vocabulary")) options.vocabulary = o["vocabulary"].cast<std::size_t>();
        take_per_position(o["tokens"].cast<per_position<std::int32_t>>(), options.next_tokens, tokens_path);
        take_per_position(o["mask"].cast<per_position<std::uint8_t>>(), options.mask, mask_path);
    }

    // Without the GIL.
    llm::model_comparison run() {
        if (!tokens_path.empty()) options.next_tokens = io::read_token_ids(tokens_path);
        if (!mask_path.empty()) options.mask = io::read_mask(mask_path);
        return std::move(llm::compare_models(reference, {candidate}, options).front());
    }
};

py::dict header_of(const llm::model_comparison& r) {
    py::dict d;
    d["reference_format"] = r.reference_format;
    d["candidate_format"] = r.candidate_format;
    d["vocabulary"] = r.vocabulary;
    d["positions"] = r.positions;
    d["token_source"] = r.token_source;
    return d;
}

}  // namespace

void bind_llm(py::module_& m) {
    m.def(
        "llm_compare",
        [](const py::object& reference, const py::object& candidate, const py::dict& options,
           const std::string& reference_input, const std::string& candidate_input) {
            comparison_request request(reference, candidate, options);
            py::gil_scoped_release unlocked;
            return kldiv::report::json_text(
                kldiv::report::llm_comparison_json(reference_input, candidate_input, request.run()));
        },
        py::arg("reference"), py::arg("candidate"), py::arg("options"), py::arg("reference_input"),
        py::arg("candidate_input"));

    m.def(
        "llm_candidate_files",
        [](const std::vector<std::string>& candidate) {
            std::vector<io::source_file> files;
            {
                py::gil_scoped_release unlocked;
                files = io::open_rows({candidate.begin(), candidate.end()}, "candidate")->files();
            }
            py::list out;
            for (const auto& f : files) out.append(py::make_tuple(f.name, f.first_row, f.rows));
            return out;
        },
        py::arg("candidate"));

    m.def(
        "llm_compare_range",
        [](const py::object& reference, const py::object& candidate, const py::dict& options, std::uint64_t first_row,
           std::uint64_t row_count) {
            comparison_request request(reference, candidate, options);
            request.options.first_row = first_row;
            request.options.row_count = row_count;
            request.options.keep_file_summaries = true;
            llm::model_comparison r;
            std::vector<std::string> summaries;
            {
                py::gil_scoped_release unlocked;
                r = request.run();
                for (const auto& s : r.file_summaries) summaries.push_back(s.serialize());
            }
            py::dict out = header_of(r);
            py::list files;
            for (std::size_t i = 0; i < r.files.size(); ++i) {
                const auto& f = r.files[i];
                files.append(py::make_tuple(f.file, f.first_row, f.rows, py::bytes(summaries[i])));
            }
            out["files"] = files;
            return out;
        },
        py::arg("reference"), py::arg("candidate"), py::arg("options"), py::arg("first_row"), py::arg("row_count"));

    // `comparison`: a header as llm_compare_range returns it, with "files" listing the compared
    // candidate files in order as llm_compare_range does, each with its summary's bytes.
    m.def(
        "llm_document",
        [](const std::string& reference_input, const std::string& candidate_input, const py::dict& comparison) {
            llm::model_comparison r;
            r.reference_format = comparison["reference_format"].cast<std::string>();
            r.candidate_format = comparison["candidate_format"].cast<std::string>();
            r.vocabulary = comparison["vocabulary"].cast<std::size_t>();
            r.positions = comparison["positions"].cast<std::uint64_t>();
            r.token_source = comparison["token_source"].cast<std::string>();
            std::vector<std::string_view> summaries;  // views into the bytes objects
            for (const py::handle item : comparison["files"].cast<py::list>()) {
                const auto t = item.cast<py::tuple>();
                llm::file_comparison f;
                f.file = t[0].cast<std::string>();
                f.first_row = t[1].cast<std::uint64_t>();
                f.rows = t[2].cast<std::uint64_t>();
                r.files.push_back(f);
                summaries.push_back(t[3].cast<std::string_view>());
            }
            py::gil_scoped_release unlocked;
            for (std::size_t i = 0; i < summaries.size(); ++i) {
                const auto s = llm::comparison_summary::deserialize(summaries[i]);
                r.files[i].statistics = s.statistics();
                r.overall.merge(s);
            }
            llm::require_scored_positions(r);
            return kldiv::report::json_text(kldiv::report::llm_comparison_json(reference_input, candidate_input, r));
        },
        py::arg("reference_input"), py::arg("candidate_input"), py::arg("comparison"));

    // A reference file read back against its input (kldiv/io/reference_verification.hpp).
    m.def(
        "verify_reference",
        [](const py::object& input, const std::string& reference, const per_position<std::int32_t>& tokens,
           std::size_t buffer_mib) {
            std::vector<std::int32_t> given;
            std::string tokens_path;
            take_per_position(tokens, given, tokens_path);
            std::vector<py::array> arrays;
            const io::model_rows model = model_of(input, "input", arrays);
            io::reference_verification found;
            {
                py::gil_scoped_release unlocked;
                const auto source = model();
                if (!tokens_path.empty()) given = io::read_token_ids(tokens_path);
                found = io::verify_reference(*source, reference, given, buffer_mib << 20);
            }
            py::dict out;
            out["largest_error"] = found.largest_error;
            out["largest_error_to_bound"] = found.largest_error_to_bound;
            out["dropped_values"] = found.dropped_values;
            out["largest_dropped_mass"] = found.largest_dropped_mass;
            return out;
        },
        py::arg("input"), py::arg("reference"), py::arg("tokens"), py::arg("buffer_mib"));
}
