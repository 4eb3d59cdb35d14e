// Tests of the llama.cpp KL-divergence base file reader (kldiv/io/llama_kl_base.hpp). The files are
// written here by a small writer of the test's own, from the layout in docs/formats/llama-kl-base.md:
// header, token ids, and rows encoded from float32 logits as llama-perplexity encodes them. Decoded
// log-probabilities are compared with the exact log-softmax of the same logits (long double) within
// the bound derived in that document.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/llama_kl_base.hpp"
#include "tests/run_command.hpp"

namespace {

using kldiv::io::llama_kl_base_reader;
using kldiv::io::llama_row_quantization;
using ::testing::HasSubstr;

// ---- the test's writer -------------------------------------------------------------------------

void put_u32(std::string& bytes, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) bytes += static_cast<char>(v >> (8 * k) & 0xff);
}
void put_u16(std::string& bytes, std::uint16_t v) {
    bytes += static_cast<char>(v & 0xff);
    bytes += static_cast<char>(v >> 8);
}

struct encoded_row {
    float scale = 0, min_log_prob = 0;
    std::vector<std::uint16_t> q;
    float min_logit = 0;  // the floor logit: tokens at or below it get q = 0
};

// llama-perplexity's encoding of one row of float32 logits: the floor is the smallest logit, but at
// most `range_cap` below the largest; the log-sum-exp is a double sum of float exps; codes are
// round-half-even of (logit − floor)/scale.
encoded_row encode(const std::vector<float>& logits, float range_cap = 16) {
    float max_logit = logits[0], min_logit = logits[0];
    for (const float l : logits) {
        max_logit = std::max(max_logit, l);
        min_logit = std::min(min_logit, l);
    }
    min_logit = std::max(min_logit, max_logit - range_cap);
    double sum_exp = 0;
    for (const float l : logits) sum_exp += std::exp(l - max_logit);  // float exp, double sum
    const float log_sum_exp = static_cast<float>(std::log(sum_exp));
    encoded_row row;
    row.min_logit = min_logit;
    row.min_log_prob = min_logit - max_logit - log_sum_exp;
    row.scale = (max_logit - min_logit) / 65535.f;
    row.q.assign(logits.size(), 0);
    if (row.scale != 0) {
        const float inv_scale = 1 / row.scale;
        for (std::size_t i = 0; i < logits.size(); ++i) {
            if (logits[i] > min_logit)
                row.q[i] = static_cast<std::uint16_t>(std::nearbyint(inv_scale * (logits[i] - min_logit)));
        }
    }
    return row;
}

void put_row(std::string& bytes, const encoded_row& row) {
    put_u32(bytes, std::bit_cast<std::uint32_t>(row.scale));
    put_u32(bytes, std::bit_cast<std::uint32_t>(row.min_log_prob));
    for (const std::uint16_t q : row.q) put_u16(bytes, q);
    if (row.q.size() % 2 == 1) put_u16(bytes, 0);  // rows are padded to an even number of codes
}

std::string header(std::int32_t n_ctx, std::int32_t n_vocab, std::int32_t n_chunk) {
    std::string bytes = "_logits_";
    put_u32(bytes, static_cast<std::uint32_t>(n_ctx));
    put_u32(bytes, static_cast<std::uint32_t>(n_vocab));
    put_u32(bytes, static_cast<std::uint32_t>(n_chunk));
    return bytes;
}

// A whole file with its originals: logits of every scored row, the tokens, and the encoded rows.
struct base_file {
    int n_ctx = 0, n_vocab = 0, n_chunk = 0;
    std::vector<std::int32_t> tokens;
    std::vector<std::vector<float>> logits;  // one per scored row, file order
    std::vector<encoded_row> rows;
    std::string bytes;
};

