// The safetensors reader (include/kldiv/io/safetensors_rows.hpp): the header's JSON read by a
// strict parser of the subset the format uses, the checks of every tensor against the file, the
// choice of the logits tensor in each shard, and the streaming decode of its rows to float.
// The layout and the rules are in docs/formats/safetensors.md.

#include "kldiv/io/safetensors_rows.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <optional>
#include <unordered_set>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"
#include "src/io/input_file.hpp"
#include "src/io/stored_floats.hpp"

namespace kldiv::io {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian and read as is");

constexpr const char* reader_name = "read_safetensors";
constexpr std::uint64_t length_field_bytes = 8;
constexpr std::size_t staging_bytes = std::size_t{1} << 20;  // 16- and 64-bit rows are decoded in pieces of this size
constexpr int max_json_depth = 64;
constexpr std::size_t max_listed_tensors = 10;

struct dtype_info {
    std::string_view name;
    std::size_t bits;
    bool floating;
};

using enum safetensors_dtype;
// In the order of the enumeration.
constexpr std::array<dtype_info, 22> dtypes{{
    {"BOOL", 8, false},   {"F4", 4, true},          {"F6_E2M3", 6, true},     {"F6_E3M2", 6, true},
    {"U8", 8, false},     {"I8", 8, false},         {"F8_E5M2", 8, true},     {"F8_E4M3", 8, true},
    {"F8_E8M0", 8, true}, {"F8_E4M3FNUZ", 8, true}, {"F8_E5M2FNUZ", 8, true}, {"I16", 16, false},
    {"U16", 16, false},   {"F16", 16, true},        {"BF16", 16, true},       {"I32", 32, false},
    {"U32", 32, false},   {"F32", 32, true},        {"C64", 64, false},       {"F64", 64, true},
    {"I64", 64, false},   {"U64", 64, false},
}};
static_assert(static_cast<std::size_t>(U64) + 1 == dtypes.size());

const dtype_info& info(safetensors_dtype dtype) noexcept { return dtypes[static_cast<std::size_t>(dtype)]; }

[[noreturn]] void fail(const std::string& file, const std::string& message) {
    throw error(reader_name, file + ": " + message);
}

std::string in_quotes(std::string_view name) { return "'" + std::string(name) + "'"; }

std::string shape_text(std::span<const std::uint64_t> shape) {
    std::string text = "[";
    for (std::size_t k = 0; k < shape.size(); ++k) text += (k > 0 ? ", " : "") + std::to_string(shape[k]);
    return text + "]";
}

std::string describe(const safetensors_tensor& t) {
    return in_quotes(t.name) + " " + std::string(dtype_name(t.dtype)) + " " + shape_text(t.shape);
}

// "'a' F32 [2, 3], 'b' I64 [2]" — at most max_listed_tensors of them.
std::string listing(const std::vector<const safetensors_tensor*>& tensors) {
    std::string text;
    for (std::size_t k = 0; k < std::min(tensors.size(), max_listed_tensors); ++k)
        text += (k > 0 ? ", " : "") + describe(*tensors[k]);
    if (tensors.size() > max_listed_tensors)
        text += " and " + std::to_string(tensors.size() - max_listed_tensors) + " more";
    return text;
}

// ---- the header's JSON -------------------------------------------------------------------------
//
// RFC 8259 JSON, read strictly (no comments, no trailing commas, valid UTF-8, no duplicate keys),
// into what the format gives it meaning: a top-level object of tensor entries and "__metadata__".
// Members of a tensor entry other than dtype, shape and data_offsets are checked and skipped.

struct parsed_header {
    std::vector<safetensors_tensor> tensors;  // data_begin still relative to the data section
    std::vector<std::uint64_t> data_ends;     // relative, one per tensor
    std::vector<std::pair<std::string, std::string>> metadata;
};

void append_utf8(std::string& out, std::uint32_t code_point) {
    const auto put = [&](std::uint32_t b) { out += static_cast<char>(b); };
    if (code_point < 0x80) {
        put(code_point);
    } else if (code_point < 0x800) {
        put(0xc0 | code_point >> 6);
        put(0x80 | (code_point & 0x3f));
    } else if (code_point < 0x10000) {
        put(0xe0 | code_point >> 12);
        put(0x80 | (code_point >> 6 & 0x3f));
        put(0x80 | (code_point & 0x3f));
    } else {
        put(0xf0 | code_point >> 18);
        put(0x80 | (code_point >> 12 & 0x3f));
        put(0x80 | (code_point >> 6 & 0x3f));
        put(0x80 | (code_point & 0x3f));
    }
}

class header_parser {
public:
    header_parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    parsed_header parse() {
        if (peek() != '{')
            fail(file_, "the header must be a JSON object (starting with '{') but " + found() +
                            " (is it a safetensors file?)");
        parsed_header header;
        members([&](const std::string& key) {
            if (key == "__metadata__") {
                metadata(header.metadata);
            } else {
                tensor_entry(key, header);
            }
        });
        skip_whitespace();  // the padding
        if (!at_end()) malformed("expected only whitespace after the header's object but " + found());
        return header;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    const std::string& file_;

    [[noreturn]] void malformed(const std::string& what) const {
        fail(file_, "the header is not valid JSON: " + what + " at byte " + std::to_string(pos_) + " of the header");
    }

    bool at_end() const noexcept { return pos_ >= text_.size(); }

    void skip_whitespace() noexcept {
        while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }

    // The next character after whitespace, '\0' at the end of the header.
    char peek() noexcept {
        skip_whitespace();
        return at_end() ? '\0' : text_[pos_];
    }

    // What stands at the current position, for messages.
    std::string found() const {
        if (at_end()) return "the header ended";
        const auto u = static_cast<unsigned char>(text_[pos_]);
        if (u >= 0x20 && u < 0x7f) return std::string("found '") + text_[pos_] + "'";
        constexpr char hex[] = "0123456789abcdef";
        return std::string("found byte 0x") + hex[u >> 4] + hex[u & 15];
    }

    void expect(char c) {
        if (peek() != c) malformed(std::string("expected '") + c + "' but " + found());
        ++pos_;
    }

    bool consume(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }

    // Calls on_member(key) with the position at the member's value, for each member of an object.
    template <class F>
    void members(F&& on_member) {
        expect('{');
        if (consume('}')) return;
        std::unordered_set<std::string> keys;
        do {
            if (peek() != '"') malformed("expected a key (a string) but " + found());
            std::string key = string();
            if (!keys.insert(key).second) fail(file_, "the header names " + in_quotes(key) + " twice");
            expect(':');
            on_member(key);
        } while (consume(','));
        expect('}');
    }

    template <class F>
    void elements(F&& on_element) {
        expect('[');
        if (consume(']')) return;
        do on_element();
        while (consume(','));
        expect(']');
    }

    std::uint32_t hex4() {
        std::uint32_t value = 0;
        for (int k = 0; k < 4; ++k, ++pos_) {
            if (at_end()) malformed("the header ended inside a \\u escape");
            const char c = text_[pos_];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) malformed("a \\u escape needs four hexadecimal digits but " + found());
            value = value << 4 | static_cast<std::uint32_t>(digit);
        }
        return value;
    }

