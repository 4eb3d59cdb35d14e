#include "kldiv/contributions.hpp"

#include "src/core/terms.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

void check_out(const char* function, std::size_t events, std::span<double> out) {
    if (out.size() != events) {
        throw error(function, "out has " + std::to_string(out.size()) + " entries, but the distributions have " +
                                  std::to_string(events) + " events");
    }
}

template <class T>
void kl_contributions_of(std::span<const T> p, std::span<const T> q, std::span<double> out, const options& opts) {
    check_out("kl_contributions", p.size(), out);
    detail::with_pair("kl_contributions", p, q, opts, detail::support_rule::p_within_q,
                      [&](auto pv, detail::double_double sp, auto qv, detail::double_double sq) {
                          const detail::pair_scale s(sp, sq);
                          for (std::size_t i = 0; i < pv.size(); ++i) {
                              out[i] = opts.base.from_nats(
                                  detail::kl_contribution(static_cast<double>(pv[i]), static_cast<double>(qv[i]), s));
                          }
                          return 0;
                      });
}

template <class T>
void entropy_contributions_of(std::span<const T> p, std::span<double> out, const options& opts) {
    check_out("entropy_contributions", p.size(), out);
    detail::with_one("entropy_contributions", p, opts, [&](auto pv, detail::double_double sp) {
        const detail::scale s(sp);
        for (std::size_t i = 0; i < pv.size(); ++i) {
            out[i] = opts.base.from_nats(detail::entropy_term(static_cast<double>(pv[i]), s));
        }
        return 0;
    });
}

}  // namespace

void kl_contributions(std::span<const double> p, std::span<const double> q, std::span<double> out,
                      const options& opts) {
    kl_contributions_of(p, q, out, opts);
}
void kl_contributions(std::span<const float> p, std::span<const float> q, std::span<double> out, const options& opts) {
    kl_contributions_of(p, q, out, opts);
}
void entropy_contributions(std::span<const double> p, std::span<double> out, const options& opts) {
    entropy_contributions_of(p, out, opts);
}
void entropy_contributions(std::span<const float> p, std::span<double> out, const options& opts) {
    entropy_contributions_of(p, out, opts);
}

}  // namespace kldiv
