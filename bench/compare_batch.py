#!/usr/bin/python3
"""kldiv's batched measures beside PyTorch and SciPy, in one run: speed, roofline and accuracy.

    /usr/bin/python3 bench/compare_batch.py [BUILD_DIR]      (default: build)

Needs Debian's python3-torch, python3-scipy and, for the "memory retained" rows, libjemalloc2
(scripts/setup.sh --dev installs them).

Speed, for N×V in {1×256000, 64×32000, 64×256000, 1024×32000}:
  - kldiv: BUILD_DIR/bench/bench_batch (Google Benchmark, median of 5 repetitions, run before and
    after the peers, the better median kept), at its default (every hardware thread) on float32
    logits whose rows are close (b = a + 0.01·N(0,1), a quantized model) and far (independent);
    and on float64 probabilities.
  - PyTorch: F.kl_div(F.log_softmax(q, -1), F.log_softmax(p, -1), log_target=True,
    reduction='none').sum(-1) on float32 logits, as it runs by default (torch.get_num_threads()
    threads), at 2 threads, and at 2 threads with memory retained (jemalloc with decay disabled, so
    the N×V temporaries are not mapped afresh on every call).
  - SciPy: scipy.special.rel_entr(p, q).sum(-1) on float64 probabilities, by default and with
    memory retained.
  Each peer runs in its own process; the time is the median of repeated calls on the same arrays.
Roofline: the same bench_batch run measures the streaming read bandwidth (same bytes, 2 threads)
and the throughput of the float exponential the logits kernel evaluates (once per event for close
rows; far rows need a second transcendental, expm1, counted at the same rate). The bound is the larger of bytes ÷ bandwidth and exps ÷ exp throughput;
the fraction is bound ÷ kldiv's time.
Accuracy: rows of float32 logits that are nearly identical (true KL from about 1e-12 to 1e-2, with a
constant offset between the two logit vectors), each tool against an extended-precision reference
(reference() below); kldiv is called through its command (`kldiv compare --input logits --per-row`).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

import gbench

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SHAPES = ((1, 256000), (64, 32000), (64, 256000), (1024, 32000))
JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

PEER = r"""
import sys, time, numpy as np
kind, rows, cols, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(1)
a = rng.normal(0, 2, (rows, cols)).astype(np.float32)
b = (a + 0.01 * rng.standard_normal((rows, cols))).astype(np.float32)
if kind == "torch":
    import torch
    import torch.nn.functional as F
    if threads > 0:
        torch.set_num_threads(threads)
    p, q = torch.from_numpy(a), torch.from_numpy(b)
    f = lambda: F.kl_div(F.log_softmax(q, -1), F.log_softmax(p, -1), log_target=True, reduction="none").sum(-1)
    used = torch.get_num_threads()
