// Accuracy of the core measures against 50-digit references.
//
// tests/data/reference_cases.tsv holds, for each of ~2,200 generated cases, the generator spec and
// the mpmath values (tests/data/generate_reference.py) of H(P), H(Q), H(P,Q), H(Q,P), D(P‖Q),
// D(Q‖P) and JS_β for p̂ = p/Σp, q̂ = q/Σq. tests/case_generator.hpp regenerates p and q bit for bit
// (checked against the stored checksum); every measure must be within 1e-12 relative error of its
// reference, and exactly equal where the reference is 0 or +inf.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "kldiv/kldiv.hpp"

#include "tests/case_generator.hpp"

namespace {

using kldiv_test::case_spec;

constexpr double tolerance = 1e-12;
constexpr int measure_count = 7;
constexpr std::array<const char*, measure_count> measure_names = {
    "entropy_p", "entropy_q", "cross_entropy_pq", "cross_entropy_qp", "kl_pq", "kl_qp", "js"};

struct reference_case {
    case_spec spec;
    std::uint64_t checksum = 0;
    std::array<double, measure_count> expected{};
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

double parse_double(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);  // glibc rounds correctly; accepts "inf"
    if (end == text.c_str() || *end != '\0') throw std::runtime_error("bad number '" + text + "'");
    return value;
}

const std::vector<reference_case>& cases() {
    static const std::vector<reference_case> all = [] {
        const std::string path = std::string(KLDIV_TEST_DATA) + "/reference_cases.tsv";
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open " + path);
        std::vector<reference_case> out;
        std::string line;
        bool header_seen = false;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            const std::vector<std::string> f = split_tabs(line);
            if (!header_seen) {
                header_seen = true;
                if (f.size() != 17 || f[0] != "id" || f[9] != "checksum" || f[16] != "js")
                    throw std::runtime_error("unexpected header in " + path + ": " + line);
                continue;
            }
            if (f.size() != 17) throw std::runtime_error("bad line in " + path + ": " + line);
            reference_case c;
            c.spec.id = std::stol(f[0]);
            c.spec.family = f[1];
            c.spec.dtype = f[2];
            c.spec.n = std::stoul(f[3]);
            c.spec.seed = std::stoull(f[4]);
            c.spec.a = std::stol(f[5]);
            c.spec.b = std::stol(f[6]);
            c.spec.beta = parse_double(f[7]);
            c.spec.normalize = f[8] == "1";
            c.checksum = std::stoull(f[9], nullptr, 16);
            for (int m = 0; m < measure_count; ++m) c.expected[m] = parse_double(f[10 + m]);
            out.push_back(std::move(c));
        }
        return out;
    }();
    return all;
}

std::string describe(const case_spec& s) {
    std::ostringstream o;
    o << "case " << s.id << " (" << s.family << ' ' << s.dtype << " n=" << s.n << " seed=" << s.seed << " a=" << s.a
      << " b=" << s.b << " beta=" << s.beta << " normalize=" << s.normalize << ')';
    return o.str();
}

template <class T>
std::array<double, measure_count> measure(const std::vector<T>& p, const std::vector<T>& q, double beta,
                                          kldiv::options opts) {
    opts.beta = beta;
    const std::span<const T> ps(p), qs(q);
    return {kldiv::entropy(ps, opts),           kldiv::entropy(qs, opts),           kldiv::cross_entropy(ps, qs, opts),
            kldiv::cross_entropy(qs, ps, opts), kldiv::kl_divergence(ps, qs, opts), kldiv::kl_divergence(qs, ps, opts),
            kldiv::js_divergence(ps, qs, opts)};
}

