#pragma once
// The unit of an information quantity is fixed by the base of the logarithm: e gives nats, 2 bits,
// 10 dits (hartleys). Any finite base b > 1 is allowed; a value in nats is divided by ln(b). A base
// in (0, 1) would make every divergence negative, so it is refused, as are 1, NaN and ±inf.

#include <string>
#include <string_view>

namespace kldiv {

class log_base {
public:
    // Natural logarithm: results in nats.
    constexpr log_base() = default;
    // Throws kldiv::error unless b is finite and > 1; `name` spells the option in the message
    // ("base = 0.5, but ..."; the CLI passes "--base").
    explicit log_base(double b, std::string_view name = "base");

    static log_base nats() { return {}; }
    static log_base bits() { return log_base(2.0); }
    static log_base dits() { return log_base(10.0); }
    // "nats", "bits", "dits", "e", or a number such as "3" or "2.5"; `name` as above.
    static log_base parse(std::string_view text, std::string_view name = "base");

    double value() const noexcept;  // the base b
    std::string unit() const;       // "nats", "bits", "dits" or "base-3 units"
    // Converts a value in nats to this unit. Exact (no rounding) for nats.
    double from_nats(double nats) const noexcept { return natural_ ? nats : nats / ln_base_; }

private:
    double base_ = 0.0;  // unused when natural_
    double ln_base_ = 1.0;
    bool natural_ = true;
};

}  // namespace kldiv
