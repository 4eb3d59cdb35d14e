#!/usr/bin/env bash
# The README's first command: set up, build, and run kldiv's main job on the bundled example data —
# how many extra bits per letter does a code built for French waste on English?
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
kldiv=${KLDIV_BUILD_DIR:-$root/build}/cli/kldiv
data=$root/examples/data
mkdir -p "$root/out"

echo "== kldiv compare: English letters (P) against a French letter code (Q)"
"$kldiv" compare "$data/letters-english.csv" "$data/letters-french.csv" --counts --base bits
echo
echo "== kldiv explain: which letters make the difference"
"$kldiv" explain "$data/letters-english.csv" "$data/letters-french.csv" --counts --base bits --top 8 \
  --html "$root/out/letters-report.html"
echo
echo "Report with charts: $root/out/letters-report.html"
echo
echo "== examples/mle: maximum likelihood is minimum KL divergence (Poisson fit to horse-kick deaths)"
"${KLDIV_BUILD_DIR:-$root/build}/examples/mle" --html "$root/out/mle.html"
echo "Report with charts: $root/out/mle.html"
