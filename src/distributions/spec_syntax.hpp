#pragma once
// The syntax of distribution specs: a call `name(arguments)` whose arguments are positional values
// or `name = value`, a value being a number, a list `[v, …]` or a nested call.
//   spec  := call
//   call  := identifier '(' [argument {',' argument}] ')'
//   argument := [identifier '='] value
//   value := number | '[' [value {',' value}] ']' | call

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kldiv::distributions::detail {

struct call;
struct value;
using list = std::vector<value>;

struct call {
    std::string name;
    std::vector<value> positional;
    std::vector<std::pair<std::string, value>> named;
    std::size_t position = 0;  // of the name in the spec
};

struct value {
    std::variant<double, list, std::shared_ptr<call>> content;
    std::size_t position = 0;  // in the spec
};

// Calls and lists may nest this deep (a mixture of multivariate normals needs 5).
inline constexpr std::size_t max_spec_nesting = 64;

// Throws kldiv::error("parse", …) naming the spec, the position and what was expected.
call parse_call(std::string_view spec);

}  // namespace kldiv::distributions::detail
