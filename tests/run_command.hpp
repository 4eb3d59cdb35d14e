#pragma once
// Runs a program for the command-line tests: arguments are passed as given (no shell), stdout and
// stderr are captured separately, and the exit code is returned.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kldiv::test {

struct command_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline command_result run_command(const std::string& program, const std::vector<std::string>& args) {
    char out_name[] = "/tmp/kldiv-test-out-XXXXXX";
    char err_name[] = "/tmp/kldiv-test-err-XXXXXX";
    const int out_fd = ::mkstemp(out_name);
    const int err_fd = ::mkstemp(err_name);
    command_result result;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(program.c_str()));
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(program.c_str(), argv.data());
        std::_Exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::close(out_fd);
    ::close(err_fd);
    result.out = read_text(out_name);
    result.err = read_text(err_name);
    std::remove(out_name);
    std::remove(err_name);
    return result;
}

// The permission bits of `path` (0 when it cannot be read).
inline mode_t mode_of(const std::filesystem::path& path) {
    struct stat s {};
    return ::stat(path.c_str(), &s) == 0 ? (s.st_mode & 07777) : 0;
}

// Sets the process umask while it lives (commands run meanwhile inherit it).
class umask_scope {
public:
    explicit umask_scope(mode_t mask) : old_(::umask(mask)) {}
    ~umask_scope() { ::umask(old_); }
    umask_scope(const umask_scope&) = delete;
    umask_scope& operator=(const umask_scope&) = delete;

private:
    mode_t old_;
};

// One CSV line of n numbers 1, 1.000001, 1.000002, … (the one-line-file memory tests).
inline std::string one_line_of_numbers(std::size_t n) {
    std::string line;
    line.reserve(n * 9);
    for (std::size_t i = 0; i < n; ++i)
        line.append(i ? "," : "").append(std::to_string(1.0 + 1e-6 * static_cast<double>(i)));
    return line;
}

// The progress a command prints on stderr with --progress added to args (stderr is a pipe here).
// Checks that without --progress it prints nothing there, and that stdout is the same either way.
inline std::string progress_output(const std::string& program, std::vector<std::string> args) {
    const command_result silent = run_command(program, args);
    EXPECT_EQ(silent.exit_code, 0) << silent.err;
    EXPECT_EQ(silent.err, "");
    args.push_back("--progress");
    const command_result r = run_command(program, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, silent.out);
    return r.err;
}

// Under ASan a program's peak memory includes the sanitizer's shadow memory and quarantine, so the
// tests of memory bounds skip themselves there (they run in the ordinary build).
#ifdef KLDIV_SANITIZED
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif

// Ends the test here under the sanitizers, before it measures memory.
#define KLDIV_SKIP_MEMORY_BOUND_UNDER_SANITIZERS() \
    if (kldiv::test::sanitized) GTEST_SKIP() << "memory bounds are tested in the ordinary build"

// The peak resident memory of a command, in MiB, and its exit code (tests/data/peak_memory.py runs
// it; its stdout and stderr are discarded).
struct peak_memory {
    double mib = 0;
    int exit_code = -1;
};

inline peak_memory measure_peak_memory(const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> all{std::string(KLDIV_TEST_DATA) + "/peak_memory.py", program};
    all.insert(all.end(), args.begin(), args.end());
    const command_result r = run_command("/usr/bin/python3", all);
    peak_memory peak;
    std::istringstream fields(r.out);
    fields >> peak.mib >> peak.exit_code;
    if (r.exit_code != 0) peak.exit_code = -1;
    return peak;
}

// A fresh empty directory under the system temporary directory, removed by the destructor.
class scratch_dir {
public:
    scratch_dir() {
        char name[] = "/tmp/kldiv-test-XXXXXX";
        path_ = ::mkdtemp(name);
    }
    ~scratch_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path write(const std::string& name, const std::string& content) const {
        const auto file = path_ / name;
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }

private:
    std::filesystem::path path_;
};

}  // namespace kldiv::test
