"""Scenario lint: the catalogue of planted problems, the bundled scenarios, and the command.

Each file in ``tests/lint_cases/`` plants problems in a small scenario (most extend
``base.yaml``, in which lint finds nothing) and lists, in its header, the path of every
warning lint must give::

    # A belief held by an actor that bargains with no one: nothing reads it.
    # warn: actors.prc.beliefs.a
    # args: --probe 30          (optional: run the paired probe with 30 runs)

Lint must find exactly those paths. For the bundled scenarios, every warning is checked by
changing the input it names and running the scenario: an input no mechanism reads changes
no run, and an outcome that can never happen happens in none.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_main

import escalsim as es
from escalsim.analysis.lint import lint
from escalsim.engine import prepare, run_prepared, run_seed
from escalsim.scenario.parameters import edited, item_name

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "lint_cases").glob("*.yaml"))
SERIAL = es.RunSettings(executor="serial", progress=False)


def header(path: Path) -> tuple[set[str], int | None]:
    """The warning paths a case expects, and its probe runs (None: no probe)."""
    warn, probe = set(), None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if m := re.match(r"#\s*warn:\s*(\S+)", line):
            warn.add(m.group(1))
        if m := re.match(r"#\s*args:\s*--probe\s+(\d+)", line):
            probe = int(m.group(1))
    assert warn, f"{path.name}: the header needs '# warn: PATH' lines (or '# warn: none')"
    return warn - {"none"}, probe


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_lint_finds_exactly_the_planted_problems(case: Path) -> None:
    expected, probe = header(case)
    findings = lint(case, probe=probe, settings=SERIAL)
    assert {f.path for f in findings} == expected, [str(f) for f in findings]
    for f in findings:
        assert f.file is not None and f.line is not None, f"{f} is not located"
        assert str(f).startswith(f"warning: {f.path}: ")


def test_the_catalogue_covers_every_check() -> None:
    checks = {f.check for case in CASES for f in lint(case, probe=header(case)[1], settings=SERIAL)}
    assert checks == {"inert", "never-triggers", "never-open", "no-effect"}


def test_a_warning_points_at_the_line_of_its_input() -> None:
    case = ROOT / "tests" / "lint_cases" / "threat_on_bottom_rung.yaml"
    (finding,) = lint(case)
    line = case.read_text(encoding="utf-8").splitlines().index("    threat: calm") + 1
    assert (finding.file, finding.line, finding.column) == (str(case), line, 13)


def test_lint_of_a_scenario_object_has_no_location() -> None:
    sc = es.load_scenario(ROOT / "tests" / "lint_cases" / "threat_on_bottom_rung.yaml")
    (finding,) = lint(sc)
    assert (finding.path, finding.file, finding.line) == ("actors.a.threat", None, None)


def test_the_probe_says_how_many_runs_it_used() -> None:
    case = ROOT / "tests" / "lint_cases" / "probe_success_without_outcome.yaml"
    findings = lint(case, probe=12, settings=SERIAL)
    assert findings.probe is not None
    # two uncertain parameters (b's belief, the action's success), two ends, 12 runs each
    assert (findings.probe.parameters, findings.probe.total) == (2, 48)
    assert "the probe ran 48 runs: 12 paired runs (seed 0)" in str(findings.probe)
    (finding,) = findings
    assert finding.check == "no-effect" and "each of 12 paired runs" in finding.message
    assert lint(case).probe is None


def test_the_probe_skips_inputs_already_found_inert() -> None:
    findings = lint(ROOT / "tests" / "data" / "ensemble_two_actors.yaml", probe=5, settings=SERIAL)
    assert [f.path for f in findings] == ["actors.a.credibility"]  # found once, statically


# --- the bundled scenarios ----------------------------------------------------------------------
KNOWN = {
    "border_dispute": {
        "actors.northland.repertoire.5",
        "actors.northland.incentives.values.war",
        "actors.northland.incentives.values.frozen_conflict",
        "actors.northland.incentives.values.backdown",
        "actors.southland.incentives.values.frozen_conflict",
        "actors.southland.incentives.values.backdown",
        "actors.southland.rally_signal",
        "actors.league.incentives.values.war",
        "actors.league.incentives.values.frozen_conflict",
        "actors.militia.incentives.values.settlement",
    },
    "venezuela_2025": set(),  # its inert inputs were taken out
}
"""What lint finds in the bundled scenarios: inputs the model really ignores (each checked
below by changing it). The flagship has none; the fictional example keeps its own, which
the lint tests read."""
KNOWN["venezuela_2025_believer"] = KNOWN["venezuela_2025"]
KNOWN["venezuela_2025_guarantee"] = KNOWN["venezuela_2025"]
KNOWN["venezuela_2025_no_ultimatum"] = KNOWN["venezuela_2025"]
KNOWN["venezuela_2025_elections"] = KNOWN["venezuela_2025"] | {"deals.exit_with_amnesty"}


def _is_scenario(path: Path) -> bool:
    """A scenario file says its schema version or what it extends at the top level (beside
    the scenarios lie a questions file and an event table's mapping, which are not)."""
    return any(
        line.startswith(("schema_version:", "extends:")) for line in path.read_text().splitlines()
    )


BUNDLED = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if _is_scenario(p))


