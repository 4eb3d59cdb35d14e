// compare_models: the parallel streaming loop of llm-compare (include/kldiv/llm/model_comparison.hpp).

#include "kldiv/llm/model_comparison.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

#include "kldiv/error.hpp"
#include "src/common/parallel.hpp"

namespace kldiv::llm {
namespace {

constexpr const char* function = "compare_models";
// Decoded rows of both models a worker holds at once: small enough to stay in cache between the
// passes of the kernels over them.
constexpr std::size_t cache_bytes = std::size_t{4} << 20;
// The chunks that the workers' readers of chunked files (kldiv reference files) hold, all together
// at most: it caps the number of workers for such files, so that memory stays bounded on any
// number of cores.
constexpr double chunk_budget = 128.0 * (1 << 20);
// Rows a worker reads at once at most (for small vocabularies, where 4 MiB holds many rows).
constexpr std::size_t max_rows_per_read = 1024;
// Units a round hands out per worker; the round's comparisons are summed up in order after it.
constexpr std::size_t units_per_worker = 4;

void check_length(const char* what, std::size_t size, std::uint64_t positions) {
    if (size != 0 && size != positions) {
        throw error(function, std::string(what) + " has " + std::to_string(size) + " entries, but the models have " +
                                  std::to_string(positions) + " positions");
    }
}

// One worker's streams of the models and its rows buffers: the reference's rows, and one
// candidate's rows at a time (the candidates are compared with the same reference rows in turn).
struct worker {
    std::unique_ptr<io::row_source> reference;
    std::vector<std::unique_ptr<io::row_source>> candidates;
    std::uint64_t position = all_rows;  // where the streams stand
    std::vector<float> reference_rows, candidate_rows;
    std::vector<float> reference_floors, candidate_floors;  // per row (row_source::read)
    std::vector<std::int32_t> carried, candidate_carried;   // token ids each model's files carry
};

class comparison_run {
public:
    comparison_run(const io::model_rows& reference, const std::vector<io::model_rows>& candidates,
                   const model_comparison_options& opts)
        : reference_(reference), candidates_(candidates), opts_(opts) {
        if (candidates.empty()) throw error(function, "no candidate: give at least one");
        workers_.resize(kldiv::detail::worker_count(opts.rows.threads));
        open(workers_[0]);
        const io::row_source& r = *workers_[0].reference;
        vocabulary_ = opts.vocabulary != 0 ? opts.vocabulary : r.vocabulary();
        positions_ = r.rows();
        widest_ = r.vocabulary();
        if (opts.vocabulary > r.vocabulary()) throw beyond("reference", r.vocabulary());
        if (opts.vocabulary == 1) {
            throw error(function, "vocabulary = 1, but a comparison needs at least " +
                                      std::to_string(io::row_source_min_vocab) + " tokens (0: the models' own)");
        }
        double chunk_bytes = r.chunk_rows() > 1 ? static_cast<double>(r.chunk_rows()) * r.bytes_per_row() : 0.0;
        std::size_t chunk = r.chunk_rows();
        for (std::size_t k = 0; k < candidates.size(); ++k) {
            const io::row_source& c = *workers_[0].candidates[k];
            if ((opts.vocabulary == 0 && c.vocabulary() != vocabulary_) || c.rows() != positions_) {
                throw error(function, "the reference has " + std::to_string(positions_) + " positions over " +
                                          std::to_string(r.vocabulary()) + " tokens and " +
                                          (candidates_.size() == 1 ? std::string("the candidate") : candidate_name(k)) +
                                          " has " + std::to_string(c.rows()) + " positions over " +
                                          std::to_string(c.vocabulary()) + " tokens, but they must match" +
                                          (c.rows() == positions_
                                               ? " (if one vocabulary is padded, compare the first tokens of both "
                                                 "with vocabulary = " +
                                                     std::to_string(std::min(c.vocabulary(), r.vocabulary())) + ")"
                                               : std::string()));
            }
            if (opts.vocabulary > c.vocabulary()) throw beyond(candidate_name(k), c.vocabulary());
            widest_ = std::max(widest_, c.vocabulary());
            if (c.chunk_rows() > 1) chunk_bytes += static_cast<double>(c.chunk_rows()) * c.bytes_per_row();
            // Units are whole stored chunks of every model (when their least common multiple is
            // not huge).
            chunk = std::lcm(chunk, c.chunk_rows()) <= (std::size_t{1} << 16) ? std::lcm(chunk, c.chunk_rows())
                                                                              : std::max(chunk, c.chunk_rows());
        }
        check_length("the token ids", opts.next_tokens.size(), positions_);
        check_length("the mask", opts.mask.size(), positions_);
        if (opts.first_row > positions_) {
            throw error(function, "first_row = " + std::to_string(opts.first_row) + ", but the models have " +
                                      std::to_string(positions_) + " positions");
        }
        if (chunk_bytes > 0) {
            workers_.resize(
                std::clamp<std::size_t>(static_cast<std::size_t>(chunk_budget / chunk_bytes), 1, workers_.size()));
        }
        begin_ = opts.first_row;
        end_ = begin_ + std::min(opts.row_count, positions_ - begin_);
        const std::size_t row_bytes = 2 * sizeof(float) * widest_;
        // Each worker holds at least a row of the reference and one candidate: no more workers than
        // block_bytes holds.
        workers_.resize(std::clamp<std::size_t>(opts.block_bytes / row_bytes, 1, workers_.size()));
        rows_per_read_ = std::clamp<std::size_t>(std::min(cache_bytes, opts.block_bytes / workers_.size()) / row_bytes,
                                                 1, max_rows_per_read);
        // Units are at least a few reads long.
        unit_rows_ = (4 * rows_per_read_ + chunk - 1) / chunk * chunk;
    }

