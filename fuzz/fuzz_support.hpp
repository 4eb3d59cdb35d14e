#pragma once
// What the fuzz targets share: the input as a file for the readers that take a path, and the rule
// that the only acceptable failure is kldiv::error (anything else escapes to libFuzzer, which
// reports it as a crash, as it does every sanitizer finding, leak, timeout and oversized malloc).

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <vector>

#include "kldiv/error.hpp"
#include "kldiv/io/row_source.hpp"

namespace kldiv::fuzz {

// The bytes as a string_view.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// One file per process (libFuzzer runs one input at a time), rewritten for every input, under
// /dev/shm when there is one (no disk traffic) and removed at exit. `name` ends in the extension the
// reader is to see (the distribution reader dispatches on ".npy").
class input_file {
public:
    explicit input_file(const std::string& name) {
        std::error_code ec;
        const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm", ec)
                                              ? std::filesystem::path("/dev/shm")
                                              : std::filesystem::temp_directory_path();
        path_ = dir / ("kldiv-fuzz-" + std::to_string(::getpid()) + "-" + name);
    }
    ~input_file() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;

    const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        out.close();
        if (!out) {
            std::perror(path_.c_str());
            std::abort();
        }
        return path_;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Runs f; a kldiv::error is the documented refusal of bad input and is accepted, so is an empty
// message never (every error must say what was wrong).
template <class F>
void refusals_allowed(F&& f) {
    try {
        f();
    } catch (const kldiv::error& e) {
        if (std::string_view(e.what()).empty()) std::abort();
    }
}

// Opens `path` as the LLM row stream (open_rows: .npy, llama.cpp base or kldiv reference file) and
// reads every row, one at a time, then seeks back to the last; refusals allowed.
inline void read_every_row(const std::filesystem::path& path) {
    refusals_allowed([&] {
        const auto rows = io::open_rows({path}, "P");
        if (rows->rows() == 0) return;
        std::vector<float> out(rows->vocabulary()), floors(1);
        std::vector<std::int32_t> tokens(1);
        std::uint64_t n = 0;
        while (const std::size_t got = rows->read(out, tokens, floors, 1)) n += got;
        if (n != rows->rows()) std::abort();
        rows->seek(n - 1);
        if (rows->read(out, tokens, floors, 1) != 1) std::abort();
    });
}

}  // namespace kldiv::fuzz
