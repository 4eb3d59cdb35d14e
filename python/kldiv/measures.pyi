"""Type stub of kldiv.measures."""
from typing import Literal, Optional, Union

import numpy as np
import numpy.typing as npt

_Input = Literal["probs", "log_probs", "logits"]
_OnZero = Literal["infinity", "error", "smooth", "inf", "raise"]
_Reduction = Literal["none", "sum", "mean"]
_Result = Union[float, npt.NDArray[np.float64]]

def kl_divergence(p: npt.ArrayLike, q: npt.ArrayLike, *, input: _Input = ..., axis: int = ..., keepdims: bool = ...,
                  base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ...,
                  epsilon: Optional[float] = ..., normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ...,
                  threads: Optional[int] = ..., eps: Optional[float] = ...) -> _Result: ...
def entropy(p: npt.ArrayLike, *, input: _Input = ..., axis: int = ..., keepdims: bool = ...,
            base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ..., epsilon: Optional[float] = ...,
            normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ..., threads: Optional[int] = ..., eps: Optional[float] = ...) -> _Result: ...
def cross_entropy(p: npt.ArrayLike, q: npt.ArrayLike, *, input: _Input = ..., axis: int = ..., keepdims: bool = ...,
                  base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ...,
                  epsilon: Optional[float] = ..., normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ...,
                  threads: Optional[int] = ..., eps: Optional[float] = ...) -> _Result: ...
def jeffreys(p: npt.ArrayLike, q: npt.ArrayLike, *, input: _Input = ..., axis: int = ..., keepdims: bool = ...,
             base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ..., epsilon: Optional[float] = ...,
             normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ..., threads: Optional[int] = ..., eps: Optional[float] = ...) -> _Result: ...
def js_divergence(p: npt.ArrayLike, q: npt.ArrayLike, *, beta: float = ..., input: _Input = ..., axis: int = ...,
                  keepdims: bool = ..., base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ...,
                  epsilon: Optional[float] = ..., normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ...,
                  threads: Optional[int] = ..., eps: Optional[float] = ...) -> _Result: ...
