"""The kinds table is the one vocabulary: the schema, the engine, the history replay, the
reference checks and the narration all cover it, and no kind is spelled outside it."""

from __future__ import annotations

import ast
import string
import typing
from pathlib import Path

import pytest

import escalsim as es
from escalsim.engine import Event
from escalsim.engine.history import REPLAY
from escalsim.engine.simulation import EFFECTS
from escalsim.errors import ScenarioError
from escalsim.narration import tell
from escalsim.scenario import kinds
from escalsim.scenario.kinds import ACTIONS, KINDS, REPORTED, TRIGGER_EVENTS
from escalsim.scenario.schema import ActionKind, HistoryKind, Payload, TriggerEvent

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "escalsim"
WORDS = {"a", "t", "deal", "rung", "action", "cause", "deadline", "offer", "offerer"}
"""The fields a kind's narration template may use (see ``kinds.Kind.says``)."""


def test_schema_literals_are_the_table():
    assert typing.get_args(ActionKind) == ACTIONS
    assert typing.get_args(HistoryKind) == REPORTED
    assert typing.get_args(TriggerEvent) == TRIGGER_EVENTS
    assert set(ACTIONS) <= set(KINDS) and set(REPORTED) <= set(KINDS)
    assert all(name == k.name for name, k in KINDS.items())


def test_every_action_has_an_engine_effect():
    assert set(EFFECTS) == set(ACTIONS)


def test_every_reported_kind_has_a_replay():
    assert set(REPLAY) == set(REPORTED)


def test_reported_payloads_are_payload_fields():
    fields = set(Payload.model_fields)
    for name in REPORTED:
        spec = KINDS[name].reported
        assert set(spec.payload) <= fields, name
        assert spec.needs is None or spec.needs in spec.payload, name


def test_every_logged_kind_has_a_narration_template():
    for k in KINDS.values():
        assert bool(k.says) != k.silent, k.name
        used = {f for t in k.says for _, f, _, _ in string.Formatter().parse(t) if f}
        allowed = {"outcome", "description", "when"} if k.name == "outcome" else WORDS
        assert used <= allowed, k.name


def test_requirements_only_for_actions():
    for k in KINDS.values():
        assert k.requires is None or k.action, k.name
        assert not k.anyone or k.action, k.name


def _literal_kinds(path: Path) -> list[tuple[str, int]]:
    """The kind literals given to ``record(actor, kind, ...)``, ``Option(kind, ...)`` and the
    effect and replay tables in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            arg = {"record": 1, "Option": 0}.get(name)
            if arg is not None and len(node.args) > arg:
                value = node.args[arg]
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.append((value.value, node.lineno))
        elif isinstance(node, (ast.AnnAssign, ast.Assign)) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {getattr(t, "id", "") for t in targets}
            if names & {"EFFECTS", "REPLAY"}:
                found += [
                    (k.value, k.lineno) for k in node.value.keys if isinstance(k, ast.Constant)
                ]
    return found


def test_no_kind_is_spelled_outside_the_table():
    """Every kind the engine logs or the model offers as an option is a row of the table."""
    checked = 0
    for path in sorted([*PACKAGE.glob("engine/*.py"), *PACKAGE.glob("model/*.py")]):
        for kind, line in _literal_kinds(path):
            checked += 1
            assert kind in KINDS, f"{path.relative_to(ROOT)}:{line}: '{kind}' is not in the table"
    assert checked > 30  # the scan does see the engine's records and the option builders


def test_every_kind_is_told_with_its_template():
    sc = es.load_scenario(ROOT / "tests" / "data" / "dyad.yaml")
    payload = {"deal": "surrender", "rung": "deploy", "deadline": 3.0, "outcome": "deal"}
    for name, k in KINDS.items():
        if k.silent:
            continue
        (sentence,) = tell(sc, [Event(1.0, "a", name, "b", payload)])
        assert sentence.text != f"A: {name}", name  # not the plain fallback of unknown kinds
    (custom,) = tell(sc, [Event(1.0, "a", "bluff", None, {})])
    assert custom.text == "A: bluff"


def test_custom_action_cannot_take_a_builtin_name():
    data = es.load_scenario(ROOT / "tests" / "data" / "dyad.yaml").to_dict()
    data["actors"]["a"]["actions"] = {name: {} for name in ACTIONS}
    with pytest.raises(ScenarioError) as err:
        es.Scenario.from_dict(data)
    assert len(err.value.problems) == len(ACTIONS)


def test_repertoire_requirements_come_from_the_table():
    data = es.load_scenario(ROOT / "tests" / "data" / "dyad.yaml").to_dict()
    data["actors"]["c"] = {"repertoire": list(ACTIONS), "guarantee": 0.0, "host": 0.0}
    with pytest.raises(ScenarioError) as err:
        es.Scenario.from_dict(data)
    said = [p.message for p in err.value.problems if p.path == "actors.c.repertoire"]
    needing = [n for n in ACTIONS if KINDS[n].requires is not None]
    assert said == [f"'{n}' needs {KINDS[n].requires.what.format(actor='c')}" for n in needing]
    assert "'rally' needs processes.cohesion for actor 'c'" in said


def test_the_table_module_imports_nothing_of_escalsim():
    tree = ast.parse(Path(kinds.__file__).read_text(encoding="utf-8"))
    runtime = [
        n
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
        and "escalsim" in (getattr(n, "module", "") or "")
    ]
    assert runtime == []
