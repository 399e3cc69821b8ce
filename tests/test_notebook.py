"""The notebook view: short reprs and HTML summaries of Scenario, Results and Comparison, and
``examples/tutorial.ipynb`` executed from top to bottom so that it never goes stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import escalsim as es

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
GUARANTEE = ROOT / "scenarios" / "venezuela_2025_guarantee.yaml"
SERIAL = es.RunSettings(executor="serial", progress=False)


@pytest.fixture(scope="module")
def flagship() -> es.Scenario:
    return es.load_scenario(FLAGSHIP)


def test_a_scenario_repr_is_a_few_lines_not_every_field(flagship):
    text = repr(flagship)
    assert text.startswith("<Scenario 'venezuela_2025': US–Venezuela crisis")
    assert len(text.splitlines()) <= 10 and len(text) < 1_000
    for words in ("2025-12-01 to 2026-05-30 (180 days)", "7 actors", "8 outcomes", "22 uncertain"):
        assert words in text
    assert str(flagship) == text
    page = flagship._repr_html_()
    assert "Maduro leaves under a deal" in page and "actors.us.credibility" in page
    assert "<details>" in page and len(page) < 20_000


def test_results_and_comparison_show_their_outcomes(flagship, tmp_path):
    res = es.simulate(flagship, runs=50, seed=3, settings=SERIAL)
    text = repr(res)
    assert text.startswith("<Results 'venezuela_2025': 50 runs, seed 3") and text.endswith(">")
    assert len(text.splitlines()) <= 5 and "stalemate at the horizon" in text
    page = res._repr_html_()
    top = res.summary().iloc[0]
    assert f"{top.p:.1%}" in page and "Maduro leaves under a deal" in page
    res.to_parquet(tmp_path / "r.parquet")
    lazy = es.Results.from_parquet(tmp_path / "r.parquet", lazy=True)
    assert "50 runs" in repr(lazy) and "r.parquet" in repr(lazy)

    cmp = es.compare(flagship, GUARANTEE, runs=50, seed=3, settings=SERIAL)
    text = repr(cmp)
    assert text.startswith("<Comparison 'venezuela_2025' → 'venezuela_2025_guarantee': 50 paired")
    assert len(text.splitlines()) <= 4 and "Maduro leaves under a deal" in text.splitlines()[1]
    page = cmp._repr_html_()
    assert "change (points)" in page and "regime collapses from within" in page


def test_the_plot_accessor_has_one_name_for_each_figure(flagship):
    res = es.simulate(flagship, runs=5, seed=1, settings=SERIAL)
    assert hasattr(res.plot, "incidence") and not hasattr(res.plot, "timeline")


def test_the_tutorial_runs_and_shows_what_it_says(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    (tmp_path / "examples").mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    shutil.copy(ROOT / "examples" / "tutorial.ipynb", tmp_path / "examples")
    nb = nbformat.read(ROOT / "examples" / "tutorial.ipynb", as_version=4)
    where = {"metadata": {"path": str(tmp_path / "examples")}}
    nbclient.NotebookClient(nb, timeout=600, resources=where).execute()
    cells = [c for c in nb.cells if c.cell_type == "code"]
    outputs = {c.source.splitlines()[-1]: c.outputs for c in cells}
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]

    def html(line: str) -> str:
        [out] = outputs[line]
        return out["data"]["text/html"]

    assert "Scenario venezuela_2025" in html("scenario")
    assert "300 runs, seed 7" in html("results") and "Maduro leaves under a deal" in html("results")
    assert "change (points)" in html("comparison")
    for line in ("results.plot.outcomes()", "results.plot.incidence()"):
        images = [o for o in outputs[line] if "image/png" in o.get("data", {})]
        assert len(images) == 1 and len(outputs[line]) == 1  # shown once
    assert (tmp_path / "examples" / "tutorial_report.html").stat().st_size > 100_000
