"""The docs' tables are what the commands they cite print: each table of docs/venezuela_2025.md
whose preceding paragraph cites an ``escalsim`` command is made again by that command, at a
small run count and with ``--format markdown``, and must have its columns, its row names and
the form of every cell (not the numbers, which need the docs' run counts)."""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import pytest
from cli_helpers import markdown_tables, run_main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "venezuela_2025.md"
RUNS = "150"


def cited_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """Each table of ``text`` that follows a paragraph citing an ``escalsim`` command, with
    that command (its last citation in the paragraph)."""
    blocks = text.split("\n\n")
    out = []
    for before, block in itertools.pairwise(blocks):
        commands = re.findall(r"`(escalsim [^`]+)`", before.replace("\n", " "))
        if commands and block.startswith("| "):
            [table] = markdown_tables(block)
            out.append((commands[-1], table))
    return out


def small(command: str, tmp: Path) -> list[str]:
    """The command's arguments at a small run count, serial, quiet, as Markdown."""
    args = shlex.split(command)[1:]
    if "--runs" in args:
        args[args.index("--runs") + 1] = RUNS
    if "--out" in args:
        at = args.index("--out")
        args[at + 1] = str(tmp / Path(args[at + 1]).name)
    args = [str(ROOT / a) if a.startswith("scenarios/") else a for a in args]
    return [*args, "--executor", "serial", "-q", "--format", "markdown"]


def shape(cell: str) -> str:
    """A cell's form: every number (with its thousands commas and decimals) as 9."""
    return re.sub(r"\d[\d,]*(\.\d+)?", "9", cell)


DOC_TABLES = cited_tables(DOC.read_text(encoding="utf-8"))


def test_the_docs_cite_their_tables_commands():
    commands = [c for c, _ in DOC_TABLES]
    assert any(c.startswith("escalsim run ") and "--trace" not in c for c in commands)
    assert any("--trace" in c for c in commands)


@pytest.mark.parametrize(("command", "shown"), DOC_TABLES, ids=[c for c, _ in DOC_TABLES])
def test_a_docs_table_is_what_its_command_prints(command, shown, tmp_path, capsys):
    code, out, err = run_main(small(command, tmp_path), capsys)
    assert code == 0, err
    made = {tuple(t[0]): t for t in markdown_tables(out)}
    assert tuple(shown[0]) in made, f"{command} prints no table with columns {shown[0]}"
    again = made[tuple(shown[0])]
    names = {row[0] for row in shown[1:]}
    assert {row[0] for row in again[1:]} <= names  # a small run may leave out a rare row
    for i, head in enumerate(shown[0][1:], 1):
        forms = {shape(row[i]) for row in again[1:]} | {"–"}
        assert {shape(row[i]) for row in shown[1:]} <= forms, head
