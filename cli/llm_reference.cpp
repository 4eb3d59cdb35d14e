// kldiv llm-reference INPUT OUTPUT: a model's next-token rows saved once as a kldiv reference file
// (include/kldiv/io/reference_file.hpp, docs/formats/kldiv-reference.md), compact and
// checksummed, to compare many candidates against with `kldiv llm-compare OUTPUT CANDIDATE`.
//   kldiv llm-reference 'base/shard-*.npy' base.kref --tokens tokens.npy
//   kldiv llm-reference base.kld base.kref --encoding float16 --verify --json
// The rows stream through a block of --buffer-mib; OUTPUT appears whole or not at all. The summary
// states what each stored log-probability and D(reference‖candidate) may err by; --verify reads
// the file back against INPUT and reports the largest error met.

#include <fmt/core.h>
#include "kldiv/error.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/io/reference_verification.hpp"
#include "kldiv/io/row_source.hpp"
#include "kldiv/text.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/choice.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/model_files.hpp"
#include "cli/output_files.hpp"
#include "cli/progress_line.hpp"

namespace kldiv::cli {
namespace {

namespace fs = std::filesystem;
constexpr const char* command_name = "kldiv llm-reference";

struct llm_reference_arguments {
    std::string input, output, tokens;
    io::reference_encoding encoding = io::reference_encoding::q16;
    input_kind input_holds = input_kind::logits;
    bool no_tokens = false, verify = false, json = false;
    progress_choice progress;
    int q16_step_log2 = -10;
    std::uint32_t rows_per_chunk = 0;
    std::size_t buffer_mib = 256;
};

// max_j a_j − min_j a_j over the finite values of a row: how far below the row's largest
// log-probability its smallest lies (0 for a row with no finite value, which the writer refuses).
double span_of(std::span<const float> row) {
    float top = -std::numeric_limits<float>::infinity(), bottom = std::numeric_limits<float>::infinity();
    for (const float a : row) {
        if (std::isinf(a)) continue;  // −inf: a masked token; NaN and +inf are the writer's to refuse
        top = std::max(top, a);
        bottom = std::min(bottom, a);
    }
    return top >= bottom ? static_cast<double>(top) - bottom : 0.0;
}

// The input file that holds row `row` of the stream, and the row's index in it.
std::string where(const io::row_source& source, std::uint64_t row) {
    for (const io::source_file& f : source.files()) {
        if (row < f.first_row + f.rows) return fmt::format("INPUT {}, row {}", f.name, row - f.first_row);
    }
    return fmt::format("INPUT row {}", row);
}

// The token ids of --tokens: one per row of the input, each -1 or a token of its vocabulary.
std::vector<std::int32_t> tokens_for(const std::string& file, const io::row_source& source) {
    std::vector<std::int32_t> ids = io::read_token_ids(file);
    if (ids.size() != source.rows()) {
        throw error(command_name, fmt::format("--tokens {} has {} entries, but INPUT has {} rows: one token id per row "
                                              "(-1: unknown)",
                                              file, ids.size(), source.rows()));
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] >= 0 && static_cast<std::size_t>(ids[i]) >= source.vocabulary()) {
            throw error(command_name, fmt::format("--tokens {}: element {} = {}, but token ids must be -1 (unknown) or "
                                                  "in [0, {}), the vocabulary of INPUT",
                                                  file, i, ids[i], source.vocabulary()));
        }
    }
    return ids;
}

struct written {
    std::string token_source;                  // "--tokens", "input" or "none"
    double largest_span = 0;                   // span_of, over the rows
    std::optional<io::reference_writer> file;  // finished, not yet committed onto OUTPUT
};

// Rows in a block of --buffer-mib holding `copies` rows of v floats each, and no more rows than the
// input has: an 8 KB input gets an 8 KB block, not the whole buffer.
std::size_t block_rows_of(const llm_reference_arguments& a, const io::row_source& source, std::size_t copies) {
    const std::size_t fit = (a.buffer_mib << 20) / (copies * source.vocabulary() * sizeof(float));
    return static_cast<std::size_t>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(fit, source.rows())));
}

