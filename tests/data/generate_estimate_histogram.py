#!/usr/bin/python3
"""Generate tests/data/estimate_histogram.tsv: numpy's bin edges and counts for the shared-bin
histograms of include/kldiv/estimate/histogram.hpp.

Run from the repository root:  /usr/bin/python3 tests/data/generate_estimate_histogram.py
(numpy 1.24; the samples come from numpy.random.default_rng(6), so the output is deterministic.)

For each case: two samples x, y (rows x dims), a rule and a bin count. Each axis's edges are
numpy.histogram_bin_edges of the pooled column (x then y) with bins='fd', 'scott', 'sturges' or an
integer (rule fixed); for the quantile rule they are numpy.unique(numpy.quantile(pooled,
numpy.arange(B + 1) / B)) with B = min(bins, max(N - 1, 1)) for N pooled values (numpy's default
linear quantiles; a single edge e becomes e -+ 0.5).
The counts are numpy.histogram / numpy.histogramdd of x and of y on those edges.

Lines (tab-separated), first the samples, then the cases on them:
    sample  name  dims  x  y
    case    name  rule  bins  edges  p_counts  q_counts
Numbers are comma-separated repr() of the doubles (exact); samples are row-major; the edges of the
axes are separated by ';'.
"""
import numpy as np

rng = np.random.default_rng(6)


def quantile_edges(pooled, bins):
    bins = min(bins, max(pooled.size - 1, 1))  # kldiv's cap: N values have N - 1 gaps
    edges = np.unique(np.quantile(pooled, np.arange(bins + 1) / bins))
    return edges if edges.size > 1 else np.array([edges[0] - 0.5, edges[0] + 0.5])


def edges_of(pooled, rule, bins):
    if rule == "quantile":
        return quantile_edges(pooled, bins)
    numpy_bins = {"fixed": bins, "freedman-diaconis": "fd", "scott": "scott", "sturges": "sturges"}[rule]
    return np.histogram_bin_edges(pooled, bins=numpy_bins)


def text(values):
    return ",".join(repr(float(v)) for v in np.ravel(values))


def rows(v):
    return np.atleast_2d(v.T).T  # rows = samples


def case(name, x, y, rule, bins):
    x, y = rows(x), rows(y)
    pooled = np.vstack([x, y])
    edges = [edges_of(pooled[:, j], rule, bins) for j in range(x.shape[1])]
    p = np.histogramdd(x, bins=edges)[0]
    q = np.histogramdd(y, bins=edges)[0]
    return "\t".join(["case", name, rule, str(bins), ";".join(text(e) for e in edges), text(p), text(q)])


def main():
    rules = [("freedman-diaconis", 0), ("scott", 0), ("sturges", 0), ("fixed", 17), ("quantile", 10)]
    samples = {
        "normal": (rng.normal(0, 1, 500), rng.normal(0.5, 1.3, 300)),
        "exponential-rounded": (np.round(rng.exponential(1, 400), 1), np.round(rng.exponential(2, 400), 1)),
        "poisson": (rng.poisson(2, 100).astype(float), rng.poisson(3, 80).astype(float)),
        "constant": (np.full(5, 3.0), np.full(4, 3.0)),
        "one-each": (np.array([1.0]), np.array([2.0])),
        "normal-2d": (rng.normal(0, 1, (300, 2)), rng.normal([1, -1], [1, 2], (200, 2))),
        "normal-3d": (rng.normal(0, 1, (150, 3)), rng.normal(0.5, 1, (120, 3))),
    }
    lines = ["\t".join(["sample", name, str(rows(x).shape[1]), text(x), text(y)]) for name, (x, y) in samples.items()]
    for name, (x, y) in samples.items():
        for rule, bins in rules:
            lines.append(case(name, x, y, rule, bins))
    with open("tests/data/estimate_histogram.tsv", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
