#pragma once
// An option whose value names one of the values of an enum E, by the library's table of names
// (kldiv/names.hpp): the help lists the names with `-` for `_`, every name and alias is accepted,
// and anything else is a usage error (exit 2) that lists them:
//   --method: 'exact', but it must be automatic, closed-form, numerical or monte-carlo

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "kldiv/names.hpp"

namespace kldiv::cli {

// The check of a choice among E's names.
template <class E>
CLI::Validator names_of_choice() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            return find<E>(text) ? std::string() : "'" + text + "', but it must be " + listing<E>('-');
        },
        "NAME");
}

// The names each choice option takes (aliases left out, `-` for `_`), for the completion scripts and
// the manual page (completion.hpp), by option.
inline std::map<const CLI::Option*, std::vector<std::string>>& choice_names() {
    static std::map<const CLI::Option*, std::vector<std::string>> names;
    return names;
}

// E's names as the command line spells them, each value's first name only (no aliases).
template <class E>
std::vector<std::string> spelled_names() {
    std::vector<std::string> out;
    std::vector<E> seen;
    for (const auto& entry : names_of(E{})) {
        if (std::find(seen.begin(), seen.end(), entry.value) != seen.end()) continue;
        seen.push_back(entry.value);
        out.push_back(name(entry.value, '-'));
    }
    return out;
}

// Registers `flag` on `command`: its text sets `value` (an E, or a std::optional<E> left empty when
// the flag is not given, or a std::vector<E> of every value given: the flag repeated, or names
// separated by commas). `help` is followed by the names.
template <class E, class Target>
CLI::Option* add_choice(CLI::App& command, const std::string& flag, Target& value, const std::string& help) {
    static_assert(std::is_same_v<Target, E> || std::is_same_v<Target, std::optional<E>> ||
                  std::is_same_v<Target, std::vector<E>>);
    CLI::Option* option = nullptr;
    if constexpr (std::is_same_v<Target, std::vector<E>>) {
        option = command
                     .add_option_function<std::vector<std::string>>(
                         flag,
                         [&value](const std::vector<std::string>& texts) {
                             for (const std::string& text : texts) value.push_back(*find<E>(text));
                         },
                         help + ": " + listing<E>('-'))
                     ->delimiter(',')
                     ->check(names_of_choice<E>());
    } else {
        option =
            command
                .add_option_function<std::string>(
                    flag, [&value](const std::string& text) { value = *find<E>(text); }, help + ": " + listing<E>('-'))
                ->check(names_of_choice<E>());
    }
    if constexpr (std::is_same_v<Target, E>) option->default_str(name(value, '-'));
    choice_names()[option] = spelled_names<E>();
    return option;
}

}  // namespace kldiv::cli
