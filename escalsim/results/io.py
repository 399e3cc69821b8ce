"""Results files: Parquet (streamed chunk by chunk) and CSV, written atomically.

A results Parquet file holds the runs table; its key-value metadata (which pyarrow shows as
the schema metadata: ``pyarrow.parquet.read_schema(path).metadata``) carries

- ``escalsim.format``: the file layout version,
- ``escalsim.provenance``: JSON of the provenance dict,
- ``escalsim.scenario``: JSON of the scenario (``Scenario.to_dict()``),
- ``escalsim.events``: the name of the events file beside it, when events were kept,
- ``escalsim.decisions``: the name of the decisions file beside it, when runs were traced.

Event logs go to a second file beside the first (``results.parquet`` →
``results.events.parquet``), because they are a table of another shape; decision traces to a
third (``results.decisions.parquet``). The metadata is written
when the file is closed, so it can hold what is known only at the end (run count, finish
time). Every file is written under a temporary name in the target folder and renamed into
place at the end; an error or an interrupt removes the temporary files and leaves nothing.
Temporary files are created new, never through a symbolic link planted at their name. A write
the system refuses (a full disk, a quota) is a ResultsError that names the file and says what
was kept. Existing files are never replaced unless ``force`` is given.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from escalsim.errors import ResultsError
from escalsim.results.provenance import FORMAT_VERSION, canonical_json

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.results.layout import Layout

KEY_FORMAT = "escalsim.format"
KEY_PROVENANCE = "escalsim.provenance"
KEY_SCENARIO = "escalsim.scenario"
KEY_EVENTS = "escalsim.events"
KEY_DECISIONS = "escalsim.decisions"
KEY_PART = "escalsim.part"
"""Set to ``events`` (``decisions``) in the metadata of an events (decisions) file."""


def events_path(path: str | os.PathLike[str]) -> Path:
    """The events file that goes with a runs file: ``x.parquet`` → ``x.events.parquet``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.events{p.suffix}")


def decisions_path(path: str | os.PathLike[str]) -> Path:
    """The decisions file that goes with a runs file: ``x.parquet`` → ``x.decisions.parquet``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.decisions{p.suffix}")


def check_target(path: str | os.PathLike[str], force: bool) -> Path:
    """The path as a Path, if it may be written: its folder exists and takes a new file (tried
    with an empty temporary file, so that a long run is not refused only at its end); no
    file there, unless force."""
    p = Path(path)
    if p.is_dir():
        raise ResultsError(f"{p}: is a folder, expected a file name")
    if not p.parent.is_dir():
        raise ResultsError(f"{p}: folder {p.parent} does not exist")
    if p.exists() and not force:
        raise ResultsError(f"{p}: file exists (pass force=True, or --force, to replace it)")
    probe = _temp_beside(p)
    try:
        create_new(probe).close()
    except OSError as exc:
        raise ResultsError(f"{p}: cannot write in {p.parent} ({exc.strerror or exc})") from None
    _unlink(probe)
    return p


OWN_FILE = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
"""Open flags for the files a run writes: never through a symbolic link, never passed on."""
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | OWN_FILE
_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def create_new(path: Path) -> BinaryIO:
    """Open a file that does not exist yet, for writing: never an existing file, never the
    target of a symbolic link planted at its name (which would make us write elsewhere)."""
    return os.fdopen(os.open(path, _NEW_FILE, 0o666), "wb")


@contextlib.contextmanager
def write_errors_named(path: Path, kept: str) -> Iterator[None]:
    """Report an OSError of the block as a ResultsError that names the file being written and
    says what was ``kept`` (a full disk, a quota, a file size limit, or another refusal)."""
    try:
        yield
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        if exc.errno in _FULL:
            reason += f" [{errno.errorcode[exc.errno]}]"
        raise ResultsError(f"{path}: cannot write it: {reason}; {kept}") from exc


def _temp_beside(path: Path) -> Path:
    """A fresh hidden name in the target's folder (created by the writer, so the file gets
    the usual permissions, not the owner-only ones of ``tempfile.mkstemp``); temporary files
    that killed writers left for the same target are removed first."""
    _remove_stale_temps(path)
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


def _remove_stale_temps(path: Path) -> None:
    """Remove ``.<name>.<pid>.<hex>.tmp`` files beside ``path`` whose writer is gone (only
    where a process can be probed without harm: ``os.kill(pid, 0)`` ends it on Windows)."""
    if os.name != "posix":
        return
    pattern = re.compile(re.escape(f".{path.name}.") + r"(\d+)\.[0-9a-f]{12}\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        if m and not _process_alive(int(m.group(1))):
            _unlink(path.parent / name)


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (POSIX; a process of another user counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _unlink(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it into place, else remove it."""
    target = check_target(path, force)
    tmp = _temp_beside(target)
    with write_errors_named(target, "no file was written"):
        create_new(tmp).close()  # the writer then opens a file of ours, not a planted link
    try:
        with write_errors_named(target, "no file was written"):
            yield tmp
            if target.exists() and not force:
                raise ResultsError(f"{target}: file appeared while writing; not replaced")
            os.replace(tmp, target)
    except BaseException:
        _unlink(tmp)
        raise


