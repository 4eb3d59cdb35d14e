// Distillation losses and their gradients: the values from measure_rows, then per row the
// log-normalizers (block kernels) and the elementwise gradient kernel, rows spread over threads.

#include "kldiv/losses.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "kldiv/error.hpp"
#include "src/batch/block_kernels.hpp"
#include "src/batch/gradient_kernels.hpp"
#include "src/batch/reduce.hpp"
#include "src/common/parallel.hpp"
#include "src/core/validate.hpp"

namespace kldiv {
namespace {

template <class T>
void check_gradient_view(const char* fn, const char* name, matrix_view<T> g, std::size_t rows, std::size_t cols) {
    if (g.data == nullptr) return;
    if (g.rows != rows || g.cols != cols || g.row_stride < cols) {
        throw error(fn, std::string(name) + " is " + std::to_string(g.rows) + "x" + std::to_string(g.cols) +
                            " with row_stride " + std::to_string(g.row_stride) + ", but must be " +
                            std::to_string(rows) + "x" + std::to_string(cols) +
                            " with row_stride >= " + std::to_string(cols));
    }
}

template <class T>
void loss_of(matrix_view<const T> student, matrix_view<const T> teacher, std::span<double> loss,
             matrix_view<T> grad_student, matrix_view<T> grad_teacher, const loss_options& o) {
    const char* fn = "distillation_loss";
    const std::size_t n = student.rows, cols = student.cols;
    check_gradient_view(fn, "grad_student", grad_student, n, cols);
    check_gradient_view(fn, "grad_teacher", grad_teacher, n, cols);
    if (o.kind == divergence_kind::js) detail::check_beta(fn, o.measure.beta);
    if (o.measure.on_zero == zero_support::smooth) {
        throw error(fn, "measure.on_zero = smooth, but a smoothed loss has no gradient here: use infinity or error");
    }
    if (o.reduce == reduction::none) {
        if (loss.size() != n) {
            throw error(fn, "loss has " + std::to_string(loss.size()) + " elements, but needs " + std::to_string(n) +
                                " (one per row)");
        }
    } else if (loss.size() != 1) {
        throw error(fn, "loss has " + std::to_string(loss.size()) + " elements, but needs 1 (a reduction)");
    }
    // Per-row values in nats (validates everything else): P = teacher, Q = student.
    std::vector<double> value(n);
    row_outputs out;
    switch (o.kind) {
        case divergence_kind::forward_kl:
            out.kl = value;
            break;
        case divergence_kind::reverse_kl:
            out.reverse_kl = value;
            break;
        case divergence_kind::js:
            out.js = value;
            break;
    }
    // Only the measure options that apply to logits; nats here (the unit and T² scale below).
    const batch_options measure{.input = input_kind::logits,
                                .temperature = o.temperature,
                                .measure = {.on_zero = o.measure.on_zero, .beta = o.measure.beta},
                                .reduce = reduction::none,
                                .rows = o.rows};
    try {
        measure_rows(teacher, student, out, measure);
    } catch (const error& x) {  // named for this function, with the roles of P and Q
        throw error(fn, "(the teacher is P, the student Q) " + x.message());
    }
    const detail::row_reduction reducer{o.rows, o.reduce, n};
    const double total = reducer.total_weight(fn);
    const double t_squared = o.scale_by_temperature_squared ? o.temperature * o.temperature : 1.0;
    const double unit = o.measure.base.from_nats(1.0);  // 1 / ln(base)
    if (grad_student.data != nullptr || grad_teacher.data != nullptr) {
        const std::size_t nb = detail::block_count(cols);
        const unsigned workers = detail::worker_count(o.rows.threads, n);
        std::vector<std::vector<detail::log_block>> blocks(2 * workers, std::vector<detail::log_block>(nb));
        detail::parallel_for(n, workers, [&](std::size_t i, unsigned w) {
            T* gs = grad_student.data ? grad_student.row(i) : nullptr;
            T* gt = grad_teacher.data ? grad_teacher.row(i) : nullptr;
            const double factor = reducer.factor(i, total);
            if (factor == 0.0) {  // masked or weightless: no gradient
                for (std::size_t j = 0; j < cols; ++j) {
                    if (gs) gs[j] = T(0);
                    if (gt) gt[j] = T(0);
                }
                return;
            }
            std::vector<detail::log_block>& bs = blocks[2 * w];
            std::vector<detail::log_block>& bt = blocks[2 * w + 1];
            bool bad = false;  // already validated
            const detail::log_segment seg{
                cols, 0, nb, 1.0 / o.temperature, detail::side::weights, detail::side::weights, false};
            detail::log_blocks(student.row(i), teacher.row(i), seg, bs.data(), bt.data(), bad);
            detail::gradient_row row;
            row.cols = cols;
            row.inv_temperature = 1.0 / o.temperature;
            row.log_norm_student = detail::fold_log_blocks(bs, false).log_normalizer;
            row.log_norm_teacher = detail::fold_log_blocks(bt, false).log_normalizer;
            row.kind = o.kind;
            row.beta = o.measure.beta;
            row.value = value[i];
            row.scale = factor * t_squared * unit / o.temperature;
            detail::row_gradients(student.row(i), teacher.row(i), row, gs, gt);
        });
    }
    if (o.reduce == reduction::none) {
        for (std::size_t i = 0; i < n; ++i) loss[i] = t_squared * unit * value[i];
    } else {
        loss[0] = t_squared * unit * reducer.apply(fn, [&](std::size_t i) { return value[i]; });
    }
}

}  // namespace

void distillation_loss(matrix_view<const float> student, matrix_view<const float> teacher, std::span<double> loss,
                       matrix_view<float> grad_student, matrix_view<float> grad_teacher, const loss_options& opts) {
    loss_of(student, teacher, loss, grad_student, grad_teacher, opts);
}
void distillation_loss(matrix_view<const double> student, matrix_view<const double> teacher, std::span<double> loss,
                       matrix_view<double> grad_student, matrix_view<double> grad_teacher, const loss_options& opts) {
    loss_of(student, teacher, loss, grad_student, grad_teacher, opts);
}

}  // namespace kldiv
