// Matrix files (read_matrix: the rows of `kldiv compare --rows`), float16/32/64 .npy, and the
// consistency of what it returns.

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/matrix_file.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.npy");
    const auto& path = file.write(data, size);
    fuzz::refusals_allowed([&] {
        const io::matrix_file m = io::read_matrix(path);
        const std::size_t n = m.is_double ? m.f64.size() : m.f32.size();
        if (n != m.rows * m.cols) std::abort();
        if (m.cols != 0 && n / m.cols != m.rows) std::abort();
        const auto dims = io::npy_dimensions(path);
        if (!dims) std::abort();  // read_matrix read it as .npy
    });
    return 0;
}
