// Shard patterns of the llm commands (model_files.hpp).

#include "cli/model_files.hpp"

#include "kldiv/error.hpp"

#include <algorithm>
#include <string_view>

namespace kldiv::cli {
namespace {

namespace fs = std::filesystem;

// '*' and '?' in a file name.
bool matches(std::string_view pattern, std::string_view name) {
    if (pattern.empty()) return name.empty();
    if (pattern[0] == '*')
        return matches(pattern.substr(1), name) || (!name.empty() && matches(pattern, name.substr(1)));
    return !name.empty() && (pattern[0] == '?' || pattern[0] == name[0]) && matches(pattern.substr(1), name.substr(1));
}

}  // namespace

std::vector<fs::path> expand(const std::string& argument, const char* role) {
    const fs::path path(argument);
    const std::string name = path.filename().string();
    if (name.find_first_of("*?") == std::string::npos) return {path};
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::vector<fs::path> found;
    std::error_code code;
    for (const auto& entry : fs::directory_iterator(directory, code)) {
        if (entry.is_regular_file() && matches(name, entry.path().filename().string())) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) throw error(role, argument + " matches no file");
    return found;
}

}  // namespace kldiv::cli
