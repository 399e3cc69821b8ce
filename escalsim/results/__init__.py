"""Results of an ensemble and their statistics; pandas and pyarrow are imported when used.

``Results`` and ``wilson_interval`` load on first use (PEP 562), so that importing a light
submodule (``escalsim.results.provenance``) does not import numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escalsim.results.results import Results
    from escalsim.results.stats import wilson_interval

__all__ = ["Results", "wilson_interval"]

_LAZY = {
    "Results": "escalsim.results.results",
    "wilson_interval": "escalsim.results.stats",
}


def __getattr__(name: str) -> Any:
    """Import ``Results`` or ``wilson_interval`` on first use."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted(set(globals()) | set(__all__))
