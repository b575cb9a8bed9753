"""Small statistical helpers shared by every analysis: intervals for proportions.

>>> wilson(45, 100)
(0.45, 0.356, 0.548)
>>> p, lo, hi = wilson(np.array([0, 12]), np.array([12, 12]))
>>> bool((lo <= p).all() and (p <= hi).all() and lo[0] == 0 and hi[1] == 1)
True
"""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def wilson(k, n, z: float = Z95):
    """Wilson score interval; scalars give a tuple ``(p, low, high)``, arrays give arrays."""
    k_arr, n_arr = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k_arr / n_arr
        denom = 1 + z**2 / n_arr
        centre = (p + z**2 / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2)) / denom
    # Clipped to [0, 1] and to hold the estimate exactly: at 0% or 100% rounding can otherwise put a
    # bound a hair the wrong side of it (a negative error bar).
    lo = np.clip(np.fmin(centre - half, p), 0, 1)
    hi = np.clip(np.fmax(centre + half, p), 0, 1)
    if np.ndim(k) == 0 and np.ndim(n) == 0:
        return round(float(p), 3), round(float(lo), 3), round(float(hi), 3)
    return p, lo, hi


def mover_difference(now, now_low, now_high, then, then_low, then_high):
    """``now - then`` and its interval (MOVER: Newcombe 1998, Zou and Donner 2008), combining each
    estimate's own interval; assumes the two estimates are independent. Scalars or arrays.

    >>> d, lo, hi = mover_difference(0.4, 0.37, 0.43, 0.3, 0.272, 0.329)
    >>> [round(float(x), 3) for x in (d, lo, hi)]
    [0.1, 0.058, 0.141]
    """
    d = np.subtract(now, then)
    low = d - np.sqrt(np.subtract(now, now_low) ** 2 + np.subtract(then_high, then) ** 2)
    high = d + np.sqrt(np.subtract(now_high, now) ** 2 + np.subtract(then, then_low) ** 2)
    return d, low, high
