// Tests of the safetensors reader (kldiv/io/safetensors_rows.hpp). The files are written here by a
// small writer of the test's own, from the layout in docs/formats/safetensors.md (8-byte little-endian
// header length, JSON header padded with spaces, the tensors' bytes), and one by Python (NumPy and
// json, or the safetensors package where it is installed). Decoded values are compared bit for bit
// with values computed here independently of the library's conversions.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/safetensors_rows.hpp"
#include "tests/run_command.hpp"

namespace {

using kldiv::io::safetensors_dtype;
using kldiv::io::safetensors_file;
using kldiv::io::safetensors_rows;
using ::testing::HasSubstr;

// ---- the test's writer -------------------------------------------------------------------------

struct tensor_spec {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::string bytes;  // the raw little-endian data
};

std::string shape_json(const std::vector<std::uint64_t>& shape) {
    std::string text = "[";
    for (std::size_t k = 0; k < shape.size(); ++k) {
        if (k > 0) text += ",";
        text += std::to_string(shape[k]);
    }
    return text + "]";
}

std::string with_length(std::string header, const std::string& data) {
    std::string bytes;
    for (int k = 0; k < 8; ++k) bytes += static_cast<char>(header.size() >> (8 * k) & 0xff);
    return bytes + header + data;
}

// A file holding `tensors` in order, the header padded with spaces to a multiple of 8 bytes.
std::string safetensors_bytes(const std::vector<tensor_spec>& tensors, const std::string& metadata = "") {
    std::string header = "{", data;
    if (!metadata.empty()) header += "\"__metadata__\":" + metadata;
    for (const tensor_spec& t : tensors) {
        if (header.size() > 1) header += ",";
        header += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":" + shape_json(t.shape) +
                  ",\"data_offsets\":[" + std::to_string(data.size()) + "," +
                  std::to_string(data.size() + t.bytes.size()) + "]}";
        data += t.bytes;
    }
    header += "}";
    header.resize((header.size() + 7) / 8 * 8, ' ');
    return with_length(header, data);
}

template <class T>
std::string raw(const std::vector<T>& values) {
    std::string bytes(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());  // data() may be null
    return bytes;
}

std::size_t element_count(const std::vector<std::uint64_t>& shape) {
    std::size_t n = 1;
    for (const std::uint64_t d : shape) n *= d;
    return n;
}

// An F32 tensor of the given shape holding `first`, first + 1, … (exact in float).
tensor_spec counting(const std::string& name, std::vector<std::uint64_t> shape, float first = 0) {
    std::vector<float> values(element_count(shape));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = first + static_cast<float>(i);
    return {name, "F32", std::move(shape), raw(values)};
}

// The value of IEEE binary16 bits, computed in double from the definition.
float half_value(std::uint16_t bits) {
    const int sign = bits >> 15, exponent = bits >> 10 & 31, mantissa = bits & 1023;
    double magnitude = 0;
    if (exponent == 0) {
        magnitude = std::ldexp(mantissa, -24);
    } else if (exponent == 31) {
        magnitude = mantissa == 0 ? INFINITY : NAN;
    } else {
        magnitude = std::ldexp(1024 + mantissa, exponent - 25);
    }
    return static_cast<float>(sign != 0 ? -magnitude : magnitude);
}

std::vector<float> read_all(safetensors_rows& rows, std::size_t block) {
    std::vector<float> all, buffer(block * rows.vocabulary());
    while (const std::size_t n = rows.read(buffer, block))
        all.insert(all.end(), buffer.begin(), buffer.begin() + n * rows.vocabulary());
    return all;
}

class safetensors : public ::testing::Test {
protected:
    kldiv::test::scratch_dir dir;

