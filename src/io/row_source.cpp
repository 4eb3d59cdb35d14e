// open_rows: the row stream over .npy arrays, llama.cpp base files and kldiv reference files, one
// shard after another (include/kldiv/io/row_source.hpp).

#include "kldiv/io/row_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "kldiv/error.hpp"
#include "kldiv/io/llama_kl_base.hpp"
#include "kldiv/io/reference_file.hpp"
#include "kldiv/io/safetensors_rows.hpp"
#include "src/io/input_file.hpp"
#include "src/io/npy.hpp"

namespace kldiv::io {
namespace {

constexpr const char* function = "open_rows";

// One file of a stream.
class shard {
public:
    virtual ~shard() = default;
    virtual std::size_t vocabulary() const = 0;
    virtual std::uint64_t rows() const = 0;
    virtual std::string format() const = 0;
    virtual bool carries_tokens() const = 0;
    virtual bool has_floors() const { return false; }
    virtual double bytes_per_row() const = 0;
    virtual std::size_t chunk_rows() const { return 1; }
    virtual void seek(std::uint64_t row) = 0;
    virtual std::size_t read(std::span<float> out, std::span<std::int32_t> next_tokens, std::span<float> floors,
                             std::size_t max_rows) = 0;
};

// Rows without floored entries: the first n floors (when asked for) are −inf.
std::size_t unfloored(std::span<float> floors, std::size_t n) {
    if (!floors.empty()) std::fill_n(floors.begin(), n, -std::numeric_limits<float>::infinity());
    return n;
}

class npy_shard final : public shard {
public:
    explicit npy_shard(const std::filesystem::path& path) : file_(io::detail::open_input_file(path, function)) {
        header_ = io::detail::read_npy_header(file_, function);
        io::detail::require_npy_float(header_, file_.name, function, "a file of model rows", "a.astype(numpy.float32)");
        if (header_.shape.size() != 2 || header_.fortran_order) {
            throw error(function, file_.name + ": a " + io::detail::npy_dtype_name(header_) + " array of shape " +
                                      io::detail::npy_shape_text(header_.shape) +
                                      (header_.fortran_order ? " in Fortran order" : "") +
                                      ", but model rows must be a 2-D float16, float32 or float64 array (positions x "
                                      "vocabulary) in C order");
        }
        io::detail::check_npy_data_size(header_, file_.size, file_.name, function);
    }
    std::size_t vocabulary() const override { return static_cast<std::size_t>(header_.shape[1]); }
    std::uint64_t rows() const override { return header_.shape[0]; }
    std::string format() const override { return "npy " + io::detail::npy_dtype_name(header_); }
    bool carries_tokens() const override { return false; }
    double bytes_per_row() const override { return static_cast<double>(header_.itemsize * header_.shape[1]); }
    std::size_t read(std::span<float> out, std::span<std::int32_t>, std::span<float> floors,
                     std::size_t max_rows) override {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max_rows, rows() - next_));
        if (n == 0) return 0;
        io::detail::npy_header part = header_;
        part.shape = {n, header_.shape[1]};
        part.element_count = n * header_.shape[1];
        io::detail::read_npy_values(file_, part, out.first(part.element_count), function);
        next_ += n;
        return unfloored(floors, n);
    }
    void seek(std::uint64_t row) override {
        file_.stream->clear();
        if (!file_.stream->seekg(
                static_cast<std::streamoff>(header_.data_offset + row * header_.itemsize * header_.shape[1]))) {
            throw error(function, file_.name + ": cannot seek to row " + std::to_string(row));
        }
        next_ = row;
    }

private:
    io::detail::input_file file_;
    io::detail::npy_header header_;
    std::uint64_t next_ = 0;
};

class llama_shard final : public shard {
public:
    explicit llama_shard(const std::filesystem::path& path) : reader_(path), next_tokens_(reader_.next_tokens()) {}
    std::size_t vocabulary() const override { return reader_.n_vocab(); }
    std::uint64_t rows() const override { return reader_.n_rows(); }
    std::string format() const override { return "llama.cpp KL base"; }
    bool carries_tokens() const override { return true; }
    double bytes_per_row() const override { return 2.0 * (4 + 2 * ((reader_.n_vocab() + 1) / 2)); }
    bool has_floors() const override { return true; }
    std::size_t read(std::span<float> out, std::span<std::int32_t> next_tokens, std::span<float> floors,
                     std::size_t max_rows) override {
        const std::size_t first = reader_.next_row();
        quantization_.resize(max_rows);
        const std::size_t n = reader_.read_rows(out, max_rows, quantization_);
        for (std::size_t i = 0; i < n && !floors.empty(); ++i) {
            floors[i] = quantization_[i].floor_clamped() ? quantization_[i].min_log_prob
                                                         : -std::numeric_limits<float>::infinity();
        }
        if (!next_tokens.empty())
            std::copy_n(next_tokens_.begin() + static_cast<std::ptrdiff_t>(first), n, next_tokens.begin());
        return n;
    }
    void seek(std::uint64_t row) override { reader_.seek_row(static_cast<std::size_t>(row)); }

private:
    llama_kl_base_reader reader_;
    std::vector<std::int32_t> next_tokens_;
    std::vector<llama_row_quantization> quantization_;
};

