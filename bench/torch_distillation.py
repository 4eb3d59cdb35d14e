#!/usr/bin/python3
"""kldiv.torch's distillation loss beside the same loss written in PyTorch, in one run: the forward
and backward pass of one training step's loss, float32 logits, on this machine's threads.

    PYTHONPATH=build/python /usr/bin/python3 bench/torch_distillation.py [--threads N] [--retained]

For each shape (positions × vocabulary) it times, alternating the contenders, the median of
repeated calls of
  - kldiv:   kldiv.torch.DistillationLoss(temperature=2)(student, teacher); loss.backward()
  - PyTorch: F.kl_div(F.log_softmax(student / 2, -1), F.log_softmax(teacher / 2, -1),
             log_target=True, reduction="batchmean") * 4; loss.backward()
with torch.set_num_threads(N) and kldiv's threads=N (N = all cores by default), and reports the
ratio, and the relative error of each loss and the largest error of each gradient (relative to the
largest gradient entry) against PyTorch's own computation in float64. Each shape runs in a fresh
process, as allocated (glibc) and, with --retained, with memory retained (jemalloc with decay
disabled: the N×V buffers of both are not mapped afresh on every call; libjemalloc2, from
scripts/setup.sh --dev).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import torch

import kldiv.torch as kt

SHAPES = ((64, 32000), (512, 32000), (4 * 128, 128256), (8, 256000))


def pytorch_loss(student, teacher):
    return torch.nn.functional.kl_div(torch.log_softmax(student / 2, -1), torch.log_softmax(teacher / 2, -1),
                                      log_target=True, reduction="batchmean") * 4


def step(loss_of, student, teacher):
    student.grad = None
    loss = loss_of(student, teacher)
    loss.backward()
    return loss.detach(), student.grad


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--retained", action="store_true", help="with jemalloc, decay disabled")
    parser.add_argument("--shape", help=argparse.SUPPRESS)  # one shape, in this process
    args = parser.parse_args()
    if args.shape is None:
        env = dict(os.environ)
        if args.retained:
            env.update(LD_PRELOAD="/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
                       MALLOC_CONF="dirty_decay_ms:-1,muzzy_decay_ms:-1")
        memory = "memory retained (jemalloc)" if args.retained else "memory as allocated (glibc)"
        print(f"{args.threads} threads (torch.set_num_threads and kldiv's threads), float32 logits, forward + "
              f"backward, {memory}; median of {args.repeats}")
        print("errors against the same loss and gradient computed by PyTorch in float64 (kldiv / PyTorch float32)")
        print(f"{'positions x vocabulary':>24} {'kldiv ms':>9} {'PyTorch ms':>11} {'ratio':>6}   {'loss error':>19}"
              f"   {'gradient max error':>19}", flush=True)
        for n, v in SHAPES:
            subprocess.run([sys.executable, __file__, "--threads", str(args.threads), "--repeats", str(args.repeats),
                            "--shape", f"{n}x{v}"], env=env, check=True)
        return
    torch.set_num_threads(args.threads)
    kldiv_loss = kt.DistillationLoss(temperature=2.0, reduction="batchmean", threads=args.threads)
    for n, v in [tuple(int(x) for x in args.shape.split("x"))]:
        g = torch.Generator().manual_seed(n + v)
        teacher = torch.randn(n, v, generator=g) * 3
        student = (teacher + 0.5 * torch.randn(n, v, generator=g)).requires_grad_()
        times = {"kldiv": [], "torch": []}
        for _ in range(args.repeats):
            for name, f in (("kldiv", kldiv_loss), ("torch", pytorch_loss)):
                start = time.perf_counter()
                step(f, student, teacher)
                times[name].append(time.perf_counter() - start)
        s64 = student.detach().double().requires_grad_()
        reference, reference_grad = step(pytorch_loss, s64, teacher.double())
        reference_grad = reference_grad.clone()

        def error(loss_of):
            loss, grad = step(loss_of, student, teacher)
            return (abs(loss.double() - reference).item() / reference.item(),
                    ((grad.double() - reference_grad).abs().max() / reference_grad.abs().max()).item())

        ours, theirs = error(kldiv_loss), error(pytorch_loss)
        k, t = statistics.median(times["kldiv"]), statistics.median(times["torch"])
        print(f"{f'{n} x {v}':>24} {1e3 * k:9.1f} {1e3 * t:11.1f} {t / k:6.1f}   {ours[0]:8.1e} / {theirs[0]:8.1e}"
              f"   {ours[1]:8.1e} / {theirs[1]:8.1e}")


if __name__ == "__main__":
    main()
