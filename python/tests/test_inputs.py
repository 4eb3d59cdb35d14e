"""The measures take what users hold: NumPy arrays of any layout, memory maps, PyTorch tensors (every
float dtype, requires_grad), broadcasting p against q, axis=None, empty batches, mask= and weights=.

References are the direct definitions in NumPy/SciPy float64 (scipy.special.rel_entr) or PyTorch's
own functions on the same values widened to float64: nothing here shares kldiv's algebra."""
import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch

import kldiv

RTOL = 1e-12  # kldiv against the float64 direct sums of well-conditioned random rows


def _probs(rng, shape, axis=-1):
    x = rng.uniform(0.05, 1.0, size=shape)
    return x / x.sum(axis=axis, keepdims=True)


def _kl(p, q, axis=-1):
    return scipy.special.rel_entr(p, q).sum(axis=axis)


@pytest.fixture
def pq():
    rng = np.random.default_rng(18)
    return _probs(rng, (4, 5, 7)), _probs(rng, (4, 5, 7))


def test_every_layout_gives_the_direct_sum(pq, tmp_path):
    p, q = pq
    want = _kl(p, q)
    layouts = {
        "fortran": (np.asfortranarray(p), np.asfortranarray(q)),
        "reversed": (p[::-1, ::-1, ::-1], q[::-1, ::-1, ::-1]),
        "big-endian": (p.astype(">f8"), q.astype(">f8")),
        "read-only": tuple(np.array(x) for x in (p, q)),
    }
    for x in layouts["read-only"]:
        x.setflags(write=False)
    for name, (a, b) in layouts.items():
        got = kldiv.kl_divergence(a, b)
        expected = want[::-1, ::-1] if name == "reversed" else want
        np.testing.assert_allclose(got, expected, rtol=RTOL, err_msg=name)
    # Every other row and event (renormalized) and the events along axis 0 of a transposed view.
    sub_p, sub_q = p[:, ::2, ::2], q[:, ::2, ::2]
    sub_p, sub_q = sub_p / sub_p.sum(-1, keepdims=True), sub_q / sub_q.sum(-1, keepdims=True)
    np.testing.assert_allclose(kldiv.kl_divergence(sub_p, sub_q), _kl(sub_p, sub_q), rtol=RTOL)
    np.testing.assert_allclose(kldiv.kl_divergence(p.T, q.T, axis=0), want.T, rtol=RTOL)
    # Memory maps, float16 on disk with a big-endian twin.
    for dtype in ("<f2", ">f4"):
        np.save(tmp_path / "p.npy", p.astype(dtype))
        np.save(tmp_path / "q.npy", q.astype(dtype))
        mp, mq = np.load(tmp_path / "p.npy", mmap_mode="r"), np.load(tmp_path / "q.npy", mmap_mode="r")
        widened_p, widened_q = np.asarray(mp, dtype=np.float64), np.asarray(mq, dtype=np.float64)
        np.testing.assert_allclose(kldiv.kl_divergence(mp, mq, normalize=True),
                                   _kl(widened_p / widened_p.sum(-1, keepdims=True),
                                       widened_q / widened_q.sum(-1, keepdims=True)), rtol=1e-9, err_msg=dtype)


def test_p_and_q_broadcast_by_numpys_rules(pq):
    p, q = pq
    one_q = q[1, 2]
    np.testing.assert_allclose(kldiv.kl_divergence(p, one_q), _kl(p, np.broadcast_to(one_q, p.shape)), rtol=RTOL)
    np.testing.assert_allclose(kldiv.kl_divergence(one_q, p), _kl(np.broadcast_to(one_q, p.shape), p), rtol=RTOL)
    a, b = p[:, :1], q[:1, :]  # (4, 1, 7) against (1, 5, 7) → (4, 5)
    got = kldiv.js_divergence(a, b)
    assert got.shape == (4, 5)
    m = (np.broadcast_to(a, (4, 5, 7)) + np.broadcast_to(b, (4, 5, 7))) / 2
    np.testing.assert_allclose(got, (_kl(np.broadcast_to(a, m.shape), m) + _kl(np.broadcast_to(b, m.shape), m)) / 2,
                               rtol=1e-11)
    # Logits of one q for every row, as in scoring many prompts against one reference.
    logits_p, logits_q = np.log(p) + 3.0, np.log(one_q) - 1.0
    np.testing.assert_allclose(kldiv.kl_divergence(logits_p, logits_q, input="logits"),
                               _kl(p, np.broadcast_to(one_q, p.shape)), rtol=1e-11)
    with pytest.raises(kldiv.Error, match=r"p has shape \(4, 5, 7\) and q has shape \(3, 7\), but they must be equal "
                                          r"or broadcast"):
        kldiv.kl_divergence(p, q[0, :3])
    with pytest.raises(kldiv.Error, match="broadcast"):
        kldiv.kl_divergence(p, q[..., :6])


