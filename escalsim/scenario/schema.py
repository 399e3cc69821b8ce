"""The typed scenario: the one definition of what a scenario may say.

YAML is a serialisation of these models: ``Scenario.from_dict`` validates a plain mapping
(as loaded from YAML or written in Python) and the result is immutable. This module imports
no other part of the scenario package but the distributions and the path helpers of
:mod:`~escalsim.scenario.parameters`: the loader validates a mapping against these models and
then runs the cross-field checks (references between actors, rungs, deals and outcomes,
:mod:`~escalsim.scenario.references`); ``from_dict`` and ``with_values`` hand over to the
loader, which never calls them back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    StrictBool,
    StringConstraints,
    model_validator,
)

from escalsim.scenario.distributions import AnyReal, NonNegative, Positive, Probability
from escalsim.scenario.kinds import ACTIONS, REPORTED, TRIGGER_EVENTS
from escalsim.scenario.labels import Labels, labels_of

SCHEMA_VERSION = 1

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", min_length=1, max_length=64)
]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Label = Annotated[str, StringConstraints(max_length=200)]
"""What figures, tables and reports show for a name (default: the id as words, see
:mod:`~escalsim.scenario.labels`)."""
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A plain finite number: an int or a float, never a bool or text."""


def _not_a_number(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")
    return value


FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)
"""The dates a scenario may use, the end of its horizon included: well inside the calendar
times a results table can hold (pandas timestamps, 1677-09-22 to 2262-04-11)."""


