"""The public API: exactly the documented names, and a light import."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import escalsim

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_all_matches_the_documented_names():
    documented = set(re.findall(r"^\| `([A-Za-z_]+)", DOC.read_text(), flags=re.M))
    assert documented == set(escalsim.__all__)
    for name in escalsim.__all__:
        assert getattr(escalsim, name) is not None


def test_import_is_light():
    code = (
        "import sys, escalsim; "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'dask', 'pyarrow', 'scipy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
