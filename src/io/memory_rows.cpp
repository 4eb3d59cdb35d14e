// memory_model: rows in memory as a row_source (include/kldiv/io/memory_rows.hpp).

#include "kldiv/io/memory_rows.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "kldiv/error.hpp"
#include "src/io/float16_kernels.hpp"

namespace kldiv::io {
namespace {

constexpr const char* function = "memory_model";

template <class T>
const char* type_name() {
    if constexpr (std::is_same_v<T, float>) return "float32";
    if constexpr (std::is_same_v<T, double>) return "float64";
    if constexpr (std::is_same_v<T, float16>) return "float16";
    return "bfloat16";
}

template <class T>
void widen(const T* in, float* out, std::size_t n) {
    if constexpr (std::is_same_v<T, float16>) {
        detail::widen_float16(in, out, n);
    } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(in[i]);
    }
}

template <class T>
class memory_rows final : public row_source {
public:
    memory_rows(matrix_view<const T> rows, const std::string& name) : rows_(rows), files_{{name, 0, rows.rows}} {}

    std::size_t vocabulary() const override { return rows_.cols; }
    std::uint64_t rows() const override { return rows_.rows; }
    const std::vector<source_file>& files() const override { return files_; }
    std::string format() const override { return std::string("array ") + type_name<T>(); }
    double bytes_per_row() const override { return static_cast<double>(sizeof(T) * rows_.cols); }
    void seek(std::uint64_t row) override {
        if (row > rows_.rows) {
            throw error(function, "cannot seek to row " + std::to_string(row) + " of " + std::to_string(rows_.rows));
        }
        next_ = static_cast<std::size_t>(row);
    }
    std::size_t read(std::span<float> out, std::span<std::int32_t>, std::span<float> floors,
                     std::size_t max_rows) override {
        const std::size_t n = std::min(max_rows, rows_.rows - next_), v = rows_.cols;
        for (std::size_t i = 0; i < n; ++i) widen(rows_.row(next_ + i), out.data() + i * v, v);
        std::fill_n(floors.begin(), std::min(floors.size(), n), -std::numeric_limits<float>::infinity());
        next_ += n;
        return n;
    }

private:
    matrix_view<const T> rows_;
    std::vector<source_file> files_;
    std::size_t next_ = 0;
};

template <class T>
model_rows model_of(matrix_view<const T> rows, const std::string& name) {
    if (rows.cols < row_source_min_vocab || rows.cols > row_source_max_vocab) {
        throw error(function, name + " holds rows over " + std::to_string(rows.cols) +
                                  " tokens, but a vocabulary must have " + std::to_string(row_source_min_vocab) +
                                  " to " + std::to_string(row_source_max_vocab) + " (2^24) tokens");
    }
    if (rows.row_stride < rows.cols) {
        throw error(function, name + " has a row stride of " + std::to_string(rows.row_stride) +
                                  " elements, but rows must not overlap (>= " + std::to_string(rows.cols) + ")");
    }
    if (rows.rows > 0 && rows.data == nullptr) throw error(function, name + " has rows but no data (null pointer)");
    return [rows, name] { return std::unique_ptr<row_source>(new memory_rows<T>(rows, name)); };
}

}  // namespace

model_rows memory_model(matrix_view<const float> rows, const std::string& name) { return model_of(rows, name); }
model_rows memory_model(matrix_view<const double> rows, const std::string& name) { return model_of(rows, name); }
model_rows memory_model(matrix_view<const float16> rows, const std::string& name) { return model_of(rows, name); }
model_rows memory_model(matrix_view<const bfloat16> rows, const std::string& name) { return model_of(rows, name); }

}  // namespace kldiv::io
