"""action.yml, the composite GitHub Action: its steps agree with its inputs, and the lint step's
script, run by bash with a stand-in `betacontent`, passes them as `betacontent lint` wants."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT

TEXT = (ROOT / "action.yml").read_text("utf-8")
ACTION: dict[str, Any] = yaml.safe_load(TEXT)
STEPS: dict[str, dict[str, Any]] = {step["name"]: step for step in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def test_every_input_is_declared_used_and_kept_out_of_the_scripts() -> None:
    inputs = ACTION["inputs"]
    assert ACTION["runs"]["using"] == "composite"
    assert inputs["path"]["default"] == "."
    assert inputs["args"]["default"] == ""
    used = {name for name in EXPRESSION.findall(TEXT) if name.startswith("inputs.")}
    assert used == {f"inputs.{name}" for name in inputs}
    for step in STEPS.values():
        if "run" in step:
            assert step["shell"] == "bash"  # required in a composite action
            assert not EXPRESSION.search(step["run"]), "inputs go through env, not the script"


def test_python_comes_from_the_input_and_the_action_path_is_installed() -> None:
    assert list(STEPS) == ["Set up Python", "Install betacontent", "betacontent lint"]
    setup = STEPS["Set up Python"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"] == {"python-version": "${{ inputs.python-version }}"}
    install = STEPS["Install betacontent"]["run"]
    assert install.startswith("python -m pip install ")
    assert install.endswith(' "$GITHUB_ACTION_PATH"')


def lint_step_argv(tmp_path: Path, path: str, args: str) -> list[str]:
    """The arguments the lint step's script gives `betacontent`, for these inputs."""
    stub = tmp_path / "bin" / "betacontent"
    stub.parent.mkdir(exist_ok=True)
    stub.write_text("#!/bin/sh\nprintf '%s\\0' \"$@\"\n")
    stub.chmod(0o755)
    step = STEPS["betacontent lint"]
    inputs = {"inputs.path": path, "inputs.args": args}
    env = {
        name: EXPRESSION.sub(lambda m: inputs[m[1]], value) for name, value in step["env"].items()
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={**os.environ, **env, "PATH": f"{stub.parent}{os.pathsep}{os.environ['PATH']}"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\0")[:-1]


def test_the_lint_step_runs_betacontent_lint_format_github_with_the_inputs(
    tmp_path: Path,
) -> None:
    assert lint_step_argv(tmp_path, ".", "") == ["lint", "--format", "github", "--", "."]
    assert lint_step_argv(tmp_path, "my site/*", " --select BC2,BC3  --since origin/main") == [
        "lint",
        "--format",
        "github",
        "--select",
        "BC2,BC3",
        "--since",
        "origin/main",
        "--",
        "my site/*",
    ]
