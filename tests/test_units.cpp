// Tests of include/kldiv/units.hpp.

#include <gtest/gtest.h>
#include "kldiv/error.hpp"
#include "kldiv/units.hpp"

#include <cmath>
#include <string>

namespace {

TEST(Units, NamedBases) {
    EXPECT_EQ(kldiv::log_base::nats().unit(), "nats");
    EXPECT_EQ(kldiv::log_base::bits().unit(), "bits");
    EXPECT_EQ(kldiv::log_base::dits().unit(), "dits");
    EXPECT_EQ(kldiv::log_base(3.0).unit(), "base-3 units");
    EXPECT_EQ(kldiv::log_base::parse("bits").value(), 2.0);
    EXPECT_EQ(kldiv::log_base::parse("dits").value(), 10.0);
    EXPECT_EQ(kldiv::log_base::parse("nats").unit(), "nats");
    EXPECT_EQ(kldiv::log_base::parse("2.5").value(), 2.5);
    EXPECT_EQ(kldiv::log_base::parse("2").unit(), "bits");
}

TEST(Units, Conversion) {
    EXPECT_EQ(kldiv::log_base::nats().from_nats(0.1234), 0.1234);  // exact, no division
    EXPECT_DOUBLE_EQ(kldiv::log_base::bits().from_nats(std::log(2.0)), 1.0);
    EXPECT_DOUBLE_EQ(kldiv::log_base::dits().from_nats(std::log(10.0)), 1.0);
    EXPECT_DOUBLE_EQ(kldiv::log_base(1.5).from_nats(std::log(1.5)), 1.0);
}

TEST(Units, BadBases) {
    for (const double b : {1.0, 0.5, 1e-300, 0.0, -2.0, std::nan(""), HUGE_VAL, -HUGE_VAL}) {
        EXPECT_THROW(kldiv::log_base{b}, kldiv::error) << b;
    }
    try {
        kldiv::log_base::parse("bytes");
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "log_base: base = 'bytes', but a base must be bits, nats, dits or a number > 1");
    }
    // A base below 1 made every divergence negative; the front end names its option.
    try {
        kldiv::log_base::parse("0.5", "--base");
        FAIL();
    } catch (const kldiv::error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "log_base: --base = 0.5, but a logarithm base must be finite and > 1 (a base "
                  "below 1 would make every divergence negative)");
    }
    EXPECT_THROW(kldiv::log_base::parse("nan"), kldiv::error);
    EXPECT_THROW(kldiv::log_base::parse("inf"), kldiv::error);
    EXPECT_THROW(kldiv::log_base::parse("1"), kldiv::error);
    EXPECT_THROW(kldiv::log_base::parse("2x"), kldiv::error);
}

}  // namespace
