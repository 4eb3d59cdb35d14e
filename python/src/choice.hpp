#pragma once
// Option names of the Python API to C++ enumerators, with an error listing the names.

#include <initializer_list>
#include <string>
#include <utility>

#include "kldiv/error.hpp"

// The enumerator named `name` among `choices`; otherwise an error listing them.
template <class E>
E choice(const char* what, const std::string& name, std::initializer_list<std::pair<const char*, E>> choices) {
    std::string listed;
    for (const auto& [text, value] : choices) {
        if (name == text) return value;
        listed += (listed.empty() ? "'" : ", '") + std::string(text) + "'";
    }
    throw kldiv::error("kldiv", std::string(what) + " = '" + name + "', but it must be one of " + listed);
}
