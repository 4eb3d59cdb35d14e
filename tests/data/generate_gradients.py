#!/usr/bin/python3
"""PyTorch autograd references for tests/test_losses.cpp: distillation losses and their gradients.

    /usr/bin/python3 tests/data/generate_gradients.py > tests/data/gradients/torch.txt

Needs Debian's python3-torch (1.13). For each case: the student and teacher logits (float64,
seeded), then PyTorch's loss and its gradients with respect to both, in float64:
  forward_kl: F.kl_div(F.log_softmax(s/T), F.log_softmax(t/T), log_target=True, reduction='batchmean') * T**2
  reverse_kl: F.kl_div(F.log_softmax(t/T), F.log_softmax(s/T), log_target=True, reduction='batchmean') * T**2
  js (beta):  beta*KL(P_t||M) + (1-beta)*KL(P_s||M), M = beta*P_t + (1-beta)*P_s, mean over rows, * T**2
Then the same kinds with masked logits (−inf: probability 0) in the teacher, the student or both,
where PyTorch's F.kl_div gives NaN (0·(−inf)): the loss as the direct sum over each row's support,
Σ_{p>0} p (ln p − ln q), with the masked entries replaced by 0 before the product so that autograd
stays finite; an event where P is 0 and Q is not still counts, through Q's normalizer.
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


def kl_on_support(lp, lq):
    """Σ_{p>0} p (ln p − ln q) per row, finite under autograd where p = 0."""
    support = torch.isfinite(lp)
    safe_lp, safe_lq = torch.where(support, lp, 0.0), torch.where(support, lq, 0.0)
    return torch.where(support, safe_lp.exp() * (safe_lp - safe_lq), 0.0).sum(-1)


def masked_loss_of(kind, s, t, temperature, beta):
    ls, lt = F.log_softmax(s / temperature, -1), F.log_softmax(t / temperature, -1)
    if kind == "forward_kl":
        value = kl_on_support(lt, ls).mean()
    elif kind == "reverse_kl":
        value = kl_on_support(ls, lt).mean()
    else:
        # ln M; where both are masked M is 0 too and unused (a finite stand-in keeps autograd finite).
        stacked = torch.stack([lt + np.log(beta), ls + np.log(1 - beta)])
        lm = torch.logsumexp(torch.where(torch.isfinite(lt) | torch.isfinite(ls), stacked, 0.0), 0)
        value = (beta * kl_on_support(lt, lm) + (1 - beta) * kl_on_support(ls, lm)).mean()
    return value * temperature ** 2


def print_case(kind, temperature, beta, s, t, value):
    rows, cols = s.shape
    print(f"case {kind} {temperature!r} {beta!r} {rows} {cols}")
    for name, v in (("student", s), ("teacher", t), ("grad_student", s.grad), ("grad_teacher", t.grad)):
        if name == "grad_student":
            print(f"loss {value.item()!r}")
        print(name, " ".join(repr(x) for x in v.detach().numpy().ravel().tolist()))


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
                print_case(kind, temperature, beta, s, t, value)
    # Masked logits: the P of the divergence (the teacher for forward_kl, the student for
    # reverse_kl; both in turn for js) gives probability 0 to events the other keeps, and both
    # mask one event together. Row 2 keeps a single event in P.
    for kind in ("forward_kl", "reverse_kl", "js"):
        for temperature in (1.0, 2.5):
            rows, cols = 3, 11
            s_np, t_np = rng.normal(0, 2, (rows, cols)), rng.normal(0, 2, (rows, cols))
            p_np, q_np = (s_np, t_np) if kind == "reverse_kl" else (t_np, s_np)
            p_np[:, [2, 7]] = -np.inf
            q_np[:, 7] = -np.inf
            p_np[2, :] = -np.inf
            p_np[2, 4] = 1.5
            if kind == "js":
                q_np[0, 9] = -np.inf
            s = torch.tensor(s_np, requires_grad=True)
            t = torch.tensor(t_np, requires_grad=True)
            value = masked_loss_of(kind, s, t, temperature, 0.5)
            value.backward()
            print_case(kind, temperature, 0.5, s, t, value)


if __name__ == "__main__":
    main()
