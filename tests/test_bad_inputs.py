"""The catalogue of bad inputs, end to end: each file in ``tests/bad_inputs/`` is one case.

A case file starts with comment lines that say what it is and what must happen::

    # A misspelt actor key.
    # expect: exit 1; "unknown key 'rationalty'"; "did you mean 'rationality'"; line 10
    # args: run {file} --runs 5 --executor serial -q      (optional)

``expect`` gives the exit status, text the message must contain (whitespace-insensitive),
and optionally the line of the case file the message must point at (``<file>:<line>:``).
``args`` is the command line; it defaults to running the case file as a scenario with
``--out``. Placeholders: ``{file}`` (the case file), ``{dyad}`` (tests/data/dyad.yaml),
``{tmp}`` (an empty working folder) and ``{out}`` (a Parquet path inside it). An optional
``setup: symlink LINK TARGET`` plants a symbolic link in the working folder first (a hostile
file); it is all the folder may hold afterwards. ``.yaml`` files are scenarios; ``.args``
files describe a command line only. Adding a case is adding a file.

Every case runs the real command from an empty folder and must exit with the stated status,
print no traceback, name the problem, and leave no file behind. The catalogue calls the entry
point in-process (``in_process``: the same ``main`` as ``python -m escalsim.cli.main``,
without an interpreter start-up per case); the other tests here run it in a subprocess.
A case still running at the hang guard has hung.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import run_main
from time_limits import HANG_GUARD

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "bad_inputs"
DYAD = ROOT / "tests" / "data" / "dyad.yaml"
DEFAULT_ARGS = "run {file} --runs 5 --executor serial -q --out {out}"
BOX = re.compile(r"[│╭╮╰╯─]+")


@dataclass(frozen=True)
class Case:
    """One catalogue entry, read from the comment lines at the top of its file."""

    path: Path
    what: str
    code: int
    fragments: tuple[str, ...]
    line: int | None
    args: str
    setup: str = ""

    @property
    def id(self) -> str:
        return self.path.stem


def read_case(path: Path) -> Case:
    """Parse a case file's header; a malformed header fails loudly (it is a test bug)."""
    head = []
    for raw in path.read_bytes().splitlines():
        if not raw.startswith(b"#"):
            break
        head.append(raw[1:].decode("utf-8").strip())
    fields = dict(h.split(":", 1) for h in head[1:] if ":" in h)
    if not head or "expect" not in fields:
        raise ValueError(f"{path.name}: the first comment lines need a description and 'expect:'")
    code = line = None
    fragments = []
    for part in re.findall(r'"(?:[^"\\]|\\.)*"|[^;]+', fields["expect"]):
        part = part.strip()
        if part.startswith('"'):
            fragments.append(part[1:-1].replace('\\"', '"'))
        elif part.startswith("exit "):
            code = int(part[5:])
        elif part.startswith("line "):
            line = int(part[5:])
        elif part:
            raise ValueError(f"{path.name}: cannot read {part!r} in 'expect:'")
    if code is None or not fragments:
        raise ValueError(f"{path.name}: 'expect:' needs an exit status and a message")
    args = fields.get("args", "").strip()
    if not args and path.suffix == ".args":
        raise ValueError(f"{path.name}: an .args case needs 'args:'")
    setup = fields.get("setup", "").strip()
    if setup and not re.fullmatch(r"symlink \S+ \S+", setup):
        raise ValueError(f"{path.name}: 'setup:' takes 'symlink LINK TARGET'")
    return Case(path, head[0], code, tuple(fragments), line, args or DEFAULT_ARGS, setup)


ALL_CASES = sorted(
    (read_case(p) for p in CASES.iterdir() if p.suffix in (".yaml", ".args")),
    key=lambda c: c.id,
)


Call = Callable[[list[str], Path, dict[str, str]], tuple[int, bytes, bytes]]
"""Runs a command line in a folder with an environment: exit status, stdout, stderr."""


@dataclass(frozen=True)
class Outcome:
    """What the command did: status (None on a hang), output, files left behind."""

    returncode: int | None
    stdout: str
    stderr: str
    left: tuple[str, ...]


