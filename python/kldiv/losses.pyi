"""Type stub of kldiv.losses."""
from typing import Any, Literal, NamedTuple, Optional, Union

import numpy as np
import numpy.typing as npt

class LossResult(NamedTuple):
    loss: Union[float, npt.NDArray[np.float64]]
    grad_student: Optional[npt.NDArray[np.floating]]
    grad_teacher: Optional[npt.NDArray[np.floating]]

def distillation_loss(student: Any, teacher: Any, *,
                      kind: Literal["forward_kl", "reverse_kl", "js"] = ..., temperature: float = ...,
                      beta: float = ..., scale_by_temperature_squared: bool = ..., base: Optional[float] = ...,
                      reduction: Literal["none", "sum", "mean"] = ..., axis: int = ..., grad_student: bool = ...,
                      grad_teacher: bool = ..., threads: Optional[int] = ...,
                      mask: Optional[npt.ArrayLike] = ..., weights: Optional[npt.ArrayLike] = ...) -> LossResult: ...
