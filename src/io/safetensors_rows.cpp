// The safetensors reader (include/kldiv/io/safetensors_rows.hpp): the header's JSON read by
// nlohmann-json's strict SAX parser into the fields the format gives meaning, the checks of every tensor against the file, the
// choice of the logits tensor in each shard, and the streaming decode of its rows to float.
// The layout and the rules are in docs/formats/safetensors.md.

#include "kldiv/io/safetensors_rows.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <optional>
#include <unordered_set>

#include <nlohmann/json.hpp>

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
// RFC 8259 JSON, read strictly by nlohmann-json's SAX parser (no comments, no trailing commas, valid
// UTF-8) into what the format gives it meaning: a top-level object of tensor entries and
// "__metadata__". Keys must not repeat in an object; values may nest at most max_json_depth deep.
// Members of a tensor entry other than dtype, shape and data_offsets are checked and skipped, their
// values not stored (the header's text and the keys of the open objects are held while it is read).

struct parsed_header {
    std::vector<safetensors_tensor> tensors;  // data_begin still relative to the data section
    std::vector<std::uint64_t> data_ends;     // relative, one per tensor
    std::vector<std::pair<std::string, std::string>> metadata;
};

class header_reader final : public nlohmann::json_sax<nlohmann::json> {
public:
    explicit header_reader(const std::string& file) : file_(file) {}

    // The header's fields; kldiv::error naming the file and what is wrong (for a syntax error, its
    // byte in the header).
    parsed_header read(std::string_view text) {
        const std::size_t first = text.find_first_not_of(" \t\n\r");
        if (first == std::string_view::npos || text[first] != '{') {
            const auto u = first == std::string_view::npos ? 0 : static_cast<unsigned char>(text[first]);
            constexpr char hex[] = "0123456789abcdef";
            fail(file_, "the header must be a JSON object (starting with '{') but " +
                            (first == std::string_view::npos ? std::string("the header ended")
                             : u >= 0x20 && u < 0x7f         ? std::string("found '") + text[first] + "'"
                                                     : std::string("found byte 0x") + hex[u >> 4] + hex[u & 15]) +
                            " (is it a safetensors file?)");
        }
        if (!nlohmann::json::sax_parse(text, this, nlohmann::json::input_format_t::json, true)) {
            fail(file_, "the header is not valid JSON: " + syntax_error_ + " (at byte " +
                            std::to_string(syntax_error_at_) + " of the header)");
        }
        return std::move(header_);
    }

    bool null() override { return value(place_of_next(), "null"); }
    bool boolean(bool b) override { return value(place_of_next(), b ? "true" : "false"); }
    bool number_integer(number_integer_t n) override { return value(place_of_next(), std::to_string(n)); }
    bool number_unsigned(number_unsigned_t n) override {
        const place at = place_of_next();
        if (at != place::integer) return value(at, std::to_string(n));
        integers().push_back(n);
        return true;
    }
    bool number_float(number_float_t, const string_t& text) override {
        const place at = place_of_next();
        if (at == place::integer && text.find_first_not_of("0123456789") == std::string::npos)
            fail(file_, tensor_what() + ": \"" + key_of_array() + "\" holds " + text + ", which exceeds 2^64 - 1");
        return value(at, text);
    }
    bool binary(binary_t&) override { return value(place_of_next(), "binary data"); }

    bool string(string_t& text) override {
        const place at = place_of_next();
        if (at == place::tensor_dtype) {
            tensor_.dtype = text;
            return true;
        }
        if (at == place::metadata_value) {
            header_.metadata.emplace_back(key_, text);
            return true;
        }
        return value(at, "a string");
    }

    bool start_object(std::size_t) override {
        const place at = place_of_next();
        if (at == place::tensor_entry) {
            tensor_ = {};
            tensor_.name = key_;
        } else if (at != place::top && at != place::metadata && at != place::other) {
            value(at, "an object");
        }
        return open(at);
    }

    bool key(string_t& text) override {
        if (!frames_.back().keys.insert(text).second) fail(file_, "the header names " + in_quotes(text) + " twice");
        key_ = text;
        return true;
    }

    bool end_object() override {
        if (frames_.back().at == place::tensor_entry) finish_tensor();
        frames_.pop_back();
        return true;
    }

    bool start_array(std::size_t) override {
        const place at = place_of_next();
        if (at == place::tensor_shape || at == place::tensor_offsets) {
            (at == place::tensor_shape ? tensor_.has_shape : tensor_.has_offsets) = true;
            (at == place::tensor_shape ? tensor_.shape : tensor_.offsets).clear();
        } else if (at != place::other) {
            value(at, "an array");
        }
        return open(at);
    }

