"""Event import: rows of an ACLED-like table become the history entries written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import escalsim as es
from escalsim.scenario.event_import import EventImportError, history_yaml, import_events
from escalsim.scenario.schema import HistoryEvent

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TABLE = DATA / "events_sample.csv"
MAPPING = DATA / "events_mapping.yaml"
BORDER = ROOT / "scenarios" / "border_dispute.yaml"

BY_HAND = """
- {id: NTH0001, date: 2030-02-03, actor: northland, event: statement, target: southland,
   source: Example Wire (fictional), reliability: 0.9,
   note: "FICTIONAL: Northland's defence ministry announces snap readiness checks"}
- {id: NTH0002, date: 2030-02-14, actor: southland, event: rally,
   source: Southland Radio (fictional), reliability: reported,
   note: "FICTIONAL: a government-organised rally for the border posts"}
- {id: NTH0003, date: 2030-02-20, actor: northland, event: climb, payload: {rung: exercises},
   source: Example Wire (fictional), reliability: confirmed,
   note: "FICTIONAL: exercises begin 20 km from the border"}
- {id: NTH0005, date: 2030-02-25, actor: northland, event: demand, target: southland,
   payload: {deal: dmz_deal}, source: Example Wire (fictional), reliability: reported,
   note: "FICTIONAL: Northland demands a demilitarised zone and the withdrawal of border posts"}
- {id: NTH0006, date: 2030-02-25, actor: southland, event: counter, target: northland,
   payload: {deal: joint_patrols}, source: Southland Radio (fictional), reliability: claimed,
   note: "FICTIONAL: Southland answers with joint patrols"}
- {id: NTH0007, date: 2030-02-27, actor: league, event: mediate, target: northland,
   payload: {deal: joint_patrols}, source: League Bulletin (fictional), reliability: confirmed,
   note: "FICTIONAL: the League proposes joint patrols under its flag"}
"""
"""The history the sample table stands for, written by hand (the riot row is skipped)."""


def _by_hand() -> list[HistoryEvent]:
    return [HistoryEvent.model_validate(e) for e in yaml.safe_load(BY_HAND)]


def test_the_import_reproduces_the_history_written_by_hand():
    assert import_events(TABLE, MAPPING, BORDER) == _by_hand()


def test_the_printed_entries_load_back_as_the_same_history():
    events = import_events(TABLE, MAPPING, es.load_scenario(BORDER))
    text = history_yaml(events)
    assert [HistoryEvent.model_validate(e) for e in yaml.safe_load(text)["history"]] == events
    scenario = es.load_scenario(BORDER).with_values({"history": yaml.safe_load(text)["history"]})
    assert scenario.history == _by_hand()


def test_the_flagship_table_gives_the_flagship_history_entries():
    """The events of the flagship's sample table import cleanly against the flagship."""
    events = import_events(
        ROOT / "scenarios" / "venezuela_2025_events.csv",
        ROOT / "scenarios" / "venezuela_2025_events_mapping.yaml",
        ROOT / "scenarios" / "venezuela_2025.yaml",
    )
    assert [e.id for e in events][:4] == [
        "ford_arrives",
        "mexico_offer",
        "counter_demands",  # the table lists newest first: a day's events keep their order
        "counter_rejected",
    ]


def _edited(tmp_path: Path, table: str | None = None, mapping: str | None = None) -> list[Path]:
    t, m = tmp_path / "events.csv", tmp_path / "mapping.yaml"
    t.write_text(TABLE.read_text() if table is None else table, encoding="utf-8")
    m.write_text(MAPPING.read_text() if mapping is None else mapping, encoding="utf-8")
    return [t, m]


ROW_CASES = [
    (
        "20 February 2030",
        "31 February 2030",
        "row 6, column 'event_date': cannot read '31 February 2030'",
        ":6:2",
    ),
    (
        "Regional League,Military",
        "Regional Leage,Military",
        "row 2, column 'actor1': unknown actor 'Regional Leage'",
        ":2:6",
    ),
    (
        "Peaceful protest,",
        "Peaceful protests,",
        "row 7, column 'event_type': event type 'Protests / Peaceful protests' is not in the",
        ":7:4",
    ),
    (
        "03 February 2030",
        "03 March 2030",
        "row 8, column 'event_date': history event dated 2030-03-03 is after the start date",
        ":8:2",
    ),
    ("Example Wire (fictional),0.9", ",0.9", "row 8, column 'source': empty", ":8:11"),
    (",0.9,", ",1.9,", "row 8, column 'source_scale': unknown reliability '1.9'", ":8:12"),
    ("NTH0003", "NTH-3", "row 6, column 'event_id_cnty': expected a name of letters", ":6:1"),
]


