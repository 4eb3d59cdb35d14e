"""kldiv.dask: the same values as the in-memory functions, bit for bit, computed block by block on a
distributed.LocalCluster of three single-threaded worker processes (loopback only) and on Dask's
local schedulers; each task's thread count as the module's rule says (one unless ``threads`` is
given), observed by recording the calls the tasks make on the workers; llm_compare's progress
through Dask's own mechanisms."""
import dask
import dask.array as da
import distributed
import numpy as np
import pytest

import kldiv
import kldiv.dask
import kldiv.llm

WORKERS = 3
MEASURES = ("kl_divergence", "entropy", "cross_entropy", "jeffreys", "js_divergence")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def logits():
    rng = np.random.default_rng(9)
    a = rng.normal(0, 2, (40, 3000)).astype(np.float32)
    b = (a + rng.normal(0, 0.05, a.shape)).astype(np.float32)
    return a, b


@pytest.fixture(scope="module")
def shards(logits, tmp_path_factory):
    """The logits as a reference in 2 .npy shards and a float16 candidate in 4 (split elsewhere), with
    token ids (some unknown) and a mask."""
    a, b = logits
    d = tmp_path_factory.mktemp("shards")
    for i, (first, end) in enumerate([(0, 15), (15, 40)]):
        np.save(d / f"r-{i}.npy", a[first:end])
    for i, (first, end) in enumerate([(0, 7), (7, 21), (21, 33), (33, 40)]):
        np.save(d / f"c-{i}.npy", b[first:end].astype(np.float16))
    rng = np.random.default_rng(10)
    np.save(d / "tokens.npy", rng.integers(-1, a.shape[1], a.shape[0]))
    np.save(d / "mask.npy", (rng.random(a.shape[0]) < 0.8).astype(np.uint8))
    return d


def blocks(a, b, rows=7):
    return da.from_array(a, chunks=(rows, a.shape[1])), da.from_array(b, chunks=(rows, b.shape[1]))


def run(function, P, Q, **kwargs):
    return getattr(kldiv.dask, function)(*((P,) if function == "entropy" else (P, Q)), **kwargs)


def test_rows_on_a_cluster_equal_the_in_memory_values(client, logits):
    a, b = logits
    P, Q = blocks(a, b)
    values = kldiv.dask.kl_divergence(P, Q, input="logits", temperature=1.5)
    assert values.shape == (40,) and values.numblocks == (6,)
    assert values.name.startswith("kldiv.kl_divergence-")  # the tasks' name in Dask's progress and dashboard
    expected = kldiv.kl_divergence(a, b, input="logits", temperature=1.5)
    np.testing.assert_array_equal(values.compute(), expected)
    summary = kldiv.dask.summarize(values)
    assert summary["count"] == 40
    assert summary["mean"] == pytest.approx(expected.mean(), rel=1e-15)
    assert summary["standard_error"] == pytest.approx(expected.std(ddof=1) / np.sqrt(40), rel=1e-12)
    assert summary["quantiles"][0.5] == pytest.approx(np.quantile(expected, 0.5), rel=1e-15)
    assert summary["max"] == expected.max()


@pytest.mark.parametrize("function", MEASURES)
def test_every_measure_on_a_cluster_equals_one_machine_bit_for_bit(client, logits, function):
    a, b = logits
    probs_a = np.exp(a - a.max(axis=1, keepdims=True))
    probs_a /= probs_a.sum(axis=1, keepdims=True)
    probs_b = np.exp(b - b.max(axis=1, keepdims=True))
    probs_b /= probs_b.sum(axis=1, keepdims=True)
    for x, y, kwargs in ((a, b, dict(input="logits")), (a, b, dict(input="logits", temperature=0.7, base=2)),
                         (probs_a, probs_b, dict(input="probs")), (a, b, dict(input="logits", threads=2))):
        P, Q = blocks(x, y, rows=6)
        single = getattr(kldiv, function)(*((x,) if function == "entropy" else (x, y)), **kwargs)
        np.testing.assert_array_equal(run(function, P, Q, **kwargs).compute(), single)


def test_llm_compare_on_a_cluster_equals_one_machine_bit_for_bit(client, shards):
    d = shards
    for kwargs in (dict(tokens=d / "tokens.npy", mask=d / "mask.npy", reverse_kl=True), dict(js=True, top_k=20),
                   dict(tokens=np.load(d / "tokens.npy"), threads=2, buffer_mib=1)):
        single = kldiv.llm.compare(str(d / "r-*.npy"), str(d / "c-*.npy"), **kwargs)
        cluster = kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), **kwargs)
        assert len(cluster["files"]) == 4
        assert cluster == single


def _record_calls():
    """On a worker (or here): wraps the per-row measures of kldiv.measures and the core's
    llm_compare_range so that each call records (what, threads, the worker's thread count)."""
    import threading

    import kldiv._kldiv
    import kldiv.measures

    calls = []
    originals = {name: getattr(kldiv.measures, name) for name in MEASURES}
    originals["llm_compare_range"] = kldiv._kldiv.llm_compare_range

    def worker_threads():
        try:
            return distributed.get_worker().state.nthreads
        except ValueError:  # not on a distributed worker: Dask's local schedulers
            return None

    def wrap(name, function):
        def recorded(*args, **kwargs):
            calls.append((name, kwargs.get("threads"), worker_threads(), threading.get_ident()))
            return function(*args, **kwargs)
        return recorded

    def compare_range(reference, candidate, options, first, rows):
        calls.append(("llm_compare_range", options["threads"], worker_threads(), threading.get_ident()))
        return originals["llm_compare_range"](reference, candidate, options, first, rows)

    for name in MEASURES:
        setattr(kldiv.measures, name, wrap(name, originals[name]))
    kldiv._kldiv.llm_compare_range = compare_range
    kldiv.dask._recorded = (calls, originals)


