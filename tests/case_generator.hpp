#pragma once
// The C++ twin of tests/data/generate_reference.py: from a case spec (family, n, seed, a, b) it
// regenerates bit for bit the p and q vectors whose 50-digit references are stored in
// tests/data/reference_cases.tsv. See the script's docstring for what each family draws.
//
// Only operations IEEE 754 specifies exactly are used, mirroring the script line by line:
// splitmix64 on uint64, uniforms as integer · 2^-53, ldexp, single + − × ÷, nextafter, a
// left-to-right double sum, and double → float rounding to nearest even. The including target must
// not contract a*b+c into an FMA (tests are built with -ffp-contract=off). Any change here must be
// mirrored in the script, and the other way round.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kldiv_test {

struct case_spec {
    long id = 0;
    std::string family;
    std::string dtype;  // "float64" or "float32"
    std::size_t n = 0;
    std::uint64_t seed = 0;
    long a = 0;
    long b = 0;
    double beta = 0.5;
    bool normalize = false;
};

class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::vector<std::uint64_t> take(std::size_t n) {
        std::vector<std::uint64_t> out(n);
        for (auto& x : out) x = next();
        return out;
    }

private:
    std::uint64_t state_;
};

namespace gen {

using vec = std::vector<double>;
using bits = std::vector<std::uint64_t>;

// Uniform in (0, 1): ((x >> 11) | 1) · 2^-53, exact.
inline double unit(std::uint64_t x) { return static_cast<double>((x >> 11) | 1U) * 0x1p-53; }
// Uniform in [0.5, 1): ((x >> 11) | 2^52) · 2^-53, exact.
inline double mant(std::uint64_t x) { return static_cast<double>((x >> 11) | (std::uint64_t{1} << 52)) * 0x1p-53; }
// Integer in [0, m) for 0 < m < 2^32.
inline std::uint64_t below(std::uint64_t x, std::uint64_t m) { return ((x >> 32) * m) >> 32; }

inline vec units(const bits& x) {
    vec out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = unit(x[i]);
    return out;
}

inline double seqsum(const vec& v) {
    double s = 0.0;
    for (const double x : v) s += x;
    return s;
}

inline vec normalized(vec v) {
    const double s = seqsum(v);
    for (double& x : v) x = x / s;
    return v;
}

inline vec shaped(vec u, long squarings) {
    for (long k = 0; k < squarings; ++k)
        for (double& x : u) x = x * x;
    return u;
}

inline vec tiny_vector(splitmix64& rng, std::size_t n, long a, long b) {
    const bits f = rng.take(n);
    const bits m = rng.take(n);
    const bits e = rng.take(n);
    vec out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double mi = mant(m[i]);
        const int ei = static_cast<int>(below(e[i], static_cast<std::uint64_t>(b)) + 1);
        out[i] = below(f[i], 16) < static_cast<std::uint64_t>(a) ? std::ldexp(mi, -ei) : mi;
    }
    return out;
}

inline vec skewed_tail(splitmix64& rng, std::size_t n, long a, long b) {
    const bits m = rng.take(n);
    const bits e = rng.take(n);
    vec out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const int ei = static_cast<int>(below(e[i], static_cast<std::uint64_t>(b)) + static_cast<std::uint64_t>(a));
        out[i] = std::ldexp(mant(m[i]), -ei);
    }
    return out;
}

inline vec geometric(std::size_t n, long b, bool reverse = false) {
    vec out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const long k = static_cast<long>(reverse ? n - 1 - i : i);
        out[i] = std::ldexp(1.0, static_cast<int>(-((k * b) >> 8)));
    }
    return out;
}

inline std::vector<bool> zero_mask(splitmix64& rng, std::size_t n, long a) {
    const bits x = rng.take(n);
    std::vector<bool> z(n);
    for (std::size_t i = 0; i < n; ++i) z[i] = below(x[i], 16) < static_cast<std::uint64_t>(a);
    z[0] = false;
    return z;
}

inline vec counts(splitmix64& rng, std::size_t n, long a) {
    const bits x = rng.take(n);
    vec out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(x[i] >> (64 - a));
    return out;
}

inline vec harmonic(std::size_t n, double shift = 0.0) {
    vec out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = 1.0 / (static_cast<double>(i + 1) + shift);
    return out;
}

}  // namespace gen

