"""Scenario lint: valid inputs that change nothing, each with where it stands in the file.

:func:`lint` reports, one :class:`Finding` each, an input no mechanism reads (a belief no
choice consults, an outcome's value to an actor that never weighs it, a threat with no demand
behind it, an action's settings without the action, a signal no belief learns from, a deal
no one offers), an outcome, milestone or trigger that can never fire, an action of a
repertoire that no state opens, and with ``probe=N``, an uncertain parameter whose change
moved no outcome in ``N`` paired runs. The checks read the scenario only (what a switched-off
mechanism ignores is not reported); the probe runs it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from escalsim.analysis.lint.actions import action_findings
from escalsim.analysis.lint.fields import action_field_findings, deal_findings, signal_findings
from escalsim.analysis.lint.findings import CHECKS, Finding, locate
from escalsim.analysis.lint.inputs import belief_findings, incentive_findings, threat_findings
from escalsim.analysis.lint.probe import ProbeSize
from escalsim.analysis.lint.reach import Reach
from escalsim.analysis.lint.triggers import trigger_findings

if TYPE_CHECKING:
    from escalsim.ensemble.settings import RunSettings
    from escalsim.scenario.schema import Scenario
    from escalsim.scenario.yaml_source import Located

__all__ = ["CHECKS", "Finding", "Findings", "ProbeSize", "lint", "lint_scenario"]


class Findings(list):
    """The findings of :func:`lint` (a list), and the size of its probe (None: no probe)."""

    probe: ProbeSize | None = None


def lint(
    scenario: Scenario | str | os.PathLike[str],
    *,
    probe: int | None = None,
    seed: int = 0,
    settings: RunSettings | None = None,
) -> Findings:
    """The problems of a valid scenario (a Scenario, or a file: then with file and line).

    Parameters
    ----------
    scenario
        A Scenario or a scenario file (a malformed file raises ScenarioError, as loading it).
    probe
        Runs per end of each uncertain parameter in the paired probe (default: no probe;
        it runs ``2 * probe`` runs per uncertain parameter, see :class:`ProbeSize`).
    seed, settings
        Root seed and :class:`~escalsim.RunSettings` of the probe's runs.

    Returns
    -------
    Findings
        A list of :class:`Finding`, in file order; each has ``path``, ``message``,
        ``file``, ``line``, ``column`` (None where unknown) and ``check`` (one of
        :data:`CHECKS`); ``str()`` gives the ``warning:`` line that ``escalsim validate``
        prints. ``.probe`` tells how many runs the probe made (:class:`ProbeSize`).
    """
    if isinstance(scenario, (str, os.PathLike)):
        from escalsim.scenario.loader import load_located

        sc, where = load_located(scenario)
        return lint_scenario(sc, where, str(scenario), probe=probe, seed=seed, settings=settings)
    from escalsim.scenario import as_scenario

    return lint_scenario(as_scenario(scenario), probe=probe, seed=seed, settings=settings)


def lint_scenario(
    sc: Scenario,
    where: Located | None = None,
    file: str | None = None,
    *,
    probe: int | None = None,
    seed: int = 0,
    settings: RunSettings | None = None,
) -> Findings:
    """:func:`lint` of a loaded scenario, located with the marks of its file (if given)."""
    reach = Reach(sc)
    triggers, dead = trigger_findings(reach)
    found = [
        *triggers,
        *action_findings(reach),
        *belief_findings(reach),
        *threat_findings(reach),
        *action_field_findings(reach),
        *signal_findings(reach),
        *deal_findings(reach),
        *incentive_findings(reach, dead),
    ]
    found = list({f.path: f for f in reversed(found)}.values())[::-1]  # the first per path
    size = None
    if probe is not None:
        from escalsim.analysis.lint.probe import probe_findings
        from escalsim.checks import positive_int
        from escalsim.ensemble.seeds import check_seed
        from escalsim.ensemble.settings import as_settings

        covered = {
            p
            for p in sc.uncertain()
            if any(p == f.path or p.startswith(f.path + ".") for f in found)
        }
        probed, size = probe_findings(
            sc, positive_int("probe", probe), check_seed(seed), as_settings(settings), covered
        )
        found += probed
    out = Findings(locate(found, where, file))
    out.probe = size
    return out
