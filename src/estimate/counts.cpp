// Estimators of entropy, cross-entropy and KL from count vectors (formulas and zero-count policy
// in include/kldiv/estimate/counts.hpp). Each count vector is turned into estimated
// probabilities on its own; the sums are left to the discrete core (kldiv/discrete.hpp), which
// normalizes exactly; only the Miller–Madow corrections are added here.

#include "kldiv/estimate/counts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "kldiv/discrete.hpp"
#include "kldiv/error.hpp"
#include "src/common/format.hpp"

namespace kldiv::estimate {
namespace {

using detail::to_text;

// Checks one count vector and returns its total n.
double validated_total(const char* function, const char* name, std::span<const double> counts) {
    if (counts.empty()) throw error(function, std::string(name) + " is empty, but there must be at least one bin");
    for (std::size_t k = 0; k < counts.size(); ++k) {
        if (counts[k] >= 0.0 && std::isfinite(counts[k])) continue;
        throw error(function, std::string(name) + "[" + std::to_string(k) + "] = " + to_text(counts[k]) +
                                  ", but counts must be finite and >= 0");
    }
    const double n = std::accumulate(counts.begin(), counts.end(), 0.0);
    if (!(n > 0.0)) throw error(function, std::string(name) + " are all 0, but an estimate needs at least one count");
    if (!std::isfinite(n)) throw error(function, std::string(name) + " sum to inf, but the total must be finite");
    return n;
}

void check_same_size(const char* function, std::span<const double> p, std::span<const double> q) {
    if (p.size() != q.size()) {
        throw error(function, "p_counts has " + std::to_string(p.size()) + " bins and q_counts " +
                                  std::to_string(q.size()) + ", but both must count the same events");
    }
}

// The Dirichlet pseudocount a of each pseudocount estimator for K bins and n counts.
double pseudocount(count_estimator method, std::size_t bins, double n) {
    const double K = static_cast<double>(bins);
    switch (method) {
        case count_estimator::laplace:
            return 1.0;
        case count_estimator::jeffreys:
            return 0.5;
        case count_estimator::perks:
            return 1.0 / K;
        case count_estimator::minimax:
            return std::sqrt(n) / K;
        default:
            return 0.0;
    }
}

double shrinkage_intensity_of(std::span<const double> counts, double n) {
    if (n <= 1.0) return 1.0;
    const double target = 1.0 / static_cast<double>(counts.size());
    double sum_squares = 0.0, distance = 0.0;
    for (const double y : counts) {
        const double theta = y / n;
        sum_squares += theta * theta;
        distance += (target - theta) * (target - theta);
    }
    if (distance == 0.0) return 1.0;
    const double lambda = (1.0 - sum_squares) / ((n - 1.0) * distance);
    return std::fmin(1.0, std::fmax(0.0, lambda));
}

// θ̂ up to a common positive factor (the discrete core normalizes exactly).
std::vector<double> unnormalized_probabilities(std::span<const double> counts, double n, count_estimator method) {
    std::vector<double> theta(counts.begin(), counts.end());
    if (method == count_estimator::james_stein) {
        const double lambda = shrinkage_intensity_of(counts, n);
        const double target = 1.0 / static_cast<double>(counts.size());
        for (double& t : theta) t = lambda * target + (1.0 - lambda) * (t / n);
    } else {
        const double a = pseudocount(method, counts.size(), n);
        for (double& t : theta) t += a;
    }
    return theta;
}

std::string method_text(count_estimator method, std::span<const double> p, double n, std::span<const double> q = {},
                        double m = 0.0) {
    std::string text = name(method, '-');
    switch (method) {
        case count_estimator::laplace:
            text += ", a=1";
            break;
        case count_estimator::jeffreys:
            text += ", a=1/2";
            break;
        case count_estimator::perks:
            text += ", a=1/K";
            break;
        case count_estimator::minimax:
            text += ", a=sqrt(n)/K";
            break;
        case count_estimator::james_stein:
            if (q.empty()) {
                text += ", lambda=" + to_text(shrinkage_intensity_of(p, n));
            } else {
                text += ", lambda_p=" + to_text(shrinkage_intensity_of(p, n)) +
                        ", lambda_q=" + to_text(shrinkage_intensity_of(q, m));
            }
            break;
        default:
            break;
    }
    return text;
}

// Applies on_zero where P has counts and θ̂_Q is 0; true if the estimate is +inf.
bool infinite_by_zero(const char* function, std::span<const double> p_counts, std::span<const double> q_counts,
                      std::span<const double> q_theta, const count_options& opts) {
    for (std::size_t k = 0; k < p_counts.size(); ++k) {
        if (p_counts[k] > 0.0 && q_theta[k] == 0.0) {
            if (opts.on_zero == zero_counts::infinity) return true;
            throw error(function, "bin " + std::to_string(k) + " has p_counts = " + to_text(p_counts[k]) +
                                      " but an estimated q probability of 0 (q_counts = " + to_text(q_counts[k]) +
                                      "), so the estimate is +inf (on_zero = error; use a pseudocount estimator "
                                      "or on_zero = infinity)");
        }
    }
    return false;
}

const kldiv::options normalized{.normalize = true};

// The Miller–Madow correction of the plug-in entropy, (m_P − 1)/(2n), in nats.
double entropy_correction(std::span<const double> counts, double n) {
    const auto occupied = std::count_if(counts.begin(), counts.end(), [](double y) { return y > 0.0; });
    return static_cast<double>(occupied - 1) / (2.0 * n);
}

// The Miller–Madow correction subtracted from the plug-in cross-entropy, (Σ_{y_k>0} θ̂_P/θ̂_Q − 1)/(2m).
double cross_entropy_correction(std::span<const double> p, double n, std::span<const double> q, double m) {
    double ratio = 0.0;
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (p[k] > 0.0) ratio += (p[k] / n) / (q[k] / m);
    }
    return (ratio - 1.0) / (2.0 * m);
}

// Entropy, cross-entropy and KL of one pair in nats, with the Miller–Madow corrections if asked for.
enum class measure { cross_entropy, kl_divergence };

estimate pair_estimate(const char* function, measure what, std::span<const double> p_counts,
                       std::span<const double> q_counts, const count_options& opts) {
    const double n = validated_total(function, "p_counts", p_counts);
    const double m = validated_total(function, "q_counts", q_counts);
    check_same_size(function, p_counts, q_counts);
    const std::vector<double> p = unnormalized_probabilities(p_counts, n, opts.method);
    const std::vector<double> q = unnormalized_probabilities(q_counts, m, opts.method);
    estimate result{.value = 0.0,
                    .method = estimator::counts,
                    .detail = method_text(opts.method, p_counts, n, q_counts, m),
                    .interval = {}};
    if (infinite_by_zero(function, p_counts, q_counts, q, opts)) {
        result.value = std::numeric_limits<double>::infinity();
        return result;
    }
    double nats = what == measure::kl_divergence ? kl_divergence(p, q, normalized) : cross_entropy(p, q, normalized);
    if (opts.method == count_estimator::miller_madow) {
        nats -= cross_entropy_correction(p_counts, n, q_counts, m);
        if (what == measure::kl_divergence) nats -= entropy_correction(p_counts, n);
    }
    result.value = opts.base.from_nats(nats);
    return result;
}

}  // namespace

