"""Type stub of kldiv.dask."""
from typing import Any, Callable, Dict, Optional, Sequence, Union

import dask.array as da
import numpy as np
import numpy.typing as npt

from .llm import Model, PerPosition
from .monitoring import DriftProfile, DriftResult

def kl_divergence(p: da.Array, q: da.Array, **kwargs: Any) -> da.Array: ...
def entropy(p: da.Array, **kwargs: Any) -> da.Array: ...
def cross_entropy(p: da.Array, q: da.Array, **kwargs: Any) -> da.Array: ...
def jeffreys(p: da.Array, q: da.Array, **kwargs: Any) -> da.Array: ...
def js_divergence(p: da.Array, q: da.Array, **kwargs: Any) -> da.Array: ...
def summarize(values: Union[da.Array, npt.NDArray[np.float64]],
              quantiles: Sequence[float] = ...) -> Dict[str, Any]: ...
def llm_compare(reference: Model, candidate: Model, *, tokens: PerPosition = ..., mask: PerPosition = ...,
                reverse_kl: bool = ..., js: bool = ..., threads: Optional[int] = ..., buffer_mib: int = ...,
                top_k: Optional[int] = ..., vocabulary: int = ...,
                progress: Union[None, bool, Callable[[int, int, int], Any]] = ...) -> Dict[str, Any]: ...
def drift_profile(reference: Any, *, columns: Any = ..., exclude: Any = ..., categorical: Any = ...,
                  numeric: Any = ..., binning: str = ..., bin_count: int = ..., resolution: int = ...,
                  max_sample: int = ..., time_column: Optional[str] = ..., threads: Optional[int] = ...) -> DriftProfile: ...
def drift(reference: Any, current: Any, *, columns: Any = ..., exclude: Any = ..., categorical: Any = ...,
          numeric: Any = ..., measure: str = ..., rule: str = ..., alpha: float = ..., correction: str = ...,
          binning: str = ..., bin_count: int = ..., resolution: int = ..., max_sample: int = ...,
          empty_bins: str = ..., pseudocount: float = ..., epsilon: float = ..., base: Any = ...,
          permutations: int = ..., resamples: int = ..., level: float = ..., seed: int = ...,
          window_rows: Optional[int] = ..., time_column: Optional[str] = ..., window: Any = ...,
          threads: Optional[int] = ..., html: Optional[str] = ...) -> DriftResult: ...
