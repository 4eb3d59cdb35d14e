#include "src/io/npy.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <type_traits>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "src/io/stored_floats.hpp"

namespace kldiv::io::detail {
namespace {

// 'text' in single quotes, escaped (built by appending: GCC 12 warns falsely on "'" + string).
std::string single_quoted(std::string_view bytes) {
    std::string out(1, '\'');
    out += kldiv::printable(bytes);
    out += '\'';
    return out;
}

std::uint64_t little_endian(std::string_view bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
    return v;
}

// ----- the header dict: a Python literal, parsed by recursive descent -------------------------

struct header_parser {
    std::string_view text;   // the header (after the preamble)
    std::uint64_t base = 0;  // byte offset of text[0] in the file
    const std::string& source;
    const char* function;
    std::size_t pos = 0;

    [[noreturn]] void fail(std::size_t at, const std::string& rule) const {
        throw error(function, source + ": npy header, byte offset " + std::to_string(base + at) + ": " + rule);
    }

    std::string found(std::size_t at) const {
        if (at >= text.size()) return "the end of the header";
        return single_quoted(text.substr(at, 12));
    }

    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

    void skip_space() {
        while (pos < text.size() && is_space(text[pos])) ++pos;
    }

    void expect(char c, const std::string& context) {
        skip_space();
        if (pos >= text.size() || text[pos] != c) {
            fail(pos, std::string("expected '") + c + "' " + context + ", found " + found(pos));
        }
        ++pos;
    }

    std::string string_literal() {
        skip_space();
        const std::size_t start = pos;
        if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"')) {
            fail(pos, "expected a quoted string, found " + found(pos));
        }
        const char quote = text[pos++];
        std::string value;
        while (pos < text.size() && text[pos] != quote) {
            if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
            if (text[pos] == '\n') break;
            value.push_back(text[pos++]);
        }
        if (pos >= text.size() || text[pos] != quote) fail(start, "the string opened here is not closed");
        ++pos;
        return value;
    }

    bool boolean_literal(const std::string& key) {
        skip_space();
        if (text.substr(pos, 4) == "True") {
            pos += 4;
            return true;
        }
        if (text.substr(pos, 5) == "False") {
            pos += 5;
            return false;
        }
        fail(pos, "'" + key + "' must be True or False, found " + found(pos));
    }

    std::uint64_t dimension() {
        skip_space();
        const std::size_t start = pos;
        if (pos < text.size() && text[pos] == '-')
            fail(pos, "'shape' has a negative dimension, but dimensions must be >= 0");
        std::uint64_t v = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
            if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
                fail(start, "'shape' has a dimension too large for 64 bits");
            }
            v = v * 10 + digit;
            ++pos;
        }
        if (pos == start) fail(pos, "expected a dimension (a non-negative integer) in 'shape', found " + found(pos));
        if (pos < text.size() && (text[pos] == 'L' || text[pos] == 'l')) ++pos;  // Python 2 long, as old numpy wrote
        return v;
    }

    std::vector<std::uint64_t> shape_tuple() {
        skip_space();
        if (pos >= text.size() || text[pos] != '(') {
            fail(pos, "'shape' must be a tuple of integers such as (3,), found " + found(pos));
        }
        ++pos;
        std::vector<std::uint64_t> dims;
        skip_space();
        if (pos < text.size() && text[pos] == ')') {
            ++pos;
            return dims;
        }
        for (;;) {
            dims.push_back(dimension());
            skip_space();
            if (pos < text.size() && text[pos] == ')') {
                if (dims.size() == 1) {
                    fail(pos, "'shape' is (" + std::to_string(dims[0]) +
                                  "), which Python reads as an integer, not a tuple (write (" +
                                  std::to_string(dims[0]) + ",))");
                }
                ++pos;
                return dims;
            }
            expect(',', "between dimensions of 'shape'");
            skip_space();
            if (pos < text.size() && text[pos] == ')') {
                ++pos;
                return dims;
            }
        }
    }
};

