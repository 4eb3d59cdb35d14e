#pragma once
// A model's next-token rows held in memory — an array the caller owns (a NumPy array, a PyTorch
// tensor, a memory map) — as a row_source for compare_models, beside the files open_rows reads.
// Elements are float16, bfloat16, float32 or float64 (widened or narrowed to float as the .npy
// reader does), rows any stride apart (>= the vocabulary). The memory is read, never copied whole,
// and must stay valid and unchanged while the source is read.
//
//   const io::model_rows reference = io::memory_model(matrix_view<const float>(logits, positions, vocab),
//                                                     "reference array");

#include <memory>
#include <string>

#include "kldiv/io/row_source.hpp"
#include "kldiv/views.hpp"

namespace kldiv::io {

// Each call of the result opens a stream of `rows`; `name` stands for the file in messages and
// in the comparison's per-file statistics. Throws kldiv::error unless the vocabulary is within
// [row_source_min_vocab, row_source_max_vocab] and the row stride >= the vocabulary.
model_rows memory_model(matrix_view<const float> rows, const std::string& name);
model_rows memory_model(matrix_view<const double> rows, const std::string& name);
model_rows memory_model(matrix_view<const float16> rows, const std::string& name);
model_rows memory_model(matrix_view<const bfloat16> rows, const std::string& name);

}  // namespace kldiv::io
