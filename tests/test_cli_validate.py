"""``escalsim validate``, ``escalsim schema`` and ``escalsim --version``: output, exit codes
(0 ok, 1 bad input, 2 bad usage) and never a traceback for a user's mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_main
from scenario_helpers import MINIMAL, SMALL, edit, write
from time_limits import HANG_GUARD

import escalsim
from escalsim.engine import compiled
from escalsim.errors import RunError

BAD = edit("    rationality: 2.0\n", "    rationality: 2.0\n    credibility: 1.4\n")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m escalsim.cli.main`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "escalsim.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )


def test_validate_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, MINIMAL)
    code, out, err = run_main(["validate", str(file), str(SMALL)], capsys)
    assert code == 0
    assert out.splitlines() == [f"{file}: ok", f"{SMALL}: ok"]
    # a valid file may still hold an input that changes nothing: a warning, not a failure
    assert err.splitlines() == [
        "warning: actors.us.rationality: 'us' never chooses by utility and no actor forecasts "
        f"its choices, so this is never read ({file}:7:18)"
    ]


def test_validate_invalid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, BAD, "bad.yaml")
    code, out, err = run_main(["validate", str(bad)], capsys)
    assert code == 1
    assert out == ""
    assert err.strip() == f"actors.us.credibility: must be in [0, 1], got 1.4 ({bad}:8:18)"


def test_validate_reports_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, BAD, "bad.yaml")
    missing = tmp_path / "missing.yaml"
    args = ["validate", str(bad), str(good), str(missing), str(tmp_path)]
    code, out, err = run_main(args, capsys)
    assert code == 1
    assert out.splitlines() == [f"{good}: ok"]
    assert [line for line in err.splitlines() if not line.startswith("warning: ")] == [
        f"actors.us.credibility: must be in [0, 1], got 1.4 ({bad}:8:18)",
        f"file not found ({missing})",
        f"is a directory, not a scenario file ({tmp_path})",
    ]


@pytest.mark.parametrize(
    "text",
    [b"", b"a: [1,\n", b"name: \xff\n", b"x: !!python/object/apply:os.system ['true']\n"],
    ids=["empty", "syntax", "non-utf8", "python-tag"],
)
def test_validate_malformed_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: bytes
) -> None:
    file = write(tmp_path, text)
    code, out, err = run_main(["validate", str(file)], capsys)
    assert code == 1
    assert str(file) in err
    assert out == ""


def test_set_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, MINIMAL)
    args = ["validate", str(file), "--set", "horizon=30"]
    args += ["--set", "actors.us.credibility={beta: [6, 3]}", "--set", "actors.ve.name=Target"]
    code, out, _ = run_main(args, capsys)
    assert code == 0
    assert out.strip() == f"{file}: ok"


def test_set_invalid_value_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, MINIMAL)
    code, _, err = run_main(["validate", str(file), "--set", "actors.us.credibility=1.4"], capsys)
    assert code == 1
    assert err.strip() == (
        f"actors.us.credibility: must be in [0, 1], got 1.4 (override of {file})"
    )


def test_set_unknown_path_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, MINIMAL)
    code, _, err = run_main(["validate", str(file), "--set", "actors.uss.rationality=1"], capsys)
    assert code == 1
    assert "actors.uss.rationality: no such path: 'uss' not found (did you mean 'us'?)" in err


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("nonsense", "expected PATH=VALUE, got 'nonsense'"),
        ("=3", "expected PATH=VALUE, got '=3'"),
        ("horizon=[1,", "cannot read the value of 'horizon' as YAML"),
        ("horizon=&a [*a]", "anchors and aliases are not allowed"),
    ],
    ids=["no-equals", "no-path", "bad-yaml", "alias"],
)
def test_malformed_set_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], item: str, message: str
) -> None:
    file = write(tmp_path, MINIMAL)
    code, out, err = run_main(["validate", str(file), "--set", item], capsys)
    assert code == 2
    assert "--set" in err
    assert message in " ".join(err.replace("│", " ").split())  # the panel may wrap lines
    assert out == ""


@pytest.mark.parametrize(
    "args",
    [["validate"], ["frobnicate"], ["validate", "--colour", "x.yaml"], []],
    ids=["no-file", "unknown-command", "unknown-option", "no-command"],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(args, capsys)
    assert code == 2
    assert "Usage:" in out + err


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "Scenario"
    assert schema["additionalProperties"] is False
    assert {"schema_version", "name", "start", "horizon", "actors", "outcomes"} <= set(
        schema["required"]
    )
    assert "Actor" in schema["$defs"]
    assert out.startswith("{\n  ")  # indented for people and editors


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0
    build = "model and engine compiled" if compiled() else "pure Python"
    assert out.strip() == f"escalsim {escalsim.__version__} ({build})"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0
    assert "validate" in out
    assert "schema" in out


def test_escalsim_error_from_a_command_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import escalsim.scenario.loader

    def fail(*args: object, **kwargs: object) -> None:
        raise RunError("the run failed", run=3, seed=42)

    monkeypatch.setattr(escalsim.scenario.loader, "load_located", fail)
    code, out, err = run_main(["validate", str(write(tmp_path, MINIMAL))], capsys)
    assert code == 1
    assert err.strip() == "error: the run failed (run 3, seed 42)"
    assert out == ""


# --- end to end, in a fresh interpreter -------------------------------------------------------


def test_module_entry_point_ok_and_bad(tmp_path: Path) -> None:
    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, BAD, "bad.yaml")
    ok = run_cli("validate", str(good))
    assert (ok.returncode, ok.stdout.strip()) == (0, f"{good}: ok")
    assert all(line.startswith("warning: ") for line in ok.stderr.splitlines())
    failed = run_cli("validate", str(good), str(bad))
    assert failed.returncode == 1
    assert failed.stdout.strip() == f"{good}: ok"
    assert f"({bad}:8:18)" in failed.stderr
    assert "Traceback" not in failed.stdout + failed.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate", "--set", "nonsense", "x.yaml"], 2),
        (["validate", "does/not/exist.yaml"], 1),
        (["validate", "."], 1),
        (["--version"], 0),
    ],
    ids=["malformed-set", "missing-file", "directory", "version"],
)
def test_module_entry_point_exit_codes(args: list[str], code: int) -> None:
    result = run_cli(*args)
    assert result.returncode == code
    assert "Traceback" not in result.stdout + result.stderr


def test_importing_the_cli_is_light() -> None:
    probe = (
        "import sys, escalsim; before = set(sys.modules); import escalsim.cli.main; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=True,
    )
    added = result.stdout.split()
    heavy = [m for m in added if m.split(".")[0] in {"pandas", "matplotlib", "pyarrow", "scipy"}]
    assert heavy == []
    assert "escalsim.cli.main" in added


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"]], ids=["help", "run-help"])
def test_help_loads_neither_the_engine_nor_numpy(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from escalsim.cli.main import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('numpy', 'pandas', 'matplotlib', 'pyarrow', 'dask', 'distributed', 'scipy',\n"
        "         'SALib', 'simpy', 'yaml', 'escalsim.scenario', 'escalsim.engine')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=True,
    )
    assert "Usage" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