    std::string error_of_rows(const std::vector<std::filesystem::path>& files, const std::string& name = "") {
        try {
            safetensors_rows rows(files, name);
        } catch (const kldiv::error& e) {
            EXPECT_EQ(e.function(), "read_safetensors");
            return e.what();
        }
        ADD_FAILURE() << "no error";
        return "";
    }
    std::string error_of(const std::string& bytes) {
        const auto path = dir.write("bad.safetensors", bytes);
        try {
            safetensors_file file(path);
        } catch (const kldiv::error& e) {
            EXPECT_EQ(e.function(), "read_safetensors");
            return e.what();
        }
        ADD_FAILURE() << "no error";
        return "";
    }
    // A file with the given header text (not padded) and data.
    std::string error_of_header(const std::string& header, const std::string& data = std::string(16, '\0')) {
        return error_of(with_length(header, data));
    }
};

// ---- values ------------------------------------------------------------------------------------

TEST_F(safetensors, f32_rows_read_back_bit_for_bit) {
    std::mt19937 rng(11);
    std::vector<std::uint32_t> bits(9 * 37);
    for (auto& b : bits) b = static_cast<std::uint32_t>(rng());
    bits[3] = 0x7f800000u;  // +inf
    bits[4] = 0xff800000u;  // −inf (a masked logit)
    bits[5] = 0x00000001u;  // the smallest subnormal
    bits[6] = 0x80000000u;  // −0
    const auto path = dir.write("a.safetensors", safetensors_bytes({{"logits", "F32", {9, 37}, raw(bits)}}));
    for (const std::size_t block : {1u, 2u, 4u, 9u, 50u}) {
        safetensors_rows rows({path});
        EXPECT_EQ(rows.vocabulary(), 37u);
        EXPECT_EQ(rows.rows(), 9u);
        const std::vector<float> all = read_all(rows, block);
        ASSERT_EQ(all.size(), bits.size()) << "block of " << block;
        for (std::size_t i = 0; i < bits.size(); ++i)
            ASSERT_EQ(std::bit_cast<std::uint32_t>(all[i]), bits[i]) << "element " << i;
    }
}

TEST_F(safetensors, every_f16_and_bf16_value_widens_exactly) {
    std::vector<std::uint16_t> every(65536);
    for (std::size_t i = 0; i < every.size(); ++i) every[i] = static_cast<std::uint16_t>(i);
    const auto path = dir.write("h.safetensors", safetensors_bytes({{"half", "F16", {256, 256}, raw(every)},
                                                                    {"brain", "BF16", {256, 256}, raw(every)}}));
    safetensors_rows half({path}, "half"), brain({path}, "brain");
    const std::vector<float> h = read_all(half, 100), b = read_all(brain, 100);
    ASSERT_EQ(h.size(), every.size());
    ASSERT_EQ(b.size(), every.size());
    for (std::size_t i = 0; i < every.size(); ++i) {
        const float expected = half_value(every[i]);
        if (std::isnan(expected)) {
            EXPECT_TRUE(std::isnan(h[i])) << "F16 bits " << i;
        } else {
            ASSERT_EQ(std::bit_cast<std::uint32_t>(h[i]), std::bit_cast<std::uint32_t>(expected)) << "F16 bits " << i;
        }
        // bfloat16 is the upper half of a float32: the widened bits are exactly those bits, shifted.
        ASSERT_EQ(std::bit_cast<std::uint32_t>(b[i]), static_cast<std::uint32_t>(i) << 16) << "BF16 bits " << i;
    }
}

TEST_F(safetensors, f64_rows_round_to_the_nearest_float) {
    const std::vector<double> values{1.0 / 3.0, -2.5, 1e-30, -INFINITY, 0.1, 1e300, 123456789.0, 7.0};
    const auto path = dir.write("d.safetensors", safetensors_bytes({{"logits", "F64", {2, 4}, raw(values)}}));
    safetensors_rows rows({path});
    const std::vector<float> all = read_all(rows, 2);
    ASSERT_EQ(all.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(all[i], static_cast<float>(values[i])) << i;
    EXPECT_EQ(all[0], 0.333333343f);
    EXPECT_EQ(all[5], INFINITY);  // beyond float's range
}

TEST_F(safetensors, reads_larger_than_the_decoding_piece_of_1_mib_are_whole) {
    const std::size_t vocabulary = 200003;  // 3 rows: 1.2 MB in F16, 4.8 MB in F64
    std::vector<std::uint16_t> halves(3 * vocabulary);
    std::vector<double> doubles(3 * vocabulary);
    for (std::size_t i = 0; i < halves.size(); ++i) {
        halves[i] = static_cast<std::uint16_t>(0x3c00 + i % 5003);  // 1 … 5, then on
        doubles[i] = static_cast<double>(i) + 0.25;                 // exact in float below 2^22
    }
    const auto path =
        dir.write("big.safetensors", safetensors_bytes({{"half", "F16", {3, vocabulary}, raw(halves)},
                                                        {"double", "F64", {3, vocabulary}, raw(doubles)}}));
    safetensors_rows half({path}, "half"), wide({path}, "double");
    std::vector<float> out(3 * vocabulary);
    ASSERT_EQ(half.read(out, 3), 3u);
    for (std::size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], half_value(halves[i])) << "element " << i;
    ASSERT_EQ(wide.read(out, 3), 3u);
    for (std::size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], static_cast<float>(doubles[i])) << "element " << i;
}

