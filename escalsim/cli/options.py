"""Options shared by several commands, declared once and parsed the same way.

A command takes ``set_: SetOption = None`` and calls ``parse_overrides(set_)``. Options that
travel together are a group: a command decorated with :func:`grouped` takes
``scope: Scope = SCOPE`` for ``--set`` and ``--outcome`` (then ``scope.scenario(file)`` is the
scenario and ``scope.outcomes`` what to report), ``how: RunOptions = RUN`` for ``--workers``,
``--executor``, ``--scheduler`` and ``--quiet`` (then ``how.settings()`` is its
:class:`~escalsim.RunSettings`; ``SeededRun`` adds ``--seed``), or ``files: Outputs = FILES`` for
``--out``, ``--plot``, ``--dpi``, ``--force`` and ``--format`` (then ``files.check()`` before the
runs and ``files.write(...)`` after them).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli import limits
from escalsim.cli.formats import Format, FormatOption
from escalsim.cli.show import plain

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.ensemble.settings import RunSettings

SET_HELP = (
    "Override one scenario value: a dotted path and a YAML value, e.g. "
    "--set actors.us.rationality=0.8 or --set 'actors.us.credibility={beta: [6, 3]}'. "
    "Repeatable."
)

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="PATH=VALUE", help=SET_HELP, show_default=False),
]
"""The repeatable ``--set path=value`` option."""


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """Turn ``["path=value", ...]`` into ``{path: value}``; a malformed item is a usage error."""
    import yaml  # here, not at the top, so that ``escalsim --help`` does not load it

    out: dict[str, Any] = {}
    for item in items or []:
        path, eq, text = item.partition("=")
        path = path.strip()
        if not eq or not path:
            raise typer.BadParameter(f"expected PATH=VALUE, got {item!r}", param_hint="'--set'")
        try:
            if any(isinstance(t, (yaml.AnchorToken, yaml.AliasToken)) for t in yaml.scan(text)):
                raise typer.BadParameter(
                    f"anchors and aliases are not allowed in a value, got {text!r}",
                    param_hint="'--set'",
                )
            out[path] = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise typer.BadParameter(
                f"cannot read the value of {path!r} as YAML ({problem}): {text!r}",
                param_hint="'--set'",
            ) from None
    return out


def listed(flag: str, metavar: str, help: str) -> Any:
    """A repeatable option (its values a list, none by default), named by ``metavar``."""
    return typer.Option(flag, metavar=metavar, help=help, show_default=False)


def run_count(help: str) -> Any:
    """The ``--runs``/``-n`` option of a command, at least 1; ``help`` says of what."""
    return typer.Option("--runs", "-n", min=1, help=help)


# --- what to ask: the scenario as changed, the outcomes to report ------------------------------
Outcome = Annotated[
    list[str] | None,
    listed(
        "--outcome",
        "NAME",
        "Report this outcome; a+b+c for the union of several. Repeatable (default: every outcome).",
    ),
]


@dataclasses.dataclass(frozen=True)
class Scope:
    """What an analysis of a scenario file asks: the scenario changed by ``--set``, and the
    outcomes (or unions) to report, every one by default."""

    set_: SetOption = None
    outcome: Outcome = None

    def overrides(self) -> dict[str, Any]:
        """The ``--set`` values by path (see :func:`parse_overrides`)."""
        return parse_overrides(self.set_)

    def scenario(self, file: Path) -> Any:
        """The scenario of ``file``, changed by ``--set``."""
        from escalsim.scenario import load_scenario

        return load_scenario(file, self.overrides() or None)

    @property
    def outcomes(self) -> list[str] | None:
        """The ``--outcome`` values, or None for every outcome."""
        return list(self.outcome) if self.outcome else None


SCOPE = Scope()

# --- how to run: the options every simulating command takes ------------------------------------
Seed = Annotated[int, typer.Option("--seed", "-s", min=0, help="Root seed.")]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers", "-w", min=1, help="Worker processes (default: the cores this process may use)."
    ),
]
ExecutorName = Annotated[str, typer.Option("--executor", help="processes, serial or dask.")]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address (implies --executor dask)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]

# --- how to draw: the option every command that writes a figure takes --------------------------
DPI = 150
"""Default resolution of a .png figure: ``escalsim.plot.files.DPI``, spelled again here so that
``escalsim --help`` does not import matplotlib (a test checks that the two agree)."""
Dpi = Annotated[
    int, typer.Option("--dpi", min=30, max=600, help="Resolution of .png figures (dots per inch).")
]


def run_settings(
    executor: str,
    workers: int | None,
    scheduler: str | None,
    quiet: bool,
    **more: Any,
) -> RunSettings:
    """The RunSettings of the run options (``more``: other fields, e.g. ``keep_events``);
    ``--scheduler`` implies ``--executor dask``. A bad combination is a usage error that names
    its option."""
    from escalsim.ensemble.settings import RunSettings, SettingsError

    if scheduler is not None:
        executor = "dask"
    limits.check_workers(workers, executor, scheduler)
    try:
        return RunSettings(
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=False if quiet else None,
            **more,
        )
    except SettingsError as exc:
        flag = exc.field.replace("_", "-")
        raise typer.BadParameter(str(exc), param_hint=f"'--{flag}'") from None


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """How to run: the options of every command that simulates (but ``run``'s own)."""

    workers: Workers = None
    executor: ExecutorName = "processes"
    scheduler: Scheduler = None
    quiet: Quiet = False

    def settings(self, **more: Any) -> RunSettings:
        """Their RunSettings (``more``: other fields); see :func:`run_settings`."""
        return run_settings(self.executor, self.workers, self.scheduler, self.quiet, **more)


RUN = RunOptions()


@dataclasses.dataclass(frozen=True)
class SeededRun(RunOptions):
    """How to run, and from which root seed."""

    seed: Seed = 0


SEEDED = SeededRun()

# --- what to write: a table, a figure ----------------------------------------------------------
OutCsv = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write the table to this CSV file.")
]
PlotFile = Annotated[
    Path | None, typer.Option("--plot", help="Write the figure to this file (.png, .svg, .pdf).")
]
Force = Annotated[bool, typer.Option("--force", help="Replace --out and --plot if they exist.")]
ForceOut = Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")]
"""``--force`` of a command that writes one file, its ``--out``."""