def _recorded_calls():
    """What _record_calls recorded since; restores the functions."""
    import kldiv._kldiv
    import kldiv.dask
    import kldiv.measures

    calls, originals = kldiv.dask.__dict__.pop("_recorded")
    for name in MEASURES:
        setattr(kldiv.measures, name, originals[name])
    kldiv._kldiv.llm_compare_range = originals["llm_compare_range"]
    return calls


def on_cluster(client, compute):
    """compute() with the workers' calls recorded: the list of every worker's calls."""
    client.run(_record_calls)
    try:
        compute()
    finally:
        recorded = client.run(_recorded_calls)
    assert len(recorded) == WORKERS
    return [call for calls in recorded.values() for call in calls]


def test_each_task_runs_on_one_thread_unless_told(client, logits, shards):
    a, b = logits
    P, Q = blocks(a, b)
    d = shards
    calls = on_cluster(client, lambda: kldiv.dask.kl_divergence(P, Q, input="logits").compute())
    assert [(name, threads, nthreads) for name, threads, nthreads, _ in calls] == [("kl_divergence", 1, 1)] * 6
    calls = on_cluster(client, lambda: kldiv.dask.entropy(P, input="logits", threads=2).compute())
    assert [(name, threads) for name, threads, _, _ in calls] == [("entropy", 2)] * 6
    calls = on_cluster(client, lambda: kldiv.dask.js_divergence(P, Q, input="logits", threads=0).compute())
    assert [threads for _, threads, _, _ in calls] == [0] * 6
    calls = on_cluster(client, lambda: kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy")))
    assert sorted(calls)[0][:3] == ("llm_compare_range", 1, 1) and len({c[:3] for c in calls}) == 1
    assert len(calls) == 4
    calls = on_cluster(client, lambda: kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), threads=3))
    assert [threads for _, threads, _, _ in calls] == [3] * 4


def test_local_threaded_scheduler_runs_one_thread_a_task(logits, shards):
    """Dask's threaded scheduler runs as many tasks at once as the machine has cores: one thread each."""
    a, b = logits
    P, Q = blocks(a, b)
    _record_calls()
    try:
        with dask.config.set(scheduler="threads"):
            np.testing.assert_array_equal(kldiv.dask.cross_entropy(P, Q, input="logits").compute(),
                                          kldiv.cross_entropy(a, b, input="logits"))
            kldiv.dask.jeffreys(P, Q, input="logits", threads=2).compute()
        with dask.config.set(scheduler="sync"):
            kldiv.dask.llm_compare(str(shards / "r-*.npy"), str(shards / "c-*.npy"))
    finally:
        calls = _recorded_calls()
    assert [(name, threads) for name, threads, _, _ in calls if name == "cross_entropy"] == [("cross_entropy", 1)] * 6
    assert [threads for name, threads, _, _ in calls if name == "jeffreys"] == [2] * 6
    assert [threads for name, threads, _, _ in calls if name == "llm_compare_range"] == [1] * 4


def test_bad_threads_are_refused_before_any_task():
    P = da.ones((4, 10), chunks=(2, 10)) / 10
    with pytest.raises(kldiv.Error, match=r"^kldiv.dask.kl_divergence: threads = -1, but it must be an integer"):
        kldiv.dask.kl_divergence(P, P, threads=-1)
    with pytest.raises(TypeError, match="threads = 1.5, but it must be an integer"):
        kldiv.dask.entropy(P, threads=1.5)
    with pytest.raises(kldiv.Error, match=r"^kldiv.dask.llm_compare: threads = -2"):
        kldiv.dask.llm_compare("ref.npy", "cand.npy", threads=-2)


def check_reports(reports, tasks):
    assert reports[0] == (0, tasks, 0) and reports[-1] == (tasks, tasks, 0)
    assert [done for done, _, _ in reports] == list(range(tasks + 1))


def test_llm_compare_progress_on_a_cluster(client, shards, capsys):
    d = shards
    single = kldiv.llm.compare(str(d / "r-*.npy"), str(d / "c-*.npy"), js=True)
    reports = []
    assert kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), js=True,
                                  progress=lambda *r: reports.append(r)) == single
    check_reports(reports, 4)
    capsys.readouterr()
    assert kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), js=True, progress=True) == single
    assert "100% Completed" in capsys.readouterr().out  # distributed.progress's text bar


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_llm_compare_progress_on_the_local_schedulers(shards, scheduler, capsys):
    d = shards
    with dask.config.set(scheduler=scheduler):
        single = kldiv.llm.compare(str(d / "r-*.npy"), str(d / "c-*.npy"))
        reports = []
        assert kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"),
                                      progress=lambda *r: reports.append(r)) == single
        check_reports(reports, 4)
        capsys.readouterr()
        assert kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), progress=True) == single
        assert "100% Completed" in capsys.readouterr().out  # dask.diagnostics.ProgressBar

        def stop(done, total, bytes_done):
            if done == 2:
                raise KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), progress=stop)
    with pytest.raises(TypeError, match="progress = 'yes', but it must be None, True, False or a callable"):
        kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), progress="yes")


def test_distributions_split_across_chunks_are_refused():
    P = da.ones((4, 10), chunks=(2, 5)) / 10
    with pytest.raises(ValueError, match="rechunk"):
        kldiv.dask.kl_divergence(P, P)
    with pytest.raises(TypeError, match="reduction"):
        kldiv.dask.kl_divergence(P.rechunk((2, 10)), P.rechunk((2, 10)), reduction="mean")
