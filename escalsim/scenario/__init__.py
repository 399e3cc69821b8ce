"""The scenario language: YAML → validated, immutable Scenario."""

from escalsim.scenario.loader import load_scenario
from escalsim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario"]