@dataclasses.dataclass(frozen=True)
class Outputs:
    """What a command that makes a table and a figure prints and writes: the format of its
    tables on stdout, the table as CSV and the figure."""

    out: OutCsv = None
    plot: PlotFile = None
    dpi: Dpi = DPI
    force: Force = False
    format: FormatOption = Format.table

    @property
    def aside(self) -> bool:
        """Whether notes go to stderr: with a format but ``table``, stdout holds only tables."""
        return self.format is not Format.table

    def check(self) -> None:
        """Refuse a bad --out or --plot before any run is made."""
        from escalsim.errors import EscalsimError
        from escalsim.results.io import check_target

        out, plot = self.out, self.plot
        if out is not None:
            if out.suffix.lower() != ".csv":
                raise typer.BadParameter(f"expected a .csv file, got {out}", param_hint="'--out'")
            check_target(out, self.force)
        if plot is not None:
            from escalsim.plot.files import figure_format

            try:
                figure_format(plot)
            except EscalsimError as exc:
                raise typer.BadParameter(str(exc), param_hint="'--plot'") from None
            check_target(plot, self.force)
        if out is not None and plot is not None and out.resolve() == plot.resolve():
            raise typer.BadParameter("--out and --plot name the same file", param_hint="'--plot'")

    def write(self, table: pd.DataFrame, figure: Callable[[], Any]) -> None:
        """Write the table to --out and ``figure()`` to --plot, saying so (on stderr when
        stdout holds only the tables)."""
        aside = self.aside
        if self.out is not None:
            from escalsim.results.io import write_csv

            path = write_csv(table, self.out, self.force)
            typer.echo(f"table written to {plain(path)}", err=aside)
        if self.plot is not None:
            from escalsim.plot import save_figure

            path = save_figure(figure(), self.plot, force=self.force, dpi=self.dpi)
            typer.echo(f"figure written to {plain(path)}", err=aside)


FILES = Outputs()


# --- one run: what explain and narrate tell ------------------------------------------------------
RunSource = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        help="Scenario file (YAML), or a results file (.parquet) of 'escalsim run' whose row "
        "--run to take.",
    ),
]
ReplaySeed = Annotated[
    int | None,
    typer.Option(
        "--seed", "-s", min=0, help="Root seed of the ensemble, as given to 'run' (default 0)."
    ),
]
RunIndex = Annotated[int, typer.Option("--run", "-r", min=0, help="Which run of the ensemble.")]


@dataclasses.dataclass(frozen=True)
class OneRun:
    """Which run of an ensemble: run K of 'escalsim run FILE --seed S' (FILE a scenario,
    changed by --set), or row K of a results file."""

    seed: ReplaySeed = None
    run: RunIndex = 0
    set_: SetOption = None

    def source(self, file: Path, verb: str) -> tuple[Any, int | None]:
        """The results file (read lazily) and None, or the scenario and the root seed; a
        results file with --seed or --set, or with no runs, is refused (``verb``: what the
        command does with a run, for the message)."""
        from escalsim.errors import EscalsimError

        overrides = parse_overrides(self.set_)
        if file.suffix.lower() != ".parquet":
            from escalsim.scenario import load_scenario

            return load_scenario(file, overrides or None), self.seed or 0
        if self.seed is not None:
            raise typer.BadParameter(
                "a results file fixes each run's seed; choose the run with --run",
                param_hint="'--seed'",
            )
        if overrides:
            raise typer.BadParameter(
                "a results file fixes its scenario; --set applies to scenario files",
                param_hint="'--set'",
            )
        from escalsim.results import Results

        results = Results.from_parquet(file, lazy=True)
        if len(results) == 0:
            raise EscalsimError(f"{file}: holds no runs (0 rows), so there is no run to {verb}")
        return results, None


ONE_RUN = OneRun()

GROUPS = (Scope, RunOptions, SeededRun, Outputs, OneRun)


def grouped(command: Callable[..., None]) -> Callable[..., None]:
    """Let ``command`` take a group of options (RunOptions, Outputs) as one parameter: on the
    command line the group's fields are its options; the command receives the group."""
    sig = inspect.signature(command, eval_str=True)
    params, groups = [], {}
    for p in sig.parameters.values():
        if p.annotation not in GROUPS:
            params.append(p)
            continue
        hints = typing.get_type_hints(p.annotation, include_extras=True)
        fields = [f.name for f in dataclasses.fields(p.annotation)]
        groups[p.name] = (p.annotation, fields)
        defaults = dataclasses.asdict(p.default)
        params += [p.replace(name=f, annotation=hints[f], default=defaults[f]) for f in fields]

    @functools.wraps(command)
    def with_groups(**kwargs: Any) -> None:
        for name, (group, fields) in groups.items():
            kwargs[name] = group(**{f: kwargs.pop(f) for f in fields})
        command(**kwargs)

    with_groups.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    with_groups.__annotations__ = {p.name: p.annotation for p in params}
    return with_groups
