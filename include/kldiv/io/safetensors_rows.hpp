#pragma once
// Reading model logits from safetensors files (Hugging Face's tensor container): the header of one
// file, checked against the file, and a stream of rows over one logits tensor sharded across files.
// The layout, what kldiv accepts and checks, and how the tensor is chosen are in
// docs/formats/safetensors.md.
//
//   kldiv::io::safetensors_rows logits({"part-0.safetensors", "part-1.safetensors"});
//   std::vector<float> rows(64 * logits.vocabulary());
//   while (std::size_t n = logits.read(rows, 64)) { /* rows 0..n-1, vocabulary() floats each */ }
//
// Errors throw kldiv::error with function() == "read_safetensors" and a message naming the file,
// the tensor, the value and the rule, e.g.
//   read_safetensors: b.safetensors: tensor 'logits' has shape [4, 7] and 56 bytes, but F32 needs 112

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kldiv::io {

// The headers kldiv reads are at most this long (the bound of Hugging Face's own reader).
inline constexpr std::uint64_t safetensors_max_header_bytes = 100'000'000;
// kldiv's bound on the vocabulary (the last dimension) of a logits tensor, as for llama.cpp files.
inline constexpr std::size_t safetensors_max_vocab = std::size_t{1} << 24;

// The element types of the format, under their names in the header ("F32", "BF16", …).
enum class safetensors_dtype {
    BOOL,
    F4,
    F6_E2M3,
    F6_E3M2,
    U8,
    I8,
    F8_E5M2,
    F8_E4M3,
    F8_E8M0,
    F8_E4M3FNUZ,
    F8_E5M2FNUZ,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    C64,
    F64,
    I64,
    U64,
};

std::string_view dtype_name(safetensors_dtype dtype) noexcept;  // "F32", …
std::size_t dtype_bits(safetensors_dtype dtype) noexcept;       // 32 for F32, 4 for F4, …
bool is_floating(safetensors_dtype dtype) noexcept;             // the real floating types (F*, BF16)
bool is_readable_as_rows(safetensors_dtype dtype) noexcept;     // F16, BF16, F32, F64: what safetensors_rows decodes

// One tensor of a file, as its header describes it (checked against the file).
struct safetensors_tensor {
    std::string name;
    safetensors_dtype dtype = safetensors_dtype::F32;
    std::vector<std::uint64_t> shape;  // row-major (C order), outermost first; empty for a scalar
    std::uint64_t data_begin = 0;      // absolute byte offset of its first element in the file
    std::uint64_t data_bytes = 0;      // = product(shape) · dtype_bits / 8
};

class safetensors_file {
public:
    // Opens `path` (a regular file) and reads and checks its header: the length field, the JSON,
    // every tensor's dtype, shape and data_offsets, and that the tensors' bytes cover the data
    // section exactly, without gaps or overlaps.
    explicit safetensors_file(const std::filesystem::path& path);
    ~safetensors_file();
    safetensors_file(safetensors_file&&) noexcept;
    safetensors_file& operator=(safetensors_file&&) noexcept;

    const std::string& file_name() const noexcept;  // the path as given, for messages
    std::uint64_t file_size() const noexcept;
    // The tensors in the order the header lists them.
    std::span<const safetensors_tensor> tensors() const noexcept;
    // The tensor called `name`, or nullptr.
    const safetensors_tensor* find(std::string_view name) const noexcept;
    // The "__metadata__" entries (string to string), in header order.
    std::span<const std::pair<std::string, std::string>> metadata() const noexcept;

    // Reads out.size() bytes of `tensor`'s data, from byte `offset` of that tensor on; the range
    // must lie inside the tensor. `tensor` must be one of tensors().
    void read_data(const safetensors_tensor& tensor, std::uint64_t offset, std::span<std::byte> out);

private:
    struct state;
    std::unique_ptr<state> state_;
};

// Where a shard's rows sit in the stream.
struct safetensors_shard {
    std::string file;    // the path as given
    std::string tensor;  // the tensor read from it
    safetensors_dtype dtype = safetensors_dtype::F32;
    std::vector<std::uint64_t> shape;  // [rows, vocabulary] or [batch, sequence, vocabulary]
    std::size_t first_row = 0;         // index of its first row in the whole stream
    std::size_t rows = 0;              // product of all dimensions but the last (may be 0)
};

// The rows of one logits tensor (rank 2 [rows, vocabulary] or rank 3 [batch, sequence, vocabulary],
// read as batch·sequence rows), through the shard files in the order given, decoded to float.
class safetensors_rows {
public:
    // Reads every shard's header and chooses its tensor: `tensor_name` if not empty, else the one
    // floating tensor of rank 2 or 3 in the file, else the candidate called "logits"; throws
    // kldiv::error listing the candidates otherwise. All shards must hold a tensor of dtype F16,
    // BF16, F32 or F64 with the same vocabulary (2 … safetensors_max_vocab). Row data is read later,
    // by read, one shard file open at a time.
    explicit safetensors_rows(const std::vector<std::filesystem::path>& files, std::string tensor_name = {});
    ~safetensors_rows();
    safetensors_rows(safetensors_rows&&) noexcept;
    safetensors_rows& operator=(safetensors_rows&&) noexcept;

    std::size_t vocabulary() const noexcept;
    std::size_t rows() const noexcept;  // over all shards
    std::span<const safetensors_shard> shards() const noexcept;

    // Decodes the next min(max_rows, rows left) rows into out (row-major, vocabulary() floats per
    // row; F16 and BF16 widen exactly, F64 rounds to nearest) and returns how many it decoded: 0 once
    // every row has been read. out must hold max_rows × vocabulary() floats. The rows may span shard
    // boundaries; only their bytes are read, in large sequential reads.
    std::size_t read(std::span<float> out, std::size_t max_rows);

    std::size_t next_row() const noexcept;  // the index of the row read decodes next
    // Moves to row r (0 ≤ r ≤ rows(); rows() means the end): the next read starts there.
    void seek_row(std::size_t r);
    // The index into shards() of the shard holding row r (0 ≤ r < rows()).
    std::size_t file_of_row(std::size_t r) const;
    // The shard next_row() lies in (shards().size() at the end).
    std::size_t current_file() const noexcept;

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace kldiv::io
