#!/usr/bin/python3
"""Generate tests/data/reference_cases.tsv: 50-digit reference values for the core measures.

Run (from the repository root; about 12 minutes on 2 cores, ~3 core-minutes for each of the eight
10^6-event cases, 1 minute for the other 2,170):

    /usr/bin/python3 tests/data/generate_reference.py            # writes tests/data/reference_cases.tsv
    /usr/bin/python3 tests/data/generate_reference.py -j 4 -o out.tsv
    /usr/bin/python3 tests/data/generate_reference.py --verify   # cross-check, writes nothing

Needs numpy and mpmath (Debian: python3-numpy, python3-mpmath). Optional: python3-gmpy2 makes mpmath
somewhat faster; the output is the same with or without it. The output is deterministic: the case
list comes from a seeded random.Random and integer arithmetic only, the vectors from splitmix64
(below), and the references from mpmath at mp.dps = 50. Progress goes to stderr.

What it writes: one comment line naming this script and the command, one header line, then one line
per case with the generator spec
    id family dtype n seed a b beta normalize checksum
(checksum: a 64-bit hash of the generated values, see checksum()) and the references, 25 significant
digits (or `inf`), of the distributions p̂ = p/Σp, q̂ = q/Σq that the generated vectors represent
(Σ taken exactly):
    entropy_p entropy_q cross_entropy_pq cross_entropy_qp kl_pq kl_qp js
in nats, js at the case's beta. `normalize` = 1 marks vectors that are not probability vectors
(counts, weights): the test passes options{.normalize = true} for them.

Bit-exact twin: tests/case_generator.hpp regenerates the very same p and q from a spec. Both sides use
only operations IEEE 754 specifies exactly: splitmix64 on uint64, uniforms as integer * 2^-53,
ldexp / products with powers of two, single correctly rounded + − × ÷, nextafter, a left-to-right
double sum (np.cumsum is sequential), and double → float rounding to nearest even (numpy astype /
static_cast<float>). No exp/log/pow enters the vectors. Any change here must be mirrored there.

Families (a, b are the family's integer parameters; every vector is drawn in double, and float32
cases round p and q to float at the very end):
  dense      p, q independent uniforms raised to the power 2^a (a squarings), each divided by its
             double sum (so it sums to 1 only up to rounding).
  near       w = uniforms^(2^b); t_i = w_i·(1 + d_i), d_i = ±u_i·2^-a; p = w/Σw, q = t/Σt.
             True KL ≈ 2^-2a/6: a = 1..34 spans ~4e-2 down to ~5e-22.
  ulp        p as dense (shape b); q = p with entries moved one ulp (a entries at random positions,
             or every entry when a = 0), not renormalized: KL ~1e-32 and below.
  identical  q = p exactly, p from variant a (dense, dense^4, tiny, zipf, with zeros, skewed).
  tiny       a/16 of the events are ldexp(m, -e), m in [0.5, 1), e in 1..b (b up to 996, so values
             down to ~1e-300), the others m; p and q independent; normalized.
  skewed     one dominant event (1 before normalization) at the same random index in p and q, all
             others ldexp(m, -(a + below(b))); normalized.
  skewed2    as skewed, but q's dominant event is at an independent random index.
  zipf       deterministic: a = 0: p_i = 1/(i+1), q_i = 1/((i+1)(i+1)); a = 1: q_i = 1/(n-i);
             a = 2: q_i = 1/(i+1+b); a = 3: p_i = 2^-((i·b)>>8), q_i = 1/(i+1);
             a = 4: p_i = 2^-((i·b)>>8), q_i = 2^-(((n-1-i)·b)>>8); normalized.
  zeros      a/16 of p's events are 0 (never event 0); q by mode b: 0 no zeros (KL(q‖p) = inf),
             1 zeros where p has them, 2 independent zeros, 3 zeros only where p > 0 (KL(p‖q) = inf).
  counts     integers x >> (64 - a) (+1 on event 0); q by mode b: 0 independent counts,
             1 p + random 0/1, 2 3·p (same distribution), 3 p + 1. normalize = 1.
  weights    uniforms·2^a and uniforms·2^b, not normalized. normalize = 1.

Reference formulas (mp.dps = 50), with p̂, q̂ as above and terms skipped where they are 0·log:
  H(P) = −Σ p̂ log p̂;  H(P,Q) = −Σ p̂ log q̂ (inf if some p̂ > 0 = q̂);
  D(P‖Q) = Σ (p̂ log(p̂/q̂) − p̂ + q̂), every term ≥ 0 so nothing cancels (inf if some p̂ > 0 = q̂);
  JS_β = β D(P‖M) + (1−β) D(Q‖M), M = β P̂ + (1−β) Q̂, with the same non-negative terms.
Events with p̂_i = q̂_i contribute exactly 0 to D and JS, so identical distributions give exactly 0.

Evaluating those formulas naively at 50 digits is NOT enough here: with one event at p̂ = 1 − 1e-44
(skewed cases) p̂ itself carries 50 digits but 1 − p̂, and so log p̂, only 6; and an event with
p̂ ≈ q̂ ≈ 1 puts a rounding error of 1e-50 into a KL of 1e-44. So the inputs are first taken as
exact integers (units of 2^-1074): Σp, Σq, 1 − p̂ and δ = p̂/q̂ − 1 = (x·Σq − y·Σp)/(y·Σp) are exact,
then rounded once to 50 digits, log p̂ of a large p̂ is log1p(−(1 − p̂)), and each divergence term is
evaluated in the equal form q̂·φ(δ), φ(δ) = (1+δ)log(1+δ) − δ, with as many guard bits as the
subtraction loses (see phi and reference_values). `--verify` checks this against the naive
formulas at 800 digits for every case with n ≤ 100.
"""

