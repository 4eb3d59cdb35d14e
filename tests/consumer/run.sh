#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then builds tests/consumer against it twice:
# with find_package(kldiv CONFIG) and with pkg-config; then compiles and runs the C++ code blocks of
# README.md against it (readme_snippets.py). Arguments: BUILD_DIR WORK_DIR CMAKE CXX.
set -euo pipefail
build=$1 work=$2 cmake=$3 cxx=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log"
grep -q "^MIT License" "$work/prefix/share/doc/kldiv/LICENSE"  # the license, installed beside the docs

"$cmake" -S "$here" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_COMPILER="$cxx" > "$work/configure.log"
"$cmake" --build "$work/cmake-build" > "$work/build.log"
"$work/cmake-build/consumer"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046
"$cxx" "$here/main.cpp" -o "$work/consumer-pkgconfig" $(pkg-config --cflags --libs kldiv)
"$work/consumer-pkgconfig"
echo "consumer package: find_package and pkg-config both work"

/usr/bin/python3 "$here/readme_snippets.py" "$here/../../README.md" "$work/readme.cpp"
# shellcheck disable=SC2046
"$cxx" -std=c++20 -Wno-unused-variable -Wno-unused-but-set-variable "$work/readme.cpp" -o "$work/readme" \
    $(pkg-config --cflags --libs kldiv)
"$work/readme"
echo "README.md's C++ blocks compile against the installed kldiv and run"
