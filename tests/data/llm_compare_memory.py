#!/usr/bin/python3
"""The memory bound of `kldiv llm-compare` on a stream larger than its buffer.

    /usr/bin/python3 tests/data/llm_compare_memory.py write DIR
    /usr/bin/python3 tests/data/llm_compare_memory.py measure KLDIV DIR

`write` puts two float16 .npy files of 2400 x 20000 logits (96 MB each, 192 MB together) into DIR.
`measure` runs `KLDIV llm-compare` on them with --buffer-mib 16 and prints the child's peak
resident memory in MiB (ru_maxrss) and the JSON's scored positions: "<MiB> <scored>". It runs in
its own process without NumPy, because a child's peak counts the parent's memory it was forked
from.
"""
import json
import resource
import subprocess
import sys
from pathlib import Path


def write(out):
    import numpy as np
    rng = np.random.default_rng(3)
    n, v = 2400, 20000
    for name in ("a.npy", "b.npy"):
        rows = np.lib.format.open_memmap(out / name, mode="w+", dtype=np.float16, shape=(n, v))
        for first in range(0, n, 200):
            rows[first:first + 200] = 2.0 * rng.standard_normal((200, v))
        rows.flush()
        del rows


def measure(cli, out):
    run = subprocess.run([cli, "llm-compare", str(out / "a.npy"), str(out / "b.npy"), "--buffer-mib", "16", "--json"],
                         capture_output=True, text=True, check=True)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{peak_mib:.1f} {json.loads(run.stdout)['scored']}")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(Path(sys.argv[2]))
    else:
        measure(sys.argv[2], Path(sys.argv[3]))
