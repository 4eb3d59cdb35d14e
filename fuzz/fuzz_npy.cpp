// .npy files through every reader that accepts them: the header parser alone (in memory), the
// distribution, sample and matrix readers, and the LLM row stream with the token-id and mask readers.

#include <algorithm>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/io/distribution_file.hpp"
#include "kldiv/io/matrix_file.hpp"
#include "kldiv/io/sample_file.hpp"
#include "src/io/npy.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::input_file file("input.npy");
    fuzz::refusals_allowed([&] { io::detail::parse_npy_header(fuzz::as_text(data, size), size, "fuzz", "fuzz_npy"); });
    const auto& path = file.write(data, size);
    fuzz::refusals_allowed([&] { io::read_distribution(path); });
    fuzz::refusals_allowed([&] { io::read_samples(path); });
    fuzz::refusals_allowed([&] { io::read_matrix(path); });
    (void)io::npy_dimensions(path);
    fuzz::refusals_allowed([&] { io::read_token_ids(path); });
    fuzz::refusals_allowed([&] { io::read_mask(path); });
    fuzz::read_every_row(path);
    return 0;
}
