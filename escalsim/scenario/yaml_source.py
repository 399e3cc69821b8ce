"""Safe YAML reading that remembers where every key and value came from.

Only the core YAML tags are accepted (no object construction), duplicate keys and tabs in
indentation are refused, and alias expansion is bounded so that an alias bomb is an error
rather than an out-of-memory.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from escalsim.errors import Problem, ScenarioError

MAX_NODES = 200_000
"""Most values (scalars, lists, mappings; aliases expanded) a scenario file may hold."""
MAX_DEPTH = 60
"""Deepest nesting of lists and mappings."""
MAX_BYTES = 20_000_000
"""Largest scenario file, in bytes."""

_SAFE_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge")
}

Path_ = tuple[Any, ...]


@dataclass
class Located:
    """A loaded mapping and the location of each path in it: (file, line, column), 1-based."""

    data: Any
    marks: dict[Path_, tuple[str, int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[str, int, int]] = field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> tuple[str, int, int] | None:
        """The location of a path, or of its nearest ancestor that has one."""
        table = self.key_marks if key else self.marks
        p = tuple(path)
        while True:
            if p in table:
                return table[p]
            if key and p in self.marks:
                return self.marks[p]
            if not p:
                return None
            p = p[:-1]


def read_text(path: str | Path) -> str:
    """Read a scenario file as UTF-8, turning every I/O failure into a ScenarioError.

    Only a regular file is read, and at most :data:`MAX_BYTES` + 1 bytes of it, so that a
    device (``/dev/zero``), a named pipe or a file still growing cannot make the read endless.
    """
    name = str(path)
    try:
        raw = _read_bounded(Path(path), name)
    except FileNotFoundError:
        raise ScenarioError(Problem("", "file not found", file=name)) from None
    except PermissionError:
        raise ScenarioError(
            Problem("", "permission denied: cannot read the file", file=name)
        ) from None
    except OSError as exc:
        raise ScenarioError(
            Problem("", f"cannot read the file: {exc.strerror or exc}", file=name)
        ) from None
    except ValueError:  # a name no file system accepts, such as one with a NUL character
        raise ScenarioError(Problem("", "not a valid file name", file=repr(name))) from None
    if len(raw) > MAX_BYTES:
        raise _too_large(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError(
            Problem("", f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x})", name, line, col)
        ) from None


def _too_large(name: str) -> ScenarioError:
    limit = f"{MAX_BYTES:,} bytes" if MAX_BYTES < 1_000_000 else f"{MAX_BYTES // 1_000_000} MB"
    return ScenarioError(Problem("", f"the file is larger than {limit}, the size limit", file=name))


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_a_file(mode: int, name: str) -> ScenarioError | None:
    """The error for anything but a regular file (its kind named), else None."""
    if stat.S_ISREG(mode):
        return None
    kind = next((k for test, k in _KINDS if test(mode)), "a special file")
    return ScenarioError(Problem("", f"is {kind}, not a scenario file", file=name))


def _read_bounded(path: Path, name: str) -> bytes:
    """The bytes of a regular file, at most MAX_BYTES + 1 of them; ScenarioError otherwise.

    The type is checked before opening (opening a device can do things) and again on the
    open file (the name may have changed in between); the open does not wait for a writer.
    """
    error = _not_a_file(os.stat(path).st_mode, name)
    if error is not None:
        raise error
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        error = _not_a_file(info.st_mode, name)
        if error is not None:
            raise error
        if info.st_size > MAX_BYTES:
            raise _too_large(name)
        return f.read(MAX_BYTES + 1)


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document into plain Python data with locations."""
    if text.startswith("\ufeff"):
        text = text[1:]
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            col = len(line) - len(stripped) + 1
            raise ScenarioError(
                Problem("", "tab character in indentation (YAML needs spaces)", file, lineno, col)
            )
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ScenarioError(
            Problem("", "the file is empty (expected a scenario mapping)", file, 1, 1)
        )
    try:
        node = _Replay(_check_depth(text, file)).get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ScenarioError(Problem("", f"invalid YAML: {msg}", file, line, col)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(Problem("", f"invalid YAML: {exc}", file)) from None
    except RecursionError:
        raise ScenarioError(Problem("", "YAML nested too deeply", file)) from None
    if node is None:
        raise ScenarioError(
            Problem("", "the file is empty (expected a scenario mapping)", file, 1, 1)
        )
    located = Located(None)
    builder = _Builder(file, located)
    located.data = builder.build(node, (), 0)
    if not isinstance(located.data, dict):
        raise ScenarioError(
            Problem(
                "",
                f"expected a mapping at the top level, got {type(located.data).__name__}",
                file,
                1,
                1,
            )
        )
    return located


def _check_depth(text: str, file: str) -> list[yaml.Event]:
    """Parse to events, refusing deep nesting before composing (which recurses per level)."""
    events: list[yaml.Event] = []
    frames: list[list[Any]] = []  # open collections: [is_mapping, expecting_key, key or index]
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        events.append(event)
        if isinstance(event, yaml.CollectionEndEvent):
            frames.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        if frames:
            top = frames[-1]
            if top[0] and top[1]:
                top[2] = event.value if isinstance(event, yaml.ScalarEvent) else "?"
            elif not top[0]:
                top[2] += 1
            top[1] = not top[1]
        if isinstance(event, yaml.CollectionStartEvent):
            if len(frames) > MAX_DEPTH:
                mark = event.start_mark
                dotted = ".".join(str(f[2]) for f in frames)
                raise ScenarioError(
                    Problem(
                        dotted,
                        f"nested more than {MAX_DEPTH} levels deep",
                        file,
                        mark.line + 1,
                        mark.column + 1,
                    )
                )
            frames.append([isinstance(event, yaml.MappingStartEvent), True, -1])
    return events


class _Replay(yaml.composer.Composer, yaml.resolver.Resolver):
    """Composes nodes from events already parsed, so that the text is parsed only once."""

    def __init__(self, events: list[Any]):
        self._events = events
        self._next = 0
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices: type) -> bool:
        if self._next >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._next], choices)

    def peek_event(self) -> yaml.Event:
        return self._events[self._next]

    def get_event(self) -> yaml.Event:
        event = self._events[self._next]
        self._events[self._next] = None  # composed nodes replace the events as they go
        self._next += 1
        return event


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars, recording marks."""

    def __init__(self, file: str, located: Located):
        self.file = file
        self.located = located
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def _mark(self, node: yaml.Node) -> tuple[str, int, int]:
        return (self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, node: yaml.Node, message: str, path: Path_ = ()) -> ScenarioError:
        _, line, col = self._mark(node)
        dotted = ".".join(str(p) for p in path)
        return ScenarioError(Problem(dotted, message, self.file, line, col))

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        """Construct a scalar; a value its tag cannot hold (2025-13-01) is a located error."""
        try:
            return self.constructor.construct_object(node)
        except (ValueError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            kind = {"timestamp": "date", "int": "integer", "float": "number"}.get(kind, kind)
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            reason = str(exc).split(";")[0][:100]
            raise self._fail(node, f"invalid {kind} '{shown}': {reason}", path) from None

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(
                node,
                f"more than {MAX_NODES:,} values (each value an alias repeats counts again): "
                "the size limit of a scenario",
                path,
            )
        if depth > MAX_DEPTH:
            raise self._fail(node, f"nested more than {MAX_DEPTH} levels deep", path)
        if node.tag not in _SAFE_TAGS:
            raise self._fail(node, f"YAML tag '{node.tag}' is not allowed (only plain data)", path)
        self.located.marks[path] = self._mark(node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            try:
                self.constructor.flatten_mapping(node)
            except yaml.MarkedYAMLError as exc:
                raise self._fail(node, f"invalid merge: {exc.problem}", path) from None
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._fail(key_node, "mapping keys must be plain scalars", path)
                if key_node.tag not in _SAFE_TAGS:
                    raise self._fail(key_node, f"YAML tag '{key_node.tag}' is not allowed", path)
                key = self._scalar(key_node, path)
                if isinstance(key, (list, dict)):
                    raise self._fail(key_node, "mapping keys must be plain scalars", path)
                if key in out:
                    first = self.located.key_marks.get((*path, key))
                    where = f" (first at line {first[1]})" if first else ""
                    raise self._fail(key_node, f"duplicate key '{key}'{where}", (*path, key))
                self.located.key_marks[(*path, key)] = self._mark(key_node)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        raise self._fail(node, "unsupported YAML node", path)  # pragma: no cover
