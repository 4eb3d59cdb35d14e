#!/usr/bin/python3
"""The peak resident memory of one command, for the tests of bounded memory.

    /usr/bin/python3 tests/data/peak_memory.py PROGRAM ARG...

Runs the command (its stdout and stderr discarded) and prints "<peak MiB> <exit code>": the child's
ru_maxrss. It runs in its own small process, because a child's peak counts the memory of the parent
it was forked from.
"""
import resource
import subprocess
import sys

if __name__ == "__main__":
    code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    print(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f} {code}")
