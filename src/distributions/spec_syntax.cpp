#include "src/distributions/spec_syntax.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "kldiv/error.hpp"

namespace kldiv::distributions::detail {
namespace {

class parser {
public:
    explicit parser(std::string_view text) : text_(text) {}

    call whole() {
        call c = parse_call();
        skip_space();
        if (at_ < text_.size()) fail("the end of the spec");
        return c;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;

    [[noreturn]] void fail(std::string_view expected) const {
        const std::string found = at_ < text_.size() ? "'" + std::string(1, text_[at_]) + "'" : "the end";
        throw error("parse", "in '" + std::string(text_) + "' at position " + std::to_string(at_ + 1) + ": expected " +
                                 std::string(expected) + ", found " + found);
    }

    void skip_space() {
        while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
    }

    bool accept(char c) {
        skip_space();
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }

    void expect(char c, std::string_view what) {
        if (!accept(c)) fail(what);
    }

    bool at_identifier() {
        skip_space();
        return at_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_');
    }

    std::string identifier() {
        const std::size_t start = at_;
        while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) ++at_;
        return std::string(text_.substr(start, at_ - start));
    }

    call parse_call() {
        if (!at_identifier()) fail("a family name such as normal");
        call c;
        c.position = at_;
        c.name = identifier();
        expect('(', "'(' after the family name");
        if (accept(')')) return c;
        do {
            skip_space();
            const std::size_t start = at_;
            if (at_identifier()) {
                std::string name = identifier();
                if (accept('=')) {
                    c.named.emplace_back(std::move(name), parse_value());
                    continue;
                }
                at_ = start;  // a nested call
            }
            if (!c.named.empty()) fail("a named argument (positional arguments come first)");
            c.positional.push_back(parse_value());
        } while (accept(','));
        expect(')', "',' or ')'");
        return c;
    }

    value parse_value() {
        skip_space();
        value v;
        v.position = at_;
        if (accept('[')) {
            list items;
            if (!accept(']')) {
                do items.push_back(parse_value());
                while (accept(','));
                expect(']', "',' or ']'");
            }
            v.content = std::move(items);
        } else if (at_identifier()) {
            v.content = std::make_shared<call>(parse_call());
        } else {
            double x = 0.0;
            const char* begin = text_.data() + at_;
            const auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), x);
            if (ec != std::errc() || end == begin) fail("a number, a list or a distribution");
            at_ += static_cast<std::size_t>(end - begin);
            v.content = x;
        }
        return v;
    }
};

}  // namespace

call parse_call(std::string_view spec) { return parser(spec).whole(); }

}  // namespace kldiv::distributions::detail