// The case's p and q in double, before any float32 rounding.
inline std::pair<std::vector<double>, std::vector<double>> generate(const case_spec& c) {
    using namespace gen;
    const std::size_t n = c.n;
    const long a = c.a;
    const long b = c.b;
    splitmix64 rng(c.seed);
    vec p, q;
    const std::string& f = c.family;
    if (f == "dense") {
        p = normalized(shaped(units(rng.take(n)), a));
        q = normalized(shaped(units(rng.take(n)), a));
    } else if (f == "near") {
        const vec w = shaped(units(rng.take(n)), b);
        vec d = units(rng.take(n));
        const double scale = std::ldexp(1.0, static_cast<int>(-a));
        const bits sign = rng.take(n);
        vec t(n);
        for (std::size_t i = 0; i < n; ++i) {
            d[i] = d[i] * scale;
            if ((sign[i] >> 63) == 1) d[i] = -d[i];
            t[i] = w[i] * (1.0 + d[i]);
        }
        p = normalized(w);
        q = normalized(t);
    } else if (f == "ulp") {
        p = normalized(shaped(units(rng.take(n)), b));
        q = p;
        const double inf = std::numeric_limits<double>::infinity();
        if (a == 0) {
            const bits up = rng.take(n);
            for (std::size_t i = 0; i < n; ++i) q[i] = std::nextafter(p[i], (up[i] >> 63) == 1 ? inf : 0.0);
        } else {
            const bits pos = rng.take(static_cast<std::size_t>(a));
            const bits up = rng.take(static_cast<std::size_t>(a));
            for (long j = 0; j < a; ++j) {
                const std::size_t i = static_cast<std::size_t>(below(pos[j], n));
                q[i] = std::nextafter(q[i], (up[j] >> 63) != 0 ? inf : 0.0);
            }
        }
    } else if (f == "identical") {
        if (a == 0) {
            p = normalized(units(rng.take(n)));
        } else if (a == 1) {
            p = normalized(shaped(units(rng.take(n)), 2));
        } else if (a == 2) {
            p = normalized(tiny_vector(rng, n, 8, 996));
        } else if (a == 3) {
            p = normalized(harmonic(n));
        } else if (a == 4) {
            p = units(rng.take(n));
            const std::vector<bool> z = zero_mask(rng, n, 8);
            for (std::size_t i = 0; i < n; ++i)
                if (z[i]) p[i] = 0.0;
            p = normalized(p);
        } else if (a == 5) {
            const std::size_t j = static_cast<std::size_t>(below(rng.next(), n));
            p = skewed_tail(rng, n, 40, 200);
            p[j] = 1.0;
            p = normalized(p);
        } else {
            throw std::invalid_argument("identical: unknown variant " + std::to_string(a));
        }
        q = p;
    } else if (f == "tiny") {
        p = normalized(tiny_vector(rng, n, a, b));
        q = normalized(tiny_vector(rng, n, a, b));
    } else if (f == "skewed" || f == "skewed2") {
        std::size_t j = static_cast<std::size_t>(below(rng.next(), n));
        p = skewed_tail(rng, n, a, b);
        p[j] = 1.0;
        if (f == "skewed2") j = static_cast<std::size_t>(below(rng.next(), n));
        q = skewed_tail(rng, n, a, b);
        q[j] = 1.0;
        p = normalized(p);
        q = normalized(q);
    } else if (f == "zipf") {
        if (a == 0) {
            p = harmonic(n);
            q.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                const double x = static_cast<double>(i + 1);
                q[i] = 1.0 / (x * x);
            }
        } else if (a == 1) {
            p = harmonic(n);
            q.resize(n);
            for (std::size_t i = 0; i < n; ++i) q[i] = 1.0 / static_cast<double>(n - i);
        } else if (a == 2) {
            p = harmonic(n);
            q = harmonic(n, static_cast<double>(b));
        } else if (a == 3) {
            p = geometric(n, b);
            q = harmonic(n);
        } else if (a == 4) {
            p = geometric(n, b);
            q = geometric(n, b, true);
        } else {
            throw std::invalid_argument("zipf: unknown variant " + std::to_string(a));
        }
        p = normalized(p);
        q = normalized(q);
    } else if (f == "zeros") {
        p = units(rng.take(n));
        const std::vector<bool> zp = zero_mask(rng, n, a);
        for (std::size_t i = 0; i < n; ++i)
            if (zp[i]) p[i] = 0.0;
        q = units(rng.take(n));
        if (b == 1) {
            for (std::size_t i = 0; i < n; ++i)
                if (zp[i]) q[i] = 0.0;
        } else if (b == 2) {
            const std::vector<bool> zq = zero_mask(rng, n, a);
            for (std::size_t i = 0; i < n; ++i)
                if (zq[i]) q[i] = 0.0;
        } else if (b == 3) {
            const std::vector<bool> zq = zero_mask(rng, n, a);
            for (std::size_t i = 0; i < n; ++i)
                if (zq[i] && !zp[i]) q[i] = 0.0;
        }
        p = normalized(p);
        q = normalized(q);
    } else if (f == "counts") {
        p = counts(rng, n, a);
        p[0] += 1.0;
        if (b == 0) {
            q = counts(rng, n, a);
            q[0] += 1.0;
        } else if (b == 1) {
            const bits x = rng.take(n);
            q.resize(n);
            for (std::size_t i = 0; i < n; ++i) q[i] = p[i] + static_cast<double>(x[i] >> 63);
        } else if (b == 2) {
            q.resize(n);
            for (std::size_t i = 0; i < n; ++i) q[i] = p[i] * 3.0;
        } else {
            q.resize(n);
            for (std::size_t i = 0; i < n; ++i) q[i] = p[i] + 1.0;
        }
    } else if (f == "weights") {
        p = units(rng.take(n));
        const double sp = std::ldexp(1.0, static_cast<int>(a));
        for (double& x : p) x = x * sp;
        q = units(rng.take(n));
        const double sq = std::ldexp(1.0, static_cast<int>(b));
        for (double& x : q) x = x * sq;
    } else {
        throw std::invalid_argument("unknown family " + f);
    }
    return {std::move(p), std::move(q)};
}

// Rounds to float to nearest even, as numpy's astype(np.float32) does.
inline std::vector<float> to_float(const std::vector<double>& v) {
    std::vector<float> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i]);
    return out;
}

// Σ_i mix(bits(v_i) ^ (i · golden)) mod 2^64 over p then q, bits(v) the IEEE pattern of the value as a
// double, mix splitmix64's finalizer: the script's checksum(), stored in the TSV's checksum column.
template <class T>
std::uint64_t checksum(const std::vector<T>& p, const std::vector<T>& q) {
    std::uint64_t sum = 0;
    std::uint64_t index = 0;
    for (const std::vector<T>* v : {&p, &q}) {
        for (const T x : *v) {
            const double d = static_cast<double>(x);
            std::uint64_t z;
            std::memcpy(&z, &d, sizeof z);
            z ^= index++ * 0x9E3779B97F4A7C15ULL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
            sum += z ^ (z >> 31);
        }
    }
    return sum;
}

}  // namespace kldiv_test
