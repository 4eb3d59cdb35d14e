// kldiv llm-compare REFERENCE CANDIDATE...: how far candidate models' next-token distributions are
// from a reference model's, position by position (include/kldiv/llm/model_comparison.hpp); several
// candidates are compared in one pass over the reference, one row each in a table.
//   kldiv llm-compare base.kld quantized-logits.npy --json
//   kldiv llm-compare 'ref/shard-*.npy' 'cand/shard-*.npy' --tokens tokens.npy --mask mask.npy
//   kldiv llm-compare ref.kref q4.npy q5.npy q8.npy
// A name with * or ? in its last part stands for the matching files of its directory, in name
// order (the shards of one model). A progress line with throughput and ETA goes to stderr when it
// is a terminal.

#include <fmt/core.h>
#include "kldiv/io/atomic_file.hpp"
#include "kldiv/llm/model_comparison.hpp"
#include "kldiv/text.hpp"

#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/model_files.hpp"
#include "cli/output_files.hpp"
#include "cli/progress_line.hpp"
#include "report/llm_comparison_html.hpp"
#include "report/llm_comparison_json.hpp"

namespace kldiv::cli {
namespace {

using kldiv::llm::comparison_statistics;
using kldiv::llm::distribution_statistics;
using kldiv::llm::mean_with_error;

struct llm_compare_arguments {
    std::string reference, tokens, mask, html;
    std::vector<std::string> candidates;
    bool reverse = false, js = false, json = false;
    progress_choice progress;
    unsigned threads = 0;
    std::size_t buffer_mib = 256, vocabulary = 0, top_k = 0;
};

std::string pm(const mean_with_error& m, double scale = 1.0, const char* unit = "") {
    return fmt::format("{} ± {}{}", human(scale * m.mean), human(scale * m.standard_error), unit);
}

void print_distribution(const char* name, const distribution_statistics& d, double scale, const char* unit) {
    fmt::print("{:<10}: {}\n", "mean", pm(d.mean, scale, unit));
    fmt::print("{:<10}: {}{}\n", "maximum", human(scale * d.max), unit);
    for (std::size_t i = 0; i < std::size(llm::reported_percentiles); ++i) {
        const double p = llm::reported_percentiles[i];
        fmt::print("{:<10}: {}{}\n", p == 50.0 ? std::string("median") : fmt::format("{}%", p),
                   human(scale * d.percentiles[i]), unit);
    }
    fmt::print("{:<10}: {}{}\n", "minimum", human(scale * d.min), unit);
    fmt::print("(percentiles of {} within {}{} of the exact ones)\n", name, human(scale * d.percentile_error), unit);
}

void print_report(const llm_compare_arguments& a, const llm::model_comparison& r) {
    const comparison_statistics s = r.overall.statistics();
    fmt::print("reference: {} ({})\ncandidate: {} ({})\n", printable(a.reference), r.reference_format,
               printable(a.candidates.front()), r.candidate_format);
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
        fmt::print("{:<28}: {} in the reference, {} in the candidate (read at the row's floor)\n",
                   "actual token floored", s.floored_token_reference, s.floored_token_candidate);
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
    if (s.top_k != 0 && s.top_k != 5 && s.top_k != 10)
        fmt::print("{:<15}: {}\n", fmt::format("top-{} overlap", s.top_k), pm(s.top_k_overlap, 100.0, "%"));
    if (r.files.size() > 1) {
        fmt::print("\n====== Per candidate file ======\n{:<40} {:>9} {:>24} {:>20} {:>14}\n", "file", "positions",
                   "mean KL", "same top", "PPL(cand)");
        for (const auto& f : r.files) {
            const auto& t = f.statistics;
            fmt::print("{:<40} {:>9} {:>24} {:>20} {:>14}\n", printable(f.file), t.positions, pm(t.kl.mean),
                       pm(t.same_top, 100.0, "%"), human(t.ppl_candidate.mean));
        }
    }
}

// Several candidates: one row each, the statistics most read; --json and --html hold all of them.
void print_table(const llm_compare_arguments& a, const std::vector<llm::model_comparison>& all) {
    const llm::model_comparison& first = all.front();
    const comparison_statistics s0 = first.overall.statistics();
    fmt::print("reference: {} ({})\n", printable(a.reference), first.reference_format);
    fmt::print("{} positions over {} tokens, {} scored; token ids: {}\n\n", first.positions, first.vocabulary,
               s0.positions, first.token_source);
    const bool tokens = s0.positions_with_token > 0;
    std::string header = fmt::format("{:<32} {:>24} {:>12} {:>12} {:>20}", "candidate", "mean KL (nats)", "median KL",
                                     "99% KL", "same top");
    if (a.reverse) header += fmt::format(" {:>24}", "mean D(cand‖ref)");
    if (a.js) header += fmt::format(" {:>24}", "mean JS");
    if (tokens) header += fmt::format(" {:>24} {:>20}", "PPL(cand)/PPL(ref)", "RMS Δp");
    fmt::print("{}\n", header);
    for (std::size_t k = 0; k < all.size(); ++k) {
        const comparison_statistics s = all[k].overall.statistics();
        std::string line =
            fmt::format("{:<32} {:>24} {:>12} {:>12} {:>20}", printable(a.candidates[k]), pm(s.kl.mean),
                        human(s.kl.percentiles[5]), human(s.kl.percentiles[1]), pm(s.same_top, 100.0, "%"));
        if (a.reverse) line += fmt::format(" {:>24}", pm(s.reverse_kl));
        if (a.js) line += fmt::format(" {:>24}", pm(s.js));
        if (tokens) line += fmt::format(" {:>24} {:>20}", pm(s.ppl_ratio), pm(s.rms_delta_p, 100.0, "%"));
        fmt::print("{}\n", line);
    }
    fmt::print("\n(± one standard error; every statistic of each candidate: --json or --html)\n");
}

}  // namespace

void add_llm_compare(CLI::App& app) {
    auto args = std::make_shared<llm_compare_arguments>();
    CLI::App* command = app.add_subcommand(
        "llm-compare", "How far a candidate model's next-token distributions are from a reference model's");
    command->add_option("REFERENCE", args->reference, std::string("Reference rows: ") + model_files_help)->required();
    command
        ->add_option("CANDIDATE", args->candidates,
                     "Candidate rows, the same positions in the same order; several candidates (each a file, a "
                     "pattern or shards) are compared with the reference in one pass over it")
        ->required();
    command->add_option("--tokens", args->tokens, "Token ids: the actual next token of each position (1-D .npy)");
    command->add_option("--mask", args->mask, "Positions to score: 1-D .npy of 0/1 (or booleans), one per position");
    command->add_flag("--reverse-kl,--reverse", args->reverse, "Also D(candidate‖reference)");
    command->add_flag("--js", args->js, "Also the Jensen-Shannon divergence");
    command
        ->add_option("--top-k", args->top_k,
                     "Also the overlap of the K most likely tokens of both models (besides K = 5 and 10)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100}));
    command
        ->add_option("--vocabulary", args->vocabulary,
                     "Compare the first N tokens of every row, renormalized over them: for vocabularies padded to "
                     "different sizes (0: the models' vocabularies, which must be equal)")
        ->capture_default_str();
    command->add_option("--threads", args->threads, "Threads (0: all cores)")->capture_default_str();
    command
        ->add_option("--buffer-mib", args->buffer_mib,
                     "Bound on the decoded rows held at once, all threads together, in MiB (a thread holds at most 4)")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    command->add_flag("--json", args->json,
                      "Print JSON: kl, delta_p, same_top, top_k_overlap, perplexity, floored_next_token, files");
    add_progress_options(command, args->progress);
    command->add_option("--html", args->html, "Write a self-contained HTML report with histograms to this file")
        ->check(output_path);
    command->callback([args] {
        const auto reference = expand(args->reference, "REFERENCE");
        std::vector<std::vector<std::filesystem::path>> candidates;
        for (const std::string& c : args->candidates) candidates.push_back(expand(c, "CANDIDATE"));
        std::vector<named_input> inputs;
        for (const auto& p : reference) inputs.push_back({"REFERENCE", p});
        for (const auto& files : candidates)
            for (const auto& p : files) inputs.push_back({"CANDIDATE", p});
        inputs.push_back({"--tokens", args->tokens});
        inputs.push_back({"--mask", args->mask});
        refuse_overwriting_inputs("kldiv llm-compare", "--html", args->html, inputs);
        llm::model_comparison_options o;
        o.rows = {.reverse_kl = args->reverse, .js = args->js, .top_k = args->top_k, .threads = args->threads};
        o.block_bytes = args->buffer_mib << 20;
        o.vocabulary = args->vocabulary;
        if (!args->tokens.empty()) o.next_tokens = io::read_token_ids(args->tokens);
        if (!args->mask.empty()) o.mask = io::read_mask(args->mask);
        o.progress = progress_line(args->progress, "llm-compare", "positions");
        const std::vector<llm::model_comparison> all = llm::compare_models(reference, candidates, o);
        // One candidate: its document; several: {"reference", "candidates": [one document each]}.
        nlohmann::ordered_json document;
        std::vector<report::candidate_comparison> shown;
        for (std::size_t k = 0; k < all.size(); ++k) {
            shown.push_back({args->candidates[k], all[k]});
            nlohmann::ordered_json one = report::llm_comparison_json(args->reference, args->candidates[k], all[k]);
            if (all.size() == 1) {
                document = std::move(one);
            } else {
                if (k == 0) document["reference"] = one["reference"];
                document["candidates"].push_back(std::move(one));
            }
        }
        if (!args->html.empty()) {
            io::write_file_atomically(args->html,
                                      report::llm_comparison_html(args->reference, shown, json_text(document)));
        }
        if (args->json) {
            std::cout << json_text(document, 2) << '\n';
        } else if (all.size() == 1) {
            print_report(*args, all.front());
        } else {
            print_table(*args, all);
        }
        if (!args->html.empty() && !args->json) fmt::print("\nReport: {}\n", args->html);
    });
}

}  // namespace kldiv::cli
