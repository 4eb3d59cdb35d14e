from typing import Any, Dict, Sequence

import numpy.typing as npt

DEFAULT_QUANTILES: Sequence[float]

def summarize(values: npt.ArrayLike, quantiles: Sequence[float] = ...) -> Dict[str, Any]: ...
