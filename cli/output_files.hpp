#pragma once
// The files the commands write (OUTPUT, --html, --per-row): a path that is not empty, and never one
// of the command's inputs. The writing itself is kldiv::io's: whole or not at all.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace kldiv::cli {

// CLI11's check for an output path: refuses an empty one (`--per-row ''`), which would write
// nothing, and a directory, before any work is done. (Links are followed, and devices and FIFOs
// written into, by kldiv::io's writer.)
extern const CLI::Validator output_path;

// An input of the command, named as the user wrote its argument ("P", "REFERENCE", "--tokens").
struct named_input {
    std::string argument;
    std::filesystem::path path;
};

// Throws kldiv::error(command, …) when `output` (given as `option`) is the same file as an input:
// the same device and inode, whatever the names (a link, ./x and x). An empty `output` is no output.
void refuse_overwriting_inputs(const std::string& command, const std::string& option, const std::string& output,
                               const std::vector<named_input>& inputs);

}  // namespace kldiv::cli
