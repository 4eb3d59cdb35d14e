#pragma once
// A seeded stream of random numbers that is the same on every platform: xoshiro256** (Blackman &
// Vigna) for the bits, seeded through splitmix64 from (seed, stream index), and our own transforms
// for uniforms, normals, exponentials and gammas (std::normal_distribution and friends are
// implementation-defined). Monte Carlo gives every chunk of samples its own stream, so results do
// not depend on how chunks are spread over threads.
//
//   uniform        ((bits >> 11) + ½)·2^−53, in (0, 1): never 0 or 1, so ln u is finite
//   normal         Marsaglia's polar method (the second value of each pair is kept for the next call)
//   exponential    −ln u
//   log_gamma(a)   ln G for G ~ Gamma(a, 1): Marsaglia & Tsang (2000) for a ≥ 1; for a < 1,
//                  ln G_{a+1} + (ln u)/a, which stays finite where G itself would underflow
//   gamma_at_least_one(a)  G itself for a ≥ 1, by the same method

#include <cmath>
#include <cstdint>

namespace kldiv::distributions::detail {

class random_stream {
public:
    random_stream(std::uint64_t seed, std::uint64_t stream) noexcept {
        std::uint64_t x = mix(seed) ^ mix(stream + 0x632be59bd9b4e019ull);
        for (auto& s : state_) s = mix(x += 0x9e3779b97f4a7c15ull);
    }

    std::uint64_t bits() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    double uniform() noexcept { return (static_cast<double>(bits() >> 11) + 0.5) * 0x1p-53; }

    double normal() noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }

    double exponential() noexcept { return -std::log(uniform()); }

    double log_gamma(double a) noexcept {
        if (a < 1.0) return log_gamma(a + 1.0) + std::log(uniform()) / a;
        return std::log(gamma_at_least_one(a));
    }

    double gamma(double a) noexcept { return std::exp(log_gamma(a)); }

    // G ~ Gamma(a, 1) for a >= 1 (Marsaglia & Tsang's d·v; log_gamma is its logarithm): without the
    // logarithm and its exponential, for shapes where G cannot overflow or underflow (a up to 1e300).
    double gamma_at_least_one(double a) noexcept {
        const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
        for (;;) {
            double x, v;
            do {
                x = normal();
                v = 1.0 + c * x;
            } while (v <= 0.0);
            v = v * v * v;
            const double u = uniform();
            if (u < 1.0 - 0.0331 * (x * x) * (x * x) || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v)))
                return d * v;
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t mix(std::uint64_t z) noexcept {  // splitmix64's finalizer
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    std::uint64_t state_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace kldiv::distributions::detail
