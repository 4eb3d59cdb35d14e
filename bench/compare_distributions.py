#!/usr/bin/python3
"""kldiv.distributions beside PyTorch, side by side in one run, 2 threads each.

    /usr/bin/python3 bench/compare_distributions.py [BUILD_DIR]      (default: build)

1. A VAE's KL term with its gradients, 4096×256 float32 means and log-variances:
   kldiv.distributions.normal_kl(mu, lv) (values and gradients) against PyTorch's
   -0.5*sum(1 + lv - mu^2 - exp(lv)) with .mean().backward(), and against two batches of diagonal
   Gaussians (PyTorch: kl_divergence(Independent(Normal), Independent(Normal)).mean().backward()).
2. One pair of distributions per call: kldiv.distributions.kl_divergence against
   torch.distributions.kl_divergence (closed forms), and kldiv's quadrature and Monte Carlo calls,
   which PyTorch does not have.
Medians of repeated calls; the ratio is PyTorch's time / kldiv's time.
"""
import os
import sys
import time

import numpy as np
import torch
import torch.distributions as td

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
sys.path.insert(0, os.path.join(BUILD, "python"))
import kldiv.distributions as kd  # noqa: E402  (the build tree's package)

THREADS = 2
torch.set_num_threads(THREADS)


def median_seconds(f, budget=2.0, least=7):
    f()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < budget or len(times) < least:
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def vae_rows():
    rng = np.random.default_rng(3)
    n, d = 4096, 256
    mu, lv, mq, lq = (rng.normal(size=(n, d)) * 0.5).astype(np.float32)[None].repeat(4, 0) * \
        np.array([1, 1, 0.9, 1.1], dtype=np.float32)[:, None, None]
    print(f"VAE KL term with gradients, {n}x{d} float32, {THREADS} threads (ms; ratio = PyTorch / kldiv)")

    def torch_standard():
        m = torch.from_numpy(mu).requires_grad_()
        v = torch.from_numpy(lv).requires_grad_()
        (-0.5 * (1 + v - m ** 2 - v.exp()).sum(-1)).mean().backward()

    def torch_pair():
        t = [torch.from_numpy(a).requires_grad_() for a in (mu, lv, mq, lq)]
        p = td.Independent(td.Normal(t[0], (0.5 * t[1]).exp()), 1)
        q = td.Independent(td.Normal(t[2], (0.5 * t[3]).exp()), 1)
        td.kl_divergence(p, q).mean().backward()

    for name, ours, theirs in [
        ("N(mu, e^lv) || N(0, I)", lambda: kd.normal_kl(mu, lv, threads=THREADS), torch_standard),
        ("N(mu_p, e^lv_p) || N(mu_q, e^lv_q)", lambda: kd.normal_kl(mu, lv, mq, lq, threads=THREADS), torch_pair),
    ]:
        a, b = median_seconds(ours), median_seconds(theirs)
        print(f"  {name:<36} kldiv {a * 1e3:7.2f}   PyTorch {b * 1e3:7.2f}   ratio {b / a:5.1f}")


def single_pairs():
    print("One pair per call (microseconds)")
    T = lambda x: torch.tensor(x, dtype=torch.float64)  # noqa: E731
    cases = [
        ("normal || normal", lambda: kd.kl_divergence("normal(0, 1)", "normal(1, 2)"),
         lambda: td.kl_divergence(td.Normal(T(0.0), T(1.0)), td.Normal(T(1.0), T(2.0)))),
        ("gamma || gamma", lambda: kd.kl_divergence("gamma(2, 3)", "gamma(1.5, 2)"),
         lambda: td.kl_divergence(td.Gamma(T(2.0), T(3.0)), td.Gamma(T(1.5), T(2.0)))),
        ("mvn d=16 || mvn d=16", None, None),
        ("student_t(3) || normal (quadrature)", lambda: kd.kl_divergence("student_t(3)", "normal(0, 1)"), None),
        ("mixture of 2 || normal (quadrature)",
         lambda: kd.kl_divergence("mixture([0.3, 0.7], [normal(0, 1), normal(2, 0.5)])", "normal(1, 1.5)"), None),
        ("2-D Gaussian mixtures (Monte Carlo, SE 1e-3)",
         lambda: kd.kl_divergence("mixture([0.5, 0.5], [mvn([0, 0], [[1, 0], [0, 1]]), mvn([3, 0], [[1, 0], [0, 1]])])",
                                  "mvn([1, 0], [[2, 0], [0, 1]])", threads=THREADS), None),
    ]
    rng = np.random.default_rng(4)
    a = rng.normal(size=(16, 16))
    cov_p, cov_q = a @ a.T + 16 * np.eye(16), np.eye(16) * 2
    p16, q16 = kd.mvn(np.zeros(16), cov_p), kd.mvn(np.ones(16), cov_q)
    tp = td.MultivariateNormal(T(np.zeros(16)), covariance_matrix=T(cov_p))
    tq = td.MultivariateNormal(T(np.ones(16)), covariance_matrix=T(cov_q))
    cases[2] = (cases[2][0], lambda: kd.kl_divergence(p16, q16), lambda: td.kl_divergence(tp, tq))
    for name, ours, theirs in cases:
        a = median_seconds(ours, budget=1.0)
        line = f"  {name:<46} kldiv {a * 1e6:9.1f}"
        if theirs is not None:
            b = median_seconds(theirs, budget=1.0)
            line += f"   PyTorch {b * 1e6:8.1f}   ratio {b / a:5.1f}"
        else:
            line += "   PyTorch: NotImplementedError"
        print(line)


if __name__ == "__main__":
    vae_rows()
    single_pairs()
