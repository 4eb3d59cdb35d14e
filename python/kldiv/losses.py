"""Training losses on logits with their gradients: knowledge distillation and KL penalties.

``distillation_loss(student, teacher, kind=...)`` returns the loss and the gradients of the
(reduced) loss with respect to the student's and, on request, the teacher's logits, as arrays of the
logits' shape and dtype — for frameworks that take a gradient from outside (e.g. a custom
``torch.autograd.Function``). With temperature T, P_s = softmax(student / T), P_t = softmax(teacher / T):
``"forward_kl"`` is D(P_t‖P_s) (the usual distillation loss), ``"reverse_kl"`` is D(P_s‖P_t),
``"js"`` is β D(P_t‖M) + (1 − β) D(P_s‖M) with M = β P_t + (1 − β) P_s. With
``scale_by_temperature_squared`` (Hinton's convention, the default) the loss is T²·D, so that
∂loss/∂student = T (P_s − P_t) for the forward KL.
"""
from collections import namedtuple

import numpy as np

from . import _kldiv
from .measures import _as_rows, _base_value, _error, _named, _threads

LossResult = namedtuple("LossResult", ["loss", "grad_student", "grad_teacher"])


def distillation_loss(student, teacher, *, kind="forward_kl", temperature=1.0, beta=0.5,
                      scale_by_temperature_squared=True, base=None, reduction="mean", axis=-1, grad_student=True,
                      grad_teacher=False, threads=None):
    """The loss (a float, or per-distribution values with reduction="none") and its gradients."""
    function = "distillation_loss"
    S, batch = _as_rows(function, "student", student, axis)
    T, batch_t = _as_rows(function, "teacher", teacher, axis)
    if S.shape != T.shape:
        raise _error(function, f"student has shape {np.shape(student)} and teacher has shape "
                         f"{np.shape(teacher)}, but both must have the same shape")
    if S.dtype != T.dtype:
        S, T = S.astype(np.float64), T.astype(np.float64)
    S, T = np.ascontiguousarray(S), np.ascontiguousarray(T)
    try:
        loss, gs, gt = _kldiv.distillation_loss(S, T, kind, float(temperature), float(beta),
                                                bool(scale_by_temperature_squared), _base_value(function, base),
                                                reduction, bool(grad_student), bool(grad_teacher),
                                                _threads(function, threads))
    except ValueError as e:
        raise _named(function, e) from None

    def shaped(g):
        if g is None:
            return None
        return np.moveaxis(g.reshape(batch + (g.shape[-1],)), -1, axis)

    value = float(loss[0]) if reduction != "none" else (loss.reshape(batch) if batch else float(loss[0]))
    return LossResult(value, shaped(gs), shaped(gt))
