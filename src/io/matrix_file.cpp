#include "kldiv/io/matrix_file.hpp"

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "src/io/input_file.hpp"
#include "src/io/npy.hpp"

namespace kldiv::io {
namespace {

constexpr const char* reader_name = "read_matrix";

// Reads the data of `h` into `out` (rows × cols, row-major), transposing Fortran-order data.
template <class T>
void read_rows(detail::input_file& file, const detail::npy_header& h, std::size_t rows, std::size_t cols,
               std::vector<T>& out) {
    out.resize(rows * cols);
    if (!h.fortran_order || rows == 1 || cols == 1) {  // a single row or column is the same in both orders
        detail::read_npy_values(file, h, std::span<T>(out), reader_name);
        return;
    }
    std::vector<T> columns(rows * cols);  // element (i, j) at j * rows + i
    detail::read_npy_values(file, h, std::span<T>(columns), reader_name);
    for (std::size_t j = 0; j < cols; ++j) {
        const T* column = columns.data() + j * rows;
        for (std::size_t i = 0; i < rows; ++i) out[i * cols + j] = column[i];
    }
}

}  // namespace

matrix_file read_matrix(const std::filesystem::path& path) {
    using namespace detail;
    input_file file = open_input_file(path, reader_name);
    const npy_header h = read_npy_header(file, reader_name);
    require_npy_float(h, file.name, reader_name, "a matrix file", "a.astype(numpy.float32)");
    if (h.shape.size() != 2) {
        throw error(reader_name,
                    file.name + ": npy header field 'shape' is " + npy_shape_text(h.shape) + ", a " +
                        std::to_string(h.shape.size()) +
                        "-D array, but a matrix file needs a 2-D array of shape (rows, cols), one "
                        "distribution per row" +
                        (h.shape.size() == 1 ? "; make one row of it with a.reshape(1, -1)"
                         : h.shape.empty()   ? ""
                                             : "; merge the leading dimensions with a.reshape(-1, a.shape[-1])"));
    }
    if (h.shape[0] == 0 || h.shape[1] == 0) {
        throw error(reader_name, file.name + ": npy header field 'shape' is " + npy_shape_text(h.shape) +
                                     ": the array holds no values, but a matrix file needs at least one row of at "
                                     "least one event");
    }
    check_npy_data_size(h, file.size, file.name, reader_name);  // before allocating
    matrix_file m;
    m.rows = static_cast<std::size_t>(h.shape[0]);
    m.cols = static_cast<std::size_t>(h.shape[1]);
    m.dtype = npy_dtype_name(h);
    m.is_double = h.type == npy_float::float64;
    if (m.is_double) {
        read_rows(file, h, m.rows, m.cols, m.f64);
    } else {
        read_rows(file, h, m.rows, m.cols, m.f32);
    }
    return m;
}

std::optional<std::size_t> npy_dimensions(const std::filesystem::path& path) noexcept {
    try {
        std::error_code ignored;
        if (!std::filesystem::is_regular_file(path, ignored)) return std::nullopt;
        detail::input_file file = detail::open_input_file(path, reader_name);
        if (!detail::starts_with_npy_magic(file)) return std::nullopt;
        return detail::read_npy_header(file, reader_name).shape.size();
    } catch (...) {
        return std::nullopt;
    }
}

void write_matrix(const std::filesystem::path& path, matrix_view<const double> m) {
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(m.rows) + ", " +
                         std::to_string(m.cols) + "), }";
    // magic (6) + version (2) + length (2) + header + padding + newline: a multiple of 64 bytes
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    std::string bytes("\x93NUMPY\x01\x00", 8);
    bytes.push_back(static_cast<char>(header.size() & 0xff));
    bytes.push_back(static_cast<char>(header.size() >> 8));
    bytes += header;
    bytes.reserve(bytes.size() + m.rows * m.cols * sizeof(double));
    for (std::size_t i = 0; i < m.rows; ++i) {
        for (std::size_t j = 0; j < m.cols; ++j) {
            const auto bits = std::bit_cast<std::uint64_t>(m.row(i)[j]);
            for (int b = 0; b < 8; ++b) bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));  // little-endian
        }
    }
    write_file_atomically(path, bytes);
}

}  // namespace kldiv::io
