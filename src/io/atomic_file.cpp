// Whole-or-nothing output files: a temporary beside the target, renamed onto it when complete.
#include "kldiv/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <utility>

#include "kldiv/error.hpp"
#include "kldiv/text.hpp"

namespace kldiv::io {

namespace {

// The temporaries being written, for the signal handler to remove: a fixed table of owned C
// strings, so that the handler touches nothing but atomics and unlink() (async-signal-safe).
constexpr std::size_t max_live_temporaries = 256;
std::array<std::atomic<char*>, max_live_temporaries> live_temporaries{};

// The signals that end a process by default and that a user sends to stop a command.
constexpr int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void remove_temporaries_and_reraise(int signal) {
    const int saved = errno;
    for (std::atomic<char*>& slot : live_temporaries) {
        if (char* name = slot.load()) ::unlink(name);
    }
    errno = saved;
    // SA_RESETHAND restored the default action and SA_NODEFER leaves the signal unblocked: the
    // process now ends as it would have without this handler.
    ::raise(signal);
}

// Installs the handler once, for each signal whose action is still the default (a program's own
// handler — Python's for SIGINT, say — is left alone).
void install_cleanup_handlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (const int signal : cleanup_signals) {
            struct sigaction current {};
            if (::sigaction(signal, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
            struct sigaction action {};
            action.sa_handler = remove_temporaries_and_reraise;
            sigemptyset(&action.sa_mask);
            action.sa_flags = SA_RESETHAND | SA_NODEFER;
            ::sigaction(signal, &action, nullptr);
        }
    });
}

// Registers `name` for removal on a signal: its slot, or -1 when the table is full (the file is
// then still removed on errors and destruction, only not on a signal).
int register_temporary(const std::string& name) {
    install_cleanup_handlers();
    char* copy = ::strdup(name.c_str());
    if (copy == nullptr) return -1;
    for (std::size_t i = 0; i < live_temporaries.size(); ++i) {
        char* expected = nullptr;
        if (live_temporaries[i].compare_exchange_strong(expected, copy)) return static_cast<int>(i);
    }
    std::free(copy);
    return -1;
}

void unregister_temporary(int slot) noexcept {
    if (slot >= 0) std::free(live_temporaries[static_cast<std::size_t>(slot)].exchange(nullptr));
}

// Creates "<pattern>XXXXXX" with O_EXCL and mode 0666, so that the umask applies as it does to
// any new file (mkstemp would make it 0600); the name as created, and its descriptor.
int create_temporary(std::string& name) {
    static constexpr char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static std::mutex mutex;
    static std::mt19937_64 random{std::random_device{}() ^ static_cast<std::uint64_t>(::getpid())};
    const std::size_t stem = name.size();
    for (int attempt = 0; attempt < 100; ++attempt) {
        name.resize(stem);
        {
            const std::lock_guard lock(mutex);
            for (int i = 0; i < 6; ++i) name += letters[random() % (sizeof letters - 1)];
        }
        const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

// What an output path names: a regular file or nothing yet (`file`, where a symbolic link leads:
// the file it ends at, which the temporary is renamed onto, the link staying a link), or something
// that cannot be replaced by a file (a device, a FIFO, a socket, a directory: `kind` says which).
struct output_target {
    std::filesystem::path file;
    const char* kind = nullptr;  // null for a regular or new file
    bool in_place = false;       // a character device or a FIFO: written into as it is
};

const char* kind_of(mode_t mode) {
    if (S_ISREG(mode)) return nullptr;
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

output_target resolve(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {  // follows links
        if (const char* kind = kind_of(info.st_mode))
            return {path, kind, S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode)};
        std::error_code code;
        std::filesystem::path file = std::filesystem::canonical(path, code);  // the file links lead to
        return {code ? path : file, nullptr};
    }
    // Nothing there, or a link to nothing: the file is created where the links lead (at most 40).
    std::filesystem::path file = path;
    for (int hop = 0; hop < 40; ++hop) {
        std::error_code code;
        if (!std::filesystem::is_symlink(std::filesystem::symlink_status(file, code))) break;
        const std::filesystem::path next = std::filesystem::read_symlink(file, code);
        if (code) break;
        file = next.is_absolute() ? next : file.parent_path() / next;
    }
    return {file, nullptr};
}

[[noreturn]] void refuse(const std::string& function, const std::filesystem::path& path, const char* kind) {
    throw error(function, "'" + printable(path.string()) + "' is " + kind +
                              ": an output file is written whole or not at all, through a temporary file renamed "
                              "onto it; name a regular file");
}

// Writes `content` straight into a character device or a FIFO (nothing there to replace). A FIFO
// with no reader is an error, not a wait.
void write_directly(const std::filesystem::path& path, const char* kind, std::string_view content) {
    const std::string function = "write_file";
    const auto failed = [&](const char* what) {
        throw error(function, "cannot " + std::string(what) + " '" + printable(path.string()) + "' (" + kind +
                                  "): " + std::strerror(errno));
    };
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO) {
        throw error(function, "'" + printable(path.string()) + "' is " + kind +
                                  " that no process reads: start its reader first, or name a regular file");
    }
    if (fd < 0) failed("open");
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        failed("open");
    }
    for (std::size_t done = 0; done < content.size();) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            ::close(fd);
            errno = saved;
            failed("write");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) failed("close");
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    if (!path.empty()) {
        const output_target target = resolve(path);
        if (target.in_place) {
            write_directly(path, target.kind, content);
            return;
        }
    }
    atomic_output_file file(path);
    file.append(std::as_bytes(std::span(content.data(), content.size())));
    file.commit();
}