    std::vector<model_comparison> run() {
        const std::size_t n = candidates_.size();
        const io::row_source& r = *workers_[0].reference;
        std::vector<model_comparison> results(n);
        double bytes_per_row = r.bytes_per_row();
        for (std::size_t k = 0; k < n; ++k) {
            const io::row_source& c = *workers_[0].candidates[k];
            model_comparison& result = results[k];
            result.reference_format = r.format();
            result.candidate_format = c.format();
            result.vocabulary = vocabulary_;
            result.positions = positions_;
            result.token_source = !opts_.next_tokens.empty() ? "--tokens" : r.carries_tokens() ? "reference" : "none";
            for (const io::source_file& f : c.files()) {
                const std::uint64_t first = std::max(f.first_row, begin_), last = std::min(f.first_row + f.rows, end_);
                if (first < last) result.files.push_back({f.name, first, last - first, {}});
            }
            bytes_per_row += c.bytes_per_row();
        }
        // Per candidate: the summary of its file being summed up, and that file's index.
        std::vector<comparison_summary> current(n);
        std::vector<std::size_t> file(n, 0);
        const auto close_file = [&](std::size_t k) {
            model_comparison& result = results[k];
            result.files[file[k]++].statistics = current[k].statistics();
            if (opts_.keep_file_summaries) result.file_summaries.push_back(current[k]);
            result.overall.merge(current[k]);
            current[k] = comparison_summary();
        };

        const std::size_t round_units = units_per_worker * workers_.size();
        std::vector<std::vector<token_comparison>> compared(n, std::vector<token_comparison>(round_units * unit_rows_));
        kldiv::progress progress{0, end_ - begin_, 0.0};
        if (opts_.progress) opts_.progress(progress);
        for (std::uint64_t round_begin = begin_; round_begin < end_;) {
            // Unit u of the round: rows [unit_begin(u), unit_begin(u + 1)), units aligned to multiples of unit_rows_.
            const auto unit_begin = [&](std::size_t u) {
                const std::uint64_t aligned = round_begin / unit_rows_ * unit_rows_ + u * unit_rows_;
                return std::clamp(aligned, round_begin, end_);
            };
            std::size_t units = 0;
            while (units < round_units && unit_begin(units) < end_) ++units;
            const std::uint64_t round_end = unit_begin(units);
            kldiv::detail::parallel_for(units, static_cast<unsigned>(workers_.size()), [&](std::size_t u, unsigned w) {
                const std::uint64_t first = unit_begin(u);
                compare_unit(workers_[w], first, unit_begin(u + 1), compared,
                             static_cast<std::size_t>(first - round_begin));
            });
            for (std::size_t k = 0; k < n; ++k) {
                for (std::uint64_t row = round_begin; row < round_end; ++row) {
                    while (row >= results[k].files[file[k]].first_row + results[k].files[file[k]].rows) close_file(k);
                    if (!opts_.mask.empty() && opts_.mask[row] == 0) continue;
                    current[k].add(compared[k][static_cast<std::size_t>(row - round_begin)]);
                }
            }
            progress.done += round_end - round_begin;
            progress.bytes_done += static_cast<double>(round_end - round_begin) * bytes_per_row;
            round_begin = round_end;
            if (opts_.progress) opts_.progress(progress);
        }
        for (std::size_t k = 0; k < n; ++k)
            while (file[k] < results[k].files.size()) close_file(k);
        // A whole run with nothing to score has no statistics (a range of a cluster run may).
        if (opts_.first_row == 0 && opts_.row_count == all_rows) require_scored_positions(results.front());
        return results;
    }

private:
    // "candidate", or "candidate 2" (from 1) when there are several.
    std::string candidate_name(std::size_t k) const {
        return candidates_.size() == 1 ? "candidate" : "candidate " + std::to_string(k + 1);
    }

