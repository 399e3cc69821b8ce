"""The scenario as a report shows it to a reader who never saw the file: the question, the
actors with their incentives, beliefs, types and ladders, the deals, the reported history
with its sources and reliabilities, and the uncertain numbers.

Everything here is plain data (dicts, lists, text) for the templates; numbers that a run
draws are shown as their distribution and its mean.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from escalsim.scenario.distributions import DISTRIBUTIONS, Distribution
from escalsim.scenario.labels import readable
from escalsim.scenario.parameters import child_path, item_name

if TYPE_CHECKING:
    from escalsim.scenario.schema import Actor, Scenario

_URL = re.compile(r"https?://[^\s;,<>\"']+")


def number(value: Any) -> str:
    """A fixed number (``12.5``) or a distribution with its mean (``uniform [10, 30], mean
    20``)."""
    if isinstance(value, Distribution):
        args = getattr(value, value.kind)
        if isinstance(args, dict):  # a choice: value → weight
            shown = ", ".join(f"{k:g}: {w:g}" for k, w in args.items())
        else:
            shown = ", ".join(f"{x:g}" for x in args)
        bounds = getattr(value, "bounds", None)
        within = f" within [{bounds[0]:g}, {bounds[1]:g}]" if bounds else ""
        return f"{value.kind} [{shown}]{within}, mean {value.mean:.3g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:g}"


def source_parts(text: str | None) -> list[dict[str, str]]:
    """A source as text and links: every http(s) address becomes a link, nothing else does
    (so that no other scheme, such as ``javascript:``, ever reaches an ``href``)."""
    if not text:
        return []
    parts, at = [], 0
    for m in _URL.finditer(text):
        if m.start() > at:
            parts.append({"text": text[at : m.start()]})
        parts.append({"text": _site(m.group()), "href": m.group()})
        at = m.end()
    if at < len(text):
        parts.append({"text": text[at:]})
    return parts


def _site(url: str) -> str:
    """A link's text: the site it points to (``kvia.com``), the full address being its href."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def question(sc: Scenario) -> dict[str, Any]:
    """Title, description, start, end and horizon."""
    return {
        "title": sc.title or readable(sc.name),
        "name": sc.name,
        "description": sc.description.strip(),
        "start": sc.start.isoformat(),
        "end": sc.end_date.isoformat(),
        "horizon": f"{sc.horizon:g}",
    }


COSTS = (
    ("day_cost", "cost per day of crisis"),
    ("audience_cost", "audience cost of backing down after a public threat"),
    ("instability_cost", "cost per day and level of escalation (instability)"),
    ("discount", "discount rate per day (impatience)"),
    ("risk_aversion", "risk aversion"),
)
"""An actor's incentives as the report names them, in the report's order."""
TRAITS = (
    ("rationality", "rationality (λ of its logit choice)"),
    ("credibility", "credibility of its promises"),
    ("guarantee", "strength of its guarantee of a deal"),
    ("host", "strength of its offer to host an exile"),
    ("review_days", "mean days between its reviews"),
)
"""An actor's traits as the report names them, in the report's order."""


def actors(sc: Scenario) -> list[dict[str, Any]]:
    """Each actor: who it is, what it values, what it believes, its types and its ladder."""
    return [_actor(sc, key, actor) for key, actor in sc.actors.items()]


def _actor(sc: Scenario, key: str, actor: Actor) -> dict[str, Any]:
    named = sc.labels
    inc = actor.incentives
    values = [
        {"outcome": named.outcome(o), "value": number(v)}
        for o, v in sorted(inc.values.items(), key=lambda kv: _order(sc, kv[0]))
    ]
    costs = [(name, number(getattr(inc, f))) for f, name in COSTS if _given(inc, f)]
    traits = [
        (name, number(getattr(actor, f))) for f, name in TRAITS if f in actor.model_fields_set
    ]
    return {
        "key": key,
        "label": named.actor(key),
        "name": actor.name,
        "role": readable(actor.role),
        "description": actor.description.strip(),
        "opponent": named.actor(actor.opponent) if actor.opponent else "",
        "worth": values,
        "costs": costs,
        "traits": traits,
        "beliefs": [_belief(sc, other, b) for other, b in actor.beliefs.items()],
        "types": [
            {
                "label": readable(t),
                "prior": number(spec.prior),
                "description": spec.description,
                "changes": _type_changes(sc, key, spec),
            }
            for t, spec in actor.types.items()
        ],
        "ladder": [
            {
                "label": named.rung(key, r.name),
                "description": r.description,
                "cost": number(r.cost),
                "source": source_parts(r.source),
            }
            for r in actor.ladder
        ],
        "repertoire": [readable(a) for a in [*actor.repertoire, *actor.actions]],
        "demands": [named.deal(d) for d in actor.demands],
        "source": source_parts(actor.source),
    }