std::vector<double> probabilities_from_counts(std::span<const double> counts, count_estimator method) {
    const double n = validated_total("probabilities_from_counts", "counts", counts);
    std::vector<double> theta = unnormalized_probabilities(counts, n, method);
    const double total = std::accumulate(theta.begin(), theta.end(), 0.0);
    for (double& t : theta) t /= total;
    return theta;
}

double shrinkage_intensity(std::span<const double> counts) {
    return shrinkage_intensity_of(counts, validated_total("shrinkage_intensity", "counts", counts));
}

estimate entropy_from_counts(std::span<const double> counts, const count_options& opts) {
    const double n = validated_total("entropy_from_counts", "counts", counts);
    double nats = entropy(unnormalized_probabilities(counts, n, opts.method), normalized);
    if (opts.method == count_estimator::miller_madow) nats += entropy_correction(counts, n);
    return {.value = opts.base.from_nats(nats),
            .method = estimator::counts,
            .detail = method_text(opts.method, counts, n),
            .interval = {}};
}

estimate cross_entropy_from_counts(std::span<const double> p_counts, std::span<const double> q_counts,
                                   const count_options& opts) {
    return pair_estimate("cross_entropy_from_counts", measure::cross_entropy, p_counts, q_counts, opts);
}

estimate kl_divergence_from_counts(std::span<const double> p_counts, std::span<const double> q_counts,
                                   const count_options& opts) {
    return pair_estimate("kl_divergence_from_counts", measure::kl_divergence, p_counts, q_counts, opts);
}

}  // namespace kldiv::estimate
