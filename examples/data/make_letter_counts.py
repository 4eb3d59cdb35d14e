#!/usr/bin/python3
"""Counts the letters a-z in the Debian English and French word lists.

Writes letters-english.csv and letters-french.csv beside this script: a header "letter,count" and
26 rows a..z. Each word (one per line) is folded to lower case; accented Latin letters count as
their base letter (Unicode NFD decomposition, combining marks dropped: é -> e, ç -> c); the
ligatures œ, æ and ß count as "oe", "ae" and "ss"; everything else (apostrophes, hyphens, dots)
is ignored. Possessive entries ("Aaron's", 29 497 of them in the English list) are skipped: they
repeat their base word and would inflate "s". These are dictionary (type) frequencies: every listed word counts once, however
common it is in running text.

    /usr/bin/python3 examples/data/make_letter_counts.py
    # needs: apt-get install wamerican wfrench
"""
import collections
import os
import string
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = {
    "english": "/usr/share/dict/american-english",  # Debian package wamerican
    "french": "/usr/share/dict/french",  # Debian package wfrench
}
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}
LETTERS = string.ascii_lowercase


def letters_of(word, ignored):
    for ch in word.lower():
        for base in LIGATURES.get(ch, ch):
            for part in unicodedata.normalize("NFD", base):
                if unicodedata.combining(part):
                    continue
                if part in LETTERS:
                    yield part
                else:
                    ignored[part] += 1


def count(path):
    counts = collections.Counter({letter: 0 for letter in LETTERS})
    ignored = collections.Counter()
    words = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            word = line.rstrip("\n")
            if not word or word.endswith("'s"):
                continue
            words += 1
            counts.update(letters_of(word, ignored))
    return counts, ignored, words


def main():
    for language, path in SOURCES.items():
        counts, ignored, words = count(path)
        zero = [letter for letter in LETTERS if counts[letter] == 0]
        if zero:
            sys.exit(f"{path}: no occurrences of {', '.join(zero)}; KL divergence would be infinite")
        out = os.path.join(HERE, f"letters-{language}.csv")
        with open(out, "w", encoding="ascii", newline="\n") as f:
            f.write("letter,count\n")
            for letter in LETTERS:
                f.write(f"{letter},{counts[letter]}\n")
        total = sum(counts.values())
        rarest = min(LETTERS, key=lambda letter: counts[letter])
        print(f"{out}: {words} words from {path}, {total} letters; "
              f"rarest {rarest} = {counts[rarest]}; ignored {dict(ignored.most_common())}")


if __name__ == "__main__":
    main()
