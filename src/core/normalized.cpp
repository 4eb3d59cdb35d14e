#include "kldiv/normalized.hpp"

#include "src/core/validate.hpp"

namespace kldiv {
namespace {

template <class T>
std::vector<double> normalized_of(std::span<const T> p, const options& opts) {
    return detail::with_one("normalized", p, opts, [](auto pv, detail::double_double sp) {
        std::vector<double> out(pv.size());
        for (std::size_t i = 0; i < pv.size(); ++i) out[i] = static_cast<double>(pv[i]) / sp.hi;
        return out;
    });
}

}  // namespace

std::vector<double> normalized(std::span<const double> p, const options& opts) { return normalized_of(p, opts); }
std::vector<double> normalized(std::span<const float> p, const options& opts) { return normalized_of(p, opts); }

}  // namespace kldiv
