// CSV/TSV distribution files (src/io/delimited_text.cpp through read_distribution) and inline
// value lists (parse_values, what `kldiv compare --p 0.2,0.8` reads).

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/distribution_file.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file csv("input.csv");
    static fuzz::input_file tsv("input.tsv");
    fuzz::refusals_allowed([&] { io::parse_values(fuzz::as_text(data, size), "--p"); });
    fuzz::refusals_allowed([&] {
        const io::labeled_vector v = io::read_distribution(csv.write(data, size));
        if (!v.labels.empty() && v.labels.size() != v.values.size()) std::abort();
    });
    fuzz::refusals_allowed([&] { io::read_distribution(tsv.write(data, size)); });
    return 0;
}
