"""The figures of a report, drawn with :mod:`escalsim.plot` and embedded in the page as data
(``data:image/png;base64,...``), so that the report needs no other file."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MIME = {"png": "image/png", "svg": "image/svg+xml"}
"""Figure formats a report may embed, by their MIME type."""


def data_uri(fig: Figure, fmt: str = "png", dpi: int = 150) -> str:
    """The figure as a ``data:`` address an ``<img>`` loads without any file or network."""
    from escalsim.plot.files import figure_bytes

    if fmt not in MIME:
        raise ValueError(f"a report embeds png or svg figures, got {fmt!r}")
    data = base64.b64encode(figure_bytes(fig, fmt, dpi=dpi)).decode("ascii")
    return f"data:{MIME[fmt]};base64,{data}"


def embed(draw: Callable[[], Figure], alt: str, fmt: str, dpi: int) -> dict[str, Any]:
    """Draw a figure and embed it: ``{"src": data address, "alt": text}``."""
    return {"src": data_uri(draw(), fmt, dpi), "alt": alt}
