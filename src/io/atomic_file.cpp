// Whole-or-nothing output files: a temporary beside the target, renamed onto it when complete.
#include "kldiv/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "kldiv/error.hpp"

namespace kldiv::io {

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    atomic_output_file file(path);
    file.append(std::as_bytes(std::span(content.data(), content.size())));
    file.commit();
}

atomic_output_file::atomic_output_file(const std::filesystem::path& path, std::string function)
    : path_(path), function_(std::move(function)) {
    std::filesystem::path pattern = path;
    pattern += ".tmp-XXXXXX";
    temporary_ = pattern.string();
    fd_ = ::mkstemp(temporary_.data());
    if (fd_ < 0) {
        const int code = errno;
        temporary_.clear();
        fail("create a temporary file for", code);
    }
}

atomic_output_file::~atomic_output_file() { discard(); }

atomic_output_file::atomic_output_file(atomic_output_file&& other) noexcept
    : path_(std::move(other.path_)),
      function_(std::move(other.function_)),
      temporary_(std::exchange(other.temporary_, {})),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_) {}

atomic_output_file& atomic_output_file::operator=(atomic_output_file&& other) noexcept {
    if (this != &other) {
        discard();
        path_ = std::move(other.path_);
        function_ = std::move(other.function_);
        temporary_ = std::exchange(other.temporary_, {});
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
    }
    return *this;
}

void atomic_output_file::fail(const char* what, int code) {
    discard();
    throw error(function_, "cannot " + std::string(what) + " '" + path_.string() + "': " + std::strerror(code));
}

void atomic_output_file::overwrite(std::uint64_t offset, std::span<const std::byte> bytes) {
    if (fd_ < 0) throw error(function_, "'" + path_.string() + "' is no longer open for writing");
    if (offset > size_ || bytes.size() > size_ - offset) {
        throw error(function_, "cannot overwrite bytes " + std::to_string(offset) + ".." +
                                   std::to_string(offset + bytes.size()) + " of '" + path_.string() +
                                   "': only " + std::to_string(size_) + " bytes are written");
    }
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write", errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

void atomic_output_file::append(std::span<const std::byte> bytes) {
    if (fd_ < 0) throw error(function_, "'" + path_.string() + "' is no longer open for writing");
    const std::uint64_t offset = size_;
    size_ += bytes.size();  // overwrite() checks against it
    overwrite(offset, bytes);
}

void atomic_output_file::commit() {
    if (fd_ < 0) throw error(function_, "'" + path_.string() + "' is no longer open for writing");
    if (::fchmod(fd_, 0644) != 0 || ::fsync(fd_) != 0) fail("flush", errno);
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("close", errno);
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail("rename a temporary file onto", errno);
    temporary_.clear();
}

void atomic_output_file::discard() noexcept {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    if (!temporary_.empty()) ::unlink(std::exchange(temporary_, {}).c_str());
}

}  // namespace kldiv::io
