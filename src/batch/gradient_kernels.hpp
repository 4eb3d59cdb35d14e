#pragma once
// The gradient of a row's distillation loss (include/kldiv/losses.hpp) with respect to the
// student's and the teacher's logits: an elementwise SIMD kernel (Highway, dispatched at run
// time, its scalar twin beside it) given the row's log-normalizers and loss value.

#include <cstddef>

#include "kldiv/losses.hpp"

namespace kldiv::detail {

struct gradient_row {
    std::size_t cols = 0;
    double inv_temperature = 1.0;
    double log_norm_student = 0.0;  // ln Σ exp(student / T)
    double log_norm_teacher = 0.0;  // ln Σ exp(teacher / T)
    divergence_kind kind = divergence_kind::forward_kl;
    double beta = 0.5;
    double value = 0.0;  // forward_kl: D(P_t‖P_s); reverse_kl: D(P_s‖P_t) (nats); unused for js
    double scale = 1.0;  // multiplies both gradients
};

// Writes the gradients into grad_student and grad_teacher (either may be null).
template <class T>
void row_gradients(const T* student, const T* teacher, const gradient_row& row, T* grad_student,
                   T* grad_teacher) noexcept;

// The scalar twin of row_gradients (gradient_reference.cpp), which the tests hold every SIMD target
// against.
template <class T>
void reference_row_gradients(const T* student, const T* teacher, const gradient_row& row, T* grad_student,
                             T* grad_teacher) noexcept;

}  // namespace kldiv::detail
