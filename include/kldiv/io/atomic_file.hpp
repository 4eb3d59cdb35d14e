#pragma once
// Output files appear whole or not at all: the bytes go to a temporary file beside the target,
// which is flushed and renamed onto the target only when the writing is complete.
//
// Symbolic links are followed: the file a link leads to is replaced (or created, for a link to
// nothing), and the link stays a link. A path that names something no file can replace is never
// renamed over: write_file_atomically writes into a character device (/dev/null, /dev/stdout on a
// terminal) or a FIFO directly (a FIFO with no reader is an error, not a wait); every other case —
// atomic_output_file on those, a block device, a socket, a directory — is refused with an error.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace kldiv::io {

// Writes `content` to a temporary file beside `path`, flushes it, and renames it over `path`.
// On any failure the target is left as it was, the temporary is removed, and kldiv::error names
// the path and the operating system's reason.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// The same, for output written piece by piece (a stream of any size in bounded memory). The
// constructor creates the temporary "<path>.tmp-XXXXXX"; commit() flushes it and renames it onto
// `path`. Destroyed (or discarded) without commit() — an exception on the way, say — the
// temporary is removed and `path` is left as it was. Errors throw kldiv::error(function, …)
// naming the path and the operating system's reason; after one, only discard() or destruction
// is left to do. An empty path is refused. A new file gets mode 0666 less the umask, as any new
// file does; a file written over keeps its mode (a private 0600 file stays private). While a
// temporary exists, SIGINT, SIGTERM, SIGHUP and SIGQUIT (those whose action is still the default)
// remove it before the process ends as the signal's default action ends it.
class atomic_output_file {
public:
    explicit atomic_output_file(const std::filesystem::path& path, std::string function = "write_file");
    ~atomic_output_file();
    atomic_output_file(atomic_output_file&& other) noexcept;
    atomic_output_file& operator=(atomic_output_file&& other) noexcept;
    atomic_output_file(const atomic_output_file&) = delete;
    atomic_output_file& operator=(const atomic_output_file&) = delete;

    // Appends `bytes` at the end of what was written so far.
    void append(std::span<const std::byte> bytes);
    // Overwrites bytes already written, from byte `offset` (offset + size <= size()): for fields,
    // such as a count in a header, known only at the end.
    void overwrite(std::uint64_t offset, std::span<const std::byte> bytes);
    // Flushes the temporary to disk; it stays open, and readable at temporary_path().
    void flush();
    // Flushes the temporary to disk and renames it onto the target. Once only.
    void commit();
    // Closes and removes the temporary (nothing appears at the target). Safe to call at any time.
    void discard() noexcept;

    std::uint64_t size() const noexcept { return size_; }  // bytes written so far
    const std::filesystem::path& path() const noexcept { return path_; }
    // Where the bytes are until commit(): to read the output back before it replaces the target.
    const std::string& temporary_path() const noexcept { return temporary_; }

private:
    [[noreturn]] void fail(const char* what, int code);

    std::filesystem::path path_;  // as given
    std::filesystem::path file_;  // where links lead: the file renamed onto
    std::string function_;
    std::string temporary_;  // empty once committed or discarded
    int fd_ = -1;
    int slot_ = -1;  // in the table of temporaries the signal handler removes
    std::uint64_t size_ = 0;
};

}  // namespace kldiv::io
