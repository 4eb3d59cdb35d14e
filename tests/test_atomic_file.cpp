// Tests for include/kldiv/io/atomic_file.hpp: the mode of what it writes (the umask for a new
// file, the old mode for a replaced one), an empty path, no temporary left on failure, and paths
// that are links, FIFOs, devices or directories.
// (Whole-or-nothing writing and overwrite(): test_reference_file.cpp; signals:
// test_cli_output_files.cpp, which stops a running command.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <thread>

#include "kldiv/error.hpp"
#include "kldiv/io/atomic_file.hpp"
#include "tests/run_command.hpp"

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
        EXPECT_THAT(e.what(), HasSubstr("cannot create a temporary file for '" +
                                        (dir.path() / "missing" / "f").string() + "': No such file or directory"));
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

// As root, --per-row /dev/null replaced the device with a regular file (and a FIFO, a symbolic
// link likewise): the temporary was renamed over whatever the path named.
TEST(AtomicFile, ASymbolicLinkIsFollowedAndStaysALink) {
    const kldiv::test::scratch_dir dir;
    const fs::path target = dir.write("target.csv", "old"), link = dir.path() / "link.csv";
    fs::create_symlink("target.csv", link);
    kldiv::io::write_file_atomically(link, "new");
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_EQ(kldiv::test::read_text(target), "new");
    // A link to nothing: the file is created where it leads.
    const fs::path dangling = dir.path() / "dangling";
    fs::create_symlink("made.csv", dangling);
    kldiv::io::atomic_output_file f(dangling, "test");
    f.append(std::as_bytes(std::span("abc", 3)));
    f.commit();
    EXPECT_TRUE(fs::is_symlink(dangling));
    EXPECT_EQ(kldiv::test::read_text(dir.path() / "made.csv"), "abc");
}

TEST(AtomicFile, AFifoIsWrittenIntoNotReplaced) {
    const kldiv::test::scratch_dir dir;
    const fs::path fifo = dir.path() / "fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // No reader: an error at once, not a wait.
    try {
        kldiv::io::write_file_atomically(fifo, "x");
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(std::string(e.what()), "write_file: '" + fifo.string() +
                                             "' is a FIFO that no process reads: start its reader first, or name a "
                                             "regular file");
    }
    // With a reader, the bytes go through the FIFO.
    std::string received;
    std::thread reader([&] {
        std::ifstream in(fifo);
        received.assign(std::istreambuf_iterator<char>(in), {});
    });
    for (int tries = 0;; ++tries) {  // until the reader has opened its end
        try {
            kldiv::io::write_file_atomically(fifo, "through");
            break;
        } catch (const kldiv::error&) {
            ASSERT_LT(tries, 1000);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    reader.join();
    EXPECT_EQ(received, "through");
    EXPECT_TRUE(fs::is_fifo(fifo));
    // A stream written piece by piece cannot go into one.
    try {
        kldiv::io::atomic_output_file f(fifo, "reference_writer");
        ADD_FAILURE() << "no error";
    } catch (const kldiv::error& e) {
        EXPECT_EQ(std::string(e.what()), "reference_writer: '" + fifo.string() +
                                             "' is a FIFO: an output file is written whole or not at all, through a "
                                             "temporary file renamed onto it; name a regular file");
    }
    EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(AtomicFile, ACharacterDeviceIsWrittenIntoNotReplaced) {
    // A node of the null device made here (needs root), not /dev/null itself.
    const kldiv::test::scratch_dir dir;
    const fs::path null = dir.path() / "null";
    if (::mknod(null.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) GTEST_SKIP() << "mknod: " << std::strerror(errno);
    kldiv::io::write_file_atomically(null, "discarded");
    EXPECT_TRUE(fs::is_character_file(null));
    EXPECT_THROW(kldiv::io::atomic_output_file(null, "test"), kldiv::error);
    EXPECT_TRUE(fs::is_character_file(null));
}

TEST(AtomicFile, ADirectoryIsRefusedAndLeftAlone) {
    const kldiv::test::scratch_dir dir;
    const fs::path sub = dir.path() / "sub";
    fs::create_directory(sub);
    for (int streaming = 0; streaming < 2; ++streaming) {
        try {
            if (streaming) {
                kldiv::io::atomic_output_file f(sub, "test");
            } else {
                kldiv::io::write_file_atomically(sub, "x");
            }
            ADD_FAILURE() << "no error";
        } catch (const kldiv::error& e) {
            EXPECT_THAT(e.what(), HasSubstr("'" + sub.string() + "' is a directory: "));
        }
    }
    EXPECT_TRUE(fs::is_directory(sub));
    EXPECT_TRUE(fs::is_empty(sub));
}

}  // namespace
