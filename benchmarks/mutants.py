"""Targeted mutants of the valuation layer: the model and oracle tests must kill every one.

Each mutant is a small source patch that breaks one idea of the model (promises always fully
credible, beliefs that never move, risk aversion turned into risk seeking, ...). An edit finds
its place by a function's qualified name and a snippet that must occur exactly once in that
function, so that a change to the code stops the check with a message naming the lost anchor,
never patches the wrong line. For each mutant the project is copied to a temporary directory,
the patch applied there, and the tests run in that copy (its ``escalsim`` is the one imported):
a mutant is killed when a test fails, survives when all pass. The unmutated copy runs first
and must pass. Prints killed / survived per mutant with the tests that killed it; exits 1 if
any mutant survives, 2 if a patch cannot be applied or the unmutated tests fail.

    python -m benchmarks.mutants [NAME ...] [--list] [--show NAME] [--jobs N] [--first-failure]
                                 [--every] [--tests FILE ...]
"""

from __future__ import annotations

import argparse
import ast
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("escalsim", "tests", "scenarios", "pyproject.toml")
"""What each copy of the project holds: the package, the tests and the data they read."""
TESTS = (
    "tests/test_types.py",
    "tests/test_threats.py",
    "tests/test_engine_oracles.py",
    "tests/test_scoring.py",
    "tests/test_valuation.py",
    "tests/test_flagship.py",
)
"""The model and oracle tests that must kill every mutant."""


