"""kldiv.explain: the document of ``kldiv explain --json``, checked against SciPy's rel_entr and
entropy and against the command itself; the HTML report; the errors."""
import json
import math
import os
import re
import subprocess

import numpy as np
import pytest
import scipy.special
import scipy.stats

import kldiv


def test_contributions_and_totals_match_scipy():
    rng = np.random.default_rng(8)
    p, q = rng.dirichlet(np.ones(50)), rng.dirichlet(np.ones(50))
    d = kldiv.explain(p, q)
    assert d["unit"] == "nats" and d["events"] == 50 and d["shown"] == 50
    assert d["kl_pq"] == pytest.approx(scipy.stats.entropy(p, q), rel=1e-14)
    assert d["kl_qp"] == pytest.approx(scipy.stats.entropy(q, p), rel=1e-14)
    terms = scipy.special.rel_entr(p, q)
    ranked = d["ranked"]
    assert [e["rank"] for e in ranked] == list(range(1, 51))
    assert [e["index"] for e in ranked] == list(np.argsort(-terms, kind="stable"))
    for e in ranked:
        i = e["index"]
        assert e["label"] == str(i)
        assert e["p"] == pytest.approx(p[i], rel=1e-15) and e["q"] == pytest.approx(q[i], rel=1e-15)  # normalized
        assert e["contribution_pq"] == pytest.approx(terms[i], rel=1e-13, abs=1e-300)
        assert e["contribution_qp"] == pytest.approx(scipy.special.rel_entr(q[i], p[i]), rel=1e-13, abs=1e-300)
        assert e["share_pq"] == pytest.approx(terms[i] / scipy.stats.entropy(p, q), rel=1e-12)
    bits = kldiv.explain(p, q, base=2, top=3, labels=[f"e{i}" for i in range(50)])
    assert bits["unit"] == "bits" and bits["kl_pq"] == pytest.approx(d["kl_pq"] / math.log(2), rel=1e-15)
    assert bits["shown"] == 3 and [e["label"] for e in bits["ranked"]] == [f"e{e['index']}" for e in ranked[:3]]
    m = 0.25 * p + 0.75 * q  # JS with M = P/4 + 3Q/4, from its definition
    weighted = kldiv.explain(p, q, beta=0.25)
    assert weighted["beta"] == 0.25
    assert weighted["js"] == pytest.approx(0.25 * scipy.stats.entropy(p, m) + 0.75 * scipy.stats.entropy(q, m), rel=1e-13)


def test_infinite_and_zero_divergences():
    d = kldiv.explain([0.5, 0.5], [1.0, 0.0], labels=["a", "b"])
    assert d["kl_pq"] == "inf" and d["ranked"][0]["label"] == "b" and d["ranked"][0]["share_pq"] is None
    same = kldiv.explain([0.2, 0.8], [0.2, 0.8])
    assert same["kl_pq"] == 0.0 and all(e["share_pq"] is None for e in same["ranked"])
    with pytest.raises(ValueError, match=r"^explain: p\[1\] = 0.5 > 0 where q\[1\] = 0"):
        kldiv.explain([0.5, 0.5], [1.0, 0.0], on_zero="error")
    smoothed = kldiv.explain([3, 1, 0], [1, 1, 0], normalize=True, on_zero="smooth", epsilon=0.01)
    assert smoothed["ranked"][0]["p"] == pytest.approx(0.76 / 1.03, rel=1e-15)


def test_equals_the_command(tmp_path):
    cli = os.environ.get("KLDIV_CLI")
    if not cli:
        pytest.skip("KLDIV_CLI (the kldiv command, set by the python_tests ctest) is not available")
    rng = np.random.default_rng(2)
    p, q = rng.dirichlet(np.ones(12)), rng.dirichlet(np.ones(12))
    (tmp_path / "p.csv").write_text("".join(f"w{i},{x!r}\n" for i, x in enumerate(p)))
    (tmp_path / "q.csv").write_text("".join(f"w{i},{x!r}\n" for i, x in enumerate(q)))
    out = subprocess.run([cli, "explain", str(tmp_path / "p.csv"), str(tmp_path / "q.csv"), "--base", "bits",
                          "--top", "5", "--json", "--html", str(tmp_path / "cli.html")],
                         check=True, capture_output=True, text=True)
    command = json.loads(out.stdout)
    mine = kldiv.explain(p, q, labels=[f"w{i}" for i in range(12)], base=2, top=5, html=tmp_path / "py.html")
    assert {k: v for k, v in mine.items() if k not in ("p", "q")} == \
           {k: v for k, v in command.items() if k not in ("p", "q")}
    # The same report, but for the names of P and Q.
    page, cli_page = (tmp_path / "py.html").read_text(), (tmp_path / "cli.html").read_text()
    data = json.loads(re.search(r'<script type="application/json" id="kldiv-data">(.*?)</script>', page, re.S)[1])
    assert data["kl_pq"] == mine["kl_pq"] and len(data["ranked"]) == 12
    assert page.count("<svg") == cli_page.count("<svg") >= 4


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"^explain: 1 labels are given for 2 events"):
        kldiv.explain([0.5, 0.5], [0.5, 0.5], labels=["a"])
    with pytest.raises(ValueError, match=r"^explain: p has shape \(1, 2\), but a distribution here is a 1-D"):
        kldiv.explain([[0.5, 0.5]], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"^explain: on_zero = 'skip', but it must be infinity, error or smooth"):
        kldiv.explain([0.5, 0.5], [0.5, 0.5], on_zero="skip")
    with pytest.raises(ValueError, match=r"^explain: p has 2 events and q has 3"):
        kldiv.explain([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"^explain: top = -1, but it must be an integer in \[0, "):
        kldiv.explain([0.5, 0.5], [0.5, 0.5], top=-1)


def test_paths_and_labels_are_checked(tmp_path):
    for html in ("", "a\0b.html", "\udcff.html"):
        with pytest.raises(kldiv.Error, match=r"^explain: html = .*, but it must be a path as text"):
            kldiv.explain([0.5, 0.5], [0.5, 0.5], html=html)
    assert not any(tmp_path.iterdir())
    with pytest.raises(TypeError, match=r"^explain: labels = 'ab', but it must be a sequence of labels"):
        kldiv.explain([0.5, 0.5], [0.5, 0.5], labels="ab")
    with pytest.raises(TypeError, match=r"^explain: on_zero = None, but it must be a name"):
        kldiv.explain([0.5, 0.5], [0.5, 0.5], on_zero=None)
    # A lone surrogate is kept as its escape; control characters reach the HTML as U+FFFD.
    d = kldiv.explain([0.5, 0.5], [0.25, 0.75], labels=["\udcff", "a\x1bb\x00"], html=tmp_path / "r.html")
    assert sorted(e["label"] for e in d["ranked"]) == ["\\udcff", "a\x1bb\x00"]
    page = (tmp_path / "r.html").read_bytes()
    assert b"\x1b" not in page and b"\x00" not in page and "a\ufffdb\ufffd".encode() in page
