"""Options shared by several commands, parsed once, the same way.

A command takes ``set_: SetOption = None`` and calls ``parse_overrides(set_)``; it takes the
run options (``--seed``, ``--workers``, ``--executor``, ``--scheduler``, ``--quiet``) with the
types below and turns them into one :class:`~escalsim.RunSettings` with :func:`run_settings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from escalsim.cli import limits

if TYPE_CHECKING:
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


# --- how to run: the options every simulating command takes ------------------------------------
Seed = Annotated[int, typer.Option("--seed", "-s", min=0, help="Root seed.")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Worker processes (default: all cores)."),
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
