"""kldiv.torch: the distillation losses as autograd Functions and modules, against the same losses
written with PyTorch's own log_softmax and autograd in float64 (values and gradients), and one
training step of a small model with each loss."""
import math

import numpy as np
import pytest
import torch

import kldiv
import kldiv.torch as kt


def _reference(student, teacher, kind="forward_kl", temperature=1.0, beta=0.5, scale=True):
    """Per-position loss written with PyTorch's operations (autograd through them)."""
    ls = torch.log_softmax(student / temperature, -1)
    lt = torch.log_softmax(teacher / temperature, -1)
    if kind == "forward_kl":
        d = (lt.exp() * (lt - ls)).sum(-1)
    elif kind == "reverse_kl":
        d = (ls.exp() * (ls - lt)).sum(-1)
    else:
        lm = torch.logsumexp(torch.stack([lt + math.log(beta), ls + math.log(1 - beta)]), 0)
        d = beta * (lt.exp() * (lt - lm)).sum(-1) + (1 - beta) * (ls.exp() * (ls - lm)).sum(-1)
    return d * temperature**2 if scale else d


def _logits(shape, seed, dtype=torch.float64, spread=3.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=torch.float64) * spread).to(dtype)


@pytest.mark.parametrize("kind", ["forward_kl", "reverse_kl", "js"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "batchmean", "none"])
def test_values_and_gradients_match_pytorchs_autograd_in_float64(kind, reduction):
    s = _logits((3, 4, 50), 1).requires_grad_()
    t = _logits((3, 4, 50), 2).requires_grad_()
    loss = kt.distillation_loss(s, t, kind=kind, temperature=2.5, beta=0.3, reduction=reduction)
    s_ref, t_ref = s.detach().clone().requires_grad_(), t.detach().clone().requires_grad_()
    per = _reference(s_ref, t_ref, kind, 2.5, 0.3)
    want = {"mean": per.mean(), "sum": per.sum(), "batchmean": per.sum() / 3, "none": per}[reduction]
    assert loss.dtype == torch.float64 and loss.shape == want.shape
    torch.testing.assert_close(loss, want.detach(), rtol=1e-12, atol=1e-15)
    upstream = torch.linspace(0.5, 2.0, loss.numel(), dtype=torch.float64).reshape(loss.shape)
    (loss * upstream).sum().backward()
    (want * upstream).sum().backward()
    torch.testing.assert_close(s.grad, s_ref.grad, rtol=1e-10, atol=2e-15)
    torch.testing.assert_close(t.grad, t_ref.grad, rtol=1e-10, atol=2e-15)


@pytest.mark.parametrize("dtype,rtol", [(torch.float32, 2e-5), (torch.bfloat16, 0), (torch.float16, 0)])
def test_lower_precisions_compute_on_the_given_values(dtype, rtol):
    s = _logits((8, 300), 3, dtype).requires_grad_()
    t = _logits((8, 300), 4, dtype)
    loss = kt.distillation_loss(s, t, temperature=2.0)
    loss.backward()
    assert loss.dtype == dtype and s.grad.dtype == dtype
    # The reference on the same (rounded) values, in float64, then rounded to the dtype.
    s64 = s.detach().double().requires_grad_()
    want = _reference(s64, t.double(), temperature=2.0).mean()
    want.backward()
    tol = dict(rtol=rtol, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-2, atol=1e-3)
    torch.testing.assert_close(loss.double(), want.detach(), **tol)
    torch.testing.assert_close(s.grad.double(), s64.grad, **tol)
    if dtype == torch.float32:  # and PyTorch's own float32 loss agrees as closely as float32 allows
        torch.testing.assert_close(loss, torch.nn.functional.kl_div(
            torch.log_softmax(s.detach() / 2, -1), torch.log_softmax(t / 2, -1), log_target=True,
            reduction="batchmean") * 4, rtol=1e-5, atol=1e-6)


