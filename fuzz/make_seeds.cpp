// Writes small valid files of the binary formats that tests/data holds no small example of, as
// seeds for the fuzz targets: make_seeds DIR writes DIR/<target>/<name>. Run by fuzz_corpora.

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kldiv/io/reference_file.hpp"

namespace fs = std::filesystem;
using namespace kldiv;

namespace {

void put(std::string& bytes, std::uint64_t v, int n) {
    for (int k = 0; k < n; ++k) bytes += static_cast<char>(v >> (8 * k) & 0xff);
}

void save(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string npy(const std::string& descr, const std::string& shape, const std::string& data, bool fortran = false) {
    std::string header =
        "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    header.resize((header.size() + 10 + 1 + 63) / 64 * 64 - 10 - 1, ' ');
    header += '\n';
    std::string bytes = "\x93NUMPY\x01";
    bytes += '\0';
    put(bytes, header.size(), 2);
    return bytes + header + data;
}

template <class T>
std::string raw(const std::vector<T>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string safetensors(const std::string& tensors_json, const std::string& data) {
    std::string header = "{" + tensors_json + "}";
    header.resize((header.size() + 7) / 8 * 8, ' ');
    std::string bytes;
    put(bytes, header.size(), 8);
    return bytes + header + data;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    const fs::path dir = argv[1];

    // .npy: float16/32/64 matrices (C and Fortran order), int32 token ids, uint8 and bool masks.
    const std::vector<float> f32{0.1f, 0.2f, 0.7f, -1.f, 0.f, 2.5f};
    const std::vector<double> f64{0.25, 0.25, 0.5, 0.125, 0.375, 0.5};
    const std::vector<std::uint16_t> f16{0x3c00, 0x3800, 0xbc00, 0x0000, 0x4000, 0x7c00};
    const std::vector<std::int32_t> tokens{5, 0, 3};
    const std::vector<std::uint8_t> mask{1, 0, 1};
    for (const char* target : {"fuzz_npy", "fuzz_matrix_file"}) {
        save(dir / target / "f4_2x3.npy", npy("<f4", "(2, 3)", raw(f32)));
        save(dir / target / "f4_fortran.npy", npy("<f4", "(3, 2)", raw(f32), true));
        save(dir / target / "f8_2x3.npy", npy("<f8", "(2, 3)", raw(f64)));
        save(dir / target / "f2_3x2.npy", npy("<f2", "(3, 2)", raw(f16)));
        save(dir / target / "f8_1d.npy", npy("<f8", "(6,)", raw(f64)));
        save(dir / target / "i4_tokens.npy", npy("<i4", "(3,)", raw(tokens)));
        save(dir / target / "u1_mask.npy", npy("|u1", "(3,)", raw(mask)));
        save(dir / target / "b1_mask.npy", npy("|b1", "(3,)", raw(mask)));
    }

    // safetensors: F32 rows, F16 [batch, sequence, vocabulary] with metadata, BF16 and F64.
    const fs::path st = dir / "fuzz_safetensors";
    save(st / "f32.safetensors",
         safetensors("\"logits\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", raw(f32)));
    save(st / "f16.safetensors",
         safetensors("\"__metadata__\":{\"format\":\"pt\"},\"logits\":{\"dtype\":\"F16\",\"shape\":[1,2,3],"
                     "\"data_offsets\":[0,12]},\"other\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[12,24]}",
                     raw(f16) + raw(tokens)));
    save(st / "bf16.safetensors",
         safetensors("\"logits\":{\"dtype\":\"BF16\",\"shape\":[3,2],\"data_offsets\":[0,12]}", raw(f16)));
    save(st / "f64.safetensors",
         safetensors("\"logits\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]}", raw(f64)));

    // llama.cpp KL base: n_ctx 6 (rows 3..4 of each chunk scored), n_vocab 5 (odd: padded rows), 2 chunks.
    {
        const int n_ctx = 6, n_vocab = 5, n_chunk = 2;
        std::string bytes = "_logits_";
        put(bytes, n_ctx, 4);
        put(bytes, n_vocab, 4);
        put(bytes, n_chunk, 4);
        for (int t = 0; t < n_ctx * n_chunk; ++t) put(bytes, static_cast<std::uint32_t>(t % n_vocab), 4);
        for (int r = 0; r < n_chunk * (n_ctx - 1 - n_ctx / 2); ++r) {
            const float scale = r == 0 ? 0.f : 16.f / 65535.f;
            put(bytes, std::bit_cast<std::uint32_t>(scale), 4);
            put(bytes, std::bit_cast<std::uint32_t>(-17.5f), 4);
            for (int j = 0; j < n_vocab; ++j) put(bytes, r == 0 ? 0 : static_cast<std::uint16_t>(j * 16000), 2);
            put(bytes, 0, 2);
        }
        save(dir / "fuzz_llama_kl_base" / "small.kld", bytes);
    }

    // kldiv reference files: each encoding, with and without token ids, two chunks.
    const fs::path ref = dir / "fuzz_reference_file";
    fs::create_directories(ref);
    const std::vector<float> logits{1.f, 2.f, -3.f, 0.5f, 0.f, -1.f, 4.f, 4.f, -20.f, 0.25f, 1.5f, 3.f};
    const std::vector<std::int32_t> next{1, -1, 2, 0};
    for (const auto& [name, encoding] :
         {std::pair{"f32", io::reference_encoding::float32}, std::pair{"f16", io::reference_encoding::float16},
          std::pair{"q16", io::reference_encoding::q16}}) {
        for (const bool with_tokens : {true, false}) {
            io::reference_writer_options o;
            o.has_tokens = with_tokens;
            o.rows_per_chunk = 3;
            io::reference_writer w(ref / (std::string(name) + (with_tokens ? "_tokens" : "") + ".kldref"), 3, encoding,
                                   o);
            w.write_rows(logits, with_tokens ? std::span<const std::int32_t>(next) : std::span<const std::int32_t>{},
                         4);
            w.close();
        }
    }
    return 0;
}
