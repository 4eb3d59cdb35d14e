#!/usr/bin/python3
"""PyTorch autograd references for tests/test_losses.cpp: distillation losses and their gradients.

    /usr/bin/python3 tests/data/generate_gradients.py > tests/data/gradients/torch.txt

Needs Debian's python3-torch (1.13). For each case: the student and teacher logits (float64,
seeded), then PyTorch's loss and its gradients with respect to both, in float64:
  forward_kl: F.kl_div(F.log_softmax(s/T), F.log_softmax(t/T), log_target=True, reduction='batchmean') * T**2
  reverse_kl: F.kl_div(F.log_softmax(t/T), F.log_softmax(s/T), log_target=True, reduction='batchmean') * T**2
  js (beta):  beta*KL(P_t||M) + (1-beta)*KL(P_s||M), M = beta*P_t + (1-beta)*P_s, mean over rows, * T**2
Line format: "case KIND T BETA ROWS COLS", then lines "student ...", "teacher ...", "loss v",
"grad_student ...", "grad_teacher ..." with values printed with repr (17 significant digits).
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def loss_of(kind, s, t, temperature, beta):
    ls, lt = F.log_softmax(s / temperature, -1), F.log_softmax(t / temperature, -1)
    if kind == "forward_kl":
        value = F.kl_div(ls, lt, log_target=True, reduction="batchmean")
    elif kind == "reverse_kl":
        value = F.kl_div(lt, ls, log_target=True, reduction="batchmean")
    else:
        lm = torch.logsumexp(torch.stack([lt + np.log(beta), ls + np.log(1 - beta)]), 0)
        kl_tm = (lt.exp() * (lt - lm)).sum(-1)
        kl_sm = (ls.exp() * (ls - lm)).sum(-1)
        value = (beta * kl_tm + (1 - beta) * kl_sm).mean()
    return value * temperature ** 2


def main():
    rng = np.random.default_rng(20261123)
    for kind in ("forward_kl", "reverse_kl", "js"):
        for temperature in (1.0, 2.5):
            for beta in ((0.5, 0.3) if kind == "js" else (0.5,)):
                rows, cols = 3, 11
                s = torch.tensor(rng.normal(0, 2, (rows, cols)), requires_grad=True)
                t = torch.tensor(rng.normal(0, 2, (rows, cols)), requires_grad=True)
                value = loss_of(kind, s, t, temperature, beta)
                value.backward()
                print(f"case {kind} {temperature!r} {beta!r} {rows} {cols}")
                for name, v in (("student", s), ("teacher", t), ("grad_student", s.grad), ("grad_teacher", t.grad)):
                    if name == "grad_student":
                        print(f"loss {value.item()!r}")
                    print(name, " ".join(repr(x) for x in v.detach().numpy().ravel().tolist()))


if __name__ == "__main__":
    main()
