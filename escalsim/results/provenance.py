"""Where results came from: library version, scenario content hash, times; scenario as JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

from escalsim.errors import ResultsError, ScenarioError

if TYPE_CHECKING:
    from escalsim.scenario.schema import Scenario

FORMAT_VERSION = 1
"""Version of the layout of escalsim results files."""


def library_version() -> str:
    """The installed escalsim version, or ``"unknown"`` when running from an uninstalled tree."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("escalsim")
    except PackageNotFoundError:
        return "unknown"


def now_iso() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {_key(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):  # numpy scalars
        return obj.item()
    return obj


def _key(k: Any) -> str:
    return k if isinstance(k, str) else json.dumps(_plain(k))


def canonical_json(data: Any) -> str:
    """Compact JSON, keys in their given order: equal content always gives the same text.

    Keys are not sorted because order carries meaning in a scenario (the order of outcomes,
    of actors), and a reordered scenario may not run alike.
    """
    return json.dumps(_plain(data), separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def scenario_json(sc: Scenario) -> str:
    """The scenario as canonical JSON of ``Scenario.to_dict()``."""
    return canonical_json(sc.to_dict())


def scenario_hash(sc: Scenario) -> str:
    """SHA-256 (hex) of the scenario's canonical JSON: same content (and order), same hash."""
    return hashlib.sha256(scenario_json(sc).encode("utf-8")).hexdigest()


def _numeric_choice_keys(obj: Any) -> Any:
    # JSON object keys are text; a ``choice`` distribution's keys are numbers.
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            v = _numeric_choice_keys(v)
            if k == "choice" and isinstance(v, dict):
                v = {_number(x): w for x, w in v.items()}
            out[k] = v
        return out
    if isinstance(obj, list):
        return [_numeric_choice_keys(v) for v in obj]
    return obj


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def scenario_from_json(text: str, where: str) -> Scenario:
    """Rebuild a scenario stored by :func:`scenario_json`; a failure is a ResultsError."""
    from escalsim.scenario.schema import Scenario

    try:
        data = json.loads(text)
        return Scenario.from_dict(_numeric_choice_keys(data), source=where)
    except (ValueError, ScenarioError) as exc:
        raise ResultsError(f"{where}: the stored scenario cannot be rebuilt: {exc}") from exc
