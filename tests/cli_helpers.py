"""Calling the ``escalsim`` entry point in-process, as the CLI tests do."""

from __future__ import annotations

import re

import pytest

from escalsim.cli.main import main


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Call the entry point in-process; return (exit code, stdout, stderr), never a traceback."""
    with pytest.raises(SystemExit) as excinfo:
        main(args)
    out, err = capsys.readouterr()
    code = excinfo.value.code
    assert "Traceback" not in out + err
    return (0 if code is None else int(code)), out, err


def markdown_tables(text: str) -> list[list[list[str]]]:
    """The pipe tables of a Markdown text, each a list of rows of cells (the header first,
    the alignment row left out); asserts that each is a well-formed GitHub table."""
    tables = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("|"):
            continue
        assert all(line.startswith("| ") and line.endswith(" |") for line in lines), block
        rows = [[c.strip() for c in line[2:-2].split(" | ")] for line in lines]
        assert all(re.fullmatch(r":?-{3,}:?", c) for c in rows[1]), block
        assert all(len(r) == len(rows[0]) for r in rows), block
        tables.append([rows[0], *rows[2:]])
    return tables
