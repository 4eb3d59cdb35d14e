#!/usr/bin/python3
"""Runs the examples of README.md and docs/: every `$ kldiv …` command whose input files exist, its
output compared with the lines shown under it (if any; a line "..." stands for any lines), every
Python session (`>>>`) of those documents (one session per document) and of the kldiv package's
docstrings as doctests. Commands and sessions run in a scratch directory holding links to the
repository's examples/ and tests/, so that the files they write (rows.csv, report.html) land in the
scratch directory. Prints what it ran and skipped, and exits 1 if an example fails.

    tests/data/docs_examples.py KLDIV_COMMAND [REPOSITORY_ROOT]   (PYTHONPATH must reach kldiv)
"""
import doctest
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Options whose value is a file the command writes, not one it reads.
OUTPUTS = {"--html", "--per-row", "--save-profile"}
INPUT_FILE = re.compile(r"\.(csv|tsv|npy|kld|kref|safetensors|txt)$")


def blocks(text):
    """The code blocks of a Markdown text: runs of lines indented by 4 spaces (blank lines inside
    kept), and fenced blocks, each as a list of lines without the indentation."""
    lines, found, i = text.split("\n"), [], 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            found.append(lines[i + 1:j])
            i = j + 1
        elif lines[i].startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            j = i
            # Indented lines, and blank lines followed by one.
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip() and j + 1 < len(lines)
                                      and lines[j + 1].startswith("    ")):
                j += 1
            found.append([line[4:] for line in lines[i:j]])
            i = j
        else:
            i += 1
    return found


def commands(block):
    """(command line, expected output lines) for each `$ kldiv` line of a block."""
    out = []
    for line in block:
        if line.startswith("$ "):
            out.append([line[2:], []])
        elif line.startswith(">>> "):  # a Python session follows: the output shown has ended
            break
        elif out:
            out[-1][1].append(line)
    return [(c, expected) for c, expected in out if c.startswith("kldiv ")]


def matches(expected, got):
    """Whether the output lines equal the expected ones, "..." matching any run of lines."""
    expected = [e.rstrip() for e in expected]
    while expected and not expected[-1]:
        expected.pop()
    got = [g.rstrip() for g in got]
    while got and not got[-1]:
        got.pop()
    pattern = "".join(r"(?:[^\n]*\n)*?" if e == "..." else re.escape(e) + "\n" for e in expected)
    return re.fullmatch(pattern, "".join(g + "\n" for g in got)) is not None


def run_commands(kldiv, root, path, scratch):
    ran, skipped, failed = 0, 0, []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for block in blocks(text):
        for command, expected in commands(block):
            args = shlex.split(command)[1:]
            reads = [a for i, a in enumerate(args) if INPUT_FILE.search(a) and (i == 0 or args[i - 1] not in OUTPUTS)]
            if not all(os.path.exists(os.path.join(root, a)) for a in reads):
                skipped += 1
                continue
            r = subprocess.run([kldiv, *args], cwd=scratch, capture_output=True, text=True)
            ran += 1
            if r.returncode != 0:
                failed.append(f"{path}: $ {command}\n  exit {r.returncode}: {r.stderr.strip()}")
            elif expected and not matches(expected, r.stdout.split("\n")):
                failed.append(f"{path}: $ {command}\n  printed:\n{r.stdout}\n  the document shows:\n" +
                              "\n".join(expected))
    return ran, skipped, failed


def run_python(root, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sessions = ["\n".join(b) for b in blocks(text) if any(line.startswith(">>> ") for line in b)]
    parser, failed, ran = doctest.DocTestParser(), [], 0
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {}
    for n, session in enumerate(sessions):
        test = parser.get_doctest(session, globs, f"{os.path.basename(path)} session {n + 1}", path, 0)
        result = runner.run(test, out=lambda s: failed.append(s), clear_globs=False)
        globs.update(test.globs)  # one session through the document, as a reader types it
        ran += result.attempted
    return ran, failed


def main():
    kldiv = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", ".."))
    documents = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "**", "*.md"),
                                                                     recursive=True))
    failures, ran, skipped = [], 0, 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("examples", "tests"):
            os.symlink(os.path.join(root, name), os.path.join(scratch, name))
        os.mkdir(os.path.join(scratch, "out"))
        examples = 0
        for path in documents:
            r, s, f = run_commands(kldiv, root, path, scratch)
            ran, skipped, failures = ran + r, skipped + s, failures + f
            here = os.getcwd()
            os.chdir(scratch)
            try:
                e, f = run_python(root, path)
            finally:
                os.chdir(here)
            examples, failures = examples + e, failures + f
    import kldiv  # noqa: E402 (PYTHONPATH is the caller's)
    for name in sorted(m for m in sys.modules if m == "kldiv" or m.startswith("kldiv.") and m != "kldiv._kldiv"):
        result = doctest.testmod(sys.modules[name], optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                 report=False)
        examples += result.attempted
        if result.failed:
            failures.append(f"{name}: {result.failed} of its docstrings' examples failed (printed above)")
    if ran == 0:
        failures.append("no command of the documents ran: the examples are not being checked")
    for failure in failures:
        print(failure)
    print(f"{ran} commands run, {skipped} skipped (their input files are not in the repository), "
          f"{examples} Python examples run; {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