class reference_shard final : public shard {
public:
    explicit reference_shard(const std::filesystem::path& path) : reader_(path) {}
    std::size_t vocabulary() const override { return reader_.n_vocab(); }
    std::uint64_t rows() const override { return reader_.rows(); }
    std::string format() const override { return "kldiv reference " + name(reader_.encoding()); }
    bool carries_tokens() const override { return reader_.has_tokens(); }
    double bytes_per_row() const override {
        return reader_.encoding() == reference_encoding::float32 ? 4.0 * reader_.n_vocab() : 2.0 * reader_.n_vocab();
    }
    std::size_t read(std::span<float> out, std::span<std::int32_t> next_tokens, std::span<float> floors,
                     std::size_t max_rows) override {
        return unfloored(floors,
                         reader_.read_rows(out, next_tokens.first(std::min(next_tokens.size(), max_rows)), max_rows));
    }
    std::size_t chunk_rows() const override { return reader_.rows_per_chunk(); }
    void seek(std::uint64_t row) override { reader_.seek(row); }

private:
    reference_reader reader_;
};

class safetensors_shard final : public shard {
public:
    explicit safetensors_shard(const std::filesystem::path& path) : rows_({path}) {}
    std::size_t vocabulary() const override { return rows_.vocabulary(); }
    std::uint64_t rows() const override { return rows_.rows(); }
    std::string format() const override { return "safetensors " + std::string(dtype_name(rows_.shards()[0].dtype)); }
    bool carries_tokens() const override { return false; }
    double bytes_per_row() const override {
        return static_cast<double>(dtype_bits(rows_.shards()[0].dtype) / 8 * rows_.vocabulary());
    }
    std::size_t read(std::span<float> out, std::span<std::int32_t>, std::span<float> floors,
                     std::size_t max_rows) override {
        return unfloored(floors, rows_.read(out, max_rows));
    }
    void seek(std::uint64_t row) override { rows_.seek_row(static_cast<std::size_t>(row)); }

private:
    safetensors_rows rows_;
};

// A safetensors file starts with the little-endian length of its JSON header, which opens with '{'
// (possibly after spaces).
bool looks_like_safetensors(std::string_view start) {
    if (start.size() < 9) return false;
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = length << 8 | static_cast<unsigned char>(start[static_cast<std::size_t>(i)]);
    const std::size_t brace = start.find_first_not_of(" \t\r\n", 8);
    return length >= 2 && length <= safetensors_max_header_bytes && brace != std::string_view::npos &&
           start[brace] == '{';
}

std::unique_ptr<shard> open_shard(const std::filesystem::path& path, const std::string& role) {
    std::error_code code;
    if (std::filesystem::exists(path, code) && !std::filesystem::is_regular_file(path, code)) {
        throw error(function, role + " file " + path.string() +
                                  " is not a regular file (a pipe?), but model files must be: each thread reading them "
                                  "opens them and seeks in them. Write it to a file first");
    }
    std::string start(64, '\0');
    {
        io::detail::input_file file = io::detail::open_input_file(path, function);
        file.stream->read(start.data(), 64);
        start.resize(static_cast<std::size_t>(file.stream->gcount()));
    }
    const std::string_view magic = std::string_view(start).substr(0, 8);
    if (io::detail::has_npy_magic(start)) return std::make_unique<npy_shard>(path);
    if (magic == "_logits_") return std::make_unique<llama_shard>(path);
    if (magic == "KLDIVREF") return std::make_unique<reference_shard>(path);
    if (looks_like_safetensors(start)) return std::make_unique<safetensors_shard>(path);
    throw error(function, role + " file " + path.string() +
                              ": not a .npy array, a safetensors file, a llama.cpp KL base file or a kldiv reference "
                              "file (by its first bytes)");
}

