// The scalar twin of the gradient kernel (gradient_kernels-inl.h): the same formulas, event by
// event, with the C library's exp and log. Written for clarity.

#include <cmath>

#include "src/batch/gradient_kernels.hpp"

namespace kldiv::detail {

template <class T>
void reference_row_gradients(const T* student, const T* teacher, const gradient_row& row, T* grad_student,
                             T* grad_teacher) noexcept {
    const std::size_t n = row.cols;
    const auto ls = [&](std::size_t i) {
        return static_cast<double>(student[i]) * row.inv_temperature - row.log_norm_student;
    };
    const auto lt = [&](std::size_t i) {
        return static_cast<double>(teacher[i]) * row.inv_temperature - row.log_norm_teacher;
    };
    // ln M = ln(β P_t + (1 − β) P_s), for js.
    const auto lm = [&](std::size_t i) {
        return std::log(row.beta * std::exp(lt(i)) + (1.0 - row.beta) * std::exp(ls(i)));
    };
    // p·(a − b − c), 0 where p = 0.
    const auto weighted = [](double p, double a, double b, double c) { return p > 0.0 ? p * ((a - b) - c) : 0.0; };
    double d_student = row.value, d_teacher = row.value;
    if (row.kind == divergence_kind::js) {  // D(P_s‖M) and D(P_t‖M)
        d_student = d_teacher = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            d_student += weighted(std::exp(ls(i)), ls(i), lm(i), 0.0);
            d_teacher += weighted(std::exp(lt(i)), lt(i), lm(i), 0.0);
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        const double ps = std::exp(ls(i)), pt = std::exp(lt(i));
        double gs = 0.0, gt = 0.0;
        switch (row.kind) {
            case divergence_kind::forward_kl:
                gs = ps - pt;
                gt = weighted(pt, lt(i), ls(i), d_teacher);
                break;
            case divergence_kind::reverse_kl:
                gs = weighted(ps, ls(i), lt(i), d_student);
                gt = pt - ps;
                break;
            case divergence_kind::js:
                gs = (1.0 - row.beta) * weighted(ps, ls(i), lm(i), d_student);
                gt = row.beta * weighted(pt, lt(i), lm(i), d_teacher);
                break;
        }
        if (grad_student) grad_student[i] = static_cast<T>(row.scale * gs);
        if (grad_teacher) grad_teacher[i] = static_cast<T>(row.scale * gt);
    }
}

template void reference_row_gradients(const float*, const float*, const gradient_row&, float*, float*) noexcept;
template void reference_row_gradients(const double*, const double*, const gradient_row&, double*, double*) noexcept;

}  // namespace kldiv::detail
