// Tests of the files the commands write (llm-reference's OUTPUT, --html, --per-row): the umask
// decides a new file's mode and a replaced file keeps its own; SIGTERM and SIGINT leave no
// temporary behind; a non-UTF-8 file name or label still gives valid JSON and HTML (bytes that are
// not UTF-8 become U+FFFD) and exit code 0; an output that is an input (by device and inode,
// whatever the name), an empty path or a directory is refused, links are followed and devices
// written into (never replaced), and nothing is written when the exit code is not 0.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using kldiv::test::command_result;
using kldiv::test::mode_of;
using kldiv::test::umask_scope;
using nlohmann::json;
using testing::HasSubstr;
using testing::Not;

command_result kldiv_cli(const std::vector<std::string>& args) {
    return kldiv::test::run_command(KLDIV_CLI_PATH, args);
}

const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

// The names in `dir` that hold ".tmp-": temporaries left behind.
std::vector<std::string> temporaries(const fs::path& dir) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(entry.path().string());
    }
    return found;
}

class CliOutputFiles : public testing::Test {
public:
    static void SetUpTestSuite() {
        dir_ = new kldiv::test::scratch_dir;
        const command_result made = kldiv::test::run_command(
            "/usr/bin/python3", {std::string(KLDIV_TEST_DATA) + "/llm_reference_inputs.py", dir_->path().string()});
        ASSERT_EQ(made.exit_code, 0) << made.err;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string file(const std::string& name) { return (dir_->path() / name).string(); }

protected:
    inline static kldiv::test::scratch_dir* dir_ = nullptr;
};

TEST_F(CliOutputFiles, NewFilesFollowTheUmaskAndReplacedFilesKeepTheirMode) {
    const fs::path out = file("mode.kref"), html = file("mode.html");
    {
        const umask_scope mask(077);
        ASSERT_EQ(kldiv_cli({"llm-reference", file("good.npy"), out, "--quiet"}).exit_code, 0);
        EXPECT_EQ(mode_of(out), 0600u);
        ASSERT_EQ(kldiv_cli({"llm-compare", file("good.npy"), file("good.npy"), "--quiet", "--html", html}).exit_code,
                  0);
        EXPECT_EQ(mode_of(html), 0600u);
    }
    fs::remove(out);
    fs::remove(html);
    {
        const umask_scope mask(002);
        ASSERT_EQ(kldiv_cli({"llm-reference", file("good.npy"), out, "--quiet"}).exit_code, 0);
        EXPECT_EQ(mode_of(out), 0664u);
        // A private file written over stays private, whatever the umask.
        ASSERT_EQ(::chmod(out.c_str(), 0600), 0);
        ASSERT_EQ(kldiv_cli({"llm-reference", file("good.npy"), out, "--quiet", "--encoding", "float32"}).exit_code, 0);
        EXPECT_EQ(mode_of(out), 0600u);
        EXPECT_EQ(kldiv::test::read_text(out).substr(0, 8), "KLDIVREF");
    }
}

// A .npy of float32 zeros (uniform rows) large enough that llm-reference takes seconds: a sparse
// file, so it costs no disk.
fs::path slow_input() {
    const fs::path big = CliOutputFiles::file("big.npy");
    if (fs::exists(big)) return big;
    const command_result made = kldiv::test::run_command(
        "/usr/bin/python3", {"-c",
                             "import numpy as np, sys; np.lib.format.open_memmap(sys.argv[1], mode='w+', "
                             "dtype=np.float32, shape=(2000000, 1000)).flush()",
                             big.string()});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return big;
}

// Starts llm-reference, waits until its temporary exists, sends `signal`, and checks that the
// process ended by that signal and left neither the temporary nor OUTPUT.
void expect_signal_leaves_nothing(int signal) {
    const fs::path input = slow_input(), out = CliOutputFiles::file("signalled.kref");
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl(KLDIV_CLI_PATH, KLDIV_CLI_PATH, "llm-reference", input.c_str(), out.c_str(), "--quiet", "--buffer-mib",
                "4", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ASSERT_GT(pid, 0);
    bool started = false;
    for (int i = 0; i < 3000 && !started; ++i) {
        started = !temporaries(out.parent_path()).empty();
        if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(started) << "no temporary appeared";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // well inside a run of seconds
    ::kill(pid, signal);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status << " (the run finished before the signal?)";
    EXPECT_EQ(WTERMSIG(status), signal);
    EXPECT_THAT(temporaries(out.parent_path()), testing::IsEmpty());
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliOutputFiles, SigtermLeavesNoTemporary) { expect_signal_leaves_nothing(SIGTERM); }

TEST_F(CliOutputFiles, SigintLeavesNoTemporary) { expect_signal_leaves_nothing(SIGINT); }

// File names and labels are bytes: JSON and HTML show what is not UTF-8 as U+FFFD, and the
// command succeeds (it used to fail after writing OUTPUT).
TEST_F(CliOutputFiles, NonUtf8NamesGiveValidJsonAndHtml) {
    const std::string input = file("in\xff.npy"), out = file("out\xfe.kref");
    fs::copy_file(file("good.npy"), input, fs::copy_options::overwrite_existing);
    const command_result made = kldiv_cli({"llm-reference", input, out, "--json"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const json j = json::parse(made.out);
    EXPECT_EQ(j.at("output").get<std::string>(), file("out" + replacement + ".kref"));
    EXPECT_EQ(j.at("input").at("files")[0].get<std::string>(), file("in" + replacement + ".npy"));
    EXPECT_TRUE(fs::exists(out));

    const std::string html = file("names.html");
    const command_result compared = kldiv_cli({"llm-compare", input, input, "--json", "--quiet", "--html", html});
    ASSERT_EQ(compared.exit_code, 0) << compared.err;
    EXPECT_EQ(json::parse(compared.out).at("reference").at("input").get<std::string>(),
              file("in" + replacement + ".npy"));
    const std::string page = kldiv::test::read_text(html);
    EXPECT_THAT(page, HasSubstr("in" + replacement + ".npy"));
    EXPECT_THAT(page, Not(HasSubstr("\xff")));

    // A label that is not UTF-8, in explain's JSON and HTML.
    const std::string p = dir_->write("labels-p.csv", "a\xff,0.25\nb\x1b[31m,0.75\n").string();
    const std::string q = dir_->write("labels-q.csv", "a\xff,0.5\nb\x1b[31m,0.5\n").string();
    const std::string report = file("labels.html");
    const command_result explained = kldiv_cli({"explain", p, q, "--json", "--html", report});
    ASSERT_EQ(explained.exit_code, 0) << explained.err;
    EXPECT_THAT(explained.out, HasSubstr("a" + replacement));
    EXPECT_TRUE(json::accept(explained.out));
    EXPECT_THAT(kldiv::test::read_text(report), HasSubstr("a" + replacement));
}

// An output that is one of the inputs is refused before anything is read or written, by inode:
// another name of the same file (./x, a hard link) is the same file.
TEST_F(CliOutputFiles, AnOutputThatIsAnInputIsRefused) {
    const std::string good = file("good.npy"), before = kldiv::test::read_text(good);
    const std::string link = file("good-link.npy");
    fs::remove(link);
    fs::create_hard_link(good, link);
    const auto refused = [&](const std::vector<std::string>& args, const std::string& words) {
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 1) << words;
        EXPECT_EQ(r.out, "") << words;
        EXPECT_THAT(r.err, HasSubstr(words));
        EXPECT_EQ(kldiv::test::read_text(good), before) << words;
        EXPECT_THAT(temporaries(dir_->path()), testing::IsEmpty());
    };
    refused({"llm-compare", good, good, "--html", good},
            "kldiv llm-compare: --html " + good + " is the same file as REFERENCE " + good + ": write to another path");
    refused({"llm-compare", good, file("nan.npy"), "--html", link},
            "--html " + link + " is the same file as REFERENCE " + good);
    refused({"llm-compare", file("nan.npy"), good, "--tokens", file("tokens-large.npy"), "--html",
             file("./tokens-large.npy")},
            "--html " + file("./tokens-large.npy") + " is the same file as --tokens");
    refused({"llm-reference", good, file("./good.npy")},
            "OUTPUT " + file("./good.npy") + " is the same file as INPUT " + good);
    refused({"llm-reference", good, file("tokens-large.npy"), "--tokens", file("tokens-large.npy")},
            "is the same file as --tokens");
    refused({"compare", good, good, "--per-row", link},
            "compare: --per-row " + link + " is the same file as P " + good);
    const std::string p = dir_->write("p.csv", "0.25\n0.75\n").string(),
                      q = dir_->write("q.csv", "0.5\n0.5\n").string();
    refused({"explain", p, q, "--html", q}, "explain: --html " + q + " is the same file as Q " + q);
    EXPECT_EQ(kldiv::test::read_text(q), "0.5\n0.5\n");
}

// An empty output path is a usage error naming the option (it used to write nothing, silently).
TEST_F(CliOutputFiles, AnEmptyOutputPathIsRefused) {
    const std::string p = dir_->write("p.csv", "0.25\n0.75\n").string(),
                      q = dir_->write("q.csv", "0.5\n0.5\n").string();
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"compare", p, q, "--per-row", ""},
                                               {"explain", p, q, "--html", ""},
                                               {"llm-compare", file("good.npy"), file("good.npy"), "--html", ""},
                                               {"llm-reference", file("good.npy"), ""}}) {
        const command_result r = kldiv_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args[0];
        EXPECT_THAT(r.err, HasSubstr("the path is empty: name a file to write")) << args[0];
        EXPECT_EQ(r.out, "") << args[0];
    }
}

// As root, --per-row /dev/null replaced the device with a regular file, and a symbolic link or a
// FIFO likewise. Links are followed, a character device is written into, a directory is a usage
// error before any work.
TEST_F(CliOutputFiles, LinksDevicesAndDirectoriesAreNotReplaced) {
    const std::string p = dir_->write("p.csv", "0.25\n0.75\n").string(),
                      q = dir_->write("q.csv", "0.5\n0.5\n").string();
    const fs::path target = dir_->write("target.html", "old"), link = dir_->path() / "link.html";
    fs::create_symlink(target, link);
    ASSERT_EQ(kldiv_cli({"explain", p, q, "--html", link.string()}).exit_code, 0);
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_THAT(kldiv::test::read_text(target), HasSubstr("<html"));
    const command_result directory = kldiv_cli({"explain", p, q, "--html", dir_->path().string()});
    EXPECT_EQ(directory.exit_code, 2);
    EXPECT_THAT(directory.err, HasSubstr("--html: " + dir_->path().string() + " is a directory: name a file to write"));
    EXPECT_EQ(directory.out, "");
    // A node of the null device made here (needs root), not /dev/null itself.
    const fs::path null = dir_->path() / "null";
    if (::mknod(null.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) GTEST_SKIP() << "mknod: " << std::strerror(errno);
    EXPECT_EQ(kldiv_cli({"explain", p, q, "--html", null.string()}).exit_code, 0);
    const command_result reference = kldiv_cli({"llm-reference", file("good.npy"), null.string()});
    EXPECT_EQ(reference.exit_code, 1);
    EXPECT_THAT(reference.err, HasSubstr("' is a character device: an output file is written whole or not at all"));
    EXPECT_TRUE(fs::is_character_file(null));
    fs::remove(null);
}

// --verify reads the finished file before it replaces OUTPUT; nothing is written when the exit
// code is not 0, and an older OUTPUT is left as it was.
TEST_F(CliOutputFiles, NoOutputWhenTheExitCodeIsNotZero) {
    const std::string out = file("kept.kref");
    dir_->write("kept.kref", "an older file");
    const command_result r = kldiv_cli({"llm-reference", file("nan.npy"), out, "--verify", "--json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(kldiv::test::read_text(out), "an older file");
    const std::string html = file("never.html");
    EXPECT_EQ(kldiv_cli({"llm-compare", file("good.npy"), file("nan.npy"), "--html", html}).exit_code, 1);
    EXPECT_FALSE(fs::exists(html));
    EXPECT_THAT(temporaries(dir_->path()), testing::IsEmpty());
}

}  // namespace
