"""Global sensitivity of outcome probabilities to the uncertain parameters (SALib).

The model seen by SALib is ``θ ↦ P(outcome | θ)``: the probability of an outcome when the
uncertain parameters are fixed at ``θ``, estimated from ``replications`` runs. The runs keep
the rest of the scenario's randomness (the actors' noisy choices, the exogenous processes,
which reported events happened), so this is a sensitivity analysis of the probability, not of
one run's outcome.

- ``method="sobol"``: Saltelli's sampling of a scrambled Sobol' sequence (``n`` base points,
  a power of two; ``n * (D + 2)`` parameter rows for ``D`` parameters), and first-order
  (``S1``) and total (``ST``) indices with bootstrap 95% intervals.
- ``method="morris"``: ``n`` Morris trajectories on a 4-level grid (``n * (D + 1)`` rows),
  and the mean absolute elementary effect ``mu_star`` (with a bootstrap 95% interval), the
  signed mean ``mu`` and the spread ``sigma`` (interactions or non-linearity). An elementary
  effect is the change in probability per whole range of the parameter, so ``mu_star`` is
  comparable across parameters.

Each parameter is varied over its range (see :mod:`escalsim.analysis.ranges`): by default
evenly over its support (the 1st or 99th percentile standing in for an unbounded or open
end), or with ``space="distribution"`` as its declared distribution weights it (within its
1st–99th percentile).

Replication ``j`` of every row runs from the same seed, ``run_seed(seed, j)``: common random
numbers, so the differences between rows that the estimators are built on are differences
in the parameters, not in luck. The rest of the run-to-run noise still adds to the output's
variance; ``attrs["noise_share"]`` estimates, per outcome, the share of the variance of the
row estimates that binomial noise alone would give (an upper bound, since common random
numbers cancel part of it): near 1, raise ``replications``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from escalsim.analysis.batch import PointsJob, run_batch
from escalsim.analysis.outcomes import OutcomeSpec, group_codes, outcome_groups
from escalsim.analysis.ranges import SPACES, check_parameters, from_unit, parameter_range
from escalsim.checks import positive_int
from escalsim.ensemble.seeds import check_seed
from escalsim.ensemble.settings import RunSettings, as_settings
from escalsim.errors import EscalsimError

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.scenario.schema import Scenario

METHODS = ("sobol", "morris")
DEFAULT_N = {"sobol": 64, "morris": 20}
MORRIS_LEVELS = 4
RESAMPLES = 200
CONF_LEVEL = 0.95
_SALT = 0x5A1B  # keeps SALib's sampling and bootstrap streams apart from the runs' seeds


def _salib() -> Any:
    try:
        import SALib  # noqa: F401
    except ImportError as exc:
        raise EscalsimError(
            'sensitivity analysis needs SALib: pip install "escalsim[sensitivity]"'
        ) from exc
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    return sobol_sample, sobol_analyze, morris_sample, morris_analyze


def _seed(seed: int, purpose: int) -> int:
    """A non-zero 32-bit seed for SALib, derived from the root seed (SALib's Sobol analysis
    falls back to numpy's global state when given 0 or None)."""
    ss = np.random.SeedSequence([seed, _SALT, purpose])
    return int(ss.generate_state(1, dtype=np.uint32)[0]) | 1


def _check_n(method: str, n: object) -> int:
    n = positive_int("n", n)
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise ValueError(
            f"n must be a power of two for Sobol' sampling (e.g. 32, 64, 128), got {n}"
        )
    if method == "morris" and n < 2:
        raise ValueError(f"n must be at least 2 Morris trajectories, got {n}")
    return n


def sensitivity(
    scenario: Scenario | str | os.PathLike[str],
    method: str = "sobol",
    n: int | None = None,
    seed: int = 0,
    *,
    outcomes: OutcomeSpec = None,
    parameters: Sequence[str] | None = None,
    replications: int = 8,
    space: str = "support",
    settings: RunSettings | None = None,
) -> pd.DataFrame:
    """Sobol' indices or Morris screening of each outcome's probability (see the module doc).

    Parameters
    ----------
    scenario
        A Scenario or a scenario file; it needs at least one uncertain parameter.
    method
        ``"sobol"`` or ``"morris"``.
    n
        Sobol': base sample size, a power of two (default 64). Morris: trajectories
        (default 20).
    seed
        Root seed of the sample, the runs and the bootstrap: the same seed gives the same
        table.
    outcomes
        Which outcomes (or unions, e.g. ``{"force": ["strike", "intervention"]}``) to
        analyse; default every outcome.
    parameters
        The uncertain parameters (paths) to vary; default all. The others are drawn in every
        run as usual, so their effect counts as noise.
    replications
        Runs per parameter row.
    space
        ``"support"`` (evenly over each range) or ``"distribution"`` (weighted by the
        declared distribution); see :mod:`escalsim.analysis.ranges`.
    settings
        How to run (:class:`~escalsim.RunSettings`), as for :func:`escalsim.simulate`; only
        the runs' outcomes are kept.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and parameter, most influential first within each outcome:
        ``outcome``, ``parameter``, ``low``, ``high`` (the range varied over), then for
        Sobol' ``S1``, ``S1_ci_low``, ``S1_ci_high``, ``ST``, ``ST_ci_low``, ``ST_ci_high``
        (NaN for an outcome whose probability never varied), or for Morris ``mu``,
        ``mu_star``, ``mu_star_ci_low``, ``mu_star_ci_high``, ``sigma``. ``attrs`` records
        the method, sample size, seed, runs, ranges and ``noise_share`` per outcome.
    """
    import pandas as pd

    from escalsim.engine import prepare
    from escalsim.results.provenance import library_version, scenario_hash

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if space not in SPACES:
        raise ValueError(f"space must be one of {SPACES}, got {space!r}")
    from escalsim.scenario import as_scenario

    sc = as_scenario(scenario)
    settings = as_settings(settings)
    n = _check_n(method, DEFAULT_N[method] if n is None else n)
    seed = check_seed(seed)
    replications = positive_int("replications", replications)
    uncertain = sc.uncertain()
    if not uncertain:
        raise ValueError(f"scenario '{sc.name}' has no uncertain parameter to analyse")
    paths = list(uncertain) if parameters is None else check_parameters(uncertain, parameters)
    groups = outcome_groups(list(sc.outcomes), outcomes)
    sobol_sample, sobol_analyze, morris_sample, morris_analyze = _salib()

    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    sample_rng = np.random.default_rng(_seed(seed, 0))
    if method == "sobol":
        unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=sample_rng)
    else:
        unit = morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=sample_rng)
    unit = np.asarray(unit, dtype=float)
    values = np.column_stack(
        [from_unit(uncertain[p], unit[:, j], space) for j, p in enumerate(paths)]
    )
    job = PointsJob(
        prepared=(prepare(sc, settings.rules),),
        per_point=replications,
        outcomes=tuple(sc.outcomes),
        paths=tuple(paths),
        values=values,
    )
    codes = run_batch(job, seed, settings, f"{sc.name} {method}")

    ranges = {p: parameter_range(uncertain[p], space) for p in paths}
    frames = []
    noise: dict[str, float] = {}
    for label, members in group_codes(list(sc.outcomes), groups).items():
        y = np.isin(codes, members).mean(axis=1)
        noise[label] = _noise_share(y, replications)
        if method == "sobol":
            table = _sobol(sobol_analyze, problem, y, _seed(seed, 1))
        else:
            table = _morris(morris_analyze, problem, unit, y, _seed(seed, 1))
        table.insert(0, "high", [ranges[p][1] for p in paths])
        table.insert(0, "low", [ranges[p][0] for p in paths])
        table.insert(0, "parameter", paths)
        table.insert(0, "outcome", label)
        key = "ST" if method == "sobol" else "mu_star"
        frames.append(table.sort_values(key, ascending=False, na_position="last", kind="stable"))
    out = pd.concat(frames, ignore_index=True)
    out["outcome"] = pd.Categorical(out["outcome"], categories=list(groups))
    out.attrs.update(
        analysis="sensitivity",
        method=method,
        space=space,
        n=n,
        seed=seed,
        replications=replications,
        rows=len(values),
        runs=int(codes.size),
        parameters=paths,
        ranges={p: list(r) for p, r in ranges.items()},
        noise_share=noise,
        scenario=sc.name,
        scenario_sha256=scenario_hash(sc),
        escalsim_version=library_version(),
    )
    return out


