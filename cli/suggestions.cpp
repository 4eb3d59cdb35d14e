// nearest, option_names, subcommand_names (cli/suggestions.hpp).
#include "cli/suggestions.hpp"

#include <algorithm>

namespace kldiv::cli {
namespace {

// Optimal string alignment distance: Levenshtein with the swap of two neighbours as one edit.
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> nearest(const std::string& typed, const std::vector<std::string>& candidates) {
    if (typed.size() > 64) return std::nullopt;  // a stray argument, not a slip
    const std::size_t letters = typed.size() - std::min<std::size_t>(typed.find_first_not_of('-'), typed.size());
    const std::size_t allowed = letters <= 4 ? 1 : letters <= 8 ? 2 : 3;
    std::optional<std::string> best;
    std::size_t best_distance = allowed + 1;
    for (const std::string& c : candidates) {
        const std::size_t d = distance(typed, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> out;
    for (const CLI::Option* option : command.get_options()) {
        for (const std::string& name : option->get_lnames()) out.push_back("--" + name);
    }
    return out;
}

std::vector<std::string> subcommand_names(const CLI::App& command) {
    std::vector<std::string> out;
    for (const CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; }))
        out.push_back(sub->get_name());
    return out;
}

}  // namespace kldiv::cli
