// llama.cpp KL base files (llama-perplexity --kl-divergence-base): header, tokens, quantized rows,
// directly and through the LLM row stream.

#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/llama_kl_base.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.kld");
    const auto& path = file.write(data, size);
    fuzz::refusals_allowed([&] {
        io::llama_kl_base_reader reader(path);
        const std::size_t batch = 2;
        std::vector<float> out(batch * reader.n_vocab());
        std::vector<io::llama_row_quantization> q(batch);
        std::size_t r = 0;
        while (const std::size_t n = reader.read_rows(out, batch, q)) {
            for (std::size_t k = 0; k < n; ++k) (void)q[k].error_bound(reader.n_vocab());
            r += n;
        }
        if (r != reader.n_rows()) std::abort();
        if (reader.n_rows() > 0) (void)reader.scored_row(reader.n_rows() - 1);
        (void)reader.next_tokens();
        reader.seek_row(0);
    });
    fuzz::read_every_row(path);
    return 0;
}