    // A string, at its opening quote; returns its UTF-8 text.
    std::string string() {
        expect('"');
        std::string out;
        while (true) {
            if (at_end()) malformed("the header ended inside a string");
            const auto u = static_cast<unsigned char>(text_[pos_]);
            if (u == '"') break;
            if (u < 0x20) malformed("a control character must be escaped in a string but " + found());
            if (u >= 0x80) {
                const std::size_t length = utf8_sequence_length(text_.substr(pos_));
                if (length == 0) malformed("invalid UTF-8 (" + found() + ")");
                out.append(text_.substr(pos_, length));
                pos_ += length;
                continue;
            }
            ++pos_;
            if (u != '\\') {
                out += static_cast<char>(u);
                continue;
            }
            if (at_end()) malformed("the header ended inside a string");
            const char escape = text_[pos_++];
            switch (escape) {
                case '"':
                case '\\':
                case '/':
                    out += escape;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    std::uint32_t code_point = hex4();
                    if (code_point >= 0xdc00 && code_point <= 0xdfff) malformed("a lone low surrogate in a \\u escape");
                    if (code_point >= 0xd800 && code_point <= 0xdbff) {
                        if (text_.substr(pos_, 2) != "\\u")
                            malformed("a high surrogate must be followed by a \\u low surrogate");
                        pos_ += 2;
                        const std::uint32_t low = hex4();
                        if (low < 0xdc00 || low > 0xdfff)
                            malformed("a high surrogate must be followed by a \\u low surrogate");
                        code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
                    }
                    append_utf8(out, code_point);
                    break;
                }
                default:
                    --pos_;
                    malformed("an unknown escape after a backslash: " + found());
            }
        }
        ++pos_;
        return out;
    }

