"""The build backend: setuptools', plus mypy at build time when the compiled build is asked for.

``ESCALSIM_COMPILE=1 pip install .`` compiles the model and the engine with mypyc (setup.py
lists the modules); without it the build is pure Python and needs no compiler. The compiled
modules give the same runs, run for run (tests/test_compiled.py).
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook not defined here is setuptools'

MYPY = "mypy>=1.11"
"""mypyc comes with mypy."""


def compile_requested() -> bool:
    """Whether ``ESCALSIM_COMPILE`` asks for the compiled build."""
    return os.environ.get("ESCALSIM_COMPILE", "").strip().lower() in {"1", "true", "yes"}


def _with_mypy(hook, config_settings) -> list[str]:
    requires = hook(config_settings)
    return [*requires, MYPY] if compile_requested() else requires


def get_requires_for_build_wheel(config_settings=None):
    return _with_mypy(_setuptools.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_editable(config_settings=None):
    return _with_mypy(_setuptools.get_requires_for_build_editable, config_settings)
