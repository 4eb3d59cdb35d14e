#include "kldiv/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "kldiv/error.hpp"

namespace kldiv::io {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int code) {
    throw error("write_file", "cannot " + std::string(what) + " '" + path.string() + "': " + std::strerror(code));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    std::filesystem::path temporary = path;
    temporary += ".tmp-XXXXXX";
    std::string pattern = temporary.string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) fail(path, "create a temporary file for", errno);
    const auto abandon = [&](const char* what) {
        const int code = errno;
        ::close(fd);
        ::unlink(pattern.c_str());
        fail(path, what, code);
    };
    for (std::size_t written = 0; written < content.size();) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            abandon("write");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) abandon("flush");
    if (::close(fd) != 0) {
        const int code = errno;
        ::unlink(pattern.c_str());
        fail(path, "close", code);
    }
    if (::rename(pattern.c_str(), path.c_str()) != 0) {
        const int code = errno;
        ::unlink(pattern.c_str());
        fail(path, "rename a temporary file onto", code);
    }
}

}  // namespace kldiv::io