// Logits for scored row r: mostly N(0, 3²), with special rows that exercise the encoder's cases:
// row 1 spans far more than 16 (the floor clamps), row 2 is constant (scale 0), row 3 has a
// narrow range (fine scale).
std::vector<float> make_logits(int n_vocab, std::size_t r, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 3.f);
    std::vector<float> l(static_cast<std::size_t>(n_vocab));
    for (float& x : l) x = normal(rng);
    if (r == 1) {
        for (float& x : l) x *= 4.f;
    } else if (r == 2) {
        std::fill(l.begin(), l.end(), 1.25f);
    } else if (r == 3) {
        for (float& x : l) x *= 0.01f;
    }
    return l;
}

base_file make_file(int n_ctx, int n_vocab, int n_chunk, unsigned seed = 7) {
    base_file f;
    f.n_ctx = n_ctx;
    f.n_vocab = n_vocab;
    f.n_chunk = n_chunk;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int32_t> token(0, n_vocab - 1);
    f.tokens.resize(static_cast<std::size_t>(n_ctx) * n_chunk);
    for (std::int32_t& t : f.tokens) t = token(rng);
    f.bytes = header(n_ctx, n_vocab, n_chunk);
    for (const std::int32_t t : f.tokens) put_u32(f.bytes, static_cast<std::uint32_t>(t));
    const int first = n_ctx / 2;
    for (int c = 0; c < n_chunk; ++c) {
        for (int pos = first; pos <= n_ctx - 2; ++pos) {
            f.logits.push_back(make_logits(n_vocab, f.logits.size(), rng));
            f.rows.push_back(encode(f.logits.back()));
            put_row(f.bytes, f.rows.back());
        }
    }
    return f;
}

// The exact log-softmax of float logits, in long double.
std::vector<long double> log_softmax(const std::vector<float>& l) {
    const long double m = *std::max_element(l.begin(), l.end());
    long double sum = 0;
    for (const float x : l) sum += std::exp(static_cast<long double>(x) - m);
    std::vector<long double> out;
    for (const float x : l) out.push_back(static_cast<long double>(x) - m - std::log(sum));
    return out;
}

// The bound of docs/formats/llama-kl-base.md, written out here: s·(1/2 + 3/256) + 2⁻²⁴·(4R + 4 ln V + 2).
double derived_bound(float scale, int n_vocab) {
    const double s = scale;
    return s * (0.5 + 3.0 / 256.0) + std::ldexp(4.0 * 65535.0 * s + 4.0 * std::log(double(n_vocab)) + 2.0, -24);
}

std::vector<float> read_all(llama_kl_base_reader& reader, std::size_t rows_per_call,
                            std::vector<llama_row_quantization>* quantization = nullptr) {
    std::vector<float> all, block(rows_per_call * reader.n_vocab());
    std::vector<llama_row_quantization> q(rows_per_call);
    while (const std::size_t n = reader.read_rows(block, rows_per_call, q)) {
        all.insert(all.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n * reader.n_vocab()));
        if (quantization != nullptr)
            quantization->insert(quantization->end(), q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
    }
    return all;
}

std::string error_of(const std::filesystem::path& path) {
    try {
        llama_kl_base_reader reader(path);
        std::vector<float> out(reader.n_vocab());
        while (reader.read_rows(out, 1) != 0) {
        }
    } catch (const kldiv::error& e) {
        EXPECT_EQ(e.function(), "read_llama_kl_base");
        return e.what();
    }
    return "no error";
}

class llama_kl_base : public ::testing::Test {
protected:
    kldiv::test::scratch_dir dir;
};

// ---- reading back ------------------------------------------------------------------------------

