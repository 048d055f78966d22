"""The layers (README, "Layout"): core imports no feature, models import no services or views, and
nothing imports a view. `make lint` checks them with import-linter; these tests keep its contracts in
step with the code and prove a broken layer fails the check."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ogpcocreate"
NOT_FEATURES = {"core", "translations", "__pycache__"}


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_feature_is_forbidden_to_core():
    features = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name not in NOT_FEATURES}
    core = next(c for c in _contracts() if c["source_modules"] == ["ogpcocreate.core"])
    listed = {m.removeprefix("ogpcocreate.") for m in core["forbidden_modules"]}
    assert features <= listed, f"add {sorted(features - listed)} to the core contract in pyproject.toml"


def _lint(tree: pathlib.Path) -> subprocess.CompletedProcess:
    linter = pathlib.Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(linter), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=tree,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          timeout=120)


def _copy(tmp_path) -> pathlib.Path:
    shutil.copytree(PACKAGE, tmp_path / "ogpcocreate", ignore=shutil.ignore_patterns("__pycache__", "translations"))
    return tmp_path


def test_the_layers_hold(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_view_importing_a_view_fails_the_lint(tmp_path):
    tree = _copy(tmp_path)
    views = tree / "ogpcocreate" / "votes" / "views.py"
    views.write_text(views.read_text() + "\nfrom ..calls.views import bp as calls_bp  # noqa: E402,F401\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "ogpcocreate.votes.views is not allowed to import ogpcocreate.calls.views" in result.stdout


def test_core_importing_a_feature_fails_the_lint(tmp_path):
    tree = _copy(tmp_path)
    module = tree / "ogpcocreate" / "core" / "text.py"
    module.write_text(module.read_text() + "\nfrom ..calls import models  # noqa: E402,F401\n")
    assert _lint(tree).returncode != 0
