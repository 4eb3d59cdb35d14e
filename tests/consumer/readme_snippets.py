#!/usr/bin/python3
"""Writes a C++ program made of the code blocks of README.md's "The C++ library" section, so that
the consumer_package test compiles them against the installed kldiv and runs them.

    readme_snippets.py README.md OUT.cpp

Each block (indented by four spaces, naming kldiv:: or kd::) goes in a scope nested in the one before, so a
block sees the names of the blocks above it, as a reader does, and may reuse a name. The prelude
declares the data the blocks leave to the reader (raw logits, VAE parameters, sizes).
"""
import sys

PRELUDE = """#include <kldiv/kldiv.hpp>

#include <cstddef>
#include <vector>

int main() {
    const std::size_t n = 2, vocab = 3, batch = 2, latent = 2;
    std::vector<float> teacher_logits{0.5f, -1.0f, 2.0f, 0.0f, 0.0f, 0.0f}, student_logits(n * vocab, 0.25f);
    const float* t = teacher_logits.data();
    const float* s = student_logits.data();
    std::vector<float> means(batch * latent, 0.1f), log_variances(batch * latent, -0.2f), g1(batch * latent),
        g2(batch * latent);
    const float* mu = means.data();
    const float* log_var = log_variances.data();
    float* grad_mu = g1.data();
    float* grad_log_var = g2.data();
"""


def blocks(text):
    section = text.split("\n## The C++ library\n", 1)[1].split("\n## ", 1)[0]
    current = []
    for line in section.splitlines() + [""]:
        if line.startswith("    "):
            current.append(line[4:])
        elif line.strip() == "" and current:
            current.append("")
        else:
            code = "\n".join(current).strip()
            if ("kldiv::" in code or "kd::" in code) and "find_package" not in code:
                yield code
            current = []


def main():
    readme, out = sys.argv[1], sys.argv[2]
    with open(readme, encoding="utf-8") as f:
        found = list(blocks(f.read()))
    if len(found) < 4:
        sys.exit(f"readme_snippets.py: {len(found)} C++ blocks found in {readme}, expected at least 4")
    body = []
    for code in found:
        lines = [line for line in code.splitlines() if not line.startswith("#include")]
        body.append("    {\n" + "\n".join("        " + line for line in lines) + "\n")
    with open(out, "w", encoding="utf-8") as f:
        f.write(PRELUDE + "".join(body) + "    " + "}" * len(found) + "\n    return 0;\n}\n")
    print(f"{len(found)} README blocks written to {out}")


main()