TEST_F(llama_kl_base, header_tokens_and_scored_rows) {
    const base_file f = make_file(9, 1001, 3);  // odd n_vocab: padded rows
    llama_kl_base_reader reader(dir.write("ref.kld", f.bytes));
    EXPECT_EQ(reader.n_ctx(), 9u);
    EXPECT_EQ(reader.n_vocab(), 1001u);
    EXPECT_EQ(reader.n_chunk(), 3u);
    EXPECT_EQ(reader.first_scored_position(), 4u);
    EXPECT_EQ(reader.rows_per_chunk(), 4u);  // positions 4, 5, 6, 7 of each chunk
    EXPECT_EQ(reader.n_rows(), 12u);
    EXPECT_THAT(std::vector<std::int32_t>(reader.tokens().begin(), reader.tokens().end()),
                ::testing::ElementsAreArray(f.tokens));

    const std::vector<std::int32_t> next = reader.next_tokens();
    ASSERT_EQ(next.size(), 12u);
    for (std::size_t r = 0; r < 12; ++r) {
        const auto row = reader.scored_row(r);
        EXPECT_EQ(row.chunk, r / 4);
        EXPECT_EQ(row.position, 4 + r % 4);
        EXPECT_EQ(row.next_token, f.tokens[row.chunk * 9 + row.position + 1]);
        EXPECT_EQ(next[r], row.next_token);
    }
    // The last scored row of chunk 1 predicts the chunk's last token, position 8.
    EXPECT_EQ(reader.scored_row(7).next_token, f.tokens[1 * 9 + 8]);
    EXPECT_THROW(reader.scored_row(12), kldiv::error);
}

TEST_F(llama_kl_base, decoded_log_probs_are_within_the_derived_bound) {
    for (const int n_vocab : {1001, 1000}) {
        const base_file f = make_file(9, n_vocab, 3);
        llama_kl_base_reader reader(dir.write("ref.kld", f.bytes));
        std::vector<llama_row_quantization> quantization;
        const std::vector<float> decoded = read_all(reader, 5, &quantization);
        ASSERT_EQ(decoded.size(), f.rows.size() * static_cast<std::size_t>(n_vocab));
        ASSERT_EQ(quantization.size(), f.rows.size());

        double largest_error_over_scale = 0;  // the bound must be nearly reached, not vacuous
        std::size_t floored = 0;
        for (std::size_t r = 0; r < f.rows.size(); ++r) {
            const encoded_row& e = f.rows[r];
            EXPECT_EQ(quantization[r].scale, e.scale);
            EXPECT_EQ(quantization[r].min_log_prob, e.min_log_prob);
            const double bound = derived_bound(e.scale, n_vocab);
            EXPECT_DOUBLE_EQ(quantization[r].error_bound(static_cast<std::size_t>(n_vocab)), bound);
            const std::vector<long double> exact = log_softmax(f.logits[r]);
            for (std::size_t i = 0; i < exact.size(); ++i) {
                const float d = decoded[r * static_cast<std::size_t>(n_vocab) + i];
                // The decode formula itself, float32 as llama.cpp: s·q + μ.
                ASSERT_EQ(d, e.scale * static_cast<float>(e.q[i]) + e.min_log_prob) << "row " << r << " token " << i;
                const double err = static_cast<double>(static_cast<long double>(d) - exact[i]);
                if (f.logits[r][i] > e.min_logit) {
                    ASSERT_LE(std::abs(err), bound) << "row " << r << " token " << i;
                    if (e.scale > 0)
                        largest_error_over_scale = std::max(largest_error_over_scale, std::abs(err) / e.scale);
                } else {  // at or below the floor: decodes to μ, an upper bound on the exact value
                    ++floored;
                    ASSERT_EQ(d, e.min_log_prob);
                    ASSERT_GE(err, -bound) << "row " << r << " token " << i;
                }
            }
        }
        EXPECT_GT(largest_error_over_scale, 0.45);  // rounding to the nearest code nearly reaches s/2
        EXPECT_GT(floored, 100u);                   // row 1 (spread ±36) has many tokens below the clamped floor
        // The constant row: scale 0, every token at ln(1/V).
        EXPECT_EQ(f.rows[2].scale, 0.f);
        EXPECT_NEAR(decoded[2 * static_cast<std::size_t>(n_vocab)], -std::log(double(n_vocab)), 1e-5);
        // The mainline bound for these rows (range ≤ 16) is below 1.33e-4 nats.
        EXPECT_LT(derived_bound(16.f / 65535.f, n_vocab), 1.33e-4);
    }
}