// Streams every row of `source` into OUTPUT, a block of --buffer-mib at a time.
written write_reference(io::row_source& source, const llm_reference_arguments& a) {
    written w;
    std::vector<std::int32_t> given;
    if (!a.tokens.empty()) given = tokens_for(a.tokens, source);
    w.token_source = !a.tokens.empty() ? "--tokens" : !a.no_tokens && source.carries_tokens() ? "input" : "none";
    const std::size_t v = source.vocabulary(), block_rows = block_rows_of(a, source, 1);
    io::reference_writer writer(a.output, v, a.encoding,
                                {.input = a.input_holds,
                                 .has_tokens = w.token_source != "none",
                                 .rows_per_chunk = a.rows_per_chunk,
                                 .q16_step_log2 = a.q16_step_log2});
    std::vector<float> values(block_rows * v);
    std::vector<std::int32_t> carried(w.token_source == "input" ? block_rows : 0);
    progress_line progress(a.progress, "llm-reference", "positions");
    std::uint64_t done = 0;
    progress({.done = 0, .total = source.rows()});
    while (const std::size_t n = source.read(values, carried, {}, block_rows)) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::span<const float> row(values.data() + i * v, v);
            w.largest_span = std::max(w.largest_span, span_of(row));
            const std::int32_t* token = w.token_source == "--tokens" ? &given[done + i]
                                        : carried.empty()            ? nullptr
                                                                     : &carried[i];
            try {
                writer.write_rows(row, token ? std::span(token, 1) : std::span<const std::int32_t>(), 1);
            } catch (const error& e) {
                throw error(command_name, where(source, done + i) + ": " + e.what());
            }
        }
        done += n;
        const double bytes = static_cast<double>(done) * source.bytes_per_row();
        progress({.done = done, .total = source.rows(), .bytes_done = bytes});
    }
    writer.finish();  // the caller commits the file onto OUTPUT once everything else has succeeded
    w.file.emplace(std::move(writer));
    return w;
}

// The D values at which the summary states the error bound on D(reference‖candidate).
constexpr double kl_examples[] = {0.001, 0.01, 0.1, 1.0};

struct summary {
    std::vector<fs::path> inputs;
    std::string input_format;
    std::uint64_t rows = 0, input_bytes = 0, bytes = 0;
    std::size_t vocabulary = 0;
    std::uint32_t rows_per_chunk = 0;
    written writing;
    io::reference_error_bound bound;
    double delta = 0;  // the largest |ℓ̂ − ℓ| over the kept values, by the encoding's bound
    bool verified = false;
    io::reference_verification check;
};

nlohmann::ordered_json json_document(const llm_reference_arguments& a, const summary& s) {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const fs::path& p : s.inputs) files.push_back(p.string());
    nlohmann::ordered_json out;
    out["output"] = a.output;
    out["input"] = {{"files", files}, {"format", s.input_format}, {"bytes", s.input_bytes}};
    out["rows"] = s.rows;
    out["vocabulary"] = s.vocabulary;
    out["encoding"] = name(a.encoding);
    if (a.encoding == io::reference_encoding::q16) out["q16_step_log2"] = a.q16_step_log2;
    out["token_source"] = s.writing.token_source;
    out["rows_per_chunk"] = s.rows_per_chunk;
    out["bytes"] = s.bytes;
    out["bytes_per_row"] = static_cast<double>(s.bytes) / s.rows;
    out["compression_ratio"] = static_cast<double>(s.input_bytes) / s.bytes;
    out["unit"] = "nats";  // of the error bounds
    nlohmann::ordered_json kl;
    for (const double d : kl_examples)
        kl[fmt::format("{}", d)] = io::reference_kl_error_bound(d, s.delta, s.bound.dropped_mass);
    out["error_bound"] = {{"absolute", s.bound.absolute},
                          {"relative", s.bound.relative},
                          {"kept_range", s.bound.kept_range},
                          {"dropped_mass", s.bound.dropped_mass},
                          {"largest_span", s.writing.largest_span},
                          {"delta", s.delta},
                          {"kl_error_at", kl}};
    if (s.verified) {
        out["verify"] = {{"largest_error", s.check.largest_error},
                         {"largest_error_to_bound", s.check.largest_error_to_bound},
                         {"dropped_values", s.check.dropped_values},
                         {"largest_dropped_mass", s.check.largest_dropped_mass}};
    }
    return out;
}

