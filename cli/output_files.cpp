#include "cli/output_files.hpp"

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"

namespace kldiv::cli {

const CLI::Validator output_path(
    [](const std::string& path) {
        if (path.empty()) return std::string("the path is empty: name a file to write");
        std::error_code code;
        if (std::filesystem::is_directory(path, code)) return printable(path) + " is a directory: name a file to write";
        return std::string();
    },
    "PATH", "output_path");

void refuse_overwriting_inputs(const std::string& command, const std::string& option, const std::string& output,
                               const std::vector<named_input>& inputs) {
    if (output.empty()) return;
    for (const named_input& input : inputs) {
        std::error_code code;
        if (!input.path.empty() && std::filesystem::equivalent(input.path, output, code)) {
            throw error(command, option + " " + printable(output) + " is the same file as " + input.argument + " " +
                                     printable(input.path.string()) + ": write to another path");
        }
    }
}

}  // namespace kldiv::cli
