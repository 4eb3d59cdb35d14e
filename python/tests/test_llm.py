"""kldiv.llm.compare and kldiv.dask.llm_compare: the statistics of `kldiv llm-compare` in Python.

The inputs and the independent float64 NumPy statistics come from tests/data/llm_compare_numpy.py
(300 positions × 2000 tokens: float32 reference logits, a float16 candidate, token ids with
unknowns, a mask), re-sharded here so that the reference (2 files) and the candidate (3 files) split
at different positions. Tolerances: 1e-6 relative for means and perplexities (the rows are single
precision), the stated percentile bound for the median, 1e-12 for the same-top fraction (a mean of
0/1 values). The dict must equal the command's --json output and the Dask result exactly.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dask
import kldiv.dask
import kldiv.llm

DATA_SCRIPT = Path(__file__).resolve().parents[2] / "tests" / "data" / "llm_compare_numpy.py"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("llm")
    subprocess.run([sys.executable, str(DATA_SCRIPT), str(d)], check=True)
    ref = np.load(d / "ref.npy")
    cand = np.concatenate([np.load(d / "cand-0.npy"), np.load(d / "cand-1.npy")])
    for i, (a, b) in enumerate([(0, 140), (140, 300)]):
        np.save(d / f"r-{i}.npy", ref[a:b])
    for i, (a, b) in enumerate([(0, 100), (100, 210), (210, 300)]):
        np.save(d / f"c-{i}.npy", cand[a:b])
    return d, json.loads((d / "expected.json").read_text())


def relative(got, want):
    return abs(got - want) / abs(want)


def test_statistics_equal_numpy(inputs):
    d, expected = inputs
    r = kldiv.llm.compare(str(d / "r-*.npy"), d / "c-?.npy", tokens=d / "tokens.npy", mask=str(d / "mask.npy"),
                          reverse_kl=True, threads=2)
    assert r["positions"] == 300 and r["vocabulary"] == 2000 and r["token_source"] == "--tokens"
    assert r["reference"] == {"input": str(d / "r-*.npy"), "format": "npy float32"}
    assert r["candidate"]["format"] == "npy float16"
    assert r["scored"] == expected["positions"] and r["scored_with_token"] == expected["positions_with_token"]
    kl = expected["kl"]
    assert relative(r["kl"]["mean"], kl["mean"]) < 1e-6
    assert relative(r["kl"]["standard_error"], kl["standard_error"]) < 1e-6
    median = kl["percentiles"]["50"]
    assert abs(r["kl"]["median"] - median) <= r["kl"]["percentile_error"] + 1e-6 * median
    assert relative(r["reverse_kl"]["mean"], expected["reverse_kl"]["mean"]) < 1e-6
    assert abs(r["same_top"]["fraction"] - expected["same_top"]["fraction"]) < 1e-12
    for name in ("reference", "candidate", "ratio"):
        assert relative(r["perplexity"][name]["mean"], expected["perplexity"][name]["mean"]) < 1e-6, name
    assert [(f["file"], f["first_position"]) for f in r["files"]] == [(str(d / f"c-{i}.npy"), a)
                                                                       for i, a in enumerate((0, 100, 210))]
    assert sum(f["scored"] for f in r["files"]) == r["scored"]

    # Arrays instead of .npy paths, and a list of files instead of a pattern: the same numbers.
    listed = kldiv.llm.compare([d / "r-0.npy", d / "r-1.npy"], str(d / "c-?.npy"), tokens=np.load(d / "tokens.npy"),
                               mask=np.load(d / "mask.npy"), reverse_kl=True)
    assert listed["reference"]["input"] == f"{d / 'r-0.npy'} {d / 'r-1.npy'}"
    assert dict(listed, reference=r["reference"]) == r
    # The candidate as one safetensors file: the same positions, hence (up to the merge's rounding) the same mean.
    whole = kldiv.llm.compare(d / "ref.npy", d / "whole.safetensors", tokens=d / "tokens.npy", mask=d / "mask.npy")
    assert whole["candidate"]["format"].startswith("safetensors") and whole["scored"] == r["scored"]
    assert relative(whole["kl"]["mean"], kl["mean"]) < 1e-6


def test_equals_the_command_json(inputs):
    cli = os.environ.get("KLDIV_CLI")
    if not cli or not os.path.exists(cli):
        pytest.skip("KLDIV_CLI (the kldiv command, set by the python_tests ctest) is not available")
    d, _ = inputs
    args = [str(d / "r-*.npy"), str(d / "c-*.npy"), "--tokens", str(d / "tokens.npy"), "--mask", str(d / "mask.npy"),
            "--js"]
    out = subprocess.run([cli, "llm-compare", *args, "--json", "--quiet"], check=True, capture_output=True, text=True)
    r = kldiv.llm.compare(args[0], args[1], tokens=args[3], mask=args[5], js=True)
    assert r == json.loads(out.stdout)


@pytest.fixture(scope="module")
def scheduler():
    """A distributed.LocalCluster of two worker processes when distributed is installed, else Dask's threads."""
    try:
        import distributed
    except ImportError:
        yield None
        return
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_equals_single_machine(inputs, scheduler):
    d, _ = inputs
    tokens = np.load(d / "tokens.npy")
    for kwargs in (dict(tokens=tokens, mask=d / "mask.npy", reverse_kl=True), dict(js=True, buffer_mib=1)):
        single = kldiv.llm.compare(str(d / "r-*.npy"), str(d / "c-*.npy"), **kwargs)
        distributed = kldiv.dask.llm_compare(str(d / "r-*.npy"), str(d / "c-*.npy"), **kwargs)
        assert len(distributed["files"]) == 3
        assert distributed == single