    void open(worker& w) const {
        w.reference = reference_();
        for (const io::model_rows& candidate : candidates_) w.candidates.push_back(candidate());
    }

    // Both models' files carry the token each row predicts (llama.cpp base files, kldiv reference
    // files): they must be the same (where both are known), or the two models did not read the same text.
    void check_same_tokens(const worker& w, std::size_t k, std::uint64_t row, std::size_t count) const {
        for (std::size_t i = 0; i < count; ++i) {
            if (w.carried[i] == w.candidate_carried[i] || w.carried[i] < 0 || w.candidate_carried[i] < 0) continue;
            const std::uint64_t position = row + i;
            throw error(function, "position " + std::to_string(position) + ": " +
                                      io::file_and_row(w.reference->files(), position, "reference") +
                                      " predicts token id " + std::to_string(w.carried[i]) + " and " +
                                      io::file_and_row(w.candidates[k]->files(), position, candidate_name(k)) +
                                      " token id " + std::to_string(w.candidate_carried[i]) +
                                      ", but both models must have read the same tokens");
        }
    }

    // Compares rows [first, last) of every candidate with the reference's, into
    // compared[k][offset, offset + last − first).
    void compare_unit(worker& w, std::uint64_t first, std::uint64_t last,
                      std::vector<std::vector<token_comparison>>& compared, std::size_t offset) const {
        if (!w.reference) open(w);
        if (w.reference_rows.empty()) {
            w.reference_rows.resize(rows_per_read_ * w.reference->vocabulary());
            w.candidate_rows.resize(rows_per_read_ * widest_);
            w.reference_floors.resize(rows_per_read_);
            w.candidate_floors.resize(rows_per_read_);
            w.carried.resize(w.reference->carries_tokens() ? rows_per_read_ : 0);
        }
        if (w.position != first) {
            w.reference->seek(first);
            for (auto& c : w.candidates) c->seek(first);
        }
        for (std::uint64_t row = first; row < last;) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(rows_per_read_, last - row));
            const std::size_t got_reference = w.reference->read(w.reference_rows, w.carried, w.reference_floors, want);
            if (got_reference != want) throw ended("reference", row + got_reference);
            for (std::size_t k = 0; k < w.candidates.size(); ++k) {
                io::row_source& candidate = *w.candidates[k];
                w.candidate_carried.resize(candidate.carries_tokens() ? rows_per_read_ : 0);
                const std::size_t got = candidate.read(w.candidate_rows, w.candidate_carried, w.candidate_floors, want);
                if (got != want) throw ended(candidate_name(k), row + got);
                if (!w.carried.empty() && !w.candidate_carried.empty()) check_same_tokens(w, k, row, want);
                std::span<const std::int32_t> ids;
                if (!opts_.next_tokens.empty()) {
                    ids = std::span(opts_.next_tokens).subspan(static_cast<std::size_t>(row), want);
                } else if (!w.carried.empty()) {
                    ids = std::span<const std::int32_t>(w.carried).first(want);
                } else if (!w.candidate_carried.empty()) {
                    ids = std::span<const std::int32_t>(w.candidate_carried).first(want);
                }
                compare_rows_options rows = opts_.rows;
                rows.threads = 1;
                rows.first_position = row;
                rows.reference_files = w.reference->files();
                rows.candidate_files = candidate.files();
                // The first vocabulary_ tokens of each row, in buffers whose rows are the models' own.
                compare_rows(
                    matrix_view<const float>(w.reference_rows.data(), want, vocabulary_, w.reference->vocabulary()),
                    matrix_view<const float>(w.candidate_rows.data(), want, vocabulary_, candidate.vocabulary()), ids,
                    rows, std::span(compared[k]).subspan(offset + static_cast<std::size_t>(row - first), want),
                    {std::span(w.reference_floors).first(want), std::span(w.candidate_floors).first(want)});
            }
            row += want;
        }
        w.position = last;
    }

