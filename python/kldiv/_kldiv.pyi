"""Stub of the compiled core (python/src/module.cpp, python/src/distributions.cpp, python/src/llm.cpp)."""
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

class Error(ValueError):
    function: str
    message: str

def check_base(base: float) -> float: ...
def parse_base(text: str) -> float: ...
def summarize(values: Sequence[float], levels: Sequence[float], function: str) -> Dict[str, Any]: ...
def explain(p: Any, q: Any, labels: List[str], base: float, on_zero: str, epsilon: Optional[float], normalize: bool,
            sum_tolerance: float, beta: float, top: int, html: str) -> str: ...

def measure_rows(
    p: npt.NDArray[np.floating],
    q: npt.NDArray[np.floating],
    measures: List[str],
    input: str,
    temperature: float,
    base: float,
    on_zero: str,
    epsilon: Optional[float],
    normalize: bool,
    sum_tolerance: float,
    threads: int,
    beta: float,
    alpha: float,
    reduction: str,
    weights: Optional[npt.NDArray[np.float64]] = ...,
    mask: Optional[npt.NDArray[np.uint8]] = ...,
) -> Dict[str, npt.NDArray[np.float64]]: ...
# The same for float16 and bfloat16 rows, given as their bits (arrays of uint16).
measure_rows_float16 = measure_rows
measure_rows_bfloat16 = measure_rows
def generalized_js_divergence(distributions: npt.NDArray[np.float64], weights: Optional[npt.NDArray[np.float64]],
                              base: float, on_zero: str, epsilon: Optional[float], normalize: bool,
                              sum_tolerance: float) -> float: ...

def distillation_loss(
    student: npt.NDArray[np.floating],
    teacher: npt.NDArray[np.floating],
    kind: str,
    temperature: float,
    beta: float,
    scale_by_temperature_squared: bool,
    base: float,
    reduction: str,
    grad_student: bool,
    grad_teacher: bool,
    threads: int,
    weights: Optional[npt.NDArray[np.float64]] = ...,
    mask: Optional[npt.NDArray[np.uint8]] = ...,
) -> Tuple[npt.NDArray[np.float64], Optional[npt.NDArray[np.floating]], Optional[npt.NDArray[np.floating]]]: ...

def normal_kl_rows(
    mean_p: npt.NDArray[np.floating],
    log_var_p: npt.NDArray[np.floating],
    mean_q: Optional[npt.NDArray[np.floating]],
    log_var_q: Optional[npt.NDArray[np.floating]],
    base: float,
    reduction: str,
    gradients: bool,
    threads: int,
) -> Tuple[npt.NDArray[np.float64], Tuple[Optional[npt.NDArray[np.floating]], ...]]: ...

class Distribution:
    def __init__(self, spec: str) -> None: ...
    @property
    def spec(self) -> str: ...
    @property
    def family(self) -> str: ...

def distribution_kl(
    p: Distribution,
    q: Distribution,
    base: float,
    method: str,
    tolerance: float,
    mc_error: float,
    max_samples: int,
    seed: int,
    threads: int,
    progress: Optional[Callable[[int, int, float], Any]],
) -> Tuple[float, str, float, int, str, bool]: ...
def gaussian_mixture_estimates(p: Distribution, q: Distribution) -> Tuple[float, float, float, float]: ...
def distribution_families() -> List[Dict[str, Any]]: ...
def closed_form_pairs() -> List[Tuple[str, str]]: ...

# llm.cpp; a model is a list of files or a dict {"array", "storage", "name"} of rows in memory;
# options: tokens, mask (None, a path or an int32 / uint8 array), reverse_kl, js, threads, buffer_mib,
# progress (None or a callable).
_Model = Union[List[str], Dict[str, Any]]
def llm_compare(reference: _Model, candidate: _Model, options: Dict[str, Any], reference_input: str,
                candidate_input: str) -> str: ...
def llm_candidate_files(candidate: List[str]) -> List[Tuple[str, int, int]]: ...
def llm_compare_range(reference: _Model, candidate: _Model, options: Dict[str, Any], first_row: int,
                      row_count: int) -> Dict[str, Any]: ...
def llm_document(reference_input: str, candidate_input: str, comparison: Dict[str, Any]) -> str: ...
def verify_reference(input: _Model, reference: str, tokens: Any, buffer_mib: int) -> Dict[str, Any]: ...
# drift (python/src/drift.cpp): tables as lists of column dicts, texts of kldiv/drift/profile_file.hpp
def drift(reference: List[Dict[str, Any]], reference_rows: int, current: List[Dict[str, Any]], current_rows: int,
          options: Dict[str, Any]) -> str: ...
def drift_profile(reference: List[Dict[str, Any]], rows: int, options: Dict[str, Any]) -> str: ...
def drift_with_profile(profile: str, current: List[Dict[str, Any]], rows: int, options: Dict[str, Any]) -> str: ...
def drift_sample(part: List[Dict[str, Any]], rows: int, row_offset: int, total_rows: int,
                 options: Dict[str, Any]) -> str: ...
def drift_bins(samples: List[str], options: Dict[str, Any]) -> str: ...
def drift_add_counts(bins: str, part: List[Dict[str, Any]], rows: int, threads: int) -> str: ...
def drift_merge_profiles(profiles: List[str]) -> str: ...
def drift_count_current(profile: str, part: List[Dict[str, Any]], rows: int, row_offset: int,
                        options: Dict[str, Any]) -> str: ...
def drift_compare_counts(profile: str, counts: List[str], options: Dict[str, Any]) -> str: ...
def load_drift_profile(path: str) -> str: ...
def save_drift_profile(text: str, path: str) -> None: ...
def parse_duration(text: str) -> float: ...
