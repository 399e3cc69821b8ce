"""The compiled modules type-check, as the compiled build requires (mypyc refuses a module that
does not). Checked the way setup.py builds them: what they import is read, not checked, and no
third-party package is seen, as in an isolated build environment."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def compiled_modules() -> list[str]:
    """setup.py's list of the modules the compiled build compiles, read without running it."""
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py has no COMPILED list")


def test_the_compiled_modules_type_check() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("no mypy (pip install -e '.[dev]')")
    from mypy import api

    modules = compiled_modules()
    assert "escalsim/model/valuation.py" in modules
    flags = ["--follow-imports=silent", "--ignore-missing-imports", "--no-site-packages"]
    out, err, status = api.run([*flags, "--cache-dir=/dev/null", *(str(ROOT / m) for m in modules)])
    assert status == 0, out + err