def test_axis_none_is_one_distribution_over_every_element(pq):
    p, q = pq
    P, Q = p / p.sum(), q / q.sum()
    assert kldiv.kl_divergence(P, Q, axis=None) == pytest.approx(scipy.stats.entropy(P.ravel(), Q.ravel()),
                                                                 rel=RTOL)
    assert kldiv.entropy(P, axis=None) == pytest.approx(scipy.stats.entropy(P.ravel()), rel=RTOL)
    kept = kldiv.kl_divergence(P, Q, axis=None, keepdims=True)
    assert kept.shape == (1, 1, 1)
    assert kept[0, 0, 0] == kldiv.kl_divergence(P, Q, axis=None)
    with pytest.raises(kldiv.Error, match="sum"):  # the rows of p sum to 1, the whole array to 20
        kldiv.kl_divergence(p, q, axis=None)


def test_empty_batches_give_empty_results_and_no_events_is_an_error():
    for shape, batch in (((0, 3), (0,)), ((2, 0, 3), (2, 0)), ((0, 0), (0,))):
        got = kldiv.kl_divergence(np.zeros(shape), np.zeros(shape))
        assert isinstance(got, np.ndarray) and got.shape == batch and got.dtype == np.float64
        assert kldiv.entropy(np.zeros(shape), reduction="sum") == 0.0
        np.testing.assert_array_equal(got, np.sum(np.zeros(shape), axis=-1))  # NumPy's empty result
    with pytest.raises(kldiv.Error, match="mean over rows whose total weight is 0"):
        kldiv.kl_divergence(np.zeros((0, 3)), np.zeros((0, 3)), reduction="mean")
    for empty in ([], np.zeros((3, 0))):
        with pytest.raises(kldiv.Error, match=r"no events along axis -1, but a distribution needs at least one event"):
            kldiv.kl_divergence(empty, empty)
    with pytest.raises(kldiv.Error, match="no events"):
        kldiv.entropy(np.zeros((2, 0)), axis=None)


def test_mask_and_weights_against_numpys_weighted_sums(pq):
    p, q = pq
    each = _kl(p, q)
    rng = np.random.default_rng(5)
    mask = rng.uniform(size=(4, 5)) < 0.6
    weights = rng.uniform(0.1, 2.0, size=(4, 5))
    assert kldiv.kl_divergence(p, q, reduction="sum", mask=mask) == pytest.approx(each[mask].sum(), rel=RTOL)
    assert kldiv.kl_divergence(p, q, reduction="mean", weights=weights) == pytest.approx(
        np.average(each, weights=weights), rel=RTOL)
    assert kldiv.kl_divergence(p, q, reduction="mean", weights=weights, mask=mask) == pytest.approx(
        np.average(each[mask], weights=weights[mask]), rel=RTOL)
    per_row = kldiv.kl_divergence(p, q, mask=mask)
    np.testing.assert_allclose(per_row, np.where(mask, each, 0.0), rtol=RTOL)
    # One flag per row of the last batch axis, broadcast over the first.
    row_mask = np.array([True, False, True, True, False])
    assert kldiv.entropy(p, reduction="sum", mask=row_mask) == pytest.approx(
        scipy.stats.entropy(p, axis=-1)[:, row_mask].sum(), rel=RTOL)
    with pytest.raises(kldiv.Error, match=r"mask has shape \(4,\), but it must broadcast to the batch shape \(4, 5\)"):
        kldiv.kl_divergence(p, q, mask=np.ones(4, dtype=bool))
    with pytest.raises(kldiv.Error, match="weights"):
        kldiv.kl_divergence(p, q, reduction="sum", weights=-np.ones((4, 5)))
    with pytest.raises(TypeError, match="mask has dtype float64"):
        kldiv.kl_divergence(p, q, mask=np.ones((4, 5)))


