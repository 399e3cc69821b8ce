"""Plots: what each figure shows (bars, labels, intervals, dates, colours), not only that it
draws; the standard set of files; ``escalsim plot``; and that ``import escalsim`` stays free
of matplotlib."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
import pytest
from cli_helpers import run_main
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from time_limits import HANG_GUARD

import escalsim as es
from escalsim import plot
from escalsim.errors import ResultsError
from escalsim.text import percent as fmt_p

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
GUARANTEE = ROOT / "scenarios" / "venezuela_2025_guarantee.yaml"
SMALL = Path(__file__).parent / "data" / "small.yaml"
RUNS = 200


@pytest.fixture(scope="module")
def res():
    return es.simulate(
        FLAGSHIP, runs=RUNS, seed=11, settings=es.RunSettings(executor="serial", keep_events=True)
    )


@pytest.fixture(scope="module")
def what_if():
    return es.simulate(GUARANTEE, runs=RUNS, seed=11, settings=es.RunSettings(executor="serial"))


@pytest.fixture(scope="module")
def colors(res):
    return {k: v.lower() for k, v in plot.outcome_colors(res).items()}


def bars_of(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def errorbars_of(ax) -> list[ErrorbarContainer]:
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def curves(ax) -> dict:
    """The drawn lines of an axes by the name their label starts with (not legend notes)."""
    return {
        ln.get_label().split(":")[0]: ln for ln in ax.get_lines() if ln.get_linestyle() != "None"
    }


def hexes(patches) -> list[str]:
    return [to_hex(p.get_facecolor()) for p in patches]


def outcome_ids(res, texts) -> list[str]:
    """The outcomes whose labels these are (every figure shows labels, not ids)."""
    ids = {res.scenario.labels.outcome(o): o for o in res.scenario.outcomes}
    return [ids[t] for t in texts]


# --- import hygiene -------------------------------------------------------------------------


def test_import_escalsim_does_not_import_matplotlib():
    code = (
        "import sys, escalsim as es, escalsim.narration\n"
        f"r = es.simulate({str(SMALL)!r}, runs=5,"
        " settings=es.RunSettings(executor='serial', keep_events=True))\n"
        "r.summary(); es.paths(r); r.cumulative_incidence()\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
        "r.plot.outcomes()\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert done.returncode == 0, done.stderr


def test_a_returned_figure_shows_itself_in_ipython():
    pytest.importorskip("IPython")
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "import sys, escalsim as es\n"
        "shell = InteractiveShell.instance()\n"
        f"r = es.simulate({str(SMALL)!r}, runs=5,"
        " settings=es.RunSettings(executor='serial'))\n"
        "data, _ = shell.display_formatter.format(r.plot.outcomes())\n"
        "assert len(data.get('image/png', b'')) > 1000, sorted(data)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD, env=env
    )
    assert done.returncode == 0, done.stderr


# --- colours --------------------------------------------------------------------------------


def test_outcome_colors_come_from_the_scenario(res):
    given = {k: v.color for k, v in res.scenario.outcomes.items()}
    assert all(given.values())
    assert plot.outcome_colors(res) == {k: v.lower() for k, v in given.items()}


def test_outcome_colors_without_scenario_colours_follow_the_palette_in_order():
    sc = es.load_scenario(SMALL)
    assert not any(o.color for o in sc.outcomes.values())
    assert list(plot.outcome_colors(sc).values()) == list(plot.PALETTE[: len(sc.outcomes)])
    # one outcome given the palette's first colour: the others skip it
    data = sc.to_dict()
    data["outcomes"]["strike"]["color"] = plot.PALETTE[0]
    got = plot.outcome_colors(es.Scenario.from_dict(data))
    assert got["strike"] == plot.PALETTE[0]
    others = [v for k, v in got.items() if k != "strike"]
    assert others == list(plot.PALETTE[1 : len(others) + 1])
    assert len(set(got.values())) == len(got)


# --- outcome distribution -------------------------------------------------------------------


def test_outcomes_bars_labels_intervals_and_colours(res, colors):
    summary = res.summary()
    fig = plot.outcomes(res)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    (bars,) = bars_of(ax)
    n = len(res.scenario.outcomes)
    assert len(bars.patches) == n
    names = outcome_ids(res, [t.get_text() for t in ax.get_yticklabels()])
    assert sorted(names) == sorted(res.scenario.outcomes)
    assert "Maduro leaves under a deal" in [t.get_text() for t in ax.get_yticklabels()]
    # sorted: the largest probability on top (barh draws from the bottom)
    p = summary.set_index("outcome")["p"]
    widths = [r.get_width() for r in bars.patches]
    assert widths == sorted(widths)
    assert widths == pytest.approx([p[name] for name in names])
    assert outcome_ids(res, [r.get_label() for r in bars.patches]) == names
    assert hexes(bars.patches) == [colors[name] for name in names]
    # the 95% intervals are drawn: one error bar per outcome, from ci_low to ci_high
    assert bars.errorbar is not None
    (segments,) = [c for c in bars.errorbar.lines[2]]
    ends = sorted(tuple(np.round(s[:, 0], 12)) for s in segments.get_segments())
    lo, hi = summary.set_index("outcome")["ci_low"], summary.set_index("outcome")["ci_high"]
    assert ends == sorted((round(lo[o], 12), round(hi[o], 12)) for o in names)
    # every probability is written next to its bar
    texts = {t.get_text() for t in ax.texts}
    assert {fmt_p(p[o]) for o in names} <= texts
    title = ax.get_title(loc="left")
    assert res.scenario.title in title and f"{RUNS} runs" in title
    assert "probability" in ax.get_xlabel()


def test_outcomes_from_a_summary_dataframe(res):
    summary = res.summary()
    ax = plot.outcomes(summary, sort=False).axes[0]
    (bars,) = bars_of(ax)
    assert len(bars.patches) == len(summary)
    names = [t.get_text() for t in ax.get_yticklabels()]
    # unsorted: scenario order; without a scenario, the ids as words
    assert names == [o.replace("_", " ") for o in summary["outcome"].astype(str)][::-1]
    assert f"{RUNS} runs" in ax.get_title(loc="left")
    with pytest.raises(ValueError, match="ci_low"):
        plot.outcomes(summary.drop(columns="ci_low"))


def test_draws_into_a_given_axes_without_pyplot_state(res):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = Figure()
    ax = fig.add_subplot()
    assert plot.outcomes(res, ax=ax) is fig
    assert res.plot.incidence() is not None
    assert plt.get_fignums() == before  # no figure left open in pyplot


# --- cumulative incidence -------------------------------------------------------------------


def test_incidence_has_dates_bands_and_final_probabilities(res, colors):
    sc = res.scenario
    ax = plot.incidence(res).axes[0]
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    low, high = (d.date() for d in mdates.num2date(ax.get_xlim()))
    assert low == sc.start and sc.end_date <= high <= sc.end_date + dt.timedelta(days=10)
    ticks = [d.date() for d in mdates.num2date(ax.get_xticks())]
    assert all(sc.start <= t <= high for t in ticks) and len(ticks) >= 3
    summary = res.summary().set_index("outcome")
    reached = [o for o in sc.outcomes if summary.loc[o, "count"] > 0 and o != "stalemate"]
    lines = curves(ax)
    assert set(reached) == set(outcome_ids(res, lines))
    for o in reached:
        ln = lines[sc.labels.outcome(o)]
        assert to_hex(ln.get_color()) == colors[o]
        assert ln.get_ydata()[-1] == pytest.approx(summary.loc[o, "p"])
        x = ln.get_xdata()
        assert x[0] == np.datetime64(sc.start) and np.all(np.diff(x) > np.timedelta64(0))
    # one interval band per curve
    from matplotlib.collections import FillBetweenPolyCollection, PolyCollection

    bands = [
        c for c in ax.collections if isinstance(c, (PolyCollection, FillBetweenPolyCollection))
    ]
    assert len(bands) == len(reached)
    # the stalemate happens at the horizon: one point with its interval at the horizon date
    (point,) = errorbars_of(ax)
    (x,), (y,) = point.lines[0].get_data()
    assert mdates.num2date(mdates.date2num(x)).date() == sc.end_date
    assert y == pytest.approx(summary.loc["stalemate", "p"])
    never = [o for o in sc.outcomes if summary.loc[o, "count"] == 0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[: len(reached)] == [
        f"{sc.labels.outcome(o)}: {fmt_p(summary.loc[o, 'p'])}" for o in reached
    ]
    notes = [t.replace("\n", " ") for t in legend if t.startswith("not reached")]
    assert len(notes) == bool(never)
    if never:
        assert all(sc.labels.outcome(o) in notes[0] for o in never)


def test_incidence_rejects_unknown_outcome(res):
    with pytest.raises(ValueError, match="unknown outcome 'victory'"):
        plot.incidence(res, outcomes=["victory"])


# --- highest rung ---------------------------------------------------------------------------


def test_rungs_named_ladder_split_by_outcome(res, colors):
    sc = res.scenario
    ladder = [r.name for r in sc.actors["us"].ladder]
    ax = plot.rungs(res).axes[0]  # default: the coercer
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.label for r in sc.actors["us"].ladder]
    assert "raid on Maduro" in [t.get_text() for t in ax.get_yticklabels()]
    stacks = bars_of(ax)
    assert all(len(b.patches) == len(ladder) for b in stacks)
    assert {to_hex(b.patches[0].get_facecolor()) for b in stacks} <= set(colors.values())
    total = np.sum([[r.get_width() for r in b.patches] for b in stacks], axis=0)
    counts = np.bincount(res.runs["rung.us"], minlength=len(ladder))
    assert total == pytest.approx(counts / RUNS)
    (err,) = errorbars_of(ax)
    assert err.has_xerr
    assert "US" in ax.get_title(loc="left")


def test_rungs_of_another_actor_and_errors(res):
    ax = plot.rungs(res, "maduro", by_outcome=False).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        res.scenario.labels.rung("maduro", r.name) for r in res.scenario.actors["maduro"].ladder
    ]
    (bars,) = bars_of(ax)
    assert bars.errorbar is not None
    with pytest.raises(ValueError, match="actor 'qatar' has no ladder"):
        plot.rungs(res, "qatar")


# --- milestones -----------------------------------------------------------------------------


def test_milestones_curves_end_at_the_milestone_probabilities(res):
    table = res.milestones().set_index("milestone")
    ax = plot.milestones(res).axes[0]
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    named = res.scenario.labels
    lines = curves(ax)
    reached = [m for m in table.index if table.loc[m, "count"] > 0]
    assert set(lines) == {named.milestone(m) for m in reached}
    for m in reached:
        line = lines[named.milestone(m)]
        assert line.get_ydata()[-1] == pytest.approx(table.loc[m, "p"])
        assert np.all(np.diff(line.get_ydata()) >= 0)
    # every line its own colour (12 milestones: more than matplotlib's 10-colour cycle)
    assert len({to_hex(ln.get_color()) for ln in lines.values()}) == len(lines) > 10
    # a milestone only the history reached (time <= 0) is named in a note, not drawn
    runs = res.runs.copy()
    runs["milestone.mediation"] = -14.0
    runs.loc[runs.index[0], "milestone.mediation"] = 0.0  # history on the start date itself
    only_history = es.Results(runs, res.scenario, res.provenance)
    assert only_history.milestones().set_index("milestone").loc["mediation", "count"] == 0
    ax = plot.milestones(only_history).axes[0]
    assert "mediation offered" not in curves(ax)
    legend = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    (note,) = [t for t in legend if t.startswith("not reached")]
    assert "mediation offered (100.0% only before the start)" in note


# --- drivers --------------------------------------------------------------------------------


def test_parameter_names_resolve_or_fail_clearly(res):
    from escalsim.plot.drivers import resolve_parameter

    assert resolve_parameter(res, "us.credibility") == "actors.us.credibility"
    assert resolve_parameter(res, "param.actors.us.credibility") == "actors.us.credibility"
    with pytest.raises(ResultsError, match="ambiguous"):
        resolve_parameter(res, "cost")
    with pytest.raises(ResultsError, match="no uncertain parameter 'nonsense'"):
        resolve_parameter(res, "nonsense")


def test_binned_probabilities(res):
    table = plot.binned(res, "us.credibility", bins=4)
    assert table["bin"].nunique() == 4
    per_bin = table.groupby("bin").agg(p=("p", "sum"), runs=("runs", "first"))
    assert per_bin["p"].to_numpy() == pytest.approx(np.ones(4))
    assert per_bin["runs"].sum() == RUNS
    assert per_bin["runs"].max() - per_bin["runs"].min() <= 2  # quantile bins
    assert (table["ci_low"] <= table["p"]).all() and (table["p"] <= table["ci_high"]).all()
    binary = plot.binned(res, "history.airspace")
    assert sorted(binary["x"].unique()) == [0.0, 1.0]
    for bad, error in ((0, ValueError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="bins must be a positive integer"):
            plot.binned(res, "us.credibility", bins=bad)


def test_driver_plot(res, colors):
    ax = plot.driver(res, "us.credibility", bins=4).axes[0]
    assert "actors.us.credibility" in ax.get_title(loc="left")
    assert "actors.us.credibility" in ax.get_xlabel()
    reached = [o for o, n in res.summary()[["outcome", "count"]].values if n > 0]
    curves = errorbars_of(ax)
    assert outcome_ids(res, [c.get_label() for c in curves]) == reached
    for c in curves:
        assert to_hex(c.lines[0].get_color()) == colors[outcome_ids(res, [c.get_label()])[0]]
        assert len(c.lines[0].get_xdata()) == 4
        assert c.has_yerr
    # the default parameter is one of the scenario's
    assert plot.strongest_driver(res) in [c[6:] for c in res.runs.columns if c[:6] == "param."]
    ax = res.plot.driver().axes[0]
    assert ax.get_title(loc="left").startswith("What drives the outcome: ")


# --- comparison -----------------------------------------------------------------------------


def test_comparison_grouped_bars(res, what_if, colors):
    ax = plot.comparison([res, what_if], labels=["base", "what if"]).axes[0]
    groups = bars_of(ax)
    n = len(res.scenario.outcomes)
    assert [g.get_label() for g in groups] == ["base", "what if"]
    assert all(len(g.patches) == n and g.errorbar is not None for g in groups)
    names = outcome_ids(res, [t.get_text() for t in ax.get_yticklabels()])
    assert sorted(names) == sorted(res.scenario.outcomes)
    for g, r in zip(groups, (res, what_if), strict=True):
        p = r.summary().set_index("outcome")["p"]
        assert [b.get_width() for b in g.patches] == pytest.approx(
            [p[o] for o in res.scenario.outcomes]
        )
        assert hexes(g.patches) == [colors[o] for o in res.scenario.outcomes]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["base", "what if"]


def test_comparison_difference_is_paired_with_common_seeds(res, what_if, colors):
    diff = plot.outcome_differences(res, what_if)
    assert diff["paired"].all()
    assert diff["difference"].to_numpy() == pytest.approx(
        diff["p_other"].to_numpy() - diff["p_base"].to_numpy()
    )
    assert ((diff["ci_low"] <= diff["difference"]) & (diff["difference"] <= diff["ci_high"])).all()
    ax = plot.comparison([res, what_if], difference=True).axes[0]
    (bars,) = bars_of(ax)
    assert [b.get_width() for b in bars.patches] == pytest.approx(list(diff["difference"]))
    assert hexes(bars.patches) == [colors[o] for o in diff["outcome"]]
    assert bars.errorbar is not None
    assert "paired" in ax.get_xlabel()


def test_paired_intervals_are_narrower_than_independent(res, what_if):
    from escalsim.results import Results

    shuffled = what_if.runs.copy()
    shuffled["seed"] = shuffled["seed"] + 1  # the same outcomes, but not the same seeds
    other = Results(shuffled, what_if.scenario, what_if.provenance)
    paired = plot.outcome_differences(res, what_if)
    independent = plot.outcome_differences(res, other)
    assert not independent["paired"].any()
    assert independent["difference"].to_numpy() == pytest.approx(paired["difference"].to_numpy())
    moved = paired["p_base"] != paired["p_other"]
    width = lambda d: (d["ci_high"] - d["ci_low"])[moved].to_numpy()  # noqa: E731
    assert np.all(width(paired) < width(independent))


def test_comparison_bad_arguments(res, what_if):
    with pytest.raises(ValueError, match="at least two"):
        plot.comparison([res])
    with pytest.raises(ValueError, match="exactly two"):
        plot.comparison([res, what_if, res], difference=True)
    with pytest.raises(TypeError, match="must be a Results"):
        plot.comparison([res, "what_if.parquet"])
    # the same scenario twice keeps both
    ax = res.plot.comparison(res).axes[0]
    assert len(bars_of(ax)) == 2


# --- dark background ------------------------------------------------------------------------


def test_dark_background_text_and_intervals_are_light(res, tmp_path):
    import matplotlib.style

    with matplotlib.style.context("dark_background"):
        for kind in plot.STANDARD:
            fig = getattr(res.plot, kind)()
            ax = fig.axes[0]
            assert to_hex(ax.title.get_color()) == "#ffffff"
            for err in errorbars_of(ax) if kind != "driver" else []:
                for coll in err.lines[2]:
                    assert to_hex(coll.get_color()[0]) == "#ffffff"
            plot.save_figure(fig, tmp_path / f"{kind}.png")
        fig = plot.outcomes(res)
        (bars,) = bars_of(fig.axes[0])
        assert to_hex(bars.errorbar.lines[2][0].get_color()[0]) == "#ffffff"
        assert all(to_hex(t.get_color()) == "#ffffff" for t in fig.axes[0].texts)


# --- files ----------------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_standard_figures(res, tmp_path):
    folder = tmp_path / "figures"
    written = plot.standard_figures(res, folder)
    assert [p.name for p in written] == [f"{k}.png" for k in plot.STANDARD]
    for p in written:
        width, height = png_size(p)
        assert 900 <= width <= 1500 and 450 <= height <= 1200  # 150 dpi, modest size
    assert sorted(x.name for x in folder.iterdir()) == sorted(p.name for p in written)
    before = {p: p.read_bytes() for p in written}
    with pytest.raises(ResultsError, match="file exists"):
        plot.standard_figures(res, folder)
    assert {p: p.read_bytes() for p in written} == before
    again = plot.standard_figures(res, folder, force=True, fmt="png")
    assert again == written
    assert all(again[i].read_bytes() == before[again[i]] for i in range(len(again)))  # stable
    with pytest.raises(ResultsError, match="is a file"):
        plot.standard_figures(res, written[0])


def test_save_figure_formats_and_refusals(res, tmp_path):
    fig = res.plot.outcomes()
    for ext, magic in ((".svg", b"<?xml"), (".pdf", b"%PDF")):
        path = plot.save_figure(fig, tmp_path / f"f{ext}")
        assert path.read_bytes().startswith(magic)
    with pytest.raises(ResultsError, match=r"expected \.png, \.svg or \.pdf"):
        plot.save_figure(fig, tmp_path / "f.gif")
    with pytest.raises(ResultsError, match="file exists"):
        plot.save_figure(fig, tmp_path / "f.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.svg"]  # no temp files


# --- escalsim plot --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def results_file(res, tmp_path_factory):
    path = tmp_path_factory.mktemp("results") / "results.parquet"
    res.to_parquet(path)
    return path


@pytest.mark.parametrize("kind", plot.STANDARD)
def test_cli_plot_each_kind(kind, results_file, tmp_path, capsys):
    out = tmp_path / f"{kind}.png"
    code, stdout, err = run_main(
        ["plot", str(results_file), "--kind", kind, "--out", str(out)], capsys
    )
    assert (code, err) == (0, "")
    assert stdout.strip() == f"figure written to {out}"
    assert png_size(out)[0] == 1200  # 8 inches at 150 dpi, the default


def test_every_command_that_draws_takes_dpi(results_file, tmp_path, capsys):
    from escalsim.cli.options import DPI
    from escalsim.plot.files import DPI as PLOT_DPI

    assert DPI == PLOT_DPI >= 150
    out = tmp_path / "low.png"
    args = ["plot", str(results_file), "--kind", "outcomes", "--out", str(out), "--dpi", "60"]
    assert run_main(args, capsys)[0] == 0
    assert png_size(out)[0] == 480
    scenario = str(ROOT / "tests" / "data" / "dyad.yaml")
    folder = tmp_path / "figs"
    args = ["run", scenario, "--runs", "20", "--executor", "serial", "-q", "--plot", str(folder)]
    assert run_main([*args, "--dpi", "60"], capsys)[0] == 0
    assert png_size(folder / "outcomes.png")[0] == 480
    for command in ("compare", "sweep", "sensitivity", "report"):
        code, stdout, _ = run_main([command, "--help"], capsys)
        assert code == 0 and "--dpi" in stdout, command


def test_cli_plot_driver_param_and_refusals(results_file, tmp_path, capsys):
    out = tmp_path / "d.svg"
    args = ["plot", str(results_file), "--kind", "driver", "--param", "us.credibility"]
    assert run_main([*args, "--out", str(out)], capsys)[0] == 0
    assert "actors.us.credibility" in out.read_text()
    # an existing file is kept unless --force
    code, _, err = run_main([*args, "--out", str(out)], capsys)
    assert code == 1 and "file exists" in err
    assert run_main([*args, "--out", str(out), "--force"], capsys)[0] == 0
    code, _, err = run_main(["plot", str(results_file), "--kind", "driver", "--param", "zzz",
                             "--out", str(tmp_path / "z.png")], capsys)  # fmt: skip
    assert code == 1 and "no uncertain parameter 'zzz'" in err
    assert not (tmp_path / "z.png").exists()


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--kind", "pie"], 2, "pie"),
        (["--out", "x.gif"], 2, "expected .png, .svg or .pdf"),
        (["--kind", "outcomes", "--param", "us.credibility"], 2, "only --kind driver"),
        (["--kind", "outcomes", "--actor", "us"], 2, "only --kind rungs takes an actor"),
        (["--kind", "driver", "--by-outcome"], 2, "only --kind beliefs, cohesion"),
        (["--kind", "rungs", "--actor", "qatar"], 1, "actor 'qatar' has no ladder"),
    ],
)
def test_cli_plot_usage_errors(extra, code, message, results_file, tmp_path, capsys):
    args = ["plot", str(results_file), "--out", str(tmp_path / "x.png"), *extra]
    got, _, err = run_main(args, capsys)
    assert got == code and message in err
    assert not (tmp_path / "x.png").exists()


def test_cli_plot_missing_results(tmp_path, capsys):
    code, _, err = run_main(
        ["plot", str(tmp_path / "none.parquet"), "--out", str(tmp_path / "x.png")], capsys
    )
    assert code == 1 and "no such file" in err


def test_standard_figures_skip_what_a_scenario_lacks(tmp_path):
    from scenario_helpers import MINIMAL, write

    bare = es.simulate(
        write(tmp_path, MINIMAL), runs=20, seed=1, settings=es.RunSettings(executor="serial")
    )
    assert not bare.scenario.milestones and not bare.scenario.uncertain()
    written = plot.standard_figures(bare, tmp_path / "figs")
    assert [p.name for p in written] == ["outcomes.png", "incidence.png", "rungs.png"]
    with pytest.raises(ResultsError, match="no uncertain parameter"):
        plot.driver(bare)


def test_run_refuses_an_occupied_figure_folder_before_running(tmp_path, capsys):
    folder = tmp_path / "figs"
    folder.mkdir()
    (folder / "incidence.png").write_bytes(b"kept")
    scenario = str(ROOT / "tests" / "data" / "dyad.yaml")
    with pytest.raises(ResultsError, match=r"incidence\.png: file exists"):
        plot.check_figure_folder(folder, es.load_scenario(scenario))
    plot.check_figure_folder(folder, es.load_scenario(scenario), force=True)
    args = ["run", scenario, "--runs", "20", "--executor", "serial", "--plot", str(folder)]
    code, out, err = run_main(args, capsys)
    assert code == 1 and "incidence.png: file exists" in err
    assert out == ""  # refused before any run: no outcome table
    assert (folder / "incidence.png").read_bytes() == b"kept"
    assert sorted(p.name for p in folder.iterdir()) == ["incidence.png"]
