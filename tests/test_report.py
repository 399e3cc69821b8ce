"""The HTML report: what it says (the numbers of the run, the scenario, provenance), that it
is self-contained and escapes what the scenario says, and ``escalsim report`` with its
refusals. The page in a real browser: ``tests/test_report_browser.py``."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from cli_helpers import run_main

import escalsim as es
from escalsim.errors import ResultsError
from escalsim.report import render_report, what_if, write_report
from escalsim.report.sections import pct

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
GUARANTEE = ROOT / "scenarios" / "venezuela_2025_guarantee.yaml"
SMALL = ROOT / "tests" / "data" / "small.yaml"
SERIAL = es.RunSettings(executor="serial", keep_events=True, progress=False)
RUNS = 120


@pytest.fixture(scope="module")
def res():
    return es.simulate(FLAGSHIP, runs=RUNS, seed=5, settings=SERIAL)


@pytest.fixture(scope="module")
def page(res):
    variant = what_if(res, GUARANTEE, settings=SERIAL)
    return render_report(res, comparisons=[variant], dpi=40, generated="2030-01-02T03:04:05")


def text_of(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_report_shows_the_numbers_of_the_run(res, page):
    rows = re.findall(r'<tr data-outcome="([a-z_]+)">(.*?)</tr>', page, flags=re.S)
    shown = {key: re.findall(r'<td class="num">([^<]*)</td>', cells) for key, cells in rows}
    summary = res.summary().set_index("outcome")
    assert set(shown) == set(res.scenario.outcomes)
    for outcome, cells in shown.items():
        row = summary.loc[outcome]
        interval = f"{row.ci_low * 100:.1f}–{row.ci_high * 100:.1f}%"
        assert cells == [pct(row.p), interval, f"{int(row['count']):,}"], outcome
    # the likeliest first, by their labels
    order = [key for key, _ in rows]
    assert order == list(summary.sort_values("p", ascending=False, kind="stable").index)
    words = text_of(page)
    assert "Maduro leaves under a deal" in words and "negotiated_exit" not in words.split()


def test_the_report_tells_the_question_actors_history_and_provenance(res, page):
    sc = res.scenario
    words = text_of(page)
    assert sc.title in words and sc.description.split()[0] in words
    assert "2025-12-01" in words and "180 days" in words
    for actor in ("United States", "Maduro government", "Qatar"):
        assert actor in words
    assert "irresolute" in words and "prior" in words  # the private types and their priors
    assert "raid on Maduro" in words  # the ladder by its labels
    for event in sc.history:
        assert event.date.isoformat() in words
    assert 'href="https://kvia.com/?p=1427038"' in page  # sources are links
    assert "claimed (0.6)" in words and "probability 0.7" in words  # reliabilities
    assert "uniform [10, 30], mean 20" in words  # an uncertain number, drawn per run
    for key in ("seed", "scenario_sha256"):
        assert str(res.provenance[key]) in words
    assert f"{RUNS:,}" in words and "2030-01-02T03:04:05" in words
    assert "When it ends" in words and "Milestones on the way" in words
    assert "first US strike on land" in words
    assert "Common paths to each outcome" in words and "US climb: raid on Maduro" in words
    assert "What drives the outcome" in words
    assert "What if: a credible guarantee of immunity" in words  # the what-if, by its title
    assert "Brazil: guarantee: uniform [0.05, 0.2], mean 0.125 → uniform [0.5, 0.7]" in words


def test_only_changes_clear_of_zero_are_marked(res, page):
    rows = re.findall(
        r'<td class="num( clear)?">([^<]*)</td><td class="num">([−+\d.]+) to ([−+\d.]+)</td>',
        page,
    )
    assert len(rows) == len(res.scenario.outcomes)  # the what-if's table
    for marked, _, low, high in rows:
        low, high = (float(x.replace("−", "-")) for x in (low, high))
        assert bool(marked) == (low > 0 or high < 0)
    assert any(marked for marked, *_ in rows) and not all(marked for marked, *_ in rows)


def test_the_report_is_self_contained(page):
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    sources = re.findall(r'\ssrc="([^"]*)"', page)
    assert len(sources) >= 6  # outcomes, incidence, milestones, two ladders, driver, what-if
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    links = re.findall(r'href="([^"]*)"', page)
    assert all(h.startswith(("#", "https://", "http://")) for h in links)


def test_without_event_logs_the_report_says_how_to_get_the_paths(res):
    bare = es.Results(res.runs, res.scenario, res.provenance)  # no events
    words = text_of(render_report(bare, dpi=40))
    assert "kept no event logs" in words and "--events" in words


def test_the_report_escapes_what_the_scenario_says(tmp_path):
    data = es.load_scenario(SMALL).to_dict()
    data["title"] = "<script>alert(1)</script> & co"
    data["description"] = "<img src=x onerror=alert(2)>"
    data["history"] = [
        {
            "date": "2025-11-20",
            "actor": "us",
            "event": "statement",
            "source": "javascript:alert(3) and https://example.org/<b>",
            "note": "</td><td>injected",
        }
    ]
    sc = es.Scenario.from_dict(data)
    res = es.simulate(sc, runs=20, seed=1, settings=SERIAL)
    page = render_report(res, dpi=30)
    assert "<script>" not in page and "<img src=x" not in page and "</td><td>injected" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert 'href="javascript' not in page
    assert 'href="https://example.org/"' in page


def test_write_report_is_atomic_and_keeps_an_existing_file(res, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    assert write_report(res, target, dpi=30) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    before = target.read_bytes()
    with pytest.raises(ResultsError, match="file exists"):
        write_report(res, target, dpi=30)
    assert target.read_bytes() == before
    # a failure while rendering leaves no file, not even a temporary one
    import escalsim.report.write as write

    def fail(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(write, "render_report", fail)
    with pytest.raises(RuntimeError):
        write_report(res, tmp_path / "other.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_results_report_and_what_if(res, tmp_path):
    path = res.report(tmp_path / "r.html", dpi=30)
    assert path.is_file() and "How it ends" in path.read_text(encoding="utf-8")
    variant = what_if(res, {"actors.us.credibility": 0.9}, settings=SERIAL)
    assert variant.runs == RUNS and variant.base is res
    other = es.simulate(FLAGSHIP, runs=RUNS, seed=5, settings=SERIAL)
    with pytest.raises(ValueError, match="must have these results as its base"):
        render_report(other, comparisons=[variant])
    with pytest.raises(ValueError, match="no runs"):
        render_report(es.Results(res.runs.iloc[:0], res.scenario, res.provenance))


# --- escalsim report ----------------------------------------------------------------------


def test_cli_report_of_a_scenario_and_of_a_results_file(tmp_path, capsys):
    out = tmp_path / "small.html"
    args = ["report", str(SMALL), "--runs", "60", "--seed", "3", "--executor", "serial", "-q"]
    code, stdout, err = run_main([*args, "--out", str(out), "--dpi", "40"], capsys)
    assert (code, err) == (0, "")
    assert stdout.strip() == f"report of 60 runs written to {out}"
    page = out.read_text(encoding="utf-8")
    assert "A small crisis" in page and "Common paths to each outcome" in page
    results = tmp_path / "runs.parquet"
    code, _, _ = run_main(
        ["run", str(SMALL), "--runs", "60", "--seed", "3", "--executor", "serial", "-q",
         "--out", str(results)],
        capsys,
    )  # fmt: skip
    assert code == 0
    again = tmp_path / "from_file.html"
    code, stdout, _ = run_main(["report", str(results), "--out", str(again), "--dpi", "40"], capsys)
    assert code == 0 and "report of 60 runs" in stdout
    numbers = re.compile(r"<tr data-outcome=.*?</tr>", re.S)
    assert numbers.findall(again.read_text(encoding="utf-8")) == numbers.findall(page)


def test_cli_report_what_if(tmp_path, capsys):
    out = tmp_path / "what_if.html"
    args = ["report", str(FLAGSHIP), "--runs", "40", "--executor", "serial", "-q", "--dpi", "30"]
    code, _, err = run_main([*args, "--compare", str(GUARANTEE), "--out", str(out)], capsys)
    assert (code, err) == (0, "")
    assert "What if: a credible guarantee of immunity" in text_of(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["/no/such.yaml"], 1, "file not found"),
        (["/no/such.parquet"], 1, "no such file"),
        ([str(SMALL), "--out", "/proc/report.html"], 1, "cannot write in /proc"),
        ([str(SMALL), "--out", "/no/folder/report.html"], 1, "folder /no/folder does not exist"),
        ([str(SMALL), "--out", "report.pdf"], 2, "expected an .html file"),
        ([str(SMALL), "--compare", "/no/variant.yaml"], 1, "file not found"),
        (["runs.parquet", "--seed", "3"], 2, "a results file fixes its scenario"),
        (["runs.parquet", "--set", "horizon=10"], 2, "a results file fixes its scenario"),
    ],
)
def test_cli_report_refusals(args, code, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if "--out" not in args:
        args = [*args, "--out", "report.html"]
    if not args[0].endswith(".parquet"):  # a scenario: the runs it would make, few and serial
        args = [*args, "--runs", "5", "--executor", "serial", "-q"]
    got, stdout, err = run_main(["report", *args], capsys)
    assert got == code and message in err
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, not even in part


def test_cli_report_keeps_an_existing_file_unless_forced(tmp_path, capsys):
    out = tmp_path / "kept.html"
    out.write_text("mine", encoding="utf-8")
    args = ["report", str(SMALL), "--runs", "10", "--executor", "serial", "-q", "--out", str(out)]
    code, stdout, err = run_main(args, capsys)
    assert code == 1 and "file exists" in err and err.count("\n") == 1 and stdout == ""
    assert out.read_text(encoding="utf-8") == "mine"
    assert run_main([*args, "--force", "--dpi", "30"], capsys)[0] == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