def test_tensors_wherever_arrays_go():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(500, 2)), rng.normal(0.5, 1.0, size=(400, 2))
    want = kldiv.estimate.kl_divergence_knn(x, y, k=3)
    for dtype in (torch.float64, torch.bfloat16):
        X = torch.tensor(x, dtype=dtype, requires_grad=True)
        Y = torch.tensor(y, dtype=dtype)
        got = kldiv.estimate.kl_divergence_knn(X, Y, k=3)
        rounded = kldiv.estimate.kl_divergence_knn(X.detach().double().numpy(), Y.double().numpy(), k=3)
        assert got.value == rounded.value
        if dtype == torch.float64:
            assert got.value == want.value
    counts = torch.tensor([3, 0, 5, 2])
    assert kldiv.estimate.entropy_counts(counts).value == kldiv.estimate.entropy_counts([3, 0, 5, 2]).value
    values = torch.tensor([0.5, 0.25, 2.0], dtype=torch.bfloat16, requires_grad=True)
    assert kldiv.summarize(values)["mean"] == pytest.approx(11 / 12, rel=1e-15)
    e = kldiv.explain(torch.tensor([0.2, 0.8], requires_grad=True), torch.tensor([0.5, 0.5]),
                      labels=torch.tensor([7, 3]))
    assert e["kl_pq"] == pytest.approx(_kl(np.array([0.2, 0.8]), np.array([0.5, 0.5])), rel=1e-15)
    assert sorted(event["label"] for event in e["ranked"]) == ["3", "7"]  # not "tensor(3)"
    assert sorted(event["label"] for event in kldiv.explain([0.2, 0.8], [0.5, 0.5], labels=np.array([2.5, 1]))[
        "ranked"]) == ["1.0", "2.5"]


def _torch_kl(p, q):
    """PyTorch's own D(P‖Q) per row, in float64: kl_div(input=log q, target=p)."""
    return torch.nn.functional.kl_div(q.double().log(), p.double(), reduction="none").sum(-1)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
def test_tensors_in_tensors_out(pq, dtype):
    p, q = pq
    P = torch.tensor(p, dtype=dtype, requires_grad=dtype.is_floating_point)
    Q = torch.tensor(q, dtype=dtype)
    got = kldiv.kl_divergence(P, Q, normalize=dtype != torch.float64)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float64 and got.shape == (4, 5)
    assert not got.requires_grad
    # The rounded values, widened exactly and renormalized, are what kldiv reads.
    Pw, Qw = P.detach().double(), Q.double()
    Pw, Qw = Pw / Pw.sum(-1, keepdim=True), Qw / Qw.sum(-1, keepdim=True)
    torch.testing.assert_close(got, _torch_kl(Pw, Qw), rtol=1e-11, atol=0)
    mean = kldiv.kl_divergence(P, Q, normalize=True, reduction="mean")
    assert isinstance(mean, torch.Tensor) and mean.shape == () and mean.dtype == torch.float64
    torch.testing.assert_close(mean, _torch_kl(Pw, Qw).mean(), rtol=1e-11, atol=0)
    # Logits of any dtype against log_softmax in float64.
    A, B = (torch.tensor(np.log(x) * 3.0, dtype=dtype) for x in (p, q))
    want = torch.nn.functional.kl_div(torch.log_softmax(B.double(), -1), torch.log_softmax(A.double(), -1),
                                      log_target=True, reduction="none").sum(-1)
    # float64 logits to 1e-10; 32- and 16-bit logits go through the single-precision kernel, stated
    # to about 1e-6 relative (docs/measures/batched_rows.md).
    rtol = 1e-10 if dtype == torch.float64 else 1e-6
    torch.testing.assert_close(kldiv.kl_divergence(A, B, input="logits"), want, rtol=rtol, atol=1e-15)
    torch.testing.assert_close(kldiv.entropy(A, input="logits"),
                               -(torch.softmax(A.double(), -1) * torch.log_softmax(A.double(), -1)).sum(-1),
                               rtol=rtol, atol=0)


