"""Every class of bad scenario input gives one clear ScenarioError: where, what was found, what
was expected. Each case checks the message, the field path and the line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_helpers import MINIMAL, edit, one_problem, position, write

from escalsim.errors import EscalsimError, Problem, ScenarioError
from escalsim.scenario import Scenario, load_scenario, yaml_source

HISTORY = "history:\n  - {date: 2025-11-01, actor: us, event: statement, source: press}\n"

# (id, text, field path, message fragments, (line containing, token at the column[, shift]))
FIELD_CASES = [
    (
        "unknown-top-level-key",
        MINIMAL + "horizn: 30\n",
        "horizn",
        ["unknown key 'horizn'", "(did you mean 'horizon'?)"],
        ("horizn: 30", "horizn"),
    ),
    (
        "unknown-nested-key",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    rationalty: 1.0\n"),
        "actors.us.rationalty",
        ["unknown key 'rationalty'", "(did you mean 'rationality'?)"],
        ("rationalty:", "rationalty"),
    ),
    (
        "unknown-key-in-distribution",
        edit("rationality: 2.0", "rationality: {normal: [1, 1], bonds: [0, 3]}"),
        "actors.us.rationality.bonds",
        ["unknown key 'bonds'", "(did you mean 'bounds'?)"],
        ("bonds", "bonds"),
    ),
    (
        "unknown-key-in-trigger",
        edit("trigger: {event: horizon}", "trigger: {evnt: horizon}"),
        "outcomes.stalemate.trigger.evnt",
        ["unknown key 'evnt'", "(did you mean 'event'?)"],
        ("evnt", "evnt"),
    ),
    (
        "unknown-value-with-suggestion",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    repertoire: [hold, clmb]\n"),
        "actors.us.repertoire.1",
        ["expected 'hold', 'climb'", "got 'clmb'", "(did you mean 'climb'?)"],
        ("repertoire", "clmb"),
    ),
    (
        "text-for-number",
        edit("horizon: 90", "horizon: soon"),
        "horizon",
        ["expected a number, got 'soon'"],
        ("horizon: soon", "soon"),
    ),
    (
        "quoted-number-for-probability",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    credibility: '0.5'\n"),
        "actors.us.credibility",
        ["expected a number or a distribution ({beta: ...", "got '0.5'"],
        ("credibility", "'0.5'"),
    ),
    (
        "unknown-distribution",
        edit("rationality: 2.0", "rationality: {gamma: [1, 2]}"),
        "actors.us.rationality",
        ["expected a number or a distribution", "got {'gamma': [1, 2]}"],
        ("gamma", "{gamma"),
    ),
    (
        "number-for-text",
        edit("name: minimal", "name: 123"),
        "name",
        ["expected text, got 123"],
        ("name: 123", "123"),
    ),
    (
        "mapping-for-list",
        edit(
            "    ladder:\n      - {name: pressure}\n      - {name: strikes, cost: 1.0}\n",
            "    ladder: {name: pressure}\n",
        ),
        "actors.us.ladder",
        ["expected a list, got {'name': 'pressure'}"],
        ("ladder:", "{name"),
    ),
    (
        "null-for-mapping",
        edit("  ve:\n    opponent: us\n", "  ve:\n"),
        "actors.ve",
        ["expected a mapping (key: value), got None"],
        ("  ve:", ":", 1),  # an empty value starts just after the colon
    ),
    (
        "number-for-trigger",
        edit("trigger: {event: horizon}", "trigger: 5"),
        "outcomes.stalemate.trigger",
        ["expected a mapping (key: value) or a list, got 5"],
        ("trigger: 5", "5"),
    ),
    (
        "bad-identifier",
        edit("name: minimal", "name: my crisis"),
        "name",
        ["expected a name of letters, digits and '_'", "got 'my crisis'"],
        ("name: my crisis", "my crisis"),
    ),
    (
        "probability-above-one",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    credibility: 1.4\n"),
        "actors.us.credibility",
        ["must be in [0, 1], got 1.4"],
        ("credibility: 1.4", "1.4"),
    ),
    (
        "uncertain-probability-above-one",
        edit(
            "    rationality: 2.0\n",
            "    rationality: 2.0\n    credibility: {uniform: [0.5, 1.5]}\n",
        ),
        "actors.us.credibility",
        ["must be in [0, 1], got {uniform: [0.5, 1.5]} with support [0.5, 1.5]"],
        ("credibility:", "{uniform"),
    ),
    (
        "uniform-lo-above-hi",
        edit("rationality: 2.0", "rationality: {uniform: [3, 1]}"),
        "actors.us.rationality.uniform",
        ["uniform needs lo < hi, got [3.0, 1.0]"],
        ("uniform", "[3, 1]"),
    ),
    (
        "beta-a-zero",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    credibility: {beta: [0, 2]}\n"),
        "actors.us.credibility.beta.0",
        ["expected greater than 0, got 0"],
        ("beta", "0, 2"),
    ),
    (
        "beta-a-negative",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    credibility: {beta: [-1, 2]}\n"),
        "actors.us.credibility.beta.0",
        ["expected greater than 0, got -1"],
        ("beta", "-1"),
    ),
    (
        "distribution-too-few-numbers",
        edit("rationality: 2.0", "rationality: {uniform: [3]}"),
        "actors.us.rationality.uniform",
        ["too few items: expected an item at position 1, got [3]"],
        ("uniform", "[3]"),
    ),
    (
        "empty-choice",
        edit("rationality: 2.0", "rationality: {choice: {}}"),
        "actors.us.rationality.choice",
        ["expected at least 1 item, got {}"],
        ("choice", "{}"),
    ),
    (
        "no-actors",
        "schema_version: 1\nname: empty\nstart: 2025-12-01\nhorizon: 90\nactors: {}\n"
        "outcomes:\n  stalemate:\n    trigger: {event: horizon}\n",
        "actors",
        ["expected at least 1 item, got {}"],
        ("actors: {}", "{}"),
    ),
    (
        "negative-duration",
        edit("    rationality: 2.0\n", "    rationality: 2.0\n    review_days: -1\n"),
        "actors.us.review_days",
        ["must be in (0, inf], got -1.0"],
        ("review_days", "-1"),
    ),
    (
        "negative-horizon",
        edit("horizon: 90", "horizon: -5"),
        "horizon",
        ["expected greater than 0, got -5"],
        ("horizon", "-5"),
    ),
    (
        "not-a-number",
        edit("horizon: 90", "horizon: .nan"),
        "horizon",
        ["expected a finite number, got nan"],
        ("horizon", ".nan"),
    ),
    (
        "schema-version",
        edit("schema_version: 1", "schema_version: 2"),
        "schema_version",
        ["expected 1, got 2"],
        ("schema_version", "2"),
    ),
    (
        "missing-key",
        edit("name: minimal\n", ""),
        "name",
        ["missing required key 'name'"],
        ("schema_version", "schema_version"),
    ),
    (
        "missing-nested-key",
        edit("      - {name: pressure}\n", "      - {cost: 0.5}\n"),
        "actors.us.ladder.0.name",
        ["missing required key 'name'"],
        ("{cost: 0.5}", "{cost"),
    ),
    (
        "impossible-date",
        edit("start: 2025-12-01", "start: 2025-13-01"),
        "start",
        ["invalid date '2025-13-01'", "month must be in 1..12"],
        ("start:", "2025"),
    ),
    (
        "number-for-date",
        edit("start: 2025-12-01", "start: 20251201"),
        "start",
        ["expected a date (YYYY-MM-DD), got 20251201"],
        ("start:", "2025"),
    ),
    (
        "integer-too-long",
        edit("horizon: 90", "horizon: " + "9" * 5000),
        "horizon",
        ["invalid integer '999", "Exceeds the limit"],
        ("horizon", "9"),
    ),
    (
        "history-after-start",
        MINIMAL + HISTORY.replace("2025-11-01", "2026-01-01"),
        "history.0.date",
        ["history event dated 2026-01-01 is after the start date 2025-12-01"],
        ("2026-01-01", "2026-01-01"),
    ),
    (
        "history-unknown-event",
        MINIMAL + HISTORY.replace("statement", "statment"),
        "history.0.event",
        ["got 'statment'", "(did you mean 'statement'?)"],
        ("statment", "statment"),
    ),
    (
        "undefined-actor",
        edit("opponent: us", "opponent: usa"),
        "actors.ve.opponent",
        ["unknown actor 'usa'", "(did you mean 'us'?)"],
        ("opponent: usa", "usa"),
    ),
    (
        "undefined-actor-in-history",
        MINIMAL + HISTORY.replace("actor: us", "actor: vee"),
        "history.0.actor",
        ["unknown actor 'vee'", "(did you mean 've'?)"],
        ("actor: vee", "vee"),
    ),
    (
        "undefined-rung-in-trigger",
        MINIMAL + "milestones:\n  first_strike:\n    trigger: {rung: us.strike}\n",
        "milestones.first_strike.trigger.rung",
        ["actor 'us' has no rung 'strike'", "(did you mean 'strikes'?)"],
        ("us.strike}", "us.strike"),
    ),
    (
        "undefined-rung-in-history",
        MINIMAL + HISTORY.replace("event: statement", "event: climb, payload: {rung: strike}"),
        "history.0.payload.rung",
        ["actor 'us' has no rung 'strike'", "(did you mean 'strikes'?)"],
        ("rung: strike", "strike"),
    ),
    (
        "list-for-deal-name",
        MINIMAL
        + HISTORY.replace(
            "actor: us, event: statement", "actor: ve, event: demand, payload: {deal: [a]}"
        ),
        "history.0.payload.deal",
        ["expected text, got ['a']"],
        ("deal: [a]", "[a]"),
    ),
    (
        "no-horizon-outcome",
        edit("trigger: {event: horizon}", "trigger: {rung: us.strikes}"),
        "outcomes",
        ["exactly one outcome must have trigger {event: horizon}", "found 0"],
        ("  stalemate:", "stalemate"),
    ),
    (
        "incidents-with-one-actor",
        edit("  ve:\n    opponent: us\n", "  ve:\n    opponent: us\n    ladder: [{name: alert}]\n")
        + "processes:\n  incidents: {between: [us, us], rate: 0.1}\n",
        "processes.incidents.between",
        ["incidents need two different actors"],
        ("between", "[us, us]"),
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "fragments", "where"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_bad_field_is_one_located_problem(
    tmp_path: Path, text: str, path: str, fragments: list[str], where: tuple
) -> None:
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    problem = one_problem(excinfo)
    assert problem.path == path
    for fragment in fragments:
        assert fragment in problem.message
    assert problem.file == str(file)
    assert (problem.line, problem.column) == position(text, *where)
    assert str(excinfo.value).startswith(f"{path}: ")
    assert str(excinfo.value).endswith(f"({file}:{problem.line}:{problem.column})")


def test_message_names_field_found_value_and_place(tmp_path: Path) -> None:
    text = edit("    rationality: 2.0\n", "    rationality: 2.0\n    credibility: 1.4\n")
    file = write(tmp_path, text, "crisis.yaml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    assert str(excinfo.value) == f"actors.us.credibility: must be in [0, 1], got 1.4 ({file}:8:18)"


def test_all_problems_reported_together_in_file_order(tmp_path: Path) -> None:
    text = edit("    rationality: 2.0\n", "    rationality: -2.0\n    credibility: 7\n")
    text = edit("horizon: 90", "horizon: soon", text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problems = excinfo.value.problems
    assert [p.path for p in problems] == [
        "horizon",
        "actors.us.rationality",
        "actors.us.credibility",
    ]
    assert [p.line for p in problems] == [4, 7, 8]
    rendered = str(excinfo.value)
    assert rendered.startswith("3 problems:\n  - horizon: expected a number")
    assert "  - actors.us.credibility: must be in [0, 1], got 7.0" in rendered


def test_cross_reference_problems_reported_together(tmp_path: Path) -> None:
    text = edit("opponent: us", "opponent: usa")
    text += "milestones:\n  first_strike:\n    trigger: {rung: us.strike}\n"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    assert {p.path for p in excinfo.value.problems} == {
        "actors.ve.opponent",
        "milestones.first_strike.trigger.rung",
    }
    assert all(p.line is not None for p in excinfo.value.problems)


def test_scenario_error_is_an_escalsim_error() -> None:
    assert issubclass(ScenarioError, EscalsimError)
    assert str(ScenarioError(Problem("a.b", "bad", "f.yaml", 3, 4))) == "a.b: bad (f.yaml:3:4)"


# --- the YAML layer ---------------------------------------------------------------------------


def test_duplicate_key(tmp_path: Path) -> None:
    text = MINIMAL + "name: other\n"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problem = one_problem(excinfo)
    assert problem.path == "name"
    assert problem.message == "duplicate key 'name' (first at line 2)"
    assert (problem.line, problem.column) == (16, 1)


def test_duplicate_nested_key(tmp_path: Path) -> None:
    text = edit("    rationality: 2.0\n", "    rationality: 2.0\n    rationality: 3.0\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problem = one_problem(excinfo)
    assert problem.path == "actors.us.rationality"
    assert "duplicate key 'rationality' (first at line 7)" in problem.message
    assert (problem.line, problem.column) == (8, 5)


def test_tab_in_indentation(tmp_path: Path) -> None:
    text = edit("  ve:\n    opponent: us", "  ve:\n\topponent: us")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problem = one_problem(excinfo)
    assert "tab character in indentation" in problem.message
    assert (problem.line, problem.column) == (12, 1)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   \n# x\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    problem = one_problem(excinfo)
    assert problem.message == "the file is empty (expected a scenario mapping)"
    assert (problem.file, problem.line) == (str(file), 1)


def test_non_utf8_bytes(tmp_path: Path) -> None:
    raw = MINIMAL.encode().replace(b"name: minimal", b"name: min\xffimal")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, raw))
    problem = one_problem(excinfo)
    assert problem.message == "not valid UTF-8 text (byte 0xff)"
    assert (problem.line, problem.column) == (2, 10)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    file = write(tmp_path, "\ufeff" + MINIMAL)
    assert load_scenario(file).name == "minimal"


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['echo hacked']",
        "!!python/object:builtins.dict {}",
        "!!python/name:os.system",
        "!custom thing",
    ],
)
def test_python_tags_refused(tmp_path: Path, tagged: str) -> None:
    text = MINIMAL + f"title: {tagged}\n"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problem = one_problem(excinfo)
    assert problem.path == "title"
    assert "is not allowed" in problem.message
    assert "YAML tag" in problem.message
    assert (problem.line, problem.column) == (16, 8)


def test_billion_laughs_is_refused_at_the_node_cap(tmp_path: Path, monkeypatch) -> None:
    """Expansion stops at the node cap: the work is bounded by a count, not by luck."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    file = write(tmp_path, "\n".join(lines) + "\n")
    built = []
    build = yaml_source._Builder.build

    def counted(self, node, path, depth):
        built.append(node)
        return build(self, node, path, depth)

    monkeypatch.setattr(yaml_source._Builder, "build", counted)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    assert len(built) == yaml_source.MAX_NODES + 1  # of 9**9 nodes in the expanded document
    problem = one_problem(excinfo)
    assert "more than 200,000 values (each value an alias repeats counts again)" in problem.message
    assert problem.file == str(file)
    assert problem.line is not None


