"""Text from files, made safe to print: control characters removed, Rich markup escaped.

A scenario's title, names, notes and descriptions, a file name, a value quoted in an error: any
of them may hold terminal escape codes (which the terminal would obey) or square brackets
(which Rich reads as markup: ``[/bold]`` fails, ``[draft]`` vanishes). Every such text goes
through :func:`plain` before ``typer.echo``, or :func:`markup` before a Rich console.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters but the newline, and the bidirectional overrides (which
reorder what a terminal shows)."""

_BLANK = {"\t": " ", "\r": ""}


def plain(text: object, *, lines: bool = False) -> str:
    """``str(text)`` without control characters: tabs become spaces, newlines too unless
    ``lines`` (several lines of output); everything else is dropped."""
    out = _CONTROL.sub(lambda m: _BLANK.get(m.group(), ""), str(text))
    return out if lines else out.replace("\n", " ")


def markup(text: object) -> str:
    """:func:`plain` text escaped for Rich, so that it prints as written."""
    from rich.markup import escape

    return escape(plain(text))