def _noise_share(y: np.ndarray, replications: int) -> float:
    """Mean binomial variance of the row estimates over their total variance (NaN if the
    estimates never vary or there is one replication)."""
    total = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
    if total <= 0.0 or replications < 2:
        return float("nan")
    binomial = float(np.mean(y * (1.0 - y))) / (replications - 1)
    return binomial / total


def _sobol(analyze: Any, problem: dict, y: np.ndarray, seed: int) -> pd.DataFrame:
    import pandas as pd

    d = problem["num_vars"]
    if np.ptp(y) == 0.0:  # no variance to share out: the indices are undefined
        nan = np.full(d, np.nan)
        s1 = s1c = st = stc = nan
    else:
        res = analyze.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=RESAMPLES,
            conf_level=CONF_LEVEL,
            seed=seed,
        )
        s1, s1c = np.asarray(res["S1"]), np.asarray(res["S1_conf"])
        st, stc = np.asarray(res["ST"]), np.asarray(res["ST_conf"])
    return pd.DataFrame(
        {
            "S1": s1,
            "S1_ci_low": s1 - s1c,
            "S1_ci_high": s1 + s1c,
            "ST": st,
            "ST_ci_low": st - stc,
            "ST_ci_high": st + stc,
        }
    )


def _morris(
    analyze: Any, problem: dict, unit: np.ndarray, y: np.ndarray, seed: int
) -> pd.DataFrame:
    import pandas as pd

    res = analyze.analyze(
        problem,
        unit,
        y,
        num_resamples=RESAMPLES,
        conf_level=CONF_LEVEL,
        num_levels=MORRIS_LEVELS,
        seed=seed,
    )
    mu_star, conf = np.asarray(res["mu_star"], float), np.asarray(res["mu_star_conf"], float)
    return pd.DataFrame(
        {
            "mu": np.asarray(res["mu"], float),
            "mu_star": mu_star,
            "mu_star_ci_low": np.maximum(mu_star - conf, 0.0),
            "mu_star_ci_high": mu_star + conf,
            "sigma": np.asarray(res["sigma"], float),
        }
    )
