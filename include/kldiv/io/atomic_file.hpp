#pragma once
// Output files appear whole or not at all.

#include <filesystem>
#include <string_view>

namespace kldiv::io {

// Writes `content` to a temporary file beside `path`, flushes it, and renames it over `path`.
// On any failure the target is left as it was, the temporary is removed, and kldiv::error names
// the path and the operating system's reason.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace kldiv::io
