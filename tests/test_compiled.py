"""The compiled build gives the runs of the pure Python reference, run for run.

``ESCALSIM_COMPILE=1 pip install .`` compiles the run's inner loop with mypyc (``setup.py``
lists the modules). This test builds that package from a copy of this tree (no build
isolation: mypy comes with the dev extra), installs it in a temporary folder, and runs the
same scenarios, seeds and runs in two fresh interpreters, one on the compiled package and one
on the source tree. Their runs tables must be identical, cell for cell, on every bundled
scenario and on the oracle scenarios of the tests, and so must the flagship's decisions table.
Bit-identical is possible: the compiled code does each floating-point operation that Python
does, in the same order (``-ffp-contract=off`` forbids fusing a multiply and an add).

It needs a C compiler and Python's headers; without them it is skipped, unless
``ESCALSIM_REQUIRE_COMPILED`` is set (``.ci/run`` sets it when it has installed a compiler),
so that CI never passes by skipping it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from time_limits import HANG_GUARD

ROOT = Path(__file__).resolve().parent.parent
BUILD_GUARD = 3 * HANG_GUARD
"""The hang guard of the build and of each side's runs (15 minutes): a compile takes about a
minute on an idle machine, several on a busy one."""
BACKEND = ROOT / "build_support" / "escalsim_build.py"


def _is_scenario(path: Path) -> bool:
    """A scenario file (not an events mapping or a question set)."""
    return re.search(r"^(schema_version|extends):", path.read_text("utf-8"), re.M) is not None


CASES = [
    # (scenario, runs, traced): the flagship on 1,000 runs, its decisions on 200; every other
    # bundled scenario and every oracle scenario of the tests on 300 runs
    ("scenarios/venezuela_2025.yaml", 1000, False),
    ("scenarios/venezuela_2025.yaml", 200, True),
    *(
        (str(p.relative_to(ROOT)), 300, False)
        for folder in ("scenarios", "tests/data")
        for p in sorted((ROOT / folder).glob("*.yaml"))
        if p.name != "venezuela_2025.yaml" and _is_scenario(p)
    ),
]

RUN_CASES = """
import json, sys
from pathlib import Path
import escalsim as es
import escalsim.model.valuation as valuation

cases, out, root = json.loads(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
print(Path(valuation.__file__).suffix)
for i, (path, runs, traced) in enumerate(cases):
    settings = es.RunSettings(executor="serial", progress=False, trace=traced)
    res = es.simulate(root / path, runs=runs, seed=7, settings=settings)
    res.runs.to_csv(out / f"{i}_runs.csv", index=False)
    if traced:
        res.decisions.to_csv(out / f"{i}_decisions.csv", index=False)
"""


def _can_compile() -> str | None:
    """Why the compiled build cannot be made here (None: it can)."""
    if sys.implementation.name != "cpython":
        return "mypyc compiles for CPython only"
    spec = importlib.util.spec_from_file_location("escalsim_build", BACKEND)
    backend = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(backend)
    missing = backend.missing_for_compiling()
    if missing is not None:
        return f"no {missing}"
    if importlib.util.find_spec("mypyc") is None:
        return "no mypyc (pip install mypy)"
    return None


@pytest.fixture(scope="module")
def compiled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding escalsim installed from this tree with ``ESCALSIM_COMPILE=1``."""
    reason = _can_compile()
    if reason is not None:
        if os.environ.get("ESCALSIM_REQUIRE_COMPILED"):
            pytest.fail(f"ESCALSIM_REQUIRE_COMPILED is set but the build cannot run: {reason}")
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("compiled")
    src = tmp / "src"
    src.mkdir()
    for name in ("escalsim", "build_support"):
        shutil.copytree(
            ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    site = tmp / "site"
    env = {**os.environ, "ESCALSIM_COMPILE": "1"}
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--quiet",
        "--target",
        str(site),
        str(src),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=BUILD_GUARD)
    assert done.returncode == 0, done.stderr[-4000:]
    return site


def _start(python_path: Path, out: Path) -> subprocess.Popen:
    """Start running CASES in a fresh interpreter importing escalsim from ``python_path``; it
    prints the file suffix of its valuation module (``.py``, or the extension module's)."""
    env = {**os.environ, "PYTHONPATH": str(python_path)}
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CASES, json.dumps(CASES), str(out), str(ROOT)],
        cwd=out.parent,  # not the source tree: the current folder comes first on the path
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _suffix(proc: subprocess.Popen) -> str:
    stdout, stderr = proc.communicate(timeout=BUILD_GUARD)
    assert proc.returncode == 0, stderr[-4000:]
    return stdout.split()[0]


def test_the_compiled_build_gives_the_same_runs_as_the_pure_python_reference(
    compiled_site: Path, tmp_path: Path
) -> None:
    compiled = _start(compiled_site, tmp_path / "compiled")
    pure = _start(ROOT, tmp_path / "pure")
    assert _suffix(compiled) not in (".py", ".pyc")
    assert _suffix(pure) == ".py"
    files = sorted(p.name for p in (tmp_path / "pure").iterdir())
    assert len(files) == len(CASES) + 1  # a runs table each, and the flagship's decisions
    for name in files:
        case = CASES[int(name.split("_")[0])]
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "compiled" / name),
            pd.read_csv(tmp_path / "pure" / name),
            check_exact=True,
            obj=f"{case} {name}",
        )


@pytest.mark.parametrize(
    ("env", "step", "message"),
    [
        ({"ESCALSIM_COMPILE": "2"}, "bdist_wheel", "ESCALSIM_COMPILE must be 1 (compile) or 0"),
        ({"ESCALSIM_COMPILE": "1"}, "editable_wheel", "is for a regular install"),
        (
            {"ESCALSIM_COMPILE": "1", "CC": "no-such-compiler"},
            "bdist_wheel",
            "needs a C compiler (no-such-compiler is not on the PATH)",
        ),
    ],
)
def test_a_compiled_build_that_cannot_be_made_stops_with_one_message(env, step, message):
    """setup.py run as the build backend runs it, for the step named: it exits at once with
    the message, before any compiling (and before needing mypy)."""
    done = subprocess.run(
        [sys.executable, "setup.py", step],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
