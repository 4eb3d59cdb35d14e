// mle: maximum likelihood is minimum KL divergence.
//
// Fits a Poisson distribution to Bortkiewicz's counts of deaths by horse kick in the Prussian
// cavalry (examples/data/horse-kicks.csv) and shows, with kldiv's own measures, that
//   - the λ that minimizes D(P_data‖Q_λ) is the maximum-likelihood estimate, the sample mean;
//   - H(P_data, Q_λ) − D(P_data‖Q_λ) = H(P_data) is the same at every λ, because the entropy of the
//     data does not depend on the model;
//   - the log-likelihood per observation is −H(P_data, Q_λ), so maximizing it minimizes the KL.
// Q_λ is Poisson(λ) over the observed events 0, 1, ..., K plus a tail bucket "≥ K+1", so that it is a
// proper distribution over the same events as P_data. Everything is in nats.
//
// Usage: mle [counts.csv] [--html report.html] [--json]

#include <fmt/core.h>
#include <kldiv/discrete.hpp>
#include <kldiv/error.hpp>
#include <kldiv/io/atomic_file.hpp>
#include <kldiv/io/distribution_file.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "report/html.hpp"
#include "report/svg.hpp"

#ifndef KLDIV_EXAMPLES_DATA
#define KLDIV_EXAMPLES_DATA "examples/data"
#endif