TEST_F(safetensors, a_rank_3_tensor_is_read_as_batch_times_sequence_rows) {
    const auto path = dir.write("r3.safetensors", safetensors_bytes({counting("logits", {2, 3, 4})}));
    safetensors_rows rows({path});
    EXPECT_EQ(rows.rows(), 6u);
    EXPECT_EQ(rows.vocabulary(), 4u);
    ASSERT_EQ(rows.shards().size(), 1u);
    EXPECT_EQ(rows.shards()[0].shape, (std::vector<std::uint64_t>{2, 3, 4}));
    std::vector<float> expected(24);
    for (std::size_t i = 0; i < 24; ++i) expected[i] = static_cast<float>(i);
    EXPECT_EQ(read_all(rows, 4), expected);  // row b·3 + s is batch b, position s
}

// ---- shards ------------------------------------------------------------------------------------

TEST_F(safetensors, shards_are_read_in_the_order_given_across_read_boundaries) {
    // 5, 0, 7 and 3 rows of 6 values, the second shard empty, the last in F16 (small integers are exact).
    std::vector<std::uint16_t> halves(3 * 6);
    for (std::size_t i = 0; i < halves.size(); ++i)
        halves[i] = static_cast<std::uint16_t>(0x4000 + 0x400 * (i % 4));  // 2, 4, 8, 16
    const std::vector<std::filesystem::path> files{
        dir.write("p0.safetensors", safetensors_bytes({counting("logits", {5, 6})})),
        dir.write("p1.safetensors", safetensors_bytes({counting("logits", {0, 6})})),
        dir.write("p2.safetensors", safetensors_bytes({counting("logits", {7, 6}, 1000)})),
        dir.write("p3.safetensors", safetensors_bytes({{"logits", "F16", {3, 6}, raw(halves)}})),
    };
    std::vector<float> expected;
    for (int i = 0; i < 30; ++i) expected.push_back(static_cast<float>(i));
    for (int i = 0; i < 42; ++i) expected.push_back(static_cast<float>(1000 + i));
    for (std::size_t i = 0; i < halves.size(); ++i) expected.push_back(static_cast<float>(2 << (i % 4)));

    for (const std::size_t block : {1u, 2u, 3u, 4u, 6u, 14u, 15u, 100u}) {
        safetensors_rows rows(files);
        EXPECT_EQ(rows.rows(), 15u);
        EXPECT_EQ(read_all(rows, block), expected) << "block of " << block;
    }

    safetensors_rows rows(files);
    const auto shards = rows.shards();
    ASSERT_EQ(shards.size(), 4u);
    const std::size_t first[] = {0, 5, 5, 12}, count[] = {5, 0, 7, 3};
    for (std::size_t s = 0; s < 4; ++s) {
        EXPECT_EQ(shards[s].file, files[s].string());
        EXPECT_EQ(shards[s].tensor, "logits");
        EXPECT_EQ(shards[s].first_row, first[s]);
        EXPECT_EQ(shards[s].rows, count[s]);
    }
    EXPECT_EQ(shards[3].dtype, safetensors_dtype::F16);
    const std::size_t owner[] = {0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3};
    for (std::size_t r = 0; r < 15; ++r) EXPECT_EQ(rows.file_of_row(r), owner[r]) << "row " << r;
    EXPECT_THROW(rows.file_of_row(15), kldiv::error);

    // current_file follows the reads; seek_row moves anywhere, the end included.
    std::vector<float> buffer(4 * 6);
    EXPECT_EQ(rows.current_file(), 0u);
    EXPECT_EQ(rows.read(buffer, 4), 4u);
    EXPECT_EQ(rows.current_file(), 0u);
    EXPECT_EQ(rows.read(buffer, 4), 4u);  // rows 4 … 7: shard 0 then shard 2
    EXPECT_EQ(buffer[0], 24.f);
    EXPECT_EQ(buffer[6], 1000.f);
    EXPECT_EQ(rows.next_row(), 8u);
    EXPECT_EQ(rows.current_file(), 2u);
    rows.seek_row(13);
    EXPECT_EQ(rows.current_file(), 3u);
    EXPECT_EQ(rows.read(buffer, 4), 2u);
    EXPECT_EQ(buffer[0], 8.f);  // element 6 of the F16 shard: 2 << 2
    EXPECT_EQ(rows.current_file(), 4u);
    EXPECT_EQ(rows.read(buffer, 4), 0u);
    rows.seek_row(2);
    EXPECT_EQ(rows.read(buffer, 1), 1u);
    EXPECT_EQ(buffer[0], 12.f);
    rows.seek_row(15);
    EXPECT_EQ(rows.read(buffer, 1), 0u);
    EXPECT_THROW(rows.seek_row(16), kldiv::error);
    std::vector<float> small(2 * 6 - 1);
    EXPECT_THROW(rows.read(small, 2), kldiv::error);
}