TEST_F(llama_kl_base, a_wider_floor_as_ik_llama_writes_reads_the_same_way) {
    // ik_llama.cpp clamps the floor 24 below the top instead of 16; the layout is the same.
    base_file f = make_file(5, 300, 2);
    f.bytes = header(5, 300, 2);
    for (const std::int32_t t : f.tokens) put_u32(f.bytes, static_cast<std::uint32_t>(t));
    for (std::size_t r = 0; r < f.rows.size(); ++r) {
        f.rows[r] = encode(f.logits[r], 24.f);
        put_row(f.bytes, f.rows[r]);
    }
    llama_kl_base_reader reader(dir.write("ik.kld", f.bytes));
    const std::vector<float> decoded = read_all(reader, 4);
    for (std::size_t r = 0; r < f.rows.size(); ++r) {
        const std::vector<long double> exact = log_softmax(f.logits[r]);
        for (std::size_t i = 0; i < exact.size(); ++i) {
            if (f.logits[r][i] > f.rows[r].min_logit) {
                EXPECT_LE(std::abs(static_cast<double>(decoded[r * 300 + i] - exact[i])),
                          derived_bound(f.rows[r].scale, 300));
            }
        }
    }
}

TEST_F(llama_kl_base, read_rows_in_any_block_size_gives_the_same_values) {
    const base_file f = make_file(8, 257, 4);  // 3 rows per chunk, 12 rows
    const auto path = dir.write("ref.kld", f.bytes);
    llama_kl_base_reader whole(path);
    const std::vector<float> reference = read_all(whole, whole.n_rows());
    EXPECT_EQ(whole.next_row(), 12u);
    std::vector<float> none(257);
    EXPECT_EQ(whole.read_rows(none, 1), 0u);  // at the end
    for (const std::size_t block : {1u, 2u, 5u, 7u, 12u, 100u}) {
        llama_kl_base_reader reader(path);
        EXPECT_EQ(read_all(reader, block), reference) << "block of " << block << " rows";
    }
    // seek_row: the rows from 5 on are the same as read in order.
    llama_kl_base_reader reader(path);
    reader.seek_row(5);
    EXPECT_EQ(reader.next_row(), 5u);
    const std::vector<float> tail = read_all(reader, 3);
    EXPECT_EQ(tail, std::vector<float>(reference.begin() + 5 * 257, reference.end()));
    EXPECT_THROW(reader.seek_row(13), kldiv::error);
    // Too little room for max_rows rows.
    std::vector<float> small(2 * 257 - 1);
    EXPECT_THROW(reader.read_rows(small, 2), kldiv::error);
}