    // A number's text, checked against the JSON grammar: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
    std::string_view number() {
        const std::size_t start = pos_;
        const auto digit = [&] { return !at_end() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
        const auto digits = [&](const char* what) {
            if (!digit()) malformed(std::string("expected a digit ") + what + " but " + found());
            while (digit()) ++pos_;
        };
        if (!at_end() && text_[pos_] == '-') ++pos_;
        if (!at_end() && text_[pos_] == '0') {
            ++pos_;
            if (digit()) malformed("a number must not start with 0");
        } else {
            digits("in a number");
        }
        if (!at_end() && text_[pos_] == '.') {
            ++pos_;
            digits("after a decimal point");
        }
        if (!at_end() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (!at_end() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
            digits("in an exponent");
        }
        return text_.substr(start, pos_ - start);
    }

    // A non-negative integer that fits in 64 bits; `what` names it for messages ("tensor 'a': shape").
    std::uint64_t unsigned_integer(const std::string& what) {
        const char c = peek();
        if (c != '-' && (c < '0' || c > '9')) fail(file_, what + " must hold non-negative integers, but " + found());
        const std::string_view literal = number();
        if (literal.find_first_not_of("0123456789") != std::string_view::npos)
            fail(file_, what + " must hold non-negative integers, but holds " + std::string(literal));
        std::uint64_t value = 0;
        for (const char d : literal) {
            const auto digit = static_cast<std::uint64_t>(d - '0');
            if (value > (UINT64_MAX - digit) / 10)
                fail(file_, what + " holds " + std::string(literal) + ", which exceeds 2^64 - 1");
            value = value * 10 + digit;
        }
        return value;
    }

    void literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) malformed("expected a JSON value but " + found());
        pos_ += word.size();
    }

    // Any JSON value, checked and skipped.
    void skip_value(int depth) {
        if (depth > max_json_depth)
            malformed("values nested deeper than " + std::to_string(max_json_depth) + " levels");
        switch (peek()) {
            case '{':
                members([&](const std::string&) { skip_value(depth + 1); });
                break;
            case '[':
                elements([&] { skip_value(depth + 1); });
                break;
            case '"':
                string();
                break;
            case 't':
                literal("true");
                break;
            case 'f':
                literal("false");
                break;
            case 'n':
                literal("null");
                break;
            case '-':
            case '0':
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7':
            case '8':
            case '9':
                number();
                break;
            default:
                malformed("expected a JSON value but " + found());
        }
    }

