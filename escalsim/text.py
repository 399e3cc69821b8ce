"""Wording shared by messages: the 'did you mean' hint for a name that is not known, and ids
turned into words."""

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
