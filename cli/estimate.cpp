// kldiv estimate X Y: D(P‖Q) — or H(P, Q), or H(P) of X alone — from data: samples (k nearest
// neighbours, or a histogram) or counts, with a bootstrap confidence interval and a permutation
// test of P = Q on request.
//   kldiv estimate x.csv y.csv --method knn --k 5 --ci 0.95 --json
//   kldiv estimate x.csv --measure entropy

#include <fmt/core.h>
#include "kldiv/error.hpp"
#include "kldiv/estimate/from_data.hpp"
#include "kldiv/io/distribution_file.hpp"
#include "kldiv/io/sample_file.hpp"

#include <iostream>
#include <optional>
#include <string>

#include "cli/choice.hpp"
#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/progress_line.hpp"
#include "cli/unit_option.hpp"
#include "report/estimate_json.hpp"

namespace kldiv::cli {
namespace {

namespace ke = kldiv::estimate;

struct estimate_arguments {
    std::string x, y;
    ke::quantity measure = ke::quantity::kl_divergence;
    ke::estimator method = ke::estimator::knn;
    std::size_t k = 5, l = 0;
    ke::knn_method knn_form = ke::knn_method::wang_kulkarni_verdu;
    ke::binning bins = ke::binning::freedman_diaconis;
    std::size_t bin_count = 0;
    // Default: plug-in for counts, jeffreys for histograms (plug-in is +inf whenever a bin has X's
    // but no Y's, as tails of continuous data do).
    std::optional<ke::count_estimator> estimator;
    std::string base;
    double ci = 0.0;
    bool ci_given = false;  // --ci was on the command line (0, -1 and nan are errors, not "no interval")
    ke::interval_method interval = ke::interval_method::percentile;
    std::size_t resamples = 1000;
    std::size_t permutations = 0;
    std::uint64_t seed = 2026;
    unsigned threads = 0;
    bool json = false;
    progress_choice progress;
};

// The symbol of --measure in the human report.
const char* symbol(ke::quantity q) {
    return q == ke::quantity::kl_divergence ? "D(X‖Y)" : q == ke::quantity::cross_entropy ? "H(X, Y)" : "H(X)";
}

ke::data_options options_of(const estimate_arguments& a) {
    ke::data_options o;
    o.measure = a.measure;
    o.base = log_base::parse(a.base, "--base");
    o.method = a.method;
    o.knn.k = a.k;
    o.knn.l = a.l;
    o.knn.method = a.knn_form;
    o.knn.threads = a.threads;
    o.knn.progress = progress_line(a.progress, "nearest neighbours", "points");
    o.counts.method = a.estimator.value_or(a.method == ke::estimator::histogram ? ke::count_estimator::jeffreys
                                                                                : ke::count_estimator::plug_in);
    o.histogram.bins = a.bins;
    o.histogram.bin_count = a.bin_count;
    o.histogram.counts.method = o.counts.method;
    if (a.ci_given) {
        ke::bootstrap_options b;
        b.level = a.ci;
        b.resamples = a.resamples;
        b.method = a.interval;
        b.seed = a.seed;
        b.threads = a.threads;
        // BCa's leave-out statistics are counted with the resamples.
        const bool bca = b.method == ke::interval_method::bca;
        b.progress = progress_line(a.progress, "bootstrap", bca ? "statistics" : "resamples");
        o.bootstrap = b;
    }
    if (a.permutations > 0)
        o.permutation = ke::permutation_options{a.permutations, a.seed, a.threads,
                                                progress_line(a.progress, "permutation test", "permutations")};
    return o;
}

void print(const estimate_arguments& a, const std::string& shape_x, const std::string& shape_y,
           const ke::data_options& o, const ke::data_result& r) {
    const auto& e = r.value;
    const bool one_sample = a.measure == ke::quantity::entropy;
    const std::string unit = o.base.unit();
    if (a.json) {
        std::cout << json_text(report::estimate_json(a.x, a.y, o, r), 2) << '\n';
        return;
    }
    fmt::print("X = {} ({})\n", a.x, shape_x);
    if (!one_sample) fmt::print("Y = {} ({})\n", a.y, shape_y);
    fmt::print("\n{} = {} {}  ({})\n", symbol(a.measure), human(e.value), unit, ke::describe(e));
    if (e.interval.level > 0.0)
        fmt::print("{}% bootstrap interval: [{}, {}] ({} resamples, {}, seed {})\n", human(100 * e.interval.level),
                   human(e.interval.low), human(e.interval.high), e.interval.resamples, name(a.interval, '-'), a.seed);
    if (r.test)
        fmt::print("permutation test of P = Q: p = {} ({} permutations)\n", human(r.test->p_value),
                   r.test->permutations);
}

}  // namespace

void add_estimate(CLI::App& app) {
    auto args = std::make_shared<estimate_arguments>();
    CLI::App* command = app.add_subcommand(
        "estimate",
        "KL divergence, cross-entropy or entropy from data: samples (k nearest neighbours, histograms) or counts");
    command->add_option("X", args->x, "Samples of P (CSV/TSV/.npy, one observation per row), or counts of P")
        ->required();
    command->add_option("Y", args->y, "Samples of Q, or counts of Q over the same events (not for --measure entropy)");
    add_choice<ke::quantity>(*command, "--measure", args->measure,
                             "kl-divergence: D(P‖Q); cross-entropy: H(P, Q); entropy: H(P) of X");
    add_choice<ke::estimator>(
        *command, "--method", args->method,
        "How to estimate (knn: nearest neighbours; histogram: one shared histogram; counts: X and Y hold counts)");
    command->add_option("--k", args->k, "knn: the neighbour index in X")->capture_default_str();
    command->add_option("--l", args->l, "knn: the neighbour index in Y (0: = k)")->capture_default_str();
    add_choice<ke::knn_method>(*command, "--knn-form", args->knn_form,
                               "knn: Wang-Kulkarni-Verdu 2009 (alias wkv) or Perez-Cruz 2008");
    add_choice<ke::binning>(*command, "--bins", args->bins, "histogram: the binning rule (alias fd)");
    command->add_option("--bin-count", args->bin_count, "histogram: bins per axis for fixed and quantile")
        ->check(CLI::Range(std::size_t{1}, ke::histogram_max_bins));
    add_choice<ke::count_estimator>(
        *command, "--estimator", args->estimator,
        "histogram and counts: the count estimator (default: jeffreys for histogram, plug-in for counts)");
    add_unit_option(*command, args->base);
    CLI::Option* ci = command->add_option("--ci", args->ci, "Bootstrap confidence interval at this level, e.g. 0.95");
    add_choice<ke::interval_method>(*command, "--interval", args->interval, "The bootstrap interval");
    command->add_option("--resamples", args->resamples, "Bootstrap resamples (at most 10^7)")
        ->check(CLI::Range(std::size_t{1}, ke::max_resamples))
        ->capture_default_str();
    command
        ->add_option("--permutations", args->permutations,
                     "Permutation test of P = Q with this many permutations (at most 10^7)")
        ->check(CLI::Range(std::size_t{1}, ke::max_resamples));
    command->add_option("--seed", args->seed, "Seed of the bootstrap and the permutations")->capture_default_str();
    command->add_option("--threads", args->threads, "Threads (0: all cores)")->capture_default_str();
    add_progress_options(command, args->progress);
    command->add_flag("--json", args->json,
                      "Print JSON: x, y, kl (or cross_entropy, entropy), unit, method, interval, permutation_test");
    command->callback([args, ci] {
        args->ci_given = ci->count() > 0;
        if (args->ci_given && !(args->ci > 0.0 && args->ci < 1.0)) {
            throw error("kldiv estimate", "--ci = " + fmt::format("{}", args->ci) +
                                              ", but a confidence level must be in (0, 1), e.g. 0.95");
        }
        if ((args->bins == ke::binning::fixed || args->bins == ke::binning::quantile) && args->bin_count == 0) {
            throw error("kldiv estimate", "--bins " + name(args->bins, '-') +
                                              " is given without --bin-count, but that rule needs the number of "
                                              "bins per axis: add --bin-count N");
        }
        const bool one_sample = args->measure == ke::quantity::entropy;
        if (one_sample != args->y.empty()) {
            throw error("kldiv estimate",
                        one_sample ? "Y = " + args->y + " was given, but --measure entropy reads X alone"
                                   : "Y is missing, but --measure " + name(args->measure, '-') + " needs X and Y");
        }
        const ke::data_options o = options_of(*args);
        if (args->method == ke::estimator::counts) {
            const auto p = io::read_distribution(args->x);
            const auto q = one_sample ? p : io::read_distribution(args->y);
            print(*args, std::to_string(p.values.size()) + " counts", std::to_string(q.values.size()) + " counts", o,
                  ke::estimate_from_data(p.values, q.values, o));
            return;
        }
        const auto x = io::read_samples(args->x);
        const auto y = one_sample ? x : io::read_samples(args->y);
        const auto shape = [](const io::sample_matrix& s) {
            return std::to_string(s.rows) + " observations of " + std::to_string(s.cols) + " variable" +
                   (s.cols == 1 ? "" : "s");
        };
        print(*args, shape(x), shape(y), o, ke::estimate_from_data(x.view(), y.view(), o));
    });
}

}  // namespace kldiv::cli
