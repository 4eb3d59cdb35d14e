// Differential: the same pair of rows given as logits, as log-probabilities and as probabilities
// (softmax computed here in long double) must give the same D(P‖Q), and the same as the discrete
// kl_divergence of the probabilities.
//
// The input is read as pairs of bytes, each mapped to a logit in [-30, 30] (steps of 60/65535), so
// that every probability is at least e^-60/n: no underflow, and the paths differ only by rounding.
// Tolerance: |a − b| <= 1e-12 + 1e-10·|b|. Each probability carries a relative error of a few ulps
// and the logit paths one of ~1e-16·60 in ln p, so KL (a sum of p·(ln p − ln q) with n <= 256
// terms) may differ by ~1e-13 in absolute terms; 1e-12 leaves a margin, while any real difference
// between the kernels (a lost term, a wrong normalizer) is far larger.

#include <cmath>
#include <cstdio>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "kldiv/batch.hpp"
#include "kldiv/discrete.hpp"

using namespace kldiv;

namespace {

std::vector<double> softmax(const std::vector<double>& logits) {
    long double max = logits[0];
    for (const double l : logits) max = std::max<long double>(max, l);
    long double sum = 0;
    for (const double l : logits) sum += std::exp(static_cast<long double>(l) - max);
    std::vector<double> p(logits.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        p[i] = static_cast<double>(std::exp(static_cast<long double>(logits[i]) - max) / sum);
    return p;
}

std::vector<double> logs(const std::vector<double>& logits) {
    long double max = logits[0];
    for (const double l : logits) max = std::max<long double>(max, l);
    long double sum = 0;
    for (const double l : logits) sum += std::exp(static_cast<long double>(l) - max);
    const long double lse = max + std::log(sum);
    std::vector<double> out(logits.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(logits[i] - lse);
    return out;
}

double kl_of(const std::vector<double>& p, const std::vector<double>& q, input_kind kind) {
    double out = 0;
    batch_options o;
    o.input = kind;
    o.rows.threads = 1;
    kl_divergence_rows(matrix_view<const double>(p.data(), 1, p.size()),
                       matrix_view<const double>(q.data(), 1, q.size()), std::span<double>(&out, 1), o);
    return out;
}

void check(const char* what, double a, double b) {
    if (!(std::fabs(a - b) <= 1e-12 + 1e-10 * std::fabs(b))) {
        std::fprintf(stderr, "%s: %.17g vs %.17g (difference %.3g)\n", what, a, b, a - b);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::size_t n = std::min<std::size_t>(size / 4, 256);
    if (n == 0) return 0;
    std::vector<double> lp(n), lq(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto at = [&](std::size_t k) { return static_cast<unsigned>(data[k]); };
        lp[i] = -30.0 + 60.0 * (at(4 * i) | at(4 * i + 1) << 8) / 65535.0;
        lq[i] = -30.0 + 60.0 * (at(4 * i + 2) | at(4 * i + 3) << 8) / 65535.0;
    }
    const std::vector<double> p = softmax(lp), q = softmax(lq);
    const double from_logits = kl_of(lp, lq, input_kind::logits);
    const double from_log_probs = kl_of(logs(lp), logs(lq), input_kind::log_probs);
    const double from_probs = kl_of(p, q, input_kind::probs);
    const double discrete = kl_divergence(std::span<const double>(p), std::span<const double>(q));
    check("logits vs probabilities", from_logits, from_probs);
    check("log-probabilities vs probabilities", from_log_probs, from_probs);
    check("batched vs discrete kl_divergence", from_probs, discrete);
    if (!(from_logits >= 0)) {
        std::fprintf(stderr, "KL from logits is %.17g\n", from_logits);
        std::abort();
    }
    return 0;
}
