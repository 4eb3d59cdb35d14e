#pragma once
// Training losses on logits with their gradients: knowledge distillation (a student's logits
// against a teacher's) and KL penalties (a policy against a reference), row by row.
//
// With temperature T, P_s = softmax(student / T) and P_t = softmax(teacher / T):
//   forward_kl:  D(P_t‖P_s)   (the usual distillation loss: the teacher is the target)
//   reverse_kl:  D(P_s‖P_t)   (mode seeking; the RL penalty D(policy‖reference))
//   js:          JS_β(P_t, P_s) = β D(P_t‖M) + (1 − β) D(P_s‖M),  M = β P_t + (1 − β) P_s
// The T² convention (Hinton et al. 2015): with scale_by_temperature_squared (the default) the loss
// is T²·D, so the gradients keep their size as T changes: ∂(T² D(P_t‖P_s))/∂student = T (P_s − P_t).
// Without it the loss is D and the gradients carry a factor 1/T.
//
// The loss values are those of measure_rows (accurate also for nearly identical rows); the
// gradients are exact expressions evaluated in double and stored in the caller's buffers, with
// respect to the *reduced* loss: for reduction::mean row i's gradient is scaled by w_i / Σ w,
// for sum by w_i, for none by 1 (each row's own loss). Masked rows get zero gradients.
// Logits of −inf are events of probability 0: their gradients are 0.

#include <cstdint>
#include <span>

#include "kldiv/batch.hpp"

namespace kldiv {

enum class divergence_kind { forward_kl, reverse_kl, js };

// "forward_kl", "reverse_kl", "js"; the alias "kl" (kldiv/names.hpp).
inline std::span<const named<divergence_kind>> names_of(divergence_kind) noexcept {
    static constexpr named<divergence_kind> table[] = {{divergence_kind::forward_kl, "forward_kl"},
                                                       {divergence_kind::reverse_kl, "reverse_kl"},
                                                       {divergence_kind::js, "js"},
                                                       {divergence_kind::forward_kl, "kl"}};
    return table;
}

struct loss_options {
    divergence_kind kind = divergence_kind::forward_kl;
    double temperature = 1.0;
    bool scale_by_temperature_squared = true;
    // As for measure_rows on logits: base is the unit of the loss (and so of the gradients), beta
    // the teacher's weight in M for js, on_zero = error throws where the teacher puts mass on a
    // student logit of −inf (forward_kl; the student's mass for reverse_kl). on_zero = smooth is
    // refused (the smoothed loss is not the one the gradients are of); normalize, sum_tolerance and
    // epsilon do not apply to logits and are not read.
    options measure{};
    reduction reduce = reduction::mean;
    row_options rows{};
};

// Writes the loss (one value per row, or one reduced value) and, where a gradient view has data,
// the gradient of the loss with respect to the student's or the teacher's logits (same shape as
// the inputs; any row stride). Throws kldiv::error on bad input, before writing anything.
void distillation_loss(matrix_view<const float> student, matrix_view<const float> teacher, std::span<double> loss,
                       matrix_view<float> grad_student, matrix_view<float> grad_teacher, const loss_options& opts = {});
void distillation_loss(matrix_view<const double> student, matrix_view<const double> teacher, std::span<double> loss,
                       matrix_view<double> grad_student, matrix_view<double> grad_teacher,
                       const loss_options& opts = {});

}  // namespace kldiv
