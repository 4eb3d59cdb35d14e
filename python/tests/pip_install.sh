#!/usr/bin/env bash
# Installs the package from the checkout with pip, as the README says (a virtual environment with
# Debian's site packages, no build isolation, no index, setup.py's own build folder build-pip/),
# then uses it from outside the source tree: the `kldiv` console script (the C++ command: its
# version, a comparison of known value, standard input, output and exit codes passed through),
# `python -m kldiv`, kldiv.__version__ against the command and the metadata, the LICENSE in the
# dist-info; and checks that CMake's developer build folder build/ of the checkout is untouched.
# Arguments: SOURCE_DIR WORK_DIR. The virtual environment is made afresh each time; setup.py's
# CMake build in SOURCE_DIR/build-pip/ is kept, so a second run rebuilds only what changed.
set -euo pipefail
source=$(cd "$1" && pwd) work=$2
# What setuptools would write into build/ by default (lib.*, bdist.*, temp.*) shows at its top level.
listing() { if [[ -d "$source/build" ]]; then ls -A "$source/build"; else echo "(no build/)"; fi; }
before=$(listing)
rm -rf "$work"
mkdir -p "$work/outside"
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
start=$SECONDS
(cd "$source" && "$work/venv/bin/pip" install --no-build-isolation --no-index . > "$work/pip.log" 2>&1) ||
  { cat "$work/pip.log"; exit 1; }
echo "pip install: $((SECONDS - start)) s"
after=$(listing)
if [[ "$before" != "$after" ]]; then
  printf 'pip install changed %s/build/:\nbefore: %s\nafter: %s\n' "$source" "$before" "$after"
  exit 1
fi
[[ -d "$source/build-pip/setuptools" ]] || { echo "setuptools did not build in $source/build-pip/"; exit 1; }

cd "$work/outside"
kldiv=$work/venv/bin/kldiv
version=$(sed -n 's/^project(kldiv VERSION \([0-9.]*\).*/\1/p' "$source/CMakeLists.txt")
[[ "$("$kldiv" --version)" == "$version" ]] || { echo "kldiv --version: $("$kldiv" --version), not $version"; exit 1; }
# D(P‖Q) of (0.2, 0.8) against (0.5, 0.5) is 0.2780719051126377 bits; P read from standard input.
out=$(printf '0.2\n0.8\n' | "$kldiv" compare /dev/stdin --q 0.5,0.5 --base bits --json)
"$work/venv/bin/python" -c 'import json, sys; d = json.loads(sys.argv[1]); kl = d["kl_pq"]
assert abs(kl - 0.2780719051126377) < 1e-15 and d["unit"] == "bits", d' "$out" ||
  { echo "kldiv compare printed: $out"; exit 1; }
status=0
"$kldiv" compare --p 0.2,0.8 --q 0.5 2> "$work/error.txt" || status=$?
[[ $status -ne 0 ]] && grep -q "kldiv compare" "$work/error.txt" ||
  { echo "kldiv compare on mismatched inputs: exit $status, $(cat "$work/error.txt")"; exit 1; }
help=$("$work/venv/bin/python" -m kldiv --help)
[[ "$help" == *"Usage: kldiv"*"compare"* ]] || { echo "python -m kldiv --help printed: $help"; exit 1; }
status=0
"$work/venv/bin/python" -m kldiv --no-such-option 2> /dev/null || status=$?
[[ $status -eq 2 ]] || { echo "python -m kldiv --no-such-option: exit $status, not 2 (a usage error)"; exit 1; }

"$work/venv/bin/python" - "$version" <<'PY'
import importlib.metadata
import pathlib
import sys

import kldiv

assert "venv" in pathlib.Path(kldiv.__file__).parts, kldiv.__file__
assert abs(kldiv.kl_divergence([0.2, 0.8], [0.5, 0.5], base=2) - 0.27807190511263774) < 1e-15
assert (pathlib.Path(kldiv.__file__).parent / "py.typed").exists()
assert kldiv.__version__ == kldiv._kldiv.__version__ == sys.argv[1] == importlib.metadata.version("kldiv"), \
    (kldiv.__version__, sys.argv[1], importlib.metadata.version("kldiv"))
meta = importlib.metadata.metadata("kldiv")
assert meta["License"] == "MIT" and "License :: OSI Approved :: MIT License" in meta.get_all("Classifier"), meta
license = [f for f in importlib.metadata.files("kldiv") if f.name == "LICENSE" and ".dist-info" in str(f)]
assert len(license) == 1, importlib.metadata.files("kldiv")
text = license[0].read_text()
assert text.startswith("MIT License") and "Copyright (c) 2026 the kldiv authors" in text, text
print(f"pip install: kldiv {kldiv.__version__} imports from {pathlib.Path(kldiv.__file__).parent}, "
      f"the command runs, {license[0]} ships")
PY
