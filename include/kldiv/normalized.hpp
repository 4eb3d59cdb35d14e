#pragma once
// The probability vector the measures actually see.

#include <span>
#include <vector>

#include "kldiv/options.hpp"

namespace kldiv {

// p̂ = p / Σp, or with zero_support::smooth the smoothed (p̂ + ε) / (1 + nε): the distribution every
// measure of p under `opts` is computed on. Validates p exactly as the measures do.
std::vector<double> normalized(std::span<const double> p, const options& opts = {});
std::vector<double> normalized(std::span<const float> p, const options& opts = {});

}  // namespace kldiv
