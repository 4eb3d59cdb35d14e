#pragma once
// Binomial and hypergeometric random variates from a random_stream, exact (rejection methods, no
// normal approximation) and O(1) expected time for any parameters, so that permutation and
// bootstrap draws over millions of observations cost the same as over hundreds.
//
//   binomial(n, p)            inversion of the cdf from 0 when n·min(p, 1−p) < 10; otherwise
//                             Hörmann's transformed rejection with squeeze, BTRS ("The generation of
//                             binomial random variates", J. Stat. Comput. Simul. 46 (1993) 101–110).
//   hypergeometric(k, g, N)   good items among k drawn without replacement from N items of which g
//                             are good: sequential draws when min(k, N − k) ≤ 10; otherwise
//                             Stadlober's ratio of uniforms, HRUA ("Sampling from Poisson, binomial
//                             and hypergeometric distributions: ratio of uniforms as a simple and
//                             fast alternative", Bericht 303, TU Graz, 1989).
// Counts are integers held in double (exact up to 2^53). Tested against SciPy's pmf
// (tests/test_discrete_variates.cpp).

#include <algorithm>
#include <array>
#include <cmath>

#include "src/common/random_stream.hpp"

namespace kldiv::detail {

// ln(x!) for integer x >= 0: a table below 128 (from lgamma_r: std::lgamma writes the global signgam,
// a race between threads), above it Stirling's series to the x^-9 term, whose remainder is below
// 1e-22 there (numpy's random_loggam does the same).
inline double log_factorial(double x) noexcept {
    static const auto table = [] {
        std::array<double, 128> t{};
        int sign = 0;
        for (std::size_t k = 0; k < t.size(); ++k) t[k] = ::lgamma_r(static_cast<double>(k) + 1.0, &sign);
        return t;
    }();
    if (x < 128.0) return table[static_cast<std::size_t>(x)];
    const double n = x + 1.0, r = 1.0 / n, r2 = r * r;
    constexpr double half_log_two_pi = 0.91893853320467274178;
    const double series = r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
    return (n - 0.5) * std::log(n) - n + half_log_two_pi + series;
}

// The number of successes in n trials of probability p (n >= 0 an integer, 0 <= p <= 1).
inline double binomial(distributions::detail::random_stream& rng, double n, double p) noexcept {
    if (n <= 0.0 || p <= 0.0) return 0.0;
    if (p >= 1.0) return n;
    if (p > 0.5) return n - binomial(rng, n, 1.0 - p);
    const double q = 1.0 - p;
    if (n * p < 10.0) {
        // Inversion: P(0) = q^n, P(x)/P(x−1) = (n − x + 1)/x · p/q.
        const double s = p / q, a = (n + 1.0) * s;
        for (;;) {
            double r = std::exp(n * std::log1p(-p)), u = rng.uniform(), x = 0.0;
            while (u > r) {
                u -= r;
                x += 1.0;
                if (x > n) break;  // rounding left u above the whole mass: draw again
                r *= a / x - s;
            }
            if (x <= n) return x;
        }
    }
    const double spq = std::sqrt(n * p * q);
    const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
    const double v_r = 0.92 - 4.2 / b, alpha = (2.83 + 5.1 / b) * spq, lpq = std::log(p / q);
    const double m = std::floor((n + 1.0) * p), h = log_factorial(m) + log_factorial(n - m);
    for (;;) {
        const double u = rng.uniform() - 0.5;
        double v = rng.uniform();
        const double us = 0.5 - std::fabs(u);
        const double k = std::floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > n) continue;
        if (us >= 0.07 && v <= v_r) return k;
        v = std::log(v * alpha / (a / (us * us) + b));
        if (v <= h - log_factorial(k) - log_factorial(n - k) + (k - m) * lpq) return k;
    }
}

// Good items among `draws` taken without replacement from `total` items, `good` of them good
// (integers, 0 <= draws, good <= total).
inline double hypergeometric(distributions::detail::random_stream& rng, double draws, double good,
                             double total) noexcept {
    if (draws <= 0.0 || good <= 0.0) return 0.0;
    if (good >= total) return draws;
    if (draws >= total) return good;
    // The draws left behind are a sample too: draw the smaller side.
    if (draws > total - draws) return good - hypergeometric(rng, total - draws, good, total);
    const double bad = total - good;
    if (draws <= 10.0) {
        double found = 0.0, g = good, left = total;
        for (double i = 0.0; i < draws; i += 1.0) {
            if (rng.uniform() * left < g) {
                found += 1.0;
                g -= 1.0;
            }
            left -= 1.0;
        }
        return found;
    }
    // HRUA on the smaller of good and bad.
    const double fewer = std::min(good, bad), more = std::max(good, bad);
    const double p = fewer / total, q = more / total;
    const double mean = draws * p, a = mean + 0.5;
    const double variance = (total - draws) * draws * p * q / (total - 1.0);
    const double c = std::sqrt(variance + 0.5);
    constexpr double d1 = 1.7155277699214135;  // 2·sqrt(2/e)
    constexpr double d2 = 0.8989161620588988;  // 3 − 2·sqrt(3/e)
    const double h = d1 * c + d2;
    const double mode = std::floor((draws + 1.0) * (fewer + 1.0) / (total + 2.0));
    auto log_weight = [&](double k) {
        return log_factorial(k) + log_factorial(fewer - k) + log_factorial(draws - k) + log_factorial(more - draws + k);
    };
    const double g = log_weight(mode);
    const double bound = std::min(std::min(draws, fewer) + 1.0, std::floor(a + 16.0 * c));
    double k = 0.0;
    for (;;) {
        const double u = rng.uniform(), v = rng.uniform();
        const double x = a + h * (v - 0.5) / u;
        if (x < 0.0 || x >= bound) continue;
        k = std::floor(x);
        const double t = g - log_weight(k);
        if (u * (4.0 - u) - 3.0 <= t) break;  // quick acceptance
        if (u * (u - t) >= 1.0) continue;     // quick rejection
        if (2.0 * std::log(u) <= t) break;
    }
    return good > bad ? draws - k : k;
}

}  // namespace kldiv::detail