    void metadata(std::vector<std::pair<std::string, std::string>>& out) {
        if (peek() == 'n') return literal("null");
        if (peek() != '{') fail(file_, "\"__metadata__\" must be an object mapping strings to strings, but " + found());
        members([&](const std::string& key) {
            if (peek() != '"')
                fail(file_,
                     "\"__metadata__\" must map strings to strings, but " + in_quotes(key) + " maps to a non-string");
            out.emplace_back(key, string());
        });
    }

    void tensor_entry(const std::string& name, parsed_header& header) {
        const std::string what = "tensor " + in_quotes(name);
        if (peek() != '{')
            fail(file_,
                 what + " must be described by an object {\"dtype\", \"shape\", \"data_offsets\"}, but " + found());
        safetensors_tensor tensor;
        tensor.name = name;
        std::optional<std::string> dtype;
        bool have_shape = false;
        std::vector<std::uint64_t> offsets;
        bool have_offsets = false;
        members([&](const std::string& field) {
            if (field == "dtype") {
                if (peek() != '"') fail(file_, what + ": \"dtype\" must be a string, but " + found());
                dtype = string();
            } else if (field == "shape" || field == "data_offsets") {
                if (peek() != '[')
                    fail(file_, what + ": \"" + field + "\" must be an array of non-negative integers, but " + found());
                auto& values = field == "shape" ? tensor.shape : offsets;
                elements([&] { values.push_back(unsigned_integer(what + ": \"" + field + "\"")); });
                (field == "shape" ? have_shape : have_offsets) = true;
            } else {
                skip_value(1);
            }
        });
        if (!dtype) fail(file_, what + " has no \"dtype\"");
        if (!have_shape) fail(file_, what + " has no \"shape\"");
        if (!have_offsets) fail(file_, what + " has no \"data_offsets\"");
        const auto known =
            std::find_if(dtypes.begin(), dtypes.end(), [&](const dtype_info& d) { return d.name == *dtype; });
        if (known == dtypes.end()) {
            std::string names;
            for (const dtype_info& d : dtypes) names += (names.empty() ? "" : ", ") + std::string(d.name);
            fail(file_, what + " has dtype \"" + *dtype + "\", which is not a safetensors dtype (" + names + ")");
        }
        tensor.dtype = static_cast<safetensors_dtype>(known - dtypes.begin());
        if (offsets.size() != 2)
            fail(file_,
                 what + " has " + std::to_string(offsets.size()) + " data_offsets, but it needs two: [begin, end]");
        tensor.data_begin = offsets[0];
        header.tensors.push_back(std::move(tensor));
        header.data_ends.push_back(offsets[1]);
    }
};

// The bytes a tensor needs: product(shape) · bits / 8, checked for overflow and whole bytes.
std::uint64_t needed_bytes(const safetensors_tensor& t, const std::string& file) {
    const std::size_t bits = dtype_bits(t.dtype);
    std::uint64_t elements = 1;
    for (const std::uint64_t d : t.shape) {
        if (__builtin_mul_overflow(elements, d, &elements))
            fail(file, "tensor " + in_quotes(t.name) + " has shape " + shape_text(t.shape) + ", 2^64 elements or more");
    }
    std::uint64_t total_bits = 0;
    if (__builtin_mul_overflow(elements, bits, &total_bits))
        fail(file, "tensor " + in_quotes(t.name) + " has shape " + shape_text(t.shape) + ", too large for any file");
    if (total_bits % 8 != 0)
        fail(file, "tensor " + in_quotes(t.name) + " has shape " + shape_text(t.shape) + ": " +
                       std::to_string(elements) + " elements of " + std::to_string(bits) +
                       " bits do not fill whole bytes");
    return total_bits / 8;
}

