// Sample files for `kldiv estimate`: CSV/TSV text (one observation per line, optional header).

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/sample_file.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.csv");
    fuzz::refusals_allowed([&] {
        const io::sample_matrix m = io::read_samples(file.write(data, size));
        if (m.values.size() != m.rows * m.cols) std::abort();
        if (!m.names.empty() && m.names.size() != m.cols) std::abort();
    });
    return 0;
}