def test_llama_cpp_files(scheduler):
    """Real llama.cpp files (tests/data/llama-cpp-kld, unpacked by CMake into KLDIV_LLAMA_CPP_FIXTURE):
    the reference's floored tokens lumped, a candidate given as llama.cpp's own file too; the dict
    counts floored actual tokens, its mean KL is within the fixture's tolerance of the exact one, and
    Dask gives the same dict."""
    fixture = os.environ.get("KLDIV_LLAMA_CPP_FIXTURE")
    if not fixture:
        pytest.skip("KLDIV_LLAMA_CPP_FIXTURE (the unpacked llama.cpp files, set by the python_tests ctest) is not set")
    files = Path(fixture)
    expected = json.loads((files / "expected.json").read_text())
    ref, cand = files / "reference.kld", files / "candidate.kld"
    r = kldiv.llm.compare(ref, cand)
    assert r["floored_next_token"] == {"reference": 0, "candidate": 0}
    assert r["files"][0]["floored_next_token"] == {"reference": 0, "candidate": 0}
    want = expected["exact"]["kl"]["mean"]
    assert relative(r["kl"]["mean"], want) < expected["tolerances"]["kld"]["kl.mean"]["relative"]
    assert kldiv.dask.llm_compare(ref, cand) == r


def test_bad_inputs_are_clear_errors(inputs, tmp_path):
    d, _ = inputs
    np.save(tmp_path / "narrow.npy", np.zeros((300, 1999), np.float32))
    np.save(tmp_path / "short.npy", np.zeros((299, 2000), np.float32))
    (tmp_path / "notes.txt").write_text("not a model's rows\n")
    with pytest.raises(ValueError, match="1999"):
        kldiv.llm.compare(d / "ref.npy", tmp_path / "narrow.npy")
    with pytest.raises(ValueError, match="299"):
        kldiv.llm.compare(d / "ref.npy", tmp_path / "short.npy")
    with pytest.raises(ValueError, match="notes.txt"):
        kldiv.llm.compare(d / "ref.npy", tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="matches no file"):
        kldiv.llm.compare(str(tmp_path / "none-*.npy"), d / "ref.npy")
    with pytest.raises(ValueError, match="token ids"):
        kldiv.llm.compare(d / "ref.npy", d / "ref.npy", tokens=np.full(300, -2))
    with pytest.raises(ValueError, match="1-D"):
        kldiv.llm.compare(d / "ref.npy", d / "ref.npy", mask=np.ones((300, 1)))
    with pytest.raises(ValueError, match="299"):
        kldiv.dask.llm_compare(d / "ref.npy", tmp_path / "short.npy")