TEST_F(safetensors, shards_must_share_the_vocabulary) {
    const auto a = dir.write("a.safetensors", safetensors_bytes({counting("logits", {2, 8})}));
    const auto b = dir.write("b.safetensors", safetensors_bytes({counting("logits", {3, 2, 7})}));
    EXPECT_THAT(
        error_of_rows({a, b}),
        HasSubstr("b.safetensors: tensor 'logits' has shape [3, 2, 7], a vocabulary (last dimension) of 7, but " +
                  a.string() + "'s tensor 'logits' has 8; all shards must share the vocabulary"));
    const auto one = dir.write("one.safetensors", safetensors_bytes({counting("logits", {4, 1})}));
    EXPECT_THAT(error_of_rows({one}), HasSubstr("a vocabulary (last dimension) of 1, but it must be >= 2"));
    EXPECT_THAT(error_of_rows({}), HasSubstr("no safetensors files given"));
}

TEST_F(safetensors, a_file_changed_after_its_header_was_read_is_refused) {
    const auto path = dir.write("c.safetensors", safetensors_bytes({counting("logits", {4, 5})}));
    safetensors_rows rows({path});
    dir.write("c.safetensors", safetensors_bytes({counting("logits", {5, 4})}));
    std::vector<float> buffer(5);
    try {
        rows.read(buffer, 1);
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(
            e.what(),
            HasSubstr(
                "c.safetensors: tensor 'logits' changed since the file was first read (it was 'logits' F32 [4, 5]"));
    }
}

// ---- choosing the tensor -----------------------------------------------------------------------

TEST_F(safetensors, the_only_floating_rank_2_or_3_tensor_is_chosen) {
    const auto path = dir.write("m.safetensors", safetensors_bytes({{"input_ids", "I64", {3, 2}, std::string(48, '\0')},
                                                                    counting("bias", {7}),
                                                                    counting("scores", {3, 2}, 5),
                                                                    counting("cube", {1, 1, 1, 2})}));
    safetensors_rows rows({path});
    EXPECT_EQ(rows.shards()[0].tensor, "scores");
    EXPECT_EQ(read_all(rows, 8), (std::vector<float>{5, 6, 7, 8, 9, 10}));
}

TEST_F(safetensors, with_several_candidates_the_one_called_logits_is_chosen_or_an_error_lists_them) {
    const auto named =
        dir.write("n.safetensors", safetensors_bytes({counting("hidden", {2, 3}), counting("logits", {2, 4}, 50)}));
    safetensors_rows rows({named});
    EXPECT_EQ(rows.shards()[0].tensor, "logits");
    EXPECT_EQ(rows.vocabulary(), 4u);
    // Named explicitly, another one.
    safetensors_rows hidden({named}, "hidden");
    EXPECT_EQ(hidden.vocabulary(), 3u);

    const auto two =
        dir.write("two.safetensors",
                  safetensors_bytes({counting("ref", {2, 3}), {"cand", "BF16", {1, 2, 3}, std::string(12, '\0')}}));
    EXPECT_THAT(error_of_rows({two}),
                HasSubstr("two.safetensors: has 2 floating tensors of rank 2 or 3 and none is called 'logits'; "
                          "name the one to read: 'ref' F32 [2, 3], 'cand' BF16 [1, 2, 3]"));
    safetensors_rows cand({two}, "cand");
    EXPECT_EQ(cand.rows(), 2u);

    const auto none = dir.write(
        "none.safetensors", safetensors_bytes({counting("bias", {3}), {"ids", "I32", {2, 2}, std::string(16, '\0')}}));
    EXPECT_THAT(error_of_rows({none}), HasSubstr("none.safetensors: has no floating tensor of rank 2 or 3 to read "
                                                 "logits from; its tensors: 'bias' F32 [3], 'ids' I32 [2, 2]"));
    EXPECT_THAT(error_of_rows({none}, "ids"),
                HasSubstr("tensor 'ids' has dtype I32, but logits are read from F16, BF16, F32 or F64"));
    EXPECT_THAT(error_of_rows({none}, "bias"), HasSubstr("tensor 'bias' has shape [3], but logits need rank 2 [rows, "
                                                         "vocabulary] or 3 [batch, sequence, vocabulary]"));
    EXPECT_THAT(error_of_rows({none}, "logits"),
                HasSubstr("none.safetensors: has no tensor 'logits'; its tensors: 'bias' F32 [3], 'ids' I32 [2, 2]"));
    // A readable name in the first shard but missing from the second.
    EXPECT_THAT(error_of_rows({named, none}, "hidden"), HasSubstr("none.safetensors: has no tensor 'hidden'"));

    // Long lists are cut short.
    std::vector<tensor_spec> many;
    for (int k = 0; k < 13; ++k) many.push_back(counting(std::string("t").append(std::to_string(k)), {1}));
    EXPECT_THAT(error_of_rows({dir.write("many.safetensors", safetensors_bytes(many))}),
                HasSubstr("'t9' F32 [1] and 3 more"));
}