import argparse
import math
import multiprocessing
import os
import random
import sys
import time

import mpmath
import numpy as np
from mpmath import mp, mpf

mp.dps = 50

MASK = 0xFFFFFFFFFFFFFFFF
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB

COLUMNS = ["id", "family", "dtype", "n", "seed", "a", "b", "beta", "normalize", "checksum",
           "entropy_p", "entropy_q", "cross_entropy_pq", "cross_entropy_qp", "kl_pq", "kl_qp", "js"]


# ----------------------------------------------------------------------------------------------
# The generator (mirrored line by line in tests/case_generator.hpp)

class SplitMix64:
    """splitmix64; take(n) returns the next n outputs as a uint64 array (vectorized, same stream)."""

    def __init__(self, seed):
        self.state = seed & MASK

    def take(self, n):
        k = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(self.state) + k * np.uint64(GOLDEN)  # wraps modulo 2^64
        self.state = (self.state + n * GOLDEN) & MASK
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
        return z ^ (z >> np.uint64(31))

    def next(self):
        return int(self.take(1)[0])


def splitmix64_scalar(state):
    """Plain-integer splitmix64 (self-check of the vectorized one). Returns (output, new state)."""
    state = (state + GOLDEN) & MASK
    z = state
    z = ((z ^ (z >> 30)) * MIX1) & MASK
    z = ((z ^ (z >> 27)) * MIX2) & MASK
    return z ^ (z >> 31), state


def unit(x):
    """Uniform in (0, 1): ((x >> 11) | 1) · 2^-53, exact."""
    return ((x >> np.uint64(11)) | np.uint64(1)).astype(np.float64) * 2.0 ** -53


def mant(x):
    """Uniform in [0.5, 1): ((x >> 11) | 2^52) · 2^-53, exact."""
    return ((x >> np.uint64(11)) | np.uint64(1 << 52)).astype(np.float64) * 2.0 ** -53


def below(x, m):
    """Integer in [0, m) for 0 < m < 2^32: ((x >> 32) · m) >> 32."""
    return ((x >> np.uint64(32)) * np.uint64(m)) >> np.uint64(32)


def checksum(p, q):
    """Σ_i mix(bits(v_i) ^ (i · golden)) mod 2^64 over p then q (q's indices continue after p's),
    bits(v) the IEEE pattern of the value as a double; mix is splitmix64's finalizer. Lets the test
    prove that it regenerated the very same vectors."""
    v = np.concatenate([np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)])
    z = v.view(np.uint64) ^ (np.arange(v.size, dtype=np.uint64) * np.uint64(GOLDEN))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    z = z ^ (z >> np.uint64(31))
    return int(np.sum(z, dtype=np.uint64))


