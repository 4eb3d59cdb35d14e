#!/usr/bin/python3
"""How far is a quantized model from its reference, over logits stored as many .npy shards?

    PYTHONPATH=build/python /usr/bin/python3 examples/dask/shards.py [--scheduler tcp://HOST:8786]
        [--reference DIR --candidate DIR]

Without directories it first writes a small demo: 6 shards of 64 positions × 4096-token float32
logits for a "reference" model and a "candidate" whose logits carry quantization-like noise. Each
shard becomes one Dask block (loaded lazily with np.load(mmap_mode="r") on the worker that needs
it); kldiv.dask.kl_divergence measures every position's D(reference‖candidate) where the block
lives, and only the per-position values travel. Without --scheduler the work runs on a
LocalCluster of this machine's cores; with it, on that cluster's workers (which must see the shard
files and have kldiv installed).
"""
import argparse
import glob
import os
import tempfile

import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

import kldiv
import kldiv.dask


def write_demo(directory, shards=6, rows=64, vocab=4096):
    rng = np.random.default_rng(0)
    for name in ("reference", "candidate"):
        os.makedirs(os.path.join(directory, name), exist_ok=True)
    for i in range(shards):
        ref = rng.normal(0, 3, (rows, vocab)).astype(np.float32)
        cand = (ref + rng.normal(0, 0.05, ref.shape)).astype(np.float32)
        np.save(os.path.join(directory, "reference", f"shard-{i:03d}.npy"), ref)
        np.save(os.path.join(directory, "candidate", f"shard-{i:03d}.npy"), cand)
    return os.path.join(directory, "reference"), os.path.join(directory, "candidate")


def lazy_shards(directory):
    paths = sorted(glob.glob(os.path.join(directory, "*.npy")))
    if not paths:
        raise SystemExit(f"shards.py: {directory} has no .npy files")
    blocks = []
    for path in paths:
        header = np.load(path, mmap_mode="r")  # reads the header only
        load = dask.delayed(lambda p: np.load(p, mmap_mode="r"))(path)
        blocks.append(da.from_delayed(load, shape=header.shape, dtype=header.dtype))
    return da.concatenate(blocks, axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--reference", help="directory of reference logits shards (.npy, rows × vocabulary)")
    parser.add_argument("--candidate", help="directory of candidate logits shards, same layout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        reference, candidate = args.reference, args.candidate
        if not (reference and candidate):
            reference, candidate = write_demo(scratch)
        P, Q = lazy_shards(reference), lazy_shards(candidate)
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            client = Client(LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                         dashboard_address=None))
        with client:
            values = kldiv.dask.kl_divergence(P, Q, input="logits")
            s = kldiv.dask.summarize(values, quantiles=(0.5, 0.99, 0.999))
        print(f"{s['count']} positions in {P.numblocks[0]} shards, D(reference‖candidate) in nats:")
        print(f"  mean {s['mean']:.6g} ± {s['standard_error']:.2g} (standard error), min {s['min']:.4g}, "
              f"median {s['quantiles'][0.5]:.6g}, 99% {s['quantiles'][0.99]:.6g}, "
              f"99.9% {s['quantiles'][0.999]:.6g}, max {s['max']:.6g}")


if __name__ == "__main__":
    main()
