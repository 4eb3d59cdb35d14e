// Library errors in the command line's terms (user_terms.hpp).

#include "cli/user_terms.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace kldiv::cli {
namespace {

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-'; }

// Whether text[at] lies inside a quotation of the user's own text ('a label', 'a spec'): after an
// opening quote (at the start or after a space or '(') with no closing one (a quote not followed by
// a letter or digit) between; apostrophes (candidate's, models') open nothing.
bool quoted(const std::string& text, std::size_t at) {
    bool inside = false;
    for (std::size_t i = 0; i < at; ++i) {
        if (text[i] != '\'') continue;
        const bool after_word = i > 0 && text[i - 1] != ' ' && text[i - 1] != '(';
        const bool before_word = i + 1 < text.size() && identifier_char(text[i + 1]);
        if (!inside && !after_word)
            inside = true;
        else if (inside && !before_word)
            inside = false;
    }
    return inside;
}

// Every `word` + `follow` in `text` that starts a word (not inside p[0] or sum_tolerance) and is not
// quoted ('...') becomes `replacement` + `follow`.
void replace_word(std::string& text, const std::string& word, std::string_view follow, const std::string& replacement) {
    const std::string needle = word + std::string(follow);
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        if (at > 0 && (identifier_char(text[at - 1]) || text[at - 1] == '[')) continue;
        if (quoted(text, at)) continue;
        text.replace(at, word.size(), replacement);
        at += replacement.size() - word.size();
    }
}

bool has_option(const CLI::App& command, const std::string& flag) {
    const auto options = command.get_options();
    return std::any_of(options.begin(), options.end(), [&](const CLI::Option* o) {
        const auto& names = o->get_lnames();
        return std::find(names.begin(), names.end(), flag.substr(2)) != names.end();
    });
}

// Whether an error's function is a name the user typed: an option ("--tokens") or a positional
// argument ("INPUT", "P"), kept before the message; a library function is not.
bool names_an_argument(const std::string& function) {
    return function.starts_with("--") ||
           (!function.empty() && std::all_of(function.begin(), function.end(), [](char c) {
               return std::isupper(static_cast<unsigned char>(c)) != 0 || c == '_';
           }));
}

}  // namespace

std::string in_users_terms(const CLI::App* command, const error& e) {
    if (command == nullptr) return "kldiv: " + std::string(e.what());
    std::string text = names_an_argument(e.function()) ? e.what() : e.message();
    for (const CLI::Option* option : command->get_options()) {
        for (const std::string& name : option->get_lnames()) {
            if (name == "p" || name == "q") continue;  // in messages p and q are the distributions
            std::string library = name;
            std::replace(library.begin(), library.end(), '-', '_');
            const std::string flag = "--" + name;
            replace_word(text, library, " = ", flag);
            replace_word(text, "set " + library, " ", "give " + flag);
        }
    }
    constexpr std::string_view normalize = "(give --normalize to rescale it)";
    if (const std::size_t at = text.find(normalize); at != std::string::npos) {
        if (text.find("(exponentiated)") != std::string::npos && has_option(*command, "--input"))
            text.replace(at, normalize.size(), "(if these are logits, not log-probabilities, give --input logits)");
        else if (has_option(*command, "--counts"))
            text.replace(at, normalize.size(), "(counts or weights: add --counts to rescale them)");
    }
    if (text.find("probabilities must be >= 0") != std::string::npos && has_option(*command, "--input"))
        text += "; if these are logits, add --input logits (log-probabilities: --input log-probs)";
    return "kldiv " + command->get_name() + ": " + text;
}

bool names_an_option_value(const std::string& message) {
    // "kldiv COMMAND: --flag = value, but ..." (not "--tokens: element 9 = 50": a file's contents).
    const std::size_t colon = message.find(": ");
    if (colon == std::string::npos || message.compare(colon + 2, 2, "--") != 0) return false;
    std::size_t end = colon + 4;
    while (end < message.size() && (identifier_char(message[end]))) ++end;
    return message.compare(end, 3, " = ") == 0;
}

}  // namespace kldiv::cli
