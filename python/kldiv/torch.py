"""kldiv's losses in PyTorch training: autograd Functions and ``nn.Module`` losses.

    import kldiv.torch as kt
    loss_fn = kt.DistillationLoss(temperature=2.0)                 # T²·D(P_t‖P_s), mean over positions
    loss = loss_fn(student_logits, teacher_logits, labels=labels)  # positions labelled -100 left out
    loss.backward()

The loss and its gradients come from one fused pass of kldiv's kernels over the logits (no N×V
softmax temporaries kept for the backward pass beyond the gradient itself), accurate where the
student and the teacher agree to many digits. Logits are (..., V) tensors — a batch × sequence ×
vocabulary tensor is fine — with the vocabulary along ``dim`` (the last by default), float32 or
float64 (computed in their own precision), float16 or bfloat16 (computed in float32; the loss and
the gradients come back in the logits' dtype). CPU tensors are read in place; tensors on another
device are copied to the CPU and the results copied back.

``kind``: "forward_kl" D(P_t‖P_s) (the usual distillation loss), "reverse_kl" D(P_s‖P_t) (mode
seeking; the RL penalty D(policy‖reference) with the policy as the student), "js" (β D(P_t‖M) +
(1 − β) D(P_s‖M), M = β P_t + (1 − β) P_s), with P = softmax(logits / temperature); with
``scale_by_temperature_squared`` (the default) the loss is T²·D (Hinton et al.). Positions left out
by ``mask`` (False) or whose ``labels`` equal ``ignore_index`` count in no reduction and get zero
gradients. ``reduction``: "mean" (over the positions counted, weighted by ``weights`` if given),
"sum", "batchmean" (the sum divided by the size of the first dimension, as torch.nn.KLDivLoss) or
"none" (one value per position). Gradients flow to the student and, when it requires them, the
teacher; second derivatives are not available.

``normal_kl(mean_p, log_var_p, mean_q=None, log_var_q=None)`` (and ``NormalKLLoss``) is a VAE's
KL term D(N(μp, diag e^lvp) ‖ N(μq, diag e^lvq)) (Q = N(0, I) when not given) per row of the
latent dimensions (the last axis), without the cancellation of −½Σ(1 + lv − μ² − e^lv), with its
gradients for every input that requires them.
"""
import numpy as np
import torch

from . import _kldiv
from .distributions import normal_kl as _normal_kl
from .losses import _logit_rows
from .measures import _base_value, _error, _named, _real, _threads

__all__ = ["distillation_loss", "DistillationLoss", "kl_div_loss", "KLDivergenceLoss", "normal_kl", "NormalKLLoss"]

_REDUCTIONS = ("mean", "sum", "batchmean", "none")


def _positions(function, name, values, shape):
    """``mask`` or ``weights`` (a tensor, array or None) as a NumPy array of the positions' shape."""
    if values is None:
        return None
    a = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        raise _error(function, f"{name} has shape {a.shape}, but it must broadcast to the positions' shape "
                               f"{tuple(shape)}") from None


class _Distillation(torch.autograd.Function):
    """The loss of two logits tensors (vocabulary last), its gradients computed with it."""

    @staticmethod
    def forward(ctx, student, teacher, settings):
        function, kind, temperature, beta, scale, base, reduction, mask, weights, threads = settings
        S, T, batch, _, _ = _logit_rows(function, student, teacher, -1)
        core_reduction = "sum" if reduction == "batchmean" else reduction
        want_student, want_teacher = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        try:
            loss, gs, gt = _kldiv.distillation_loss(
                S, T, kind, temperature, beta, scale, base, core_reduction, want_student, want_teacher, threads,
                None if weights is None else np.ascontiguousarray(weights, dtype=np.float64).reshape(-1),
                None if mask is None else np.ascontiguousarray(mask != 0, dtype=np.uint8).reshape(-1))
        except ValueError as e:
            raise _named(function, e) from None
        divisor = student.shape[0] if reduction == "batchmean" and student.dim() > 1 else 1

        def given(a):
            return torch.from_numpy(a).to(dtype=student.dtype, device=student.device)

        grads = [None if g is None else given(g.reshape(student.shape)) / divisor for g in (gs, gt)]
        ctx.save_for_backward(*(g if g is not None else torch.empty(0) for g in grads))
        ctx.have = (gs is not None, gt is not None)
        ctx.per_position = reduction == "none"
        value = given(loss) / divisor
        return value.reshape(batch) if reduction == "none" else value.reshape(())

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_loss):
        grads = []
        for saved, have in zip(ctx.saved_tensors, ctx.have):
            if not have:
                grads.append(None)
            elif ctx.per_position:
                grads.append(saved * grad_loss.unsqueeze(-1))
            else:
                grads.append(saved * grad_loss)
        return grads[0], grads[1], None


def distillation_loss(student, teacher, *, kind="forward_kl", temperature=1.0, beta=0.5,
                      scale_by_temperature_squared=True, base=None, reduction="mean", dim=-1, mask=None,
                      labels=None, ignore_index=-100, weights=None, threads=None):
    """The distillation loss of ``student`` against ``teacher`` logits as a tensor in the autograd
    graph (see the module's documentation for the arguments)."""
    function = "distillation_loss"
    for name, t in (("student", student), ("teacher", teacher)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{function}: {name} is {type(t).__name__}, but it must be a torch.Tensor "
                            "(kldiv.losses.distillation_loss takes NumPy arrays)")
    if reduction not in _REDUCTIONS:
        raise _error(function, f"reduction = {reduction!r}, but it must be one of {', '.join(_REDUCTIONS)}")
    if student.shape != teacher.shape:
        raise _error(function, f"student has shape {tuple(student.shape)} and teacher has shape "
                               f"{tuple(teacher.shape)}, but both must have the same shape")
    if student.dim() == 0:
        raise _error(function, "student is a scalar, but logits need an axis of events")
    s, t = student.movedim(dim, -1), teacher.movedim(dim, -1)
    shape = tuple(s.shape[:-1])
    mask = _positions(function, "mask", mask, shape)
    if labels is not None:
        kept = _positions(function, "labels", labels, shape) != ignore_index
        mask = kept if mask is None else (mask != 0) & kept
    settings = (function, kind, _real(function, "temperature", temperature), _real(function, "beta", beta),
                bool(scale_by_temperature_squared), _base_value(function, base), reduction, mask,
                _positions(function, "weights", weights, shape), _threads(function, threads))
    return _Distillation.apply(s, t, settings)


