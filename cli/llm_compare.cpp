// kldiv llm-compare REFERENCE CANDIDATE: how far a candidate model's next-token distributions are
// from a reference model's, position by position (include/kldiv/llm/model_comparison.hpp).
//   kldiv llm-compare base.kld quantized-logits.npy --json
//   kldiv llm-compare 'ref/shard-*.npy' 'cand/shard-*.npy' --tokens tokens.npy --mask mask.npy
// A name with * or ? in its last part stands for the matching files of its directory, in name
// order (the shards of one model). A progress line with throughput and ETA goes to stderr when it
// is a terminal.

#include <fmt/core.h>
#include <kldiv/error.hpp>
#include <kldiv/io/atomic_file.hpp>
#include <kldiv/llm/model_comparison.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "format.hpp"
#include "llm_compare_report.hpp"

namespace kldiv::cli {
namespace {

namespace fs = std::filesystem;
using kldiv::llm::comparison_statistics;
using kldiv::llm::distribution_statistics;
using kldiv::llm::mean_with_error;

struct llm_compare_arguments {
    std::string reference, candidate, tokens, mask, html;
    bool reverse = false, js = false, json = false, quiet = false;
    unsigned threads = 0;
    std::size_t buffer_mib = 256;
};

// '*' and '?' in a file name.
bool matches(std::string_view pattern, std::string_view name) {
    if (pattern.empty()) return name.empty();
    if (pattern[0] == '*') return matches(pattern.substr(1), name) || (!name.empty() && matches(pattern, name.substr(1)));
    return !name.empty() && (pattern[0] == '?' || pattern[0] == name[0]) && matches(pattern.substr(1), name.substr(1));
}

std::vector<fs::path> expand(const std::string& argument, const char* role) {
    const fs::path path(argument);
    const std::string name = path.filename().string();
    if (name.find_first_of("*?") == std::string::npos) return {path};
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::vector<fs::path> found;
    std::error_code code;
    for (const auto& entry : fs::directory_iterator(directory, code)) {
        if (entry.is_regular_file() && matches(name, entry.path().filename().string())) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) throw error("kldiv llm-compare", std::string(role) + " " + argument + " matches no file");
    return found;
}

nlohmann::ordered_json json_of(const mean_with_error& m) {
    return {{"mean", json_number(m.mean)}, {"standard_error", json_number(m.standard_error)}};
}

// "99.9", "99", "0.1": a percentile's key.
std::string percentile_key(double p) { return fmt::format("{}", p); }

nlohmann::ordered_json json_of(const distribution_statistics& d) {
    nlohmann::ordered_json out{{"mean", json_number(d.mean.mean)},
                               {"standard_error", json_number(d.mean.standard_error)},
                               {"median", json_number(d.percentiles[5])},
                               {"min", json_number(d.min)},
                               {"max", json_number(d.max)}};
    nlohmann::ordered_json percentiles;
    for (std::size_t i = 0; i < std::size(llm::reported_percentiles); ++i) {
        percentiles[percentile_key(llm::reported_percentiles[i])] = json_number(d.percentiles[i]);
    }
    out["percentiles"] = percentiles;
    out["percentile_error"] = json_number(d.percentile_error);
    return out;
}

nlohmann::ordered_json json_of(const comparison_statistics& s, bool full) {
    nlohmann::ordered_json out{{"scored", s.positions}, {"scored_with_token", s.positions_with_token}};
    out["kl"] = full ? json_of(s.kl) : json_of(s.kl.mean);
    if (!std::isnan(s.reverse_kl.mean)) out["reverse_kl"] = json_of(s.reverse_kl);
    if (!std::isnan(s.js.mean)) out["js"] = json_of(s.js);
    out["same_top"] = {{"fraction", json_number(s.same_top.mean)},
                       {"standard_error", json_number(s.same_top.standard_error)}};
    out["top_k_overlap"] = {{"5", json_of(s.top5_overlap)}, {"10", json_of(s.top10_overlap)}};
    if (s.positions_with_token > 0) {
        out["delta_p"] = full ? json_of(s.delta_p) : json_of(s.delta_p.mean);
        out["rms_delta_p"] = json_of(s.rms_delta_p);
        out["perplexity"] = {{"reference", json_of(s.ppl_reference)},
                             {"candidate", json_of(s.ppl_candidate)},
                             {"ln_ratio", json_of(s.ln_ppl_ratio)},
                             {"ratio", json_of(s.ppl_ratio)},
                             {"difference", json_of(s.ppl_difference)},
                             {"ln_correlation", json_number(s.ln_ppl_correlation)}};
    }
    return out;
}

nlohmann::ordered_json json_document(const llm_compare_arguments& a, const llm::model_comparison& r) {
    nlohmann::ordered_json out;
    out["reference"] = {{"input", a.reference}, {"format", r.reference_format}};
    out["candidate"] = {{"input", a.candidate}, {"format", r.candidate_format}};
    out["vocabulary"] = r.vocabulary;
    out["positions"] = r.positions;
    out["token_source"] = r.token_source;
    out["unit"] = "nats";
    out.update(json_of(r.overall.statistics(), true));
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& f : r.files) {
        nlohmann::ordered_json entry{{"file", f.file}, {"first_position", f.first_row}};
        entry.update(json_of(f.statistics, false));
        files.push_back(entry);
    }
    out["files"] = files;
    return out;
}

std::string pm(const mean_with_error& m, double scale = 1.0, const char* unit = "") {
    return fmt::format("{} ± {}{}", human(scale * m.mean), human(scale * m.standard_error), unit);
}

void print_distribution(const char* name, const distribution_statistics& d, double scale, const char* unit) {
    fmt::print("{:<10}: {}\n", "mean", pm(d.mean, scale, unit));
    fmt::print("{:<10}: {}{}\n", "maximum", human(scale * d.max), unit);
    for (std::size_t i = 0; i < std::size(llm::reported_percentiles); ++i) {
        const double p = llm::reported_percentiles[i];
        fmt::print("{:<10}: {}{}\n", p == 50.0 ? std::string("median") : fmt::format("{}%", p), human(scale * d.percentiles[i]),
                   unit);
    }
    fmt::print("{:<10}: {}{}\n", "minimum", human(scale * d.min), unit);
    fmt::print("(percentiles of {} within {}{} of the exact ones)\n", name, human(scale * d.percentile_error), unit);
}

void print_report(const llm_compare_arguments& a, const llm::model_comparison& r) {
    const comparison_statistics s = r.overall.statistics();
    fmt::print("reference: {} ({})\ncandidate: {} ({})\n", a.reference, r.reference_format, a.candidate, r.candidate_format);
    fmt::print("{} positions over {} tokens, {} scored; token ids: {}\n", r.positions, r.vocabulary, s.positions,
               r.token_source);
    if (s.positions_with_token > 0) {
        fmt::print("\n====== Perplexity ({} positions with their token) ======\n", s.positions_with_token);
        fmt::print("{:<28}: {}\n", "PPL(reference)", pm(s.ppl_reference));
        fmt::print("{:<28}: {}\n", "PPL(candidate)", pm(s.ppl_candidate));
        fmt::print("{:<28}: {}%\n", "correlation of ln p", human(100 * s.ln_ppl_correlation));
        fmt::print("{:<28}: {}\n", "ln(PPL(cand)/PPL(ref))", pm(s.ln_ppl_ratio));
        fmt::print("{:<28}: {}\n", "PPL(cand)/PPL(ref)", pm(s.ppl_ratio));
        fmt::print("{:<28}: {}\n", "PPL(cand) - PPL(ref)", pm(s.ppl_difference));
    }
    fmt::print("\n====== KL divergence D(reference‖candidate), nats ======\n");
    print_distribution("D", s.kl, 1.0, "");
    if (!std::isnan(s.reverse_kl.mean)) fmt::print("{:<10}: {}\n", "D(cand‖ref)", pm(s.reverse_kl));
    if (!std::isnan(s.js.mean)) fmt::print("{:<10}: {}\n", "JS", pm(s.js));
    fmt::print("\n====== Token probabilities ======\n");
    if (s.positions_with_token > 0) {
        fmt::print("Δp = p_candidate − p_reference of the actual next token, in %\n");
        print_distribution("Δp", s.delta_p, 100.0, "%");
        fmt::print("{:<10}: {}\n", "RMS Δp", pm(s.rms_delta_p, 100.0, "%"));
    }
    fmt::print("{:<15}: {}\n", "same top token", pm(s.same_top, 100.0, "%"));
    fmt::print("{:<15}: {}\n", "top-5 overlap", pm(s.top5_overlap, 100.0, "%"));
    fmt::print("{:<15}: {}\n", "top-10 overlap", pm(s.top10_overlap, 100.0, "%"));
    if (r.files.size() > 1) {
        fmt::print("\n====== Per candidate file ======\n{:<40} {:>9} {:>24} {:>20} {:>14}\n", "file", "positions",
                   "mean KL", "same top", "PPL(cand)");
        for (const auto& f : r.files) {
            const auto& t = f.statistics;
            fmt::print("{:<40} {:>9} {:>24} {:>20} {:>14}\n", f.file, t.positions, pm(t.kl.mean), pm(t.same_top, 100.0, "%"),
                       human(t.ppl_candidate.mean));
        }
    }
}

// One line on stderr, rewritten in place: done/total, rows/s, GB/s, ETA.
class progress_line {
public:
    explicit progress_line(bool enabled) : enabled_(enabled) {}
    void operator()(const llm::comparison_progress& p) {
        if (!enabled_) return;
        const double seconds = std::chrono::duration<double>(clock::now() - start_).count();
        if (p.rows_done < p.rows_total && seconds - last_ < 0.2) return;
        last_ = seconds;
        const double rate = p.rows_done / std::max(seconds, 1e-9);
        const double fraction = static_cast<double>(p.rows_done) / std::max<double>(1.0, p.rows_total);
        const int width = 30, filled = static_cast<int>(fraction * width);
        const double eta = rate > 0 ? (p.rows_total - p.rows_done) / rate : 0.0;
        fmt::print(stderr, "\r[{}{}] {}/{} positions, {:.0f}/s, {:.2f} GB/s, ETA {:.0f} s ", std::string(filled, '#'),
                   std::string(width - filled, '.'), p.rows_done, p.rows_total, rate, p.bytes_done / seconds / 1e9, eta);
        if (p.rows_done == p.rows_total) fmt::print(stderr, "\n");
        std::fflush(stderr);
    }

private:
    using clock = std::chrono::steady_clock;
    bool enabled_;
    clock::time_point start_ = clock::now();
    double last_ = -1.0;
};

}  // namespace

