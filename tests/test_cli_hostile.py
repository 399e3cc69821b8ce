"""The command line against odd text, huge requests and odd results files: text from a file
is printed as written (never as Rich markup or terminal codes), work that a flag makes
unbounded is refused or estimated before it starts, and a file that is not a runs table gets
a message saying what it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import run_main

ROOT = Path(__file__).resolve().parent.parent
BOX = re.compile(r"[│╭╮╰╯─]+")
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
    es.simulate(
        DYAD,
        runs=20,
        seed=1,
        out=runs,
        settings=es.RunSettings(executor="serial", keep_events=True),
    )
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


# --- work one flag makes unbounded ------------------------------------------------------------


def flat(text: str) -> str:
    """A usage error without its box, whitespace collapsed."""
    return " ".join(BOX.sub(" ", text).split())


def test_a_long_request_prints_its_estimated_time_first(tmp_path, capsys, monkeypatch):
    from escalsim.cli import limits

    monkeypatch.setattr(limits, "ESTIMATE_FROM", 30)
    args = ["run", str(DYAD), "--runs", "40", "--executor", "serial", "-q"]
    code, out, err = run_main([*args, "--out", str(tmp_path / "r.parquet")], capsys)
    assert code == 0, err
    first = err.splitlines()[0]
    assert first.startswith("estimate: about ") and " for 40 runs (" in first
    assert "runs timed here; 1 at a time); Ctrl-C stops" in first
    assert "40 runs in" in out  # and then it ran
    code, _, err = run_main([*args[:2], "--runs", "29", *args[4:]], capsys)
    assert code == 0 and "estimate" not in err


def test_the_timing_is_bounded_by_a_run_count(monkeypatch):
    import escalsim as es
    from escalsim.cli import limits

    monkeypatch.setattr(limits, "PROBE_SECONDS", 1e9)
    monkeypatch.setattr(limits, "PROBE_RUNS", 5)
    timing = limits.time_runs(es.load_scenario(DYAD), seed=3, events=True)
    assert timing.runs == 5
    assert timing.seconds > 0 and timing.events > 0


def test_runs_kept_in_memory_are_bounded_and_a_file_lifts_the_bound(tmp_path, capsys, monkeypatch):
    from escalsim.cli import limits

    monkeypatch.setattr(limits, "MEMORY_BYTES", 10_000)  # the dyad keeps 11 columns: 88 B a run
    args = ["run", str(DYAD), "--runs", "200", "--executor", "serial", "-q"]
    code, _, err = run_main(args, capsys)
    assert code == 2
    assert "200 runs would hold about 18 KB in memory (88 bytes a run)" in flat(err)
    code, _, err = run_main([*args, "--out", str(tmp_path / "r.parquet")], capsys)
    assert code == 0, err


def test_events_kept_in_memory_count_towards_the_bound(capsys, monkeypatch):
    from escalsim.cli import limits

    monkeypatch.setattr(limits, "ESTIMATE_FROM", 50)
    monkeypatch.setattr(limits, "MEMORY_BYTES", 20_000)
    args = ["run", str(DYAD), "--runs", "100", "--executor", "serial", "-q"]
    code, _, err = run_main(args, capsys)
    assert code == 0, err  # 8.8 KB of runs
    code, _, err = run_main([*args, "--events"], capsys)
    assert code == 2
    assert "100 runs would hold about" in err


@pytest.mark.parametrize(("workers", "refused"), [(8, False), (9, True)])
def test_workers_are_bounded_by_the_cores(monkeypatch, workers, refused):
    import typer

    from escalsim.cli import limits

    monkeypatch.setattr(limits, "cores", lambda: 2)
    if refused:
        with pytest.raises(typer.BadParameter, match="at most 8 on this machine"):
            limits.check_workers(workers, "processes", None)
    else:
        limits.check_workers(workers, "processes", None)
    limits.check_workers(workers, "dask", "tcp://cluster:8786")  # a cluster has its own


def test_a_sweep_grid_too_large_is_refused_before_it_is_built():
    from escalsim.analysis.sweep import parse_grid

    with pytest.raises(ValueError, match="more than 10,000, the most grid points"):
        parse_grid("0:40:1000000000")
    with pytest.raises(ValueError, match="10,001 grid values is more than 10,000"):
        parse_grid(list(range(10_001)))
    assert len(parse_grid("0:40:10000")) == 10_000
