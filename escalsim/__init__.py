"""escalsim: stochastic discrete-event simulation of escalation crises between states.

YAML → validated :class:`Scenario` → runs (:func:`run_one`, :func:`simulate`) → :class:`Results`
→ analysis and plots. ``import escalsim`` stays light: pandas and matplotlib load on first use.
"""

from __future__ import annotations

from importlib import metadata as _metadata
from typing import Any

from escalsim.engine import Event, RunRecord, prepare, run_one, run_seed
from escalsim.errors import EscalsimError, ResultsError, RunError, ScenarioError
from escalsim.model.rules import DecisionView, Option
from escalsim.scenario import Scenario, load_scenario

try:
    __version__ = _metadata.version("escalsim")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+local"

__all__ = [
    "Comparison",
    "DecisionView",
    "EscalsimError",
    "Event",
    "Option",
    "Results",
    "ResultsError",
    "RunError",
    "RunRecord",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "narrate",
    "plot",
    "prepare",
    "run_one",
    "run_seed",
    "sensitivity",
    "simulate",
    "sweep",
]

_LAZY = {
    "simulate": ("escalsim.ensemble.simulate", "simulate"),
    "Results": ("escalsim.results.results", "Results"),
    "narrate": ("escalsim.narrate", "narrate"),
    "compare": ("escalsim.analysis", "compare"),
    "sweep": ("escalsim.analysis", "sweep"),
    "sensitivity": ("escalsim.analysis", "sensitivity"),
    "Comparison": ("escalsim.analysis", "Comparison"),
    "plot": ("escalsim.plot", None),
}


def __getattr__(name: str) -> Any:
    """Load the heavier parts (pandas, executors) only when they are first used."""
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = import_module(module) if attr is None else getattr(import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'escalsim' has no attribute {name!r}")
