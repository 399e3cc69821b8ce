"""Tables that fit the terminal: columns wrap between words, never inside one.

A table whose columns cannot all hold their longest word at the terminal's width is shown
turned (its rows as columns) when that fits, else split into parts that each repeat the
columns that name a row. Rich alone would narrow the widest columns until words break
("negoti/ated_e/xit").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from escalsim.cli.formats import Shown


def _widths(cells: list[str]) -> tuple[int, int]:
    """The narrowest a column of ``cells`` may be (its longest word) and its natural width
    (its longest line)."""
    from rich.cells import cell_len

    words = [cell_len(w) for text in cells for w in text.split()] or [1]
    lines = [cell_len(line) for text in cells for line in text.splitlines()] or [1]
    return max(words), max(max(lines), 1)


def column_widths(
    columns: list[list[str]], width: int, keys: int = 1, whole: bool = False
) -> list[int] | None:
    """Content widths for ``columns`` (head and cells each) in a table ``width`` wide, every
    column at least its longest word (with ``whole``, a value column at least its longest
    cell: its head may wrap, its values not); None when that does not fit. Room beyond goes
    to the value columns first, then to the ``keys`` columns that name a row."""
    room = width - (len(columns) - 1) - 2 * len(columns)  # rules between, one space each side
    ranges = [_widths(cells) for cells in columns]
    out = [low for low, _ in ranges]
    if whole:
        for i in range(keys, len(columns)):
            out[i] = max(out[i], _widths(columns[i][1:])[1])
    spare = room - sum(out)
    if spare < 0:
        return None
    values = sorted(range(keys, len(ranges)), key=lambda i: ranges[i][1] - out[i])
    for i in [*values, *range(keys)]:
        grow = max(0, min(ranges[i][1] - out[i], spare))
        out[i] += grow
        spare -= grow
    return out


def _parts(shown: Shown, width: int) -> list[Shown]:
    """``shown`` as it is, turned, or split by columns, in the first of these that fits with
    whole values, else with whole words; as it is if nothing fits."""
    ways = [shown] + ([shown.turned()] if shown.turn is not None else [])
    for whole in (True, False):

        def fits(s: Shown, whole: bool = whole) -> bool:
            return column_widths(s.columns(), width, s.keys, whole) is not None

        for way in ways:
            if fits(way):
                return [way]
        splits = [parts for way in ways if (parts := way.split(fits)) is not None]
        if splits:
            return min(splits, key=len)
    return [shown]


def fitted(shown: Shown, width: int) -> list[tuple[str, Table]]:
    """Rich tables, each with its title, that show ``shown`` within ``width`` columns without
    breaking a word (on a terminal too narrow for even that, the columns fold)."""
    from rich import box
    from rich.table import Table

    from escalsim.cli.show import markup

    out = []
    for part in _parts(shown, width):
        widths = column_widths(part.columns(), width, part.keys, True) or column_widths(
            part.columns(), width, part.keys
        )
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        for i, head in enumerate(part.heads):
            table.add_column(
                markup(head),
                justify="left" if i < part.keys else "right",
                width=None if widths is None else widths[i],
                overflow="fold",
            )
        for row in part.rows:
            table.add_row(*(markup(c) for c in row))
        out.append((part.title, table))
    return out


def print_tables(console: Console, tables: list[Shown]) -> None:
    """Print each table fitted to the console's width, with its note."""
    from escalsim.cli.show import markup

    for shown in tables:
        for title, table in fitted(shown, console.width):
            console.print(f"[bold]{markup(title)}[/bold]")  # wrapped between words
            console.print(table)
            console.print()
        if shown.note:
            console.print(f"note: {markup(shown.note)}")  # wrapped between words
