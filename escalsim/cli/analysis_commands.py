"""``escalsim compare``, ``escalsim sweep`` and ``escalsim sensitivity``: what if, and why."""

from __future__ import annotations

import math
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from escalsim.cli import limits
from escalsim.cli import options as opt
from escalsim.cli.analysis_reports import compare_report, sensitivity_report, sweep_report
from escalsim.cli.formats import emit
from escalsim.errors import EscalsimError

Runs = Annotated[int, opt.run_count("Runs per scenario or point.")]


def _check_request(
    runs: int,
    bytes_per_run: float,
    scenario: Any,
    seed: int,
    settings: Any,
    *,
    what: str,
    advice: str,
    option: str = "'--runs'",
) -> None:
    """Refuse work beyond the limits of one command; estimate the time of a long one."""
    limits.check_runs(runs, option=option, advice=advice, what=what)
    limits.check_memory(runs, bytes_per_run, option=option, advice=advice, what=what)
    if runs >= limits.ESTIMATE_FROM:
        timing = limits.time_runs(scenario, seed)
        limits.print_estimate(timing, runs, settings.executor, settings.workers)


def _table_bytes(scenario: Any) -> int:
    """Bytes a run of ``scenario`` keeps in an ensemble held in memory."""
    from escalsim.results.layout import Layout

    return limits.CELL_BYTES * len(Layout.of(scenario).columns)


CODE_BYTES = 9
"""Bytes a run keeps in a sweep or sensitivity analysis: its outcome code and a mask."""


def _call(fn: Any, *args: Any, where: Path | None = None, **kwargs: Any) -> Any:
    """Run an analysis; bad arguments become user errors (named by the file ``where`` they
    come from, if given), Ctrl-C a short message."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        raise EscalsimError(str(exc) if where is None else f"{where}: {exc}") from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was written", err=True)
        raise typer.Exit(130) from None


# --- compare --------------------------------------------------------------------------------
@opt.grouped
def compare(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="Base scenario file (YAML).")],
    variant: Annotated[
        Path | None,
        typer.Argument(
            metavar="[VARIANT]",
            help="Variant scenario file; default: BASE changed by --set.",
            show_default=False,
        ),
    ] = None,
    runs: Runs = 2000,
    scope: opt.Scope = opt.SCOPE,
    how: opt.SeededRun = opt.SEEDED,
    files: opt.Outputs = opt.FILES,
) -> None:
    """Run two scenarios on common random numbers; print each outcome's paired difference.

    Run i of BASE and run i of VARIANT use the same seed, so they stay in step wherever the
    scenarios agree, and the difference has a far narrower interval than two independent
    ensembles would give. --set changes the variant (or, without VARIANT, a copy of BASE).
    """
    from escalsim.analysis import compare as run_compare
    from escalsim.scenario import load_scenario

    overrides = scope.overrides()
    if variant is None and not overrides:
        raise typer.BadParameter(
            "give a VARIANT scenario file, or --set to change a copy of BASE",
            param_hint="'VARIANT'",
        )
    settings, seed = how.settings(), how.seed
    files.check()
    base_sc = load_scenario(base)
    if variant is None:
        try:
            variant_sc = base_sc.with_values(overrides)
        except EscalsimError as exc:
            raise EscalsimError(f"--set: {exc}") from None
    else:
        variant_sc = load_scenario(variant, overrides or None)
    _check_request(
        2 * runs,
        (_table_bytes(base_sc) + _table_bytes(variant_sc)) / 2,
        base_sc,
        seed,
        settings,
        what=f"2 scenarios × {runs:,} runs",
        advice="ask for fewer --runs",
    )
    result = _call(run_compare, base_sc, variant_sc, runs, seed, settings=settings)
    table = _call(result.table, scope.outcomes)
    emit(files.format, compare_report(table, result, overrides))
    changes = ", ".join(f"{k}={v}" for k, v in overrides.items())
    figure = lambda: _paired_figure(result, scope.outcomes, changes)  # noqa: E731
    files.write(table, figure)


def _paired_figure(result: Any, outcomes: Any, changes: str) -> Any:
    from escalsim.plot import paired_differences

    base, variant = (r.scenario.title or r.scenario.name for r in (result.base, result.variant))
    if changes:  # a copy of BASE is named by its changes alone
        variant = changes if variant == base else f"{variant} with {changes}"
    return paired_differences(result, outcomes, variant=variant)


# --- sweep ----------------------------------------------------------------------------------
@opt.grouped
def sweep(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (YAML).")],
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            "-p",
            metavar="PATH=lo:hi:n",
            help="A parameter to sweep and its grid: lo:hi:n (n values from lo to hi) or "
            "a,b,c. Once or twice (two make a grid).",
            show_default=False,
        ),
    ],
    runs: Runs = 1000,
    scope: opt.Scope = opt.SCOPE,
    how: opt.SeededRun = opt.SEEDED,
    files: opt.Outputs = opt.FILES,
) -> None:
    """Outcome probabilities over a grid of one or two parameters (common random numbers)."""
    from escalsim.analysis import sweep as run_sweep
    from escalsim.analysis.sweep import parse_param_option

    grid: dict[str, list[float | int]] = {}
    for item in param:
        try:
            path, values = parse_param_option(item)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--param'") from None
        if path in grid:
            raise typer.BadParameter(f"{path} is swept twice", param_hint="'--param'")
        grid[path] = values
    if len(grid) > 2:
        raise typer.BadParameter(
            f"sweep one or two parameters, got {len(grid)}", param_hint="'--param'"
        )
    settings, seed = how.settings(), how.seed
    files.check()
    scenario = scope.scenario(file)
    points = math.prod(len(v) for v in grid.values())
    _check_request(
        points * runs,
        CODE_BYTES,
        scenario,
        seed,
        settings,
        what=f"{points:,} grid points × {runs:,} runs",
        advice="ask for fewer grid points or --runs",
    )
    table = _call(run_sweep, scenario, grid, runs, seed, outcomes=scope.outcomes, settings=settings)
    emit(files.format, sweep_report(table, scenario, _sweep_notes(table.attrs.get("pairing", {}))))

    def figure() -> Any:
        from escalsim.plot import sweep_curves

        return sweep_curves(table, scenario=scenario)

    files.write(table, figure)


def _sweep_notes(pairing: dict[str, Any]) -> list[str]:
    """What a sweep's attrs say of its pairing, as sentences (none when it holds)."""
    from escalsim.analysis.pairing import Pairing

    notes = []
    if "points" in pairing:
        points = Pairing.from_dict(pairing["points"])
        if points.broken:
            notes.append(str(points.note("the last grid point", "the first")))
    if "scenario" in pairing:
        whole = Pairing.from_dict(pairing["scenario"])
        if whole.broken:
            notes.append(
                str(whole.note("the grid points", "the scenario", advice=False))
                + " from those of a plain run of the scenario (the grid points stay paired "
                "with each other)"
            )
    return notes