def test_verify_reference_equals_the_command_and_names_what_differs(tmp_path):
    cli = os.environ.get("KLDIV_CLI")
    if not cli:
        pytest.skip("KLDIV_CLI (the kldiv command, set by the python_tests ctest) is not available")
    rng = np.random.default_rng(4)
    logits = (3 * rng.standard_normal((9, 150))).astype(np.float32)
    tokens = rng.integers(0, 150, 9).astype(np.int32)
    np.save(tmp_path / "x.npy", logits)
    np.save(tmp_path / "t.npy", tokens)
    out = subprocess.run([cli, "llm-reference", str(tmp_path / "x.npy"), str(tmp_path / "x.kref"), "--tokens",
                          str(tmp_path / "t.npy"), "--encoding", "float16", "--verify", "--json"],
                         check=True, capture_output=True, text=True)
    expected = json.loads(out.stdout)["verify"]
    for input_given, tokens_given in ((tmp_path / "x.npy", tmp_path / "t.npy"), (tmp_path / "x.npy", tokens),
                                      (logits, tokens), (logits.astype(np.float64)[:, ::-1][:, ::-1], tokens)):
        found = kldiv.llm.verify_reference(input_given, tmp_path / "x.kref", tokens=tokens_given)
        assert found == {key: expected[key] for key in found}
    assert 0 < found["largest_error_to_bound"] <= 1 and found["dropped_values"] == 0
    # The largest error, found here from the decoded float16 values of log_softmax in float64.
    log_p = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    assert found["largest_error"] == pytest.approx(np.abs(log_p.astype(np.float16) - log_p).max(), rel=1e-6)

    swapped = logits.copy()
    swapped[2, [5, 6]] = swapped[2, [6, 5]]
    np.save(tmp_path / "swapped.npy", swapped)
    with pytest.raises(ValueError, match=r"^verify_reference: row 2: column 5: "):
        kldiv.llm.verify_reference(tmp_path / "swapped.npy", tmp_path / "x.kref", tokens=tokens)
    with pytest.raises(ValueError, match=r"^verify_reference: the file holds next-token ids, but none are given"):
        kldiv.llm.verify_reference(tmp_path / "x.npy", tmp_path / "x.kref")


def test_verify_reference_refuses_what_is_not_a_model_or_ids(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((2, 3), dtype=np.float32))
    for model in (None, b"x.npy", 3):
        with pytest.raises(TypeError, match=r"^kldiv.llm: the input is .*, but it must be a path, a pattern, a list of paths, or an array"):
            kldiv.llm.verify_reference(model, tmp_path / "x.kref")
    with pytest.raises(kldiv.Error, match=r"^kldiv.llm: tokens is an empty array"):
        kldiv.llm.verify_reference(tmp_path / "x.npy", tmp_path / "x.kref", tokens=np.zeros(0, dtype=np.int64))
    with pytest.raises(kldiv.Error, match=r"^kldiv.llm: tokens must be a path to a .npy or a 1-D integer array"):
        kldiv.llm.verify_reference(tmp_path / "x.npy", tmp_path / "x.kref", tokens=np.array([True, False]))


def test_a_padded_vocabulary_is_compared_over_the_shared_tokens(inputs, tmp_path):
    d, _ = inputs
    cand = np.concatenate([np.load(d / "cand-0.npy"), np.load(d / "cand-1.npy")]).astype(np.float32)
    np.save(tmp_path / "plain.npy", cand)  # one file, as the padded one (summaries merge per file)
    np.save(tmp_path / "padded.npy", np.concatenate([cand, np.full((cand.shape[0], 3), -np.inf, np.float32)], 1))
    with pytest.raises(ValueError, match=r"over 2003 tokens, but they must match \(if one vocabulary is padded, compare the "
                                         r"first tokens of both with vocabulary = 2000\)"):
        kldiv.llm.compare(d / "ref.npy", tmp_path / "padded.npy")
    plain = kldiv.llm.compare(d / "ref.npy", tmp_path / "plain.npy", tokens=d / "tokens.npy")
    padded = kldiv.llm.compare(d / "ref.npy", tmp_path / "padded.npy", tokens=d / "tokens.npy", vocabulary=2000)
    assert padded["vocabulary"] == 2000
    assert padded["kl"] == plain["kl"] and padded["perplexity"] == plain["perplexity"]


def test_top_k_overlap_of_any_k(inputs):
    d, expected = inputs
    r = kldiv.llm.compare(d / "ref.npy", d / "cand-*.npy", mask=d / "mask.npy", top_k=20)
    assert relative(r["top_k_overlap"]["20"]["mean"], expected["top_k_overlap"]["20"]["mean"]) < 1e-13
    assert "20" not in kldiv.llm.compare(d / "ref.npy", d / "cand-*.npy")["top_k_overlap"]
    with pytest.raises(kldiv.Error, match=r"^kldiv.llm: top_k = 101, but it must be an integer in \[1, 100\]"):
        kldiv.llm.compare(d / "ref.npy", d / "cand-*.npy", top_k=101)


