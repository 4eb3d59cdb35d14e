// Drift profiles (kldiv/drift/profile_file.hpp): parse_profile on any bytes, and a profile that
// parses compared with a small table of its columns' types (counted, measured, calibrated), so that
// hostile bins (edges near the ends of the doubles, huge counts, odd scales) meet the measures too.
// The first byte picks the text: a profile, or the parts' interchange (counts, samples).

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/drift/drift.hpp"
#include "kldiv/drift/profile_file.hpp"

using namespace kldiv;

namespace {

void compare_with_a_table(const drift::profile& p) {
    if (p.columns.size() > 8) return;
    std::vector<double> numbers{-1e308, -1.0, 0.0, 0.5, 1.0, 2.0, 1e300, std::nan(""), -0.0, 3.0};
    std::vector<std::uint32_t> codes{0, 1, 0, io::missing_code, 1, 0, 0, 1, 1, 0};
    std::vector<std::string> categories{"a", "b"};
    drift::table_view t;
    t.rows = numbers.size();
    for (const drift::column_profile& c : p.columns) {
        drift::column_view v;
        v.name = c.bins.name;
        v.type = c.bins.type;
        if (c.bins.type == io::column_type::numeric) {
            v.numbers = numbers.data();
        } else {
            v.codes = codes.data();
            v.categories = categories;
        }
        t.columns.push_back(v);
    }
    drift::drift_options o;
    o.calibration.permutations = 20;
    o.calibration.min_permutations = 5;
    o.calibration.resamples = 5;
    o.threads = 1;
    const drift::drift_result r = drift::compare(p, t, o);
    if (r.windows.size() != 1 || r.windows[0].columns.size() != p.columns.size()) std::abort();
    for (const drift::column_result& c : r.windows[0].columns) {
        for (const drift::measure_result& m : c.measures) {
            if (m.value < 0.0) std::abort();  // every measure is >= 0 (or NaN, +inf)
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    fuzz::refusals_allowed([&] {
        switch (data[0] % 3) {
            case 0: {
                const drift::profile p = drift::parse_profile(text, "fuzz");
                if (drift::profile_text(drift::parse_profile(drift::profile_text(p), "again")) !=
                    drift::profile_text(p))
                    std::abort();
                compare_with_a_table(p);
                break;
            }
            case 1:
                drift::counts_text(drift::parse_counts(text, "fuzz"));
                break;
            default:
                drift::samples_text(drift::parse_samples(text, "fuzz"));
                break;
        }
    });
    return 0;
}
