#pragma once
// Opening an input file for the readers: one place that turns the operating system's refusal into
// a kldiv::error naming the path and the reason, and that knows the file's size before any reader
// trusts a size written inside the file.

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <string>

namespace kldiv::io::detail {

struct input_file {
    std::unique_ptr<std::istream> stream;  // binary, positioned at byte 0
    std::uint64_t size = 0;                // bytes in the file
    std::string name;                      // the path as given, for messages
};

// The most bytes read from an input that is not a regular file (a pipe, a device): 256 MiB (held
// in memory, about twice that at the peak while the buffer grows).
inline constexpr std::uint64_t max_stream_bytes = std::uint64_t{1} << 28;

// Opens `path` for reading. Regular files are read in place; anything else (a pipe, a process
// substitution such as <(zcat p.csv.gz), a device) is read whole first so that its size is known,
// up to `max_bytes` (more is an error naming the file and the limit: /dev/zero never ends).
// Throws kldiv::error(function, "<path>: cannot open it: <reason>") on failure.
input_file open_input_file(const std::filesystem::path& path, const char* function,
                           std::uint64_t max_bytes = max_stream_bytes);

// Reads exactly `count` bytes; throws kldiv::error naming `what` and the byte offset if the stream
// ends early or fails.
void read_exact(input_file& file, char* buffer, std::uint64_t count, const char* function, const char* what);

}  // namespace kldiv::io::detail