// ---- one file's header -------------------------------------------------------------------------

TEST_F(safetensors, the_header_lists_tensors_metadata_and_absolute_offsets) {
    const std::string bytes =
        safetensors_bytes({counting("a", {2, 2}), {"b", "BF16", {3}, std::string(6, '\0')}, counting("c", {})},
                          R"({"format":"pt","note":"caf\u00e9 \ud83d\ude00 \"q\""})");
    const auto path = dir.write("h.safetensors", bytes);
    safetensors_file file(path);
    EXPECT_EQ(file.file_size(), bytes.size());
    const auto tensors = file.tensors();
    ASSERT_EQ(tensors.size(), 3u);
    const std::uint64_t data_start = bytes.size() - 16 - 6 - 4;
    EXPECT_EQ(tensors[0].name, "a");
    EXPECT_EQ(tensors[0].dtype, safetensors_dtype::F32);
    EXPECT_EQ(tensors[0].shape, (std::vector<std::uint64_t>{2, 2}));
    EXPECT_EQ(tensors[0].data_begin, data_start);
    EXPECT_EQ(tensors[0].data_bytes, 16u);
    EXPECT_EQ(tensors[1].dtype, safetensors_dtype::BF16);
    EXPECT_EQ(tensors[1].data_begin, data_start + 16);
    EXPECT_TRUE(tensors[2].shape.empty());  // a scalar
    EXPECT_EQ(tensors[2].data_bytes, 4u);
    EXPECT_EQ(file.find("b"), &tensors[1]);
    EXPECT_EQ(file.find("z"), nullptr);
    ASSERT_EQ(file.metadata().size(), 2u);
    EXPECT_EQ(file.metadata()[0], (std::pair<std::string, std::string>{"format", "pt"}));
    EXPECT_EQ(file.metadata()[1].second, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");

    std::vector<std::byte> two(8);
    file.read_data(tensors[0], 8, two);
    float values[2];
    std::memcpy(values, two.data(), 8);
    EXPECT_EQ(values[0], 2.f);
    EXPECT_EQ(values[1], 3.f);
    EXPECT_THROW(file.read_data(tensors[0], 12, two), kldiv::error);
}

TEST_F(safetensors, whitespace_padding_out_of_order_offsets_unknown_fields_and_empty_tensors_are_accepted) {
    const std::string data(4 * 4 + 8, '\0');
    // Whitespace before and after the object; "b" listed before "a" although its data comes after;
    // an unknown member; an empty tensor with zero bytes.
    const std::string header =
        " \n\t{\"b\": {\"data_offsets\": [16, 24], \"shape\": [2, 1], \"dtype\": \"F32\", \"extra\": [1.5e3, {\"x\": "
        "null}, true]},"
        "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        "\"e\":{\"dtype\":\"F16\",\"shape\":[0,5],\"data_offsets\":[16,16]},\"__metadata__\":null}\r\n    ";
    safetensors_file file(dir.write("w.safetensors", with_length(header, data)));
    ASSERT_EQ(file.tensors().size(), 3u);
    EXPECT_EQ(file.tensors()[0].name, "b");
    EXPECT_EQ(file.tensors()[2].data_bytes, 0u);
    EXPECT_TRUE(file.metadata().empty());
    EXPECT_TRUE(safetensors_file(dir.write("empty.safetensors", with_length("{}", ""))).tensors().empty());
}