struct parsed_descr {
    char byte_order = '=';
    char kind = 0;
    std::uint64_t size = 0;
    bool understood = false;
};

parsed_descr parse_descr(std::string_view d) {
    parsed_descr r;
    std::size_t i = 0;
    if (i < d.size() && (d[i] == '<' || d[i] == '>' || d[i] == '|' || d[i] == '=')) r.byte_order = d[i++];
    if (i >= d.size() || !((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z'))) return r;
    r.kind = d[i++];
    if (i >= d.size()) return r;
    std::uint64_t size = 0;
    for (; i < d.size(); ++i) {
        if (d[i] < '0' || d[i] > '9' || size > 1'000'000) return r;
        size = size * 10 + static_cast<std::uint64_t>(d[i] - '0');
    }
    r.size = size;
    r.understood = size > 0;
    return r;
}

}  // namespace

std::string npy_shape_text(const std::vector<std::uint64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

std::string npy_dtype_name(const npy_header& h) {
    const parsed_descr d = parse_descr(h.descr);
    if (!d.understood) return single_quoted(h.descr);
    const std::string bits = std::to_string(d.size * 8);
    switch (d.kind) {
        case 'f':
            return "float" + bits;
        case 'i':
            return "int" + bits;
        case 'u':
            return "uint" + bits;
        case 'c':
            return "complex" + bits;
        case 'b':
            return "bool";
        case 'U':
            return "unicode string";
        case 'S':
            return "byte string";
        case 'O':
            return "Python object";
        case 'M':
            return "datetime64";
        case 'm':
            return "timedelta64";
        case 'V':
            return "void (raw bytes)";
        default:
            return single_quoted(h.descr);
    }
}

void require_npy_float(const npy_header& h, const std::string& source, const char* function, const std::string& what,
                       const std::string& conversion) {
    if (h.type != npy_float::none) return;
    throw error(function, source + ": npy header field 'descr' is '" + kldiv::printable(h.descr) + "' (" +
                              npy_dtype_name(h) + "), but " + what +
                              " must hold float16, float32 or float64 ('<f2', '<f4', '<f8', '>f2', '>f4', '>f8'); "
                              "convert it with " +
                              conversion);
}

npy_header parse_npy_header(std::string_view bytes, std::uint64_t file_size, const std::string& source,
                            const char* function) {
    auto fail = [&](const std::string& message) -> void { throw error(function, source + ": " + message); };
    npy_header h;

    if (bytes.size() < 6 || !has_npy_magic(bytes)) {
        if (bytes.size() < 6 && npy_magic.substr(0, bytes.size()) == bytes) {
            fail("the file is " + std::to_string(file_size) +
                 " bytes long, too short for an npy file (the magic string alone is 6 bytes)");
        }
        fail("bytes 0-5 are '" + kldiv::printable(bytes.substr(0, 6)) +
             "', but an npy file starts with the magic string '\\x93NUMPY' (is this really a .npy file?)");
    }
    if (bytes.size() < 8) {
        fail("the file is " + std::to_string(file_size) + " bytes long and ends inside the version field (bytes 6-7)");
    }
    h.major_version = static_cast<unsigned char>(bytes[6]);
    h.minor_version = static_cast<unsigned char>(bytes[7]);
    if (h.major_version < 1 || h.major_version > 3 || h.minor_version != 0) {
        fail("bytes 6-7 give npy format version " + std::to_string(h.major_version) + "." +
             std::to_string(h.minor_version) + ", but only versions 1.0, 2.0 and 3.0 exist");
    }
    const std::size_t length_bytes = h.major_version == 1 ? 2 : 4;
    const std::size_t preamble = 8 + length_bytes;
    if (bytes.size() < preamble) {
        fail("the file is " + std::to_string(file_size) +
             " bytes long and ends inside the header length field (bytes 8-" + std::to_string(preamble - 1) + ")");
    }
    const std::uint64_t header_length = little_endian(bytes.substr(8, length_bytes));
    const std::string length_field = "the header length field (bytes 8-" + std::to_string(preamble - 1) + ") says " +
                                     std::to_string(header_length) + " bytes";
    if (header_length > npy_max_header_bytes) {
        fail(length_field + ", but headers over " + std::to_string(npy_max_header_bytes) +
             " bytes are refused (numpy writes a few hundred)");
    }
    if (preamble + header_length > file_size) {
        fail(length_field + ", but only " + std::to_string(file_size - preamble) + " bytes follow (truncated file?)");
    }
    if (bytes.size() < preamble + header_length) {
        fail(length_field + ", but only " + std::to_string(bytes.size() - preamble) + " bytes could be read");
    }
    h.data_offset = preamble + header_length;

    header_parser p{bytes.substr(preamble, header_length), preamble, source, function};
    p.expect('{', "at the start of the header dict");
    bool have_descr = false, have_fortran = false, have_shape = false;
    for (;;) {
        p.skip_space();
        if (p.pos < p.text.size() && p.text[p.pos] == '}') {
            ++p.pos;
            break;
        }
        const std::size_t key_at = p.pos;
        const std::string key = p.string_literal();
        p.expect(':', "after the key '" + kldiv::printable(key) + "'");
        if (key == "descr") {
            if (have_descr) p.fail(key_at, "the key 'descr' appears twice");
            have_descr = true;
            p.skip_space();
            if (p.pos < p.text.size() && (p.text[p.pos] == '[' || p.text[p.pos] == '(')) {
                p.fail(p.pos,
                       "header field 'descr' is a structured dtype (a list of fields), but only plain float arrays are "
                       "supported");
            }
            h.descr = p.string_literal();
        } else if (key == "fortran_order") {
            if (have_fortran) p.fail(key_at, "the key 'fortran_order' appears twice");
            have_fortran = true;
            h.fortran_order = p.boolean_literal(key);
        } else if (key == "shape") {
            if (have_shape) p.fail(key_at, "the key 'shape' appears twice");
            have_shape = true;
            h.shape = p.shape_tuple();
        } else {
            p.fail(key_at, "unexpected key '" + kldiv::printable(key) +
                               "' (an npy header holds exactly 'descr', 'fortran_order' and 'shape')");
        }
        p.skip_space();
        if (p.pos < p.text.size() && p.text[p.pos] == ',') {
            ++p.pos;
            continue;
        }
        p.expect('}', "or ',' after a value in the header dict");
        break;
    }
    p.skip_space();
    if (p.pos != p.text.size()) p.fail(p.pos, "unexpected " + p.found(p.pos) + " after the end of the header dict");
    if (!have_descr || !have_fortran || !have_shape) {
        std::string missing = !have_descr ? "'descr'" : !have_fortran ? "'fortran_order'" : "'shape'";
        fail("npy header lacks the key " + missing + " (it must hold 'descr', 'fortran_order' and 'shape')");
    }

    const parsed_descr d = parse_descr(h.descr);
    if (d.understood) {
        h.itemsize = d.size;
        h.big_endian = d.byte_order == '>' || (d.byte_order == '=' && std::endian::native == std::endian::big) ||
                       (d.byte_order == '|' && std::endian::native == std::endian::big);
        if (d.kind == 'f' && d.byte_order != '|') {
            if (d.size == 2) h.type = npy_float::float16;
            if (d.size == 4) h.type = npy_float::float32;
            if (d.size == 8) h.type = npy_float::float64;
        }
    }

    h.element_count = 1;
    for (std::uint64_t dim : h.shape) {
        if (dim != 0 && h.element_count > std::numeric_limits<std::uint64_t>::max() / dim) {
            fail("header field 'shape' is " + npy_shape_text(h.shape) +
                 ", whose element count does not fit in 64 bits");
        }
        h.element_count *= dim;
    }
    return h;
}

npy_header read_npy_header(input_file& file, const char* function) {
    // Read the fixed preamble, learn the header length, then read no more than the file holds and
    // no more than the largest header accepted.
    const std::uint64_t first = std::min<std::uint64_t>(file.size, 12);
    std::string bytes(first, '\0');
    file.stream->seekg(0);
    read_exact(file, bytes.data(), first, function, "npy preamble");
    if (bytes.size() >= 10 && has_npy_magic(bytes)) {
        const std::uint64_t length_bytes = static_cast<unsigned char>(bytes[6]) == 1 ? 2 : 4;
        const std::uint64_t preamble = 8 + length_bytes;
        if (bytes.size() >= preamble) {
            const std::uint64_t header_length = little_endian(std::string_view(bytes).substr(8, length_bytes));
            const std::uint64_t want = std::min({preamble + header_length, file.size, preamble + npy_max_header_bytes});
            if (want > bytes.size()) {
                const std::size_t had = bytes.size();
                bytes.resize(want);
                read_exact(file, bytes.data() + had, want - had, function, "npy header");
            }
        }
    }
    npy_header h = parse_npy_header(bytes, file.size, file.name, function);
    file.stream->seekg(static_cast<std::streamoff>(h.data_offset));
    return h;
}

void check_npy_data_size(const npy_header& h, std::uint64_t file_size, const std::string& source,
                         const char* function) {
    const std::uint64_t available = file_size - h.data_offset;
    const std::string claim = "header field 'shape' is " + npy_shape_text(h.shape) + " of " + npy_dtype_name(h) +
                              " ('" + kldiv::printable(h.descr) + "')";
    if (h.itemsize == 0) throw error(function, source + ": " + claim + ", whose element size is unknown");
    if (h.element_count > std::numeric_limits<std::uint64_t>::max() / h.itemsize) {
        throw error(function, source + ": " + claim + ", whose size in bytes does not fit in 64 bits");
    }
    const std::uint64_t needed = h.element_count * h.itemsize;
    if (needed != available) {
        throw error(function,
                    source + ": " + claim + ", which needs " + std::to_string(needed) +
                        " data bytes after the header (from byte offset " + std::to_string(h.data_offset) +
                        "), but the file has " + std::to_string(available) +
                        (needed > available ? " (truncated file, or a wrong shape)" : " (extra bytes after the data)"));
    }
}

namespace {

stored_float stored_of(npy_float type) noexcept {
    return type == npy_float::float16   ? stored_float::float16
           : type == npy_float::float32 ? stored_float::float32
                                        : stored_float::float64;
}

}  // namespace

bool is_npy_integer(const npy_header& h) noexcept {
    const parsed_descr d = parse_descr(h.descr);
    if (!d.understood) return false;
    if (d.kind == 'b') return d.size == 1;
    return (d.kind == 'i' || d.kind == 'u') && (d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8);
}

namespace {

// One element of an integer or boolean dtype: its value when it fits in int64, else (a uint64 above
// 2^63 - 1) its bits.
struct integer_element {
    std::int64_t value = 0;
    std::uint64_t bits = 0;
    bool fits = true;
};

integer_element integer_at(const char* p, std::size_t size, bool is_signed, bool swap) noexcept {
    integer_element e;
    switch (size) {
        case 1:
            e.bits = static_cast<std::uint8_t>(*p);
            break;
        case 2:
            e.bits = load_bytes<std::uint16_t>(p, swap);
            break;
        case 4:
            e.bits = load_bytes<std::uint32_t>(p, swap);
            break;
        default:
            e.bits = load_bytes<std::uint64_t>(p, swap);
            break;
    }
    e.value = static_cast<std::int64_t>(e.bits);
    if (is_signed && size < 8 && (e.bits >> (8 * size - 1)) != 0) e.value -= std::int64_t{1} << (8 * size - 1) << 1;
    e.fits = is_signed || e.bits <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return e;
}

}  // namespace

template <class T>
void read_npy_elements(input_file& file, const npy_header& h, std::span<T> out, std::uint64_t first,
                       const char* function) {
    const bool integer = is_npy_integer(h);
    if (!integer && (h.type == npy_float::none || std::is_same_v<T, std::int64_t>)) {
        throw error(function, file.name + ": internal: read_npy_elements called with an unsupported dtype");
    }
    const bool is_signed = parse_descr(h.descr).kind == 'i';
    const bool swap = h.big_endian != (std::endian::native == std::endian::big);
    const std::size_t itemsize = static_cast<std::size_t>(h.itemsize);
    constexpr std::size_t chunk_bytes = 1 << 16;
    const std::size_t per_chunk = chunk_bytes / itemsize;
    std::array<char, chunk_bytes> buffer;
    for (std::size_t done = 0; done < out.size();) {
        const std::size_t n = std::min(per_chunk, out.size() - done);
        read_exact(file, buffer.data(), n * itemsize, function, "npy data");
        T* to = out.data() + done;
        if constexpr (std::is_same_v<T, std::int64_t>) {
            for (std::size_t i = 0; i < n; ++i) {
                const integer_element e = integer_at(buffer.data() + i * itemsize, itemsize, is_signed, swap);
                if (!e.fits) {
                    throw error(function, file.name + ": element " + std::to_string(first + done + i) + " = " +
                                              std::to_string(e.bits) + ", but it must fit in a signed 64-bit integer");
                }
                to[i] = e.value;
            }
        } else if (integer) {
            for (std::size_t i = 0; i < n; ++i) {
                const integer_element e = integer_at(buffer.data() + i * itemsize, itemsize, is_signed, swap);
                to[i] = e.fits ? static_cast<T>(e.value) : static_cast<T>(e.bits);
            }
        } else {
            widen_stored(stored_of(h.type), swap, buffer.data(), to, n);
        }
        done += n;
    }
}

template void read_npy_elements<float>(input_file&, const npy_header&, std::span<float>, std::uint64_t, const char*);
template void read_npy_elements<double>(input_file&, const npy_header&, std::span<double>, std::uint64_t, const char*);
template void read_npy_elements<std::int64_t>(input_file&, const npy_header&, std::span<std::int64_t>, std::uint64_t,
                                              const char*);

template <class T>
void read_npy_values(input_file& file, const npy_header& h, std::span<T> out, const char* function) {
    if (h.type == npy_float::none || out.size() != h.element_count) {
        throw error(function,
                    file.name + ": internal: read_npy_values called without a float dtype or with a wrong size");
    }
    read_npy_elements(file, h, out, 0, function);
}

template void read_npy_values<float>(input_file&, const npy_header&, std::span<float>, const char*);
template void read_npy_values<double>(input_file&, const npy_header&, std::span<double>, const char*);

std::vector<std::int64_t> read_npy_integers(input_file& file, const char* function) {
    const npy_header h = read_npy_header(file, function);
    if (!is_npy_integer(h) || h.shape.size() != 1) {
        throw error(function, file.name + ": a " + npy_dtype_name(h) + " array of shape " + npy_shape_text(h.shape) +
                                  ", but it must be a 1-D array of integers or booleans");
    }
    check_npy_data_size(h, file.size, file.name, function);
    std::vector<std::int64_t> out(h.element_count);
    read_npy_elements(file, h, std::span<std::int64_t>(out), 0, function);
    return out;
}

bool is_npy_input(input_file& file, const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    for (char& c : extension) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return starts_with_npy_magic(file) || extension == ".npy";
}

bool starts_with_npy_magic(input_file& file) {
    char start[6] = {};
    file.stream->read(start, sizeof start);
    const bool npy = has_npy_magic(std::string_view(start, static_cast<std::size_t>(file.stream->gcount())));
    file.stream->clear();
    file.stream->seekg(0);
    return npy;
}

}  // namespace kldiv::io::detail
