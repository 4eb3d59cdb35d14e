#pragma once
// Reading a matrix of distributions (one per row) from a 2-D NumPy .npy file, for the batched
// measures of kldiv/batch.hpp; writing a matrix of results as one.
//
// read_matrix(path) accepts .npy format versions 1.0, 2.0 and 3.0 holding a 2-D array of shape
// (rows, cols), rows >= 1 and cols >= 1, of float16, float32 or float64 in either byte order
// ('<f2', '<f4', '<f8', '>f2', '>f4', '>f8'):
//   - float16 and float32 are kept as float (float16 converts exactly), float64 as double;
//   - C order (row-major) is read as is; Fortran order (column-major, 'fortran_order': True) is
//     transposed on reading, so the result is always row-major (this needs a second buffer of the
//     matrix's size while it is transposed);
//   - the file size is checked against shape × itemsize before anything is allocated.
// Values are read, not judged: NaN, infinities and negative numbers are left for the measures.
// Errors throw kldiv::error with function() == "read_matrix" and a message naming the file and the
// rule, e.g.
//   read_matrix: p.npy: npy header field 'shape' is (3,), a 1-D array, but a matrix file needs a 2-D array of shape (rows, cols); ...
//   read_matrix: p.npy: npy header field 'descr' is '<i8' (int64), but a matrix file must hold float16, float32 or float64; ...
//   read_matrix: p.npy: header field 'shape' is (2, 3) of float32 ('<f4'), which needs 24 data bytes ... but the file has 20 (truncated file, or a wrong shape)

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kldiv/views.hpp"

namespace kldiv::io {

struct matrix_file {
    std::size_t rows = 0;
    std::size_t cols = 0;
    bool is_double = false;   // float64 in the file: the values are in f64; otherwise in f32
    std::vector<float> f32;   // rows × cols values, row-major, when !is_double (float16 or float32 in the file)
    std::vector<double> f64;  // rows × cols values, row-major, when is_double
    std::string dtype;        // the file's element type: "float16", "float32" or "float64"

    matrix_view<const float> floats() const noexcept { return {f32.data(), rows, cols}; }
    // The values as doubles (f64; widened exactly from f32 when they are floats).
    void to_double() {
        if (is_double) return;
        f64.assign(f32.begin(), f32.end());
        f32 = {};
        is_double = true;
    }
    matrix_view<const double> doubles() const noexcept { return {f64.data(), rows, cols}; }
};

matrix_file read_matrix(const std::filesystem::path& path);

// Writes m as a .npy file (format 1.0, '<f8', C order, shape (rows, cols)) whole or not at all
// (write_file_atomically); NumPy reads it with numpy.load.
void write_matrix(const std::filesystem::path& path, matrix_view<const double> m);

// The number of dimensions that the .npy file at `path` declares, from its header alone (no data
// is read). std::nullopt when `path` is not a regular file, cannot be opened, does not start with
// the npy magic string, or has a header that does not parse: the reader that is then used reports
// what is wrong. Never reads a pipe or a device, so it does not consume input meant for a reader.
std::optional<std::size_t> npy_dimensions(const std::filesystem::path& path) noexcept;

}  // namespace kldiv::io
