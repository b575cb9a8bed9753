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


def change_p_value(d: float, low: float, high: float, z: float = Z95) -> float:
    """The two-sided p-value of a change ``d`` whose 95% interval is ``low`` to ``high`` (possibly
    asymmetric, as MOVER's is): the standard error read from the side of the interval towards zero,
    so that the interval excludes zero exactly when the p-value is below 0.05.

    >>> round(change_p_value(0.10, 0.05, 0.15), 4), round(change_p_value(0.10, 0.0, 0.2), 3)
    (0.0001, 0.05)
    >>> change_p_value(0.0, -0.1, 0.1)
    1.0
    """
    from scipy.stats import norm

    if d == 0:
        return 1.0
    se = (d - low) / z if d > 0 else (high - d) / z
    if se <= 0:
        return 0.0
    return float(2 * norm.sf(abs(d) / se))


def holm_cutoff(p_values, alpha: float = 0.05) -> float:
    """Holm's step-down procedure (Holm 1979) over a family of comparisons: the largest p-value that
    is still a clear change when every comparison in the family is allowed for, or -1.0 when none
    is. A comparison is a clear change exactly when its p-value is at most the cutoff; the chance of
    calling any change clear where there is none is at most ``alpha`` for the whole family.

    >>> holm_cutoff([0.0001, 0.004, 0.03, 0.5])  # 0.0001 <= .05/4, 0.004 <= .05/3, 0.03 > .05/2
    0.004
    >>> holm_cutoff([0.03, 0.04])  # 0.03 > .05/2: neither
    -1.0
    """
    ps = np.sort(np.asarray(list(p_values), dtype=float))
    m = len(ps)
    cutoff = -1.0
    for k, p in enumerate(ps):
        if p > alpha / (m - k):
            break
        cutoff = float(p)
    return cutoff
