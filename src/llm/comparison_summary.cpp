// comparison_summary: accumulating per-position comparisons, merging, the final statistics and
// the byte form (formulas in include/kldiv/llm/comparison_summary.hpp).
//
// Byte form, little-endian: "KCS3", the twelve moments (n, mean, m2 each) in declaration order, the
// four counts (8 bytes each: the other top-k's k, the positions with the same top token, the
// floored-token counts of the reference and the candidate), then the two histograms, each as its
// length (8 bytes) and quantile_histogram's byte form.

#include "kldiv/llm/comparison_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kldiv/error.hpp"
#include "src/common/format.hpp"

namespace kldiv::llm {
namespace {

constexpr char magic[4] = {'K', 'C', 'S', '3'};

mean_with_error of(const moments& m) { return {m.mean(), m.standard_error()}; }

distribution_statistics of(const moments& m, const quantile_histogram& h) {
    distribution_statistics d{.mean = of(m), .min = h.min(), .max = h.max()};
    if (m.n == 0) d.min = d.max = not_computed;
    double bound = 0.0;
    std::vector<double> qs;
    for (const double p : reported_percentiles) qs.push_back(p / 100.0);
    const std::vector<double> values = h.percentiles(qs);
    for (std::size_t i = 0; i < std::size(reported_percentiles); ++i) {
        d.percentiles[i] = values[i];
        if (m.n > 0) bound = std::max(bound, h.error_bound(d.percentiles[i]));
    }
    d.percentile_error = m.n > 0 ? bound : not_computed;
    return d;
}

void put_moments(std::string& out, const moments& m) {
    char bytes[24];
    std::memcpy(bytes, &m.n, 8);
    std::memcpy(bytes + 8, &m.mean_, 8);
    std::memcpy(bytes + 16, &m.m2, 8);
    out.append(bytes, sizeof bytes);
}

std::string_view take(std::string_view& in, std::size_t count) {
    if (in.size() < count) throw error("comparison_summary::deserialize", "the bytes end early");
    const std::string_view part = in.substr(0, count);
    in.remove_prefix(count);
    return part;
}

moments take_moments(std::string_view& in) {
    const std::string_view bytes = take(in, 24);
    moments m;
    std::memcpy(&m.n, bytes.data(), 8);
    std::memcpy(&m.mean_, bytes.data() + 8, 8);
    std::memcpy(&m.m2, bytes.data() + 16, 8);
    return m;
}

}  // namespace

void moments::add(double x) noexcept {
    ++n;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n);
    m2 += delta * (x - mean_);
}

void moments::merge(const moments& other) noexcept {
    if (other.n == 0) return;
    if (n == 0) {
        *this = other;
        return;
    }
    const double na = static_cast<double>(n), nb = static_cast<double>(other.n), total = na + nb;
    const double delta = other.mean_ - mean_;
    mean_ += delta * (nb / total);
    m2 += other.m2 + delta * delta * (na * nb / total);
    n += other.n;
}

double moments::mean() const noexcept { return n == 0 ? not_computed : mean_; }
double moments::variance() const noexcept { return n < 2 ? not_computed : m2 / static_cast<double>(n - 1); }
double moments::standard_error() const noexcept { return std::sqrt(variance() / static_cast<double>(n)); }

void comparison_summary::same_k(std::uint64_t k, bool first) {
    // One k for every position of a summary: a position without the other top-k, or with another
    // k, would make its mean cover only some of them.
    if (first) {
        top_k_ = k;
        return;
    }
    if (top_k_ != k) {
        throw error(
            "comparison_summary",
            "a position (or summary) with " +
                (k == 0 ? std::string("no other top-k overlap") : "top-" + std::to_string(k)) +
                " is added to a summary of " +
                (top_k_ == 0 ? std::string("positions without one") : "top-" + std::to_string(top_k_) + " overlaps") +
                ", but one summary has one k");
    }
}

comparison_summary::comparison_summary()
    : kl_histogram_(quantile_histogram::scale::log_scale), delta_p_histogram_(quantile_histogram::scale::linear) {}

void comparison_summary::add(const token_comparison& t) {
    kl_histogram_.add(t.kl, "the per-token KL divergence");  // checks kl >= 0 and finite first
    kl_.add(t.kl);
    if (!std::isnan(t.reverse_kl)) reverse_kl_.add(t.reverse_kl);
    if (!std::isnan(t.js)) js_.add(t.js);
    same_top_.add(t.same_top ? 1.0 : 0.0);
    same_top_count_ += t.same_top;
    // Out of the k tokens there are: a row of 7 tokens shares all 7 of its top 10 with itself.
    const auto out_of = [&](std::size_t k) {
        return static_cast<double>(t.vocabulary == 0 ? k : std::min(k, t.vocabulary));
    };
    top5_.add(t.top5_overlap / out_of(5));
    top10_.add(t.top10_overlap / out_of(10));
    same_k(t.top_k, kl_.n == 1);
    if (t.top_k != 0) top_k_overlap_.add(static_cast<double>(t.top_k_overlap) / out_of(t.top_k));
    if (std::isnan(t.log_p_reference) || std::isnan(t.log_p_candidate)) return;
    const double delta_p = std::exp(t.log_p_candidate) - std::exp(t.log_p_reference);
    delta_p_histogram_.add(delta_p, "the change of the actual token's probability");
    a_.add(t.log_p_reference);
    b_.add(t.log_p_candidate);
    difference_.add(t.log_p_reference - t.log_p_candidate);
    delta_p_.add(delta_p);
    delta_p_squared_.add(delta_p * delta_p);
    floored_reference_ += t.reference_token_floored;
    floored_candidate_ += t.candidate_token_floored;
}

