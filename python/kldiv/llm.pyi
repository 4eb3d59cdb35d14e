"""Type stub of kldiv.llm."""
import os
from typing import Any, Callable, Dict, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

Files = Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]
Model = Union[Files, npt.NDArray[np.floating], Any]  # files, or rows in memory: arrays, memory maps, tensors
PerPosition = Union[None, str, os.PathLike[str], npt.NDArray[np.integer], npt.NDArray[np.bool_], Any]

def compare(reference: Model, candidate: Model, *, tokens: PerPosition = ..., mask: PerPosition = ...,
            reverse_kl: bool = ..., js: bool = ..., threads: int = ..., buffer_mib: int = ...,
            progress: Union[None, bool, Callable[[int, int, float], Any]] = ...,
            vocabulary: int = ..., top_k: Optional[int] = ...) -> Dict[str, Any]: ...
def verify_reference(input: Files, reference: Union[str, os.PathLike[str]], *, tokens: PerPosition = ...,
                     buffer_mib: int = ...) -> Dict[str, Any]: ...
