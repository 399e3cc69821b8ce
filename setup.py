"""Build hook: with ``ESCALSIM_COMPILE=1``, compile the model and the engine with mypyc.

Everything else is declared in pyproject.toml. The default build is pure Python.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup

sys.path.insert(0, str(Path(__file__).parent / "build_support"))
from escalsim_build import compile_requested, missing_for_compiling

COMPILED = [
    "escalsim/model/valuation.py",
    "escalsim/model/options.py",
    "escalsim/model/params.py",
    "escalsim/model/state.py",
    "escalsim/model/rules.py",
    "escalsim/model/types.py",
    "escalsim/engine/simulation.py",
    "escalsim/engine/history.py",
    "escalsim/engine/trace.py",
]
"""The modules of a run's inner loop. Not compiled: those whose frozen dataclasses cross
processes (a compiled frozen dataclass cannot be unpickled), and everything outside a run."""


def extensions() -> list:
    if not compile_requested():
        return []
    steps = set(sys.argv[1:])
    if {"editable_wheel", "develop"} & steps:
        sys.exit(
            "ESCALSIM_COMPILE=1 is for a regular install (pip install .): an editable one "
            "would put compiled modules beside the sources, and they would shadow every "
            "later edit of those files"
        )
    # setuptools runs this file for every step; only the steps that build code need the
    # extensions (mypyc type-checks and translates every time it is asked)
    if not {"build", "build_ext", "bdist_wheel", "install"} & steps:
        return []
    missing = missing_for_compiling()
    if missing is not None:
        sys.exit(
            f"ESCALSIM_COMPILE=1 needs {missing}; without ESCALSIM_COMPILE the build is pure Python"
        )
    try:
        from mypyc.build import mypycify
    except ImportError:
        sys.exit(
            "ESCALSIM_COMPILE=1 needs mypy at build time: pip installs it unless build "
            "isolation is off (--no-build-isolation), then: pip install mypy"
        )

    # the modules compiled must type-check; what they import is read, not checked (the build
    # environment has no third-party stubs)
    flags = ["--follow-imports=silent", "--ignore-missing-imports"]
    modules = mypycify([*flags, *COMPILED], opt_level="3", group_name="escalsim")
    for ext in modules:
        # no fused multiply-add: the compiled arithmetic rounds as Python's does, step by step
        ext.extra_compile_args = [*ext.extra_compile_args, "-ffp-contract=off"]
    return modules


setup(ext_modules=extensions())