void comparison_summary::merge(const comparison_summary& o) {
    if (o.kl_.n > 0) same_k(o.top_k_, kl_.n == 0);
    same_top_count_ += o.same_top_count_;
    for (auto [mine, theirs] : {std::pair{&kl_, &o.kl_},
                                {&reverse_kl_, &o.reverse_kl_},
                                {&js_, &o.js_},
                                {&same_top_, &o.same_top_},
                                {&top5_, &o.top5_},
                                {&top10_, &o.top10_},
                                {&top_k_overlap_, &o.top_k_overlap_},
                                {&a_, &o.a_},
                                {&b_, &o.b_},
                                {&difference_, &o.difference_},
                                {&delta_p_, &o.delta_p_},
                                {&delta_p_squared_, &o.delta_p_squared_}}) {
        mine->merge(*theirs);
    }
    floored_reference_ += o.floored_reference_;
    floored_candidate_ += o.floored_candidate_;
    kl_histogram_.merge(o.kl_histogram_);
    delta_p_histogram_.merge(o.delta_p_histogram_);
}

comparison_statistics comparison_summary::statistics() const {
    comparison_statistics s;
    s.positions = kl_.n;
    s.positions_with_token = a_.n;
    s.floored_token_reference = floored_reference_;
    s.floored_token_candidate = floored_candidate_;
    s.kl = of(kl_, kl_histogram_);
    s.reverse_kl = of(reverse_kl_);
    s.js = of(js_);
    s.delta_p = of(delta_p_, delta_p_histogram_);
    s.same_top = of(same_top_);
    if (same_top_.n > 0) {
        // The exact count over n, correctly rounded (1915/2000 is 0.9575; the running mean gave
        // 0.9574999999999991).
        const double n = static_cast<double>(same_top_.n);
        const double f = static_cast<double>(same_top_count_) / n;
        s.same_top.mean = f;
        s.same_top.standard_error = std::sqrt(f * (1.0 - f) / n);  // the binomial SE, √(f(1 − f)/n)
    }
    s.top5_overlap = of(top5_);
    s.top10_overlap = of(top10_);
    s.top_k = static_cast<std::size_t>(top_k_);
    if (top_k_ != 0) s.top_k_overlap = of(top_k_overlap_);
    if (a_.n == 0) return s;
    const double rms = std::sqrt(delta_p_squared_.mean());
    s.rms_delta_p = {rms, delta_p_squared_.standard_error() / (2.0 * rms)};
    const double ppl_p = std::exp(-a_.mean()), ppl_q = std::exp(-b_.mean());
    s.ppl_reference = {ppl_p, ppl_p * a_.standard_error()};
    s.ppl_candidate = {ppl_q, ppl_q * b_.standard_error()};
    const double ln_ratio = difference_.mean();  // mean(a − b) = ln PPL(q) − ln PPL(p)
    s.ln_ppl_ratio = {ln_ratio, difference_.standard_error()};
    s.ppl_ratio = {std::exp(ln_ratio), std::exp(ln_ratio) * difference_.standard_error()};
    const double var_a = a_.variance(), var_b = b_.variance();
    const double cov = 0.5 * (var_a + var_b - difference_.variance());
    s.ln_ppl_correlation = cov / std::sqrt(var_a * var_b);
    const double var_difference = ppl_q * ppl_q * var_b + ppl_p * ppl_p * var_a - 2.0 * ppl_q * ppl_p * cov;
    s.ppl_difference = {ppl_q - ppl_p, std::sqrt(std::max(var_difference, 0.0) / static_cast<double>(a_.n))};
    return s;
}

std::string comparison_summary::serialize() const {
    std::string out(magic, sizeof magic);
    for (const moments* m : {&kl_, &reverse_kl_, &js_, &same_top_, &top5_, &top10_, &top_k_overlap_, &a_, &b_,
                             &difference_, &delta_p_, &delta_p_squared_}) {
        put_moments(out, *m);
    }
    for (const std::uint64_t count : {top_k_, same_top_count_, floored_reference_, floored_candidate_})
        out.append(reinterpret_cast<const char*>(&count), 8);
    for (const quantile_histogram* h : {&kl_histogram_, &delta_p_histogram_}) {
        const std::string bytes = h->serialize();
        const std::uint64_t size = bytes.size();
        out.append(reinterpret_cast<const char*>(&size), 8);
        out += bytes;
    }
    return out;
}

comparison_summary comparison_summary::deserialize(std::string_view in) {
    if (take(in, sizeof magic) != std::string_view(magic, sizeof magic)) {
        throw error("comparison_summary::deserialize", "the bytes do not start with KCS3");
    }
    comparison_summary s;
    for (moments* m : {&s.kl_, &s.reverse_kl_, &s.js_, &s.same_top_, &s.top5_, &s.top10_, &s.top_k_overlap_, &s.a_,
                       &s.b_, &s.difference_, &s.delta_p_, &s.delta_p_squared_}) {
        *m = take_moments(in);
    }
    for (std::uint64_t* count : {&s.top_k_, &s.same_top_count_, &s.floored_reference_, &s.floored_candidate_})
        std::memcpy(count, take(in, 8).data(), 8);
    for (quantile_histogram* h : {&s.kl_histogram_, &s.delta_p_histogram_}) {
        std::uint64_t size = 0;
        std::memcpy(&size, take(in, 8).data(), 8);
        *h = quantile_histogram::deserialize(take(in, size));
    }
    if (!in.empty()) throw error("comparison_summary::deserialize", "there are bytes after the summary");
    return s;
}

}  // namespace kldiv::llm
