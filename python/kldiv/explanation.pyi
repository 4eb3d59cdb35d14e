import os
from typing import Any, Dict, Literal, Optional, Sequence, Union

import numpy.typing as npt

def explain(p: npt.ArrayLike, q: npt.ArrayLike, *, labels: Optional[Sequence[Any]] = ...,
            base: Union[None, float, str] = ...,
            on_zero: Literal["infinity", "error", "smooth", "inf", "raise"] = ..., epsilon: Optional[float] = ...,
            normalize: bool = ..., sum_tolerance: float = ..., beta: float = ..., top: int = ...,
            html: Union[None, str, os.PathLike[str]] = ..., eps: Optional[float] = ...) -> Dict[str, Any]: ...
