// Uses the installed kldiv: prints D(P‖Q) for P = (0.2, 0.8), Q = (0.5, 0.5) and checks the value.
#include <kldiv/kldiv.hpp>

#include <cmath>
#include <cstdio>
#include <span>
#include <vector>

int main() {
    const std::vector<double> p{0.2, 0.8};
    const std::vector<double> q{0.5, 0.5};
    const double d = kldiv::kl_divergence(std::span<const double>(p), std::span<const double>(q));
    // 0.2 ln 0.4 + 0.8 ln 1.6 = 0.1927447570217575 (mpmath, 16 digits)
    const double expected = 0.1927447570217575;
    std::printf("kldiv %s: D(P||Q) = %.16g nats\n", kldiv::version, d);
    return std::fabs(d - expected) <= 1e-15 ? 0 : 1;
}
