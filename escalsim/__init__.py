"""escalsim: stochastic discrete-event simulation of escalation crises between states.

YAML → validated :class:`Scenario` → runs (:func:`run_one`, :func:`simulate`) → :class:`Results`
→ analysis and plots. ``import escalsim`` stays light: every public name but the errors is
loaded on first use (PEP 562), so the scenario schema, the engine, pandas and matplotlib are
imported only by the programs that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from escalsim.errors import EscalsimError, ResultsError, RunError, ScenarioError

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and editors
    from escalsim import plot
    from escalsim.analysis import (
        Comparison,
        calibrate,
        compare,
        explain,
        lint,
        load_questions,
        paths,
        score,
        sensitivity,
        sweep,
        trajectory,
    )
    from escalsim.engine import Event, RunRecord, prepare, run_one, run_seed
    from escalsim.ensemble.settings import RunSettings
    from escalsim.ensemble.simulate import simulate
    from escalsim.model.rules import DecisionView, Option
    from escalsim.narration import narrate
    from escalsim.results.results import Results
    from escalsim.scenario import Scenario, load_scenario
    from escalsim.scenario.event_import import import_events

    __version__: str

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
    "RunSettings",
    "Scenario",
    "ScenarioError",
    "__version__",
    "calibrate",
    "compare",
    "explain",
    "import_events",
    "lint",
    "load_questions",
    "load_scenario",
    "narrate",
    "paths",
    "plot",
    "prepare",
    "run_one",
    "run_seed",
    "score",
    "sensitivity",
    "simulate",
    "sweep",
    "trajectory",
]

_LAZY = {
    "Event": ("escalsim.engine", "Event"),
    "RunRecord": ("escalsim.engine", "RunRecord"),
    "prepare": ("escalsim.engine", "prepare"),
    "run_one": ("escalsim.engine", "run_one"),
    "run_seed": ("escalsim.engine", "run_seed"),
    "DecisionView": ("escalsim.model.rules", "DecisionView"),
    "Option": ("escalsim.model.rules", "Option"),
    "Scenario": ("escalsim.scenario", "Scenario"),
    "load_scenario": ("escalsim.scenario", "load_scenario"),
    "simulate": ("escalsim.ensemble.simulate", "simulate"),
    "RunSettings": ("escalsim.ensemble.settings", "RunSettings"),
    "Results": ("escalsim.results.results", "Results"),
    "narrate": ("escalsim.narration", "narrate"),
    "compare": ("escalsim.analysis", "compare"),
    "sweep": ("escalsim.analysis", "sweep"),
    "paths": ("escalsim.analysis", "paths"),
    "explain": ("escalsim.analysis", "explain"),
    "sensitivity": ("escalsim.analysis", "sensitivity"),
    "Comparison": ("escalsim.analysis", "Comparison"),
    "lint": ("escalsim.analysis", "lint"),
    "plot": ("escalsim.plot", None),
    "import_events": ("escalsim.scenario.event_import", "import_events"),
    "trajectory": ("escalsim.analysis", "trajectory"),
    "load_questions": ("escalsim.analysis", "load_questions"),
    "score": ("escalsim.analysis", "score"),
    "calibrate": ("escalsim.analysis", "calibrate"),
}
"""Public name -> (module, attribute); attribute None means the module itself."""


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("escalsim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0+local"


def __getattr__(name: str) -> Any:
    """Load a public name on first use (the scenario schema, engine, pandas, executors)."""
    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = import_module(module) if attr is None else getattr(import_module(module), attr)
    else:
        raise AttributeError(f"module 'escalsim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy ones included (as if they were all loaded)."""
    return sorted(set(globals()) | set(__all__))
