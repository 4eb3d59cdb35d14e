#pragma once
// The model files of the llm commands, named on the command line: a name with * or ? in its last
// part stands for the matching files of its directory, in name order (the shards of one model).

#include <filesystem>
#include <string>
#include <vector>

namespace kldiv::cli {

// What a model's files may be, for the commands' help.
inline constexpr const char* model_files_help =
    ".npy logits/log-probs (positions x vocabulary), safetensors, a llama.cpp --kl-divergence-base file or a kldiv "
    "reference file; * and ? in the name select shards";

// The files `argument` names: itself, or the files its pattern matches. `role` ("REFERENCE",
// "INPUT") names the argument in the error a pattern that matches nothing gives.
std::vector<std::filesystem::path> expand(const std::string& argument, const char* role);

}  // namespace kldiv::cli