TEST_F(llama_kl_base, numpy_decodes_a_row_to_the_same_floats) {
    const std::string python = "/usr/bin/python3";
    if (!std::filesystem::exists(python)) GTEST_SKIP() << python << " is not installed";
    const base_file f = make_file(9, 1001, 2);
    const auto path = dir.write("ref.kld", f.bytes);
    // Row 5 = chunk 1, position 5 (4 rows per chunk), decoded by NumPy from the layout alone.
    const std::string script =
        "import sys, numpy as np\n"
        "b = open(sys.argv[1], 'rb').read()\n"
        "n_ctx, n_vocab, n_chunk = np.frombuffer(b, '<i4', 3, 8)\n"
        "nv = 2 * ((n_vocab + 1) // 2) + 4\n"
        "start = 20 + 4 * n_ctx * n_chunk + 2 * nv * 5\n"
        "scale, mlp = np.frombuffer(b, '<f4', 2, start)\n"
        "q = np.frombuffer(b, '<u2', n_vocab, start + 8)\n"
        "d = scale * q.astype(np.float32) + mlp\n"
        "print(' '.join(str(int(x)) for x in d.view(np.uint32)))\n";
    const auto result = kldiv::test::run_command(python, {"-c", script, path.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    llama_kl_base_reader reader(path);
    reader.seek_row(5);
    std::vector<float> row(1001);
    ASSERT_EQ(reader.read_rows(row, 1), 1u);
    std::istringstream numpy_bits(result.out);
    for (std::size_t i = 0; i < row.size(); ++i) {
        std::uint32_t bits = 0;
        ASSERT_TRUE(numpy_bits >> bits) << "NumPy printed fewer values than n_vocab";
        ASSERT_EQ(std::bit_cast<std::uint32_t>(row[i]), bits) << "token " << i;
    }
}

// ---- bad files ---------------------------------------------------------------------------------

TEST_F(llama_kl_base, an_empty_or_short_file_is_refused) {
    EXPECT_THAT(error_of(dir.write("empty.kld", "")), HasSubstr("empty.kld: the file is empty"));
    EXPECT_THAT(error_of(dir.write("short.kld", "_logits_\x05")), HasSubstr("the file has 9 bytes, but"));
    EXPECT_THAT(error_of(dir.path() / "missing.kld"), HasSubstr("missing.kld: cannot open it"));
}

TEST_F(llama_kl_base, a_bad_magic_is_named) {
    std::string bytes = make_file(5, 10, 1).bytes;
    bytes.replace(0, 8, "GGUF\x03\0\0\0", 8);
    EXPECT_THAT(error_of(dir.write("bad.kld", bytes)),
                HasSubstr("bad.kld: the file starts with \"GGUF\\x03\\0\\0\\0\", but a llama.cpp KL-divergence "
                          "base file (written by llama-perplexity --kl-divergence-base) starts with \"_logits_\""));
}

TEST_F(llama_kl_base, header_values_out_of_range_are_named) {
    const auto with_header = [&](std::int32_t ctx, std::int32_t vocab, std::int32_t chunks) {
        return error_of(dir.write("h.kld", header(ctx, vocab, chunks) + std::string(64, '\0')));
    };
    EXPECT_THAT(with_header(9, 0, 1), HasSubstr("h.kld: header says n_vocab = 0, but it must be >= 2"));
    EXPECT_THAT(with_header(9, -5, 1), HasSubstr("header says n_vocab = -5, but it must be >= 2"));
    EXPECT_THAT(with_header(9, 1 << 30, 1),
                HasSubstr("header says n_vocab = 1073741824, but kldiv reads vocabularies of at most 16777216"));
    EXPECT_THAT(with_header(2, 10, 1), HasSubstr("header says n_ctx = 2, but it must be >= 3"));
    EXPECT_THAT(with_header(9, 10, 0), HasSubstr("header says n_chunk = 0, but it must be >= 1"));
    EXPECT_THAT(with_header(1 << 20, 10, 1 << 10), HasSubstr("but kldiv reads at most 16777216 tokens"));
}

TEST_F(llama_kl_base, a_truncated_file_is_named) {
    const std::string bytes = make_file(9, 101, 2).bytes;  // 20 + 72 + 8 rows × 212 = 1788 bytes
    ASSERT_EQ(bytes.size(), 1788u);
    EXPECT_THAT(error_of(dir.write("cut.kld", bytes.substr(0, bytes.size() - 100))),
                HasSubstr("cut.kld: header says n_ctx = 9, n_vocab = 101, n_chunk = 2, so the file must have 1788 "
                          "bytes (20 header + 72 token + 8 rows × 212), but it has 1688: the file is truncated "
                          "(100 bytes missing)"));
    EXPECT_THAT(error_of(dir.write("cut.kld", bytes.substr(0, 50))),
                HasSubstr("the file is truncated (1738 bytes missing)"));
}

TEST_F(llama_kl_base, extra_bytes_are_named) {
    const std::string bytes = make_file(9, 101, 2).bytes;
    EXPECT_THAT(error_of(dir.write("long.kld", bytes + "xyz")), HasSubstr("but it has 1791: 3 bytes too many"));
}

TEST_F(llama_kl_base, an_n_vocab_that_does_not_match_the_rows_is_named) {
    // Rows written for 101 tokens (212 bytes), header altered to say 201 tokens.
    std::string bytes = make_file(9, 101, 2).bytes;
    const std::string other = header(9, 201, 2);
    bytes.replace(0, other.size(), other);
    EXPECT_THAT(
        error_of(dir.write("vocab.kld", bytes)),
        HasSubstr("n_vocab = 201, n_chunk = 2, so the file must have 3388 bytes (20 header + 72 token + 8 rows × "
                  "412), but it has 1788: the file is truncated (1600 bytes missing); rows of 212 bytes would "
                  "fill it exactly, as for n_vocab = 101 or 102: was the file written for another vocabulary?"));
}

TEST_F(llama_kl_base, token_ids_out_of_range_are_named) {
    base_file f = make_file(9, 101, 2);
    const auto with_token = [&](std::size_t i, std::int32_t id) {
        std::string bytes = f.bytes;
        std::string word;
        put_u32(word, static_cast<std::uint32_t>(id));
        bytes.replace(20 + 4 * i, 4, word);
        return error_of(dir.write("tok.kld", bytes));
    };
    EXPECT_THAT(with_token(12, 101),
                HasSubstr("tok.kld: token 12 (chunk 1, position 3) is 101, but token ids must be in "
                          "[0, n_vocab) = [0, 101)"));
    EXPECT_THAT(with_token(0, -1), HasSubstr("token 0 (chunk 0, position 0) is -1, but"));
    EXPECT_EQ(with_token(17, 100), "no error");  // the largest id is fine
}

TEST_F(llama_kl_base, corrupt_rows_are_named_with_their_index) {
    base_file f = make_file(9, 101, 2);
    const std::size_t row_bytes = 2 * (102 + 4), rows_at = 20 + 4 * 18;
    const auto with_row_word = [&](std::size_t r, std::size_t offset, float value) {
        std::string bytes = f.bytes;
        std::string word;
        put_u32(word, std::bit_cast<std::uint32_t>(value));
        bytes.replace(rows_at + r * row_bytes + offset, 4, word);
        return error_of(dir.write("rows.kld", bytes));
    };
    EXPECT_THAT(with_row_word(5, 0, NAN),
                HasSubstr("rows.kld: row 5 (chunk 1, position 5) has scale = nan, but it must be finite and >= 0"));
    EXPECT_THAT(with_row_word(0, 0, -0.25f), HasSubstr("row 0 (chunk 0, position 4) has scale = -0.25, but"));
    EXPECT_THAT(with_row_word(7, 4, INFINITY),
                HasSubstr("row 7 (chunk 1, position 7) has min_log_prob = inf, but it must be finite"));
    // A floor shifted by +5 nats: the top token decodes above 0, no distribution does that.
    EXPECT_THAT(with_row_word(3, 4, f.rows[3].min_log_prob + 5),
                HasSubstr("row 3 (chunk 0, position 7) has its largest log-probability at"));
    EXPECT_THAT(with_row_word(3, 4, f.rows[3].min_log_prob + 5),
                HasSubstr("tokens has it in [-ln n_vocab, 0] = [-4.61512051684126, 0]"));
    // A floor far below −ln V − 16 puts the top below −ln V.
    EXPECT_THAT(with_row_word(2, 4, -30.f),
                HasSubstr("row 2 (chunk 0, position 6) has its largest log-probability at -30"));
}

// Rows written with an 8-nat window have a top within [−ln V, 0] but decode to probabilities that
// sum to far more than 1 (every token below the window is read at the floor): the sum check names them.
TEST_F(llama_kl_base, rows_that_do_not_sum_to_one_are_named) {
    base_file f = make_file(9, 101, 1);
    std::string bytes = header(f.n_ctx, f.n_vocab, f.n_chunk);
    for (const std::int32_t t : f.tokens) put_u32(bytes, static_cast<std::uint32_t>(t));
    for (const auto& logits : f.logits) put_row(bytes, encode(logits, 8));
    const std::string message = error_of(dir.write("w8.kld", bytes));
    EXPECT_THAT(message, HasSubstr("w8.kld: row 0 (chunk 0, position 4) decodes to probabilities summing to "));
    EXPECT_THAT(message, HasSubstr("but a distribution sums to 1 (within the decode error"));
    EXPECT_EQ(error_of(dir.write("w16.kld", f.bytes)), "no error");  // the same logits, llama.cpp's window
}

}  // namespace