def _in_range(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {value}")
    return value


Date = Annotated[dt.date, BeforeValidator(_not_a_number), AfterValidator(_in_range)]
"""A calendar date in the supported range; numbers are refused rather than read as seconds
since 1970."""


def _exactly_int(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected the whole number {SCHEMA_VERSION}, got {value!r}")
    return value


Level = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
"""A deal term's level in [0, 1]: fixed, so that a deal always maps to one outcome."""

# the literals are the kinds table's names (escalsim.scenario.kinds), never spelled here
ActionKind = Literal[ACTIONS]
HistoryKind = Literal[REPORTED]
TriggerEvent = Literal[TRIGGER_EVENTS]

Reliability = Literal["confirmed", "reported", "claimed", "rumour"]


class Model(BaseModel):
    """Base: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)


class Incentives(Model):
    """What an actor values: outcomes (lump sums), running costs, audience cost, patience, risk."""

    values: dict[Identifier, AnyReal] = Field(default_factory=dict)
    day_cost: NonNegative = 0.0
    audience_cost: NonNegative = 0.0
    discount: Positive = 0.01
    risk_aversion: NonNegative = 0.0
    instability_cost: NonNegative = 0.0


class IncentiveChanges(Model):
    """The incentives that one of an actor's types changes; the rest are the actor's own."""

    values: dict[Identifier, AnyReal] = Field(default_factory=dict)
    day_cost: NonNegative | None = None
    audience_cost: NonNegative | None = None
    discount: Positive | None = None
    risk_aversion: NonNegative | None = None
    instability_cost: NonNegative | None = None


class ActorType(Model):
    """A private type of an actor: how likely it is, and what it values differently."""

    prior: Probability
    description: Text = ""
    rationality: NonNegative | None = None
    incentives: IncentiveChanges = Field(default_factory=IncentiveChanges)
    rung_costs: dict[Identifier, NonNegative] = Field(default_factory=dict)
    source: Text | None = None


class Belief(Model):
    """What an actor believes about another.

    About an actor without types: a Beta belief in its resolve, as a mean and a weight
    (pseudo-observations). About an actor with types: a probability for each of its types
    (default: the types' own priors), updated by Bayes' rule after every action it is seen to take.
    """

    mean: Probability | None = None
    weight: Positive = 4.0
    types: dict[Identifier, Probability] | None = None


class Rung(Model):
    """One step of an escalation ladder."""

    name: Identifier
    label: Label = ""
    description: Text = ""
    cost: NonNegative = 0.0
    upkeep: NonNegative = 0.0
    harm: NonNegative = 0.0
    signal: NonNegative = 0.0
    pressure: NonNegative = 0.0
    posture: Probability = 0.0
    success: Probability = 1.0
    source: Text | None = None


class Condition(Model):
    """A comparison of one state feature with a number (no expressions are evaluated)."""

    lt: Number | None = None
    le: Number | None = None
    gt: Number | None = None
    ge: Number | None = None
    eq: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> Condition:
        if not any(v is not None for v in (self.lt, self.le, self.gt, self.ge, self.eq)):
            raise ValueError("a condition needs at least one of lt, le, gt, ge, eq")
        return self


class ScriptedCase(Model):
    """If every condition holds, choose among the actions with these weights."""

    when: dict[str, Condition] = Field(default_factory=dict)
    choose: dict[Identifier, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        min_length=1
    )


class Scripted(Model):
    """A scripted decision rule: the first case whose conditions hold decides."""

    scripted: list[ScriptedCase] = Field(min_length=1)


class CustomAction(Model):
    """An action defined in the scenario: its cost, signal, effects and utility adjustments."""

    description: Text = ""
    cost: NonNegative = 0.0
    signal: AnyReal = 0.0
    success: Probability = 1.0
    coordination: NonNegative = 0.0
    failure_cost: NonNegative = 0.0
    payoff: AnyReal | None = None
    cohesion: AnyReal = 0.0
    utility: dict[str, AnyReal] = Field(default_factory=dict)


class Actor(Model):
    """An agent: incentives, beliefs, repertoire, ladder and decision rule."""

    name: Text = ""
    label: Label = ""
    role: Identifier = "third_party"
    description: Text = ""
    opponent: Identifier | None = None
    rationality: NonNegative = 1.0
    review_days: Positive = 7.0
    response_days: Positive = 1.0
    credibility: Probability = 1.0
    guarantee: Probability = 0.0
    host: Probability = 0.0
    rally_cost: NonNegative = 0.0
    rally_signal: NonNegative = 0.0
    mediation_cost: NonNegative = 0.0  # also the cost of a guarantee or an offer to host
    ultimatum_days: Positive = 7.0
    ultimatum_signal: NonNegative = 0.0
    deadline_penalty: NonNegative = 0.0
    concession_penalty: NonNegative = 0.0
    max_jump: Annotated[int, Strict(), Field(ge=1, le=20)] = 1
    threat: Identifier | None = None
    incentives: Incentives = Field(default_factory=Incentives)
    beliefs: dict[Identifier, Belief] = Field(default_factory=dict)
    types: dict[Identifier, ActorType] = Field(default_factory=dict)
    ladder: list[Rung] = Field(default_factory=list)
    repertoire: list[ActionKind] = Field(default_factory=lambda: ["hold"])
    actions: dict[Identifier, CustomAction] = Field(default_factory=dict)
    demands: list[Identifier] = Field(default_factory=list)
    counters: list[Identifier] = Field(default_factory=list)
    proposals: list[Identifier] = Field(default_factory=list)
    rule: Literal["logit"] | Scripted = "logit"
    source: Text | None = None


class Term(Model):
    """One issue of the deal space; ``promised_by`` marks a promise kept after power is given up."""

    description: Text = ""
    promised_by: Identifier | None = None
    values: dict[Identifier, AnyReal] = Field(default_factory=dict)


class Deal(Model):
    """A vector of term levels in [0, 1]."""

    description: Text = ""
    label: Label = ""
    terms: dict[Identifier, Level] = Field(default_factory=dict)


class Trigger(Model):
    """What makes an outcome happen or a milestone be recorded; exactly one key."""

    deal: dict[Identifier, Level] | None = None
    rung: str | None = None
    action: str | None = None
    event: TriggerEvent | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        given = [k for k in ("deal", "rung", "action", "event") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a trigger needs exactly one of deal, rung, action, event; got {given or 'none'}"
            )
        return self


class Outcome(Model):
    """How a run can end; outcomes are absorbing, and the horizon outcome ends the others."""

    description: Text = ""
    label: Label = ""
    trigger: Trigger | list[Trigger]
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None


class Milestone(Model):
    """Something worth dating in a run that does not end it."""

    description: Text = ""
    label: Label = ""
    trigger: Trigger | list[Trigger]


def triggers_of(spec: Outcome | Milestone) -> list[Trigger]:
    """An outcome's or milestone's triggers as a list."""
    return spec.trigger if isinstance(spec.trigger, list) else [spec.trigger]


class Payload(Model):
    """What a history event carries: a rung, a deal, a deadline, an extra resolve signal."""

    rung: Identifier | None = None
    deal: Identifier | None = None
    deadline: Date | None = None
    signal: Annotated[Number, Field(ge=0)] | None = None


class HistoryEvent(Model):
    """A reported event before the start date, with its source and how reliable it is."""

    id: Identifier | None = None
    date: Date
    actor: Identifier
    event: HistoryKind
    target: Identifier | None = None
    payload: Payload = Field(default_factory=Payload)
    source: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    reliability: Reliability | Probability = "confirmed"
    note: Text = ""


class Cohesion(Model):
    """The target's internal cohesion in [0, 1], worn down by pressure and restored by rallies."""

    actor: Identifier
    initial: Probability = 0.8
    baseline: Probability = 0.8
    recovery: NonNegative = 0.0
    rally_boost: Probability = 0.0
    source: Text | None = None


class Collapse(Model):
    """Hazard of internal collapse per day: ``max_hazard * (1 - cohesion) ** shape``."""

    actor: Identifier
    max_hazard: NonNegative = 0.0
    shape: Positive = 1.0
    source: Text | None = None


class Incidents(Model):
    """Unplanned clashes of forces in contact: hazard per day ``rate * posture_a * posture_b``."""

    between: tuple[Identifier, Identifier]
    rate: NonNegative = 0.0
    escalation: Probability = 0.0
    signal: NonNegative = 0.0
    source: Text | None = None


class Processes(Model):
    """Optional exogenous processes."""

    cohesion: Cohesion | None = None
    collapse: Collapse | None = None
    incidents: Incidents | None = None


class Mechanisms(Model):
    """Switches for the reference mechanisms; every one is on unless turned off."""

    signals: StrictBool = True
    audience_costs: StrictBool = True
    deadlines: StrictBool = True
    credibility: StrictBool = True
    cohesion: StrictBool = True
    collapse: StrictBool = True
    incidents: StrictBool = True
    mediation: StrictBool = True
    history: StrictBool = True


def _default_reliability() -> dict[str, float]:
    return {"confirmed": 1.0, "reported": 0.8, "claimed": 0.6, "rumour": 0.3}


class Derived:
    """The values derived from one scenario (its uncertain parameters, its labels), each built
    once on first use; see :meth:`Scenario.derived`. Ignored when scenarios are compared."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, name: str, build: Callable[[], Any]) -> Any:
        value = self.values.get(name)
        if value is None:
            value = self.values[name] = build()
        return value


class Scenario(Model):
    """Everything needed for one simulation; validated once, immutable after."""

    schema_version: Annotated[Literal[1], BeforeValidator(_exactly_int)]
    name: Identifier
    title: Text = ""
    description: Text = ""
    start: Date
    horizon: Annotated[Number, Field(gt=0, le=36_500)]
    reliability: dict[Reliability, Annotated[Number, Field(ge=0, le=1)]] = Field(
        default_factory=_default_reliability
    )
    actors: dict[Identifier, Actor] = Field(min_length=1, max_length=1000)
    deal_terms: dict[Identifier, Term] = Field(default_factory=dict)
    deals: dict[Identifier, Deal] = Field(default_factory=dict)
    outcomes: dict[Identifier, Outcome] = Field(min_length=1)
    milestones: dict[Identifier, Milestone] = Field(default_factory=dict)
    history: list[HistoryEvent] = Field(default_factory=list)
    exclude_history: list[Identifier] = Field(default_factory=list)
    processes: Processes = Field(default_factory=Processes)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    _derived: Derived = PrivateAttr(default_factory=lambda: Derived())

    @model_validator(mode="after")
    def _ends_by_the_last_date(self) -> Scenario:
        if self.end_date > LAST_DATE:
            from escalsim.errors import Problem, ScenarioError

            raise ScenarioError(
                Problem(
                    "horizon",
                    f"the horizon ends on {self.end_date} ({self.start} + {self.horizon:g} "
                    f"days), after {LAST_DATE}, the last date a scenario may use",
                )
            )
        return self

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str | None = None) -> Scenario:
        """Validate a plain mapping (same shape as the YAML) into a Scenario, references
        checked (the loader's :func:`~escalsim.scenario.loader.scenario_from_mapping`)."""
        from escalsim.scenario.loader import scenario_from_mapping

        return scenario_from_mapping(data, file=source)

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping of this scenario, as it would be written in YAML."""
        from escalsim.scenario.parameters import plain

        return plain(self.model_dump(mode="python", exclude_defaults=True))

    # --- uncertain parameters -------------------------------------------------------------
    def uncertain(self) -> dict[str, Any]:
        """Every uncertain parameter by its dotted path, e.g. ``actors.us.incentives.discount``."""
        from escalsim.scenario.parameters import uncertain_parameters

        return uncertain_parameters(self)

    def sample(self, rng: Any) -> dict[str, float]:
        """Draw every uncertain parameter once with ``rng`` (a ``numpy.random.Generator``)."""
        from escalsim.scenario.parameters import sample_parameters

        return sample_parameters(self, rng)

    def with_values(self, values: dict[str, Any]) -> Scenario:
        """A copy with the given dotted paths set (numbers or distributions), re-validated."""
        from escalsim.scenario.parameters import edited

        return self.from_dict(edited(self, values))

    def as_of(self, date: dt.date | str, keep_end: bool = True) -> Scenario:
        """This scenario as forecast on ``date``: the history up to that day, the start moved
        to it, the horizon's end kept (or, with ``keep_end=False``, moved with the start);
        see :func:`~escalsim.scenario.as_of.as_of`."""
        from escalsim.scenario.as_of import as_of

        return as_of(self, date, keep_end=keep_end)

    def __eq__(self, other: object) -> bool:
        """Equal when every field is equal (the private cache of derived values is ignored)."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # dict fields: a scenario is not hashable

    def __repr__(self) -> str:
        """A few lines (name, dates, actors, outcomes, history, uncertain parameters), not every
        field: ``to_dict()`` gives those."""
        from escalsim.scenario.overview import text

        return text(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """The notebook view: the same facts as a small table, the parameters folded."""
        from escalsim.scenario.overview import html_view

        return html_view(self)

    @property
    def labels(self) -> Labels:
        """What readers see for each actor, outcome, milestone, deal and rung: its ``label``,
        else its id as words (an actor: its name); see :mod:`~escalsim.scenario.labels`."""
        return self.derived("labels", lambda: labels_of(self))

    def derived(self, name: str, build: Callable[[], Any]) -> Any:
        """A value derived from this scenario (immutable, so the value never goes stale):
        ``build()`` on the first call for ``name``, the same object afterwards."""
        return self._derived.get(name, build)

    @property
    def end_date(self) -> dt.date:
        """The calendar date of the horizon."""
        return self.start + dt.timedelta(days=self.horizon)
