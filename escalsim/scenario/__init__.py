"""The scenario language: YAML → validated, immutable Scenario."""

from escalsim.scenario.loader import as_scenario, load_scenario
from escalsim.scenario.schema import Scenario

__all__ = ["Scenario", "as_scenario", "load_scenario"]