void print_summary(const llm_reference_arguments& a, const summary& s) {
    const std::string encoding = a.encoding == io::reference_encoding::q16
                                     ? fmt::format("q16 (grid step 2^{})", a.q16_step_log2)
                                     : name(a.encoding);
    fmt::print("wrote {}: {} rows over {} tokens, {}, token ids: {}\n", a.output, s.rows, s.vocabulary, encoding,
               s.writing.token_source);
    fmt::print("size: {} bytes, {} a row; the input ({}, {} bytes) is {} times as large\n", s.bytes,
               human(static_cast<double>(s.bytes) / s.rows), s.input_format, s.input_bytes,
               human(static_cast<double>(s.input_bytes) / s.bytes));
    if (a.encoding == io::reference_encoding::q16) {
        fmt::print(
            "each log-probability: within {} nats; those more than {} nats below their row's maximum become -inf\n",
            human(s.bound.absolute), human(s.bound.kept_range));
    } else {
        fmt::print("each log-probability ℓ: within {}·|ℓ| + {} nats, here within {} (rows span at most {} nats)\n",
                   human(s.bound.relative), human(s.bound.absolute), human(s.delta), human(s.writing.largest_span));
    }
    if (s.writing.largest_span > s.bound.kept_range) {
        fmt::print(
            "rows span up to {} nats: their lowest values are stored as -inf (the largest mass a row lost is {}), "
            "so D(candidate‖reference) can be +inf against this file\n",
            human(s.writing.largest_span), human(s.bound.dropped_mass));
    }
    std::string at;
    for (const double d : kl_examples) {
        at += fmt::format("{}{} at D = {}", at.empty() ? "" : ", ",
                          human(io::reference_kl_error_bound(d, s.delta, s.bound.dropped_mass)), d);
    }
    fmt::print("D(reference‖candidate) through this file differs from D through INPUT by at most {} (nats)\n", at);
    if (s.verified) {
        fmt::print("verified: largest decode error {} nats ({}% of its bound), {} values dropped\n",
                   human(s.check.largest_error), human(100 * s.check.largest_error_to_bound), s.check.dropped_values);
    }
}