// Each tensor's bytes match its shape; sorted by offset, the tensors cover the data section
// [0, data_bytes) exactly. Then the offsets are made absolute.
void check_layout(parsed_header& header, std::uint64_t data_bytes, std::uint64_t data_start, const std::string& file) {
    auto& tensors = header.tensors;
    for (std::size_t k = 0; k < tensors.size(); ++k) {
        safetensors_tensor& t = tensors[k];
        const std::uint64_t begin = t.data_begin, end = header.data_ends[k];
        const std::string offsets = "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
        if (end < begin)
            fail(file,
                 "tensor " + in_quotes(t.name) + " has " + offsets + ", but the end must not be before the begin");
        const std::uint64_t needed = needed_bytes(t, file);
        if (end - begin != needed)
            fail(file, "tensor " + in_quotes(t.name) + " has shape " + shape_text(t.shape) + " and " +
                           std::to_string(end - begin) + " bytes, but " + std::string(dtype_name(t.dtype)) + " needs " +
                           std::to_string(needed));
        t.data_bytes = needed;
    }
    std::vector<std::size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::pair(tensors[a].data_begin, header.data_ends[a]) <
               std::pair(tensors[b].data_begin, header.data_ends[b]);
    });
    std::uint64_t covered = 0;  // the data section is covered up to here
    const safetensors_tensor* previous = nullptr;
    for (const std::size_t k : order) {
        const safetensors_tensor& t = tensors[k];
        const std::uint64_t begin = t.data_begin, end = header.data_ends[k];
        const std::string offsets = "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
        if (begin < covered)
            fail(file, "tensor " + in_quotes(t.name) + " has " + offsets + ", which overlap tensor " +
                           in_quotes(previous->name) + " (ending at " + std::to_string(covered) +
                           "); tensors must not overlap");
        if (begin > covered)
            fail(file, "tensor " + in_quotes(t.name) + " has " + offsets + ", but no tensor covers data bytes [" +
                           std::to_string(covered) + ", " + std::to_string(begin) + "); the data must have no gaps");
        if (end > data_bytes)
            fail(file, "tensor " + in_quotes(t.name) + " has " + offsets + ", but the file holds only " +
                           std::to_string(data_bytes) + " data bytes after its header (is it truncated?)");
        covered = end;
        previous = &t;
    }
    if (covered != data_bytes)
        fail(file, "the tensors cover " + std::to_string(covered) + " data bytes, but the file holds " +
                       std::to_string(data_bytes) + " after its header; the data must hold nothing but the tensors");
    for (safetensors_tensor& t : tensors) t.data_begin += data_start;
}

}  // namespace

std::string_view dtype_name(safetensors_dtype dtype) noexcept { return info(dtype).name; }
std::size_t dtype_bits(safetensors_dtype dtype) noexcept { return info(dtype).bits; }
bool is_floating(safetensors_dtype dtype) noexcept { return info(dtype).floating; }
bool is_readable_as_rows(safetensors_dtype dtype) noexcept {
    return dtype == F16 || dtype == BF16 || dtype == F32 || dtype == F64;
}

// ---- one file ----------------------------------------------------------------------------------

struct safetensors_file::state {
    io::detail::input_file file;
    std::vector<safetensors_tensor> tensors;
    std::vector<std::pair<std::string, std::string>> metadata;
};

