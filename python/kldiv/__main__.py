"""The ``kldiv`` command, shipped inside the package: ``python -m kldiv ARGS`` and the ``kldiv``
console script that ``pip install`` puts on PATH both run it with the arguments, as if it had
been run itself (the process is replaced: standard input and output, signals and the exit code
are the command's).

The command is the CMake project's ``kldiv`` (cli/), built by setup.py beside the compiled core and
installed as ``kldiv/bin/kldiv``; a CMake build tree with the command has it there too
(``BUILD/python/kldiv/bin/kldiv``). Without it, this says so and exits with 127, as a shell does
for a command it cannot find.
"""
import os
import sys


def command():
    """The path of the ``kldiv`` command shipped with this package (it may not exist)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "kldiv")


def main(argv=None):
    """Runs the command with ``argv`` (default: this process's arguments); returns only on failure."""
    args = sys.argv[1:] if argv is None else list(argv)
    path = command()
    if not os.access(path, os.X_OK):
        sys.stderr.write(f"kldiv: the kldiv command is not installed with this Python package: {path} "
                         f"{'is not executable' if os.path.exists(path) else 'does not exist'}. "
                         "pip install the package (setup.py builds the command), or build the CMake target "
                         "kldiv_cli with KLDIV_BUILD_PYTHON on, which puts it there\n")
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name != "posix":
        import subprocess
        return subprocess.call([path, *args])
    os.execv(path, ["kldiv", *args])


if __name__ == "__main__":
    sys.exit(main())
