"""Rounding points to the rules' decimals (``settings.decimals``, ``settings.rounding``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["round_points", "round_array", "EPSILON"]

EPSILON = 1e-9  # points closer than this to a bound count as on it


def round_points(values: pd.Series, decimals: int, mode: str) -> pd.Series:
    """Round to ``decimals`` places: half_up (away from zero) or half_even, tolerant of float noise."""
    return pd.Series(round_array(values.to_numpy(dtype=float), decimals, mode), index=values.index)


def round_array(values: np.ndarray, decimals: int, mode: str) -> np.ndarray:
    """:func:`round_points` over an array. Never gives -0.0."""
    factor = 10.0**decimals
    scaled = np.abs(values) * factor
    floor = np.floor(scaled + EPSILON)
    frac = scaled - floor
    half = np.abs(frac - 0.5) < 1e-6
    if mode == "half_even":
        up = (frac > 0.5 + 1e-6) | (half & (floor % 2 == 1))
    else:
        up = (frac > 0.5 + 1e-6) | half
    result = np.sign(values) * (floor + up) / factor
    return result + 0.0  # + 0.0 turns -0.0 into 0.0