namespace {

using span = std::span<const double>;

struct data {
    std::string path;            // as shown: the name given, or the bundled file's name (not the build machine's path)
    std::vector<double> counts;  // counts[k]: corps-years with k deaths, k = 0..K
    double total = 0;            // number of observations
    double mean = 0;             // sample mean, the Poisson MLE
    std::vector<double> p;       // P_data over 0..K and the (empty) tail bucket
    std::vector<std::string> events;
};

data read_counts(const std::string& path, const std::string& shown) {
    kldiv::io::labeled_vector v = kldiv::io::read_distribution(path);
    data d;
    d.path = shown;
    for (std::size_t k = 0; k < v.values.size(); ++k) {
        if (!v.labels.empty() && v.labels[k] != std::to_string(k)) {
            throw kldiv::error("mle", "'" + path + "': row " + std::to_string(k + 1) + " is labelled '" + v.labels[k] +
                                          "', but the rows must be the counts for 0, 1, 2, ... events in order");
        }
        const double n = v.values[k];
        if (!(n >= 0 && std::isfinite(n))) {
            throw kldiv::error("mle", "'" + path + "': the count for " + std::to_string(k) + " is " +
                                          fmt::format("{}", n) + ", but counts must be finite and >= 0");
        }
        d.counts.push_back(n);
        d.total += n;
        d.mean += static_cast<double>(k) * n;
    }
    if (!(d.total > 0)) throw kldiv::error("mle", "'" + path + "' has no observations");
    d.mean /= d.total;
    for (double n : d.counts) d.p.push_back(n / d.total);
    d.p.push_back(0.0);
    for (std::size_t k = 0; k < d.counts.size(); ++k) d.events.push_back(std::to_string(k));
    d.events.push_back("≥" + std::to_string(d.counts.size()));
    return d;
}

// Poisson(λ) over 0..K and the tail bucket ≥ K+1 (summed directly, not as 1 − Σ, so it stays accurate).
std::vector<double> poisson_buckets(double lambda, std::size_t K) {
    std::vector<double> q(K + 2);
    for (std::size_t k = 0; k <= K; ++k) {
        q[k] = std::exp(static_cast<double>(k) * std::log(lambda) - lambda - std::lgamma(static_cast<double>(k) + 1.0));
    }
    double term = q[K], tail = 0;
    for (std::size_t j = K + 1; j < K + 10000; ++j) {
        term *= lambda / static_cast<double>(j);
        tail += term;
        if (term <= tail * 1e-18) break;
    }
    q[K + 1] = tail;
    return q;
}

struct at_lambda {
    double lambda, kl, cross_entropy, loglik;  // nats; loglik per observation, computed from the counts
};

at_lambda evaluate(const data& d, double lambda) {
    const std::vector<double> q = poisson_buckets(lambda, d.counts.size() - 1);
    double loglik = 0;
    for (std::size_t k = 0; k < d.counts.size(); ++k) {
        if (d.counts[k] > 0) loglik += d.counts[k] * std::log(q[k]);
    }
    return {lambda, kldiv::kl_divergence(span(d.p), span(q)), kldiv::cross_entropy(span(d.p), span(q)),
            loglik / d.total};
}

// Golden-section search for the minimum of f on [a, b].
template <class F>
double golden_section(F f, double a, double b, int& iterations) {
    const double inv_phi = (std::sqrt(5.0) - 1.0) / 2.0;
    double c = b - inv_phi * (b - a), d = a + inv_phi * (b - a);
    double fc = f(c), fd = f(d);
    iterations = 0;
    while (b - a > 1e-12 && iterations < 500) {
        if (fc < fd) {
            b = d, d = c, fd = fc;
            c = b - inv_phi * (b - a);
            fc = f(c);
        } else {
            a = c, c = d, fc = fd;
            d = a + inv_phi * (b - a);
            fd = f(d);
        }
        ++iterations;
    }
    return (a + b) / 2;
}

struct results {
    data d;
    double entropy = 0;  // H(P_data)
    std::vector<at_lambda> grid;
    double grid_argmin = 0;
    double golden = 0;
    int golden_iterations = 0;
    double max_constant_deviation = 0;  // max |H(P,Q_λ) − D(P‖Q_λ) − H(P_data)|
    double max_loglik_deviation = 0;    // max |loglik/obs + H(P,Q_λ)|
    at_lambda at_mle{};
    std::vector<double> fitted;  // Poisson(λ̂) buckets
};

results analyse(const std::string& path, const std::string& shown) {
    results r;
    r.d = read_counts(path, shown);
    const data& d = r.d;
    r.entropy = kldiv::entropy(span(d.p));
    // Grid λ = 0.01, 0.02, ..., 2.00
    double best = INFINITY;
    for (int i = 1; i <= 200; ++i) {
        const at_lambda e = evaluate(d, i / 100.0);
        r.grid.push_back(e);
        if (e.kl < best) best = e.kl, r.grid_argmin = e.lambda;
        r.max_constant_deviation = std::max(r.max_constant_deviation, std::fabs(e.cross_entropy - e.kl - r.entropy));
        r.max_loglik_deviation = std::max(r.max_loglik_deviation, std::fabs(e.loglik + e.cross_entropy));
    }
    r.golden = golden_section([&](double lambda) { return evaluate(d, lambda).kl; }, 0.05, 3.0, r.golden_iterations);
    r.at_mle = evaluate(d, d.mean);
    r.max_constant_deviation =
        std::max(r.max_constant_deviation, std::fabs(r.at_mle.cross_entropy - r.at_mle.kl - r.entropy));
    r.max_loglik_deviation = std::max(r.max_loglik_deviation, std::fabs(r.at_mle.loglik + r.at_mle.cross_entropy));
    r.fitted = poisson_buckets(d.mean, d.counts.size() - 1);
    return r;
}

// Right-aligned to `width` characters on screen (UTF-8; combining marks such as the hat of λ̂ take no room).
std::string right(const std::string& s, std::size_t width) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) == 0x80) continue;
        const bool combining =
            c == 0xCC || (c == 0xCD && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xB0);
        w += combining ? 0 : 1;
    }
    return std::string(w < width ? width - w : 0, ' ') + s;
}

