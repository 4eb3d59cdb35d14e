"""Type stub of kldiv.measures."""
from typing import Any, Literal, Optional, Union

import numpy as np
import numpy.typing as npt

_Input = Literal["probs", "log_probs", "logits"]
_OnZero = Literal["infinity", "error", "smooth", "inf", "raise"]
_Reduction = Literal["none", "sum", "mean"]
_Result = Any  # float or float64 array; a float64 torch.Tensor when p or q is a tensor
_PerRow = Optional[npt.ArrayLike]

def kl_divergence(p: Any, q: Any, *, input: _Input = ..., axis: Optional[int] = ..., keepdims: bool = ...,
                  base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ...,
                  epsilon: Optional[float] = ..., normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ...,
                  threads: Optional[int] = ..., eps: Optional[float] = ...,
    mask: _PerRow = ..., weights: _PerRow = ...) -> _Result: ...
def entropy(p: Any, *, input: _Input = ..., axis: Optional[int] = ..., keepdims: bool = ...,
            base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ..., epsilon: Optional[float] = ...,
            normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ..., threads: Optional[int] = ..., eps: Optional[float] = ...,
    mask: _PerRow = ..., weights: _PerRow = ...) -> _Result: ...
def cross_entropy(p: Any, q: Any, *, input: _Input = ..., axis: Optional[int] = ..., keepdims: bool = ...,
                  base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ...,
                  epsilon: Optional[float] = ..., normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ...,
                  threads: Optional[int] = ..., eps: Optional[float] = ...,
    mask: _PerRow = ..., weights: _PerRow = ...) -> _Result: ...
def jeffreys(p: Any, q: Any, *, input: _Input = ..., axis: Optional[int] = ..., keepdims: bool = ...,
             base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ..., epsilon: Optional[float] = ...,
             normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ..., threads: Optional[int] = ..., eps: Optional[float] = ...,
    mask: _PerRow = ..., weights: _PerRow = ...) -> _Result: ...
def js_divergence(p: Any, q: Any, *, beta: float = ..., input: _Input = ..., axis: Optional[int] = ...,
                  keepdims: bool = ..., base: Union[None, float, str] = ..., temperature: float = ..., on_zero: _OnZero = ...,
                  epsilon: Optional[float] = ..., normalize: bool = ..., sum_tolerance: float = ..., reduction: _Reduction = ...,
                  threads: Optional[int] = ..., eps: Optional[float] = ...,
    mask: _PerRow = ..., weights: _PerRow = ...) -> _Result: ...
