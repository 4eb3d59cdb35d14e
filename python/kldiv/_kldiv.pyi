"""Stub of the compiled core (python/src/module.cpp)."""
from typing import Dict, List

import numpy as np
import numpy.typing as npt

class Error(ValueError): ...

def measure_rows(
    p: npt.NDArray[np.floating],
    q: npt.NDArray[np.floating],
    measures: List[str],
    input: str,
    temperature: float,
    base: float,
    on_zero: str,
    eps: float,
    normalize: bool,
    sum_tolerance: float,
    threads: int,
    beta: float,
) -> Dict[str, npt.NDArray[np.float64]]: ...
