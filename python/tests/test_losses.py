"""kldiv.losses against PyTorch autograd (float64 references in tests/data/gradients, made by
tests/data/generate_gradients.py with PyTorch 1.13) and against finite differences."""
import os

import numpy as np
import pytest

import kldiv

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "gradients", "torch.txt")


def torch_cases():
    cases = []
    with open(DATA, encoding="utf-8") as f:
        for line in f:
            tag, *rest = line.split()
            if tag == "case":
                kind, t, beta, rows, cols = rest
                cases.append({"kind": kind, "t": float(t), "beta": float(beta), "shape": (int(rows), int(cols))})
            else:
                cases[-1][tag] = np.array([float(x) for x in rest])
    return cases


@pytest.mark.parametrize("case", torch_cases(), ids=lambda c: f"{c['kind']}-T{c['t']}-b{c['beta']}")
def test_matches_pytorch_autograd(case):
    shape = case["shape"]
    result = kldiv.losses.distillation_loss(case["student"].reshape(shape), case["teacher"].reshape(shape),
                                            kind=case["kind"], temperature=case["t"], beta=case["beta"],
                                            grad_teacher=True)
    assert result.loss == pytest.approx(case["loss"][0], rel=1e-14)
    np.testing.assert_allclose(result.grad_student.ravel(), case["grad_student"], atol=1e-15)
    np.testing.assert_allclose(result.grad_teacher.ravel(), case["grad_teacher"], atol=1e-15)


def test_finite_differences_along_another_axis():
    rng = np.random.default_rng(3)
    s = rng.normal(0, 1.5, (7, 2))  # events along axis 0
    t = rng.normal(0, 1.5, (7, 2))
    result = kldiv.losses.distillation_loss(s, t, kind="reverse_kl", temperature=1.3, axis=0, reduction="sum")
    assert result.grad_student.shape == s.shape
    h = 1e-6
    for i in range(7):
        for j in range(2):
            up, down = s.copy(), s.copy()
            up[i, j] += h
            down[i, j] -= h
            numeric = (kldiv.losses.distillation_loss(up, t, kind="reverse_kl", temperature=1.3, axis=0,
                                                      reduction="sum").loss
                       - kldiv.losses.distillation_loss(down, t, kind="reverse_kl", temperature=1.3, axis=0,
                                                        reduction="sum").loss) / (2 * h)
            assert result.grad_student[i, j] == pytest.approx(numeric, abs=1e-8)


def test_float32_gradients_and_errors():
    s = np.zeros((2, 5), dtype=np.float32)
    result = kldiv.losses.distillation_loss(s, s)
    assert result.loss == 0.0
    assert result.grad_student.dtype == np.float32 and not result.grad_student.any()
    with pytest.raises(ValueError, match="distillation_loss: kind = 'kl_forward', but it must be forward_kl, "
                                         "reverse_kl or js"):
        kldiv.losses.distillation_loss(s, s, kind="kl_forward")
    # "kl" is forward_kl's alias (the batch measures' name of the same quantity)
    t = np.array([[0.5, -1.0, 2.0, 0.0, 1.0], [1.0, 1.0, -3.0, 0.5, 0.0]], dtype=np.float32)
    assert kldiv.losses.distillation_loss(s, t, kind="kl").loss == kldiv.losses.distillation_loss(s, t).loss > 0


def test_no_events_and_no_dimensions():
    # Logits without events are no distribution; a Gaussian of no dimensions has KL 0 (an empty sum).
    with pytest.raises(kldiv.Error, match=r"^distillation_loss: student has shape \(3, 0\): no events"):
        kldiv.losses.distillation_loss(np.empty((3, 0)), np.empty((3, 0)))
    r = kldiv.distributions.normal_kl(np.empty((3, 0)), np.empty((3, 0)))
    assert r.loss == 0.0 and r.grad_mean_p.shape == (3, 0)
