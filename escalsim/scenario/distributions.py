"""Uncertain parameters as small value objects: validated on construction, sampled with a given rng.

In YAML any number may be written as a one-key mapping naming a distribution, for example
``{beta: [6, 3]}``, ``{uniform: [0.2, 0.6]}``, ``{normal: [0, 1], bounds: [-1, 2]}``,
``{triangular: [lo, mode, hi]}``, ``{lognormal: [mu, sigma]}`` or ``{choice: {0.2: 1, 0.5: 3}}``.
"""

from __future__ import annotations

import math
import sys
from statistics import NormalDist
from typing import Annotated, Any, ClassVar, Union

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    model_validator,
)

Real = Annotated[float, Strict()]
PositiveReal = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
FiniteReal = Annotated[float, Strict(), Field(allow_inf_nan=False)]
_LARGEST = sys.float_info.max


def _finite(x: float) -> float:
    """A draw that overflowed (a huge lognormal or normal) is kept at the largest float."""
    return min(max(x, -_LARGEST), _LARGEST)


class Distribution(BaseModel):
    """Base of the distribution value objects."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[str] = ""

    def sample(self, rng: np.random.Generator) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{{{self.kind}: {self._args()}}}"

    __str__ = __repr__

    def _args(self) -> str:
        return repr(list(getattr(self, self.kind)))


class Beta(Distribution):
    """Beta(a, b) on [0, 1]: the natural prior for a probability."""

    kind: ClassVar[str] = "beta"
    beta: tuple[PositiveReal, PositiveReal]

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.beta(*self.beta))

    @property
    def mean(self) -> float:
        a, b = self.beta
        return a / (a + b)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)


class Uniform(Distribution):
    """Uniform on [lo, hi]."""

    kind: ClassVar[str] = "uniform"
    uniform: tuple[FiniteReal, FiniteReal]

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        lo, hi = self.uniform
        if not lo < hi:
            raise ValueError(f"uniform needs lo < hi, got [{lo}, {hi}]")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        lo, hi = self.uniform
        if not math.isfinite(hi - lo):  # wider than the largest float: draw at half scale
            return 2.0 * float(rng.uniform(lo / 2, hi / 2))
        return float(rng.uniform(lo, hi))

    @property
    def mean(self) -> float:
        return (self.uniform[0] + self.uniform[1]) / 2

    @property
    def support(self) -> tuple[float, float]:
        return self.uniform


class Normal(Distribution):
    """Normal(mu, sd), optionally truncated to ``bounds: [lo, hi]`` (sampled by inverse CDF)."""

    kind: ClassVar[str] = "normal"
    normal: tuple[FiniteReal, PositiveReal]
    bounds: tuple[Real, Real] | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Normal:
        if self.bounds is not None:
            lo, hi = self.bounds
            if not lo < hi:
                raise ValueError(f"normal bounds need lo < hi, got [{lo}, {hi}]")
            dist = NormalDist(*self.normal)
            if dist.cdf(hi) - dist.cdf(lo) < 1e-9:
                raise ValueError("normal bounds leave no probability mass")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        mu, sd = self.normal
        if self.bounds is None:
            return _finite(float(rng.normal(mu, sd)))
        dist = NormalDist(mu, sd)
        lo, hi = (dist.cdf(b) for b in self.bounds)
        u = lo + (hi - lo) * float(rng.random())
        u = min(max(u, 1e-15), 1 - 1e-15)
        return min(max(dist.inv_cdf(u), self.bounds[0]), self.bounds[1])

    @property
    def mean(self) -> float:
        mu, sd = self.normal
        if self.bounds is None:
            return mu
        dist = NormalDist(mu, sd)
        a, b = ((x - mu) / sd for x in self.bounds)
        z = NormalDist()
        mass = z.cdf(b) - z.cdf(a)
        return mu + sd * (z.pdf(a) - z.pdf(b)) / mass if mass > 0 else dist.mean

    @property
    def support(self) -> tuple[float, float]:
        return self.bounds if self.bounds is not None else (-math.inf, math.inf)

    def _args(self) -> str:
        extra = f", bounds: {list(self.bounds)}" if self.bounds else ""
        return f"{list(self.normal)}{extra}"


class Triangular(Distribution):
    """Triangular(lo, mode, hi): an expert's range with a most likely value."""

    kind: ClassVar[str] = "triangular"
    triangular: tuple[FiniteReal, FiniteReal, FiniteReal]

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        lo, mode, hi = self.triangular
        if not (lo <= mode <= hi and lo < hi):
            raise ValueError(f"triangular needs lo <= mode <= hi and lo < hi, got {[lo, mode, hi]}")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        lo, mode, hi = self.triangular
        if not math.isfinite((hi - lo) * (hi - lo)):  # numpy's products would overflow
            scale = max(abs(lo), abs(hi))
            return _finite(scale * float(rng.triangular(lo / scale, mode / scale, hi / scale)))
        return float(rng.triangular(lo, mode, hi))

    @property
    def mean(self) -> float:
        return sum(self.triangular) / 3

    @property
    def support(self) -> tuple[float, float]:
        return (self.triangular[0], self.triangular[2])


