"""Checks of user input that every layer shares, and the "did you mean" their messages end with."""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable


def positive_int(name: str, value: object) -> int:
    """``value`` as an int if it is a positive integer, else a TypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def suggest(name: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest valid name, or the list of valid names."""
    options = sorted(set(choices))
    near = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if near:
        return f" (did you mean '{near[0]}'?)"
    if options and len(options) <= 12:
        return f" (expected one of: {', '.join(options)})"
    return ""
