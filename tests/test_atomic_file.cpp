// Tests for include/kldiv/io/atomic_file.hpp: the mode of what it writes (the umask for a new
// file, the old mode for a replaced one), an empty path, and no temporary left on failure.
// (Whole-or-nothing writing and overwrite(): test_reference_file.cpp; signals:
// test_cli_output_files.cpp, which stops a running command.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "run_command.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::test::mode_of;
using kldiv::test::umask_scope;
using ::testing::HasSubstr;

TEST(AtomicFile, ANewFileHasTheModeTheUmaskGives) {
    const kldiv::test::scratch_dir dir;
    const auto write = [&](const char* name, mode_t mask) {
        const umask_scope scope(mask);
        kldiv::io::write_file_atomically(dir.path() / name, "x");
        return mode_of(dir.path() / name);
    };
    EXPECT_EQ(write("a", 077), 0600u);
    EXPECT_EQ(write("b", 022), 0644u);
    EXPECT_EQ(write("c", 002), 0664u);
    EXPECT_EQ(write("d", 0), 0666u);
}

TEST(AtomicFile, AReplacedFileKeepsItsMode) {
    const kldiv::test::scratch_dir dir;
    const fs::path path = dir.write("secret", "old");
    for (const mode_t mode : {0600u, 0640u, 0444u}) {
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
        const umask_scope scope(0);
        kldiv::io::write_file_atomically(path, "new");
        EXPECT_EQ(mode_of(path), mode);
        EXPECT_EQ(kldiv::test::read_text(path), "new");
    }
}

TEST(AtomicFile, EmptyPathAndMissingDirectoryAreRefused) {
    const kldiv::test::scratch_dir dir;
    try {
        kldiv::io::write_file_atomically("", "x");
        ADD_FAILURE() << "an empty path was accepted";
    } catch (const kldiv::error& e) {
        EXPECT_STREQ(e.what(), "write_file: the output path is empty: name a file to write");
    }
    try {
        kldiv::io::write_file_atomically(dir.path() / "missing" / "f", "x");
        ADD_FAILURE() << "a missing directory was accepted";
    } catch (const kldiv::error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot create a temporary file for '" + (dir.path() / "missing" / "f").string() +
                                        "': No such file or directory"));
    }
    EXPECT_TRUE(fs::is_empty(dir.path()));
}

// The temporary is "<path>.tmp-XXXXXX", beside the target, and gone after commit() or discard().
TEST(AtomicFile, TheTemporaryLivesBesideTheTarget) {
    const kldiv::test::scratch_dir dir;
    kldiv::io::atomic_output_file f(dir.path() / "t.bin", "test");
    const std::string temporary = f.temporary_path();
    EXPECT_EQ(temporary.substr(0, temporary.size() - 6), (dir.path() / "t.bin.tmp-").string());
    EXPECT_TRUE(fs::exists(temporary));
    f.flush();
    EXPECT_TRUE(fs::exists(temporary));
    f.discard();
    EXPECT_FALSE(fs::exists(temporary));
    EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
