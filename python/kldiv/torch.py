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
teacher; second derivatives are not available (differentiating a gradient taken with
create_graph=True raises). A mean over no position (every label ignored) is nan, as PyTorch's
cross_entropy gives, with zero gradients.

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
from .measures import _base_value, _error, _named, _numpy, _real, _threads

__all__ = ["distillation_loss", "DistillationLoss", "kl_div_loss", "KLDivergenceLoss", "normal_kl", "NormalKLLoss"]

_REDUCTIONS = ("mean", "sum", "batchmean", "none")


def _positions(function, name, values, shape):
    """``mask``, ``labels`` or ``weights`` (a tensor, array or None) as a NumPy array of the
    positions' shape."""
    if values is None:
        return None
    a = np.asarray(_numpy(values))
    kinds = {"mask": "biu", "labels": "iu", "weights": "iuf"}[name]
    if a.dtype.kind not in kinds:
        rule = {"mask": "booleans (True: the position counts)", "labels": "integers (token ids)",
                "weights": "real numbers"}[name]
        raise TypeError(f"{function}: {name} has dtype {a.dtype}, but it must hold {rule}")
    if name == "weights":
        a = a.astype(np.float64)
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        raise _error(function, f"{name} has shape {a.shape}, but it must broadcast to the positions' shape "
                               f"{tuple(shape)}") from None


def _first_order(function, gradient, source):
    """``gradient`` (with respect to the input ``source``) as backward returns it. When the backward
    pass itself is being recorded (create_graph=True), the gradient is tied to ``source`` through a
    node that raises if it is differentiated: these losses have no second derivatives, and a silent
    zero would be wrong."""
    if not torch.is_grad_enabled() or not source.requires_grad:
        return gradient
    message = f"kldiv.torch.{function}: second derivatives are not available (its gradient was taken with " \
              "create_graph=True and then differentiated)"
    tripwire = torch._C._functions.DelayedError(message.encode(), 1)(source)
    return gradient + tripwire.masked_fill(torch.ones_like(tripwire, dtype=torch.bool), 0)


def _floating(function, name, t):
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{function}: {name} is {type(t).__name__}, but it must be a torch.Tensor "
                        f"(kldiv.{'losses' if function == 'distillation_loss' else 'distributions'}.{function} "
                        "takes NumPy arrays)")
    if not t.is_floating_point():
        raise TypeError(f"{function}: {name} has dtype {str(t.dtype).replace('torch.', '')}, but it must be a "
                        "floating-point tensor")


def _counted_weight(shape, mask, weights):
    """The total weight of the positions a mean counts."""
    w = np.ones(shape) if weights is None else np.asarray(weights, dtype=np.float64)
    return float(w[np.asarray(mask) != 0].sum()) if mask is not None else float(w.sum())


class _Distillation(torch.autograd.Function):
    """The loss of two logits tensors (vocabulary last), its gradients computed with it."""

    @staticmethod
    def forward(ctx, student, teacher, settings):
        function, kind, temperature, beta, scale, base, reduction, mask, weights, threads = settings
        S, T, batch, _, _ = _logit_rows(function, student, teacher, -1)
        core_reduction = "sum" if reduction == "batchmean" else reduction
        first = student.shape[0] if student.dim() > 1 else 1  # batchmean's divisor
        if reduction == "batchmean" and first > 0:  # Σ v / B as weights 1/B: gradients come scaled, no extra pass
            weights = np.broadcast_to(1.0 / first if weights is None else weights / first, batch)
        want_student, want_teacher = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        ctx.function = function
        if (reduction == "mean" and _counted_weight(batch, mask, weights) == 0) or \
                (reduction == "batchmean" and first == 0):
            # As torch.nn.functional.cross_entropy with every position ignored: nan, no gradient.
            ctx.save_for_backward(*(torch.zeros_like(t) for t in (student, teacher)), student, teacher)
            ctx.have, ctx.per_position = (want_student, want_teacher), False
            return torch.full((), float("nan"), dtype=student.dtype, device=student.device)
        try:
            loss, gs, gt = _kldiv.distillation_loss(
                S, T, kind, temperature, beta, scale, base, core_reduction, want_student, want_teacher, threads,
                None if weights is None else np.ascontiguousarray(weights, dtype=np.float64).reshape(-1),
                None if mask is None else np.ascontiguousarray(mask != 0, dtype=np.uint8).reshape(-1))
        except ValueError as e:
            raise _named(function, e) from None
        def given(a):
            return torch.from_numpy(a).to(dtype=student.dtype, device=student.device)

        grads = [None if g is None else given(g.reshape(student.shape)) for g in (gs, gt)]
        ctx.save_for_backward(*(g if g is not None else torch.empty(0) for g in grads), student, teacher)
        ctx.have = (gs is not None, gt is not None)
        ctx.per_position = reduction == "none"
        value = given(loss)
        return value.reshape(batch) if reduction == "none" else value.reshape(())

    @staticmethod
    def backward(ctx, grad_loss):
        grads = []
        saved = ctx.saved_tensors
        upstream = grad_loss.detach()
        # loss.backward() passes 1: the stored gradient is the answer, without a pass over it.
        unit = not ctx.per_position and upstream.numel() == 1 and upstream.item() == 1.0
        for gradient, source, have in zip(saved[:2], saved[2:], ctx.have):
            if not have:
                grads.append(None)
            else:
                scaled = gradient if unit else gradient * (upstream.unsqueeze(-1) if ctx.per_position else upstream)
                grads.append(_first_order(ctx.function, scaled, source))
        return grads[0], grads[1], None