void print_text(const results& r) {
    const data& d = r.d;
    fmt::print("Maximum likelihood = minimum KL divergence: a Poisson fit to horse-kick deaths\n");
    fmt::print("Data: {} ({} observations)\nAll information quantities in nats (natural logarithms).\n\n", d.path,
               d.total);
    fmt::print("  {}  {}  {}  {}  {}\n", right("deaths", 6), right("observed", 8), right("P_data", 9),
               right("Poisson(λ̂)", 12), right("expected", 9));
    for (std::size_t k = 0; k < d.p.size(); ++k) {
        const double n = k < d.counts.size() ? d.counts[k] : 0.0;
        fmt::print("  {}  {:>8}  {:>9.6f}  {:>12.6f}  {:>9.2f}\n", right(d.events[k], 6), n, d.p[k], r.fitted[k],
                   r.fitted[k] * d.total);
    }
    fmt::print("\nPoisson MLE: λ̂ = sample mean = {:.10g}\n\n", d.mean);
    fmt::print("  {}  {}  {}  {}  {}\n", right("λ", 5), right("D(P_data‖Q_λ)", 15), right("H(P_data,Q_λ)", 15),
               right("H − D", 15), right("log-lik per obs", 18));
    for (const at_lambda& e : r.grid) {
        const int i = static_cast<int>(std::lround(e.lambda * 100));
        if (i % 10 != 0 || i < 20 || i > 150) continue;
        fmt::print("  {:>5.2f}  {:>15.10f}  {:>15.10f}  {:>15.12f}  {:>18.10f}\n", e.lambda, e.kl, e.cross_entropy,
                   e.cross_entropy - e.kl, e.loglik);
    }
    const at_lambda& m = r.at_mle;
    fmt::print("  {:>5.2f}  {:>15.10f}  {:>15.10f}  {:>15.12f}  {:>18.10f}   <- λ̂\n\n", m.lambda, m.kl, m.cross_entropy,
               m.cross_entropy - m.kl, m.loglik);
    fmt::print("Smallest D(P_data‖Q_λ) on the grid λ = 0.01, 0.02, ..., 2.00: at λ = {:.2f}\n", r.grid_argmin);
    fmt::print(
        "Golden-section minimization of D(P_data‖Q_λ) over [0.05, 3]: λ* = {:.12f} after {} steps, "
        "|λ* − λ̂| = {:.2e}\n",
        r.golden, r.golden_iterations, std::fabs(r.golden - d.mean));
    fmt::print(
        "H(P_data) = {:.15f} nats; over {} values of λ, max |H(P_data,Q_λ) − D(P_data‖Q_λ) − H(P_data)| = {:.2e} "
        "nats\n",
        r.entropy, r.grid.size() + 1, r.max_constant_deviation);
    fmt::print("Log-likelihood per observation = −H(P_data,Q_λ): max |difference| over the same λ = {:.2e} nats\n",
               r.max_loglik_deviation);
    fmt::print("At λ̂: log-likelihood of all {} observations = {:.6f} nats = −{} × H(P_data,Q_λ̂) = −{} × {:.10f}\n",
               d.total, m.loglik * d.total, d.total, d.total, m.cross_entropy);
    fmt::print(
        "\nSo: −log-likelihood / n = H(P_data,Q_λ) = H(P_data) + D(P_data‖Q_λ), and H(P_data) does not depend on λ:\n"
        "maximizing the likelihood and minimizing the KL divergence from the data pick the same λ.\n");
}

nlohmann::json to_json(const results& r) {
    nlohmann::json grid = nlohmann::json::array();
    for (const at_lambda& e : r.grid) {
        grid.push_back(
            {{"lambda", e.lambda}, {"kl", e.kl}, {"cross_entropy", e.cross_entropy}, {"loglik_per_obs", e.loglik}});
    }
    return {
        {"data", r.d.path},
        {"observations", r.d.total},
        {"unit", "nats"},
        {"lambda_mle", r.d.mean},
        {"lambda_grid_argmin", r.grid_argmin},
        {"lambda_golden", r.golden},
        {"golden_iterations", r.golden_iterations},
        {"entropy_data", r.entropy},
        {"kl_at_mle", r.at_mle.kl},
        {"cross_entropy_at_mle", r.at_mle.cross_entropy},
        {"loglik_per_obs_at_mle", r.at_mle.loglik},
        {"max_constant_deviation", r.max_constant_deviation},
        {"max_loglik_deviation", r.max_loglik_deviation},
        {"grid", std::move(grid)},
    };
}

