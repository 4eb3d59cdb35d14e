#pragma once
// .npy files built byte by byte from the published format (numpy/lib/format.py), for the tests of
// the readers: any dtype, shape and order, and headers NumPy would never write.

#include <cstdint>
#include <string>
#include <string_view>

namespace kldiv::test {

inline std::string little_endian_bytes(std::uint64_t v, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

inline std::string big_endian_bytes(std::uint64_t v, int n) {
    std::string out;
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return out;
}

// Magic, version, header length (uint16 for 1.0, uint32 for 2.0/3.0), the header dict padded with
// spaces and a final '\n' so that the data starts at a multiple of 64 (as numpy writes), then data.
inline std::string npy(std::string_view dict, std::string_view data, int major = 1, bool pad = true) {
    std::string out("\x93NUMPY", 6);
    out.push_back(static_cast<char>(major));
    out.push_back('\0');
    const std::size_t preamble = major == 1 ? 10 : 12;
    std::string header(dict);
    if (pad) {
        const std::size_t total = preamble + header.size() + 1;
        header.append((64 - total % 64) % 64, ' ');
        header.push_back('\n');
    }
    out += little_endian_bytes(header.size(), major == 1 ? 2 : 4);
    out += header;
    out += data;
    return out;
}

// The header dict as numpy writes it: {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }.
inline std::string npy_dict(std::string_view descr, std::string_view shape, bool fortran_order = false) {
    return "{'descr': '" + std::string(descr) + "', 'fortran_order': " + (fortran_order ? "True" : "False") +
           ", 'shape': " + std::string(shape) + ", }";
}

}  // namespace kldiv::test