// ---- bad files ---------------------------------------------------------------------------------

TEST_F(safetensors, short_missing_and_special_files_are_refused) {
    EXPECT_THAT(error_of(""), HasSubstr("bad.safetensors: the file is empty"));
    EXPECT_THAT(
        error_of(std::string("\x05\0\0", 3)),
        HasSubstr("the file has 3 bytes, but a safetensors file starts with an 8-byte little-endian header length"));
    EXPECT_THAT(error_of_rows({dir.path() / "missing.safetensors"}), HasSubstr("missing.safetensors: cannot open it"));
    const auto fifo = dir.path() / "fifo.safetensors";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_THAT(error_of_rows({fifo}), HasSubstr("fifo.safetensors: it is not a regular file"));
}

TEST_F(safetensors, header_lengths_beyond_the_file_or_the_limit_are_refused) {
    std::string bytes = safetensors_bytes({counting("logits", {2, 2})});
    EXPECT_THAT(error_of(bytes.substr(0, 20)), HasSubstr("bad.safetensors: the header length field says"));
    EXPECT_THAT(error_of(bytes.substr(0, 20)), HasSubstr("bytes, but only 12 bytes follow it (is it truncated?)"));
    std::string huge("\x01\xe1\xf5\x05\0\0\0\0{}", 10);  // 100000001
    EXPECT_THAT(
        error_of(huge),
        HasSubstr("the header length field says 100000001 bytes, but kldiv reads headers of at most 100000000 bytes"));
    // A .npy file is not one.
    EXPECT_THAT(
        error_of(std::string("\x93NUMPY\x01\0", 8) + "v\0{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"),
        HasSubstr("(is it a safetensors file?)"));
}

TEST_F(safetensors, a_truncated_file_is_refused) {
    const std::string bytes = safetensors_bytes({counting("a", {2, 2}), counting("logits", {3, 4})});
    EXPECT_THAT(error_of(bytes.substr(0, bytes.size() - 1)),
                HasSubstr("tensor 'logits' has data_offsets [16, 64], but the file holds only 63 data bytes after its "
                          "header (is it truncated?)"));
    EXPECT_THAT(error_of(bytes + "xyz"), HasSubstr("the tensors cover 64 data bytes, but the file holds 67 after its "
                                                   "header; the data must hold nothing but the tensors"));
}

TEST_F(safetensors, malformed_json_is_refused_with_its_place) {
    const auto malformed = [&](const std::string& header) { return error_of_header(header); };
    EXPECT_THAT(malformed("[]"), HasSubstr("the header must be a JSON object (starting with '{') but found '['"));
    EXPECT_THAT(malformed(""), HasSubstr("the header must be a JSON object (starting with '{') but the header ended"));
    EXPECT_THAT(
        malformed("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},}"),
        HasSubstr("the header is not valid JSON: syntax error while parsing object key - unexpected '}'; expected "
                  "string literal (at byte 57 of the header)"));
    EXPECT_THAT(malformed("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"),
                HasSubstr("unexpected end of input; expected '}' (at byte 56 of the header)"));
    EXPECT_THAT(malformed("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}} x"),
                HasSubstr("expected end of input (at byte 58 of the header)"));
    EXPECT_THAT(malformed("{\"a\" {}}"), HasSubstr("unexpected '{'; expected ':'"));
    EXPECT_THAT(malformed("{\"a\\q\":{}}"), HasSubstr("forbidden character after backslash"));
    EXPECT_THAT(malformed("{\"a\\ud800\":{}}"),
                HasSubstr("surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"));
    EXPECT_THAT(malformed("{\"\xc3\x28\":{}}"), HasSubstr("ill-formed UTF-8 byte"));
    EXPECT_THAT(malformed("{\"\xe0\x80\xaf\":{}}"), HasSubstr("ill-formed UTF-8 byte"));  // an overlong '/'
    EXPECT_THAT(malformed("{\"a\nb\":{}}"), HasSubstr("control character U+000A (LF) must be escaped"));
    EXPECT_THAT(malformed("{\"a\":{\"dtype\":\"F32\",\"x\":01,\"shape\":[],\"data_offsets\":[0,4]}}"),
                HasSubstr("unexpected number literal"));
    EXPECT_THAT(malformed("{\"a\":{\"dtype\":\"F32\",\"x\":tru,\"shape\":[],\"data_offsets\":[0,4]}}"),
                HasSubstr("invalid literal"));
    EXPECT_THAT(malformed("{\"__metadata__\":{},\"__metadata__\":{}}"),
                HasSubstr("the header names '__metadata__' twice"));
    EXPECT_THAT(malformed("{\"a\":{\"dtype\":\"F32\",\"x\":}}"),
                HasSubstr("unexpected '}'; expected '[', '{', or a literal"));
    // A number beyond a double, and keys repeated inside a tensor entry or a skipped object.
    const std::string overflow =
        malformed("{\"a\":{\"dtype\":\"F32\",\"x\":1e400,\"shape\":[],\"data_offsets\":[0,4]}}");
    EXPECT_THAT(overflow, HasSubstr("the header is not valid JSON: number overflow parsing '1e400'"));
    EXPECT_THAT(overflow, testing::Not(HasSubstr("json.exception")));
    EXPECT_THAT(malformed("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\"}}"),
                HasSubstr("the header names 'dtype' twice"));
    EXPECT_THAT(malformed("{\"a\":{\"x\":{\"k\":1,\"k\":2}}}"), HasSubstr("the header names 'k' twice"));
    std::string deep = "{\"a\":{\"x\":" + std::string(100, '[') + std::string(100, ']') + "}}";
    EXPECT_THAT(malformed(deep), HasSubstr("values nested deeper than 64 levels"));
}