    error beyond(const std::string& model, std::size_t own) const {
        return error(function, "vocabulary = " + std::to_string(opts_.vocabulary) + ", but the " + model + " has " +
                                   std::to_string(own) + " tokens: the tokens compared must be in every model");
    }

    error ended(const std::string& model, std::uint64_t row) const {
        return error(function,
                     "the " + model + " ended at row " + std::to_string(row) + " of " + std::to_string(positions_));
    }

    const io::model_rows& reference_;
    const std::vector<io::model_rows>& candidates_;
    const model_comparison_options& opts_;
    std::vector<worker> workers_;
    std::size_t vocabulary_ = 0, widest_ = 0, rows_per_read_ = 1, unit_rows_ = 1;
    std::uint64_t positions_ = 0, begin_ = 0, end_ = 0;
};

}  // namespace

void require_scored_positions(const model_comparison& comparison) {
    if (comparison.overall.statistics().positions != 0) return;
    throw error(function, comparison.positions == 0
                              ? std::string("the models have no positions, so nothing is compared")
                              : "the mask leaves out all " + std::to_string(comparison.positions) +
                                    " positions, so nothing is compared");
}

std::vector<model_comparison> compare_models(const io::model_rows& reference,
                                             const std::vector<io::model_rows>& candidates,
                                             const model_comparison_options& opts) {
    return comparison_run(reference, candidates, opts).run();
}

std::vector<model_comparison> compare_models(const std::vector<std::filesystem::path>& reference,
                                             const std::vector<std::vector<std::filesystem::path>>& candidates,
                                             const model_comparison_options& opts) {
    std::vector<io::model_rows> models;
    for (std::size_t k = 0; k < candidates.size(); ++k)
        models.push_back(io::files_model(candidates[k],
                                         candidates.size() == 1 ? "candidate" : "candidate " + std::to_string(k + 1)));
    return compare_models(io::files_model(reference, "reference"), models, opts);
}

model_comparison compare_models(const std::vector<std::filesystem::path>& reference,
                                const std::vector<std::filesystem::path>& candidate,
                                const model_comparison_options& opts) {
    return std::move(
        compare_models(reference, std::vector<std::vector<std::filesystem::path>>{candidate}, opts).front());
}

}  // namespace kldiv::llm
