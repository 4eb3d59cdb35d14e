#include "src/io/input_file.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "kldiv/error.hpp"

namespace kldiv::io::detail {

namespace fs = std::filesystem;

input_file open_input_file(const fs::path& path, const char* function, std::uint64_t max_bytes) {
    input_file file;
    file.name = path.string();
    if (path.empty()) throw error(function, "the file name is empty");

    std::error_code status_error;
    const fs::file_status status = fs::status(path, status_error);
    if (fs::is_directory(status)) throw error(function, file.name + ": cannot read it: it is a directory, not a file");

    errno = 0;
    auto stream = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!stream->is_open()) {
        const int reason = errno != 0 ? errno : (status_error ? status_error.value() : 0);
        throw error(function,
                    file.name + ": cannot open it: " +
                        (reason != 0 ? std::generic_category().message(reason) : std::string("unknown reason")));
    }

    if (fs::is_regular_file(status)) {
        std::error_code size_error;
        const std::uintmax_t size = fs::file_size(path, size_error);
        if (size_error) throw error(function, file.name + ": cannot read its size: " + size_error.message());
        file.size = size;
        file.stream = std::move(stream);
    } else {
        // Not seekable and of unknown size: the bytes that really arrive, up to max_bytes.
        std::string all;
        char block[1 << 16];
        while (stream->read(block, sizeof block) || stream->gcount() > 0) {
            all.append(block, static_cast<std::size_t>(stream->gcount()));
            if (all.size() > max_bytes) {
                throw error(function, file.name + ": not a regular file, and longer than " + std::to_string(max_bytes) +
                                          " bytes, the most kldiv reads from a pipe or device; save it to a file");
            }
        }
        if (stream->bad()) throw error(function, file.name + ": cannot read it: read error");
        file.size = all.size();
        file.stream = std::make_unique<std::istringstream>(std::move(all), std::ios::in | std::ios::binary);
    }
    return file;
}

void read_exact(input_file& file, char* buffer, std::uint64_t count, const char* function, const char* what) {
    const std::streamoff offset = file.stream->tellg();
    file.stream->read(buffer, static_cast<std::streamsize>(count));
    const auto got = static_cast<std::uint64_t>(file.stream->gcount());
    if (got != count) {
        throw error(function, file.name + ": " + what + " at byte offset " +
                                  std::to_string(offset + static_cast<std::streamoff>(got)) +
                                  ": the file ended (or could not be read) " + std::to_string(count - got) +
                                  " bytes early");
    }
}

}  // namespace kldiv::io::detail