class AnchorError(Exception):
    """A mutant's edit no longer finds its place in the code (the code moved on)."""


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` inside one function of one file (``old`` found exactly once)."""

    path: str
    function: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    """A named fault of the model, as one or more edits."""

    name: str
    what: str
    edits: tuple[Edit, ...]


VALUATION = "escalsim/model/valuation.py"
OPTIONS = "escalsim/model/options.py"
RULES = "escalsim/model/rules.py"

_THREAT_IGNORES_SPENT = Edit(
    VALUATION,
    "Valuation.threat_rung",
    "if (coercer.id, target) not in spent:",
    "if True:",
)
_CLIMB_IGNORES_SPENT = Edit(
    OPTIONS,
    "OptionScorer._review_options",
    "if (a.id, r2) not in st.spent:",
    "if True:",
)

MUTANTS = (
    Mutant(
        "credible",
        "promises always fully credible: Valuation.credibility returns 1",
        (Edit(VALUATION, "Valuation.credibility", "return 1.0 - doubt", "return 1.0"),),
    ),
    Mutant(
        "no_learning",
        "belief updates ignored: no Bayes update of beliefs over types, no pseudo-count signal",
        (
            Edit(
                "escalsim/model/types.py",
                "bayes",
                "return tuple(j / total for j in joint)",
                "return prior",
            ),
            Edit(
                "escalsim/engine/simulation.py",
                "Simulation.signal",
                "if not self.mech.signals or (success == 0.0 and failure == 0.0):",
                "if True:",
            ),
        ),
    ),
    Mutant(
        "risk_seeking",
        "risk aversion's sign flipped in Valuation._mix",
        (
            Edit(
                VALUATION,
                "Valuation._mix",
                "value -= 0.5 * t.risk_aversion",
                "value += 0.5 * t.risk_aversion",
            ),
        ),
    ),
    Mutant(
        "audience_reward",
        "audience cost as a reward: its sign flipped in options' _audience, the ultimatum's "
        "let-pass fallback and resolve's let-pass",
        (
            Edit(
                OPTIONS,
                "OptionScorer._audience",
                "return a.audience_cost",
                "return -a.audience_cost",
            ),
            Edit(
                OPTIONS,
                "OptionScorer._bargaining_options",
                "let_pass = w - (a.audience_cost",
                "let_pass = w + (a.audience_cost",
            ),
            Edit(
                VALUATION,
                "Valuation.resolve",
                "let_pass = w - (c.audience_cost",
                "let_pass = w + (c.audience_cost",
            ),
        ),
    ),
    Mutant(
        "holdout_ignores_threat",
        "holding out ignores the threat: Valuation.holdout returns the pressure-only value w",
        (
            Edit(
                VALUATION,
                "Valuation.holdout",
                "return w if s is None else self._mix(t, b, w, s)",
                "return w",
            ),
        ),
    ),
    Mutant(
        "logit_half",
        "logit temperature halved: logit_weights (behind logit_index and logit_probabilities) "
        "uses rationality / 2",
        (
            Edit(
                RULES,
                "logit_weights",
                "math.exp(rationality * (u - top))",
                "math.exp(rationality / 2 * (u - top))",
            ),
        ),
    ),
    Mutant(
        "spent_available",
        "spent rungs treated as available: threat_rung and the climb options ignore state.spent",
        (_THREAT_IGNORES_SPENT, _CLIMB_IGNORES_SPENT),
    ),
    Mutant(
        "spent_threatens",
        "a spent rung still threatens: threat_rung ignores state.spent",
        (_THREAT_IGNORES_SPENT,),
    ),
    Mutant(
        "spent_climbable",
        "a spent rung is offered again: the climb options ignore state.spent",
        (_CLIMB_IGNORES_SPENT,),
    ),
    Mutant(
        "unanticipated_signals",
        "anticipated signals ignored: a Beta belief valued after an action gains no "
        "pseudo-observations (updated returns the mean before)",
        (
            Edit(
                VALUATION,
                "updated",
                "return beta_mean(alpha + success, beta + failure)",
                "return beta_mean(alpha, beta)",
            ),
        ),
    ),
)
BY_NAME = {m.name: m for m in MUTANTS}


def _function_span(tree: ast.Module, qualified: str) -> tuple[int, int] | None:
    """First and last line (1-based) of the function ``Class.method`` or ``function``."""
    body, node = tree.body, None
    for part in qualified.split("."):
        node = next(
            (
                n
                for n in body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and n.name == part
            ),
            None,
        )
        if node is None:
            return None
        body = node.body
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return node.lineno, node.end_lineno


def apply_edit(text: str, edit: Edit) -> str:
    """``text`` with the edit made; AnchorError if the function or the snippet moved."""
    where = f"{edit.path}: {edit.function}"
    span = _function_span(ast.parse(text), edit.function)
    if span is None:
        raise AnchorError(f"{where}: no such function any more")
    lines = text.splitlines(keepends=True)
    first, last = span
    body = "".join(lines[first - 1 : last])
    found = body.count(edit.old)
    if found != 1:
        raise AnchorError(f"{where}: expected {edit.old!r} once in the function, found {found}")
    patched = "".join(lines[: first - 1]) + body.replace(edit.old, edit.new) + "".join(lines[last:])
    try:
        ast.parse(patched)
    except SyntaxError as exc:
        raise AnchorError(f"{where}: the edit does not parse ({exc.msg})") from None
    return patched


def mutated_files(mutant: Mutant, root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """Each file the mutant changes -> (original text, mutated text)."""
    files: dict[str, tuple[str, str]] = {}
    for edit in mutant.edits:
        original, current = files.get(edit.path) or ((root / edit.path).read_text(),) * 2
        files[edit.path] = (original, apply_edit(current, edit))
    return files


def diff(mutant: Mutant) -> str:
    """The mutant as a unified diff against the working tree."""
    return "".join(
        "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), path, path))
        for path, (a, b) in mutated_files(mutant).items()
    )


@dataclass
class Verdict:
    """What running the tests on one (mutated or clean) copy gave."""

    name: str
    status: str  # killed, survived, passed (clean copy), failed (clean copy), broken
    failed: list[str]
    seconds: float
    note: str = ""


def _copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)


def _failed_tests(junit: Path) -> list[str]:
    if not junit.exists():
        return []
    failed = []
    for case in ET.parse(junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.append(f"{module}.py::{case.get('name')}")
    return failed


def run_tests(mutant: Mutant | None, tests: tuple[str, ...], first_failure: bool) -> Verdict:
    """Copy the project, apply ``mutant`` (None: the clean copy) and run ``tests`` there."""
    name = mutant.name if mutant else "(none)"
    with tempfile.TemporaryDirectory(prefix="escalsim-mutant-") as tmp:
        copy = Path(tmp)
        _copy_project(copy)
        if mutant is not None:
            for path, (_, text) in mutated_files(mutant).items():
                (copy / path).write_text(text)
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        where = subprocess.run(
            [sys.executable, "-c", "import escalsim; print(escalsim.__file__)"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not Path(where).resolve().is_relative_to(copy.resolve()):
            return Verdict(name, "broken", [], 0.0, f"escalsim imported from {where!r}")
        junit = copy / "junit.xml"
        argv = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
        argv += [f"--junitxml={junit}", *(["-x"] if first_failure else [])]
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=copy, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        failed = _failed_tests(junit)
        tail = proc.stdout.strip().splitlines()[-1:] or proc.stderr.strip().splitlines()[-1:]
    if proc.returncode not in (0, 1):  # interrupted, internal or usage error: no verdict
        return Verdict(name, "broken", failed, seconds, f"pytest exit {proc.returncode}: {tail}")
    if mutant is None:
        return Verdict(name, "passed" if proc.returncode == 0 else "failed", failed, seconds)
    return Verdict(name, "killed" if proc.returncode == 1 else "survived", failed, seconds)


def _report(v: Verdict, every: bool = False) -> None:
    """One line per mutant: its verdict, time, and the first tests that failed (or all)."""
    shown = v.failed if every else v.failed[:3]
    names = ", ".join(t.split("::")[-1] for t in shown)
    more = f" (+{len(v.failed) - len(shown)} more)" if len(v.failed) > len(shown) else ""
    print(f"{v.name:<24} {v.status:<9} {v.seconds:>6.0f} s  {len(v.failed):>3}  {names}{more}")
    if v.note:
        print(f"{'':<24} {v.note}")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--show", metavar="NAME", help="print a mutant as a diff and stop")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument(
        "--first-failure", action="store_true", help="stop each test run at its first failure"
    )
    parser.add_argument("--tests", nargs="+", default=list(TESTS), help="test files to run")
    parser.add_argument("--every", action="store_true", help="name every test that failed")
    args = parser.parse_args()
    if args.list:
        for m in MUTANTS:
            print(f"{m.name:<24} {m.what}")
        return 0
    unknown = [n for n in [*args.names, *([args.show] if args.show else [])] if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown mutant {unknown[0]!r} (see --list)")
    chosen = [BY_NAME[n] for n in args.names] or list(MUTANTS)
    try:
        if args.show:
            print(diff(BY_NAME[args.show]), end="")
            return 0
        for m in chosen:  # every anchor found before any test runs
            mutated_files(m)
    except AnchorError as exc:
        print(f"mutant cannot be applied: {exc}", file=sys.stderr)
        return 2
    tests = tuple(args.tests)
    print(f"tests: {' '.join(tests)}")
    print(f"{'mutant':<24} {'verdict':<9} {'time':>8}  {'n':>3}  tests that failed")
    clean = run_tests(None, tests, args.first_failure)
    _report(clean)
    if clean.status != "passed":
        print("the unmutated tests do not pass: no mutant can be judged", file=sys.stderr)
        return 2
    verdicts = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for v in pool.map(lambda m: run_tests(m, tests, args.first_failure), chosen):
            _report(
                v, args.every
            )  # in the order listed, each as soon as it and those before it are done
            verdicts.append(v)
    killed = sum(v.status == "killed" for v in verdicts)
    print(f"killed {killed} of {len(verdicts)}")
    if any(v.status == "broken" for v in verdicts):
        return 2
    return 0 if killed == len(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