ROW_GROUP_ROWS = 16_384
"""Streamed chunks are gathered into row groups of at least this many rows (the last may be
shorter): the Parquet writer keeps 1-2 KB per row group and column until the file is closed,
so one row group per small chunk would make a long run's memory grow with its length."""


class _Part:
    """One Parquet file being written under a temporary name; a write the system refuses is a
    ResultsError that names the file and says what was ``kept``."""

    def __init__(self, target: Path, template: pd.DataFrame, kept: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.target = target
        self.kept = kept
        self.tmp: Path | None = None  # set once created: a file found there is not ours
        self.schema = pa.Schema.from_pandas(template, preserve_index=False).remove_metadata()
        # The Arrow schema is not stored, so that the metadata written at close is the
        # schema metadata readers see; dtypes are restored from the scenario on reading.
        # Dictionary encoding only for text: numbers are mostly distinct (draws, times), where
        # it saves nothing and its tables cost memory in proportion to the row group.
        is_text = (pa.types.is_string, pa.types.is_large_string, pa.types.is_dictionary)
        text = [f.name for f in self.schema if any(test(f.type) for test in is_text)]
        self.file: BinaryIO | None = None
        self.writer = None
        try:
            with write_errors_named(target, kept):
                tmp = _temp_beside(target)
                self.file = create_new(tmp)
                self.tmp = tmp
                self.writer = pq.ParquetWriter(
                    self.file, self.schema, store_schema=False, use_dictionary=text or False
                )
        except BaseException:
            self.abort()
            raise
        self.pending: list[pa.Table] = []  # chunks not yet written: less than a row group
        self.pending_rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        if len(frame):
            table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
            self.pending.append(table)
            self.pending_rows += len(table)
            if self.pending_rows >= ROW_GROUP_ROWS:
                self.flush()

    def flush(self) -> None:
        """Write the pending chunks as one row group."""
        import pyarrow as pa

        if self.pending:
            table = pa.concat_tables(self.pending)
            self.pending, self.pending_rows = [], 0
            with write_errors_named(self.target, self.kept):
                self.writer.write_table(table, row_group_size=len(table))

    def close(self, metadata: dict[str, str]) -> None:
        self.flush()
        with write_errors_named(self.target, self.kept):
            self.writer.add_key_value_metadata(metadata)
            self.writer.close()
            self.writer = None
            self.file.close()
            self.file = None

    def abort(self) -> None:
        self.pending = []
        for closable in (self.writer, self.file):
            if closable is not None:
                with contextlib.suppress(Exception):
                    closable.close()
        self.writer = self.file = None
        _unlink(self.tmp)


class ParquetStream:
    """Writes a runs table (and optionally an events and a decisions table) chunk by chunk,
    then commits.

    Use as a context manager, or call :meth:`commit` at the end and :meth:`abort` on failure.
    Written frames are gathered into row groups of at least :data:`ROW_GROUP_ROWS` rows.
    Nothing appears at ``path`` until :meth:`commit`. A write the system refuses is a
    ResultsError naming the file, then ``kept`` (what is left once the stream is aborted).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        layout: Layout,
        *,
        with_events: bool = False,
        with_decisions: bool = False,
        force: bool = False,
        kept: str = "no file was written",
    ) -> None:
        self.path = check_target(path, force)
        self.events_path = check_target(events_path(self.path), force) if with_events else None
        self.decisions_path = (
            check_target(decisions_path(self.path), force) if with_decisions else None
        )
        self.force = force
        self.kept = kept
        self._runs: _Part | None = None
        self._events: _Part | None = None
        self._decisions: _Part | None = None
        try:
            self._runs = _Part(self.path, layout.runs_frame([]), kept)
            if self.events_path is not None:
                self._events = _Part(self.events_path, layout.events_frame([]), kept)
            if self.decisions_path is not None:
                self._decisions = _Part(self.decisions_path, layout.decisions.empty(), kept)
        except BaseException:
            self.abort()
            raise
        self.rows = 0

    def write(
        self,
        runs: pd.DataFrame,
        events: pd.DataFrame | None = None,
        decisions: pd.DataFrame | None = None,
    ) -> None:
        if self._runs is None:
            raise ResultsError(f"{self.path}: stream already closed")
        self._runs.write(runs)
        if self._events is not None and events is not None:
            self._events.write(events)
        if self._decisions is not None and decisions is not None:
            self._decisions.write(decisions)
        self.rows += len(runs)

    def commit(self, provenance: dict[str, Any], scenario_text: str) -> Path:
        """Write the metadata, close the files and move them into place."""
        if self._runs is None:
            raise ResultsError(f"{self.path}: stream already closed")
        meta = {
            KEY_FORMAT: str(FORMAT_VERSION),
            KEY_PROVENANCE: canonical_json(provenance),
            KEY_SCENARIO: scenario_text,
        }
        try:
            parts = [self._runs]
            if self._decisions is not None and self.decisions_path is not None:
                meta[KEY_DECISIONS] = self.decisions_path.name
            if self._events is not None and self.events_path is not None:
                meta[KEY_EVENTS] = self.events_path.name
            for part, name in ((self._decisions, "decisions"), (self._events, "events")):
                if part is not None:
                    part.close({**meta, KEY_PART: name})
                    parts.insert(0, part)
            self._runs.close(meta)
            for part in parts:  # the other files first: the runs file is the commit
                if part.target.exists() and not self.force:
                    raise ResultsError(f"{part.target}: file appeared while writing; not replaced")
                with write_errors_named(part.target, self.kept):
                    os.replace(part.tmp, part.target)
        except BaseException:
            self.abort()
            raise
        self._runs = self._events = self._decisions = None
        return self.path

    def abort(self) -> None:
        """Remove the temporary files; nothing is left behind."""
        for part in (self._runs, self._events, self._decisions):
            if part is not None:
                part.abort()
        self._runs = self._events = self._decisions = None

    def __enter__(self) -> ParquetStream:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            self.abort()


_PARTS = {
    "events": "one row per event of its runs",
    "decisions": "one row per option of every decision of its runs",
}
"""The files that go with a runs file, and what their rows are."""


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The escalsim metadata of a results Parquet file; ResultsError if it is not one."""
    import pyarrow.parquet as pq

    p = Path(path)
    if not p.is_file():
        raise ResultsError(f"{p}: no such file")
    try:
        raw = pq.read_metadata(p).metadata or {}
    except Exception as exc:  # pyarrow raises several kinds for a damaged or foreign file
        raise ResultsError(f"{p}: not a readable Parquet file: {exc}") from exc
    meta = {k.decode("utf-8"): v.decode("utf-8") for k, v in raw.items()}
    part = meta.get(KEY_PART)
    if part in _PARTS:
        runs = p.name.removesuffix(f".{part}.parquet") + ".parquet"
        runs = runs if runs != p.name else "the runs file beside it"
        raise ResultsError(
            f"{p}: is the {part} file of a results file ({_PARTS[part]}); "
            f"give the runs file ({runs}), which names it"
        )
    if KEY_FORMAT not in meta or KEY_SCENARIO not in meta or KEY_PROVENANCE not in meta:
        raise ResultsError(f"{p}: not an escalsim results file (no escalsim metadata)")
    if meta[KEY_FORMAT] != str(FORMAT_VERSION):
        raise ResultsError(
            f"{p}: results file format {meta[KEY_FORMAT]} is not supported "
            f"(this version reads format {FORMAT_VERSION})"
        )
    try:
        meta[KEY_PROVENANCE] = json.loads(meta[KEY_PROVENANCE])
    except ValueError as exc:
        raise ResultsError(f"{p}: damaged provenance metadata: {exc}") from exc
    return meta


def read_table(path: str | os.PathLike[str], columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet file (or some of its columns) as a DataFrame, dtypes still to be restored."""
    import pyarrow.parquet as pq

    try:
        return pq.read_table(Path(path), columns=columns).to_pandas()
    except Exception as exc:
        raise ResultsError(f"{path}: cannot read the table: {exc}") from exc


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], force: bool = False) -> Path:
    """Write a table as CSV atomically (ISO dates, full float precision)."""
    with atomic_path(path, force) as tmp:
        frame.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f")
    return Path(path)


def read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise ResultsError(f"{p}: no such file")
    try:
        return pd.read_csv(p)
    except Exception as exc:
        raise ResultsError(f"{p}: cannot read CSV: {exc}") from exc
