"""Hostile and odd scenario files: endless streams, files outside the scenario's folder, text
read by YAML in a way its writer did not mean, dates outside the range a run can hold."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scenario_helpers import MINIMAL, one_problem, write
from time_limits import HANG_GUARD

from escalsim.errors import ScenarioError
from escalsim.scenario import load_scenario, yaml_source

"""Seconds after which a command that should return at once counts as hung."""


# --- endless and special files ----------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    res = subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", "validate", str(pipe)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert res.returncode == 1
    assert res.stderr.strip() == f"is a named pipe, not a scenario file ({pipe})"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_BYTES", 100)
    file = write(tmp_path, MINIMAL)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    assert one_problem(excinfo).message == "the file is larger than 100 bytes, the size limit"


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_file_whose_size_is_unknown_is_read_only_up_to_the_limit(monkeypatch) -> None:
    """/proc files say they are empty: the limit holds on what is read, not on what is said."""
    monkeypatch.setattr(yaml_source, "MAX_BYTES", 10)
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario("/proc/self/status")
    assert "larger than 10 bytes" in one_problem(excinfo).message


# --- extends: a base stays in the scenario's folder, and only a scenario is shown -----------

SECRET = "s3cr3t_token_value"
FOREIGN = f"start: {SECRET}\nname: {SECRET}\npassword: {SECRET}\n"
"""A file that is not a scenario, whose values an error message could echo."""


def load_problem(file: Path):
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file)
    return one_problem(excinfo)


def test_a_base_outside_the_folder_is_refused_unread(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "elsewhere/base.yaml")
    file = write(tmp_path, "extends: ../elsewhere/base.yaml\nhorizon: 30\n", "mine/what_if.yaml")
    problem = load_problem(file)
    assert problem.path == "extends"
    assert problem.message.startswith(
        "base scenario ../elsewhere/base.yaml is outside the folder of this scenario "
        f"({(tmp_path / 'mine').resolve()})"
    )
    assert "ESCALSIM_EXTENDS_PATH" in problem.message
    assert (problem.file, problem.line) == (str(file), 1)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path, FOREIGN, "outside/secret.yaml")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "base.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    file = write(tmp_path, "extends: base.yaml\nhorizon: 30\n", "mine/what_if.yaml")
    problem = load_problem(file)
    assert "base scenario base.yaml is outside the folder of this scenario" in problem.message
    assert SECRET not in str(problem)


def test_the_environment_variable_lets_a_base_lie_in_another_folder(
    tmp_path: Path, monkeypatch
) -> None:
    write(tmp_path, MINIMAL, "shared/base.yaml")
    file = write(tmp_path, "extends: ../shared/base.yaml\nhorizon: 30\n", "mine/what_if.yaml")
    other = tmp_path / "unrelated"
    monkeypatch.setenv("ESCALSIM_EXTENDS_PATH", os.pathsep.join([str(other), str(tmp_path)]))
    assert load_scenario(file).horizon == 30


def test_a_base_below_the_folder_is_allowed(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "bases/base.yaml")
    file = write(tmp_path, "extends: bases/base.yaml\nhorizon: 30\n", "what_if.yaml")
    assert load_scenario(file).horizon == 30


@pytest.mark.parametrize("opt_in", [False, True], ids=["same-folder", "opted-in-folder"])
def test_a_base_that_is_not_a_scenario_is_never_echoed(
    tmp_path: Path, monkeypatch, opt_in: bool
) -> None:
    """A file without a scenario's keys may hold anything (tokens, passwords): its values must
    not reach an error message, even from a folder the user allowed."""
    if opt_in:
        write(tmp_path, FOREIGN, "keys/secret.yaml")
        monkeypatch.setenv("ESCALSIM_EXTENDS_PATH", str(tmp_path / "keys"))
        ref = "../keys/secret.yaml"
    else:
        write(tmp_path, FOREIGN, "mine/secret.yaml")
        ref = "secret.yaml"
    file = write(tmp_path, f"extends: {ref}\nhorizon: 30\n", "mine/what_if.yaml")
    problem = load_problem(file)
    assert SECRET not in str(problem)
    assert problem.message == (
        f"{ref} is not a scenario file (it has no top-level 'schema_version' or 'extends' "
        "key), so nothing of it is read or shown"
    )


def test_a_nul_character_in_a_base_name(tmp_path: Path) -> None:
    problem = load_problem(write(tmp_path, 'horizon: 30\nextends: "base\\0.yaml"\n'))
    assert problem.message == "not a valid file name (it holds a NUL character): 'base\\x00.yaml'"
    assert (problem.path, problem.line) == ("extends", 2)


def test_a_base_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "bases").mkdir()
    problem = load_problem(write(tmp_path, "extends: bases\nhorizon: 30\n"))
    assert problem.message == "base scenario bases is a directory, not a scenario file"


# --- dates: refused up front unless a run can hold them ----------------------------------------


def test_a_start_on_the_first_supported_date_and_a_horizon_ending_on_the_last(tmp_path) -> None:
    text = MINIMAL.replace("start: 2025-12-01", "start: 1900-01-01")
    assert load_scenario(write(tmp_path, text, "first.yaml")).start.year == 1900
    text = MINIMAL.replace("start: 2025-12-01", "start: 2200-10-02")  # + 90 days = 2200-12-31
    assert load_scenario(write(tmp_path, text, "last.yaml")).end_date.isoformat() == "2200-12-31"


def test_an_override_of_the_start_is_checked_too(tmp_path) -> None:
    file = write(tmp_path, MINIMAL)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(file, {"start": "2263-01-01"})
    problem = one_problem(excinfo)
    assert problem.message == "expected a date from 1900-01-01 to 2200-12-31, got 2263-01-01"
    assert problem.file == f"override of {file}"


# --- messages that say why ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "hint"),
    [("1e3", "1.0e+3"), ("1e308", "1.0e+308"), ("25E-4", "25.0e-4")],
)
def test_a_number_yaml_reads_as_text_says_why_and_how_to_write_it(tmp_path, written, hint):
    text = MINIMAL.replace("horizon: 90", f"horizon: {written}")
    problem = load_problem(write(tmp_path, text))
    assert problem.message == (
        f"expected a number, got '{written}' (YAML reads '{written}' as text: a number with an "
        f"exponent needs a decimal point and a signed exponent, e.g. {hint})"
    )
    assert yaml.safe_load(hint) == float(hint)  # the suggestion is a number to YAML


def test_an_uncertain_number_in_exponent_form_gets_the_hint_too(tmp_path):
    text = MINIMAL.replace("rationality: 2.0", "rationality: 5e-1")
    problem = load_problem(write(tmp_path, text))
    assert problem.path == "actors.us.rationality"
    assert problem.message.endswith("e.g. 5.0e-1)")


def test_too_many_history_events_name_the_size_limit_not_an_alias_bomb(tmp_path):
    event = (
        "  - {id: e, date: 2025-11-01, actor: us, event: statement, target: ve,\n"
        "     source: press, reliability: reported, note: said}\n"
    )  # nine values each: 225,000 in all
    text = MINIMAL + "history:\n" + event * 25_000
    problem = load_problem(write(tmp_path, text))
    assert problem.message == (
        "more than 200,000 values (each value an alias repeats counts again): the size limit "
        "of a scenario"
    )
    assert "alias bomb" not in str(problem)
