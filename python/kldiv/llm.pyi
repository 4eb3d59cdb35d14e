"""Type stub of kldiv.llm."""
import os
from typing import Any, Callable, Dict, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

Model = Union[str, os.PathLike[str], Sequence[Union[str, os.PathLike[str]]]]
PerPosition = Union[None, str, os.PathLike[str], npt.NDArray[np.integer], npt.NDArray[np.bool_]]

def compare(reference: Model, candidate: Model, *, tokens: PerPosition = ..., mask: PerPosition = ...,
            reverse_kl: bool = ..., js: bool = ..., threads: int = ..., buffer_mib: int = ...,
            progress: Union[None, bool, Callable[[int, int, float], Any]] = ...,
            vocabulary: int = ..., top_k: Optional[int] = ...) -> Dict[str, Any]: ...
def verify_reference(input: Model, reference: Union[str, os.PathLike[str]], *, tokens: PerPosition = ...,
                     buffer_mib: int = ...) -> Dict[str, Any]: ...
