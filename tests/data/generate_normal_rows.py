#!/usr/bin/python3
"""References for tests/test_normal_rows.cpp (include/kldiv/distributions/normal_rows.hpp).

    /usr/bin/python3 tests/data/generate_normal_rows.py > tests/data/normal_rows_reference.json

Needs Debian's python3-mpmath, python3-numpy and python3-torch (1.13). Seeded, so the output is
reproducible. Per coordinate, with u = lvq - lvp,
    2 KL(N(mp, e^lvp) || N(mq, e^lvq)) = phi(u) + (mp - mq)^2 e^-lvq,  phi(u) = e^-u - 1 + u.
Sections (every input value is stored exactly: JSON numbers with 17 significant digits):
  phi:   u and phi(u)/2 by mpmath at 60 digits, u from 1e-12 to 700 in size, both signs, around
         the series limit 0.75: the KL of one coordinate with lvp = 0, lvq = u, equal means.
  near:  nearly equal pairs (float64 and float32 inputs; Q given, and Q = N(0, I) with P near it),
         whose true KL per row is about 1e-12, and that KL by mpmath at 60 digits.
  torch: ordinary data (float64), the loss after the reduction and its gradients with respect to
         every parameter by PyTorch autograd through torch.distributions.kl_divergence of Normals
         (scale = exp(lv / 2)), summed over columns; for Q = N(0, I) also the usual VAE expression
         -0.5 * sum(1 + lv - mu^2 - exp(lv)) per row.
"""
import json

import mpmath
import numpy as np
import torch
from torch.distributions import Normal, kl_divergence

mpmath.mp.dps = 60


def kl_mp(mp, lvp, mq, lvq):
    """KL of one coordinate at mpmath precision, from the exact binary values."""
    mp, lvp, mq, lvq = (mpmath.mpf(float(x)) for x in (mp, lvp, mq, lvq))
    u = lvq - lvp
    return (mpmath.exp(-u) - 1 + u + (mp - mq) ** 2 * mpmath.exp(-lvq)) / 2


def phi_section():
    sizes = [1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.749, 0.75, 0.751, 0.8, 1.0, 1.5, 3.0, 10.0,
             50.0, 300.0, 700.0]
    rng = np.random.default_rng(11)
    sizes += list(np.exp(rng.uniform(np.log(1e-8), np.log(40.0), 40)))
    out = []
    for size in sizes:
        for u in (float(size), -float(size)):
            out.append({"u": u, "half_phi": float(kl_mp(0.0, 0.0, 0.0, u))})
    return out


def near_section():
    rng = np.random.default_rng(12)
    out = []
    for dtype in (np.float64, np.float32):
        for standard in (False, True):
            rows, cols = 3, 37
            if standard:  # P near N(0, I): |mu|, |lv| ~ 2e-7
                mp = (rng.standard_normal((rows, cols)) * 2e-7).astype(dtype)
                lvp = (rng.standard_normal((rows, cols)) * 2e-7).astype(dtype)
                mq = np.zeros_like(mp)
                lvq = np.zeros_like(lvp)
            else:  # Q a relative 1e-7 (float: an ulp or so) away from P
                mp = rng.standard_normal((rows, cols)).astype(dtype)
                lvp = rng.uniform(-3.0, 2.0, (rows, cols)).astype(dtype)
                mq = (mp + rng.standard_normal((rows, cols)) * 2e-7 * np.exp(lvp / 2)).astype(dtype)
                lvq = (lvp + rng.standard_normal((rows, cols)) * 2e-7).astype(dtype)
            kl = [float(mpmath.fsum(kl_mp(mp[i, j], lvp[i, j], mq[i, j], lvq[i, j]) for j in range(cols)))
                  for i in range(rows)]
            case = {"dtype": np.dtype(dtype).name, "standard": standard, "rows": rows, "cols": cols,
                    "mean_p": mp.astype(np.float64).ravel().tolist(),
                    "log_var_p": lvp.astype(np.float64).ravel().tolist(), "kl": kl}
            if not standard:
                case["mean_q"] = mq.astype(np.float64).ravel().tolist()
                case["log_var_q"] = lvq.astype(np.float64).ravel().tolist()
            out.append(case)
    return out


def torch_section():
    rng = np.random.default_rng(13)
    out = []
    specs = [(True, "mean", False), (True, "sum", True), (True, "none", False), (False, "mean", True),
             (False, "sum", False), (False, "none", False)]
    for standard, reduction, weighted in specs:
        rows, cols = 4, 7
        params = {"mean_p": rng.normal(0.0, 1.5, (rows, cols)), "log_var_p": rng.uniform(-4.0, 2.0, (rows, cols))}
        if not standard:
            params["mean_q"] = rng.normal(0.0, 1.5, (rows, cols))
            params["log_var_q"] = rng.uniform(-4.0, 2.0, (rows, cols))
        weights = rng.uniform(0.0, 3.0, rows) if weighted else np.ones(rows)
        tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
        p = Normal(tensors["mean_p"], torch.exp(tensors["log_var_p"] / 2))
        if standard:
            q = Normal(torch.zeros(rows, cols, dtype=torch.float64), torch.ones(rows, cols, dtype=torch.float64))
        else:
            q = Normal(tensors["mean_q"], torch.exp(tensors["log_var_q"] / 2))
        per_row = kl_divergence(p, q).sum(-1)
        w = torch.tensor(weights, dtype=torch.float64)
        if reduction == "mean":
            loss = (w * per_row).sum() / w.sum()
        elif reduction == "sum":
            loss = (w * per_row).sum()
        else:
            loss = per_row
        loss.sum().backward()
        case = {"standard": standard, "reduction": reduction, "rows": rows, "cols": cols,
                "weights": weights.tolist() if weighted else [],
                "loss": loss.detach().reshape(-1).tolist()}
        for name, value in params.items():
            case[name] = value.ravel().tolist()
            case["grad_" + name] = tensors[name].grad.ravel().tolist()
        if standard:
            mu, lv = tensors["mean_p"].detach(), tensors["log_var_p"].detach()
            case["vae_expression"] = (-0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp(), dim=1)).tolist()
        out.append(case)
    return out


def main():
    data = {"phi": phi_section(), "near": near_section(), "torch": torch_section()}
    print(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