@pytest.mark.parametrize("scheduler", ["sync"])
def test_dask_agrees_on_nothing_scored_and_top_k(inputs, scheduler):
    d, _ = inputs
    np.save(d / "none.npy", np.zeros(300, np.uint8))
    with dask.config.set(scheduler=scheduler):
        for run in (kldiv.llm.compare, kldiv.dask.llm_compare):
            with pytest.raises(kldiv.Error, match="the mask leaves out all 300 positions, so nothing is compared"):
                run(d / "ref.npy", d / "cand-*.npy", mask=d / "none.npy")
        local = kldiv.llm.compare(d / "ref.npy", str(d / "c-?.npy"), top_k=20)
        assert kldiv.dask.llm_compare(d / "ref.npy", str(d / "c-?.npy"), top_k=20) == local


def _without_inputs(document):
    """The document without what names the inputs (files, formats)."""
    d = json.loads(json.dumps(document))
    for key in ("reference", "candidate", "files"):
        d.pop(key)
    return d


def test_arrays_memory_maps_and_tensors_give_the_files_numbers(inputs):
    import torch

    d, _ = inputs
    ref = np.load(d / "ref.npy")
    cand = np.concatenate([np.load(d / "cand-0.npy"), np.load(d / "cand-1.npy")])
    tokens, mask = np.load(d / "tokens.npy"), np.load(d / "mask.npy")
    # One file per model: a model in memory is one "file", and summaries merged over several files
    # differ from one file's in the last bits.
    np.save(d / "c-all.npy", cand)
    from_files = kldiv.llm.compare(d / "ref.npy", d / "c-all.npy", tokens=d / "tokens.npy", mask=d / "mask.npy",
                                   js=True, top_k=3)
    want = _without_inputs(from_files)
    given = {
        "arrays": (ref, cand),
        "memory maps": (np.load(d / "ref.npy", mmap_mode="r"), np.load(d / "c-all.npy", mmap_mode="r")),
        "tensors": (torch.from_numpy(ref).requires_grad_(), torch.from_numpy(cand)),
        "batch × sequence": (ref.reshape(3, 100, -1), torch.from_numpy(cand).reshape(6, 50, -1)),
        "strided": (np.pad(ref, ((0, 0), (0, 7)))[:, :-7], cand),
    }
    for name, (r, c) in given.items():
        got = kldiv.llm.compare(r, c, tokens=torch.from_numpy(tokens), mask=mask, js=True, top_k=3)
        assert _without_inputs(got) == want, name
    r = kldiv.llm.compare(ref, torch.from_numpy(cand))
    assert r["reference"] == {"input": "array of shape (300, 2000), float32", "format": "array float32"}
    assert r["candidate"] == {"input": "array of shape (300, 2000), float16", "format": "array float16"}
    # bfloat16 logits: the widened values as float32 arrays give the same numbers.
    bf = torch.from_numpy(cand.astype(np.float32)).to(torch.bfloat16)
    assert _without_inputs(kldiv.llm.compare(ref, bf)) == _without_inputs(
        kldiv.llm.compare(ref, bf.float().numpy()))
    with pytest.raises(kldiv.Error, match=r"the candidate is an array of shape \(2000,\), but a model's rows need 2"):
        kldiv.llm.compare(ref, cand[0])
    with pytest.raises(TypeError, match="dtype int64"):
        kldiv.llm.compare(ref, np.zeros((300, 2000), dtype=np.int64))
    with pytest.raises(kldiv.Error, match=r"the candidate is an array of shape \(300, 1\), but a vocabulary needs"):
        kldiv.llm.compare(ref, cand[:, :1])
    # Token ids and mask of batch × sequence logits may keep that shape; one row for every position.
    assert _without_inputs(kldiv.llm.compare(ref.reshape(3, 100, -1), cand.reshape(3, 100, -1),
                                             tokens=tokens.reshape(3, 100), mask=mask.reshape(3, 100), js=True,
                                             top_k=3)) == want
    one_row = kldiv.llm.compare(np.broadcast_to(ref[0], (5, 2000)), np.broadcast_to(ref[0], (5, 2000)))
    assert one_row["kl"]["mean"] == 0.0
    with pytest.raises(kldiv.Error, match="must match"):
        kldiv.llm.compare(ref, cand[:299])
