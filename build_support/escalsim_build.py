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
    """Whether ``ESCALSIM_COMPILE`` asks for the compiled build; any value but a yes or a no
    stops the build with a message that says so."""
    value = os.environ.get("ESCALSIM_COMPILE", "").strip().lower()
    if value in {"1", "true", "yes"}:
        return True
    if value in {"", "0", "false", "no"}:
        return False
    raise SystemExit(f"ESCALSIM_COMPILE must be 1 (compile) or 0 (pure Python), got {value!r}")


def missing_for_compiling() -> str | None:
    """What the compiled build lacks on this machine (a C compiler, Python's headers), or None."""
    import shutil
    import sysconfig
    from pathlib import Path

    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"a C compiler ({compiler} is not on the PATH)"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return "Python's headers (Python.h; on Debian: apt-get install python3-dev)"
    return None


def _with_mypy(hook, config_settings) -> list[str]:
    requires = hook(config_settings)
    return [*requires, MYPY] if compile_requested() else requires


def get_requires_for_build_wheel(config_settings=None):
    return _with_mypy(_setuptools.get_requires_for_build_wheel, config_settings)


def get_requires_for_build_editable(config_settings=None):
    return _with_mypy(_setuptools.get_requires_for_build_editable, config_settings)
