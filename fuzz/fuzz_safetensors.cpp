// safetensors files: the header (JSON, offsets, dtypes, shapes), every tensor's data, and the row
// stream over the logits tensor.

#include <algorithm>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/safetensors_rows.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.safetensors");
    const auto& path = file.write(data, size);
    fuzz::refusals_allowed([&] {
        io::safetensors_file f(path);
        for (const io::safetensors_tensor& t : f.tensors()) {
            // The data lies in the file (the header is checked against its size), so this is bounded by it.
            if (t.data_begin + t.data_bytes > f.file_size()) std::abort();
            std::vector<std::byte> bytes(static_cast<std::size_t>(std::min<std::uint64_t>(t.data_bytes, 64)));
            fuzz::refusals_allowed([&] { f.read_data(t, 0, bytes); });
            if (t.data_bytes > 1)
                fuzz::refusals_allowed([&] { f.read_data(t, t.data_bytes - 1, std::span(bytes).first(1)); });
            if (f.find(t.name) == nullptr) std::abort();
        }
    });
    fuzz::refusals_allowed([&] {
        io::safetensors_rows rows({path});
        if (rows.rows() == 0) return;
        const std::size_t batch = 2;
        std::vector<float> out(batch * rows.vocabulary());
        while (rows.read(out, batch) != 0) {
        }
        rows.seek_row(0);
        (void)rows.read(out, 1);
    });
    return 0;
}