std::string html_report(const results& r) {
    namespace rp = kldiv::report;
    const data& d = r.d;
    const at_lambda& m = r.at_mle;
    rp::html_page page("Maximum likelihood = minimum KL divergence",
                       "Poisson fit to deaths by horse kick in the Prussian cavalry (Bortkiewicz 1898), " +
                           fmt::format("{}", d.total) + " corps-years · all quantities in nats");
    page.summary({
        {"λ̂ (maximum likelihood)", fmt::format("{:.6g}", d.mean), "the sample mean"},
        {"λ* (minimum of D(P_data‖Q_λ))", fmt::format("{:.10f}", r.golden),
         fmt::format("golden-section search; |λ* − λ̂| = {:.1e}", std::fabs(r.golden - d.mean))},
        {"H(P_data)", fmt::format("{:.6f} nats", r.entropy),
         fmt::format("= H(P_data,Q_λ) − D(P_data‖Q_λ) at every λ (max deviation {:.1e})", r.max_constant_deviation)},
    });
    page.raw_html(
        "<div class=\"callout\"><p>For data with empirical distribution P<sub>data</sub> and a model Q<sub>λ</sub>, "
        "the "
        "average log-likelihood per observation is <span class=\"math\">Σ<sub>x</sub> P<sub>data</sub>(x) log "
        "Q<sub>λ</sub>(x) "
        "= −H(P<sub>data</sub>, Q<sub>λ</sub>)</span>, and the cross-entropy splits as "
        "<span class=\"math\">H(P<sub>data</sub>, Q<sub>λ</sub>) = H(P<sub>data</sub>) + "
        "D(P<sub>data</sub>‖Q<sub>λ</sub>)</span>. "
        "The entropy of the data does not depend on λ, so the λ that maximizes the likelihood is exactly the λ that "
        "minimizes the KL divergence from the data to the model. The chart shows the two curves: they are the same "
        "curve shifted by the constant H(P<sub>data</sub>), with the same minimum.</p></div>");

    page.heading("1. KL divergence and cross-entropy against λ");
    rp::line_chart chart;
    chart.title = "D(P_data‖Q_λ) and H(P_data, Q_λ) for Poisson(λ), in nats";
    chart.x_label = "λ (mean deaths per corps-year)";
    chart.y_label = "nats per observation";
    chart.y_from_zero = true;
    rp::line_series kl{"D(P_data‖Q_λ): KL divergence", {}, {}, rp::palette::vermillion, false};
    rp::line_series ce{"H(P_data, Q_λ) = −log-likelihood per observation", {}, {}, rp::palette::blue, false};
    for (const at_lambda& e : r.grid) {
        if (e.lambda < 0.2 - 1e-9 || e.lambda > 1.4 + 1e-9) continue;
        kl.x.push_back(e.lambda), kl.y.push_back(e.kl);
        ce.x.push_back(e.lambda), ce.y.push_back(e.cross_entropy);
    }
    chart.series = {ce, kl};
    chart.points = {{m.lambda, m.kl, fmt::format("λ̂ = {:.2f}: D = {:.4f}", m.lambda, m.kl), rp::palette::vermillion},
                    {m.lambda, m.cross_entropy, fmt::format("H = {:.4f}", m.cross_entropy), rp::palette::blue}};
    for (double lambda : {0.3, 1.2}) {
        const at_lambda e = evaluate(d, lambda);
        chart.intervals.push_back({lambda, e.kl, e.cross_entropy, fmt::format("H(P_data) = {:.4f}", r.entropy)});
    }
    chart.note =
        "Both curves have their minimum at the sample mean; the vertical gap between them is H(P_data) everywhere.";
    page.figure(
        rp::render(chart),
        "Cross-entropy (blue) and KL divergence (vermillion) of the Poisson model from the data, for λ from 0.2 "
        "to 1.4. The arrows measure the gap between the curves at two values of λ: the same H(P_data).");

    page.heading("2. Observed counts and the fitted Poisson model");
    rp::bar_chart bars;
    bars.title =
        "Corps-years with k deaths: observed and expected under Poisson(λ̂ = " + fmt::format("{:.2f}", d.mean) + ")";
    bars.value_label = "corps-years";
    bars.category_label = "deaths by horse kick in a corps-year (k)";
    bars.categories = d.events;
    std::vector<double> observed(d.counts), expected;
    observed.push_back(0.0);
    for (double q : r.fitted) expected.push_back(q * d.total);
    bars.series = {{"observed", observed, rp::palette::blue}, {"expected, Poisson(λ̂)", expected, rp::palette::orange}};
    bars.value_labels = true;
    page.figure(rp::render(bars),
                "The model puts a little probability on 5 or more deaths, an outcome never observed.");

    rp::table t;
    t.caption = "D, cross-entropy and log-likelihood per observation at some values of λ (nats).";
    t.header = {"λ", "D(P_data‖Q_λ)", "H(P_data, Q_λ)", "H − D", "log-likelihood / n"};
    t.numeric = {true, true, true, true, true};
    for (const at_lambda& e : r.grid) {
        const int i = static_cast<int>(std::lround(e.lambda * 100));
        if (i % 20 != 0 || i > 160) continue;
        t.rows.push_back({fmt::format("{:.2f}", e.lambda), fmt::format("{:.8f}", e.kl),
                          fmt::format("{:.8f}", e.cross_entropy), fmt::format("{:.12f}", e.cross_entropy - e.kl),
                          fmt::format("{:.8f}", e.loglik)});
    }
    t.rows.push_back({fmt::format("{:.2f} (λ̂)", m.lambda), fmt::format("{:.8f}", m.kl),
                      fmt::format("{:.8f}", m.cross_entropy), fmt::format("{:.12f}", m.cross_entropy - m.kl),
                      fmt::format("{:.8f}", m.loglik)});
    page.heading("3. The numbers");
    page.add(t);
    page.footer(
        "Data: " + d.path +
        ". Source: L. von Bortkiewicz, Das Gesetz der kleinen Zahlen, Leipzig 1898. Q_λ is Poisson(λ) over 0.." +
        std::to_string(d.counts.size() - 1) + " deaths plus a bucket for " + d.events.back() +
        ". Generated by the kldiv example program mle.");
    page.json_data("kldiv-data", to_json(r).dump());
    return page.str();
}

}  // namespace

