// --base (unit_option.hpp).

#include "cli/unit_option.hpp"

#include "cli/choice.hpp"

#include "kldiv/error.hpp"
#include "kldiv/units.hpp"

namespace kldiv::cli {

CLI::Option* add_unit_option(CLI::App& command, std::string& base) {
    base = log_base{}.unit();
    CLI::Option* option =
        command
            .add_option("--base", base,
                        "Unit of the results: nats (natural logarithm), bits, dits, or a logarithm base > 1")
            ->capture_default_str()
            ->check(CLI::Validator(
                [](std::string& text) -> std::string {
                    try {
                        static_cast<void>(log_base::parse(text, "base"));
                        return {};
                    } catch (const error& e) {  // "base = 0.5, but ...": CLI11 puts "--base: " first
                        const std::string& m = e.message();
                        return m.rfind("base = ", 0) == 0 ? m.substr(7) : m;
                    }
                },
                "UNIT"));
    choice_names()[option] = {"nats", "bits", "dits"};
    return option;
}

}  // namespace kldiv::cli