def seqsum(v):
    """Left-to-right double sum (np.cumsum accumulates sequentially)."""
    return float(np.cumsum(v)[-1])


def normalized(v):
    return v / seqsum(v)


def shaped(u, squarings):
    for _ in range(squarings):
        u = u * u
    return u


def tiny_vector(rng, n, a, b):
    f = rng.take(n)
    m = mant(rng.take(n))
    e = (below(rng.take(n), b) + np.uint64(1)).astype(np.int64)
    return np.where(below(f, 16) < np.uint64(a), np.ldexp(m, -e), m)


def skewed_tail(rng, n, a, b):
    m = mant(rng.take(n))
    e = (below(rng.take(n), b) + np.uint64(a)).astype(np.int64)
    return np.ldexp(m, -e)


def geometric(n, b, reverse=False):
    i = np.arange(n, dtype=np.int64)
    if reverse:
        i = (n - 1) - i
    return np.ldexp(np.ones(n), -((i * b) >> 8))


def zero_mask(rng, n, a):
    z = below(rng.take(n), 16) < np.uint64(a)
    z[0] = False
    return z


def generate(family, n, seed, a, b):
    """The case's p and q as float64 arrays (before any float32 rounding)."""
    rng = SplitMix64(seed)
    if family == "dense":
        p = normalized(shaped(unit(rng.take(n)), a))
        q = normalized(shaped(unit(rng.take(n)), a))
    elif family == "near":
        w = shaped(unit(rng.take(n)), b)
        d = unit(rng.take(n)) * math.ldexp(1.0, -a)
        d = np.where((rng.take(n) >> np.uint64(63)) == np.uint64(1), -d, d)
        t = w * (1.0 + d)
        p = normalized(w)
        q = normalized(t)
    elif family == "ulp":
        p = normalized(shaped(unit(rng.take(n)), b))
        q = p.copy()
        if a == 0:
            up = (rng.take(n) >> np.uint64(63)) == np.uint64(1)
            q = np.where(up, np.nextafter(p, np.inf), np.nextafter(p, 0.0))
        else:
            pos = below(rng.take(a), n)
            up = rng.take(a) >> np.uint64(63)
            for j in range(a):
                i = int(pos[j])
                q[i] = np.nextafter(q[i], np.inf if up[j] else 0.0)
    elif family == "identical":
        if a == 0:
            p = normalized(unit(rng.take(n)))
        elif a == 1:
            p = normalized(shaped(unit(rng.take(n)), 2))
        elif a == 2:
            p = normalized(tiny_vector(rng, n, 8, 996))
        elif a == 3:
            p = normalized(1.0 / np.arange(1, n + 1, dtype=np.float64))
        elif a == 4:
            p = unit(rng.take(n))
            p[zero_mask(rng, n, 8)] = 0.0
            p = normalized(p)
        elif a == 5:
            j = int(below(rng.take(1), n)[0])
            p = skewed_tail(rng, n, 40, 200)
            p[j] = 1.0
            p = normalized(p)
        else:
            raise ValueError(f"identical: variant {a}")
        q = p.copy()
    elif family == "tiny":
        p = normalized(tiny_vector(rng, n, a, b))
        q = normalized(tiny_vector(rng, n, a, b))
    elif family in ("skewed", "skewed2"):
        j = int(below(rng.take(1), n)[0])
        p = skewed_tail(rng, n, a, b)
        p[j] = 1.0
        if family == "skewed2":
            j = int(below(rng.take(1), n)[0])
        q = skewed_tail(rng, n, a, b)
        q[j] = 1.0
        p = normalized(p)
        q = normalized(q)
    elif family == "zipf":
        x = np.arange(1, n + 1, dtype=np.float64)
        harmonic = 1.0 / x
        if a == 0:
            p, q = harmonic, 1.0 / (x * x)
        elif a == 1:
            p, q = harmonic, 1.0 / x[::-1].copy()
        elif a == 2:
            p, q = harmonic, 1.0 / (x + float(b))
        elif a == 3:
            p, q = geometric(n, b), harmonic
        elif a == 4:
            p, q = geometric(n, b), geometric(n, b, reverse=True)
        else:
            raise ValueError(f"zipf: variant {a}")
        p = normalized(p)
        q = normalized(q)
    elif family == "zeros":
        p = unit(rng.take(n))
        zp = zero_mask(rng, n, a)
        p[zp] = 0.0
        q = unit(rng.take(n))
        if b == 1:
            q[zp] = 0.0
        elif b == 2:
            q[zero_mask(rng, n, a)] = 0.0
        elif b == 3:
            q[zero_mask(rng, n, a) & ~zp] = 0.0
        p = normalized(p)
        q = normalized(q)
    elif family == "counts":
        p = (rng.take(n) >> np.uint64(64 - a)).astype(np.float64)
        p[0] += 1.0
        if b == 0:
            q = (rng.take(n) >> np.uint64(64 - a)).astype(np.float64)
            q[0] += 1.0
        elif b == 1:
            q = p + (rng.take(n) >> np.uint64(63)).astype(np.float64)
        elif b == 2:
            q = p * 3.0
        else:
            q = p + 1.0
    elif family == "weights":
        p = unit(rng.take(n)) * math.ldexp(1.0, a)
        q = unit(rng.take(n)) * math.ldexp(1.0, b)
    else:
        raise ValueError(f"unknown family {family}")
    return p, q


