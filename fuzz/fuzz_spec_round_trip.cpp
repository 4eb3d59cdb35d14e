// Differential: a spec that parses prints (to_spec) as a canonical spec that parses again to a
// distribution printing the same text; the printer's numbers are exact, so nothing may drift.

#include <cstdio>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/distributions/spec.hpp"

using namespace kldiv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string first;
    try {
        first = distributions::to_spec(distributions::parse(fuzz::as_text(data, size)));
    } catch (const kldiv::error&) {
        return 0;  // refused: fuzz_distribution_spec checks refusals
    }
    std::string second;
    try {
        second = distributions::to_spec(distributions::parse(first));
    } catch (const kldiv::error& e) {
        std::fprintf(stderr, "the canonical spec '%s' does not parse: %s\n", first.c_str(), e.what());
        std::abort();
    }
    if (second != first) {
        std::fprintf(stderr, "round trip changed the spec:\n  %s\n  %s\n", first.c_str(), second.c_str());
        std::abort();
    }
    return 0;
}