    bool end_array() override {
        frames_.pop_back();
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
        // "[json.exception.parse_error.101] parse error at line 1, column 58: syntax error while …",
        // "[json.exception.out_of_range.406] number overflow parsing '1e400'": the message alone.
        std::string what = e.what();
        if (const std::size_t id = what.find("] "); what.starts_with("[json.exception.") && id != std::string::npos)
            what.erase(0, id + 2);
        if (what.starts_with("parse error at line ")) {
            if (const std::size_t colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
        }
        syntax_error_ = what;
        syntax_error_at_ = position == 0 ? 0 : position - 1;
        return false;
    }

private:
    // Where a value stands, by the containers and keys that lead to it.
    enum class place {
        top,             // the header itself
        tensor_entry,    // {"name": HERE}
        metadata,        // {"__metadata__": HERE}
        metadata_value,  // {"__metadata__": {"k": HERE}}
        tensor_dtype,    // {"name": {"dtype": HERE}}
        tensor_shape,    // {"name": {"shape": HERE}}
        tensor_offsets,  // {"name": {"data_offsets": HERE}}
        integer,         // {"name": {"shape" or "data_offsets": [HERE]}}
        other,           // anywhere else: checked and skipped
    };

    struct frame {
        place at;  // the container's own place
        std::unordered_set<std::string> keys;
    };

    struct tensor_fields {
        std::string name;
        std::optional<std::string> dtype;
        std::vector<std::uint64_t> shape, offsets;
        bool has_shape = false, has_offsets = false;
    };

    const std::string& file_;
    parsed_header header_;
    std::vector<frame> frames_;  // the containers open, outermost first
    std::string key_;            // the last key: the next value's, in an object
    tensor_fields tensor_;
    std::string syntax_error_;
    std::size_t syntax_error_at_ = 0;

    place place_of_next() const {
        if (frames_.empty()) return place::top;
        const frame& f = frames_.back();
        switch (f.at) {
            case place::top:
                return key_ == "__metadata__" ? place::metadata : place::tensor_entry;
            case place::metadata:
                return place::metadata_value;
            case place::tensor_entry:
                return key_ == "dtype"          ? place::tensor_dtype
                       : key_ == "shape"        ? place::tensor_shape
                       : key_ == "data_offsets" ? place::tensor_offsets
                                                : place::other;
            case place::tensor_shape:
            case place::tensor_offsets:
                return place::integer;
            default:
                return place::other;
        }
    }

    std::string tensor_what() const { return "tensor " + in_quotes(tensor_.name); }
    std::string key_of_array() const { return frames_.back().at == place::tensor_shape ? "shape" : "data_offsets"; }
    std::vector<std::uint64_t>& integers() {
        return frames_.back().at == place::tensor_shape ? tensor_.shape : tensor_.offsets;
    }

    bool open(place at) {
        if (frames_.size() >= static_cast<std::size_t>(max_json_depth))
            fail(file_, "the header is not valid JSON: values nested deeper than " + std::to_string(max_json_depth) +
                            " levels");
        frames_.push_back({at, {}});
        return true;
    }

    // A value that is not a container, or one that does not belong at `at`: refused there with
    // what it is (`what`), accepted where anything may stand.
    bool value(place at, const std::string& what) {
        switch (at) {
            case place::tensor_entry:
                fail(file_, "tensor " + in_quotes(key_) +
                                " must be described by an object {\"dtype\", \"shape\", \"data_offsets\"}, but it is " +
                                what);
            case place::metadata:
                if (what == "null") return true;
                fail(file_, "\"__metadata__\" must be an object mapping strings to strings, but it is " + what);
            case place::metadata_value:
                fail(file_,
                     "\"__metadata__\" must map strings to strings, but " + in_quotes(key_) + " maps to " + what);
            case place::tensor_dtype:
                fail(file_, tensor_what() + ": \"dtype\" must be a string, but it is " + what);
            case place::tensor_shape:
            case place::tensor_offsets:
                fail(file_,
                     tensor_what() + ": \"" + key_ + "\" must be an array of non-negative integers, but it is " + what);
            case place::integer:
                fail(file_,
                     tensor_what() + ": \"" + key_of_array() + "\" must hold non-negative integers, but holds " + what);
            case place::top:
                fail(file_, "the header must be a JSON object, but it is " + what);
            default:
                return true;
        }
    }

    void finish_tensor() {
        const std::string what = tensor_what();
        if (!tensor_.dtype) fail(file_, what + " has no \"dtype\"");
        if (!tensor_.has_shape) fail(file_, what + " has no \"shape\"");
        if (!tensor_.has_offsets) fail(file_, what + " has no \"data_offsets\"");
        const auto known =
            std::find_if(dtypes.begin(), dtypes.end(), [&](const dtype_info& d) { return d.name == *tensor_.dtype; });
        if (known == dtypes.end()) {
            std::string names;
            for (const dtype_info& d : dtypes) names += (names.empty() ? "" : ", ") + std::string(d.name);
            fail(file_,
                 what + " has dtype \"" + *tensor_.dtype + "\", which is not a safetensors dtype (" + names + ")");
        }
        if (tensor_.offsets.size() != 2)
            fail(file_, what + " has " + std::to_string(tensor_.offsets.size()) +
                            " data_offsets, but it needs two: [begin, end]");
        safetensors_tensor t;
        t.name = std::move(tensor_.name);
        t.dtype = static_cast<safetensors_dtype>(known - dtypes.begin());
        t.shape = std::move(tensor_.shape);
        t.data_begin = tensor_.offsets[0];
        header_.tensors.push_back(std::move(t));
        header_.data_ends.push_back(tensor_.offsets[1]);
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
    parsed_header header = header_reader(file.name).read(text);
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
            io::detail::widen_stored(type, false, staging.data(), out + done, n);  // little-endian, as the host
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
