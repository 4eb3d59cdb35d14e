// Tests for include/kldiv/text.hpp: bytes from files shown in messages (printable) and written
// into JSON and HTML (valid_utf8).

#include <gtest/gtest.h>

#include <string>

#include "kldiv/text.hpp"

namespace {

using namespace std::string_literals;

TEST(Text, Utf8SequenceLengthFollowsRfc3629) {
    EXPECT_EQ(kldiv::utf8_sequence_length("a"), 1u);
    EXPECT_EQ(kldiv::utf8_sequence_length("\xC3\xA9"), 2u);          // é
    EXPECT_EQ(kldiv::utf8_sequence_length("\xE2\x80\x96"), 3u);      // ‖
    EXPECT_EQ(kldiv::utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);  // U+1F600
    EXPECT_EQ(kldiv::utf8_sequence_length(""), 0u);
    EXPECT_EQ(kldiv::utf8_sequence_length("\xFF"), 0u);
    EXPECT_EQ(kldiv::utf8_sequence_length("\x80"), 0u);              // a continuation byte alone
    EXPECT_EQ(kldiv::utf8_sequence_length("\xC0\xAF"), 0u);          // overlong '/'
    EXPECT_EQ(kldiv::utf8_sequence_length("\xE0\x80\xAF"), 0u);      // overlong
    EXPECT_EQ(kldiv::utf8_sequence_length("\xED\xA0\x80"), 0u);      // a surrogate
    EXPECT_EQ(kldiv::utf8_sequence_length("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
    EXPECT_EQ(kldiv::utf8_sequence_length("\xE2\x80"), 0u);          // cut short
}

TEST(Text, PrintableEscapesControlsAndBytesThatAreNotUtf8) {
    EXPECT_EQ(kldiv::printable("plain <f4 é‖"), "plain <f4 é‖");
    EXPECT_EQ(kldiv::printable("a\0b"s), "a\\0b");
    EXPECT_EQ(kldiv::printable("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
    EXPECT_EQ(kldiv::printable("\t\n\r\x7f"), "\\t\\n\\r\\x7f");
    EXPECT_EQ(kldiv::printable("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(kldiv::printable("\xC2\x9B"
                               "2J"),
              "\\xc2\\x9b2J");                            // U+009B, the one-character CSI
    EXPECT_EQ(kldiv::printable("\xC2\xA0"), "\xC2\xA0");  // U+00A0 is printable
}

TEST(Text, ValidUtf8ReplacesEachBadByteWithUfffd) {
    const std::string r = "\xEF\xBF\xBD";
    EXPECT_EQ(kldiv::valid_utf8("name é.npy"), "name é.npy");
    EXPECT_EQ(kldiv::valid_utf8("a\xff"
                                "b"),
              "a" + r + "b");
    EXPECT_EQ(kldiv::valid_utf8("\xED\xA0\x80"), r + r + r);
    EXPECT_EQ(kldiv::valid_utf8("\xE2\x80"
                                "x"),
              r + r + "x");
    EXPECT_EQ(kldiv::valid_utf8("\x1b\0"s), "\x1b\0"s);  // valid UTF-8 as it is: escaping is JSON's and HTML's
}

}  // namespace