def test_deep_flow_nesting(tmp_path: Path) -> None:
    text = MINIMAL + "description: " + "[" * 500 + "]" * 500 + "\n"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problem = one_problem(excinfo)
    assert problem.message == "nested more than 60 levels deep"
    assert problem.path.startswith("description.0.0.0")
    assert (problem.line, problem.column) == (16, 14 + 60)


def test_deep_block_nesting(tmp_path: Path) -> None:
    nested = "".join("  " * (i + 1) + f"k{i}:\n" for i in range(80)) + "  " * 81 + "x: 1\n"
    text = MINIMAL + "title:\n" + nested
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, text))
    problem = one_problem(excinfo)
    assert problem.message == "nested more than 60 levels deep"
    assert problem.path.startswith("title.k0.k1.k2")
    assert problem.line == 16 + 61


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (MINIMAL + "title: [unclosed\n", "invalid YAML: while parsing a flow sequence", 17),
        (MINIMAL + "---\nname: second\n", "expected a single document", 16),
        ("- a\n- b\n", "expected a mapping at the top level, got list", 1),
        ("just words\n", "expected a mapping at the top level, got str", 1),
        (MINIMAL + "? [a, b]\n: 1\n", "mapping keys must be plain scalars", 16),
    ],
    ids=["syntax", "two-documents", "top-level-list", "top-level-scalar", "complex-key"],
)
def test_not_a_scenario_mapping(tmp_path: Path, text: str, message: str, line: int) -> None:
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    problem = one_problem(excinfo)
    assert message in problem.message
    assert (problem.file, problem.line) == (str(file), line)


