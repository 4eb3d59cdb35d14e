"""Tests of the Python functions' arguments (issue 15): each bad value raises ValueError or
TypeError naming the Python argument, the value and the rule (never pybind11's "Unable to cast",
never a silent default), and any array layout is accepted."""
import math

import numpy as np
import pytest

import kldiv
import kldiv.distributions as kd
import kldiv.estimate as ke
import kldiv.llm
import kldiv.losses as kl

P = np.array([0.2, 0.3, 0.5])
Q = np.array([0.25, 0.25, 0.5])


@pytest.mark.parametrize("base", [0, -1, 1, 0.0, math.nan, math.inf, -math.inf])
def test_a_bad_base_is_refused_everywhere(base):
    rule = r"base = \S+, but "  # the core's rule (log_base), whatever it says
    x = np.random.default_rng(1).standard_normal(50)
    calls = {
        "kl_divergence": lambda: kldiv.kl_divergence(P, Q, base=base),
        "entropy": lambda: kldiv.entropy(P, base=base),
        "js_divergence": lambda: kldiv.js_divergence(P, Q, base=base),
        "distillation_loss": lambda: kl.distillation_loss(P, Q, base=base),
        "kl_divergence_knn": lambda: ke.kl_divergence_knn(x, x + 1, base=base),
        "entropy_counts": lambda: ke.entropy_counts([3, 4, 5], base=base),
        "normal_kl": lambda: kd.normal_kl(np.zeros(3), np.zeros(3), base=base),
    }
    for function, call in calls.items():
        with pytest.raises(ValueError, match=f"^{function}: {rule}"):
            call()
    with pytest.raises(ValueError, match=f"^kl_divergence: {rule}"):
        kd.kl_divergence("normal(0, 1)", "normal(1, 1)", base=base)


def test_a_good_base_still_works():
    assert kldiv.kl_divergence(P, Q, base=2) == pytest.approx(kldiv.kl_divergence(P, Q) / math.log(2), rel=1e-15)
    assert kd.normal_kl(np.ones(3), np.zeros(3), base=2, reduction="sum").loss == pytest.approx(1.5 / math.log(2))
    with pytest.raises(TypeError, match="^entropy: base = True, but it must be a real number"):
        kldiv.entropy(P, base=True)


@pytest.mark.parametrize("epsilon", [-1.0, math.nan, 0.0, math.inf])
def test_a_bad_epsilon_is_refused(epsilon):
    with pytest.raises(ValueError, match=r"^kl_divergence: epsilon = \S+, but "):  # the core's rule for epsilon
        kldiv.kl_divergence(P, [0.5, 0.5, 0.0], on_zero="smooth", epsilon=epsilon)


def test_epsilon_is_used_and_only_with_smoothing():
    q = [0.5, 0.5, 0.0]
    small = kldiv.kl_divergence(P, q, on_zero="smooth", epsilon=1e-12)
    large = kldiv.kl_divergence(P, q, on_zero="smooth", epsilon=1e-3)
    assert small > large > 0  # epsilon=… is not replaced by the default
    assert kldiv.kl_divergence(P, q, on_zero="smooth") == kldiv.kl_divergence(P, q, on_zero="smooth", epsilon=1e-10)
    # eps: the older name, kept as an alias; not both.
    assert kldiv.kl_divergence(P, q, on_zero="smooth", eps=1e-3) == large
    with pytest.raises(ValueError, match=r"^kl_divergence: epsilon = 0.001 and eps = 0.001 are both given, but eps is "
                                         "another name of epsilon: give one"):
        kldiv.kl_divergence(P, q, on_zero="smooth", epsilon=1e-3, eps=1e-3)
    with pytest.raises(ValueError, match=r"^kl_divergence: epsilon = 1e-05 is given with on_zero = 'infinity', but "
                                         "epsilon is the smoothing amount of on_zero='smooth'"):
        kldiv.kl_divergence(P, Q, epsilon=1e-5)
    with pytest.raises(TypeError, match="^entropy: epsilon = 'x', but it must be a real number"):
        kldiv.entropy(P, on_zero="smooth", epsilon="x")


