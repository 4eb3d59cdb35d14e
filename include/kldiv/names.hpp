#pragma once
// The names of the choices users make — an enum each (zero_support, input_kind, method_choice, …):
// one table per enum, beside the enum in its own header, that every front end reads. A value's
// name is its C++ identifier (`closed_form`); the command line writes `_` as `-` (`closed-form`),
// and either is accepted everywhere. Older spellings stay as aliases (`closed`, `wkv`, `inf`,
// `raise`), listed after the value's own name in the table, accepted but never printed.
//
//   kldiv::name(kldiv::zero_support::error)                        // "error"
//   kldiv::parse<kldiv::zero_support>("raise", "on_zero", "kldiv")  // zero_support::error (an alias)
//   kldiv::listing<kldiv::distributions::method_choice>('-')       // "automatic, closed-form, numerical or monte-carlo"
//
// A table is a function found by argument-dependent lookup, declared beside its enum E:
//   std::span<const named<E>> names_of(E) noexcept;

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kldiv/error.hpp"

namespace kldiv {

template <class E>
struct named {
    E value;
    std::string_view name;
};

namespace detail {

// Whether entry i of `table` is an alias: an earlier entry names the same value.
template <class E>
bool is_alias(std::span<const named<E>> table, std::size_t i) noexcept {
    for (std::size_t j = 0; j < i; ++j) {
        if (table[j].value == table[i].value) return true;
    }
    return false;
}

// a and b spelled alike, '-' and '_' taken as the same letter.
inline bool same_name(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i])) return false;
    }
    return true;
}

}  // namespace detail

// The name of `value` with `_` written as `separator` ('-' on the command line).
template <class E>
std::string name(E value, char separator = '_') {
    for (const named<E>& n : names_of(E{})) {
        if (n.value != value) continue;
        std::string text(n.name);
        for (char& c : text) c = c == '_' ? separator : c;
        return text;
    }
    return "unknown";
}

// The value named `text` (a name or an alias; `-` and `_` alike), if any.
template <class E>
std::optional<E> find(std::string_view text) noexcept {
    for (const named<E>& n : names_of(E{})) {
        if (detail::same_name(n.name, text)) return n.value;
    }
    return std::nullopt;
}

// The values' names (aliases left out) as "a, b or c", `_` written as `separator`.
template <class E>
std::string listing(char separator = '_') {
    const std::span<const named<E>> table = names_of(E{});
    std::size_t count = 0;
    for (std::size_t i = 0; i < table.size(); ++i) count += detail::is_alias(table, i) ? 0 : 1;
    std::string text;
    std::size_t listed = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (detail::is_alias(table, i)) continue;
        ++listed;
        text += listed == 1 ? "" : listed == count ? " or " : ", ";
        text += name(table[i].value, separator);
    }
    return text;
}

// The value named `text`; otherwise kldiv::error naming `function`, the option as the user wrote
// it, the text and the names: "kldiv dist: --method = 'exact', but it must be automatic, …".
template <class E>
E parse(std::string_view text, std::string_view option, const std::string& function, char separator = '_') {
    if (const std::optional<E> value = find<E>(text)) return *value;
    throw error(function,
                std::string(option) + " = '" + std::string(text) + "', but it must be " + listing<E>(separator));
}

}  // namespace kldiv
