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
from escalsim.results import io, partial
from escalsim.results.partial import partial_path

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
        monkeypatch.setattr(partial, "create_new", self.create_new)
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


def test_a_full_disk_keeps_the_finished_chunks_of_a_resumable_run(tmp_path, monkeypatch, reference):
    SmallDisk(15_000).install(monkeypatch)  # room for the record and a few chunks of 4 KB
    out = tmp_path / "big.parquet"
    with pytest.raises(ResultsError) as info:
        ensemble(fake_job(), out=out, resume=True)
    folder = partial_path(out)
    m = re.fullmatch(
        re.escape(f"{folder}{os.sep}") + r"chunk-(\d{12})\.parquet: cannot write it: No space "
        r"left on device \[ENOSPC\]; the (\d+) runs finished before are kept in "
        + re.escape(str(folder))
        + r"; run the same command again \(resume=True, --resume\) to continue",
        str(info.value),
    )
    assert m is not None, info.value
    kept = int(m.group(2))
    assert int(m.group(1)) == kept > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet.partial"]
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()  # space freed
    res = ensemble(fake_job(), out=out, resume=True)
    assert res.provenance["resumed_from"] == kept
    assert_table(out, reference)


def test_a_full_disk_while_assembling_keeps_every_run(tmp_path, monkeypatch, reference):
    SmallDisk(3000, only=".big.parquet.").install(monkeypatch)  # the target's temporary file
    out = tmp_path / "big.parquet"
    with pytest.raises(ResultsError, match=r"all 200 runs are kept in .*big\.parquet\.partial"):
        ensemble(fake_job(), out=out, resume=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet.partial"]
    monkeypatch.undo()
    res = ensemble(fake_job(), out=out, resume=True)
    assert res.provenance["resumed_from"] == 200
    assert_table(out, reference)


def test_a_full_disk_while_writing_csv_names_the_file(tmp_path, monkeypatch):
    def full(*args, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    res = ensemble(fake_job(), runs=20)
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "r.csv"
    with pytest.raises(ResultsError, match=re.escape(f"{out}: cannot write it: No space left")):
        res.to_csv(out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("resume", [False, True])
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
@pytest.mark.parametrize("victim_exists", [True, False])
def test_a_symlinked_lock_is_refused_and_its_target_left_alone(tmp_path, victim_exists):
    out = tmp_path / "big.parquet"
    victim = tmp_path / "victim.txt"
    if victim_exists:
        victim.write_text("precious\n")
    (tmp_path / ".big.parquet.lock").symlink_to(victim)
    with pytest.raises(ResultsError, match=r"\.big\.parquet\.lock: is a symbolic link"):
        ensemble(fake_job(), out=out, resume=True)
    if victim_exists:
        assert victim.read_text() == "precious\n"
    assert (
        sorted(p.name for p in tmp_path.iterdir())
        == [".big.parquet.lock"] + ["victim.txt"] * victim_exists
    )


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
