#!/usr/bin/env bash
# Lays out every C++ file of the project with .clang-format (clang-format-14), or with --check lists
# the files whose layout differs and exits 1 (ctest's `format`).
#
#   scripts/format.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.h' 2>/dev/null || find src include cli report python/src tests fuzz bench examples -name '*.[ch]pp' -o -name '*.h')
if [[ "${1:-}" == "--check" ]]; then
  status=0
  for f in $files; do
    if ! clang-format-14 "$f" | cmp -s - "$f"; then echo "$f: not laid out by .clang-format (run scripts/format.sh)"; status=1; fi
  done
  [[ $status == 0 ]] && echo "every C++ file is laid out by .clang-format"
  exit $status
fi
clang-format-14 -i $files