safetensors_file::safetensors_file(const std::filesystem::path& path) : state_(std::make_unique<state>()) {
    std::error_code status_error;
    const auto status = std::filesystem::status(path, status_error);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
        !std::filesystem::is_directory(status))
        fail(path.string(),
             "it is not a regular file; safetensors files are read in place, at the offsets their header gives");
    state_->file = io::detail::open_input_file(path, reader_name);
    io::detail::input_file& file = state_->file;
    if (file.size == 0) fail(file.name, "the file is empty");
    if (file.size < length_field_bytes)
        fail(file.name, "the file has " + std::to_string(file.size) +
                            " bytes, but a safetensors file starts with an 8-byte little-endian header length");
    unsigned char field[length_field_bytes];
    io::detail::read_exact(file, reinterpret_cast<char*>(field), length_field_bytes, reader_name, "header length");
    std::uint64_t header_bytes = 0;
    for (std::size_t k = 0; k < length_field_bytes; ++k) header_bytes |= std::uint64_t{field[k]} << (8 * k);
    if (header_bytes > safetensors_max_header_bytes)
        fail(file.name, "the header length field says " + std::to_string(header_bytes) +
                            " bytes, but kldiv reads headers of at most " +
                            std::to_string(safetensors_max_header_bytes) + " bytes (is it a safetensors file?)");
    if (header_bytes > file.size - length_field_bytes)
        fail(file.name, "the header length field says " + std::to_string(header_bytes) + " bytes, but only " +
                            std::to_string(file.size - length_field_bytes) + " bytes follow it (is it truncated?)");
    std::string text(header_bytes, '\0');
    io::detail::read_exact(file, text.data(), header_bytes, reader_name, "header");
    parsed_header header = header_parser(text, file.name).parse();
    const std::uint64_t data_start = length_field_bytes + header_bytes;
    check_layout(header, file.size - data_start, data_start, file.name);
    state_->tensors = std::move(header.tensors);
    state_->metadata = std::move(header.metadata);
}

safetensors_file::~safetensors_file() = default;
safetensors_file::safetensors_file(safetensors_file&&) noexcept = default;
safetensors_file& safetensors_file::operator=(safetensors_file&&) noexcept = default;

const std::string& safetensors_file::file_name() const noexcept { return state_->file.name; }
std::uint64_t safetensors_file::file_size() const noexcept { return state_->file.size; }
std::span<const safetensors_tensor> safetensors_file::tensors() const noexcept { return state_->tensors; }
std::span<const std::pair<std::string, std::string>> safetensors_file::metadata() const noexcept {
    return state_->metadata;
}

const safetensors_tensor* safetensors_file::find(std::string_view name) const noexcept {
    const auto it = std::find_if(state_->tensors.begin(), state_->tensors.end(),
                                 [&](const safetensors_tensor& t) { return t.name == name; });
    return it == state_->tensors.end() ? nullptr : &*it;
}

void safetensors_file::read_data(const safetensors_tensor& tensor, std::uint64_t offset, std::span<std::byte> out) {
    if (offset > tensor.data_bytes || out.size() > tensor.data_bytes - offset)
        fail(file_name(), "cannot read bytes [" + std::to_string(offset) + ", " + std::to_string(offset + out.size()) +
                              ") of tensor " + in_quotes(tensor.name) + ", which has " +
                              std::to_string(tensor.data_bytes));
    std::istream& stream = *state_->file.stream;
    stream.clear();
    stream.seekg(static_cast<std::streamoff>(tensor.data_begin + offset));
    io::detail::read_exact(state_->file, reinterpret_cast<char*>(out.data()), out.size(), reader_name, "tensor data");
}

// ---- rows over shards --------------------------------------------------------------------------

