"""The architecture holds: layers that only point down (import-linter's contracts in
pyproject.toml), run settings passed as one object, and tests that stand without benchmarks/."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

from escalsim.ensemble.driver import run_ensemble
from escalsim.ensemble.simulate import simulate

ROOT = Path(__file__).resolve().parent.parent


def test_layers_point_down():
    """``lint-imports`` checks every import, those inside functions too, against the contracts."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is missing: pip install -e '.[dev]'"
    done = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_an_ensemble_takes_its_settings_as_one_object():
    for fn in (simulate, run_ensemble):
        assert len(inspect.signature(fn).parameters) <= 8, fn.__name__
        assert "settings" in inspect.signature(fn).parameters


def test_tests_do_not_import_the_benchmarks():
    uses = re.compile(r"^\s*(from|import)\s+benchmarks\b", re.M)
    found = [p.name for p in (ROOT / "tests").glob("*.py") if uses.search(p.read_text())]
    assert found == []
