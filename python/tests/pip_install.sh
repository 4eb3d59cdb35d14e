#!/usr/bin/env bash
# Installs the package from the checkout with pip, as the README says (a virtual environment with
# Debian's site packages, no build isolation, no index), then uses it from outside the source tree.
# Arguments: SOURCE_DIR WORK_DIR.
set -euo pipefail
source=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
KLDIV_PIP_BUILD_DIR="$work/cmake" "$work/venv/bin/pip" install --quiet --no-build-isolation --no-index \
  "$source" > "$work/pip.log" 2>&1 || { cat "$work/pip.log"; exit 1; }
cd "$work"
"$work/venv/bin/python" - <<'PY'
import pathlib
import kldiv
assert "venv" in pathlib.Path(kldiv.__file__).parts, kldiv.__file__
assert abs(kldiv.kl_divergence([0.2, 0.8], [0.5, 0.5], base=2) - 0.27807190511263774) < 1e-15
assert (pathlib.Path(kldiv.__file__).parent / "py.typed").exists()
print("pip install: kldiv imports from", pathlib.Path(kldiv.__file__).parent)
PY
