#pragma once
// Bytes from files, labels and paths as text kldiv can show: printable in messages, valid UTF-8
// in JSON and HTML output.

#include <cstddef>
#include <string>
#include <string_view>

namespace kldiv {

// The length (1 to 4) of the well-formed UTF-8 sequence that begins `bytes`, or 0 when none does
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view bytes) noexcept;

// `bytes` as text safe to print in a message: printable ASCII and well-formed UTF-8 characters
// from U+00A0 on stay as they are; NUL, tab, newline and carriage return become \0 \t \n \r, and
// every other byte (control characters such as ESC, DEL, C1 controls, bytes that are not UTF-8)
// becomes \xHH. Every error message that quotes a file's contents, a label or a path uses it.
std::string printable(std::string_view bytes);

// `bytes` as valid UTF-8: each byte that does not begin a well-formed sequence becomes U+FFFD, the
// replacement character (the rule for names and labels in kldiv's JSON and HTML output).
std::string valid_utf8(std::string_view bytes);

}  // namespace kldiv
