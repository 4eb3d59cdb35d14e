#include "src/distributions/line_components.hpp"

#include <algorithm>
#include <type_traits>

#include "src/distributions/support.hpp"

namespace kldiv::distributions::detail {
std::vector<weighted_component> line_components(const distribution& d) {
    return std::visit(
        [](const auto& x) -> std::vector<weighted_component> {
            using T = std::remove_cvref_t<decltype(x)>;
            if constexpr (std::is_same_v<T, mixture>) {
                std::vector<weighted_component> out;
                for (std::size_t k = 0; k < x.components.size(); ++k)
                    if (x.weights[k] > 0.0) out.push_back({x.weights[k], x.components[k]});
                return out;
            } else if constexpr (is_alternative<T, univariate>::value) {
                return {{1.0, univariate(x)}};
            } else {
                return {};
            }
        },
        d);
}

std::vector<std::pair<double, double>> support_pieces(const univariate& d) {
    if (const auto* c = std::get_if<categorical>(&d)) {
        std::vector<std::pair<double, double>> runs;
        for (std::size_t k = 0; k < c->probs.size(); ++k) {
            if (!(c->probs[k] > 0.0)) continue;
            const auto x = static_cast<double>(k);
            if (!runs.empty() && runs.back().second == x - 1.0)
                runs.back().second = x;
            else
                runs.push_back({x, x});
        }
        return runs;
    }
    const support s = support_of(d);
    return {{s.low, s.high}};
}

std::vector<std::pair<double, double>> support_union(const std::vector<weighted_component>& components) {
    std::vector<std::pair<double, double>> pieces;
    for (const auto& c : components) {
        const auto more = support_pieces(c.component);
        pieces.insert(pieces.end(), more.begin(), more.end());
    }
    std::sort(pieces.begin(), pieces.end());
    const double step =
        !components.empty() && support_of(components.front().component).kind == space::integers ? 1.0 : 0.0;
    std::vector<std::pair<double, double>> merged;
    for (const auto& piece : pieces) {
        if (!merged.empty() && piece.first <= merged.back().second + step)
            merged.back().second = std::max(merged.back().second, piece.second);
        else
            merged.push_back(piece);
    }
    return merged;
}

}  // namespace kldiv::distributions::detail