def run_case(case: Case, tmp: Path, call: Call | None = None) -> Outcome:
    """Run one case's command in the empty folder ``tmp``: in a subprocess, or through ``call``
    (see ``in_process``)."""
    tmp.mkdir(parents=True, exist_ok=True)
    values = {
        "file": str(case.path),
        "dyad": str(DYAD),
        "tmp": str(tmp),
        "out": str(tmp / "o.parquet"),
    }
    argv = shlex.split(case.args)
    for key, value in values.items():
        argv = [a.replace("{" + key + "}", value) for a in argv]
    planted = ()
    if case.setup:
        _, link, target = case.setup.split()
        (tmp / link).symlink_to(tmp / target)
        planted = (link,)
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    if call is not None:
        code, out, err = call(argv, tmp, env)
    else:
        try:
            res = subprocess.run(
                [sys.executable, "-m", "escalsim.cli.main", *argv],
                capture_output=True,
                cwd=tmp,
                env=env,
                timeout=HANG_GUARD,
            )
            code, out, err = res.returncode, res.stdout, res.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = None, exc.stdout or b"", exc.stderr or b""
    left = tuple(sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")))
    left = tuple(name for name in left if name not in planted)
    decode = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return Outcome(code, decode(out), decode(err), left)


def in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Call:
    """A ``call`` for run_case that runs the entry point in this process: the same ``main`` as
    ``python -m escalsim.cli.main`` without an interpreter start-up per case; an exception
    escaping it fails the test, as a traceback would."""

    def call(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes, bytes]:
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("COLUMNS", env["COLUMNS"])
        code, out, err = run_main(argv, capsys)
        return code, out.encode(), err.encode()

    return call


def flat(text: str) -> str:
    """Output without the box drawing of usage errors, whitespace collapsed."""
    return " ".join(BOX.sub(" ", text).split())


def test_the_catalogue_is_large_and_well_formed():
    scenarios = [c for c in ALL_CASES if c.path.suffix == ".yaml"]
    assert len(ALL_CASES) >= 40
    assert len(scenarios) >= 40
    assert {c.code for c in ALL_CASES} == {1, 2}


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_bad_input(case: Case, tmp_path: Path, monkeypatch, capsys):
    got = run_case(case, tmp_path / "work", in_process(monkeypatch, capsys))
    shown = f"{case.path.name} ({case.what})\nstdout:\n{got.stdout}\nstderr:\n{got.stderr}"
    assert got.returncode is not None, f"hung for {HANG_GUARD:g} s: {shown}"
    assert got.returncode == case.code, shown
    assert "Traceback" not in got.stdout + got.stderr, shown
    assert got.stderr.strip(), f"no message on stderr: {shown}"
    message = flat(got.stderr)
    for fragment in case.fragments:
        assert flat(fragment) in message, f"missing {fragment!r}: {shown}"
    if case.line is not None:
        assert f"{case.path.name}:{case.line}:" in message, f"no line {case.line}: {shown}"
    assert got.left == (), f"left behind {got.left}: {shown}"


def test_ten_thousand_actors_fail_at_the_cap(tmp_path):
    """The schema caps actors at 1000: ten thousand is refused at line 6, in a short message."""
    rows = "".join(f"  a{i}: {{rationality: 1.0}}\n" for i in range(10_000))
    text = (
        "schema_version: 1\nname: crowd\nstart: 2025-12-01\nhorizon: 30\nactors:\n"
        + rows
        + "outcomes:\n  stalemate: {trigger: {event: horizon}}\n"
    )
    path = tmp_path / "crowd.yaml"
    path.write_text(text, encoding="utf-8")
    case = Case(path, "ten thousand actors", 1, ("at most 1000",), 6, DEFAULT_ARGS)
    got = run_case(case, tmp_path / "work")
    assert got.returncode == 1, got.stderr
    assert "Traceback" not in got.stderr
    assert "actors: expected at most 1000 items" in got.stderr
    assert "crowd.yaml:6:3" in got.stderr
    assert len(got.stderr) < 1000, "the message should not list ten thousand actors"
    assert got.left == ()


def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text(DYAD.read_text(encoding="utf-8"), encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        for args in ("validate {file}", DEFAULT_ARGS):
            case = Case(path, "unreadable", 1, ("permission denied",), None, args)
            got = run_case(case, tmp_path / "work")
            assert got.returncode == 1, got.stderr
            assert "Traceback" not in got.stderr
            assert "permission denied" in got.stderr and "secret.yaml" in got.stderr
            assert got.left == ()
    finally:
        path.chmod(0o600)


def test_validate_reports_every_bad_file_and_the_good_one(tmp_path):
    """Several files at once: each bad one is reported with its own location, exit 1."""
    bad = [CASES / "unknown_key_rationality.yaml", CASES / "history_after_start.yaml"]
    case = Case(bad[0], "several", 1, ("x",), None, f"validate {{dyad}} {bad[0]} {bad[1]}")
    got = run_case(case, tmp_path)
    assert got.returncode == 1
    assert "Traceback" not in got.stderr
    assert f"{DYAD}: ok" in got.stdout
    for path in bad:
        assert read_case(path).fragments[0] in flat(got.stderr)
        assert f"{path.name}:{read_case(path).line}:" in got.stderr