// The same measures by measure_rows (the batched kernels, which Python's functions call): one row.
template <class T>
std::array<double, measure_count> measure_batched(const std::vector<T>& p, const std::vector<T>& q, double beta,
                                                  bool normalize) {
    double hp = 0, hq = 0, cross = 0, kl = 0, reverse = 0, js = 0;
    kldiv::measure_rows(kldiv::matrix_view<const T>(p.data(), 1, p.size()),
                        kldiv::matrix_view<const T>(q.data(), 1, q.size()),
                        {{&kl, 1}, {&reverse, 1}, {&js, 1}, {&hp, 1}, {&hq, 1}, {&cross, 1}},
                        {.measure = {.normalize = normalize, .beta = beta}});
    return {hp, hq, cross, hq + reverse, kl, reverse, js};
}

struct computed_case {
    std::uint64_t checksum = 0;
    std::array<double, measure_count> got{}, batched{};
    double jeffreys = 0.0;
};

// Every case regenerated and measured once, shared by the tests below.
const std::vector<computed_case>& computed() {
    static const std::vector<computed_case> all = [] {
        std::vector<computed_case> out;
        out.reserve(cases().size());
        const auto start = std::chrono::steady_clock::now();
        for (const reference_case& c : cases()) {
            kldiv::options opts;
            opts.normalize = c.spec.normalize;
            auto [p, q] = kldiv_test::generate(c.spec);
            computed_case r;
            if (c.spec.dtype == "float32") {
                const std::vector<float> pf = kldiv_test::to_float(p), qf = kldiv_test::to_float(q);
                r.checksum = kldiv_test::checksum(pf, qf);
                r.got = measure(pf, qf, c.spec.beta, opts);
                r.batched = measure_batched(pf, qf, c.spec.beta, opts.normalize);
                r.jeffreys = kldiv::jeffreys(std::span<const float>(pf), std::span<const float>(qf), opts);
            } else {
                r.checksum = kldiv_test::checksum(p, q);
                r.got = measure(p, q, c.spec.beta, opts);
                r.batched = measure_batched(p, q, c.spec.beta, opts.normalize);
                r.jeffreys = kldiv::jeffreys(std::span<const double>(p), std::span<const double>(q), opts);
            }
            out.push_back(r);
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("generated and measured %zu cases in %.2f s\n", out.size(), seconds);
        return out;
    }();
    return all;
}

double relative_error(double got, double expected) {
    if (expected == 0.0 || std::isinf(expected)) return got == expected ? 0.0 : INFINITY;
    return std::fabs(got - expected) / std::fabs(expected);
}

TEST(Reference, FileCoversTheRequiredCases) {
    const auto& all = cases();
    ASSERT_GE(all.size(), 2000U);
    std::map<std::string, int> per_family;
    int float32 = 0, large = 0, near_below_1e15 = 0, near_below_1e19 = 0, tiny_1e300 = 0;
    for (const reference_case& c : all) {
        ++per_family[c.spec.family];
        float32 += c.spec.dtype == "float32";
        large += c.spec.n >= 1000000;
        const double kl = c.expected[4];
        if (c.spec.family == "near" && kl > 0.0 && kl < 1e-15) ++near_below_1e15;
        if (c.spec.family == "near" && kl > 0.0 && kl < 1e-19) ++near_below_1e19;
        tiny_1e300 +=
            (c.spec.family == "tiny" && c.spec.b >= 990) || (c.spec.family == "skewed" && c.spec.a + c.spec.b >= 990);
    }
    std::printf("%zu cases:", all.size());
    for (const auto& [family, count] : per_family) std::printf(" %s %d,", family.c_str(), count);
    std::printf(" float32 %d, 10^6 events %d, near with KL < 1e-15: %d, with KL < 1e-19: %d\n", float32, large,
                near_below_1e15, near_below_1e19);
    EXPECT_GE(float32, 100);
    EXPECT_GE(large, 4);
    EXPECT_GE(near_below_1e15, 100);
    EXPECT_GE(near_below_1e19, 10);
    EXPECT_GE(tiny_1e300, 20);
}

TEST(Reference, GeneratorMatchesThePythonTwin) {
    const auto& all = cases();
    const auto& results = computed();
    int mismatches = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (results[i].checksum != all[i].checksum && ++mismatches <= 20) {
            ADD_FAILURE() << describe(all[i].spec) << ": regenerated vectors differ from the script's (checksum "
                          << std::hex << results[i].checksum << " != " << all[i].checksum << ')';
        }
    }
    EXPECT_EQ(mismatches, 0);
}