def _given(incentives: Any, field: str) -> bool:
    """Whether an incentive says something (a distribution, or a number off its default)."""
    value = getattr(incentives, field)
    defaults = {"discount": 0.01}
    return isinstance(value, Distribution) or value != defaults.get(field, 0.0)


def _order(sc: Scenario, outcome: str) -> int:
    names = list(sc.outcomes)
    return names.index(outcome) if outcome in names else len(names)


def _belief(sc: Scenario, other: str, belief: Any) -> str:
    who = sc.labels.actor(other)
    if belief.types is not None:
        shares = ", ".join(f"{readable(t)} {number(p)}" for t, p in belief.types.items())
        return f"about {who}'s type: {shares}"
    if belief.mean is not None:
        return f"that {who} is resolved: {number(belief.mean)} (weight {number(belief.weight)})"
    return f"about {who}: its types' priors"


def _type_changes(sc: Scenario, actor: str, spec: Any) -> list[str]:
    named = sc.labels
    out = [f"values {named.outcome(o)} at {number(v)}" for o, v in spec.incentives.values.items()]
    out += [f"cost of {named.rung(actor, r)}: {number(v)}" for r, v in spec.rung_costs.items()]
    if spec.rationality is not None:
        out.append(f"rationality {number(spec.rationality)}")
    return out


def deals(sc: Scenario) -> list[dict[str, Any]]:
    """Each deal: its label, description and term levels."""
    return [
        {
            "label": sc.labels.deal(key),
            "description": d.description,
            "terms": ", ".join(_term(t, level) for t, level in d.terms.items()),
        }
        for key, d in sc.deals.items()
    ]


def _term(term: str, level: float) -> str:
    return readable(term) + ("" if level == 1 else f" ({level:g})")


def history(sc: Scenario) -> list[dict[str, Any]]:
    """The reported events before the start, with source and reliability, by date."""
    rows = []
    for ev in sorted(sc.history, key=lambda e: e.date):
        rel = ev.reliability
        if isinstance(rel, str):
            reliability = f"{rel} ({sc.reliability[rel]:g})"
        else:  # a probability of its own (a number, or a distribution)
            reliability = f"probability {number(rel)}"
        rows.append(
            {
                "date": ev.date.isoformat(),
                "actor": sc.labels.actor(ev.actor),
                "event": readable(ev.event),
                "note": ev.note,
                "reliability": reliability,
                "excluded": ev.id is not None and ev.id in sc.exclude_history,
                "source": source_parts(ev.source),
            }
        )
    return rows


def parameter_label(sc: Scenario, path: str) -> str:
    """An uncertain parameter's path in words: ``actors.us.ladder.raid.cost`` → "US: cost of
    raid on Maduro", ``type.us`` → "US's type"."""
    named = sc.labels
    parts = path.split(".")
    head = parts[0]
    if head == "type" and len(parts) == 2:
        return f"{named.actor(parts[1])}'s type ({', '.join(_type_names(sc, parts[1]))})"
    if head == "history" and len(parts) == 2:
        notes = {e.id: e.note for e in sc.history if e.id}
        note = notes.get(parts[1]) or readable(parts[1])
        note = note if len(note) <= 70 else note[:69].rstrip() + "…"
        return f"reported: {note} (1 = in the run's history)"
    if path == "exclude_history":
        return "reported events left out"
    if head != "actors" or len(parts) < 3:
        return _words(path)
    actor, rest = parts[1], parts[2:]
    return f"{named.actor(actor)}: {_actor_part(sc, actor, rest)}"


