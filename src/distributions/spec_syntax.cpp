#include "src/distributions/spec_syntax.hpp"

#include <algorithm>
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
    std::size_t depth_ = 0;  // calls and lists open at at_

    // Counts one more open call or list; far deeper than any family needs, so that a hostile spec
    // cannot exhaust the stack of this recursive parser (or of the builder and printer after it).
    struct nesting {
        parser& p;
        nesting(parser& owner, std::size_t opened_at) : p(owner) {
            if (++p.depth_ > max_spec_nesting) {
                --p.depth_;
                p.fail_at(opened_at, "calls and lists nested at most " + std::to_string(max_spec_nesting) + " deep");
            }
        }
        ~nesting() { --p.depth_; }
        nesting(const nesting&) = delete;
        nesting& operator=(const nesting&) = delete;
    };

    [[noreturn]] void fail_at(std::size_t at, const std::string& rule) const {
        throw error("parse", "in " + excerpt(at) + " at position " + std::to_string(at + 1) + ": " + rule);
    }

    [[noreturn]] void fail(std::string_view expected) const {
        const std::string found = at_ < text_.size() ? "'" + std::string(1, text_[at_]) + "'" : "the end";
        fail_at(at_, "expected " + std::string(expected) + ", found " + found);
    }

    // The spec, quoted; a long one (a hostile spec can be megabytes) as the 120 bytes around `at`.
    std::string excerpt(std::size_t at) const {
        constexpr std::size_t shown = 120;
        if (text_.size() <= shown) return "'" + std::string(text_) + "'";
        const std::size_t from = std::min(at > shown / 2 ? at - shown / 2 : 0, text_.size() - shown);
        return std::string(from > 0 ? "'..." : "'") + std::string(text_.substr(from, shown)) +
               (from + shown < text_.size() ? "...'" : "'");
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

    // nan, inf or infinity (any case) not followed by '(': a number, which the family's parameter
    // rule then refuses by name ("normal: loc = nan, but it must be finite"), not a family call.
    bool at_special_number() const {
        std::size_t end = at_;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) ++end;
        std::string word(text_.substr(at_, end - at_));
        for (char& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (word != "nan" && word != "inf" && word != "infinity") return false;
        while (end < text_.size() && std::isspace(static_cast<unsigned char>(text_[end]))) ++end;
        return end == text_.size() || text_[end] != '(';
    }

    std::string identifier() {
        const std::size_t start = at_;
        while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) ++at_;
        return std::string(text_.substr(start, at_ - start));
    }

    call parse_call() {
        if (!at_identifier()) fail("a family name such as normal");
        const nesting level(*this, at_);
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
            const nesting level(*this, v.position);
            list items;
            if (!accept(']')) {
                do items.push_back(parse_value());
                while (accept(','));
                expect(']', "',' or ']'");
            }
            v.content = std::move(items);
        } else if (at_identifier() && !at_special_number()) {
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
