#!/usr/bin/python3
"""Throughput of `kldiv llm-compare` at V = 128k against reading the files and against a PyTorch
script doing the same job (log-softmax, KL, top-1/top-k, the actual token's probabilities), with
equal thread counts.

    /usr/bin/python3 bench/llm_compare_throughput.py BUILD_DIR [--positions 1500] [--vocabulary 128000]
        [--threads 2] [--dir /tmp/llm-bench] [--cold] [--repeat 2] [--no-torch]

Writes a float16 reference and candidate .npy (positions × vocabulary; the candidate is the
reference plus noise, like a quantized model; past 1500 positions the rows repeat) and a token file
into --dir once, then times, one after the other: `dd` reading both files, kldiv llm-compare, and
the PyTorch script. With --cold, each is preceded by dropping the page cache (root only), so the
files come from the disk; files larger than the memory come from the disk anyway. Peak memory is
GNU time's (/usr/bin/time, Debian package `time`).
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch


def write_inputs(directory, positions, vocabulary):
    directory.mkdir(parents=True, exist_ok=True)
    names = [directory / n for n in ("ref.npy", "cand.npy", "tokens.npy")]
    if all(n.exists() for n in names):
        ref = np.load(names[0], mmap_mode="r")
        if ref.shape == (positions, vocabulary):
            return names
    # The first 1500 positions are drawn; further ones repeat them (files larger than the memory are
    # written at the disk's speed).
    rng = np.random.default_rng(7)
    ref = np.lib.format.open_memmap(names[0], mode="w+", dtype=np.float16, shape=(positions, vocabulary))
    cand = np.lib.format.open_memmap(names[1], mode="w+", dtype=np.float16, shape=(positions, vocabulary))
    tokens = np.empty(positions, dtype=np.int64)
    drawn = min(positions, 1500)
    for start in range(0, drawn, 100):
        rows = min(100, drawn - start)
        logits = rng.standard_normal((rows, vocabulary), dtype=np.float32) * 2.0
        peaks = rng.integers(0, vocabulary, size=(rows, 8))
        np.put_along_axis(logits, peaks, logits.max(axis=1, keepdims=True) + rng.uniform(0, 6, size=(rows, 8)), axis=1)
        ref[start:start + rows] = logits
        cand[start:start + rows] = logits + rng.standard_normal((rows, vocabulary), dtype=np.float32) * 0.05
        tokens[start:start + rows] = peaks[:, 0]
    for start in range(drawn, positions, drawn):
        rows = min(drawn, positions - start)
        for array in (ref, cand, tokens):
            array[start:start + rows] = array[:rows]
        ref.flush()
        cand.flush()
    ref.flush()
    cand.flush()
    np.save(names[2], tokens)
    return names


def drop_caches():
    subprocess.run(["sync"], check=True)
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def timed(command, cold):
    """Seconds and peak resident MiB (GNU time's %M) of one run of `command`."""
    if cold:
        drop_caches()
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak.name, *map(str, command)],
                              stdout=subprocess.DEVNULL, stderr=errors)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            errors.seek(0)
            sys.exit(f"{' '.join(map(str, command))} failed:\n{errors.read().decode()}")
        return seconds, int(peak.read().split()[-1]) / 1024


TORCH_JOB = r"""
import sys, numpy as np, torch
torch.set_num_threads(int(sys.argv[4]))
ref = np.load(sys.argv[1], mmap_mode="r"); cand = np.load(sys.argv[2], mmap_mode="r")
tokens = torch.from_numpy(np.load(sys.argv[3]))
kl_sum = 0.0; same = 0; block = 64
for s in range(0, ref.shape[0], block):
    a = torch.log_softmax(torch.from_numpy(np.array(ref[s:s + block])).float(), dim=1)
    b = torch.log_softmax(torch.from_numpy(np.array(cand[s:s + block])).float(), dim=1)
    kl = torch.nn.functional.kl_div(b, a, log_target=True, reduction="none").sum(dim=1)
    kl_sum += kl.double().sum().item()
    same += (a.argmax(dim=1) == b.argmax(dim=1)).sum().item()
    ta = torch.topk(a, 10, dim=1).indices; tb = torch.topk(b, 10, dim=1).indices
    t = tokens[s:s + block].unsqueeze(1)
    dp = b.gather(1, t).exp() - a.gather(1, t).exp()
print(kl_sum / ref.shape[0], same / ref.shape[0])
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", type=pathlib.Path)
    parser.add_argument("--positions", type=int, default=1500)
    parser.add_argument("--vocabulary", type=int, default=128000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dir", type=pathlib.Path, default=pathlib.Path("/tmp/llm-bench"))
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each run (root)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-torch", action="store_true", help="leave out the PyTorch job")
    args = parser.parse_args()
    ref, cand, tokens = write_inputs(args.dir, args.positions, args.vocabulary)
    total_bytes = ref.stat().st_size + cand.stat().st_size
    kldiv = args.build / "cli" / "kldiv"
    jobs = {
        "dd (read both files)": [["bash", "-c", f"dd if={ref} of=/dev/null bs=1M status=none && "
                                                f"dd if={cand} of=/dev/null bs=1M status=none"]],
        "2 dd at once (one per file)": [["bash", "-c", f"dd if={ref} of=/dev/null bs=1M status=none & "
                                                       f"dd if={cand} of=/dev/null bs=1M status=none & wait"]],
        f"kldiv llm-compare --threads {args.threads}": [[kldiv, "llm-compare", ref, cand, "--tokens", tokens, "--quiet",
                                                          "--threads", str(args.threads), "--json"]],
        f"PyTorch {torch.__version__}, {args.threads} threads": [
            [sys.executable, "-c", TORCH_JOB, ref, cand, tokens, str(args.threads)]],
    }
    if args.no_torch:
        del jobs[next(name for name in jobs if name.startswith("PyTorch"))]
    print(f"{args.positions} positions x V = {args.vocabulary}, float16, {total_bytes / 1e9:.2f} GB in both files, "
          f"{'cold (page cache dropped)' if args.cold else 'page cache'}, {os.cpu_count()} cores")
    if not args.cold:  # into the page cache
        timed(jobs["dd (read both files)"][0], False)
    print(f"{'job':<40} {'time s':>8} {'positions/s':>12} {'GB/s':>6} {'peak MiB':>9}")
    for name, (command,) in jobs.items():
        for _ in range(args.repeat):
            seconds, peak = timed(command, args.cold)
            print(f"{name:<40} {seconds:8.2f} {args.positions / seconds:12.0f} {total_bytes / seconds / 1e9:6.2f} {peak:9.0f}")


if __name__ == "__main__":
    main()