def _actor_part(sc: Scenario, actor: str, rest: list[str]) -> str:
    named = sc.labels
    match rest:
        case ["ladder", rung, field]:
            return f"{readable(field)} of {named.rung(actor, rung)}"
        case ["types", kind, "rung_costs", rung]:
            return f"cost of {named.rung(actor, rung)} to its {readable(kind)} type"
        case ["types", kind, *more]:
            return f"{_words('.'.join(more))} of its {readable(kind)} type"
        case ["incentives", "values", outcome]:
            return f"worth of {named.outcome(outcome)}"
        case ["incentives", field]:
            return readable(field)
        case ["beliefs", other, "mean"]:
            return f"belief that {named.actor(other)} is resolved"
        case ["beliefs", other, "types", kind]:
            return f"belief that {named.actor(other)} is of its {readable(kind)} type"
        case ["actions", action, field]:
            return f"{readable(field)} of {readable(action)}"
    return _words(".".join(rest))


def _type_names(sc: Scenario, actor: str) -> list[str]:
    spec = sc.actors.get(actor)
    kinds = list(spec.types) if spec is not None else []
    return [f"{i} = {readable(k)}" for i, k in enumerate(kinds)]


def value_name(sc: Scenario, path: str, value: float) -> str | None:
    """What a drawn value means when it stands for a choice: a type, an event included or
    not; None for a plain number."""
    head, _, key = path.partition(".")
    if head == "type" and key in sc.actors and float(value).is_integer():
        kinds = list(sc.actors[key].types)
        if 0 <= int(value) < len(kinds):
            return readable(kinds[int(value)])
    if head == "history" and value in (0.0, 1.0):
        return "in the history" if value else "left out"
    return None


def _words(path: str) -> str:
    return " › ".join(readable(p) for p in path.split(".") if p)


def uncertain(sc: Scenario) -> list[dict[str, str]]:
    """Every uncertain number: where it is, in words and as a path, and how it is drawn."""
    return [
        {"label": parameter_label(sc, path), "path": path, "value": number(dist)}
        for path, dist in sc.uncertain().items()
    ]


NOT_CHANGES = ("name", "title", "description")
"""Keys that name a variant rather than change what it runs."""


def changes(base: Scenario, variant: Scenario, most: int = 12) -> list[str]:
    """What a variant changes, one line per value in words: "Brazil: guarantee: uniform
    [0.05, 0.2] → uniform [0.5, 0.7]" (at most ``most`` lines, then how many more)."""
    old, new = {}, {}
    _flat(base.to_dict(), "", old)
    _flat(variant.to_dict(), "", new)
    paths = [p for p in dict.fromkeys([*old, *new]) if old.get(p) != new.get(p)]
    paths = [p for p in paths if p not in NOT_CHANGES]
    lines = [
        f"{parameter_label(variant, p)}: {_plain(old.get(p))} → {_plain(new.get(p))}"
        for p in paths[:most]
    ]
    if len(paths) > most:
        lines.append(f"… and {len(paths) - most} more")
    return lines


def _flat(obj: Any, prefix: str, out: dict[str, Any]) -> None:
    """Every value of a scenario's mapping by its path (a distribution is one value)."""
    if isinstance(obj, dict) and not _is_distribution(obj):
        for key, value in obj.items():
            _flat(value, child_path(prefix, str(key)), out)
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for i, item in enumerate(obj):
            _flat(item, child_path(prefix, item_name(item, i)), out)
    else:
        out[prefix] = obj


def _is_distribution(obj: dict[str, Any]) -> bool:
    return len(obj) == 1 and next(iter(obj)) in DISTRIBUTIONS


def _plain(value: Any) -> str:
    """A value of a scenario's mapping in words."""
    if value is None:
        return "(none)"
    if isinstance(value, dict) and _is_distribution(value):
        kind, args = next(iter(value.items()))
        return number(DISTRIBUTIONS[kind].model_validate({kind: args}))
    if isinstance(value, list):
        return ", ".join(readable(str(v)) for v in value) or "(none)"
    return number(value)