TEST_F(safetensors, bad_tensor_entries_are_named) {
    const auto entry = [&](const std::string& body, std::size_t data_bytes = 16) {
        return error_of_header("{\"logits\":" + body + "}", std::string(data_bytes, '\0'));
    };
    EXPECT_THAT(entry(R"({"dtype":"F17","shape":[2,2],"data_offsets":[0,16]})"),
                HasSubstr("tensor 'logits' has dtype \"F17\", which is not a safetensors dtype (BOOL, F4, F6_E2M3"));
    EXPECT_THAT(entry(R"({"shape":[2,2],"data_offsets":[0,16]})"), HasSubstr("tensor 'logits' has no \"dtype\""));
    EXPECT_THAT(entry(R"({"dtype":"F32","data_offsets":[0,16]})"), HasSubstr("tensor 'logits' has no \"shape\""));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[2,2]})"), HasSubstr("tensor 'logits' has no \"data_offsets\""));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[2,2],"data_offsets":[0,16,3]})"),
                HasSubstr("tensor 'logits' has 3 data_offsets, but it needs two: [begin, end]"));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[2,-2],"data_offsets":[0,16]})"),
                HasSubstr("tensor 'logits': \"shape\" must hold non-negative integers, but holds -2"));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[2,2.0],"data_offsets":[0,16]})"), HasSubstr("but holds 2.0"));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[2,"2"],"data_offsets":[0,16]})"),
                HasSubstr("\"shape\" must hold non-negative integers, but holds a string"));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[2,2],"data_offsets":[0,18446744073709551616]})"),
                HasSubstr("\"data_offsets\" holds 18446744073709551616, which exceeds 2^64 - 1"));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":{},"data_offsets":[0,16]})"),
                HasSubstr("\"shape\" must be an array of non-negative integers, but it is an object"));
    EXPECT_THAT(entry(R"({"dtype":32,"shape":[2,2],"data_offsets":[0,16]})"),
                HasSubstr("\"dtype\" must be a string, but it is 32"));
    EXPECT_THAT(entry(R"([0,16])"), HasSubstr("tensor 'logits' must be described by an object"));
    EXPECT_THAT(entry(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]})"),
                HasSubstr("has shape [4294967296, 4294967296], 2^64 elements or more"));
    EXPECT_THAT(entry(R"({"dtype":"F4","shape":[3],"data_offsets":[0,16]})"),
                HasSubstr("3 elements of 4 bits do not fill whole bytes"));
    EXPECT_THAT(error_of_header(R"({"__metadata__":{"n":3}})", ""),
                HasSubstr("\"__metadata__\" must map strings to strings, but 'n' maps to 3"));
}

