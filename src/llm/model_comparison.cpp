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

// One worker's streams of the two models and its rows buffers.
struct worker {
    std::unique_ptr<io::row_source> reference, candidate;
    std::uint64_t position = all_rows;  // where the streams stand
    std::vector<float> reference_rows, candidate_rows;
    std::vector<float> reference_floors, candidate_floors;  // per row (row_source::read)
    std::vector<std::int32_t> carried, candidate_carried;   // token ids each model's files carry
};

class comparison_run {
public:
    comparison_run(const std::vector<std::filesystem::path>& reference,
                   const std::vector<std::filesystem::path>& candidate, const model_comparison_options& opts)
        : reference_paths_(reference), candidate_paths_(candidate), opts_(opts) {
        workers_.resize(kldiv::detail::worker_count(opts.rows.threads));
        open(workers_[0]);
        const io::row_source& r = *workers_[0].reference;
        const io::row_source& c = *workers_[0].candidate;
        vocabulary_ = r.vocabulary();
        positions_ = r.rows();
        if (c.vocabulary() != vocabulary_ || c.rows() != positions_) {
            throw error(function, "the reference has " + std::to_string(positions_) + " positions over " +
                                      std::to_string(vocabulary_) + " tokens and the candidate " +
                                      std::to_string(c.rows()) + " over " + std::to_string(c.vocabulary()) +
                                      ", but they must match");
        }
        check_length("the token ids", opts.next_tokens.size(), positions_);
        check_length("the mask", opts.mask.size(), positions_);
        if (opts.first_row > positions_) {
            throw error(function, "first_row = " + std::to_string(opts.first_row) + ", but the models have " +
                                      std::to_string(positions_) + " positions");
        }
        const double chunk_bytes =
            (r.chunk_rows() > 1 ? static_cast<double>(r.chunk_rows()) * r.bytes_per_row() : 0.0) +
            (c.chunk_rows() > 1 ? static_cast<double>(c.chunk_rows()) * c.bytes_per_row() : 0.0);
        if (chunk_bytes > 0) {
            workers_.resize(
                std::clamp<std::size_t>(static_cast<std::size_t>(chunk_budget / chunk_bytes), 1, workers_.size()));
        }
        begin_ = opts.first_row;
        end_ = begin_ + std::min(opts.row_count, positions_ - begin_);
        const std::size_t row_bytes = 2 * sizeof(float) * vocabulary_;
        // Each worker holds at least a row of both models: no more workers than block_bytes holds.
        workers_.resize(std::clamp<std::size_t>(opts.block_bytes / row_bytes, 1, workers_.size()));
        rows_per_read_ = std::clamp<std::size_t>(std::min(cache_bytes, opts.block_bytes / workers_.size()) / row_bytes,
                                                 1, max_rows_per_read);
        // Units are whole stored chunks of both models (when their least common multiple is not huge)
        // and at least a few reads long.
        const std::size_t chunk = std::lcm(r.chunk_rows(), c.chunk_rows()) <= (std::size_t{1} << 16)
                                      ? std::lcm(r.chunk_rows(), c.chunk_rows())
                                      : std::max(r.chunk_rows(), c.chunk_rows());
        unit_rows_ = (4 * rows_per_read_ + chunk - 1) / chunk * chunk;
    }

    model_comparison run() {
        model_comparison result;
        const io::row_source& r = *workers_[0].reference;
        const io::row_source& c = *workers_[0].candidate;
        result.reference_format = r.format();
        result.candidate_format = c.format();
        result.vocabulary = vocabulary_;
        result.positions = positions_;
        result.token_source = !opts_.next_tokens.empty() ? "--tokens" : r.carries_tokens() ? "reference" : "none";
        for (const io::source_file& f : c.files()) {
            const std::uint64_t first = std::max(f.first_row, begin_), last = std::min(f.first_row + f.rows, end_);
            if (first < last) result.files.push_back({f.name, first, last - first, {}});
        }
        comparison_summary current;  // of result.files[file]
        std::size_t file = 0;
        const auto close_file = [&] {
            result.files[file++].statistics = current.statistics();
            if (opts_.keep_file_summaries) result.file_summaries.push_back(current);
            result.overall.merge(current);
            current = comparison_summary();
        };

        const double bytes_per_row = r.bytes_per_row() + c.bytes_per_row();
        const std::size_t round_units = units_per_worker * workers_.size();
        std::vector<token_comparison> compared(round_units * unit_rows_);
        kldiv::progress progress{0, end_ - begin_, 0.0};
        if (opts_.progress) opts_.progress(progress);
        for (std::uint64_t round_begin = begin_; round_begin < end_;) {
            // Unit k of the round: rows [unit_begin(k), unit_begin(k + 1)), units aligned to multiples of unit_rows_.
            const auto unit_begin = [&](std::size_t k) {
                const std::uint64_t aligned = round_begin / unit_rows_ * unit_rows_ + k * unit_rows_;
                return std::clamp(aligned, round_begin, end_);
            };
            std::size_t units = 0;
            while (units < round_units && unit_begin(units) < end_) ++units;
            const std::uint64_t round_end = unit_begin(units);
            kldiv::detail::parallel_for(units, static_cast<unsigned>(workers_.size()), [&](std::size_t k, unsigned w) {
                const std::uint64_t first = unit_begin(k);
                compare_unit(workers_[w], first, unit_begin(k + 1),
                             std::span(compared).subspan(static_cast<std::size_t>(first - round_begin)));
            });
            for (std::uint64_t row = round_begin; row < round_end; ++row) {
                while (row >= result.files[file].first_row + result.files[file].rows) close_file();
                if (!opts_.mask.empty() && opts_.mask[row] == 0) continue;
                current.add(compared[static_cast<std::size_t>(row - round_begin)]);
            }
            progress.done += round_end - round_begin;
            progress.bytes_done += static_cast<double>(round_end - round_begin) * bytes_per_row;
            round_begin = round_end;
            if (opts_.progress) opts_.progress(progress);
        }
        while (file < result.files.size()) close_file();
        return result;
    }

private:
    void open(worker& w) const {
        w.reference = io::open_rows(reference_paths_, "reference");
        w.candidate = io::open_rows(candidate_paths_, "candidate");
    }

