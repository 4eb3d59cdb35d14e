#!/usr/bin/python3
"""kldiv llm-compare on a Dask cluster: a quantized model against its reference over shard files.

    PYTHONPATH=build/python /usr/bin/python3 examples/dask/llm_compare.py [--scheduler tcp://HOST:8786]
        [--reference 'ref/part-*.npy' --candidate 'cand/part-*.npy' [--tokens ids.npy]]

Without inputs it first writes a small demo: 512 positions × 8192-token logits, the reference's as
float32 in 4 shards, the candidate's (the reference plus quantization-like noise) as float16 in 3
shards, and the actual next tokens. kldiv.dask.llm_compare runs one task per candidate file, each
returning its file's summary, and merges them in file order; kldiv.llm.compare does the whole
comparison in this process. The two documents are equal. Without --scheduler the work runs on a
LocalCluster of two worker processes; with it, on that cluster (whose workers must see the files).
"""
import argparse
import os
import tempfile

import numpy as np
from dask.distributed import Client, LocalCluster

import kldiv.dask
import kldiv.llm


def write_demo(directory, positions=512, vocabulary=8192):
    rng = np.random.default_rng(0)
    reference = rng.normal(0, 3, (positions, vocabulary)).astype(np.float32)
    candidate = (reference + rng.normal(0, 0.1, reference.shape)).astype(np.float16)
    for i, part in enumerate(np.array_split(reference, 4)):
        np.save(os.path.join(directory, f"ref-{i}.npy"), part)
    for i, part in enumerate(np.array_split(candidate, 3)):
        np.save(os.path.join(directory, f"cand-{i}.npy"), part)
    np.save(os.path.join(directory, "tokens.npy"), rng.integers(0, vocabulary, positions))
    return (os.path.join(directory, "ref-*.npy"), os.path.join(directory, "cand-*.npy"),
            os.path.join(directory, "tokens.npy"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--reference", help="reference rows: a file or a pattern of shards")
    parser.add_argument("--candidate", help="candidate rows, the same positions")
    parser.add_argument("--tokens", help="the actual next token ids (1-D .npy)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        reference, candidate, tokens = args.reference, args.candidate, args.tokens
        if not (reference and candidate):
            reference, candidate, tokens = write_demo(scratch)
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            client = Client(LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None))
        with client:
            cluster = kldiv.dask.llm_compare(reference, candidate, tokens=tokens)
        single = kldiv.llm.compare(reference, candidate, tokens=tokens)
    kl = cluster["kl"]
    print(f"{cluster['scored']} positions in {len(cluster['files'])} candidate files, D(reference‖candidate) in nats:")
    print(f"  mean {kl['mean']:.6g} ± {kl['standard_error']:.2g}, median {kl['median']:.6g}, "
          f"99.9% {kl['percentiles']['99.9']:.6g}; same top token {100 * cluster['same_top']['fraction']:.2f}%")
    if "perplexity" in cluster:
        print(f"  PPL(candidate)/PPL(reference) = {cluster['perplexity']['ratio']['mean']:.6g}")
    if cluster != single:
        raise SystemExit("llm_compare.py: the cluster's document differs from the single-machine one")
    print("The cluster's document is equal to the single-machine document, bit for bit.")


if __name__ == "__main__":
    main()
