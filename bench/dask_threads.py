#!/usr/bin/python3
"""kldiv.dask on this machine's cores: LocalClusters of single-threaded workers against the
single-machine call, with each task's threads as kldiv.dask sets them (one a task) and as given.

    PYTHONPATH=build/python /usr/bin/python3 bench/dask_threads.py [--blocks 16 --rows 256 --vocabulary 32000]
        [--repeats 7] [--workers 1,2] [--threads default,0]

Float32 logits a ~ N(0, 2²) and b = a + N(0, 0.05²), in blocks of rows, are made on the workers
from seeded random streams and kept there (persist), so that the timings are of kldiv's tasks and
Dask's scheduling, not of moving or reading the data (reading .npy shards is examples/dask/shards.py).
Timed, D(P‖Q) per row of all blocks:

- single: kldiv.kl_divergence on the same rows as NumPy arrays in this process (all cores, its
  default);
- N×1: kldiv.dask.kl_divergence on a LocalCluster of N worker processes of one thread each, one task
  per block, for each ``--threads`` setting ("default": kldiv.dask's own, one thread a task; 0:
  every task on all cores, as every task ran before issue 18).

Each contender runs once to warm up (clusters are started and the data made before timing), then
the contenders take turns, ``--repeats`` times; medians are printed with their speed relative to the
single call. Every result must equal the single-machine values bit for bit.
"""
import argparse
import os
import statistics
import time

import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster, wait

import kldiv
import kldiv.dask


def logits(blocks, rows, vocabulary):
    random = da.random.RandomState(0)
    shape, chunks = (blocks * rows, vocabulary), (rows, vocabulary)
    a = random.normal(0, 2, shape, chunks=chunks).astype(np.float32)
    b = (a + random.normal(0, 0.05, shape, chunks=chunks)).astype(np.float32)
    return a, b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=16)
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--vocabulary", type=int, default=32000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--workers", default="1,2", help="worker processes of the clusters, comma-separated")
    parser.add_argument("--threads", default="default,0", help="threads= of the tasks: default or a number")
    args = parser.parse_args()
    settings = [None if t == "default" else int(t) for t in args.threads.split(",")]
    gib = 2 * args.blocks * args.rows * args.vocabulary * 4 / 2**30
    print(f"{args.blocks} blocks × {args.rows} rows × {args.vocabulary} float32 logits, two models ({gib:.2f} GiB); "
          f"{os.cpu_count()} cores; medians of {args.repeats}")
    A, B = logits(args.blocks, args.rows, args.vocabulary)
    a, b = A.compute(scheduler="threads"), B.compute(scheduler="threads")
    expected = kldiv.kl_divergence(a, b, input="logits")
    contenders = {"single": lambda: kldiv.kl_divergence(a, b, input="logits")}
    clients = []
    for n in (int(w) for w in args.workers.split(",")):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        client = Client(cluster, set_as_default=False)
        clients.append((client, cluster))
        P, Q = client.persist(list(logits(args.blocks, args.rows, args.vocabulary)))
        with client.as_current():
            wait([P, Q])
        for threads in settings:
            kwargs = {} if threads is None else {"threads": threads}

            def on_cluster(client=client, P=P, Q=Q, kwargs=kwargs):
                return kldiv.dask.kl_divergence(P, Q, input="logits", **kwargs).compute(scheduler=client)

            contenders[f"{n}×1 threads={'default' if threads is None else threads}"] = on_cluster
    times = {name: [] for name in contenders}
    for run in contenders.values():  # warm-up, and the check
        np.testing.assert_array_equal(run(), expected)
    for _ in range(args.repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    for client, cluster in clients:
        client.close()
        cluster.close()
    base = statistics.median(times["single"])
    for name, t in times.items():
        m = statistics.median(t)
        print(f"  {name:<24} {m * 1e3:8.1f} ms   {base / m:5.2f}× the single call   "
              f"(min {min(t) * 1e3:.1f}, max {max(t) * 1e3:.1f})")


if __name__ == "__main__":
    main()
