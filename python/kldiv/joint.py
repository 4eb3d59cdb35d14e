"""Information measures of joint distributions given as tables (kldiv/joint.hpp).

    >>> import kldiv.joint as kj
    >>> kj.mutual_information([[10, 3], [2, 8]], normalize=True, base=2)    # a 2 × 2 contingency table
    0.2442521018250619

A table of two variables is a 2-D array P(X = i, Y = j) (rows: X's values, columns: Y's); of three, a
3-D array P(X = i, Y = j, Z = l). Tables must sum to 1 within ``sum_tolerance`` unless ``normalize``
(counts); entries finite and >= 0. Results in nats unless ``base`` is given; every one a sum of
non-negative terms.
"""
import numpy as np

from . import _kldiv
from .measures import _base_value, _named, _numpy, _real


def _measure(function, table, other=None, *, base=None, on_zero="infinity", normalize=False, sum_tolerance=1e-6):
    values = np.asarray(_numpy(table))
    if values.dtype.kind == "b":
        raise TypeError(f"{function}: the table has dtype bool, but it must hold numbers")
    try:
        return _kldiv.joint_measure(function, np.ascontiguousarray(values, dtype=np.float64),
                                    None if other is None else np.ascontiguousarray(_numpy(other), dtype=np.float64),
                                    _base_value(function, base), on_zero, bool(normalize),
                                    _real(function, "sum_tolerance", sum_tolerance))
    except ValueError as e:
        raise _named(function, e) from None


def joint_entropy(joint, **options):
    """H(X,Y) = −Σ p(x,y) ln p(x,y) of a 2-D table."""
    return _measure("joint_entropy", joint, **options)


def conditional_entropy(joint, **options):
    """H(Y|X) = −Σ p(x,y) ln p(y|x) = H(X,Y) − H(X), X the rows."""
    return _measure("conditional_entropy", joint, **options)


def mutual_information(joint, **options):
    """I(X;Y) = D(P_XY ‖ P_X ⊗ P_Y) of a 2-D table (from samples: kldiv.mutual_information)."""
    return _measure("mutual_information", joint, **options)


def conditional_mutual_information(joint, **options):
    """I(X;Y|Z) = Σ_z p(z) I(X;Y|Z=z) of a 3-D table P(X, Y, Z)."""
    return _measure("conditional_mutual_information", joint, **options)


def conditional_kl(p_joint, q_joint, **options):
    """D(P_Y|X ‖ Q_Y|X | P_X) = Σ_x p(x) D(p(·|x) ‖ q(·|x)); D(P_XY‖Q_XY) = D(P_X‖Q_X) + this."""
    return _measure("conditional_kl", p_joint, q_joint, **options)


__all__ = ["joint_entropy", "conditional_entropy", "mutual_information", "conditional_mutual_information",
           "conditional_kl"]
