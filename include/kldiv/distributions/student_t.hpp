#pragma once
// StudentT(df, loc, scale): loc + scale·T with T Student's t with df degrees of freedom; support ℝ.

#include <string_view>

namespace kldiv::distributions {

struct student_t {
    static constexpr std::string_view name = "student_t";

    double df;     // ν > 0
    double loc;    // finite
    double scale;  // > 0

    // Throws kldiv::error unless the parameters are as stated above.
    student_t(double df, double loc, double scale);
};

}  // namespace kldiv::distributions