def test_every_bundled_scenario_is_listed() -> None:
    assert {p.stem for p in BUNDLED} == set(KNOWN)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_lint_of_the_bundled_scenarios(path: Path) -> None:
    assert {f.path for f in lint(path)} == KNOWN[path.stem]


def _records(sc: es.Scenario, runs: int) -> list[tuple[Any, ...]]:
    prep = prepare(sc)
    out = []
    for i in range(runs):
        r = run_prepared(prep, run_seed(11, i), i)
        out.append((r.outcome, r.time, sorted(r.max_rung.items()), sorted(r.milestones.items())))
    return out


def _changed(sc: es.Scenario, path: str) -> es.Scenario:
    """The scenario with the input at ``path`` changed: a repertoire entry or a deal taken
    out, every fixed number under the path moved (none of these is drawn, so the runs keep
    their random numbers)."""
    data = edited(sc, {})
    parts = path.split(".")
    if parts[-2] == "repertoire":
        del data["actors"][parts[1]]["repertoire"][int(parts[-1])]
    elif parts[0] == "deals":
        del data["deals"][parts[1]]
    else:
        node: Any = data
        for part in parts[:-1]:
            node = (
                node[[item_name(x, i) for i, x in enumerate(node)].index(part)]
                if isinstance(node, list)
                else node[part]
            )
        value = node[parts[-1]]
        assert isinstance(value, (int, float)), f"{path}: not a fixed number"
        node[parts[-1]] = value * 2 + 1 if value >= 0 else value * 2
    return es.Scenario.from_dict(data)


@pytest.mark.parametrize("name", ["border_dispute", "venezuela_2025_elections"])
def test_what_lint_finds_in_a_bundled_scenario_changes_no_run(name: str) -> None:
    sc = es.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    runs = 16
    base = _records(sc, runs)
    for path in sorted(KNOWN[name]):
        assert _records(_changed(sc, path), runs) == base, f"{path} is read after all"


def test_an_input_that_is_read_changes_runs() -> None:
    """The check above can fail: a value the target does weigh changes its runs."""
    sc = es.load_scenario(ROOT / "scenarios" / "border_dispute.yaml")
    changed = _changed(sc, "actors.southland.incentives.values.war")
    assert _records(changed, 16) != _records(sc, 16)


# --- the command --------------------------------------------------------------------------------
def test_validate_prints_warnings_and_passes_without_strict(capsys: pytest.CaptureFixture) -> None:
    case = ROOT / "tests" / "lint_cases" / "settings_without_action.yaml"
    code, out, err = run_main(["validate", str(case)], capsys)
    assert code == 0
    assert out.strip() == f"{case}: ok"
    lines = err.splitlines()
    assert len(lines) == 4 and all(line.startswith("warning: actors.") for line in lines)
    assert f"({case}:" in err


def test_validate_strict_fails_on_a_warning(capsys: pytest.CaptureFixture) -> None:
    case = ROOT / "tests" / "lint_cases" / "outcome_taken_first.yaml"
    base = ROOT / "tests" / "lint_cases" / "base.yaml"
    code, out, err = run_main(["validate", "--strict", str(case), str(base)], capsys)
    assert code == 1
    assert out.strip() == f"{base}: ok"
    first, last = err.splitlines()
    assert first.startswith(
        "warning: outcomes.raid: can never happen: rung a.strike sets off 'war'"
    )
    assert first.endswith(f"({case}:5:3)")
    assert last == f"{case}: 1 warning (--strict)"


def test_validate_probe_reports_its_runs(capsys: pytest.CaptureFixture) -> None:
    case = ROOT / "tests" / "lint_cases" / "probe_success_without_outcome.yaml"
    code, _, err = run_main(
        ["validate", "--probe", "6", "--seed", "3", "--strict", str(case)], capsys
    )
    assert code == 1
    assert "warning: actors.a.actions.leak.success: setting it to" in err
    assert f"note: {case}: the probe ran 24 runs: 6 paired runs (seed 3)" in err


@pytest.mark.parametrize("args", [["--probe", "0"], ["--probe", "x"], ["--seed", "-1"]])
def test_validate_bad_probe_options_are_usage_errors(args, capsys) -> None:
    code, _, err = run_main(["validate", *args, str(CASES[0])], capsys)
    assert code == 2 and "Traceback" not in err
