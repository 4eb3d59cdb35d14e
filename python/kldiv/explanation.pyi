import os
from typing import Any, Dict, Literal, Optional, Sequence, Union

import numpy.typing as npt

def explain(p: npt.ArrayLike, q: npt.ArrayLike, *, labels: Optional[Sequence[Any]] = ..., base: Optional[float] = ...,
            on_zero: Literal["infinity", "error", "smooth", "inf", "raise"] = ..., eps: Optional[float] = ...,
            normalize: bool = ..., beta: float = ..., top: int = ...,
            html: Union[None, str, os.PathLike[str]] = ..., sum_tolerance: float = ...) -> Dict[str, Any]: ...
