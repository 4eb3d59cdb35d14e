#!/usr/bin/python3
"""Inputs and float64 NumPy statistics for tests/test_cli_llm_compare.cpp.

    /usr/bin/python3 tests/data/llm_compare_numpy.py DIR

Writes into DIR: ref.npy (float32 logits, 300 x 2000), cand-0.npy and cand-1.npy (the candidate's
float16 logits, rows 0-179 and 180-299), whole.safetensors (the same candidate in one F16 tensor), tokens.npy (int64 next-token ids, some -1), mask.npy (bool)
and expected.json: the statistics of `kldiv llm-compare` computed here, independently, in float64
from the same values (log-softmax by NumPy, percentiles by numpy.percentile).

Also a llama.cpp case: llama-base.kld, a --kl-divergence-base file written here from its published
layout (docs/formats/llama-kl-base.md: n_ctx = 8, 20 chunks, 3 scored rows per chunk, V = 500),
whose token ids give the actual next tokens; llama-cand.npy, the candidate's logits for the 60
scored positions; expected-llama.json, the statistics of the decoded reference rows against the
candidate, read as docs/formats/llama-kl-base.md says: in a row whose logits spanned less than 16
nats the code-0 entries are exact (at μ); in a clamped row they are one event of mass
1 − Σ kept, against the candidate's mass on them, and D is that of the coarsened pair.
"""
import struct
import json
import sys
from pathlib import Path

import numpy as np

PERCENTILES = [99.9, 99.0, 95.0, 90.0, 75.0, 50.0, 25.0, 10.0, 5.0, 1.0, 0.1]


def log_softmax(x):
    x = x.astype(np.float64)
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def write_safetensors(path, name, array):
    """One tensor, from the format's published layout: u64 header length, JSON header, data."""
    dtype = {np.float16: "F16", np.float32: "F32"}[array.dtype.type]
    header = json.dumps({name: {"dtype": dtype, "shape": list(array.shape), "data_offsets": [0, array.nbytes]}})
    header += " " * (-len(header) % 8)
    path.write_bytes(struct.pack("<Q", len(header)) + header.encode() + array.astype(array.dtype.newbyteorder("<")).tobytes())


def mean_se(v):
    return {"mean": float(v.mean()), "standard_error": float(v.std(ddof=1) / np.sqrt(len(v)))}


def distribution(v):
    out = mean_se(v)
    out.update(min=float(v.min()), max=float(v.max()),
               percentiles={f"{p:g}": float(np.percentile(v, p)) for p in PERCENTILES})
    return out


def main():
    out = Path(sys.argv[1])
    rng = np.random.default_rng(7)
    n, v = 300, 2000
    ref = (3.0 * rng.standard_normal((n, v))).astype(np.float32)
    cand = (ref + 0.4 * rng.standard_normal((n, v)) + 1.5).astype(np.float16)
    lp, lq = log_softmax(ref), log_softmax(cand)
    p = np.exp(lp)
    tokens = np.array([rng.choice(v, p=p[i] / p[i].sum()) for i in range(n)], dtype=np.int64)
    tokens[::13] = -1
    mask = rng.random(n) > 0.1
    np.save(out / "ref.npy", ref)
    np.save(out / "cand-0.npy", cand[:180])
    np.save(out / "cand-1.npy", cand[180:])
    write_safetensors(out / "whole.safetensors", "logits", cand)
    np.save(out / "tokens.npy", tokens)
    np.save(out / "mask.npy", mask)

    kl = (p * (lp - lq)).sum(axis=1)[mask]
    reverse = (np.exp(lq) * (lq - lp)).sum(axis=1)[mask]
    top_p = np.argsort(-ref.astype(np.float64), axis=1, kind="stable")
    top_q = np.argsort(-cand.astype(np.float64), axis=1, kind="stable")
    same = (top_p[:, 0] == top_q[:, 0])[mask].astype(np.float64)
    overlap = {k: np.array([len(set(top_p[i, :k]) & set(top_q[i, :k])) / k for i in range(n)])[mask] for k in (5, 10, 20)}
    known = mask & (tokens >= 0)
    rows = np.nonzero(known)[0]
    a, b = lp[rows, tokens[rows]], lq[rows, tokens[rows]]
    dp = np.exp(b) - np.exp(a)
    ppl_p, ppl_q = np.exp(-a.mean()), np.exp(-b.mean())
    cov = np.cov(a, b, ddof=1)
    m = len(a)
    d = mean_se(a - b)
    rms = np.sqrt((dp ** 2).mean())
    expected = {
        "positions": int(mask.sum()),
        "positions_with_token": int(m),
        "kl": distribution(kl),
        "reverse_kl": mean_se(reverse),
        "same_top": {"fraction": float(same.mean()), "standard_error": float(np.sqrt(same.mean() * (1 - same.mean()) / len(same)))},
        "top_k_overlap": {str(k): mean_se(overlap[k]) for k in (5, 10, 20)},
        "delta_p": distribution(dp),
        "rms_delta_p": {"mean": float(rms), "standard_error": float(mean_se(dp ** 2)["standard_error"] / (2 * rms))},
        "perplexity": {
            "reference": {"mean": float(ppl_p), "standard_error": float(ppl_p * mean_se(a)["standard_error"])},
            "candidate": {"mean": float(ppl_q), "standard_error": float(ppl_q * mean_se(b)["standard_error"])},
            "ln_ratio": d,
            "ratio": {"mean": float(np.exp(d["mean"])), "standard_error": float(np.exp(d["mean"]) * d["standard_error"])},
            "difference": {"mean": float(ppl_q - ppl_p),
                           "standard_error": float(np.sqrt((ppl_q ** 2 * cov[1, 1] + ppl_p ** 2 * cov[0, 0]
                                                            - 2 * ppl_q * ppl_p * cov[0, 1]) / m))},
            "ln_correlation": float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])),
        },
        "files": [{"positions": int(mask[:180].sum()), "kl_mean": float((p * (lp - lq)).sum(axis=1)[:180][mask[:180]].mean())},
                  {"positions": int(mask[180:].sum()), "kl_mean": float((p * (lp - lq)).sum(axis=1)[180:][mask[180:]].mean())}],
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1))
    llama_case(out, rng)


