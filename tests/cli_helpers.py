"""Calling the ``escalsim`` entry point in-process, as the CLI tests do."""

from __future__ import annotations

import pytest

from escalsim.cli.main import main


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Call the entry point in-process; return (exit code, stdout, stderr), never a traceback."""
    with pytest.raises(SystemExit) as excinfo:
        main(args)
    out, err = capsys.readouterr()
    code = excinfo.value.code
    assert "Traceback" not in out + err
    return (0 if code is None else int(code)), out, err
