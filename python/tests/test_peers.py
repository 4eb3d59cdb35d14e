"""Agreement with PyTorch's kl_div (on random cases) and PyTorch CPU tensors as inputs."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import kldiv


def test_matches_torch_kl_div_on_random_logits():
    g = torch.Generator().manual_seed(4)
    a = torch.randn(16, 777, generator=g, dtype=torch.float64) * 2
    b = torch.randn(16, 777, generator=g, dtype=torch.float64) * 2
    expected = F.kl_div(F.log_softmax(b, -1), F.log_softmax(a, -1), log_target=True, reduction="none").sum(-1)
    np.testing.assert_allclose(kldiv.kl_divergence(a.numpy(), b.numpy(), input="logits"), expected.numpy(),
                               rtol=1e-12)
    batchmean = F.kl_div(F.log_softmax(b, -1), F.log_softmax(a, -1), log_target=True, reduction="batchmean")
    assert kldiv.kl_divergence(a, b, input="logits", reduction="mean") == pytest.approx(batchmean.item(), rel=1e-12)


def test_torch_cpu_tensors_are_accepted_without_copy_semantics_changing_results():
    t = torch.rand(5, 100, dtype=torch.float32)
    t = t / t.sum(-1, keepdim=True)
    np.testing.assert_array_equal(kldiv.entropy(t, normalize=True), kldiv.entropy(t.numpy(), normalize=True))
    assert kldiv.entropy(t.double(), normalize=True).shape == (5,)
