"""The kldiv command shipped in the package (kldiv/bin/kldiv): ``python -m kldiv`` runs it with the
arguments, standard input and output and the exit code passed through, and says clearly when the
package has none. (pip's ``kldiv`` console script runs the same function: python/tests/pip_install.sh.)"""
import json
import os
import subprocess
import sys

import pytest

import kldiv
import kldiv.__main__


def test_a_package_without_the_command_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(kldiv.__main__, "command", lambda: str(tmp_path / "bin" / "kldiv"))
    assert kldiv.__main__.main(["--version"]) == 127
    err = capsys.readouterr().err
    assert err.startswith("kldiv: the kldiv command is not installed with this Python package: ")
    assert f"{tmp_path / 'bin' / 'kldiv'} does not exist" in err and "kldiv_cli" in err
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "kldiv").write_text("")
    assert kldiv.__main__.main([]) == 127
    assert "is not executable" in capsys.readouterr().err


@pytest.fixture
def command():
    if not os.access(kldiv.__main__.command(), os.X_OK):
        pytest.skip("this build tree has no kldiv command in its package (KLDIV_BUILD_CLI off)")


def python_m_kldiv(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "kldiv", *args], capture_output=True, text=True, **kwargs)


def test_python_m_kldiv_runs_the_command(command):
    r = python_m_kldiv("--version")
    assert (r.returncode, r.stdout.strip()) == (0, kldiv.__version__)
    r = python_m_kldiv("compare", "/dev/stdin", "--q", "0.5,0.5", "--base", "bits", "--json", input="0.2\n0.8\n")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["unit"] == "bits" and abs(result["kl_pq"] - 0.2780719051126377) < 1e-15, result
    r = python_m_kldiv("compare", "--p", "0.2,0.8", "--q", "0.5")
    assert r.returncode != 0 and r.stderr.startswith("kldiv compare")
    assert python_m_kldiv("--no-such-option").returncode == 2