    // Both models' files carry the token each row predicts (llama.cpp base files, kldiv reference
    // files): they must be the same (where both are known), or the two models did not read the same text.
    static void check_same_tokens(const worker& w, std::uint64_t row, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            if (w.carried[i] == w.candidate_carried[i] || w.carried[i] < 0 || w.candidate_carried[i] < 0) continue;
            const std::uint64_t position = row + i;
            throw error(function, "position " + std::to_string(position) + ": " +
                                      io::file_and_row(w.reference->files(), position, "reference") +
                                      " predicts token id " + std::to_string(w.carried[i]) + " and " +
                                      io::file_and_row(w.candidate->files(), position, "candidate") + " token id " +
                                      std::to_string(w.candidate_carried[i]) +
                                      ", but both models must have read the same tokens");
        }
    }

    // Compares rows [first, last) into out[0, last − first).
    void compare_unit(worker& w, std::uint64_t first, std::uint64_t last, std::span<token_comparison> out) const {
        if (!w.reference) open(w);
        if (w.reference_rows.empty()) {
            w.reference_rows.resize(rows_per_read_ * vocabulary_);
            w.candidate_rows.resize(rows_per_read_ * vocabulary_);
            w.reference_floors.resize(rows_per_read_);
            w.candidate_floors.resize(rows_per_read_);
            w.carried.resize(w.reference->carries_tokens() ? rows_per_read_ : 0);
            w.candidate_carried.resize(w.candidate->carries_tokens() ? rows_per_read_ : 0);
        }
        if (w.position != first) {
            w.reference->seek(first);
            w.candidate->seek(first);
        }
        for (std::uint64_t row = first; row < last;) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(rows_per_read_, last - row));
            const std::size_t got_reference = w.reference->read(w.reference_rows, w.carried, w.reference_floors, want);
            const std::size_t got_candidate =
                w.candidate->read(w.candidate_rows, w.candidate_carried, w.candidate_floors, want);
            if (got_reference != want || got_candidate != want) {
                throw error(function, "the " + std::string(got_reference != want ? "reference" : "candidate") +
                                          " ended at row " +
                                          std::to_string(row + std::min(got_reference, got_candidate)) + " of " +
                                          std::to_string(positions_));
            }
            if (!w.carried.empty() && !w.candidate_carried.empty()) check_same_tokens(w, row, want);
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
            rows.candidate_files = w.candidate->files();
            compare_rows(matrix_view<const float>(w.reference_rows.data(), want, vocabulary_),
                         matrix_view<const float>(w.candidate_rows.data(), want, vocabulary_), ids, rows,
                         out.subspan(static_cast<std::size_t>(row - first), want),
                         {std::span(w.reference_floors).first(want), std::span(w.candidate_floors).first(want)});
            row += want;
        }
        w.position = last;
    }

    const std::vector<std::filesystem::path>& reference_paths_;
    const std::vector<std::filesystem::path>& candidate_paths_;
    const model_comparison_options& opts_;
    std::vector<worker> workers_;
    std::size_t vocabulary_ = 0, rows_per_read_ = 1, unit_rows_ = 1;
    std::uint64_t positions_ = 0, begin_ = 0, end_ = 0;
};

}  // namespace

model_comparison compare_models(const std::vector<std::filesystem::path>& reference,
                                const std::vector<std::filesystem::path>& candidate,
                                const model_comparison_options& opts) {
    return comparison_run(reference, candidate, opts).run();
}

}  // namespace kldiv::llm