def distillation_loss(student, teacher, *, kind="forward_kl", temperature=1.0, beta=0.5,
                      scale_by_temperature_squared=True, base=None, reduction="mean", dim=-1, mask=None,
                      labels=None, ignore_index=-100, weights=None, threads=None):
    """The distillation loss of ``student`` against ``teacher`` logits as a tensor in the autograd
    graph (see the module's documentation for the arguments)."""
    function = "distillation_loss"
    for name, t in (("student", student), ("teacher", teacher)):
        _floating(function, name, t)
    if reduction not in _REDUCTIONS:
        raise _error(function, f"reduction = {reduction!r}, but it must be one of {', '.join(_REDUCTIONS)}")
    if student.shape != teacher.shape:
        raise _error(function, f"student has shape {tuple(student.shape)} and teacher has shape "
                               f"{tuple(teacher.shape)}, but both must have the same shape")
    if student.dim() == 0:
        raise _error(function, "student is a scalar, but logits need an axis of events")
    if isinstance(dim, bool) or not isinstance(dim, int) or not -student.dim() <= dim < student.dim():
        raise _error(function, f"dim = {dim!r}, but it must be an integer in [{-student.dim()}, {student.dim() - 1}] "
                               f"(the logits have {student.dim()} dimensions)")
    if weights is not None and reduction == "none":
        raise _error(function, "weights are given with reduction = 'none', but weights apply to the sum and the "
                               "mean only")
    s, t = student.movedim(dim, -1), teacher.movedim(dim, -1)
    shape = tuple(s.shape[:-1])
    mask = _positions(function, "mask", mask, shape)
    if mask is not None:
        mask = mask != 0
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
        ctx.save_for_backward(*(g if g is not None else torch.empty(0) for g in grads),
                              *(t if t is not None else torch.empty(0) for t in (mean_p, log_var_p, mean_q, log_var_q)))
        ctx.have = [g is not None for g in grads]
        ctx.per_row = reduction == "none"
        return torch.as_tensor(result.loss, dtype=dtype).to(mean_p.device)

    @staticmethod
    def backward(ctx, grad_loss):
        out = []
        upstream = grad_loss.detach()
        saved = ctx.saved_tensors
        for gradient, source, have, needed in zip(saved[:4], saved[4:], ctx.have, ctx.needs_input_grad[:4]):
            if not have or not needed:
                out.append(None)
            else:
                out.append(_first_order("normal_kl", gradient * (upstream.unsqueeze(-1) if ctx.per_row else upstream),
                                        source))
        return (*out, None, None)


def normal_kl(mean_p, log_var_p, mean_q=None, log_var_q=None, *, reduction="mean", threads=None):
    """D(N(μp, diag e^lvp) ‖ N(μq, diag e^lvq)) per row (N(0, I) as Q when mean_q and log_var_q are
    None), reduced by ``reduction`` ("mean", "sum" or "none"), differentiable with respect to
    every tensor that requires a gradient. float32 tensors go to the core as float32, other dtypes
    as float64; the loss and gradients come back in mean_p's dtype."""
    function = "normal_kl"
    for name, t in (("mean_p", mean_p), ("log_var_p", log_var_p), ("mean_q", mean_q), ("log_var_q", log_var_q)):
        if t is not None:
            _floating(function, name, t)
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
