"""Options shared by several commands (``--set path=value``), parsed once, the same way.

A command takes ``set_: SetOption = None`` and calls ``parse_overrides(set_)``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

SET_HELP = (
    "Override one scenario value: a dotted path and a YAML value, e.g. "
    "--set actors.us.rationality=0.8 or --set 'actors.us.credibility={beta: [6, 3]}'. "
    "Repeatable."
)

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="PATH=VALUE", help=SET_HELP, show_default=False),
]
"""The repeatable ``--set path=value`` option."""


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """Turn ``["path=value", ...]`` into ``{path: value}``; a malformed item is a usage error."""
    import yaml  # here, not at the top, so that ``escalsim --help`` does not load it

    out: dict[str, Any] = {}
    for item in items or []:
        path, eq, text = item.partition("=")
        path = path.strip()
        if not eq or not path:
            raise typer.BadParameter(f"expected PATH=VALUE, got {item!r}", param_hint="'--set'")
        try:
            if any(isinstance(t, (yaml.AnchorToken, yaml.AliasToken)) for t in yaml.scan(text)):
                raise typer.BadParameter(
                    f"anchors and aliases are not allowed in a value, got {text!r}",
                    param_hint="'--set'",
                )
            out[path] = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise typer.BadParameter(
                f"cannot read the value of {path!r} as YAML ({problem}): {text!r}",
                param_hint="'--set'",
            ) from None
    return out
