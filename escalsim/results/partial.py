"""Resumable streaming: the finished chunks of a long run, kept beside its target until the end.

``simulate(..., out="big.parquet", resume=True)`` writes every finished chunk to the folder
``big.parquet.partial/`` as ``chunk-<first run>.parquet`` (and ``chunk-<first run>.events
.parquet`` when events are kept), each file written under a temporary name and renamed, after
``manifest.json``, which records the settings that fix the table: scenario content hash, seed,
runs, precision, events kept, library version. Chunks are written in run order, so the
finished runs are always ``0 .. done - 1``: a later call with the same settings runs the rest,
copies the chunks into the target (itself written atomically, as always) and removes the
folder. Chunk sizes, workers and executors may differ between calls: a run's result depends
only on the root seed and its index. A killed process leaves only temporary files, removed
when the folder is opened again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalsim.errors import ResultsError
from escalsim.results.io import (
    KEY_PROVENANCE,
    ParquetStream,
    check_target,
    events_path,
    read_metadata,
    read_table,
)

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results.layout import Layout

PARTIAL_FORMAT = 1
"""Version of the layout of a ``.partial`` folder."""

MANIFEST = "manifest.json"
_CHUNK = re.compile(r"chunk-(\d{12})\.parquet")

_SETTINGS = {  # the settings that fix the table, and how a message names them
    "escalsim_version": "escalsim version",
    "scenario_sha256": "scenario (content hash)",
    "seed": "seed",
    "runs": "runs",
    "precision": "precision",
    "max_runs": "max_runs",
    "keep_events": "keep_events",
    "python_rules": "Python rules",
}


def partial_path(target: str | os.PathLike[str]) -> Path:
    """The folder that holds the finished chunks of ``target``: ``x.parquet.partial``."""
    p = Path(target)
    return p.with_name(f"{p.name}.partial")


def _chunk_path(folder: Path, start: int) -> Path:
    return folder / f"chunk-{start:012d}.parquet"


def _settings_of_provenance(prov: dict[str, Any]) -> dict[str, Any]:
    """The settings a finished results file was made with (see :data:`_SETTINGS`)."""
    found = {key: prov.get(key) for key in _SETTINGS}
    found["runs"] = prov.get("min_runs", prov.get("runs"))  # precision mode: the minimum
    return found


def _difference(stored: dict[str, Any], current: dict[str, Any]) -> str | None:
    """How ``current`` differs from ``stored`` (the first setting that does), else None."""
    for key, name in _SETTINGS.items():
        was, now = stored.get(key), current.get(key)
        if was != now:
            if key == "scenario_sha256":
                return f"a different scenario (content hash {str(was)[:12]}…, now {str(now)[:12]}…)"
            return f"{name} {was}, not {now}"
    return None


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != PARTIAL_FORMAT:
            raise ValueError(f"format {manifest.get('format')!r}, expected {PARTIAL_FORMAT}")
        return manifest
    except (OSError, ValueError, AttributeError) as exc:
        raise ResultsError(
            f"{folder}: unreadable record of an unfinished run ({exc}); remove the folder, or "
            "run without resume and with force to start over"
        ) from None


def plan_resume(
    target: str | os.PathLike[str],
    settings: dict[str, Any],
    *,
    resume: bool,
    force: bool,
) -> str:
    """What a streaming run to ``target`` should do: ``"new"`` (start, keeping chunks if
    ``resume``), ``"continue"`` (a matching unfinished run) or ``"complete"`` (``resume`` and
    ``target`` already holds a run with these settings). ResultsError if it may not go on."""
    p = Path(target)
    folder = partial_path(p)
    keep_events = bool(settings.get("keep_events"))
    if folder.exists() and not folder.is_dir():
        raise ResultsError(f"{folder}: is a file; expected the folder of an unfinished run")
    pending = (folder / MANIFEST).is_file()
    if pending and not resume:
        if not force:
            raise ResultsError(
                f"{folder}: holds an unfinished run to {p.name}; pass resume=True (--resume) "
                "to continue it, or force=True (--force) to discard it"
            )
    elif pending:
        diff = _difference(_read_manifest(folder), settings)
        if diff is not None:
            raise ResultsError(
                f"{folder}: the unfinished run kept here was started with {diff}; continue it "
                "with the same settings, or run without resume and with force to start over"
            )
    elif resume and not force and p.is_file():
        with contextlib.suppress(ResultsError):
            prov = read_metadata(p)[KEY_PROVENANCE]
            if _difference(_settings_of_provenance(prov), settings) is None:
                return "complete"
    check_target(p, force)
    if keep_events:
        check_target(events_path(p), force)
    return "continue" if pending else "new"


def discard(target: str | os.PathLike[str]) -> None:
    """Remove the unfinished run kept for ``target``, if any."""
    shutil.rmtree(partial_path(target), ignore_errors=True)


class RunLock:
    """An exclusive lock on a resumable run's target while one process runs it, so that two
    processes never write one ``.partial`` folder (POSIX ``flock``, released by the system if
    the process dies; where ``fcntl`` is missing, no lock is taken)."""

    def __init__(self, target: Path) -> None:
        self.path = target.with_name(f".{target.name}.lock")
        self.fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode(errors="replace").strip()
                os.close(fd)
                who = f"process {holder}" if holder.isdigit() else "another process"
                raise ResultsError(
                    f"{target}: {who} is running it now; wait for it to finish or stop it"
                ) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self.fd = fd
                return
            os.close(fd)  # the holder removed the file between our open and our lock: again

    def release(self) -> None:
        """Remove the lock file and unlock (in that order: a late opener then sees a new file)."""
        if self.fd is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = None


class PartialRun:
    """The finished chunks of a resumable run: :meth:`write` adds one, :meth:`commit`
    assembles the target from them and removes the folder. The run holds a :class:`RunLock`
    from its start to :meth:`commit` or :meth:`close`."""

    def __init__(
        self,
        target: str | os.PathLike[str],
        layout: Layout,
        settings: dict[str, Any],
        *,
        force: bool = False,
        started: str | None = None,
    ) -> None:
        self.target = Path(target)
        self.folder = partial_path(self.target)
        self.layout = layout
        self.keep_events = bool(settings.get("keep_events"))
        self.force = force
        self.lock = RunLock(self.target)
        try:
            self._open(settings, started)
        except BaseException:
            self.lock.release()
            raise

    def _open(self, settings: dict[str, Any], started: str | None) -> None:
        manifest_file = self.folder / MANIFEST
        if manifest_file.is_file():
            manifest = _read_manifest(self.folder)
        else:  # a new run: nothing in a folder without a manifest can belong to it
            discard(self.target)
            self.folder.mkdir()
            manifest = {"format": PARTIAL_FORMAT, "target": self.target.name}
            manifest.update(settings, started=started)
            tmp = self.folder / f".{MANIFEST}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, manifest_file)
        self.started: str | None = manifest.get("started")
        self.chunks = self._scan()

    def _scan(self) -> list[tuple[int, int]]:
        """(first run, run count) of the usable chunks: the files that continue one another
        from run 0. Temporary files and any chunk after a gap are removed."""
        import pyarrow.parquet as pq

        found: dict[int, Path] = {}
        for f in self.folder.iterdir():
            m = _CHUNK.fullmatch(f.name)
            if m:
                found[int(m.group(1))] = f
            elif f.name.startswith(".") and f.name.endswith(".tmp"):
                f.unlink(missing_ok=True)
        chunks: list[tuple[int, int]] = []
        done = 0
        for start in sorted(found):
            path = found[start]
            usable = start == done and (not self.keep_events or events_path(path).is_file())
            if usable:
                try:
                    rows = pq.read_metadata(path).num_rows
                except Exception:  # a damaged file: run its chunk again
                    usable = False
            if not usable:
                path.unlink(missing_ok=True)
                events_path(path).unlink(missing_ok=True)
                continue
            chunks.append((start, rows))
            done += rows
        return chunks

    @property
    def done(self) -> int:
        """Runs already finished: runs ``0 .. done - 1``."""
        return sum(rows for _, rows in self.chunks)

    def outcomes(self) -> Iterator[list[str]]:
        """The outcome of every finished run, chunk by chunk, in run order."""
        import pyarrow.parquet as pq

        for start, _ in self.chunks:
            table = pq.read_table(_chunk_path(self.folder, start), columns=["outcome"])
            yield [str(x) for x in table.column("outcome").to_pylist()]

    def write(self, runs: pd.DataFrame, events: pd.DataFrame | None) -> None:
        """Keep one finished chunk (the events file first: the runs file marks it done)."""
        start = self.done
        path = _chunk_path(self.folder, start)
        with ParquetStream(path, self.layout, with_events=self.keep_events, force=True) as s:
            s.write(runs, events)
            s.commit({"first_run": start}, "{}")
        self.chunks.append((start, len(runs)))

    def commit(self, provenance: dict[str, Any], scenario_text: str) -> Path:
        """Copy the chunks, in order, into the target (atomically); remove the folder."""
        stream = ParquetStream(
            self.target, self.layout, with_events=self.keep_events, force=self.force
        )
        with stream:
            for start, _ in self.chunks:
                path = _chunk_path(self.folder, start)
                runs = self.layout.restore(read_table(path))
                events = None
                if self.keep_events:
                    events = self.layout.restore_events(read_table(events_path(path)))
                stream.write(runs, events)
            stream.commit(provenance, scenario_text)
        (self.folder / MANIFEST).unlink(missing_ok=True)
        discard(self.target)
        self.close()
        return self.target

    def close(self) -> None:
        """Let another process resume the run (the finished chunks stay)."""
        self.lock.release()
