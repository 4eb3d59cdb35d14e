// Distribution specs (`kldiv dist P Q`, kldiv.distributions.parse): the syntax and every family's
// parameter rules.

#include "fuzz/fuzz_support.hpp"
#include "kldiv/distributions/spec.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::refusals_allowed([&] { (void)distributions::parse(fuzz::as_text(data, size)); });
    return 0;
}