def test_one_name_and_one_default_unit_as_on_the_command_line():
    # base: nats by default, and the CLI's names ("bits", "dits", "nats") or a number.
    nats = kldiv.kl_divergence(P, Q)
    assert kldiv.kl_divergence(P, Q, base="nats") == nats
    assert kldiv.kl_divergence(P, Q, base="bits") == kldiv.kl_divergence(P, Q, base=2)
    assert kldiv.kl_divergence(P, Q, base="dits") == kldiv.kl_divergence(P, Q, base=10)
    assert kldiv.kl_divergence(P, Q, base="bits") == pytest.approx(nats / math.log(2), rel=1e-15)
    assert kd.kl_divergence("normal(0, 1)", "normal(1, 1)", base="bits").unit == "bits"
    assert kldiv.explain(P, Q, base="bits")["unit"] == "bits"
    with pytest.raises(ValueError, match="^kl_divergence: base = 'bitz', but a base must be bits, nats, dits"):
        kldiv.kl_divergence(P, Q, base="bitz")
    # Text is not a number: numeric strings are refused where a number is meant.
    for name in ("temperature", "sum_tolerance"):
        with pytest.raises(TypeError, match=f"^kl_divergence: {name} = '1', but it must be a real number"):
            kldiv.kl_divergence(P, Q, **{name: "1"})
    with pytest.raises(TypeError, match="^js_divergence: beta = '0.5', but it must be a real number"):
        kldiv.js_divergence(P, Q, beta="0.5")
    # sum_tolerance, as --sum-tolerance: how far from 1 a sum may be.
    off = [0.5, 0.3, 0.2 + 1e-4]
    with pytest.raises(ValueError, match="must sum to 1 within 1e-06"):
        kldiv.kl_divergence(off, Q)
    assert kldiv.kl_divergence(off, Q, sum_tolerance=1e-3) > 0


def test_booleans_are_not_probabilities():
    with pytest.raises(TypeError, match="^kl_divergence: p has dtype bool, but the values must be real numbers"):
        kldiv.kl_divergence([True, False], [0.5, 0.5])
    with pytest.raises(TypeError, match="^entropy: p has dtype bool"):
        kldiv.entropy(np.array([[True, False]]))
    with pytest.raises(TypeError, match="^distillation_loss: teacher has dtype bool"):
        kl.distillation_loss(np.zeros(2), np.array([True, False]))
    with pytest.raises(TypeError, match="^entropy_counts: p_counts has dtype bool"):
        ke.entropy_counts([True, True, False])
    assert kldiv.entropy([1, 1], normalize=True) == pytest.approx(math.log(2))  # integers still are numbers


def test_reversed_broadcast_and_strided_views_are_accepted():
    rng = np.random.default_rng(5)
    p = rng.random((6, 7))
    p /= p.sum(-1, keepdims=True)
    q = p[::-1].copy()
    want = kldiv.kl_divergence(np.ascontiguousarray(p[::-1, ::-1]), np.ascontiguousarray(q[::-1, ::-1]))
    np.testing.assert_array_equal(kldiv.kl_divergence(p[::-1, ::-1], q[::-1, ::-1]), want)
    np.testing.assert_array_equal(kldiv.kl_divergence(p[::-1], q[::-1]), kldiv.kl_divergence(q, p))
    row = p[0]
    rows = np.broadcast_to(row, (4, 7))  # row stride 0
    np.testing.assert_array_equal(kldiv.entropy(rows), np.full(4, kldiv.entropy(row)))
    np.testing.assert_array_equal(kldiv.kl_divergence(rows, q[:4]), kldiv.kl_divergence(np.tile(row, (4, 1)), q[:4]))
    uniform = np.broadcast_to(1.0 / 7, (3, 7))  # every stride 0
    np.testing.assert_allclose(kldiv.entropy(uniform), np.full(3, math.log(7)), rtol=1e-15)
    wide = np.zeros((6, 14))
    wide[:, ::2] = p  # events 2 apart
    np.testing.assert_array_equal(kldiv.entropy(wide[:, ::2]), kldiv.entropy(p))
    np.testing.assert_array_equal(kldiv.entropy(p.T, axis=0), kldiv.entropy(p))
    student, teacher = rng.standard_normal((2, 5, 7))
    got = kl.distillation_loss(student[::-1], teacher[::-1], reduction="none")
    np.testing.assert_array_equal(got.loss, kl.distillation_loss(student[::-1].copy(), teacher[::-1].copy(),
                                                                 reduction="none").loss)


@pytest.mark.parametrize("k, words", [(-1, r"k = -1, but it must be an integer in \[0, "),
                                      (2**64, r"k = 18446744073709551616, but it must be an integer in \[0, "),
                                      (2.5, r"k = 2.5, but it must be an integer")])