def test_mask_labels_and_weights_leave_positions_out():
    s = _logits((2, 5, 40), 5).requires_grad_()
    t = _logits((2, 5, 40), 6)
    labels = torch.tensor([[3, -100, 7, 7, -100], [1, 2, -100, 0, 9]])
    mask = torch.tensor([[True, True, True, False, True], [True] * 5])
    weights = torch.linspace(0.5, 1.5, 10, dtype=torch.float64).reshape(2, 5)
    loss = kt.DistillationLoss(kind="reverse_kl", temperature=1.5)(s, t, labels=labels, mask=mask, weights=weights)
    loss.backward()
    s_ref = s.detach().clone().requires_grad_()
    kept = (labels != -100) & mask
    per = _reference(s_ref, t, "reverse_kl", 1.5)
    want = (per * weights)[kept].sum() / weights[kept].sum()
    want.backward()
    torch.testing.assert_close(loss, want.detach(), rtol=1e-12, atol=0)
    torch.testing.assert_close(s.grad, s_ref.grad, rtol=1e-10, atol=1e-16)
    assert torch.all(s.grad[~kept] == 0)
    # ignore_index of the module, and a mask that leaves nothing is an error naming it.
    other = kt.DistillationLoss(ignore_index=7)(s.detach(), t, labels=labels)
    torch.testing.assert_close(other, _reference(s.detach(), t)[labels != 7].mean(), rtol=1e-12, atol=0)
    assert torch.isnan(kt.distillation_loss(s, t, mask=torch.zeros(2, 5, dtype=torch.bool)))


def test_the_vocabulary_along_another_dimension_and_the_plain_kl_module():
    s = _logits((6, 30, 2), 7).requires_grad_()  # (batch, vocabulary, extra): dim=1
    t = _logits((6, 30, 2), 8)
    loss = kt.KLDivergenceLoss(temperature=3.0, dim=1)(s, t)
    loss.backward()
    s_ref = s.detach().clone().requires_grad_()
    want = _reference(s_ref.movedim(1, -1), t.movedim(1, -1), temperature=3.0, scale=False).mean()
    want.backward()
    torch.testing.assert_close(loss, want.detach(), rtol=1e-12, atol=0)
    torch.testing.assert_close(s.grad, s_ref.grad, rtol=1e-10, atol=1e-16)
    assert "temperature=3.0" in repr(kt.KLDivergenceLoss(temperature=3.0))


