#!/usr/bin/env bash
# Configures and builds kldiv (library, command, examples, tests) into build/ (or $KLDIV_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KLDIV_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${KLDIV_BUILD_TYPE:-Release}" "$@" > /dev/null
cmake --build "$build" -j "$(nproc)"