atomic_output_file::atomic_output_file(const std::filesystem::path& path, std::string function)
    : path_(path), function_(std::move(function)) {
    if (path.empty()) throw error(function_, "the output path is empty: name a file to write");
    const output_target resolved = resolve(path);
    if (resolved.kind != nullptr) refuse(function_, path, resolved.kind);
    file_ = resolved.file;
    std::string name = file_.string() + ".tmp-";
    fd_ = create_temporary(name);
    if (fd_ < 0) fail("create a temporary file for", errno);
    temporary_ = std::move(name);
    slot_ = register_temporary(temporary_);
    // A file written over keeps its permissions (a private 0600 file stays private); a new one has
    // 0666 less the umask, as open() gave the temporary.
    struct stat target {};
    if (::stat(file_.c_str(), &target) == 0 && S_ISREG(target.st_mode) && ::fchmod(fd_, target.st_mode & 07777) != 0) {
        fail("set the permissions of a temporary file for", errno);
    }
}

atomic_output_file::~atomic_output_file() { discard(); }

atomic_output_file::atomic_output_file(atomic_output_file&& other) noexcept
    : path_(std::move(other.path_)), file_(std::move(other.file_)), function_(std::move(other.function_)),
      temporary_(std::exchange(other.temporary_, {})), fd_(std::exchange(other.fd_, -1)),
      slot_(std::exchange(other.slot_, -1)), size_(other.size_) {}

atomic_output_file& atomic_output_file::operator=(atomic_output_file&& other) noexcept {
    if (this != &other) {
        discard();
        path_ = std::move(other.path_);
        file_ = std::move(other.file_);
        function_ = std::move(other.function_);
        temporary_ = std::exchange(other.temporary_, {});
        fd_ = std::exchange(other.fd_, -1);
        slot_ = std::exchange(other.slot_, -1);
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
                                   std::to_string(offset + bytes.size()) + " of '" + path_.string() + "': only " +
                                   std::to_string(size_) + " bytes are written");
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

void atomic_output_file::flush() {
    if (fd_ < 0) throw error(function_, "'" + path_.string() + "' is no longer open for writing");
    if (::fsync(fd_) != 0) fail("flush", errno);
}

void atomic_output_file::commit() {
    flush();
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) fail("close", errno);
    if (::rename(temporary_.c_str(), file_.c_str()) != 0) fail("rename a temporary file onto", errno);
    unregister_temporary(std::exchange(slot_, -1));
    temporary_.clear();
}

void atomic_output_file::discard() noexcept {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    unregister_temporary(std::exchange(slot_, -1));
    if (!temporary_.empty()) ::unlink(std::exchange(temporary_, {}).c_str());
}

}  // namespace kldiv::io
