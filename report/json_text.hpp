#pragma once
// kldiv's JSON documents as text. Names and labels come from the user's files and may hold any
// bytes, but JSON text is UTF-8: bytes that are not well-formed UTF-8 are written as U+FFFD, the
// replacement character (as kldiv::valid_utf8 and the HTML reports do), so writing a document
// cannot fail.

#include <nlohmann/json.hpp>

#include <string>

namespace kldiv::report {

// The document as text: indented by `indent` spaces a level, or on one line when `indent` < 0.
template <class Json>
std::string json_text(const Json& document, int indent = -1) {
    return document.dump(indent, ' ', false, nlohmann::detail::error_handler_t::replace);
}

}  // namespace kldiv::report
