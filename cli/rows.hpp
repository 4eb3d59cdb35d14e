#pragma once
// kldiv compare on rows: P and Q as 2-D .npy arrays (one distribution per row, given as
// probabilities, log-probabilities or logits), measured row by row with kldiv::measure_rows (or
// kldiv::divergence_rows for --measure) and
// summarized over the rows (mean, min, quantiles, max), optionally with every row's values in a CSV.

#include <CLI/CLI.hpp>
#include <span>
#include <string>

#include "cli/inputs.hpp"
#include "kldiv/batch.hpp"

namespace kldiv::cli {

struct rows_arguments {
    input_kind input = input_kind::probs;
    double temperature = 1.0;  // logits and log_probs: p = softmax(a / temperature)
    std::string per_row;       // CSV of every row's values, when set
    unsigned threads = 0;      // 0: all cores
};

// Registers --input, --temperature, --per-row and --threads on `command` (after add_pair_arguments: it also
// describes the 2-D form in the help of P and Q).
void add_rows_arguments(CLI::App& command, rows_arguments& args);

// True when the pair is to be measured row by row: P or Q is a 2-D .npy file, or --input,
// --temperature or --per-row asks for it (1-D inputs are then one row each).
bool wants_rows(const pair_arguments& pair, const rows_arguments& rows);

// Reads both inputs, measures every row (the KL family, or the divergences in `measures` when it is not
// empty), writes --per-row, and prints the summary (JSON with `json`). Throws kldiv::error naming the
// argument, the row or the file, and the rule.
void compare_rows(const pair_arguments& pair, const rows_arguments& rows, std::span<const measure> measures, bool json);

}  // namespace kldiv::cli