# ----------------------------------------------------------------------------------------------
# The case list

BETAS = [0.5] * 8 + [0.25, 0.75, 0.1, 0.9, 0.01, 0.99, 0.3, 1.0 / 3.0, 0.7]
NORMALIZED_FAMILIES = {"counts", "weights"}


def case_list():
    rnd = random.Random(20240611)
    specs = []

    def size(large_ok=True):
        return rnd.randint(2, rnd.choice([10, 100, 2000] if large_ok else [10, 100]))

    def add(family, dtype, n, a, b):
        specs.append((family, dtype, n, a, b))

    def add_zipf(dtype, i, max_exponent):
        # shape a = i % 5; b its parameter, bounded so the smallest value stays above about 2^-max_exponent
        n = size()
        a = i % 5
        b = 0
        if a == 2:
            b = rnd.randint(0, 100)
        elif a >= 3:
            b = rnd.randint(1, min(4000, max_exponent * 256 // (n - 1)))
        add("zipf", dtype, n, a, b)

    # float64
    for _ in range(250):
        add("dense", "float64", size(), rnd.randint(0, 3), 0)
    for k in range(1, 35):
        for _ in range(10):
            add("near", "float64", size(), k, rnd.randint(0, 2))
    for _ in range(60):
        add("ulp", "float64", size(), rnd.choice([0, 0, 1, 2, 5]), rnd.randint(0, 2))
    for i in range(90):
        add("identical", "float64", size(), i % 6, 0)
    for _ in range(200):
        add("tiny", "float64", size(), rnd.randint(1, 15), rnd.choice([10, 100, 500, 900, 996, rnd.randint(1, 996)]))
    for _ in range(150):
        a = rnd.randint(20, 200)
        add("skewed", "float64", size(), a, rnd.randint(1, 997 - a))
    for _ in range(80):
        a = rnd.randint(20, 200)
        add("skewed2", "float64", size(), a, rnd.randint(1, 997 - a))
    for i in range(100):
        add_zipf("float64", i, 996)
    for i in range(200):
        add("zeros", "float64", size(), rnd.choice([16] + [rnd.randint(1, 15)] * 9), i % 4)
    for i in range(200):
        add("counts", "float64", size(), rnd.randint(1, 40), i % 4)
    for _ in range(80):
        add("weights", "float64", size(), rnd.randint(-200, 200), rnd.randint(-200, 200))

    # float32
    for _ in range(60):
        add("dense", "float32", size(), rnd.randint(0, 2), 0)
    for i in range(100):
        add("near", "float32", size(), 1 + i % 25, rnd.randint(0, 2))
    for i in range(30):
        add("identical", "float32", size(), i % 6, 0)
    for _ in range(50):
        add("tiny", "float32", size(), rnd.randint(1, 15), rnd.randint(1, 100))
    for _ in range(40):
        a = rnd.randint(10, 30)
        add("skewed", "float32", size(), a, rnd.randint(1, 120 - a))
    for i in range(20):
        add_zipf("float32", i, 120)
    for i in range(50):
        add("zeros", "float32", size(), rnd.randint(1, 16), i % 4)
    for i in range(50):
        add("counts", "float32", size(), rnd.randint(1, 20), i % 4)
    for _ in range(20):
        add("weights", "float32", size(), rnd.randint(-40, 40), rnd.randint(-40, 40))

    # 10^6 events
    big = 1000000
    add("dense", "float64", big, 0, 0)
    add("near", "float64", big, 20, 0)      # KL ~ 1e-13
    add("near", "float64", big, 32, 1)      # KL ~ 1e-20
    add("tiny", "float64", big, 8, 996)     # half the events between 1e-300 and 1
    add("skewed", "float64", big, 40, 900)  # one event ≈ 1 − 5e-7, the rest down to 1e-300
    add("counts", "float64", big, 10, 1)
    add("dense", "float32", big, 0, 0)
    add("near", "float32", big, 12, 0)

    cases = []
    for i, (family, dtype, n, a, b) in enumerate(specs):
        seed = ((i + 1) * GOLDEN + 0x5DEECE66D) & MASK
        beta = rnd.choice(BETAS)
        normalize = 1 if family in NORMALIZED_FAMILIES else 0
        cases.append((i, family, dtype, n, seed, a, b, beta, normalize))
    return cases


# ----------------------------------------------------------------------------------------------
# The references

def fmt(x):
    if x == mpmath.inf:
        return "inf"
    if x == 0:
        return "0"
    return mpmath.nstr(x, 25, strip_zeros=False, min_fixed=0, max_fixed=0)


UNIT_EXPONENT = 1074  # every double is an integer multiple of 2^-1074


def exact_units(v):
    """The values as Python ints in units of 2^-1074: exact, so sums and cross products are exact."""
    out = []
    for x in v.tolist():
        num, den = float(x).as_integer_ratio()
        out.append(num * ((1 << UNIT_EXPONENT) // den))
    return out


def guard_bits(x):
    """Working precision for a function of x whose result is about as small as x: the 50 digits
    plus what 1 + x needs to be exact plus 24 guard bits."""
    return mp.prec + 24 + max(0, -mpmath.mag(x))


def log1p_(t):
    """log(1 + t) to full relative precision for mpf t > −1, also when |t| is tiny."""
    if not t:
        return mpf(0)
    with mp.workprec(guard_bits(t)):  # 1 + t is exact at this precision
        v = mpmath.log(1 + t)
    return +v


def log_hat(x, s):
    """log(x/s) for exact ints 0 < x ≤ s; via log1p of the exact (x − s)/s when x/s > 1/2."""
    if 2 * x > s:
        return log1p_(mpf(x - s) / mpf(s))
    return mpmath.log(mpf(x) / mpf(s))


def phi(num, rnum, den):
    """φ(δ) = (1+δ)·log(1+δ) − δ ≥ 0 for δ = num/den, 1 + δ = rnum/den (exact ints, rnum ≥ 0, den > 0),
    to full relative precision. For 1 + δ ≥ 1/2, δ is rounded once to 50 digits and 1 + δ formed
    exactly from it, with guard_bits(δ) (the subtraction loses about log2(1/|δ|) bits when φ ≈ δ²/2);
    below 1/2 nothing cancels much (φ > 0.15) and 1 + δ is taken from rnum so that tiny ratios keep
    their relative precision."""
    if num == 0:
        return mpf(0)
    if rnum == 0:
        return mpf(1)
    d = mpf(num) / mpf(den)
    if 2 * rnum >= den:
        with mp.workprec(guard_bits(d)):
            r = 1 + d  # exact
            v = r * mpmath.log(r) - d
    else:
        with mp.workprec(mp.prec + 64):
            r = mpf(rnum) / mpf(den)
            v = r * mpmath.log(r) - d
    return +v


def reference_values(p, q, beta):
    """H(P), H(Q), H(P,Q), H(Q,P), D(P‖Q), D(Q‖P), JS_β of p̂ = p/Σp, q̂ = q/Σq at mp.dps = 50.

    Sums and the differences that decide the small quantities are exact integer arithmetic on the
    values in units of 2^-1074: Σp, Σq, 1 − p̂ (for log p̂ with p̂ > 1/2) and p̂/q̂ − 1 =
    (x·Σq − y·Σp)/(y·Σp). Each divergence term p̂ log(p̂/q̂) − p̂ + q̂ is evaluated in the equal form
    q̂·φ(p̂/q̂ − 1) (≥ 0, so the sums cannot cancel), and each JS term β(p̂ log(p̂/m̂) − p̂ + m̂) +
    (1−β)(q̂ log(q̂/m̂) − q̂ + m̂) as m̂·(β φ(p̂/m̂ − 1) + (1−β) φ(q̂/m̂ − 1)) with both ratios exact.
    So nothing is lost to cancellation, even for 1 − p̂ ~ 1e-300 or D ~ 1e-40."""
    X = exact_units(p)
    Y = exact_units(q)
    SX = sum(X)
    SY = sum(Y)
    bn, bd = float(beta).as_integer_ratio()
    B = mpf(beta)
    B1 = 1 - B  # exact
    msx, msy = mpf(SX), mpf(SY)
    mjs = mpf(bd * SX * SY)
    zero = mpf(0)
    h_p = h_q = h_pq = h_qp = d_pq = d_qp = js = zero
    inf_pq = inf_qp = False  # p̂ > 0 = q̂ somewhere / q̂ > 0 = p̂ somewhere
    for x, y in zip(X, Y):
        if not x and not y:
            continue
        ph = mpf(x) / msx
        qh = mpf(y) / msy
        if x:
            lp = log_hat(x, SX)
            h_p -= ph * lp
        if y:
            lq = log_hat(y, SY)
            h_q -= qh * lq
        if x and y:
            h_pq -= ph * lq
            h_qp -= qh * lp
        elif x:
            inf_pq = True
        else:
            inf_qp = True
        a = x * SY  # p̂ ∝ a, q̂ ∝ b with the same factor 1/(Σp·Σq)
        b = y * SX
        n = a - b
        if n == 0:
            continue  # p̂_i = q̂_i = m̂_i: every divergence term is exactly 0
        if y:
            d_pq += qh * phi(n, a, b)
        if x:
            d_qp += ph * phi(-n, b, a)
        m = bn * a + (bd - bn) * b  # m̂ = m / (bd·Σp·Σq)
        js += (mpf(m) / mjs) * (B * phi((bd - bn) * n, bd * a, m) + B1 * phi(-bn * n, bd * b, m))
    inf = mpmath.inf
    return [h_p, h_q, inf if inf_pq else h_pq, inf if inf_qp else h_qp,
            inf if inf_pq else d_pq, inf if inf_qp else d_qp, js]


def naive_values(p, q, beta, dps):
    """The same measures by the plain formulas, at dps digits (a cross-check of reference_values)."""
    with mp.workdps(dps):
        P = [mpf(float(x)) for x in p]
        Q = [mpf(float(x)) for x in q]
        sp, sq = mpmath.fsum(P), mpmath.fsum(Q)
        B = mpf(beta)
        out = [mpf(0)] * 7
        inf_pq = inf_qp = False
        for x, y in zip(P, Q):
            ph, qh = x / sp, y / sq
            m = ph if ph == qh else B * ph + (1 - B) * qh  # β p̂ + (1−β) p̂ would round
            if x:
                out[0] -= ph * mpmath.log(ph)
                out[4] += ph * mpmath.log(ph / qh) - ph + qh if y else 0
                out[6] += B * (ph * mpmath.log(ph / m) - ph + m)
            else:
                out[4] += qh
                out[6] += B * m
            if y:
                out[1] -= qh * mpmath.log(qh)
                out[5] += qh * mpmath.log(qh / ph) - qh + ph if x else 0
                out[6] += (1 - B) * (qh * mpmath.log(qh / m) - qh + m)
            else:
                out[5] += ph
                out[6] += (1 - B) * m
            if x and y:
                out[2] -= ph * mpmath.log(qh)
                out[3] -= qh * mpmath.log(ph)
            inf_pq |= bool(x and not y)
            inf_qp |= bool(y and not x)
        for k in (2, 4):
            if inf_pq:
                out[k] = mpmath.inf
        for k in (3, 5):
            if inf_qp:
                out[k] = mpmath.inf
        return [+v for v in out]


def case_vectors(case):
    i, family, dtype, n, seed, a, b, beta, normalize = case
    p, q = generate(family, n, seed, a, b)
    if dtype == "float32":
        p = p.astype(np.float32)
        q = q.astype(np.float32)
    return p, q


def references(case):
    i, family, dtype, n, seed, a, b, beta, normalize = case
    p, q = case_vectors(case)
    values = reference_values(p, q, beta)
    spec = [str(i), family, dtype, str(n), str(seed), str(a), str(b), repr(beta), str(normalize),
            f"{checksum(p, q):016x}"]
    return "\t".join(spec + [fmt(v) for v in values]), n


def verify(case):
    """reference_values against naive_values at 800 digits (enough for every cancellation here)."""
    p, q = case_vectors(case)
    got = [fmt(v) for v in reference_values(p, q, case[7])]
    want = [fmt(v) for v in naive_values(p, q, case[7], 800)]
    return case[0], got, want


def self_check():
    """The vectorized splitmix64 against the plain-integer one, and cumsum against a Python loop."""
    for seed in (0, 1, 12345, MASK, GOLDEN):
        rng = SplitMix64(seed)
        got = [int(v) for v in rng.take(5)] + [int(v) for v in rng.take(3)]
        state, want = seed, []
        for _ in range(8):
            out, state = splitmix64_scalar(state)
            want.append(out)
        assert got == want, (seed, got, want)
    assert SplitMix64(0).next() == 0xE220A8397B1DCDAF  # the published first output for seed 0
    v = unit(SplitMix64(7).take(1000))
    s = 0.0
    for x in v:
        s += float(x)
    assert s == seqsum(v)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", default=os.path.join(here, "reference_cases.tsv"))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--verify", action="store_true",
                        help="instead of writing, check the references of every case with n <= 100 against "
                             "the plain formulas evaluated at 800 digits")
    args = parser.parse_args()
    self_check()
    cases = case_list()
    if args.verify:
        small = [c for c in cases if c[3] <= 100]
        bad = 0
        with multiprocessing.Pool(args.jobs) as pool:
            for i, got, want in pool.imap_unordered(verify, small, chunksize=4):
                if got != want:
                    bad += 1
                    print(f"case {i}: {got} != {want}", file=sys.stderr)
        print(f"verified {len(small)} cases, {bad} disagree", file=sys.stderr)
        sys.exit(1 if bad else 0)
    start = time.time()
    lines = []
    done_events = 0
    total_events = sum(c[3] for c in cases)
    with multiprocessing.Pool(args.jobs) as pool:
        # Large cases first so they overlap with the small ones; output order is restored below.
        order = sorted(range(len(cases)), key=lambda k: -cases[k][3])
        results = {}
        for k, (line, n) in zip(order, pool.imap(references, [cases[k] for k in order], chunksize=1)):
            results[k] = line
            done_events += n
            if n >= 100000 or len(results) % 200 == 0:
                print(f"{len(results)}/{len(cases)} cases, {done_events}/{total_events} events, "
                      f"{time.time() - start:.0f} s", file=sys.stderr, flush=True)
        lines = [results[k] for k in range(len(cases))]
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        f.write("# generated by tests/data/generate_reference.py (/usr/bin/python3 tests/data/generate_reference.py), "
                f"mpmath {mpmath.__version__} at mp.dps = {mp.dps}; do not edit\n")
        f.write("\t".join(COLUMNS) + "\n")
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, args.output)
    print(f"wrote {len(lines)} cases to {args.output} in {time.time() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
