"""Resumable streaming: the finished chunks of a long run, kept beside its target until the end.

``simulate(..., out="big.parquet", resume=True)`` writes every finished chunk to the folder
``big.parquet.partial/`` as ``chunk-<first run>.parquet`` (and ``chunk-<first run>.events
.parquet`` when events are kept, ``chunk-<first run>.decisions.parquet`` when runs are
traced), each file written under a temporary name and renamed, after ``manifest.json``, which
records the settings that fix the table: scenario content hash, seed, runs, precision, events
kept, decisions traced, library version. Chunks are written in run order, so the finished
runs are always ``0 .. done - 1``: a later call with the same settings runs the rest, copies
the chunks into the target (itself written atomically, as always) and removes the folder.
Chunk sizes, workers and executors may differ between calls: a run's result depends only on
the root seed and its index. A killed process leaves only temporary files, removed when the
folder is opened again.

Each kept chunk file's SHA-256 is appended to ``checksums.sha256``; on resume a chunk that
does not match (damaged, changed) is run again with a warning, with every chunk after it. While
a process runs the target it holds ``.big.parquet.lock`` beside it (never a symbolic link):
another resume, or ``force`` discarding the folder, is refused; forked workers do not keep the
lock, so a process killed with SIGKILL leaves the run free to resume. A write the system
refuses (a full disk) names the file and says how many finished runs are kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalsim.errors import ResultsError
from escalsim.results.io import (
    KEY_PROVENANCE,
    OWN_FILE,
    ParquetStream,
    check_target,
    create_new,
    decisions_path,
    events_path,
    read_metadata,
    read_table,
    write_errors_named,
)

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results.layout import Layout

PARTIAL_FORMAT = 1
"""Version of the layout of a ``.partial`` folder."""

MANIFEST = "manifest.json"
CHECKSUMS = "checksums.sha256"
"""The SHA-256 of every kept chunk file, one ``<hex>  <name>`` line each (``sha256sum``'s
format): appended as each chunk is kept, checked on resume."""
_CHUNK = re.compile(r"chunk-(\d{12})\.parquet")
_CHECKSUM = re.compile(r"([0-9a-f]{64})  (chunk-\d{12}(?:\.events|\.decisions)?\.parquet)")

_SETTINGS = {  # the settings that fix the table, and how a message names them
    "escalsim_version": "escalsim version",
    "scenario_sha256": "scenario (content hash)",
    "seed": "seed",
    "runs": "runs",
    "precision": "precision",
    "max_runs": "max_runs",
    "keep_events": "keep_events",
    "trace": "trace",
    "python_rules": "Python rules",
}
_DEFAULTS = {"trace": False}
"""The value of a setting that records made before it existed do not hold."""


def partial_path(target: str | os.PathLike[str]) -> Path:
    """The folder that holds the finished chunks of ``target``: ``x.parquet.partial``."""
    p = Path(target)
    return p.with_name(f"{p.name}.partial")


def _chunk_path(folder: Path, start: int) -> Path:
    return folder / f"chunk-{start:012d}.parquet"


def _settings_of_provenance(prov: dict[str, Any]) -> dict[str, Any]:
    """The settings a finished results file was made with (see :data:`_SETTINGS`)."""
    found = {key: prov.get(key, _DEFAULTS.get(key)) for key in _SETTINGS}
    found["runs"] = prov.get("min_runs", prov.get("runs"))  # precision mode: the minimum
    return found


def _difference(stored: dict[str, Any], current: dict[str, Any]) -> str | None:
    """How ``current`` differs from ``stored`` (the first setting that does), else None."""
    for key, name in _SETTINGS.items():
        was, now = stored.get(key, _DEFAULTS.get(key)), current.get(key, _DEFAULTS.get(key))
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
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        what = "a symbolic link" if folder.is_symlink() else "a file"
        raise ResultsError(f"{folder}: is {what}; expected the folder of an unfinished run")
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
    if settings.get("trace"):
        check_target(decisions_path(p), force)
    return "continue" if pending else "new"


def discard(target: str | os.PathLike[str]) -> None:
    """Remove the unfinished run kept for ``target``, if any."""
    shutil.rmtree(partial_path(target), ignore_errors=True)


def discard_unless_running(target: str | os.PathLike[str]) -> None:
    """Remove the unfinished run kept for ``target`` (``force`` without ``resume``), unless
    a process is running it now: a ResultsError then, and its chunks stay."""
    lock = RunLock(Path(target), "force=True (--force) does not discard a run in progress")
    try:
        discard(target)
    finally:
        lock.release()


_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | OWN_FILE | getattr(os, "O_NONBLOCK", 0)  # not on a FIFO
_APPEND_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | OWN_FILE
_HELD: set[int] = set()
"""The descriptors of the run locks this process holds."""


def _drop_inherited_locks() -> None:
    """In a forked child (a worker): close the run locks the parent holds. A ``flock`` belongs
    to the open file, which a fork shares: a worker keeping it would hold the run after its
    parent died (killed), and refuse the resume."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


