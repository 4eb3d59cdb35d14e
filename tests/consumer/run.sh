#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then builds tests/consumer against it twice:
# with find_package(kldiv CONFIG) and with pkg-config. Arguments: BUILD_DIR WORK_DIR CMAKE CXX.
set -euo pipefail
build=$1 work=$2 cmake=$3 cxx=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log"

"$cmake" -S "$here" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_COMPILER="$cxx" > "$work/configure.log"
"$cmake" --build "$work/cmake-build" > "$work/build.log"
"$work/cmake-build/consumer"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046
"$cxx" "$here/main.cpp" -o "$work/consumer-pkgconfig" $(pkg-config --cflags --libs kldiv)
"$work/consumer-pkgconfig"
echo "consumer package: find_package and pkg-config both work"