@pytest.mark.parametrize(("old", "new", "message", "where"), ROW_CASES)
def test_a_bad_row_names_its_row_and_column(tmp_path, old, new, message, where):
    table = TABLE.read_text()
    assert old in table
    paths = _edited(tmp_path, table=table.replace(old, new, 1))
    with pytest.raises(EventImportError) as err:
        import_events(*paths, BORDER)
    assert message in str(err.value)
    assert f"events.csv{where}" in str(err.value)


MAPPING_CASES = [
    (
        "rung: exercises",
        "rung: exercise",
        "row 6 (event type 'Strategic developments / Headquarters or base established' in the "
        "mapping): actor 'northland' has no rung 'exercise' (did you mean 'exercises'?)",
        "events.csv:6:1",
    ),
    (
        "source_scale\n",
        "source_scal\n",
        "columns.reliability: the table has no column 'source_scal' (did you mean 'source_scale'?)",
        "mapping.yaml:11:16",
    ),
    (
        "Regional League: league",
        "Regional League: leage",
        "actors.Regional League: unknown actor 'leage' (did you mean 'league'?)",
        "mapping.yaml:17:20",
    ),
    (
        "{event: rally}",
        "{event: rallye}",
        "(did you mean 'rally'?), got 'rallye'",
        "mapping.yaml:24:40",
    ),
    (
        "date_format",
        "date_fromat",
        "unknown key 'date_fromat' (did you mean 'date_format'?)",
        "mapping.yaml:13:1",
    ),
]


@pytest.mark.parametrize(("old", "new", "message", "where"), MAPPING_CASES)
def test_a_bad_mapping_names_its_line(tmp_path, old, new, message, where):
    mapping = MAPPING.read_text()
    assert old in mapping
    paths = _edited(tmp_path, mapping=mapping.replace(old, new, 1))
    with pytest.raises(EventImportError) as err:
        import_events(*paths, BORDER)
    assert str(err.value).count("\n") == 0
    assert message in str(err.value)
    assert f"{where})" in str(err.value)


def test_every_bad_row_is_reported_at_once(tmp_path):
    table = TABLE.read_text().replace("February 2030", "Febuary 2030")
    with pytest.raises(EventImportError) as err:
        import_events(*_edited(tmp_path, table=table), BORDER)
    assert str(err.value).startswith("6 problems:")  # the skipped row is not read


def test_events_import_on_the_command_line(capsys, tmp_path):
    from cli_helpers import run_main

    args = ["events", "import", str(TABLE), "--map", str(MAPPING), "--scenario", str(BORDER)]
    code, out, _ = run_main(args, capsys)
    assert code == 0
    assert [HistoryEvent.model_validate(e) for e in yaml.safe_load(out)["history"]] == _by_hand()
    target = tmp_path / "history.yaml"
    code, out, err = run_main([*args, "--out", str(target)], capsys)
    assert code == 0 and out == "" and "6 history entries written" in err
    assert (
        yaml.safe_load(target.read_text())["history"]
        == yaml.safe_load(history_yaml(_by_hand()))["history"]
    )
    code, _, err = run_main([*args, "--out", str(target)], capsys)
    assert code == 1 and "file exists" in err


def test_a_bad_table_on_the_command_line_is_one_line_and_no_file(capsys, tmp_path):
    from cli_helpers import run_main

    table, mapping = _edited(
        tmp_path, table=TABLE.read_text().replace("Regional League,", "Regional Leage,", 1)
    )
    target = tmp_path / "history.yaml"
    args = ["events", "import", str(table), "--map", str(mapping), "--scenario", str(BORDER)]
    code, out, err = run_main([*args, "--out", str(target)], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "row 2, column 'actor1'" in err
    assert not target.exists()