# --- sensitivity ----------------------------------------------------------------------------
class Method(str, Enum):
    sobol = "sobol"
    morris = "morris"


class Space(str, Enum):
    support = "support"
    distribution = "distribution"


@opt.grouped
def sensitivity(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file (YAML).")],
    method: Annotated[
        Method, typer.Option("--method", "-m", help="Sobol' indices or Morris screening.")
    ] = Method.sobol,
    n: Annotated[
        int | None,
        typer.Option(
            "--n",
            min=2,
            help="Sobol': base sample size, a power of two (default 64); Morris: "
            "trajectories (default 20).",
            show_default=False,
        ),
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=1, help="Runs per parameter row.")
    ] = 8,
    space: Annotated[
        Space,
        typer.Option(
            "--space",
            help="Vary each parameter evenly over its range (support) or as its declared "
            "distribution weights it.",
        ),
    ] = Space.support,
    vary: Annotated[
        list[str] | None,
        opt.listed(
            "--vary", "PATH", "Vary only this uncertain parameter (repeatable; default: all)."
        ),
    ] = None,
    scope: opt.Scope = opt.SCOPE,
    top: Annotated[int, typer.Option("--top", min=1, help="Parameters shown per outcome.")] = 10,
    how: opt.SeededRun = opt.SEEDED,
    files: opt.Outputs = opt.FILES,
) -> None:
    """Rank the uncertain parameters by how much they move each outcome's probability."""
    from escalsim.analysis import sensitivity as run_sensitivity

    settings, seed = how.settings(), how.seed
    files.check()
    scenario = scope.scenario(file)
    varied = len(vary or scenario.uncertain())
    _check_sensitivity(scenario, method.value, n, varied, replications, seed, settings)
    table = _call(
        run_sensitivity,
        scenario,
        method.value,
        n,
        seed,
        outcomes=scope.outcomes,
        parameters=vary or None,
        replications=replications,
        space=space.value,
        settings=settings,
    )
    emit(files.format, sensitivity_report(table, scenario, top))

    def figure() -> Any:
        from escalsim.plot import tornado

        return tornado(table, top=top, scenario=scenario)

    files.write(table, figure)


def _check_sensitivity(
    scenario: Any,
    method: str,
    n: int | None,
    varied: int,
    replications: int,
    seed: int,
    settings: Any,
) -> None:
    """Refuse a sample too large to run or hold: Sobol' draws n × (d + 2) parameter rows,
    Morris n × (d + 1), for d varied parameters; each row holds d values twice (unit and
    scaled) and runs ``replications`` times."""
    from escalsim.analysis.sensitivity import DEFAULT_N

    n = DEFAULT_N[method] if n is None else n
    rows = n * (varied + (2 if method == "sobol" else 1))
    _check_request(
        rows * replications,
        CODE_BYTES + 2 * limits.CELL_BYTES * varied / replications,
        scenario,
        seed,
        settings,
        what=f"{rows:,} parameter rows × {replications:,} replications",
        advice="ask for a smaller --n or fewer --replications",
        option="'--n'",
    )