class sharded_rows final : public row_source {
public:
    sharded_rows(const std::vector<std::filesystem::path>& paths, const std::string& role) {
        if (paths.empty()) throw error(function, "no " + role + " files were given");
        for (const auto& path : paths) {
            shards_.push_back(open_shard(path, role));
            const shard& s = *shards_.back();
            if (s.vocabulary() < row_source_min_vocab || s.vocabulary() > row_source_max_vocab) {
                throw error(function, role + " file " + path.string() + " holds rows over " +
                                          std::to_string(s.vocabulary()) + " tokens, but a vocabulary must have " +
                                          std::to_string(row_source_min_vocab) + " to " +
                                          std::to_string(row_source_max_vocab) + " (2^24) tokens");
            }
            if (s.format() != shards_.front()->format() || s.vocabulary() != shards_.front()->vocabulary()) {
                throw error(function, role + " file " + path.string() + " holds " + s.format() + " rows over " +
                                          std::to_string(s.vocabulary()) + " tokens, but " + files_.front().name +
                                          " holds " + shards_.front()->format() + " rows over " +
                                          std::to_string(shards_.front()->vocabulary()) + ": shards must agree");
            }
            files_.push_back({path.string(), rows_, s.rows()});
            rows_ += s.rows();
        }
    }
    std::size_t vocabulary() const override { return shards_.front()->vocabulary(); }
    std::uint64_t rows() const override { return rows_; }
    const std::vector<source_file>& files() const override { return files_; }
    std::string format() const override { return shards_.front()->format(); }
    bool carries_tokens() const override { return shards_.front()->carries_tokens(); }
    bool has_floors() const override { return shards_.front()->has_floors(); }
    double bytes_per_row() const override { return shards_.front()->bytes_per_row(); }
    std::size_t chunk_rows() const override { return shards_.front()->chunk_rows(); }
    void seek(std::uint64_t row) override {
        if (row > rows_)
            throw error(function, "cannot seek to row " + std::to_string(row) + " of " + std::to_string(rows_));
        current_ = 0;
        while (current_ < shards_.size() && row >= files_[current_].first_row + files_[current_].rows) ++current_;
        if (current_ < shards_.size()) shards_[current_]->seek(row - files_[current_].first_row);
    }
    std::size_t read(std::span<float> out, std::span<std::int32_t> next_tokens, std::span<float> floors,
                     std::size_t max_rows) override {
        std::size_t done = 0;
        const std::size_t v = vocabulary();
        while (done < max_rows && current_ < shards_.size()) {
            const std::size_t n = shards_[current_]->read(
                out.subspan(done * v), next_tokens.empty() ? next_tokens : next_tokens.subspan(done),
                floors.empty() ? floors : floors.subspan(done), max_rows - done);
            if (n == 0) {
                if (++current_ < shards_.size()) shards_[current_]->seek(0);
                continue;
            }
            done += n;
        }
        return done;
    }

private:
    std::vector<std::unique_ptr<shard>> shards_;
    std::vector<source_file> files_;
    std::uint64_t rows_ = 0;
    std::size_t current_ = 0;
};

}  // namespace

std::string file_and_row(std::span<const source_file> files, std::uint64_t row, const std::string& role) {
    for (const source_file& f : files) {
        if (row >= f.first_row && row < f.first_row + f.rows) {
            return role + " file " + f.name + " (its row " + std::to_string(row - f.first_row) + ")";
        }
    }
    return "the " + role;
}

std::unique_ptr<row_source> open_rows(const std::vector<std::filesystem::path>& paths, const std::string& role) {
    return std::make_unique<sharded_rows>(paths, role);
}

model_rows files_model(const std::vector<std::filesystem::path>& paths, const std::string& role) {
    return [paths, role] { return open_rows(paths, role); };
}

std::vector<std::int32_t> read_token_ids(const std::filesystem::path& path) {
    io::detail::input_file file = io::detail::open_input_file(path, "read_token_ids");
    const std::vector<std::int64_t> values = io::detail::read_npy_integers(file, "read_token_ids");
    std::vector<std::int32_t> ids(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] < -1 || values[i] > std::numeric_limits<std::int32_t>::max()) {
            throw error("read_token_ids", file.name + ": element " + std::to_string(i) + " = " +
                                              std::to_string(values[i]) +
                                              ", but token ids must be -1 (unknown) or in [0, 2^31)");
        }
        ids[i] = static_cast<std::int32_t>(values[i]);
    }
    return ids;
}

std::vector<std::uint8_t> read_mask(const std::filesystem::path& path) {
    io::detail::input_file file = io::detail::open_input_file(path, "read_mask");
    const std::vector<std::int64_t> values = io::detail::read_npy_integers(file, "read_mask");
    std::vector<std::uint8_t> mask(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) mask[i] = values[i] != 0;
    return mask;
}

}  // namespace kldiv::io
