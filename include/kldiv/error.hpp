#pragma once
// The one exception type kldiv throws. Its message names the function, the offending value and the
// rule, e.g. "kl_divergence: p[17] = -0.2, but probabilities must be >= 0".

#include <stdexcept>
#include <string>
#include <utility>

namespace kldiv {

class error : public std::invalid_argument {
public:
    error(std::string function, std::string message)
        : std::invalid_argument(function + ": " + message), function_(std::move(function)),
          message_(std::move(message)) {}

    // The public function (or file reader) that rejected its input.
    const std::string& function() const noexcept { return function_; }
    // What was wrong, without the function: what() is function() + ": " + message().
    const std::string& message() const noexcept { return message_; }

private:
    std::string function_, message_;
};

}  // namespace kldiv