void run(const llm_reference_arguments& a, bool step_given) {
    if (step_given && a.encoding != io::reference_encoding::q16) {
        throw error(command_name,
                    "--q16-step-log2 is given, but the encoding is " + name(a.encoding) + ": the step is q16's");
    }
    summary s;
    s.inputs = expand(a.input, "INPUT");
    std::vector<named_input> inputs;
    for (const fs::path& p : s.inputs) {
        std::error_code code;
        inputs.push_back({"INPUT", p});
        s.input_bytes += fs::file_size(p, code);
    }
    if (!a.tokens.empty()) inputs.push_back({"--tokens", a.tokens});
    refuse_overwriting_inputs(command_name, "OUTPUT", a.output, inputs);
    const auto source = io::open_rows(s.inputs, "input");
    if (source->has_floors()) {
        throw error(command_name,
                    "INPUT " + source->files().front().name + " is a " + source->format() +
                        " file: its rows store the tokens below their 16-nat window at a floor, their "
                        "log-probabilities unknown, and a kldiv reference file cannot mark them, so it would "
                        "hold wrong values for them. Compare with the file itself: kldiv llm-compare " +
                        source->files().front().name + " CANDIDATE");
    }
    if (source->rows() == 0) throw error(command_name, "INPUT " + a.input + " holds no rows: there is nothing to save");
    s.writing = write_reference(*source, a);
    // Everything that can fail happens before the file is renamed onto OUTPUT.
    const fs::path finished = s.writing.file->unfinished_path();
    const io::reference_reader reader(finished);
    s.bound = reader.error_bound();
    s.rows = reader.rows();
    s.vocabulary = reader.n_vocab();
    s.rows_per_chunk = reader.rows_per_chunk();
    s.bytes = fs::file_size(finished);
    s.input_format = source->format();
    // A kept ℓ has |ℓ| <= (max a − a) + ln Σ exp(a − max a) <= span + ln V.
    s.delta = s.bound.absolute + s.bound.relative * (std::min(s.writing.largest_span, s.bound.kept_range) +
                                                     std::log(static_cast<double>(s.vocabulary)));
    if (a.verify) {
        const auto input = io::open_rows(s.inputs, "input");
        const std::vector<std::int32_t> given =
            a.tokens.empty() ? std::vector<std::int32_t>{} : tokens_for(a.tokens, *input);
        try {
            s.check = io::verify_reference(*input, finished, given, a.buffer_mib << 20);
        } catch (const error& e) {
            throw error(command_name, "--verify: " + printable(a.output) + " " + e.message() + "; " +
                                          printable(a.output) + " is not written");
        }
        s.verified = true;
    }
    const std::string json = a.json ? json_text(json_document(a, s), 2) : std::string();
    s.writing.file->commit();
    if (a.json) {
        std::cout << json << '\n';
    } else {
        print_summary(a, s);
    }
}

}  // namespace

void add_llm_reference(CLI::App& app) {
    auto args = std::make_shared<llm_reference_arguments>();
    CLI::App* command = app.add_subcommand(
        "llm-reference",
        "Save a model's next-token rows as a compact kldiv reference file, to compare candidates against");
    command->add_option("INPUT", args->input, std::string("Rows: ") + model_files_help)->required();
    command->add_option("OUTPUT", args->output, "The reference file to write (replaced whole if it exists)")
        ->required()
        ->check(output_path);
    add_choice<io::reference_encoding>(*command, "--encoding", args->encoding,
                                       "q16: 2 bytes a value, every log-probability within 2^(step-1) nats; "
                                       "float16: 2 bytes, within 2^-11 of its size; float32: 4 bytes");
    add_choice<input_kind>(*command, "--input", args->input_holds,
                           "What INPUT holds (log-probs: each row must sum to 1; probs are refused)")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {  // a usage error, as for a name that is not a choice
                return find<input_kind>(text) == input_kind::probs
                           ? "'" + text + "', but a reference file is written from logits or log-probs"
                           : std::string();
            },
            "NAME"));
    CLI::Option* tokens = command->add_option(
        "--tokens", args->tokens, "Token ids to store: the actual next token of each row (1-D .npy, -1 unknown)");
    command->add_flag("--no-tokens", args->no_tokens, "Store no token ids, even those INPUT carries")->excludes(tokens);
    CLI::Option* step = command->add_option("--q16-step-log2", args->q16_step_log2, "q16: the grid step is 2^this")
                            ->check(CLI::Range(-16, -4))
                            ->capture_default_str();
    command
        ->add_option("--rows-per-chunk", args->rows_per_chunk, "Rows a chunk of the file (0: as many as fit in 16 MiB)")
        ->capture_default_str();
    command->add_option("--buffer-mib", args->buffer_mib, "Memory for a block of input rows, in MiB")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    command->add_flag("--verify", args->verify, "Read the file back against INPUT and report the largest error met");
    command->add_flag("--json", args->json,
                      "Print JSON: rows, vocabulary, encoding, bytes, compression_ratio, error_bound");
    add_progress_options(command, args->progress);
    command->callback([args, step] { run(*args, step->count() > 0); });
}

}  // namespace kldiv::cli