TEST_F(safetensors, shapes_that_disagree_with_their_bytes_are_refused) {
    const std::string data(56, '\0');
    EXPECT_THAT(error_of_header(R"({"logits":{"dtype":"F32","shape":[4,7],"data_offsets":[0,56]}})", data),
                HasSubstr("bad.safetensors: tensor 'logits' has shape [4, 7] and 56 bytes, but F32 needs 112"));
    EXPECT_THAT(error_of_header(R"({"logits":{"dtype":"BF16","shape":[4,7],"data_offsets":[0,54]}})", data),
                HasSubstr("tensor 'logits' has shape [4, 7] and 54 bytes, but BF16 needs 56"));
}

TEST_F(safetensors, overlapping_gapped_or_reversed_offsets_are_refused) {
    const std::string data(32, '\0');
    EXPECT_THAT(
        error_of_header(
            R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
            data),
        HasSubstr(
            "tensor 'b' has data_offsets [8, 24], which overlap tensor 'a' (ending at 16); tensors must not overlap"));
    EXPECT_THAT(
        error_of_header(
            R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})",
            data),
        HasSubstr("tensor 'b' has data_offsets [24, 32], but no tensor covers data bytes [16, 24); the data must have "
                  "no gaps"));
    EXPECT_THAT(error_of_header(R"({"a":{"dtype":"F32","shape":[8],"data_offsets":[32,0]}})", data),
                HasSubstr("tensor 'a' has data_offsets [32, 0], but the end must not be before the begin"));
    EXPECT_THAT(error_of_header(R"({"a":{"dtype":"F32","shape":[8],"data_offsets":[16,48]}})", data),
                HasSubstr("no tensor covers data bytes [0, 16)"));
}

// ---- a file written by Python ------------------------------------------------------------------

TEST_F(safetensors, a_file_written_by_python_reads_back_as_numpy_widens_it) {
    const std::string python = "/usr/bin/python3";
    if (!std::filesystem::exists(python)) GTEST_SKIP() << python << " is not installed";
    if (kldiv::test::run_command(python, {"-c", "import numpy"}).exit_code != 0)
        GTEST_SKIP() << "NumPy is not installed for " << python;
    // With the safetensors package its own writer is used; without it, json and NumPy write the
    // documented layout (json's separators and key order differ from this test's writer).
    const std::string script =
        "import sys, json, struct, numpy as np\n"
        "rng = np.random.default_rng(7)\n"
        "logits = (rng.standard_normal((2, 3, 50)) * 4).astype(np.float16)\n"
        "ids = rng.integers(0, 50, (2, 3)).astype(np.int64)\n"
        "try:\n"
        "    from safetensors.numpy import save_file\n"
        "    save_file({'input_ids': ids, 'logits': logits}, sys.argv[1], metadata={'format': 'np'})\n"
        "except ImportError:\n"
        "    header, data = {'__metadata__': {'format': 'np'}}, b''\n"
        "    for name, a, dtype in (('input_ids', ids, 'I64'), ('logits', logits, 'F16')):\n"
        "        b = a.astype(a.dtype.newbyteorder('<')).tobytes()\n"
        "        header[name] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [len(data), len(data) + "
        "len(b)]}\n"
        "        data += b\n"
        "    h = json.dumps(header).encode()\n"
        "    h += b' ' * (-len(h) % 8)\n"
        "    open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + data)\n"
        "print(' '.join(str(int(x)) for x in logits.astype(np.float32).view(np.uint32).ravel()))\n";
    const auto path = dir.path() / "python.safetensors";
    const auto result = kldiv::test::run_command(python, {"-c", script, path.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;

    safetensors_file file(path);
    ASSERT_EQ(file.metadata().size(), 1u);
    EXPECT_EQ(file.metadata()[0].second, "np");
    ASSERT_NE(file.find("input_ids"), nullptr);
    EXPECT_EQ(file.find("input_ids")->dtype, safetensors_dtype::I64);

    safetensors_rows rows({path});  // input_ids is not floating: logits is the only candidate
    EXPECT_EQ(rows.shards()[0].tensor, "logits");
    EXPECT_EQ(rows.rows(), 6u);
    EXPECT_EQ(rows.vocabulary(), 50u);
    const std::vector<float> all = read_all(rows, 4);
    std::istringstream numpy_bits(result.out);
    for (std::size_t i = 0; i < all.size(); ++i) {
        std::uint32_t bits = 0;
        ASSERT_TRUE(numpy_bits >> bits) << "NumPy printed fewer values than the tensor holds";
        ASSERT_EQ(std::bit_cast<std::uint32_t>(all[i]), bits) << "element " << i;
    }
}

}  // namespace
