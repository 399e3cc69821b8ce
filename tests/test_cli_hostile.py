"""The command line against odd text, huge requests and odd results files: text from a file
is printed as written (never as Rich markup or terminal codes), work that a flag makes
unbounded is refused or estimated before it starts, and a file that is not a runs table gets
a message saying what it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run_main

ROOT = Path(__file__).resolve().parent.parent
DYAD = ROOT / "tests" / "data" / "dyad.yaml"

# --- text from files --------------------------------------------------------------------------

TITLE = "Closing [/bold] the [draft] \x1b[31mred\x1b[0m \u202eevil"
SHOWN = "Closing [/bold] the [draft] [31mred[0m evil"
"""The title as printed: markup kept as text, the escape and bidi characters dropped."""


def odd_title(tmp_path: Path) -> Path:
    """The dyad with a title full of markup, terminal escape codes and a bidi override."""
    text = DYAD.read_text(encoding="utf-8").replace(
        "name: dyad\n", f'name: dyad\ntitle: "{TITLE}"\n'.replace("\x1b", "\\e")
    )
    text = text.replace("\u202e", "\\u202e")
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    return path


QUICK = ["--runs", "20", "--executor", "serial", "-q"]


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["sweep", "-p", "actors.a.rationality=0.5,1"],
        ["sensitivity", "--n", "2", "--replications", "1"],
        ["compare", "--set", "horizon=100"],
    ],
    ids=["run", "sweep", "sensitivity", "compare"],
)
def test_a_title_with_markup_and_escape_codes_is_printed_as_text(tmp_path, capsys, command):
    file = odd_title(tmp_path)
    extra = QUICK if command[0] != "sensitivity" else QUICK[2:]
    code, out, err = run_main([command[0], str(file), *command[1:], *extra], capsys)
    assert code == 0, err
    assert SHOWN in out
    assert "\x1b" not in out + err and "\u202e" not in out + err


def test_a_title_that_is_not_tex_does_not_break_the_figures(tmp_path, capsys):
    """A dollar sign pair in a title would be read as TeX, and fail when the figure is drawn."""
    file = tmp_path / "dollars.yaml"
    file.write_text(
        DYAD.read_text(encoding="utf-8").replace(
            "name: dyad\n", 'name: dyad\ntitle: "Costs $\\\\frac{$ and $x^$"\n'
        ),
        encoding="utf-8",
    )
    code, _, err = run_main(["run", str(file), *QUICK, "--plot", str(tmp_path / "f")], capsys)
    assert code == 0, err
    assert (tmp_path / "f" / "outcomes.png").stat().st_size > 0


def test_narrate_prints_no_escape_codes(tmp_path, capsys):
    code, out, err = run_main(["narrate", str(odd_title(tmp_path))], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == SHOWN
    assert "\x1b" not in out


def test_an_error_quoting_a_key_with_escape_codes_prints_no_escape(tmp_path, capsys):
    file = tmp_path / "keys.yaml"
    file.write_text(DYAD.read_text(encoding="utf-8") + '"\\e[2Jboom": 1\n', encoding="utf-8")
    for command in (["validate", str(file)], ["run", str(file), *QUICK]):
        code, out, err = run_main(command, capsys)
        assert code == 1
        assert "unknown key '[2Jboom'" in err
        assert "\x1b" not in out + err


# --- results files that are not what plot and narrate expect ----------------------------------


@pytest.fixture(scope="module")
def results_files(tmp_path_factory) -> dict[str, Path]:
    """A runs file with its events file, and copies with no rows and with a foreign outcome."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    import escalsim as es

    folder = tmp_path_factory.mktemp("results")
    runs = folder / "r.parquet"
    es.simulate(DYAD, runs=20, seed=1, executor="serial", keep_events=True, out=runs)
    table = pq.read_table(runs)
    meta = pq.read_metadata(runs).metadata
    meta = {k: v for k, v in meta.items() if k != b"escalsim.events"}

    def copy(name: str, new: pa.Table) -> Path:
        path = folder / name
        with pq.ParquetWriter(path, new.schema, store_schema=False) as writer:
            writer.write_table(new)
            writer.add_key_value_metadata(meta)
        return path

    outcomes = table.column("outcome").to_pylist()
    outcomes[3] = "martians"
    i = table.schema.get_field_index("outcome")
    foreign = table.set_column(i, "outcome", pa.array(outcomes))
    return {
        "runs": runs,
        "events": folder / "r.events.parquet",
        "empty": copy("empty.parquet", table.slice(0, 0)),
        "foreign": copy("foreign.parquet", foreign),
    }


@pytest.mark.parametrize(
    ("which", "message"),
    [
        (
            "events",
            "r.events.parquet: is the events file of a results file (one row per event of its "
            "runs); give the runs file (r.parquet), which names it",
        ),
        ("empty", "empty.parquet: holds no runs (0 rows), so there is nothing to draw"),
        (
            "foreign",
            "foreign.parquet: row 3 has outcome 'martians', which is not an outcome of its "
            "scenario (expected 'deal', 'war', 'collapse', 'backdown', 'stalemate')",
        ),
    ],
)
@pytest.mark.parametrize("kind", ["outcomes", "incidence", "driver"])
def test_plot_says_what_the_file_is(results_files, tmp_path, capsys, which, message, kind):
    figure = tmp_path / "f.png"
    args = ["plot", str(results_files[which]), "-o", str(figure), "-k", kind]
    code, _, err = run_main(args, capsys)
    assert code == 1
    assert err.strip() == f"error: {results_files[which].parent / message}"
    assert not figure.exists()


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("events", "is the events file of a results file"),
        ("empty", "holds no runs (0 rows), so there is no run to tell"),
        ("foreign", "row 3 has outcome 'martians', which is not an outcome of its scenario"),
    ],
)
def test_narrate_says_what_the_file_is(results_files, capsys, which, message):
    code, _, err = run_main(["narrate", str(results_files[which]), "--run", "3"], capsys)
    assert code == 1
    assert err.startswith(f"error: {results_files[which]}: ")
    assert message in err


def test_the_runs_file_itself_still_plots(results_files, tmp_path, capsys):
    code, _, err = run_main(
        ["plot", str(results_files["runs"]), "-o", str(tmp_path / "f.png")], capsys
    )
    assert code == 0, err