def test_a_tensor_beside_an_array_and_a_transposed_tensor(pq):
    p, q = pq
    got = kldiv.kl_divergence(torch.tensor(p), q)
    assert isinstance(got, torch.Tensor)
    torch.testing.assert_close(got, torch.tensor(_kl(p, q)), rtol=RTOL, atol=0)
    P = torch.tensor(p).permute(2, 0, 1)  # events first, not contiguous along them
    torch.testing.assert_close(kldiv.cross_entropy(P, torch.tensor(q).permute(2, 0, 1), axis=0),
                               torch.tensor(_kl(p, q) + scipy.stats.entropy(p, axis=-1)), rtol=RTOL, atol=0)
    assert isinstance(kldiv.entropy(torch.tensor([0.25, 0.75])), torch.Tensor)


def test_broadcast_batches_are_read_in_blocks_not_copied():
    import tracemalloc

    rng = np.random.default_rng(9)
    p, q = _probs(rng, (150, 1, 400)), _probs(rng, (1, 120, 400))
    want = _kl(np.broadcast_to(p, (150, 120, 400)), np.broadcast_to(q, (150, 120, 400)))  # 57.6 MB each side
    tracemalloc.start()
    got = kldiv.kl_divergence(p, q)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_allclose(got, want, rtol=RTOL)
    assert peak < 4e6, peak  # the (150, 120) result and bookkeeping, not a (150, 120, 400) copy
    mask = rng.uniform(size=(150, 120)) < 0.7
    weights = rng.uniform(0.5, 2.0, size=(150, 120))
    assert kldiv.jeffreys(p, q, reduction="sum", mask=mask) == pytest.approx(
        want[mask].sum() + _kl(np.broadcast_to(q, want.shape + (400,)), np.broadcast_to(p, want.shape + (400,)))[
            mask].sum(), rel=1e-13)
    assert kldiv.kl_divergence(p, q, reduction="mean", weights=weights, mask=mask) == pytest.approx(
        np.average(want[mask], weights=weights[mask]), rel=1e-13)
    with pytest.raises(kldiv.Error, match=r"^kl_divergence: weights\[0\] = -1.0, but weights must be finite"):
        kldiv.kl_divergence(p, q, reduction="sum", weights=np.full((150, 120), -1.0))
    with pytest.raises(kldiv.Error, match="total weight is 0"):
        kldiv.kl_divergence(p, q, reduction="mean", mask=np.zeros((150, 120), dtype=bool))


def test_weights_only_where_they_weigh_something(pq):
    p, q = pq
    with pytest.raises(kldiv.Error, match=r"weights are given with reduction = 'none', but weights apply to the "
                                          r"sum and the mean only"):
        kldiv.kl_divergence(p, q, weights=np.ones((4, 5)))
    with pytest.raises(TypeError, match="weights has dtype bool"):
        kldiv.kl_divergence(p, q, reduction="sum", weights=np.ones((4, 5), dtype=bool))
    with pytest.raises(kldiv.Error, match=r"^kl_divergence: weights\[3\] = "):
        kldiv.kl_divergence(p, q, reduction="sum", weights=np.array([1, 1, 1, -2, 1.0]))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_sixteen_bit_probabilities_are_checked_within_their_roundoff(dtype):
    x, y = torch.randn(2, 8, 3000, dtype=torch.float64)
    P, Q = torch.softmax(x, -1).to(dtype), torch.softmax(y, -1).to(dtype)
    got = kldiv.kl_divergence(P, Q)  # rows off 1 by up to the storage's rounding: accepted
    Pw, Qw = P.double(), Q.double()  # and measured as the distributions they stand for
    torch.testing.assert_close(got, _torch_kl(Pw / Pw.sum(-1, keepdim=True), Qw / Qw.sum(-1, keepdim=True)),
                               rtol=1e-12, atol=0)
    with pytest.raises(kldiv.Error, match="must sum to 1 within"):
        kldiv.kl_divergence((P.double() * 1.01).to(dtype), Q)
