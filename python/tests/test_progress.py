"""progress= on long work (kldiv.progress) and Monte Carlo's converged flag."""
import builtins
import warnings

import numpy as np
import pytest

import kldiv.distributions as kd
import kldiv.estimate as ke
import kldiv.llm


def record():
    calls = []
    return calls, lambda done, total, bytes_done: calls.append((done, total, bytes_done))


def test_a_callback_sees_the_start_and_the_end_of_each_piece_of_work():
    rng = np.random.default_rng(3)
    x, y = rng.normal(0, 1, (400, 2)), rng.normal(0.3, 1, (400, 2))
    calls, callback = record()
    r = ke.kl_divergence_knn(x, y, ci=0.9, resamples=300, permutations=200, progress=callback)
    assert r.interval.resamples == 300 and r.test.permutations == 200
    # Three pieces in turn: the neighbour searches (x in x and in y: 800 points), the bootstrap, the
    # permutations; each from 0 to its total, never decreasing.
    totals = [t for t in dict.fromkeys(c[1] for c in calls)]
    assert totals == [800, 300, 200]
    for total in totals:
        part = [c for c in calls if c[1] == total]
        assert part[0] == (0, total, 0.0) and part[-1] == (total, total, 0.0)
        done = [c[0] for c in part]
        assert done == sorted(done)
    # Counts too, and nothing without progress=.
    calls, callback = record()
    ke.kl_divergence_counts([5, 3, 2], [3, 3, 4], ci=0.9, resamples=50, progress=callback)
    assert calls[0] == (0, 50, 0.0) and calls[-1] == (50, 50, 0.0)


def test_monte_carlo_reports_its_plan_and_whether_it_converged():
    calls, callback = record()
    r = kd.kl_divergence("normal(0, 1)", "laplace(0, 1)", method="monte_carlo", mc_error=1e-3, max_samples=100000,
                         progress=callback)
    assert r.converged and r.samples == 65536 and r.error < 1e-3
    assert calls[0] == (0, 16384, 0.0)  # the pilot
    assert calls[-1] == (65536, 65536, 0.0)
    with pytest.warns(RuntimeWarning, match=r"^kl_divergence: Monte Carlo stopped at max_samples = 100000 with a "
                                            r"standard error of \S+ nats, above mc_error = 1e-06 nats"):
        short = kd.kl_divergence("normal(0, 1)", "laplace(0, 1)", method="monte_carlo", mc_error=1e-6,
                                 max_samples=100000)
    assert not short.converged and short.error > 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kd.kl_divergence("normal(0, 1)", "normal(1, 2)").converged  # closed form: nothing to reach


def test_llm_compare_reports_positions_and_bytes(tmp_path):
    rng = np.random.default_rng(5)
    ref = rng.normal(0, 2, (64, 300)).astype(np.float32)
    np.save(tmp_path / "ref.npy", ref)
    np.save(tmp_path / "cand.npy", ref + rng.normal(0, 0.1, ref.shape).astype(np.float32))
    calls, callback = record()
    d = kldiv.llm.compare(tmp_path / "ref.npy", tmp_path / "cand.npy", progress=callback)
    assert d["positions"] == 64
    assert calls[0][:2] == (0, 64) and calls[-1][:2] == (64, 64)
    assert calls[-1][2] == 2 * ref.nbytes  # both models' rows read


def test_an_exception_in_the_callback_stops_the_work_and_reaches_the_caller():
    def stop(done, total, bytes_done):
        if done > 0:
            raise KeyboardInterrupt
    x = np.random.default_rng(1).normal(size=(300, 1))
    with pytest.raises(KeyboardInterrupt):
        ke.kl_divergence_knn(x, x + 1, ci=0.9, resamples=10000, progress=stop)


def test_monte_carlo_passes_the_callbacks_exception_on():
    # It was taken for a special function's failure ("... is undefined at these parameters").
    def stop(done, total, bytes_done):
        if done > 0:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        kd.kl_divergence("normal(0, 1)", "laplace(0, 1)", method="monte_carlo", mc_error=1e-5, progress=stop)


def test_true_shows_a_tqdm_bar_or_a_line_on_stderr(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    kd.kl_divergence("normal(0, 1)", "laplace(0, 1)", method="monte_carlo", progress=True)
    err = capsys.readouterr().err
    assert "Monte Carlo: 100%" in err and "samples/s" in err  # tqdm's bar
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    ke.kl_divergence_counts([5, 3, 2], [3, 3, 4], ci=0.9, resamples=50, progress=True)
    assert capsys.readouterr().err.endswith("\rbootstrap: 50/50 resamples\n")


def test_progress_must_be_a_flag_or_a_callable():
    for bad in ("yes", 1, 0.5):
        with pytest.raises(TypeError, match="progress = .*, but it must be None, True, False or a callable"):
            kd.kl_divergence("normal(0, 1)", "laplace(0, 1)", method="monte_carlo", progress=bad)
    assert kd.kl_divergence("normal(0, 1)", "normal(1, 1)", progress=False).value == pytest.approx(0.5)