// Every measure of every case within 1e-12 of its reference; prints the largest errors per measure
// and per family (the table in docs/measures/kl_divergence.md).
void expect_within_tolerance(std::array<double, measure_count> computed_case::*values, const char* path) {
    const auto& all = cases();
    const auto& results = computed();
    std::array<double, measure_count> worst{};
    std::array<long, measure_count> worst_case{};
    std::map<std::string, double> worst_per_family;
    int failures = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const reference_case& c = all[i];
        if (results[i].checksum != c.checksum) continue;  // reported by GeneratorMatchesThePythonTwin
        for (int m = 0; m < measure_count; ++m) {
            const double got = (results[i].*values)[m];
            const double expected = c.expected[m];
            const double err = relative_error(got, expected);
            if (!(err <= tolerance)) {
                if (++failures <= 50) {
                    ADD_FAILURE() << path << ", " << describe(c.spec) << ": " << measure_names[m] << " = "
                                  << std::setprecision(17) << got << ", reference " << expected << ", relative error "
                                  << err;
                }
            }
            if (!(err <= worst[m])) {
                worst[m] = err;
                worst_case[m] = c.spec.id;
            }
            double& family_worst = worst_per_family[c.spec.family + " " + c.spec.dtype];
            family_worst = std::max(family_worst, err);
        }
    }
    std::printf("%s: max relative error per measure over %zu cases (bound %.0e):\n", path, all.size(), tolerance);
    for (int m = 0; m < measure_count; ++m)
        std::printf("  %-17s %.3e  (case %ld)\n", measure_names[m], worst[m], worst_case[m]);
    std::printf("max relative error per family, all measures:\n");
    for (const auto& [family, err] : worst_per_family) std::printf("  %-18s %.3e\n", family.c_str(), err);
    EXPECT_EQ(failures, 0);
}

TEST(Reference, CoreMeasuresWithin1e12) { expect_within_tolerance(&computed_case::got, "discrete.hpp"); }

TEST(Reference, BatchedMeasuresWithin1e12) { expect_within_tolerance(&computed_case::batched, "measure_rows"); }

TEST(Reference, IdenticalDistributionsGiveExactlyZero) {
    const auto& all = cases();
    const auto& results = computed();
    int checked = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const reference_case& c = all[i];
        const bool same = c.spec.family == "identical" || (c.spec.family == "counts" && c.spec.b == 2);
        if (!same) continue;
        ++checked;
        const computed_case& r = results[i];
        EXPECT_EQ(r.got[4], 0.0) << describe(c.spec) << ": kl_pq";
        EXPECT_EQ(r.got[5], 0.0) << describe(c.spec) << ": kl_qp";
        EXPECT_EQ(r.got[6], 0.0) << describe(c.spec) << ": js";
        EXPECT_EQ(r.jeffreys, 0.0) << describe(c.spec) << ": jeffreys";
        EXPECT_EQ(c.expected[4], 0.0) << describe(c.spec) << ": the reference kl_pq";
    }
    EXPECT_GE(checked, 100);
}

TEST(Reference, DivergencesAreNeverNegative) {
    const auto& all = cases();
    const auto& results = computed();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const computed_case& r = results[i];
        EXPECT_GE(r.got[4], 0.0) << describe(all[i].spec) << ": kl_pq";
        EXPECT_GE(r.got[5], 0.0) << describe(all[i].spec) << ": kl_qp";
        EXPECT_GE(r.got[6], 0.0) << describe(all[i].spec) << ": js";
        EXPECT_GE(r.jeffreys, 0.0) << describe(all[i].spec) << ": jeffreys";
        for (int m = 0; m < 4; ++m) EXPECT_GE(r.got[m], 0.0) << describe(all[i].spec) << ": " << measure_names[m];
    }
}

}  // namespace
