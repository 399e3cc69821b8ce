"""The public API: exactly the documented names, and a light import."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from time_limits import HANG_GUARD

import escalsim

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_all_matches_the_documented_names():
    documented = set(re.findall(r"^\| `([A-Za-z_]+)", DOC.read_text(), flags=re.M))
    assert documented == set(escalsim.__all__)
    for name in escalsim.__all__:
        assert getattr(escalsim, name) is not None


HEAVY = (
    "pandas",
    "matplotlib",
    "dask",
    "distributed",
    "pyarrow",
    "scipy",
    "SALib",
    "numpy",
    "pydantic",
    "yaml",
    "simpy",
    "escalsim.scenario",
    "escalsim.engine",
)
"""Modules ``import escalsim`` must not load: every public name but the errors loads lazily."""


def test_import_is_light():
    code = f"import sys, escalsim; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, check=True
    )
    assert out.stdout.strip() == "[]"


def test_lazy_names_are_listed_and_resolve_in_a_fresh_interpreter():
    code = (
        "import escalsim; names = dir(escalsim); "
        "assert set(escalsim.__all__) <= set(names), sorted(set(escalsim.__all__) - set(names)); "
        "from escalsim import *; "
        "assert callable(simulate) and callable(load_scenario); "
        "assert plot.__name__ == 'escalsim.plot'; "
        "assert isinstance(__version__, str) and escalsim.Scenario is Scenario; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert out.stdout.strip() == "ok", out.stderr