def kl_div_loss(student, teacher, **kwargs):
    """D(P_teacher‖P_student) of logits (``kind="forward_kl"``, no T² scaling by default): the
    distillation loss in its plain form; keyword arguments as :func:`distillation_loss`."""
    kwargs.setdefault("scale_by_temperature_squared", False)
    return distillation_loss(student, teacher, **kwargs)


class DistillationLoss(torch.nn.Module):
    """:func:`distillation_loss` as a module: ``DistillationLoss(kind=..., temperature=..., ...)``,
    then ``loss_fn(student_logits, teacher_logits, labels=None, mask=None, weights=None)``."""

    def __init__(self, kind="forward_kl", temperature=1.0, beta=0.5, scale_by_temperature_squared=True, base=None,
                 reduction="mean", dim=-1, ignore_index=-100, threads=None):
        super().__init__()
        self.settings = dict(kind=kind, temperature=temperature, beta=beta,
                             scale_by_temperature_squared=scale_by_temperature_squared, base=base,
                             reduction=reduction, dim=dim, ignore_index=ignore_index, threads=threads)

    def forward(self, student, teacher, labels=None, mask=None, weights=None):
        return distillation_loss(student, teacher, labels=labels, mask=mask, weights=weights, **self.settings)

    def extra_repr(self):
        return ", ".join(f"{k}={v!r}" for k, v in self.settings.items())


class KLDivergenceLoss(DistillationLoss):
    """D(P_teacher‖P_student) of logits without the T² scaling: ``KLDivergenceLoss(temperature=...)``."""

    def __init__(self, temperature=1.0, base=None, reduction="mean", dim=-1, ignore_index=-100, threads=None):
        super().__init__(kind="forward_kl", temperature=temperature, scale_by_temperature_squared=False, base=base,
                         reduction=reduction, dim=dim, ignore_index=ignore_index, threads=threads)


class _NormalKL(torch.autograd.Function):
    """A VAE's KL term of diagonal Gaussians (latent dimensions last), its gradients computed with it."""

    @staticmethod
    def forward(ctx, mean_p, log_var_p, mean_q, log_var_q, reduction, threads):
        given = [mean_p, log_var_p] + ([] if mean_q is None else [mean_q, log_var_q])
        dtype = mean_p.dtype
        compute = np.float32 if dtype == torch.float32 else np.float64
        arrays = [t.detach().cpu().to(torch.float64 if compute == np.float64 else torch.float32).numpy()
                  for t in given]
        result = _normal_kl(*arrays, reduction=reduction, gradients=any(ctx.needs_input_grad[:4]),
                            threads=threads)
        grads = [None if g is None else torch.from_numpy(np.asarray(g)).to(dtype=dtype, device=mean_p.device)
                 for g in result[1:]]
        ctx.save_for_backward(*(g if g is not None else torch.empty(0) for g in grads))
        ctx.have = [g is not None for g in grads]
        ctx.per_row = reduction == "none"
        return torch.as_tensor(result.loss, dtype=dtype).to(mean_p.device)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_loss):
        out = []
        for saved, have, needed in zip(ctx.saved_tensors, ctx.have, ctx.needs_input_grad[:4]):
            if not have or not needed:
                out.append(None)
            else:
                out.append(saved * (grad_loss.unsqueeze(-1) if ctx.per_row else grad_loss))
        return (*out, None, None)


def normal_kl(mean_p, log_var_p, mean_q=None, log_var_q=None, *, reduction="mean", threads=None):
    """D(N(μp, diag e^lvp) ‖ N(μq, diag e^lvq)) per row (N(0, I) as Q when mean_q and log_var_q are
    None), reduced by ``reduction`` ("mean", "sum" or "none"), differentiable with respect to
    every tensor that requires a gradient. float32 tensors go to the core as float32, other dtypes
    as float64; the loss and gradients come back in mean_p's dtype."""
    function = "normal_kl"
    given = [t for t in (mean_p, log_var_p, mean_q, log_var_q) if t is not None]
    for t in given:
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{function}: the inputs must be torch.Tensors (kldiv.distributions.normal_kl takes "
                            f"NumPy arrays), but one is {type(t).__name__}")
    if (mean_q is None) != (log_var_q is None):
        raise _error(function, "give both mean_q and log_var_q, or neither (the standard normal)")
    return _NormalKL.apply(mean_p, log_var_p, mean_q, log_var_q, reduction, _threads(function, threads))


class NormalKLLoss(torch.nn.Module):
    """:func:`normal_kl` as a module: ``NormalKLLoss(reduction="mean")(mean, log_var)``."""

    def __init__(self, reduction="mean", threads=None):
        super().__init__()
        self.reduction, self.threads = reduction, threads

    def forward(self, mean_p, log_var_p, mean_q=None, log_var_q=None):
        return normal_kl(mean_p, log_var_p, mean_q, log_var_q, reduction=self.reduction, threads=self.threads)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"