def test_null_key(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, MINIMAL + "~: 1\n"))
    problem = one_problem(excinfo)
    assert problem.message == "keys must be text, got None"
    assert (problem.line, problem.column) == (16, 1)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(tmp_path)
    problem = one_problem(excinfo)
    assert problem.message == "is a directory, not a scenario file"
    assert problem.file == str(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(missing)
    assert str(excinfo.value) == f"file not found ({missing})"


def test_impossible_file_name() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario("bad\x00name.yaml")
    assert str(excinfo.value) == "not a valid file name ('bad\\x00name.yaml')"


# --- extends ----------------------------------------------------------------------------------


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\nhorizon: 10\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nhorizon: 20\n", "b.yaml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(tmp_path / "a.yaml")
    problem = one_problem(excinfo)
    assert problem.path == "extends"
    assert problem.message == "cyclic extends: a.yaml -> b.yaml -> a.yaml"
    assert problem.file == str((tmp_path / "b.yaml").resolve())
    assert (problem.line, problem.column) == (1, 1)


def test_extends_itself(tmp_path: Path) -> None:
    file = write(tmp_path, "extends: self.yaml\n" + MINIMAL, "self.yaml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    problem = one_problem(excinfo)
    assert problem.message == "cyclic extends: self.yaml -> self.yaml"
    assert (problem.file, problem.line) == (str(file), 1)


def test_extends_missing_base(tmp_path: Path) -> None:
    file = write(tmp_path, "horizon: 10\nextends: gone.yaml\n", "what_if.yaml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    problem = one_problem(excinfo)
    assert problem.path == "extends"
    assert problem.message == "base scenario not found: gone.yaml"
    assert (problem.file, problem.line, problem.column) == (str(file), 2, 1)


def test_extends_not_a_path(tmp_path: Path) -> None:
    file = write(tmp_path, "extends: [a.yaml]\n" + MINIMAL)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    problem = one_problem(excinfo)
    assert problem.message == "expected a file path, got ['a.yaml']"
    assert (problem.path, problem.line) == ("extends", 1)


def test_error_in_what_if_points_at_what_if_file(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "base.yaml")
    what_if = write(
        tmp_path, "extends: base.yaml\nactors:\n  us:\n    credibility: 1.4\n", "what_if.yaml"
    )
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(what_if)
    problem = one_problem(excinfo)
    assert problem.path == "actors.us.credibility"
    assert (problem.file, problem.line, problem.column) == (str(what_if), 4, 18)


def test_error_in_base_points_at_base_file(tmp_path: Path) -> None:
    base = write(tmp_path, edit("opponent: us", "opponent: usa"), "base.yaml")
    what_if = write(tmp_path, "extends: base.yaml\nhorizon: 30\n", "what_if.yaml")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(what_if)
    problem = one_problem(excinfo)
    assert problem.path == "actors.ve.opponent"
    assert problem.file == str(base.resolve())
    assert problem.line == 12


def test_extends_only_in_files() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict({"extends": "base.yaml"})
    problem = one_problem(excinfo)
    assert problem.path == "extends"
    assert "use load_scenario" in problem.message


# --- mappings from Python ---------------------------------------------------------------------


def test_from_dict_errors_have_no_line() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict({"schema_version": 1, "name": "x", "start": "2025-12-01"})
    paths = [p.path for p in excinfo.value.problems]
    assert paths == ["actors", "horizon", "outcomes"]
    assert all(p.line is None and p.file is None for p in excinfo.value.problems)
    assert all(p.message.startswith("missing required key") for p in excinfo.value.problems)


def test_from_dict_names_its_source() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict({"schema_version": 1}, source="memory.yaml")
    assert all(p.file == "memory.yaml" for p in excinfo.value.problems)


@pytest.mark.parametrize("data", [None, [], "scenario", 3])
def test_from_dict_needs_a_mapping(data: object) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        Scenario.from_dict(data)  # type: ignore[arg-type]
    assert one_problem(excinfo).message.startswith("expected a mapping, got ")


# --- values of the wrong type are refused, not coerced ----------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        pytest.param("schema_version: 1", "schema_version: true", "schema_version"),
        pytest.param("schema_version: 1", "schema_version: 1.0", "schema_version"),
        pytest.param("horizon: 90", "horizon: '90'", "horizon"),
        pytest.param("horizon: 90", "horizon: true", "horizon"),
        pytest.param("start: 2025-12-01", "start: 0", "start"),
        pytest.param(
            "    rationality: 2.0\n",
            "    rationality: 2.0\n    max_jump: true\n",
            "actors.us.max_jump",
        ),
        pytest.param(
            "    rationality: 2.0\n",
            "    rationality: 2.0\n    max_jump: 2.5\n",
            "actors.us.max_jump",
        ),
        pytest.param(
            "horizon: 90",
            "horizon: 90\nmechanisms: {signals: 'yes'}",
            "mechanisms.signals",
        ),
        pytest.param(
            "    rationality: 2.0\n",
            "    rationality: 2.0\n"
            "    rule: {scripted: [{when: {day: {lt: '5'}}, choose: {hold: 1}}]}\n",
            "actors.us.rule.scripted.0.when.day.lt",
        ),
    ],
    ids=[
        "version-true",
        "version-float",
        "horizon-text",
        "horizon-bool",
        "start-number",
        "max-jump-bool",
        "max-jump-fraction",
        "switch-text",
        "condition-text",
    ],
)
def test_wrong_type_is_not_coerced(tmp_path: Path, old: str, new: str, path: str) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, edit(old, new)))
    problem = one_problem(excinfo)
    assert problem.path == path
    assert problem.message.startswith("expected ")
