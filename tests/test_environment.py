"""environment.yml must agree with pyproject.toml, checked without conda."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_uses_conda_forge_python_311_and_pip():
    env = _env()
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    assert "python=3.11" in deps
    assert "pip" in deps
    requires = _pyproject()["project"]["requires-python"]
    assert requires.startswith(">=3.") and int(requires.split(".")[1]) <= 11, requires


def test_environment_installs_the_project_with_every_extra():
    env = _env()
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    extras = set(_pyproject()["project"]["optional-dependencies"])
    installs = [line for line in pip_section if re.match(r"^(-e\s+)?\.(\[|$)", line)]
    assert len(installs) == 1, f"pip section must install the project once, found {pip_section}"
    named = set(re.search(r"\[(.*)\]", installs[0]).group(1).split(","))
    assert named == extras, f"environment.yml installs extras {sorted(named)}, pyproject has {sorted(extras)}"


def test_environment_lists_no_package_pyproject_does_not_declare():
    """Any package pinned in environment.yml besides python/pip must be a pyproject dependency."""
    project = _pyproject()["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        declared |= {_name(r) for r in reqs}
    env = _env()
    conda_pkgs = {_name(d.split("=")[0]) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_pkgs = {_name(line) for d in env["dependencies"] if isinstance(d, dict)
                for line in d["pip"] if not line.startswith(("-e", "."))}
    undeclared = (conda_pkgs | pip_pkgs) - declared
    assert not undeclared, f"environment.yml lists packages missing from pyproject.toml: {sorted(undeclared)}"


def test_design_card_packages_are_declared():
    project = _pyproject()["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        declared |= {_name(r) for r in reqs}
    for pkg in ["jupyterlab", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "scikit-learn", "nbval"]:
        assert pkg in declared, pkg
