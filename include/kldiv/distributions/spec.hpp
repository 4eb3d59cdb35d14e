#pragma once
// Distributions written as text, the same in the command line and in Python:
//   normal(0, 1)   gamma(concentration=2, rate=3)   studentt(3, loc=0, scale=2)
//   multivariate_normal([0, 1], [[2, 0.5], [0.5, 1]])   dirichlet([1, 2, 3])
//   mixture([0.3, 0.7], [normal(0, 1), laplace(2, 1)])
// Parameters are positional in PyTorch's order and meaning, or named. Family names match without
// regard to case or underscores (StudentT, student_t, studentt), and a few aliases are accepted
// (mvn, t, chisquared, …).

#include <string>
#include <string_view>
#include <vector>

#include "kldiv/distributions/distribution.hpp"

namespace kldiv::distributions {

// Throws kldiv::error naming the spec, the position and the rule (syntax), or the family's
// parameter rule (e.g. "normal: scale = -1, but it must be > 0").
distribution parse(std::string_view spec);

// The canonical spec of d, parameters positional, numbers printed so that they parse back exactly.
std::string to_spec(const distribution& d);

// The families, for `kldiv dist --list` and documentation.
struct parameter_info {
    std::string_view name;
    std::string_view rule;           // e.g. "> 0", "list of >= 0"
    std::string_view default_value;  // empty if required
};
struct family_info {
    std::string_view name;                       // canonical, e.g. "student_t"
    std::vector<std::string_view> aliases;       // other accepted names, e.g. "t"
    std::vector<parameter_info> parameters;      // positional order
    std::vector<std::string_view> alternatives;  // named-only alternatives, e.g. "logits"
    std::string_view support;                    // e.g. "(0, inf)"
};
const std::vector<family_info>& families();

}  // namespace kldiv::distributions
