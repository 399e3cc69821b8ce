"""Writes the system refuses, and files planted to divert them.

A full disk (or quota, or file size limit) is simulated by a disk with a few bytes free: it
stands in for the function that creates every file a run writes, and refuses a write beyond
them as the system would. The message must name the file being written and say what was kept:
nothing for an ordinary run, the finished chunks for a resumable one, which then continues.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_helpers import run_main
from fakes_ensemble import DATA, ensemble, fake_job

from escalsim.errors import ResultsError
from escalsim.results import io

DYAD = DATA / "dyad.yaml"


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The table of an uninterrupted streamed run of the fake task, exactly as stored."""
    path = tmp_path_factory.mktemp("ref") / "ref.parquet"
    ensemble(fake_job(), out=path)
    return pq.read_table(path).to_pandas()


def assert_table(out: Path, reference: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(pq.read_table(out).to_pandas(), reference, check_exact=True)


class SmallDisk:
    """``free`` bytes left for the files escalsim creates; a write beyond fails with ``code``."""

    def __init__(self, free: int, code: int = errno.ENOSPC, only: str = "") -> None:
        self.free = free
        self.code = code
        self.only = only  # the files it holds: names that start with this
        self.real = io.create_new

    def create_new(self, path: Path):
        file = self.real(path)
        return _Metered(file, self) if path.name.startswith(self.only) else file

    def install(self, monkeypatch: pytest.MonkeyPatch) -> SmallDisk:
        monkeypatch.setattr(io, "create_new", self.create_new)
        return self


class _Metered:
    """A file that writes while its disk has room."""

    def __init__(self, file, disk: SmallDisk) -> None:
        self.file = file
        self.disk = disk

    def write(self, data) -> int:
        size = len(memoryview(data))
        if size > self.disk.free:
            raise OSError(self.disk.code, os.strerror(self.disk.code))
        self.disk.free -= size
        return self.file.write(data)

    def __getattr__(self, name: str):
        return getattr(self.file, name)

    def __enter__(self) -> _Metered:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "No space left on device [ENOSPC]"),
        (errno.EDQUOT, "Disk quota exceeded [EDQUOT]"),
        (errno.EFBIG, "File too large [EFBIG]"),
    ],
)
def test_a_full_disk_names_the_file_and_says_nothing_was_kept(tmp_path, monkeypatch, code, words):
    SmallDisk(3000, code).install(monkeypatch)
    out = tmp_path / "big.parquet"
    with pytest.raises(ResultsError) as info:
        ensemble(fake_job(), out=out)
    assert str(info.value) == f"{out}: cannot write it: {words}; no file was written"
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_csv_names_the_file(tmp_path, monkeypatch):
    def full(*args, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    res = ensemble(fake_job(), runs=20)
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "r.csv"
    with pytest.raises(ResultsError, match=re.escape(f"{out}: cannot write it: No space left")):
        res.to_csv(out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("resume", [False])
def test_cli_full_disk_is_one_line_that_says_what_was_kept(tmp_path, monkeypatch, capsys, resume):
    SmallDisk(12_000).install(monkeypatch)
    out = tmp_path / "big.parquet"
    args = ["run", str(DYAD), "--runs", "400", "--executor", "serial", "-q", "--out", str(out)]
    code, _, err = run_main(args + ["--resume"] * resume, capsys)
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1, err
    assert "cannot write it: No space left on device [ENOSPC]" in err
    if resume:
        assert "big.parquet.partial" in err and "runs finished before are kept" in err
    else:
        assert "no file was written" in err and list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_temporary_files_are_never_written_through_a_planted_link(tmp_path, monkeypatch):
    """Were a temporary name guessed, a link planted there is not followed: the write fails."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    planted = tmp_path / ".planted.tmp"
    planted.symlink_to(victim)
    real, calls = io._temp_beside, []

    def guessed(path: Path) -> Path:  # each write probes its folder first, then writes
        calls.append(path)
        return planted if len(calls) % 2 == 0 else real(path)

    monkeypatch.setattr(io, "_temp_beside", guessed)
    res = ensemble(fake_job(), runs=20)
    for write in (
        lambda: res.to_parquet(tmp_path / "r.parquet"),
        lambda: res.to_csv(tmp_path / "r.csv"),
    ):
        with pytest.raises(ResultsError, match="File exists"):
            write()
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".planted.tmp", "victim.txt"]
