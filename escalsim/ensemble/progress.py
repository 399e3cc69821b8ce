"""A progress bar for long ensembles: tqdm in a terminal or notebook, silent otherwise."""

from __future__ import annotations

import sys
from typing import Any


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _interactive() -> bool:
    """True when stderr is a terminal or the code runs in a Jupyter kernel."""
    stream = sys.stderr
    try:
        if stream is not None and stream.isatty():
            return True
    except (AttributeError, ValueError):  # replaced or closed stderr
        pass
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and hasattr(shell, "kernel")


def progress_bar(progress: bool | None, total: int | None, desc: str) -> Any:
    """An object with ``update(n)`` and ``close()``: a tqdm bar when ``progress`` is True, or
    None and the session is interactive; else one that does nothing."""
    if progress is None:
        progress = _interactive()
    if not progress:
        return _Silent()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="run", dynamic_ncols=True)