namespace {

// The tensor of `file` that holds the logits: `wanted` if named, else the rule of the header.
const safetensors_tensor& logits_tensor(const safetensors_file& file, const std::string& wanted) {
    const auto is_candidate = [](const safetensors_tensor& t) {
        return is_floating(t.dtype) && (t.shape.size() == 2 || t.shape.size() == 3);
    };
    std::vector<const safetensors_tensor*> all, candidates;
    for (const safetensors_tensor& t : file.tensors()) {
        all.push_back(&t);
        if (is_candidate(t)) candidates.push_back(&t);
    }
    const safetensors_tensor* chosen = nullptr;
    if (!wanted.empty()) {
        chosen = file.find(wanted);
        if (chosen == nullptr)
            fail(file.file_name(), "has no tensor " + in_quotes(wanted) +
                                       (all.empty() ? "; it holds no tensors" : "; its tensors: " + listing(all)));
    } else if (candidates.size() == 1) {
        chosen = candidates.front();
    } else {
        const auto logits =
            std::find_if(candidates.begin(), candidates.end(), [](const auto* t) { return t->name == "logits"; });
        if (logits != candidates.end()) {
            chosen = *logits;
        } else if (candidates.empty()) {
            fail(file.file_name(),
                 "has no floating tensor of rank 2 or 3 to read logits from" +
                     (all.empty() ? std::string("; it holds no tensors") : "; its tensors: " + listing(all)));
        } else {
            fail(file.file_name(),
                 "has " + std::to_string(candidates.size()) +
                     " floating tensors of rank 2 or 3 and none is called 'logits'; name the one to read: " +
                     listing(candidates));
        }
    }
    if (chosen->shape.size() != 2 && chosen->shape.size() != 3)
        fail(file.file_name(), "tensor " + in_quotes(chosen->name) + " has shape " + shape_text(chosen->shape) +
                                   ", but logits need rank 2 [rows, vocabulary] or 3 [batch, sequence, vocabulary]");
    if (!is_readable_as_rows(chosen->dtype))
        fail(file.file_name(), "tensor " + in_quotes(chosen->name) + " has dtype " +
                                   std::string(dtype_name(chosen->dtype)) +
                                   ", but logits are read from F16, BF16, F32 or F64");
    return *chosen;
}

}  // namespace

struct safetensors_rows::state {
    std::vector<std::filesystem::path> paths;
    std::vector<safetensors_shard> shards;
    std::vector<safetensors_tensor> tensors;  // the tensor read from each shard, as first seen
    std::size_t vocabulary = 0, rows = 0, next = 0;
    std::optional<safetensors_file> open;  // the shard being read
    std::size_t open_shard = 0;
    const safetensors_tensor* open_tensor = nullptr;  // its tensor, in open
    std::vector<std::byte> staging;                   // raw 16- or 64-bit elements before widening

    // Opens shard s for reading, and checks that its tensor is still the one checked at the start.
    void open_for_reading(std::size_t s) {
        if (open && open_shard == s) return;
        open.reset();
        safetensors_file file(paths[s]);
        const safetensors_tensor& was = tensors[s];
        const safetensors_tensor* now = file.find(was.name);
        if (now == nullptr || now->dtype != was.dtype || now->shape != was.shape || now->data_begin != was.data_begin)
            fail(file.file_name(), "tensor " + in_quotes(was.name) + " changed since the file was first read (it was " +
                                       describe(was) + " at byte " + std::to_string(was.data_begin) + ")");
        open.emplace(std::move(file));  // the tensors stay where they are: `now` still points at one
        open_shard = s;
        open_tensor = now;
    }

    // Decodes `count` elements of shard s's tensor, from element `first` on, into out.
    void decode(std::size_t s, std::uint64_t first, std::size_t count, float* out) {
        open_for_reading(s);
        const safetensors_tensor& t = *open_tensor;
        const std::size_t size = dtype_bits(t.dtype) / 8;
        if (t.dtype == F32) {
            open->read_data(t, first * size, std::as_writable_bytes(std::span(out, count)));
            return;
        }
        staging.resize(staging_bytes);
        const std::size_t piece = staging_bytes / size;
        for (std::size_t done = 0; done < count;) {
            const std::size_t n = std::min(piece, count - done);
            open->read_data(t, (first + done) * size, std::span(staging.data(), n * size));
            const io::detail::stored_float type = t.dtype == F16    ? io::detail::stored_float::float16
                                                  : t.dtype == BF16 ? io::detail::stored_float::bfloat16
                                                                    : io::detail::stored_float::float64;  // the last
            io::detail::widen_stored(type, std::endian::native == std::endian::big, staging.data(), out + done, n);
            done += n;
        }
    }
};

