// kldiv reference files (llm-reference's output): header, chunk index, checksums, the three
// encodings, directly and through the LLM row stream.

#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/reference_file.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.kldref");
    const auto& path = file.write(data, size);
    fuzz::refusals_allowed([&] {
        io::reference_reader reader(path);
        (void)reader.error_bound();
        if (reader.rows() == 0) return;
        const std::size_t batch = 2;
        std::vector<float> out(batch * reader.n_vocab());
        std::vector<std::int32_t> tokens(batch);
        std::uint64_t r = 0;
        while (const std::size_t n = reader.read_rows(out, tokens, batch)) r += n;
        if (r != reader.rows()) std::abort();
        reader.seek(reader.rows() - 1);
        (void)reader.read_rows(out, tokens, 1);
    });
    fuzz::read_every_row(path);
    return 0;
}