def test_k_out_of_range_names_k(k, words):
    x = np.random.default_rng(2).standard_normal(50)
    with pytest.raises((ValueError, TypeError), match=f"^kl_divergence_knn: {words}"):
        ke.kl_divergence_knn(x, x + 1, k=k)


def test_threads_out_of_range_names_threads():
    x = np.random.default_rng(3).standard_normal(50)
    with pytest.raises(ValueError, match=r"^kl_divergence_knn: threads = 1099511627776, but it must be an integer "
                                         r"in \[0, 4294967295\]"):
        ke.kl_divergence_knn(x, x + 1, threads=2**40)
    with pytest.raises(ValueError, match=r"^kl_divergence: threads = 1099511627776, but it must be an integer in \[0, "):
        kldiv.kl_divergence(P, Q, threads=2**40)
    with pytest.raises(ValueError, match=r"^kl_divergence: threads = -1, but it must be an integer in \[0, "):
        kldiv.kl_divergence(P, Q, threads=-1)
    # 0 means all cores, as on the command line and in every other function.
    assert kldiv.kl_divergence(P, Q, threads=0) == kldiv.kl_divergence(P, Q)
    with pytest.raises(ValueError, match=r"^normal_kl: threads = -1, but it must be an integer in \[0, "):
        kd.normal_kl(np.zeros(3), np.zeros(3), threads=-1)
    with pytest.raises(ValueError, match=r"^kl_divergence: threads = 1099511627776"):
        kd.kl_divergence("normal(0, 1)", "normal(1, 1)", threads=2**40)
    with pytest.raises(ValueError, match=r"^kl_divergence_counts: resamples = -5, but it must be an integer in \[0, "):
        ke.kl_divergence_counts([1, 2, 3], [3, 2, 1], ci=0.9, resamples=-5)
    with pytest.raises(ValueError, match=r"^kl_divergence_histogram: bin_count = -1"):
        ke.kl_divergence_histogram(x, x + 1, bins="fixed", bin_count=-1)


def test_a_confidence_level_outside_0_1_is_refused_not_ignored():
    # ci=nan and ci=0 returned no interval, silently.
    x = np.random.default_rng(5).standard_normal(40)
    for ci in (float("nan"), 0.0, -0.0, 1.0, -0.5, float("inf")):
        with pytest.raises(ValueError, match=r"^kl_divergence_knn: ci = .*, but the interval's level must be in \(0, 1\)"):
            ke.kl_divergence_knn(x, x + 1, ci=ci, resamples=10)
    with pytest.raises(TypeError, match=r"^entropy_counts: ci = '0.9', but it must be a number in \(0, 1\)"):
        ke.entropy_counts([1, 2, 3], ci="0.9")
    assert ke.kl_divergence_knn(x, x + 1, ci=None).interval is None
    r = ke.kl_divergence_knn(x, x + 1, ci=np.float32(0.5), resamples=10)
    assert r.interval.level == 0.5 and r.interval.low <= r.interval.high


def test_core_errors_name_the_function_once():
    x = np.random.default_rng(4).standard_normal(50)
    with pytest.raises(ValueError) as e:
        ke.kl_divergence_knn(x, x + 1, k=0)
    assert str(e.value).startswith("kl_divergence_knn: k = 0")
    assert "kl_divergence_knn: kl_divergence_knn" not in str(e.value)


def test_control_characters_in_messages_are_escaped(tmp_path):
    name = str(tmp_path / "gone\x1b[2J.npy")
    with pytest.raises(ValueError) as e:
        kldiv.llm.compare(name, name)
    assert "gone\\x1b[2J.npy: cannot open it" in str(e.value)
    assert "\x1b" not in str(e.value)


def test_every_value_error_is_a_kldiv_error_with_its_parts():
    # Python's own checks and the core's refusals: one type, named for the function called.
    for call, function, message in [
            (lambda: kldiv.kl_divergence([0.5, 0.5], [0.5, 0.5], axis=3), "kl_divergence",
             "axis = 3, but p has 1 dimensions"),
            (lambda: kldiv.entropy([0.5, 0.6]), "entropy", "p sums to 1.1"),
            (lambda: kldiv.explain([0.5, 0.5], [0.5, 0.5], labels=["a"]), "explain",
             "1 labels are given for 2 events"),
            (lambda: kldiv.llm.compare([], "x.npy"), "kldiv.llm", "the reference is an empty list of files")]:
        with pytest.raises(kldiv.Error) as raised:
            call()
        assert raised.value.function == function and raised.value.message.startswith(message)
        assert str(raised.value) == f"{function}: {raised.value.message}"
