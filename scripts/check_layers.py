#!/usr/bin/python3
"""Checks that every #include in the library and its shells points down the layers of
docs/HACKING.md (or within the same folder), and that the umbrella header kldiv/kldiv.hpp includes
every public header: prints each include that points up or sideways, and each header the umbrella
leaves out, and exits 1 if there is one.

    scripts/check_layers.py [REPOSITORY_ROOT]
"""
import os
import re
import sys

# Folder (or public header) -> (level, layer). A file may include its own layer and any layer of a
# lower level; layers on the same level (distributions, estimate, io) do not include each other.
LAYERS = [
    ("src/common/", 0, "common"),
    ("src/core/", 1, "core"),
    ("src/batch/", 2, "batch"),
    ("src/distributions/", 3, "distributions"),
    ("src/estimate/", 3, "estimate"),
    ("src/io/", 3, "io"),
    ("src/llm/", 4, "llm"),
    ("src/drift/", 4, "drift"),
    ("report/", 5, "report"),
    ("cli/", 6, "cli"),
    ("python/src/", 6, "python"),
    ("include/kldiv/distributions/", 3, "distributions"),
    ("include/kldiv/estimate/", 3, "estimate"),
    ("include/kldiv/io/", 3, "io"),
    ("include/kldiv/llm/", 4, "llm"),
    ("include/kldiv/drift/", 4, "drift"),
]
# The public headers at the top of include/kldiv/: the vocabulary every layer speaks, the core's
# and the batch's.
PUBLIC = {
    **{h: (0, "common") for h in ("error", "names", "text", "units", "views", "options", "progress", "summary", "version")},
    **{h: (1, "core") for h in ("discrete", "divergences", "joint", "contributions", "comparison", "explanation", "normalized")},
    **{h: (2, "batch") for h in ("batch", "divergence_matrix", "losses", "row_options")},
}
UMBRELLA = "include/kldiv/kldiv.hpp"


def layer_of(path):
    if path.startswith("include/kldiv/") and path.count("/") == 2:
        return PUBLIC.get(os.path.splitext(os.path.basename(path))[0])
    for prefix, level, name in LAYERS:
        if path.startswith(prefix):
            return level, name
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    os.chdir(root)
    wrong = []
    for top in ("src", "include", "report", "cli", "python/src"):
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                path = os.path.join(folder, name)
                source = layer_of(path)
                if source is None and path.startswith("include/kldiv/") and path != UMBRELLA:
                    wrong.append(f"{path}: a public header in no layer (add it to PUBLIC in scripts/check_layers.py)")
                if source is None or path == UMBRELLA:
                    continue
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s+[<"]([^">]+)[">]', line)
                        if not m:
                            continue
                        included = m.group(1)
                        target = layer_of("include/" + included if included.startswith("kldiv/") else included)
                        if target is None or target[1] == source[1]:
                            continue
                        if target[0] >= source[0]:
                            wrong.append(f"{path}:{number}: {source[1]} includes {included} ({target[1]})")
    # The umbrella header includes every public header.
    with open(UMBRELLA, encoding="utf-8") as f:
        umbrella = set(re.findall(r'#include "(kldiv/[^"]+)"', f.read()))
    for folder, _, files in os.walk("include/kldiv"):
        for name in sorted(files):
            header = os.path.relpath(os.path.join(folder, name), "include")
            if name.endswith(".hpp") and "include/" + header != UMBRELLA and header not in umbrella:
                wrong.append(f"{UMBRELLA}: does not include {header}")
    for w in wrong:
        print(w)
    print(f"{len(wrong)} includes against the layers" if wrong else "every include points down the layers")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
