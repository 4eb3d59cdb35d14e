#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0, as published in numpy/lib/format.py and
// NEP 1): the header parser and the element readers shared by every reader of .npy arrays.
//
// Layout: magic "\x93NUMPY" (6 bytes), major and minor version (1 byte each), header length
// (little-endian uint16 for 1.0, uint32 for 2.0 and 3.0), then the header: a Python dict literal
// {'descr': '<f8', 'fortran_order': False, 'shape': (3,), } padded with spaces and ending in '\n'
// (latin-1 for 1.0/2.0, UTF-8 for 3.0), then the raw array data up to the end of the file.
//
// Use: h = read_npy_header(file, function); check h.type / h.shape for what the caller accepts;
// check_npy_data_size(h, file.size, file.name, function) BEFORE allocating; then
// read_npy_values(file, h, out, function), or read_npy_elements piece by piece. For 2-D data the
// values come in file order: row-major, or column-major when h.fortran_order.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/io/input_file.hpp"

namespace kldiv::io::detail {

inline constexpr std::string_view npy_magic{"\x93NUMPY", 6};

// Largest header accepted. numpy writes a few hundred bytes for plain arrays (and itself refuses
// headers over 10 000 bytes unless told otherwise).
inline constexpr std::uint64_t npy_max_header_bytes = 1u << 20;

enum class npy_float { none, float16, float32, float64 };

struct npy_header {
    int major_version = 0;
    int minor_version = 0;
    std::string descr;                 // the dtype as written, e.g. "<f8"
    npy_float type = npy_float::none;  // set when descr is a float16/32/64 dtype; none otherwise
    bool big_endian = false;           // byte order of the data ('>' in descr)
    std::uint64_t itemsize = 0;        // bytes per element; 0 when descr is not understood
    bool fortran_order = false;        // true: column-major data (matters for 2-D and up)
    std::vector<std::uint64_t> shape;  // empty for a 0-d (scalar) array
    std::uint64_t element_count = 1;   // product of shape (checked for overflow)
    std::uint64_t data_offset = 0;     // byte offset of the array data in the file
};

// True when `prefix` starts with the .npy magic string.
inline bool has_npy_magic(std::string_view prefix) noexcept { return prefix.substr(0, 6) == npy_magic; }

// True when `file` starts with the .npy magic string; leaves the stream at byte 0.
bool starts_with_npy_magic(input_file& file);

// Parses the preamble and header dict from `bytes`, the first bytes of a file of `file_size` bytes
// named `source`. `bytes` must hold the whole preamble and header when the file does (the function
// reports a truncated file otherwise). Checks magic, version, header length, dict syntax, keys, the
// types of the three fields, the shape (non-negative, product fits in 64 bits); it does not judge
// the dtype or the data size: see the functions below.
npy_header parse_npy_header(std::string_view bytes, std::uint64_t file_size, const std::string& source,
                            const char* function);

// Reads the preamble and header from the start of `file` (at most npy_max_header_bytes plus 12
// bytes, whatever the file claims) and parses it; leaves the stream at h.data_offset.
npy_header read_npy_header(input_file& file, const char* function);

// Throws unless the file holds exactly element_count × itemsize bytes after the header; call it
// before allocating anything sized by the header.
void check_npy_data_size(const npy_header& h, std::uint64_t file_size, const std::string& source, const char* function);

// "(3,)", "(2, 5)", "()" — the shape as Python prints it.
std::string npy_shape_text(const std::vector<std::uint64_t>& shape);

// "float64", "int32", "complex128", "<U5", ...: a readable name for the dtype in messages.
std::string npy_dtype_name(const npy_header& h);

// The one dtype rule of every .npy reader: throws unless h holds float16, float32 or float64 (either
// byte order), naming `source`, the dtype, `what` the file is ("a distribution file") and
// `conversion` (e.g. "a.astype(numpy.float64)").
void require_npy_float(const npy_header& h, const std::string& source, const char* function, const std::string& what,
                       const std::string& conversion);

// Reads h.element_count elements of a float dtype (h.type != none) from the current position of
// `file` into `out` (out.size() == h.element_count), converting to T, in file order (row-major
// unless h.fortran_order). Streams in fixed-size chunks. T is float or double.
template <class T>
void read_npy_values(input_file& file, const npy_header& h, std::span<T> out, const char* function);

// True for the integer and boolean dtypes: i1, i2, i4, i8, u1, u2, u4, u8 and b1, either byte order.
bool is_npy_integer(const npy_header& h) noexcept;

// Reads out.size() elements of h's dtype from the current position of `file`: a piece of the data,
// the next piece by the next call (check_npy_data_size first). `first` is the index of out[0] in the
// array, for messages. A float dtype converts to float or double as read_npy_values; an integer or
// boolean dtype (is_npy_integer) to double (exact up to 2^53, rounded to nearest beyond), float, or
// std::int64_t (a uint64 element above 2^63 - 1 is then an error naming the element).
template <class T>
void read_npy_elements(input_file& file, const npy_header& h, std::span<T> out, std::uint64_t first,
                       const char* function);

// Reads a whole 1-D array of integers or booleans (dtypes i1–i8, u1–u8, b1, either byte order) as
// int64 values: token ids, masks. Throws kldiv::error naming the file for another dtype or shape,
// values above the int64 range, or a data size that does not match the header.
std::vector<std::int64_t> read_npy_integers(input_file& file, const char* function);

// True when `file` starts with the npy magic or `path` ends in ".npy" (any letter case): a file to
// read as .npy (and to refuse with the npy header's message when it is not one). Leaves the stream at
// byte 0.
bool is_npy_input(input_file& file, const std::filesystem::path& path);

extern template void read_npy_values<float>(input_file&, const npy_header&, std::span<float>, const char*);
extern template void read_npy_values<double>(input_file&, const npy_header&, std::span<double>, const char*);
extern template void read_npy_elements<float>(input_file&, const npy_header&, std::span<float>, std::uint64_t,
                                              const char*);
extern template void read_npy_elements<double>(input_file&, const npy_header&, std::span<double>, std::uint64_t,
                                               const char*);
extern template void read_npy_elements<std::int64_t>(input_file&, const npy_header&, std::span<std::int64_t>,
                                                     std::uint64_t, const char*);

}  // namespace kldiv::io::detail
