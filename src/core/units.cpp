#include "kldiv/units.hpp"

#include <charconv>
#include <cmath>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"

namespace kldiv {

log_base::log_base(double b, std::string_view name) {
    if (!(std::isfinite(b) && b > 1.0)) {
        throw error("log_base", std::string(name) + " = " + detail::to_text(b) +
                                    ", but a logarithm base must be finite and > 1 (a base below 1 would make every "
                                    "divergence negative)");
    }
    if (b == 2.718281828459045) return;  // e itself: stay exact nats
    base_ = b;
    ln_base_ = std::log(b);
    natural_ = false;
}

log_base log_base::parse(std::string_view text, std::string_view name) {
    if (text == "nats" || text == "nat" || text == "e") return nats();
    if (text == "bits" || text == "bit" || text == "2") return bits();
    if (text == "dits" || text == "dit" || text == "hartleys" || text == "10") return dits();
    double b = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), b);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw error("log_base", std::string(name) + " = '" + std::string(text) +
                                    "', but a base must be bits, nats, dits or a number > 1");
    }
    return log_base(b, name);
}

double log_base::value() const noexcept { return natural_ ? 2.718281828459045 : base_; }

std::string log_base::unit() const {
    if (natural_) return "nats";
    if (base_ == 2.0) return "bits";
    if (base_ == 10.0) return "dits";
    return "base-" + detail::to_text(base_) + " units";
}

}  // namespace kldiv