else:
    import scipy.special
    def softmax(x):
        e = np.exp(x.astype(np.float64) - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    p, q = softmax(a), softmax(b)
    f = lambda: scipy.special.rel_entr(p, q).sum(-1)
    used = 1
f()
times = []
start = time.perf_counter()
while time.perf_counter() - start < 2.0 or len(times) < 5:
    t0 = time.perf_counter()
    f()
    times.append(time.perf_counter() - t0)
print(float(np.median(times)), used)
"""


def peer(kind, rows, cols, threads=0, retained=False):
    env = dict(os.environ)
    if retained:
        env["LD_PRELOAD"] = JEMALLOC
        env["MALLOC_CONF"] = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
    out = subprocess.run(["/usr/bin/python3", "-c", PEER, kind, str(rows), str(cols), str(threads)],
                         check=True, capture_output=True, text=True, env=env).stdout.split()
    return float(out[0]), int(out[1])


def kldiv_bench():
    return gbench.medians(BUILD, "bench_batch", "threads:2")


def find(results, name, rows, cols):
    for key, b in results.items():
        if key.startswith(f"bench::{name}/rows:{rows}/cols:{cols}/"):
            return b
    raise KeyError(name)


def speed():
    before = kldiv_bench()
    peers = {}
    for rows, cols in SHAPES:
        peers[(rows, cols)] = {
            "torch default": peer("torch", rows, cols),
            "torch 2 threads": peer("torch", rows, cols, 2),
            "torch 2 threads, memory retained": peer("torch", rows, cols, 2, retained=True),
            "scipy rel_entr f64": peer("scipy", rows, cols),
            "scipy rel_entr f64, memory retained": peer("scipy", rows, cols, retained=True),
        }
    after = kldiv_bench()

    def best(name, rows, cols, field="real_time"):
        values = [find(r, name, rows, cols)[field] for r in (before, after)]
        return min(values) if field == "real_time" else max(values)

    print("Speed (ms, median; kldiv at its default of 2 threads; ratios = peer time / kldiv time)")
    header = (f"{'N x V':>13} {'kldiv near':>10} {'kldiv far':>9} {'torch dflt':>10} {'(thr)':>5} {'ratio':>6} "
              f"{'torch 2T':>8} {'ratio':>6} {'torch 2T+je':>11} {'ratio':>6}")
    print(header)
    for rows, cols in SHAPES:
        near = best("logits_kl_near", rows, cols)  # ms: bench_batch reports in ms
        far = best("logits_kl_far", rows, cols)
        p = peers[(rows, cols)]
        t1, used = p["torch default"]
        t2, _ = p["torch 2 threads"]
        t3, _ = p["torch 2 threads, memory retained"]
        print(f"{rows:>5} x {cols:<6} {near:>10.3f} {far:>9.3f} {t1 * 1e3:>10.3f} {used:>5} {t1 * 1e3 / near:>6.1f} "
              f"{t2 * 1e3:>8.3f} {t2 * 1e3 / near:>6.1f} {t3 * 1e3:>11.3f} {t3 * 1e3 / near:>6.1f}")
    print("\nProbabilities, float64 (ms): kldiv vs scipy.special.rel_entr(p, q).sum(-1)")
    print(f"{'N x V':>13} {'kldiv':>8} {'scipy':>9} {'ratio':>6} {'scipy+je':>9} {'ratio':>6}")
    for rows, cols in SHAPES:
        k = best("probs_kl", rows, cols)
        s1, _ = peers[(rows, cols)]["scipy rel_entr f64"]
        s2, _ = peers[(rows, cols)]["scipy rel_entr f64, memory retained"]
        print(f"{rows:>5} x {cols:<6} {k:>8.3f} {s1 * 1e3:>9.3f} {s1 * 1e3 / k:>6.1f} {s2 * 1e3:>9.3f} {s2 * 1e3 / k:>6.1f}")
    print("\nRoofline (2 threads): bound = max(bytes / read bandwidth, exps / float-exp throughput)")
    print(f"{'N x V':>13} {'GB/s':>6} {'Gexp/s':>7} {'kernel':>7} {'bytes ms':>8} {'exp ms':>7} {'bound':>7} "
          f"{'kldiv':>7} {'fraction':>8}")
    for rows, cols in SHAPES:
        bandwidth = best("read_bandwidth", rows, cols, "bytes_per_second")
        exps = best("exp_throughput", rows, cols, "items_per_second")
        events = rows * cols
        for kernel, name, per_event, bytes_per_event in (("near", "logits_kl_near", 1, 8), ("far", "logits_kl_far", 2, 8),
                                                          ("probs", "probs_kl", 0, 16)):
            memory = events * bytes_per_event / bandwidth * 1e3
            compute = events * per_event / exps * 1e3
            bound = max(memory, compute)
            k = best(name, rows, cols)
            print(f"{rows:>5} x {cols:<6} {bandwidth / 1e9:>6.1f} {exps / 1e9:>7.2f} {kernel:>7} {memory:>8.3f} "
                  f"{compute:>7.3f} {bound:>7.3f} {k:>7.3f} {bound / k:>8.0%}")


def reference(a, b):
    """D(softmax(a)‖softmax(b)) per row in extended precision (np.longdouble, 64-bit mantissa), by the
    two-pass log-space route: u = log p − log q, D = Σ p (expm1(−u) + u)."""
    x, y = a.astype(np.longdouble), b.astype(np.longdouble)
    lx = x - (x.max(-1, keepdims=True) + np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True)))
    ly = y - (y.max(-1, keepdims=True) + np.log(np.exp(y - y.max(-1, keepdims=True)).sum(-1, keepdims=True)))
    u = lx - ly
    return (np.exp(lx) * (np.expm1(-u) + u)).sum(-1)


def accuracy():
    import scipy.special
    import torch
    import torch.nn.functional as F
    rows, cols = 7, 32000
    rng = np.random.default_rng(3)
    a = rng.normal(0, 2, (rows, cols)).astype(np.float32)
    noise = np.array([1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.0], dtype=np.float64)[:, None]
    b = (a + noise * rng.standard_normal((rows, cols)) + 0.75).astype(np.float32)  # with a constant offset
    ref = reference(a, b)
    with tempfile.TemporaryDirectory() as d:
        np.save(os.path.join(d, "a.npy"), a)
        np.save(os.path.join(d, "b.npy"), b)
        csv = os.path.join(d, "rows.csv")
        subprocess.run([os.path.join(BUILD, "cli", "kldiv"), "compare", os.path.join(d, "a.npy"), os.path.join(d, "b.npy"),
                        "--input", "logits", "--base", "nats", "--per-row", csv], check=True, capture_output=True)
        kldiv = np.loadtxt(csv, delimiter=",", skiprows=1, usecols=1)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    torch32 = F.kl_div(F.log_softmax(tb, -1), F.log_softmax(ta, -1), log_target=True, reduction="none").sum(-1).numpy()
    torch64 = F.kl_div(F.log_softmax(tb.double(), -1), F.log_softmax(ta.double(), -1), log_target=True,
                       reduction="none").sum(-1).numpy()

    def probs(x, dtype):
        x = x.astype(dtype)
        e = np.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    scipy32 = scipy.special.rel_entr(probs(a, np.float32), probs(b, np.float32)).sum(-1)
    scipy64 = scipy.special.rel_entr(probs(a, np.float64), probs(b, np.float64)).sum(-1)
    print(f"\nAccuracy: {rows} rows of {cols} float32 logits, b = a + noise·N(0,1) + 0.75; relative error against an "
          "extended-precision reference (the last row is identical up to the offset: the true value is 0)")
    tools = (("kldiv", kldiv), ("torch f32", torch32), ("torch f64", torch64), ("scipy f32", scipy32),
             ("scipy f64", scipy64))
    print(f"{'noise':>7} {'D (ref)':>10} " + " ".join(f"{name:>11}" for name, _ in tools))
    for i in range(rows):
        r = float(ref[i])
        cells = []
        for _, v in tools:
            x = float(v[i])
            cells.append(f"{x:>11.2e}" if r == 0 else f"{abs(x - r) / r:>11.1e}" if x >= 0 else f"{'neg ' + format(x, '.0e'):>11}")
        print(f"{noise[i, 0]:>7.0e} {r:>10.3e} " + " ".join(cells))


if __name__ == "__main__":
    speed()
    accuracy()