def llama_case(out, rng):
    n_ctx, n_chunk, v = 8, 20, 500
    first = n_ctx // 2
    per_chunk = n_ctx - 1 - first
    logits = (2.5 * rng.standard_normal((n_chunk * per_chunk, v))).astype(np.float32)
    tokens = rng.integers(0, v, n_chunk * n_ctx).astype(np.int32)
    rows, decoded, clamped = [], [], []
    for r, l in enumerate(logits):
        c, pos = divmod(r, per_chunk)
        p = np.exp(log_softmax(l[None, :])[0])
        tokens[c * n_ctx + first + pos + 1] = rng.choice(v, p=p / p.sum())
        top = l.max()
        floor = np.float32(max(l.min(), top - np.float32(16)))
        scale = np.float32((top - floor) / np.float32(65535))
        lse = np.float32(np.log(np.exp((l - top).astype(np.float64)).sum()))
        mu = np.float32((floor - top) - lse)
        codes = np.where(l > floor, np.rint((l - floor) * np.float32(1 / scale)), 0).astype(np.uint16)
        rows.append(struct.pack("<ff", scale, mu) + codes.tobytes() + (b"\0\0" if v % 2 else b""))
        decoded.append((scale * codes.astype(np.float32) + mu).astype(np.float32))
        clamped.append(codes == 0 if 65535.0 * float(scale) >= 16 - 1e-3 else np.zeros(v, bool))
    payload = b"_logits_" + struct.pack("<iii", n_ctx, v, n_chunk) + tokens.astype("<i4").tobytes() + b"".join(rows)
    (out / "llama-base.kld").write_bytes(payload)
    cand = (logits + 0.5 * rng.standard_normal(logits.shape)).astype(np.float32)
    np.save(out / "llama-cand.npy", cand)
    nxt = np.array([tokens[(r // per_chunk) * n_ctx + first + r % per_chunk + 1] for r in range(len(cand))])
    lq = log_softmax(cand)
    kl, a = np.empty(len(cand)), np.empty(len(cand))
    for r, (d, floored) in enumerate(zip(decoded, clamped)):
        # The coarsened pair: kept tokens, and the floored ones as one event.
        p_kept = np.exp(d[~floored].astype(np.float64))
        p_tail = min(max(0.0, 1.0 - p_kept.sum()), np.exp(d[floored].astype(np.float64)).sum())
        q_all = np.exp(lq[r])
        pc = np.append(p_kept, p_tail) if floored.any() else p_kept
        qc = np.append(q_all[~floored], q_all[floored].sum()) if floored.any() else q_all
        total = pc.sum()
        pc = pc / total
        kl[r] = sum(pk * np.log(pk / qk) for pk, qk in zip(pc, qc) if pk > 0)
        a[r] = d[nxt[r]] - np.log(total)
    d = np.array(decoded)
    same = (np.argmax(d, axis=1) == np.argmax(cand, axis=1)).astype(np.float64)
    expected = {"kl": mean_se(kl), "same_top": float(same.mean()),
                "ppl_reference": float(np.exp(-a.mean())), "rows": len(cand)}
    (out / "expected-llama.json").write_text(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()
