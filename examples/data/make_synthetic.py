#!/usr/bin/python3
"""Writes the synthetic inputs of the README's and docs' examples beside this script, from fixed
seeds (NumPy's PCG64), so that the outputs the documents show can be checked:

- teacher-logits.npy, student-logits.npy: 100 rows × 50 events, float32 logits. The teacher's are
  standard normal times 2; the student's are the teacher's plus normal noise of scale 0.5 (a
  student that learned its teacher approximately).
- samples-p.csv, samples-q.csv: 400 observations of 2 variables (header "x1,x2"), P = N(0, I) and
  Q = N((1/2, 0), I), so D(P‖Q) = 1/8 nats exactly (the closed form ‖μ_P − μ_Q‖²/2).

    /usr/bin/python3 examples/data/make_synthetic.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.default_rng(20261207)
    teacher = (2.0 * rng.standard_normal((100, 50))).astype(np.float32)
    student = (teacher + 0.5 * rng.standard_normal((100, 50))).astype(np.float32)
    np.save(os.path.join(HERE, "teacher-logits.npy"), teacher)
    np.save(os.path.join(HERE, "student-logits.npy"), student)
    p = rng.standard_normal((400, 2))
    q = rng.standard_normal((400, 2)) + np.array([0.5, 0.0])
    for name, sample in (("samples-p.csv", p), ("samples-q.csv", q)):
        with open(os.path.join(HERE, name), "w", encoding="ascii") as f:
            f.write("x1,x2\n")
            f.writelines(f"{float(a)!r},{float(b)!r}\n" for a, b in sample)
    print("wrote teacher-logits.npy, student-logits.npy (100 x 50 float32), samples-p.csv, samples-q.csv (400 x 2)")


main()