def test_a_training_step_equals_the_one_with_pytorchs_loss():
    torch.manual_seed(0)
    x = torch.randn(32, 16, dtype=torch.float64)
    teacher = torch.randn(32, 100, dtype=torch.float64) * 2
    models = []
    for use_kldiv in (True, False):
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.Tanh(), torch.nn.Linear(64, 100)).double()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
        for _ in range(5):
            optimizer.zero_grad()
            student = model(x)
            if use_kldiv:
                loss = kt.DistillationLoss(temperature=2.0)(student, teacher)
            else:
                loss = torch.nn.functional.kl_div(torch.log_softmax(student / 2, -1), torch.log_softmax(teacher / 2, -1),
                                                  log_target=True, reduction="batchmean") * 4
            loss.backward()
            optimizer.step()
        models.append(model)
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_bad_arguments_are_named():
    s, t = _logits((2, 5), 9), _logits((2, 5), 10)
    with pytest.raises(kldiv.Error, match=r"reduction = 'avg', but it must be one of mean, sum, batchmean, none"):
        kt.distillation_loss(s, t, reduction="avg")
    with pytest.raises(kldiv.Error, match=r"student has shape \(2, 5\) and teacher has shape \(2, 4\)"):
        kt.distillation_loss(s, t[:, :4])
    with pytest.raises(TypeError, match="kldiv.losses.distillation_loss takes NumPy arrays"):
        kt.distillation_loss(s.numpy(), t)
    with pytest.raises(kldiv.Error, match="temperature"):
        kt.distillation_loss(s, t, temperature=0.0)
    with pytest.raises(kldiv.Error, match=r"labels has shape \(3,\), but it must broadcast"):
        kt.distillation_loss(s, t, labels=torch.tensor([1, 2, 3]))
    assert np.isfinite(float(kt.distillation_loss(s, t, kind="js")))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_normal_kl_matches_torch_distributions_and_its_autograd(reduction):
    g = torch.Generator().manual_seed(11)
    mu_p, lv_p, mu_q, lv_q = (torch.randn(6, 3, 8, generator=g, dtype=torch.float64).requires_grad_()
                              for _ in range(4))
    loss = kt.normal_kl(mu_p, lv_p, mu_q, lv_q, reduction=reduction)
    refs = [t.detach().clone().requires_grad_() for t in (mu_p, lv_p, mu_q, lv_q)]
    per = torch.distributions.kl_divergence(
        torch.distributions.Independent(torch.distributions.Normal(refs[0], (refs[1] / 2).exp()), 1),
        torch.distributions.Independent(torch.distributions.Normal(refs[2], (refs[3] / 2).exp()), 1))
    want = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    torch.testing.assert_close(loss, want.detach(), rtol=1e-12, atol=1e-15)
    upstream = torch.linspace(0.5, 2.0, loss.numel(), dtype=torch.float64).reshape(loss.shape)
    (loss * upstream).sum().backward()
    (want * upstream).sum().backward()
    for got, ref in zip((mu_p, lv_p, mu_q, lv_q), refs):
        torch.testing.assert_close(got.grad, ref.grad, rtol=1e-10, atol=1e-14)
    # Against the standard normal, float32, as a module: the VAE's term.
    mu, lv = (torch.randn(64, 16, generator=g).requires_grad_() for _ in range(2))
    term = kt.NormalKLLoss()(mu, lv)
    term.backward()
    mu64, lv64 = mu.detach().double().requires_grad_(), lv.detach().double().requires_grad_()
    (-0.5 * (1 + lv64 - mu64**2 - lv64.exp()).sum(-1)).mean().backward()
    assert term.dtype == torch.float32 and mu.grad.dtype == torch.float32
    torch.testing.assert_close(mu.grad.double(), mu64.grad, rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(lv.grad.double(), lv64.grad, rtol=1e-6, atol=1e-9)


def test_what_cannot_be_computed_says_so():
    s = _logits((2, 5), 12).requires_grad_()
    t = _logits((2, 5), 13)
    # A gradient of the gradient: an error when it is taken, not a silent zero.
    for loss_of in (lambda x: kt.distillation_loss(x, t), lambda x: kt.normal_kl(x, t)):
        (g,) = torch.autograd.grad(loss_of(s), s, create_graph=True)
        with pytest.raises(RuntimeError, match="second derivatives are not available"):
            (g**2).sum().backward()
        with pytest.raises(RuntimeError, match="second derivatives are not available"):
            torch.autograd.functional.hessian(loss_of, s.detach())
    with pytest.raises(TypeError, match=r"student has dtype int64, but it must be a floating-point tensor"):
        kt.distillation_loss(torch.tensor([[0, 3, 1]]), torch.tensor([[1.0, 0, 0]]))
    with pytest.raises(TypeError, match=r"mean_p has dtype int64"):
        kt.normal_kl(torch.tensor([[1]]), torch.tensor([[0.0]]))
    with pytest.raises(TypeError, match=r"mask has dtype float32, but it must hold booleans"):
        kt.distillation_loss(s, t, mask=torch.tensor([1.0, 0.0]))
    with pytest.raises(kldiv.Error, match=r"dim = 3, but it must be an integer in \[-2, 1\]"):
        kt.distillation_loss(s, t, dim=3)
    with pytest.raises(kldiv.Error, match="weights apply to the sum and the mean only"):
        kt.distillation_loss(s, t, reduction="none", weights=torch.ones(2))
    # Every position ignored: nan, as F.cross_entropy gives, and zero gradients.
    labels = torch.full((2,), -100)
    loss = kt.distillation_loss(s, t, labels=labels)
    assert torch.isnan(loss) and torch.isnan(torch.nn.functional.cross_entropy(s.detach(), labels))
    loss.backward()
    assert torch.all(s.grad == 0)
    assert torch.isnan(kt.distillation_loss(s[:0], t[:0]))


def test_batchmean_of_an_empty_batch_is_nan_and_upstream_gradients_scale():
    s, t = _logits((0, 5), 14).requires_grad_(), _logits((0, 5), 15)
    assert torch.isnan(kt.distillation_loss(s, t, reduction="batchmean"))
    s = _logits((3, 5), 16).requires_grad_()
    t = _logits((3, 5), 17)
    (2.5 * kt.distillation_loss(s, t, reduction="batchmean", weights=torch.tensor([1.0, 2.0, 0.5]))).backward()
    s_ref = s.detach().clone().requires_grad_()
    (2.5 * (_reference(s_ref, t) * torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)).sum() / 3).backward()
    torch.testing.assert_close(s.grad, s_ref.grad, rtol=1e-10, atol=1e-16)