void add_llm_compare(CLI::App& app) {
    auto args = std::make_shared<llm_compare_arguments>();
    CLI::App* command = app.add_subcommand(
        "llm-compare", "How far a candidate model's next-token distributions are from a reference model's");
    command->add_option("REFERENCE", args->reference,
                        "Reference rows: .npy logits/log-probs (positions x vocabulary), a llama.cpp "
                        "--kl-divergence-base file or a kldiv reference file; * and ? in the name select shards")
        ->required();
    command->add_option("CANDIDATE", args->candidate, "Candidate rows, the same positions in the same order")->required();
    command->add_option("--tokens", args->tokens, "Token ids: the actual next token of each position (1-D .npy)");
    command->add_option("--mask", args->mask, "Positions to score: 1-D .npy of 0/1 (or booleans), one per position");
    command->add_flag("--reverse", args->reverse, "Also D(candidate‖reference)");
    command->add_flag("--js", args->js, "Also the Jensen-Shannon divergence");
    command->add_option("--threads", args->threads, "Threads (0: all cores)")->capture_default_str();
    command->add_option("--buffer-mib", args->buffer_mib, "Memory for the blocks of rows of both models, in MiB")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    command->add_flag("--json", args->json, "Print JSON: kl, delta_p, same_top, top_k_overlap, perplexity, files");
    command->add_flag("--quiet", args->quiet, "No progress line on stderr");
    command->add_option("--html", args->html, "Write a self-contained HTML report with histograms to this file");
    command->callback([args] {
        const auto reference = expand(args->reference, "REFERENCE");
        const auto candidate = expand(args->candidate, "CANDIDATE");
        llm::model_comparison_options o;
        o.rows = {.reverse_kl = args->reverse, .js = args->js, .threads = args->threads};
        o.block_bytes = args->buffer_mib << 20;
        if (!args->tokens.empty()) o.next_tokens = llm::read_token_ids(args->tokens);
        if (!args->mask.empty()) o.mask = llm::read_mask(args->mask);
        o.progress = progress_line(!args->quiet && isatty(STDERR_FILENO) != 0);
        const llm::model_comparison r = llm::compare_models(reference, candidate, o);
        const nlohmann::ordered_json document = json_document(*args, r);
        if (!args->html.empty()) {
            io::write_file_atomically(args->html, llm_compare_html(args->reference, args->candidate, r, document.dump()));
        }
        if (args->json) {
            std::cout << document.dump(2) << '\n';
        } else {
            print_report(*args, r);
        }
    });
}

}  // namespace kldiv::cli