int main(int argc, char** argv) {
    std::string path = std::string(KLDIV_EXAMPLES_DATA) + "/horse-kicks.csv";
    std::string shown = "examples/data/horse-kicks.csv";  // the bundled data, named as in the checkout
    std::string html;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            fmt::print(
                "usage: mle [counts.csv] [--html report.html] [--json]\n"
                "Fits Poisson(λ) to counts of 0, 1, 2, ... events (default: {}) and shows that the maximum-likelihood\n"
                "λ minimizes the KL divergence D(P_data‖Q_λ).\n",
                path);
            return 0;
        } else if (arg == "--html") {
            if (i + 1 >= argc) {
                fmt::print(stderr, "mle: --html needs a file name\n");
                return 2;
            }
            html = argv[++i];
        } else if (arg == "--json") {
            json = true;
        } else if (!arg.empty() && arg[0] == '-') {
            fmt::print(stderr, "mle: unknown option '{}' (try --help)\n", arg);
            return 2;
        } else {
            path = shown = arg;
        }
    }
    try {
        const results r = analyse(path, shown);
        if (!html.empty()) kldiv::io::write_file_atomically(html, html_report(r));
        if (json) {
            std::cout << to_json(r).dump(2) << '\n';
        } else {
            print_text(r);
            if (!html.empty()) fmt::print("\nReport: {}\n", html);
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "mle: {}\n", e.what());
        return 1;
    }
    return 0;
}
