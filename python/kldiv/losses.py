"""Training losses on logits with their gradients: knowledge distillation and KL penalties.

``distillation_loss(student, teacher, kind=...)`` returns the loss and the gradients of the
(reduced) loss with respect to the student's and, on request, the teacher's logits, as arrays of the
logits' shape and dtype — for frameworks that take a gradient from outside (:mod:`kldiv.torch`
wraps it as a ``torch.autograd.Function``). With temperature T, P_s = softmax(student / T),
P_t = softmax(teacher / T): ``"forward_kl"`` is D(P_t‖P_s) (the usual distillation loss),
``"reverse_kl"`` is D(P_s‖P_t), ``"js"`` is β D(P_t‖M) + (1 − β) D(P_s‖M) with
M = β P_t + (1 − β) P_s. With ``scale_by_temperature_squared`` (Hinton's convention, the default)
the loss is T²·D, so that ∂loss/∂student = T (P_s − P_t) for the forward KL. ``mask`` (False: the
position is left out, its gradient 0) and ``weights`` (per position) broadcast to the positions
(the shape without ``axis``).
"""
from collections import namedtuple

import numpy as np

from . import _kldiv
from .measures import _Array, _as_array, _base_value, _error, _events_last, _named, _per_row, _real, _rows_of, _threads

LossResult = namedtuple("LossResult", ["loss", "grad_student", "grad_teacher"])


def _logit_rows(function, student, teacher, axis):
    """Both logits as C-contiguous rows of one dtype the loss kernels take (float32 or float64;
    16-bit logits are computed in float32), the positions' shape and the dtype to give back
    (the inputs' own, float64 when they differ), and the number of events."""
    S, T = _as_array(function, "student", student), _as_array(function, "teacher", teacher)
    if S.shape != T.shape:
        raise _error(function, f"student has shape {S.shape} and teacher has shape {T.shape}, but both must have "
                               "the same shape")
    given = S.storage if S.storage == T.storage else "float64"
    compute = np.float64 if given == "float64" else np.float32
    rows = []
    for name, x in (("student", S), ("teacher", T)):
        values = x.as_float64() if x.storage == "bfloat16" else x.array
        moved = _events_last(function, name, _Array(values, x.storage), axis)
        r, batch = _rows_of(function, name, moved, S.shape, axis)
        rows.append(np.ascontiguousarray(r, dtype=compute))
    events = moved.shape[-1]
    return rows[0], rows[1], batch, given, events


def distillation_loss(student, teacher, *, kind="forward_kl", temperature=1.0, beta=0.5,
                      scale_by_temperature_squared=True, base=None, reduction="mean", axis=-1, grad_student=True,
                      grad_teacher=False, threads=None, mask=None, weights=None):
    """The loss (a float, or per-distribution values with reduction="none") and its gradients."""
    function = "distillation_loss"
    S, T, batch, given, events = _logit_rows(function, student, teacher, axis)
    try:
        loss, gs, gt = _kldiv.distillation_loss(S, T, kind, _real(function, "temperature", temperature),
                                                _real(function, "beta", beta), bool(scale_by_temperature_squared),
                                                _base_value(function, base), reduction, bool(grad_student),
                                                bool(grad_teacher), _threads(function, threads),
                                                _per_row(function, "weights", weights, batch, np.float64),
                                                _per_row(function, "mask", mask, batch, np.uint8))
    except ValueError as e:
        raise _named(function, e) from None

    def shaped(g):
        if g is None:
            return None
        g = np.moveaxis(g.reshape(batch + (events,)), -1, axis)
        return g if given == "bfloat16" else g.astype(given, copy=False)

    value = float(loss[0]) if reduction != "none" else (loss.reshape(batch) if batch else float(loss[0]))
    return LossResult(value, shaped(gs), shaped(gt))