class LogNormal(Distribution):
    """LogNormal(mu, sigma): exp of a Normal(mu, sigma), for positive long-tailed quantities."""

    kind: ClassVar[str] = "lognormal"
    open_low: ClassVar[bool] = True  # never takes the value 0 itself
    lognormal: tuple[FiniteReal, PositiveReal]

    def sample(self, rng: np.random.Generator) -> float:
        return _finite(float(rng.lognormal(*self.lognormal)))

    @property
    def mean(self) -> float:
        mu, sigma = self.lognormal
        return math.exp(mu + sigma * sigma / 2)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)


class Choice(Distribution):
    """A discrete choice among values with weights: ``{choice: {value: weight, ...}}``."""

    kind: ClassVar[str] = "choice"
    choice: dict[FiniteReal, PositiveReal] = Field(min_length=1)

    def sample(self, rng: np.random.Generator) -> float:
        values = list(self.choice)
        weights = np.array(list(self.choice.values()), dtype=float)
        if weights.max() > _LARGEST / len(weights):  # their sum would overflow: scale down
            weights = weights / weights.max()
        return float(values[int(rng.choice(len(values), p=weights / weights.sum()))])

    @property
    def mean(self) -> float:
        total = sum(self.choice.values())
        return sum(v * w for v, w in self.choice.items()) / total

    @property
    def support(self) -> tuple[float, float]:
        return (min(self.choice), max(self.choice))

    def _args(self) -> str:
        return repr(dict(self.choice))


DISTRIBUTIONS: dict[str, type[Distribution]] = {
    d.kind: d for d in (Beta, Uniform, Normal, Triangular, LogNormal, Choice)
}


def _kind_of(value: Any) -> str | None:
    """Tell pydantic which member of the Num union a raw value is meant to be."""
    if isinstance(value, Distribution):
        return value.kind
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        kinds = [k for k in value if k in DISTRIBUTIONS]
        return kinds[0] if len(kinds) == 1 else None
    return None


_NumUnion = Union[  # noqa: UP007 - pydantic needs the Union object for tagging
    Annotated[FiniteReal, Tag("number")],
    Annotated[Beta, Tag("beta")],
    Annotated[Uniform, Tag("uniform")],
    Annotated[Normal, Tag("normal")],
    Annotated[Triangular, Tag("triangular")],
    Annotated[LogNormal, Tag("lognormal")],
    Annotated[Choice, Tag("choice")],
]

Num = Annotated[
    _NumUnion,
    Discriminator(
        _kind_of,
        custom_error_type="number_or_distribution",
        custom_error_message=(
            "expected a number or a distribution ({"
            + ", ".join(f"{k}: ..." for k in DISTRIBUTIONS)
            + "})"
        ),
    ),
]
"""A number that may be uncertain."""


def _ranged(lo: float, hi: float, *, lo_open: bool = False) -> Any:
    def check(value: float | Distribution) -> float | Distribution:
        s_lo, s_hi = (value, value) if isinstance(value, float) else value.support
        open_low = getattr(value, "open_low", False)
        low_ok = (s_lo > lo or (open_low and s_lo == lo)) if lo_open else s_lo >= lo
        if not (low_ok and s_hi <= hi):
            left = "(" if lo_open else "["
            found = (
                value if isinstance(value, float) else f"{value!r} with support [{s_lo}, {s_hi}]"
            )
            raise ValueError(f"must be in {left}{lo:g}, {hi:g}], got {found}")
        return value

    return AfterValidator(check)


Probability = Annotated[Num, _ranged(0.0, 1.0)]
NonNegative = Annotated[Num, _ranged(0.0, math.inf)]
Positive = Annotated[Num, _ranged(0.0, math.inf, lo_open=True)]
AnyReal = Num
