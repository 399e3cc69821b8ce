"""The analyses from the outside: ``escalsim compare | sweep | sensitivity``, their figures
(``escalsim.plot.analysis``), and the worked example ``examples/drivers.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
import yaml
from cli_helpers import run_main
from matplotlib.figure import Figure
from test_analysis import IRRELEVANT, RAID, SERIAL, SUCCESS, raid
from time_limits import HANG_GUARD

from escalsim import Scenario
from escalsim.analysis import compare, sensitivity, sweep
from escalsim.plot import paired_differences, sweep_curves, tornado

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small.yaml"
EXAMPLE = ROOT / "examples" / "drivers.py"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def raid_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "raid.yaml"
    path.write_text(yaml.safe_dump(RAID, sort_keys=False), encoding="utf-8")
    return path


# --- escalsim compare -------------------------------------------------------------------------


def test_cli_compare_prints_the_paired_table_and_writes_files(raid_file, tmp_path, capsys):
    out, fig = tmp_path / "table.csv", tmp_path / "diff.png"
    args = ["compare", str(raid_file), "--set", f"{SUCCESS}={{uniform: [0.2, 1.0]}}"]
    args += ["--runs", "200", "--seed", "4", "--executor", "serial", "-q"]
    code, stdout, _ = run_main([*args, "--out", str(out), "--plot", str(fig)], capsys)
    assert code == 0
    assert "200 paired runs" in stdout and "seed 4" in stdout and "seized" in stdout
    assert f"with {SUCCESS}=" in stdout  # the variant is named by its change
    table = pd.read_csv(out)
    assert list(table["outcome"]) == ["seized", "stalemate"]
    # raising the low end of the odds can only turn stalemates into seizures
    assert table.loc[0, "diff"] > 0 and table.loc[0, "base_only"] == 0
    assert fig.read_bytes().startswith(PNG)
    # the files exist now: without --force nothing runs and nothing is replaced
    before = out.read_bytes()
    code, _, err = run_main([*args, "--out", str(out)], capsys)
    assert code == 1 and "exists" in err and out.read_bytes() == before


def test_cli_compare_two_files_and_usage_errors(raid_file, tmp_path, capsys):
    variant = tmp_path / "variant.yaml"
    text = raid_file.read_text(encoding="utf-8").replace("- 1.0", "- 0.9")
    variant.write_text(text, encoding="utf-8")
    code, stdout, _ = run_main(
        ["compare", str(raid_file), str(variant), "-n", "50", "--executor", "serial", "-q"], capsys
    )
    assert code == 0 and "50 paired runs" in stdout
    code, _, err = run_main(["compare", str(raid_file), "-n", "10"], capsys)
    assert code == 2 and "VARIANT" in err
    code, _, err = run_main(
        ["compare", str(raid_file), "--set", "actors.c.nope=1", "-n", "10", "-q"], capsys
    )
    assert code == 1 and "--set" in err and "nope" in err
    code, _, err = run_main(["compare", str(raid_file), str(variant), "--out", "x.txt"], capsys)
    assert code == 2 and ".csv" in err


# --- escalsim sweep ---------------------------------------------------------------------------


def test_cli_sweep_one_and_two_parameters(raid_file, tmp_path, capsys):
    out, fig = tmp_path / "sweep.csv", tmp_path / "sweep.svg"
    base = ["sweep", str(raid_file), "-n", "40", "--executor", "serial", "-q"]
    code, stdout, _ = run_main(
        [*base, "--param", f"{SUCCESS}=0:1:3", "--out", str(out), "--plot", str(fig)], capsys
    )
    assert code == 0 and "40 runs per point" in stdout
    table = pd.read_csv(out)
    assert list(table.columns) == [SUCCESS, "outcome", "count", "p", "ci_low", "ci_high", "runs"]
    assert table[SUCCESS].tolist() == [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    assert fig.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    code, stdout, _ = run_main(
        [*base, "-p", f"{SUCCESS}=0.2,0.8", "-p", f"{IRRELEVANT}=0.5:1:2", "--outcome", "seized"],
        capsys,
    )
    assert code == 0 and "t.rationality" in stdout and "stalemate" not in stdout


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (f"{SUCCESS}", "expected PATH=lo:hi:n"),
        (f"{SUCCESS}=", "expected PATH=lo:hi:n"),
        ("=0:1:3", "expected PATH=lo:hi:n"),
        (f"{SUCCESS}=0:1", "expected lo:hi:n"),
        (f"{SUCCESS}=0:1:three", "whole number"),
        (f"{SUCCESS}=1:0:3", "lo < hi"),
        (f"{SUCCESS}=low:1:3", "not a number"),
    ],
)
def test_cli_sweep_bad_param_syntax_is_a_usage_error(raid_file, param, message, capsys):
    code, _, err = run_main(["sweep", str(raid_file), "--param", param, "-q"], capsys)
    assert code == 2 and message in err and "--param" in err


def test_cli_sweep_refusals(raid_file, capsys):
    args = ["sweep", str(raid_file), "-q", "--executor", "serial", "-n", "5"]
    code, _, err = run_main([*args, "-p", f"{SUCCESS}=0:1:2", "-p", f"{SUCCESS}=0:1:3"], capsys)
    assert code == 2 and "swept twice" in err
    three = ["-p", f"{SUCCESS}=0:1:2", "-p", f"{IRRELEVANT}=1,2", "-p", "horizon=10,20"]
    code, _, err = run_main([*args, *three], capsys)
    assert code == 2 and "one or two" in err
    code, _, err = run_main([*args, "-p", "actors.x.rationality=1,2"], capsys)
    assert code == 1 and "no such path" in err  # a well-formed option naming no parameter
    code, _, err = run_main([*args, "-p", f"{SUCCESS}=0,2"], capsys)
    assert code == 1 and "must be in [0, 1]" in err
    code, _, err = run_main([*args, "-p", f"{SUCCESS}=0,1", "--outcome", "war"], capsys)
    assert code == 1 and "no outcome 'war'" in err


def test_cli_subprocess_exit_codes_without_traceback(raid_file):
    def escalsim(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "escalsim.cli.main", *args],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            check=False,
        )

    bad = escalsim("sweep", str(raid_file), "--param", "actors.c.ladder.raid.success:0:1:3")
    assert bad.returncode == 2 and "expected PATH=lo:hi:n" in bad.stderr
    assert "Traceback" not in bad.stderr
    good = escalsim("sensitivity", str(raid_file), "--method", "morris", "--n", "2", "-r", "2")
    assert good.returncode == 0 and "Morris screening" in good.stdout, good.stderr
    assert "Traceback" not in good.stderr


# --- escalsim sensitivity ---------------------------------------------------------------------


def test_cli_sensitivity_sobol_and_morris(raid_file, tmp_path, capsys):
    out, fig = tmp_path / "sobol.csv", tmp_path / "tornado.png"
    args = ["sensitivity", str(raid_file), "--n", "16", "-r", "2", "--seed", "1"]
    args += ["--executor", "serial", "-q", "--out", str(out), "--plot", str(fig)]
    code, stdout, _ = run_main(args, capsys)
    assert code == 0
    assert "Sobol' indices: 64 parameter rows × 2 runs = 128 runs, seed 1" in stdout
    table = pd.read_csv(out)
    assert table.loc[0, "parameter"] == SUCCESS  # the raid odds come first
    assert fig.read_bytes().startswith(PNG)
    code, stdout, _ = run_main(
        ["sensitivity", str(raid_file), "-m", "morris", "--n", "3", "--vary", SUCCESS,
         "--space", "distribution", "--outcome", "seized", "--executor", "serial", "-q"],
        capsys,
    )  # fmt: skip
    assert code == 0 and "Morris screening" in stdout and "t.rationality" not in stdout
    code, _, err = run_main(["sensitivity", str(raid_file), "--n", "12", "-q"], capsys)
    assert code == 1 and "power of two" in err
    code, _, err = run_main(["sensitivity", str(raid_file), "-m", "fast"], capsys)
    assert code == 2 and "fast" in err


# --- figures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables():
    sc = raid()
    return {
        "sobol": sensitivity(sc, "sobol", n=16, seed=1, replications=2, settings=SERIAL),
        "morris": sensitivity(sc, "morris", n=3, seed=1, replications=2, settings=SERIAL),
        "sweep1": sweep(sc, {SUCCESS: "0:1:4"}, runs=30, seed=1, settings=SERIAL),
        "sweep2": sweep(
            sc,
            {SUCCESS: "0:1:3", IRRELEVANT: [0.5, 1.0]},
            runs=20,
            seed=1,
            settings=SERIAL,
        ),
        "compare": compare(sc, {SUCCESS: {"uniform": [0.3, 1.0]}}, runs=40, settings=SERIAL),
    }


def _bars(ax) -> list[float]:
    return sorted(p.get_width() for p in ax.patches)


def test_tornado_sobol_draws_total_and_first_order_bars(tables):
    table = tables["sobol"]
    fig = tornado(table, "seized")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    seized = table[table["outcome"] == "seized"]
    assert _bars(ax) == pytest.approx(sorted([*seized["ST"], *seized["S1"]]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["t.rationality", "c.ladder.raid.success"]  # the largest on top
    assert "P(seized)" in ax.get_title("left")
    assert len(tornado(table).axes) == 2  # one panel per outcome


def test_tornado_morris_and_its_refusals(tables):
    table = tables["morris"]
    ax = tornado(table, "stalemate", top=1).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c.ladder.raid.success"]
    assert _bars(ax) == pytest.approx([table["mu_star"].max()])
    with pytest.raises(ValueError, match="pick one outcome"):
        tornado(table, ax=Figure().add_subplot())
    with pytest.raises(ValueError, match="no outcome 'war'"):
        tornado(table, "war")
    with pytest.raises(ValueError, match="sensitivity table"):
        tornado(tables["sweep1"])


def test_tornado_draws_no_empty_panel_for_an_outcome_no_parameter_moves(tables):
    table = tables["morris"].copy()
    still = table["outcome"] == "stalemate"
    for column in ("mu_star", "mu_star_ci_low", "mu_star_ci_high", "mu", "sigma"):
        table.loc[still, column] = 0.0
    fig = tornado(table, scenario=raid())
    assert len(fig.axes) == 1  # the moved outcome only, not an all-zero panel beside it
    assert "P(seized)" in fig.axes[0].get_title("left")
    assert "No parameter moves P(stalemate)" in fig.get_supxlabel()
    # asked for by name, the outcome gets its panel, which says why it is empty
    ax = tornado(table, "stalemate").axes[0]
    assert "no variation to explain" in [t.get_text() for t in ax.texts]


def test_analysis_figures_show_the_scenario_labels(tables):
    data = {**RAID, "outcomes": {k: dict(v) for k, v in RAID["outcomes"].items()}}
    data["outcomes"]["seized"]["label"] = "leader seized in a raid"
    sc = Scenario.from_dict(data)
    fig = tornado(tables["morris"], "seized", scenario=sc)
    assert "P(leader seized in a raid)" in fig.axes[0].get_title("left")
    ax = sweep_curves(tables["sweep1"], scenario=sc).axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["leader seized in a raid", "stalemate"]


def test_paired_differences_title_names_the_variant(tables, raid_file):
    res = tables["compare"]
    title = paired_differences(res).axes[0].get_title("left")
    assert title.startswith("What changes: the variant\nagainst ")  # same title: a copy
    title = paired_differences(res, variant="raid odds 0.3-1").axes[0].get_title("left")
    assert title.startswith("What changes: raid odds 0.3-1\n")
    other = {**RAID, "title": "Better odds", "name": "better"}
    two = compare(raid(), Scenario.from_dict(other), runs=20, settings=SERIAL)
    title = paired_differences(two).axes[0].get_title("left")
    assert title.startswith("What changes: Better odds\nagainst ")


def test_sweep_curves_lines_with_bands_or_heat_maps(tables):
    one = tables["sweep1"]
    ax = sweep_curves(one, scenario=raid()).axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["seized", "stalemate"]
    seized = ax.get_lines()[0]
    assert list(seized.get_ydata()) == list(one[one["outcome"] == "seized"]["p"])
    assert len(ax.collections) == 2  # one 95% band per outcome
    fig = sweep_curves(tables["sweep2"])
    heat = [a for a in fig.axes if a.images]
    assert len(heat) == 2  # a heat map per outcome (the other axes are colour bars)
    assert heat[0].images[0].get_array().shape == (2, 3)  # second parameter up, first across
    ax = Figure().add_subplot()
    assert sweep_curves(tables["sweep2"], "seized", ax=ax) is ax.figure


def test_paired_differences_shows_each_change_with_its_interval(tables):
    res = tables["compare"]
    fig = paired_differences(res)
    ax = fig.axes[0]
    table = res.table()
    height = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert height["seized"] > height["stalemate"]  # in table order, top down
    texts = [t.get_text() for t in ax.texts]
    first = table.iloc[0]
    assert f"{first.p_base:.1%} → {first.p_variant:.1%}" in texts
    assert "40 paired runs" in ax.get_title("left")
    assert len(paired_differences(table).axes) == 1  # from the table alone, too


def test_an_analysis_figure_shows_itself_in_ipython():
    """Like every plot, an analysis figure made without pyplot displays in a notebook."""
    pytest.importorskip("IPython")
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "import sys\n"
        "from escalsim.plot import sweep_curves\n"
        "shell = InteractiveShell.instance()\n"
        "import pandas as pd\n"
        "t = pd.DataFrame({'x': [0, 1], 'outcome': ['a', 'a'], 'p': [0.2, 0.4],"
        " 'ci_low': [0.1, 0.3], 'ci_high': [0.3, 0.5]})\n"
        "data, _ = shell.display_formatter.format(sweep_curves(t))\n"
        "assert len(data.get('image/png', b'')) > 1000, sorted(data)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, env=env
    )
    assert done.returncode == 0, done.stderr


def test_figures_leave_pyplot_alone(tmp_path):
    code = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import sys\n"
        "from test_analysis import raid, SUCCESS\n"
        "from escalsim import RunSettings\n"
        "from escalsim.analysis import sweep\n"
        "from escalsim.plot import sweep_curves\n"
        "serial = RunSettings(executor='serial')\n"
        "t = sweep(raid(), {SUCCESS: [0.2, 0.8]}, runs=5, settings=serial)\n"
        "sweep_curves(t).savefig(sys.argv[1])\n"
        "print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'no pyplot')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "curves.png")],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
        cwd=Path(__file__).parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no pyplot"
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG)


# --- the worked example -----------------------------------------------------------------------


def test_drivers_example_runs_quickly_and_writes_its_figures(tmp_path):
    folder = tmp_path / "figures"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(folder), "--n", "2", "--replications", "2",
         "--runs", "20", "--points", "3", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["sweep.png", "tornado.png"]
    assert all((folder / n).read_bytes().startswith(PNG) for n in names)
    out = done.stdout
    assert "What moves P(negotiated_exit) most" in out and "What moves P(force) most" in out
    assert "beliefs and incentives first:" in out and "Sweep of actors." in out
    help_ = subprocess.run(
        [sys.executable, str(EXAMPLE), "--help"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert help_.returncode == 0 and "--runs" in help_.stdout and "--n" in help_.stdout
