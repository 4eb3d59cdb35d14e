#!/usr/bin/env bash
# Installs every Debian package kldiv needs to build, test and regenerate its reference data.
# Idempotent: when everything is installed it changes nothing and makes no network request.
#   scripts/setup.sh          build and test dependencies
#   scripts/setup.sh --dev    also the tools for checking reports by eye, rebuilding the example
#                             data (headless Chromium, the English and French word lists) and
#                             running the peer benchmarks (jemalloc)
set -euo pipefail

packages=(
  g++ make cmake ninja-build pkg-config           # toolchain
  libhwy-dev                                      # SIMD kernels (Highway, runtime dispatch)
  libeigen3-dev                                   # linear algebra of the multivariate families
  libboost-math-dev                               # special functions and quadrature
  libnanoflann-dev                                # k-d trees (kNN estimators)
  libgtest-dev libgmock-dev                       # unit tests
  libbenchmark-dev                                # bench/
  libfmt-dev libcli11-dev nlohmann-json3-dev      # the kldiv command
  python3 python3-mpmath python3-gmpy2 python3-numpy  # tests/data generators (run with /usr/bin/python3)
  python3-pandas                                  # tests/data/tables/generate_tables.py
  python3-scipy                                   # bench/compare_peers.py, Python tests
  python3-sklearn                                 # mutual information tests and benchmarks beside scikit-learn
  python3-dev pybind11-dev python3-pytest         # the Python package and its tests
  python3-pip python3-venv python3-setuptools     # pip install of the package from the checkout
  python3-dask python3-distributed                # kldiv.dask and its tests
  python3-torch                                   # the Python tests compare with PyTorch
  python3-tqdm                                    # progress=True shows a tqdm bar (tested)
  clang-14 libclang-rt-14-dev llvm-14             # fuzz/ (libFuzzer, ASan, UBSan; llvm-symbolizer)
  clang-format-14                                 # .clang-format, checked by ctest (format)
  zsh groff-base                                  # the completion scripts and man page are checked
)
if [[ "${1:-}" == "--dev" ]]; then
  packages+=(chromium wamerican wfrench libjemalloc2)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
