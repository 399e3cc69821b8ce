"""The flagship's runs table at a fixed seed, held by its fingerprint.

A refactoring must leave every number the flagship gives unchanged; this test notices when one
does not. A deliberate change to the model or to the flagship moves the fingerprint: log it in
the calibration log of docs/venezuela_2025.md, rerun the docs' tables and figures, and set
``FINGERPRINT`` to what ``python tests/test_flagship_table.py`` prints.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import escalsim as es

FLAGSHIP = Path(__file__).resolve().parent.parent / "scenarios" / "venezuela_2025.yaml"
RUNS, SEED = 2000, 7
FINGERPRINT = "2452be2076d549864376a31afd88d2596af2bb76a30b9ad81cc9cc91a2f9f4df"


def fingerprint() -> str:
    """SHA-256 of the runs table as CSV, floats to 9 significant digits (so that the last bit
    of a libm function on another machine cannot move it)."""
    res = es.simulate(
        FLAGSHIP, runs=RUNS, seed=SEED, settings=es.RunSettings(executor="serial", progress=False)
    )
    text = res.runs.to_csv(index=False, float_format="%.9g")
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_flagship_table_is_unchanged():
    assert fingerprint() == FINGERPRINT


if __name__ == "__main__":
    print(fingerprint())
