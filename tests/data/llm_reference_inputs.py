#!/usr/bin/python3
"""Bad inputs for tests/test_cli_llm_reference.cpp.

    /usr/bin/python3 tests/data/llm_reference_inputs.py DIR

Writes into DIR, all over a vocabulary of 50 tokens and 40 positions: good.npy (float32 logits),
nan.npy (good.npy with NaN at row 17, column 3), masked-row.npy (row 5 all -inf),
tokens-short.npy (39 ids), tokens-large.npy (40 ids, element 9 = 50, outside the vocabulary) and
tokens-float.npy (float ids).
"""
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
rng = np.random.default_rng(11)
good = (2.0 * rng.standard_normal((40, 50))).astype(np.float32)
np.save(out / "good.npy", good)
nan = good.copy()
nan[17, 3] = np.nan
np.save(out / "nan.npy", nan)
masked = good.copy()
masked[5] = -np.inf
np.save(out / "masked-row.npy", masked)
np.save(out / "tokens-short.npy", rng.integers(0, 50, 39))
large = rng.integers(0, 50, 40)
large[9] = 50
np.save(out / "tokens-large.npy", large)
np.save(out / "tokens-float.npy", rng.random(40))
