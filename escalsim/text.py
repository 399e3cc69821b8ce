"""Wording shared by messages, figures and reports: the 'did you mean' hint for a name that is
not known, ids turned into words, probabilities as short percentages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """The valid name closest to ``name``, if one is close enough to be a likely typo."""
    near = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return near[0] if near else None


def suggest(name: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest valid name, or the list of valid names."""
    options = sorted(set(choices))
    near = nearest(name, options)
    if near is not None:
        return f" (did you mean '{near}'?)"
    if options and len(options) <= 12:
        return f" (expected one of: {', '.join(options)})"
    return ""


def readable(name: str) -> str:
    """An id as words: ``leave_now`` → ``leave now``. The one place where the ids of rungs,
    deals and actions become labels (until they get a label of their own)."""
    return name.replace("_", " ").strip()


def percent(p: float) -> str:
    """A probability as a short percentage: 47.8%, 0.4%, <0.1%, 0%, and – for NaN."""
    if p != p:  # NaN
        return "–"
    if p == 0:
        return "0%"
    if p < 0.001:
        return "<0.1%"
    return f"{p:.1%}"
