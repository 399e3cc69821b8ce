"""The decisions table: the decision traces of runs, one row per option of every decision.

Its columns are fixed by the scenario alone, like the runs table's, so that chunks stream to
one Parquet file. Per option: ``option`` (its kind), ``arg`` (a rung or deal name, or empty),
``label`` (a readable form), ``utility``, ``probability``, ``chosen``, ``best`` (its utility is
the highest of the decision, to within a millionth; NA where utilities are not computed) and
``success`` (the chance of the success roll that would end the run, NaN for an option without
one). Per decision, repeated on each of its options: ``run``, ``step`` (the decision's number
in its run), ``time``, ``date``, ``actor``, ``context``, ``sender`` and the state it saw:
``rung.<actor>``, ``cohesion``, ``demand.<coercer>`` and ``threat.<coercer>`` (the rung it
threatens next), ``belief.<observer>.<actor>`` (the chance of resolve it puts on the actor),
``type.<observer>.<actor>.<type>`` (its probability of each type) and
``posterior.<observer>.<actor>.<type>`` (that probability after a choice of the typed actor,
NaN on other rows). Categories keep the text columns small; state numbers are float32.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escalsim.text import readable

if TYPE_CHECKING:
    import pandas as pd

    from escalsim.engine import RunRecord
    from escalsim.scenario.schema import Scenario

CONTEXTS = ("review", "demand", "ultimatum", "counter", "proposal", "deadline")
"""Why an actor decides: its own review, or a message (a demand, an ultimatum, a counter-offer,
a mediator's proposal, its deadline)."""

DEAL_KINDS = ("demand", "ultimatum", "concede", "accept", "counter", "mediate")
"""The options whose argument is a deal."""

_HOLD = {
    "review": "hold",
    "demand": "refuse",
    "ultimatum": "refuse",
    "counter": "refuse the counter-offer",
    "proposal": "refuse the proposal",
    "deadline": "let the deadline pass",
}
_WITH_ARG = {
    "climb": "climb to {}",
    "descend": "step down to {}",
    "demand": "demand {}",
    "ultimatum": "ultimatum: {}",
    "concede": "soften the demand to {}",
    "accept": "accept {}",
    "counter": "counter with {}",
    "mediate": "propose {}",
}
_BARE = {
    "backdown": "back down",
    "rally": "rally",
    "guarantee": "guarantee a deal",
    "host": "offer to host",
}


def option_label(kind: str, arg: str, context: str) -> str:
    """A readable label of an option: ``climb to air campaign``, ``accept leave now``."""
    if kind == "hold":
        return _HOLD.get(context, "hold")
    if kind in _WITH_ARG and arg:
        return _WITH_ARG[kind].format(readable(arg))
    return _BARE.get(kind, readable(kind))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class DecisionLayout:
    """Columns, dtypes and categories of the decisions table of one scenario."""

    start: dt.date
    state: tuple[str, ...]
    """The per-decision state columns, in table order."""
    categories: dict[str, tuple[str, ...]] = field(compare=False)
    """The categories of each text column."""

    @classmethod
    def of(cls, sc: Scenario) -> DecisionLayout:
        from escalsim.scenario.kinds import ACTIONS

        actors = sc.actors
        laddered = [a for a, x in actors.items() if x.ladder]
        coercers = [a for a, x in actors.items() if x.demands and x.opponent is not None]
        pairs = [(o, x) for o, spec in actors.items() for x in spec.beliefs]
        typed = [(o, x) for o, x in pairs if actors[x].types]
        rungs = _unique(r.name for a in laddered for r in actors[a].ladder)
        deals = tuple(sc.deals)
        custom = _unique(n for x in actors.values() for n in x.actions)
        kinds = _unique((*ACTIONS, *custom))
        state = [f"rung.{a}" for a in laddered]
        state += ["cohesion"] if sc.processes.cohesion is not None else []
        cats: dict[str, tuple[str, ...]] = {}
        for a in coercers:
            state.append(f"demand.{a}")
            cats[f"demand.{a}"] = ("", *actors[a].demands)
            if actors[a].ladder:
                state.append(f"threat.{a}")
                cats[f"threat.{a}"] = ("", *(r.name for r in actors[a].ladder))
        state += [f"belief.{o}.{x}" for o, x in pairs]
        for prefix in ("type", "posterior"):
            state += [f"{prefix}.{o}.{x}.{k}" for o, x in typed for k in actors[x].types]
        args = ("", *rungs, *deals)
        labels = [option_label(k, a, c) for k in kinds for a in args for c in CONTEXTS]
        cats.update(
            actor=tuple(actors),
            context=CONTEXTS,
            sender=("", *actors),
            option=kinds,
            arg=_unique(args),
            label=_unique(labels),
        )
        return cls(sc.start, tuple(state), cats)

    @property
    def columns(self) -> list[str]:
        return [
            "run",
            "step",
            "time",
            "date",
            "actor",
            "context",
            "sender",
            "option",
            "arg",
            "label",
            "utility",
            "probability",
            "chosen",
            "best",
            "success",
            *self.state,
        ]

    def frame(self, records: Sequence[RunRecord]) -> pd.DataFrame:
        """The traces of the records as one table (records without one add no rows)."""
        import numpy as np

        from escalsim.engine.trace import OPTION_COLUMNS

        traced = [r.decisions for r in records if r.decisions is not None]
        runs = [r.run for r in records if r.decisions is not None]
        counts = [np.asarray(t.column("options") or [], dtype="int64") for t in traced]
        every = np.concatenate(counts) if counts else np.zeros(0, "int64")
        cols: dict[str, Any] = {
            "run": np.repeat(np.asarray(runs, "int32"), [int(c.sum()) for c in counts]),
            "step": np.concatenate(
                [np.repeat(np.arange(len(c), dtype="int32"), c) for c in counts]
                or [np.zeros(0, "int32")]
            ),
        }
        options = {
            name: [v for t in traced for v in t.options[i]] for i, name in enumerate(OPTION_COLUMNS)
        }

        def per_decision(name: str, missing: Any) -> list[Any]:
            out: list[Any] = []
            for t in traced:
                out.extend(t.column(name) or [missing] * len(t))
            return out

        def codes(name: str, values: Sequence[Any]) -> Any:
            index = {c: i for i, c in enumerate(self.categories[name])}
            return np.asarray([index.get(v, -1) for v in values], dtype="int16")

        cols["time"] = np.repeat(np.asarray(per_decision("time", np.nan), "float64"), every)
        for name in ("actor", "context", "sender"):
            cols[name] = np.repeat(codes(name, per_decision(name, "")), every)
        kinds, args = options.get("option", ()), options.get("arg", ())
        cols["option"], cols["arg"] = codes("option", kinds), codes("arg", args)
        contexts = np.asarray(self.categories["context"], dtype=object)[cols["context"]]
        labels: dict[tuple[str, str, str], str] = {}
        cols["label"] = codes(
            "label",
            [
                labels.get(key) or labels.setdefault(key, option_label(*key))
                for key in zip(kinds, args, contexts, strict=True)
            ],
        )
        for name, dtype in (("utility", "float64"), ("probability", "float64")):
            cols[name] = np.asarray(options.get(name, ()), dtype=dtype)
        cols["chosen"] = np.asarray(options.get("chosen", ()), dtype=bool)
        cols["best"] = list(options.get("best", ()))
        cols["success"] = np.asarray(options.get("success", ()), dtype="float32")
        for name in self.state:
            if name in self.categories:
                cols[name] = np.repeat(codes(name, per_decision(name, "")), every)
            else:
                values = np.asarray(per_decision(name, np.nan), dtype="float32")
                cols[name] = np.repeat(values, every)
        return self._typed(cols, coded=True)

    def empty(self) -> pd.DataFrame:
        """The table with no rows: the schema of a decisions file."""
        return self.frame([])

    def _typed(
        self, cols: dict[str, Any], coded: bool = False, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The columns with the table's dtypes, in table order: all of them, or ``columns``
        (``coded``: the text columns are given as category codes)."""
        import numpy as np
        import pandas as pd

        from escalsim.results.layout import DATE_DTYPE

        out: dict[str, Any] = {}
        for name in self.columns if columns is None else columns:
            if name == "date":
                start = pd.Timestamp(self.start)
                delta = pd.to_timedelta(pd.Series(cols["time"], dtype="float64"), unit="D")
                out[name] = (start + delta).astype(DATE_DTYPE).to_numpy()
            elif name in self.categories:
                cats = list(self.categories[name])
                if coded:
                    out[name] = pd.Categorical.from_codes(cols[name], categories=cats)
                else:
                    out[name] = pd.Categorical(cols[name], categories=cats)
            elif name == "best":
                out[name] = pd.array(cols[name], dtype="boolean")
            elif name in ("run", "step"):
                out[name] = np.asarray(cols[name], dtype="int32")
            elif name.startswith("rung."):
                out[name] = np.asarray(cols[name], dtype="float64").astype("int16")
            elif name in self.state or name == "success":
                out[name] = np.asarray(cols[name], dtype="float32")
            elif name == "chosen":
                out[name] = np.asarray(cols[name], dtype=bool)
            else:
                out[name] = np.asarray(cols[name], dtype="float64")
        return pd.DataFrame(out, columns=list(out))

    def restore(self, table: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Give a decisions table read from a file this layout's dtypes: all its columns, or
        only ``columns`` (in table order; ``date`` needs ``time``)."""
        wanted = self.columns if columns is None else [c for c in self.columns if c in columns]
        missing = [c for c in wanted if c != "date" and c not in table.columns]
        if missing:
            from escalsim.errors import ResultsError

            raise ResultsError(f"decisions table lacks column '{missing[0]}'")
        cols: dict[str, Any] = {}
        for name in wanted:
            if name == "date":
                continue
            column = table[name]
            if name in self.categories:
                text = column.astype(object)
                cols[name] = text.where(text.notna(), "").to_numpy()
            elif name == "best":
                cols[name] = [None if v is None or v != v else bool(v) for v in column]
            else:
                cols[name] = column.to_numpy()
        return self._typed(cols, columns=wanted).reset_index(drop=True)
