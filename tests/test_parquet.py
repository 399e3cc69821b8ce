"""Results files: Parquet and CSV round trips, provenance in the metadata, safe writing."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fakes_ensemble import ensemble, fake_job, scenario

from escalsim.ensemble import RunSettings, simulate
from escalsim.errors import Interrupted, ResultsError
from escalsim.results import Results
from escalsim.results.io import atomic_path


@pytest.fixture(scope="module")
def engine_res():
    """The real engine, with event logs."""
    return simulate(
        scenario(),
        runs=40,
        seed=9,
        settings=RunSettings(executor="serial", keep_events=True, progress=False),
    )


def _assert_same(a: Results, b: Results) -> None:
    pd.testing.assert_frame_equal(a.runs, b.runs, check_exact=True)
    if a.events is None:
        assert b.events is None
    else:
        pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    assert a.provenance == b.provenance
    assert a.scenario == b.scenario


def test_parquet_round_trip_is_exact(engine_res, tmp_path):
    path = engine_res.to_parquet(tmp_path / "r.parquet")
    back = Results.from_parquet(path)
    _assert_same(engine_res, back)
    assert list(back.runs["outcome"].cat.categories) == list(scenario().outcomes)
    assert (tmp_path / "r.events.parquet").is_file()


def test_round_trip_without_events(tmp_path):
    res = ensemble(fake_job(), runs=50)
    back = Results.from_parquet(res.to_parquet(tmp_path / "r.parquet"))
    _assert_same(res, back)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet"]


def test_provenance_and_scenario_are_in_the_schema_metadata(engine_res, tmp_path):
    path = engine_res.to_parquet(tmp_path / "r.parquet")
    meta = pq.read_schema(path).metadata
    prov = json.loads(meta[b"escalsim.provenance"])
    assert prov == engine_res.provenance
    assert prov["scenario_sha256"] and prov["seed"] == 9 and prov["runs"] == 40
    stored = json.loads(meta[b"escalsim.scenario"])
    assert stored["name"] == "two_actors"
    # a ``choice`` distribution's numeric keys come back as numbers
    assert Results.from_parquet(path).scenario.uncertain() == scenario().uncertain()


def test_other_tools_can_read_the_table(engine_res, tmp_path):
    path = engine_res.to_parquet(tmp_path / "r.parquet")
    plain = pd.read_parquet(path)
    assert list(plain.columns) == list(engine_res.runs.columns)
    assert list(plain["outcome"]) == list(engine_res.runs["outcome"].astype(str))


def test_refuses_to_overwrite_unless_forced(engine_res, tmp_path):
    path = tmp_path / "r.parquet"
    path.write_bytes(b"precious")
    with pytest.raises(ResultsError, match="exists"):
        engine_res.to_parquet(path)
    assert path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet"]
    engine_res.to_parquet(path, force=True)
    _assert_same(engine_res, Results.from_parquet(path))


def test_refuses_to_overwrite_an_events_file(engine_res, tmp_path):
    (tmp_path / "r.events.parquet").write_bytes(b"precious")
    with pytest.raises(ResultsError, match=r"r\.events\.parquet: file exists"):
        engine_res.to_parquet(tmp_path / "r.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.events.parquet"]


def test_missing_folder_and_folder_targets_are_errors(engine_res, tmp_path):
    with pytest.raises(ResultsError, match="does not exist"):
        engine_res.to_parquet(tmp_path / "nowhere" / "r.parquet")
    with pytest.raises(ResultsError, match="is a folder"):
        engine_res.to_parquet(tmp_path)


def test_streamed_file_equals_the_in_memory_results(tmp_path, monkeypatch):
    monkeypatch.setattr("escalsim.results.io.ROW_GROUP_ROWS", 1)  # a row group per chunk
    job = fake_job(keep_events=True)
    mem = ensemble(job, runs=150, chunk_size=32)
    out = tmp_path / "s.parquet"
    handle = ensemble(job, runs=150, chunk_size=32, out=out)
    assert handle.path == out and handle._runs is None  # a handle: nothing read yet
    assert pq.ParquetFile(out).metadata.num_row_groups == 5
    pd.testing.assert_frame_equal(handle.runs, mem.runs, check_exact=True)
    pd.testing.assert_frame_equal(handle.events, mem.events, check_exact=True)
    assert handle.provenance["runs"] == 150


def test_streamed_chunks_are_gathered_into_row_groups(tmp_path, monkeypatch):
    # the writer holds metadata per row group until it closes: small chunks are gathered
    monkeypatch.setattr("escalsim.results.io.ROW_GROUP_ROWS", 50)
    out = tmp_path / "g.parquet"
    handle = ensemble(fake_job(), runs=150, chunk_size=16, out=out)
    meta = pq.ParquetFile(out).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [64, 64, 22]
    mem = ensemble(fake_job(), runs=150, chunk_size=16)
    pd.testing.assert_frame_equal(handle.runs, mem.runs, check_exact=True)


def test_no_file_left_after_an_interrupted_streaming_write(tmp_path):
    out = tmp_path / "s.parquet"
    with pytest.raises(Interrupted):
        ensemble(fake_job(keep_events=True, interrupt_run=70), runs=150, chunk_size=32, out=out)
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "x.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_reading_bad_files_is_a_results_error(tmp_path):
    with pytest.raises(ResultsError, match="no such file"):
        Results.from_parquet(tmp_path / "missing.parquet")
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    with pytest.raises(ResultsError, match="not a readable Parquet file"):
        Results.from_parquet(junk)
    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), foreign)
    with pytest.raises(ResultsError, match="not an escalsim results file"):
        Results.from_parquet(foreign)


def test_missing_events_file_is_reported(engine_res, tmp_path):
    path = engine_res.to_parquet(tmp_path / "r.parquet")
    (tmp_path / "r.events.parquet").unlink()
    with pytest.raises(ResultsError, match="events file"):
        Results.from_parquet(path)


def test_csv_round_trip(engine_res, tmp_path):
    path = engine_res.to_csv(tmp_path / "r.csv")
    assert (tmp_path / "r.events.csv").is_file()
    back = Results.from_csv(path, scenario())
    pd.testing.assert_frame_equal(back.runs, engine_res.runs, check_exact=True)
    pd.testing.assert_frame_equal(back.events, engine_res.events, check_exact=True)
    with pytest.raises(ResultsError, match="exists"):
        engine_res.to_csv(path)
    engine_res.to_csv(path, force=True)