@functools.cache
def _watch_forks() -> None:
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_drop_inherited_locks)


class RunLock:
    """An exclusive lock on a resumable run's target while one process runs it, so that two
    processes never write one ``.partial`` folder (POSIX ``flock``, released by the system if
    the process dies, and never passed to forked workers; where ``fcntl`` is missing, no lock
    is taken). The lock file is never a symbolic link or a link to another file. ``refusal``
    ends the message that refuses a run held by another process."""

    def __init__(self, target: Path, refusal: str = "wait for it to finish or stop it") -> None:
        self.path = target.with_name(f".{target.name}.lock")
        self.fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return
        _watch_forks()
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode(errors="replace").strip()
                os.close(fd)
                who = f"process {holder}" if holder.isdigit() else "another process"
                raise ResultsError(f"{target}: {who} is running it now; {refusal}") from None
            try:
                mine, now = os.fstat(fd), os.lstat(self.path)
                same = (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)
            except FileNotFoundError:
                same = False
            if same:
                _HELD.add(fd)
                self.fd = fd
                try:
                    with write_errors_named(self.path, "no run was started"):
                        os.ftruncate(fd, 0)
                        os.write(fd, str(os.getpid()).encode())
                except BaseException:
                    self.release()
                    raise
                return
            os.close(fd)  # the holder removed the file between our open and our lock: again

    def _open(self) -> int:
        """The lock file, opened (created if missing); a ResultsError if it is not a plain file
        of its own."""
        refuse = "a run's lock file must be a plain file; remove it if no run is going on"
        try:
            fd = os.open(self.path, _LOCK_FLAGS, 0o644)
        except OSError as exc:
            if self.path.is_symlink():
                raise ResultsError(f"{self.path}: is a symbolic link; {refuse}") from None
            raise ResultsError(
                f"{self.path}: cannot open the run's lock file ({exc.strerror or exc})"
            ) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            os.close(fd)
            what = "has other names (hard links)" if stat.S_ISREG(info.st_mode) else "is special"
            raise ResultsError(f"{self.path}: {what}; {refuse}")
        return fd

    def release(self) -> None:
        """Remove the lock file and unlock (in that order: a late opener then sees a new file)."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            _HELD.discard(self.fd)
            os.close(self.fd)
            self.fd = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _replace_text(path: Path, text: str, kept: str) -> None:
    """Write a small file of the folder: a new temporary file, renamed over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with write_errors_named(path, kept):
        file = create_new(tmp)
    try:
        with write_errors_named(path, kept):
            with file:
                file.write(text.encode("utf-8"))
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class PartialRun:
    """The finished chunks of a resumable run: :meth:`write` adds one, :meth:`commit`
    assembles the target from them and removes the folder. The run holds a :class:`RunLock`
    from its start to :meth:`commit` or :meth:`close`. A kept chunk whose bytes no longer
    match its checksum is run again, with a warning; it never reaches the target."""

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
        self.trace = bool(settings.get("trace"))
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
            text = json.dumps(manifest, indent=1) + "\n"
            _replace_text(manifest_file, text, "no run was started")
        self.started: str | None = manifest.get("started")
        self.chunks = self._scan()

    def _files(self, start: int) -> list[Path]:
        """A chunk's files: its events and decisions files first, then its runs file (which
        marks it done)."""
        path = _chunk_path(self.folder, start)
        return [
            *([events_path(path)] if self.keep_events else []),
            *([decisions_path(path)] if self.trace else []),
            path,
        ]

    def _scan(self) -> list[tuple[int, int]]:
        """(first run, run count) of the usable chunks: the files that continue one another
        from run 0 and match their checksums. Temporary files, chunks without a checksum (their
        writer was killed) and every chunk from a gap or a mismatch on are removed."""
        import pyarrow.parquet as pq

        found: dict[int, Path] = {}
        for f in self.folder.iterdir():
            m = _CHUNK.fullmatch(f.name)
            if m:
                found[int(m.group(1))] = f
            elif f.name.startswith(".") and f.name.endswith(".tmp"):
                f.unlink(missing_ok=True)
        sums = self._checksums()
        chunks: list[tuple[int, int]] = []
        done = 0
        for start in sorted(found):
            files = self._files(start)
            usable = start == done and all(f.is_file() for f in files)
            if usable:
                bad = [f.name for f in files if f.name in sums and sums[f.name] != _sha256(f)]
                usable = not bad and all(f.name in sums for f in files)
                if bad:
                    warnings.warn(
                        f"{self.folder / bad[0]}: the kept chunk does not match its checksum "
                        f"(damaged or changed); runs from {start:,} on are run again",
                        RuntimeWarning,
                        stacklevel=2,
                    )
            if usable:
                try:
                    rows = pq.read_metadata(files[-1]).num_rows
                except Exception:  # a damaged file: run its chunk again
                    usable = False
            if not usable:
                for f in files:
                    f.unlink(missing_ok=True)
                continue
            chunks.append((start, rows))
            done += rows
        kept = [f.name for start, _ in chunks for f in self._files(start)]
        text = "".join(f"{sums[name]}  {name}\n" for name in kept)
        _replace_text(self.folder / CHECKSUMS, text, self._kept(done))
        return chunks

    def _checksums(self) -> dict[str, str]:
        """The recorded checksum of each chunk file (the last line for a name wins)."""
        try:
            text = (self.folder / CHECKSUMS).read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ResultsError(f"{self.folder / CHECKSUMS}: cannot read it ({exc})") from None
        lines = (_CHECKSUM.fullmatch(line) for line in text.splitlines())
        return {m.group(2): m.group(1) for m in lines if m}

    def _kept(self, done: int) -> str:
        """What a refused write leaves: the finished runs, to continue from."""
        if not done:
            return f"no finished run was kept yet in {self.folder}"
        return (
            f"the {done:,} runs finished before are kept in {self.folder}; run the same "
            "command again (resume=True, --resume) to continue"
        )

    @property
    def _with(self) -> dict[str, bool]:
        """Which tables a chunk (and the target) holds besides the runs."""
        return {"with_events": self.keep_events, "with_decisions": self.trace}

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

    def write(
        self,
        runs: pd.DataFrame,
        events: pd.DataFrame | None,
        decisions: pd.DataFrame | None = None,
    ) -> None:
        """Keep one finished chunk (the events and decisions files first: the runs file marks
        it done), then record its checksums."""
        start = self.done
        kept = self._kept(start)
        path = _chunk_path(self.folder, start)
        with ParquetStream(path, self.layout, **self._with, force=True, kept=kept) as s:
            s.write(runs, events, decisions)
            s.commit({"first_run": start}, "{}")
        record = self.folder / CHECKSUMS
        text = "".join(f"{_sha256(f)}  {f.name}\n" for f in self._files(start))
        with write_errors_named(record, kept):
            fd = os.open(record, _APPEND_FLAGS, 0o644)
            try:
                os.write(fd, text.encode("ascii"))
            finally:
                os.close(fd)
        self.chunks.append((start, len(runs)))

    def commit(self, provenance: dict[str, Any], scenario_text: str) -> Path:
        """Copy the chunks, in order, into the target (atomically); remove the folder."""
        kept = (
            f"all {self.done:,} runs are kept in {self.folder}; run the same command again "
            "(resume=True, --resume) to write the file, which needs about as much space again"
        )
        stream = ParquetStream(self.target, self.layout, **self._with, force=self.force, kept=kept)
        with stream:
            for start, _ in self.chunks:
                path = _chunk_path(self.folder, start)
                runs = self.layout.restore(read_table(path))
                events = decisions = None
                if self.keep_events:
                    events = self.layout.restore_events(read_table(events_path(path)))
                if self.trace:
                    decisions = self.layout.decisions.restore(read_table(decisions_path(path)))
                stream.write(runs, events, decisions)
            stream.commit(provenance, scenario_text)
        (self.folder / MANIFEST).unlink(missing_ok=True)
        discard(self.target)
        self.close()
        return self.target

    def close(self) -> None:
        """Let another process resume the run (the finished chunks stay)."""
        self.lock.release()
