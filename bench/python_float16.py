#!/usr/bin/python3
"""kldiv.kl_divergence on float16 logits: the rows as they are (the core widens them) against
the old path (astype(float32) in Python, then the core) and PyTorch (.float(), log_softmax, kl_div)
on 2 threads, best of 7; and the largest relative difference of the two kldiv paths.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_float16.py
"""
import time

import numpy as np
import torch

import kldiv


def best(f, k=7):
    times = []
    for _ in range(k):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def main():
    torch.set_num_threads(2)
    rng = np.random.default_rng(1)
    for n, v in ((64, 32000), (8, 128000)):
        a = rng.normal(0, 2, (n, v)).astype(np.float16)
        b = (a.astype(np.float32) + 0.01 * rng.normal(0, 1, (n, v))).astype(np.float16)
        a32, b32 = a.astype(np.float32), b.astype(np.float32)
        direct = best(lambda: kldiv.kl_divergence(a, b, input="logits", threads=2))
        upcast = best(lambda: kldiv.kl_divergence(a.astype(np.float32), b.astype(np.float32), input="logits",
                                                  threads=2))
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        peer = best(lambda: torch.nn.functional.kl_div(torch.log_softmax(tb.float(), -1),
                                                       torch.log_softmax(ta.float(), -1), log_target=True,
                                                       reduction="none").sum(-1))
        got = kldiv.kl_divergence(a, b, input="logits", threads=2)
        ref = kldiv.kl_divergence(a32, b32, input="logits", threads=2)
        print(f"{n} x {v}: kldiv float16 rows {direct:.2f} ms; after astype(float32) {upcast:.2f} ms "
              f"({upcast / direct:.1f}x); PyTorch 2 threads {peer:.2f} ms ({peer / direct:.1f}x); "
              f"max relative difference {np.max(np.abs(got - ref) / ref):.1e}")


if __name__ == "__main__":
    main()
