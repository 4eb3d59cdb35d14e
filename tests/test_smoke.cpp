#include <kldiv/kldiv.hpp>
#include <gtest/gtest.h>
#include <vector>
#include <cmath>
TEST(Smoke, Basic) {
  std::vector<double> p{0.2, 0.8}, q{0.5, 0.5};
  double d = kldiv::kl_divergence(std::span<const double>(p), std::span<const double>(q));
  EXPECT_NEAR(d, 0.2*std::log(0.4)+0.8*std::log(1.6), 1e-15);
  printf("%.17g %.17g %.17g %.17g\n", d, kldiv::entropy(std::span<const double>(p)), kldiv::js_divergence(std::span<const double>(p), std::span<const double>(q)), kldiv::cross_entropy(std::span<const double>(p), std::span<const double>(q)));
}