safetensors_rows::safetensors_rows(const std::vector<std::filesystem::path>& files, std::string tensor_name)
    : state_(std::make_unique<state>()) {
    if (files.empty()) throw error(reader_name, "no safetensors files given");
    state& s = *state_;
    s.paths = files;
    for (const std::filesystem::path& path : files) {
        const safetensors_file file(path);
        const safetensors_tensor& t = logits_tensor(file, tensor_name);
        const std::size_t vocabulary = t.shape.back();
        const std::string what = "tensor " + in_quotes(t.name) + " has shape " + shape_text(t.shape) +
                                 ", a vocabulary (last dimension) of " + std::to_string(vocabulary);
        if (vocabulary < 2) fail(file.file_name(), what + ", but it must be >= 2");
        if (vocabulary > safetensors_max_vocab)
            fail(file.file_name(),
                 what + ", but kldiv reads vocabularies of at most " + std::to_string(safetensors_max_vocab));
        if (!s.shards.empty() && vocabulary != s.vocabulary)
            fail(file.file_name(), what + ", but " + s.shards.front().file + "'s tensor " +
                                       in_quotes(s.shards.front().tensor) + " has " + std::to_string(s.vocabulary) +
                                       "; all shards must share the vocabulary");
        s.vocabulary = vocabulary;
        const auto rows = static_cast<std::size_t>(t.data_bytes / (dtype_bits(t.dtype) / 8) / vocabulary);
        s.shards.push_back({file.file_name(), t.name, t.dtype, t.shape, s.rows, rows});
        s.tensors.push_back(t);
        s.rows += rows;
    }
}

safetensors_rows::~safetensors_rows() = default;
safetensors_rows::safetensors_rows(safetensors_rows&&) noexcept = default;
safetensors_rows& safetensors_rows::operator=(safetensors_rows&&) noexcept = default;

std::size_t safetensors_rows::vocabulary() const noexcept { return state_->vocabulary; }
std::size_t safetensors_rows::rows() const noexcept { return state_->rows; }
std::span<const safetensors_shard> safetensors_rows::shards() const noexcept { return state_->shards; }
std::size_t safetensors_rows::next_row() const noexcept { return state_->next; }

std::size_t safetensors_rows::file_of_row(std::size_t r) const {
    const auto& shards = state_->shards;
    if (r >= state_->rows)
        throw error(reader_name, "row " + std::to_string(r) + " is out of range: the shards hold " +
                                     std::to_string(state_->rows) + " rows");
    // The last shard starting at or before r; shards without rows share their start with the next one.
    const auto after =
        std::upper_bound(shards.begin(), shards.end(), r,
                         [](std::size_t row, const safetensors_shard& shard) { return row < shard.first_row; });
    return static_cast<std::size_t>(after - shards.begin()) - 1;
}

std::size_t safetensors_rows::current_file() const noexcept {
    return state_->next < state_->rows ? file_of_row(state_->next) : state_->shards.size();
}

void safetensors_rows::seek_row(std::size_t r) {
    if (r > state_->rows)
        throw error(reader_name, "cannot seek to row " + std::to_string(r) + ": the shards hold " +
                                     std::to_string(state_->rows) + " rows");
    state_->next = r;
}

std::size_t safetensors_rows::read(std::span<float> out, std::size_t max_rows) {
    state& s = *state_;
    if (max_rows > out.size() / s.vocabulary)
        throw error(reader_name, "the output holds " + std::to_string(out.size()) + " floats, but " +
                                     std::to_string(max_rows) + " rows of " + std::to_string(s.vocabulary) + " need " +
                                     std::to_string(max_rows * s.vocabulary));
    const std::size_t count = std::min(max_rows, s.rows - s.next);
    for (std::size_t done = 0; done < count;) {
        const std::size_t shard = file_of_row(s.next);
        const safetensors_shard& where = s.shards[shard];
        const std::size_t n = std::min(count - done, where.first_row + where.rows - s.next);
        s.decode(shard, std::uint64_t{s.next - where.first_row} * s.vocabulary, n * s.vocabulary,
                 out.data() + done * s.vocabulary);
        done += n;
        s.next += n;
    }
    return count;
}

}  // namespace kldiv::io
