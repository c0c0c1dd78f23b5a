"""The dependency direction of STYLE.md, checked by parsing every import of the project's code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "nlu", "knowledge", "tickets")

# package -> project packages it must not import
FORBIDDEN = {
    "nlu": {"bot", "knowledge", "tickets"},
    "knowledge": {"bot", "tickets"},
    "tickets": {"bot"},
}
# Dialogue code stays channel- and framework-neutral.
DIALOGUE_FORBIDDEN_LIBRARIES = {"telegram", "httpx", "aiohttp", "fastapi", "starlette"}


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute module names imported anywhere in the file (function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names.add(package)  # a relative import stays within its own package
    return names


def violations(folder: Path, forbidden: set[str]) -> list[str]:
    """Imports of a forbidden top-level module in the Python files under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for module in imported_modules(path, folder.name):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(folder.parent).as_posix()} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_the_dependency_direction(package: str) -> None:
    assert list((ROOT / package).rglob("*.py")), f"{package}/ has no Python files"
    assert violations(ROOT / package, FORBIDDEN[package]) == []


def test_dialogue_code_imports_no_channel_or_web_library() -> None:
    assert violations(ROOT / "bot" / "dialogue", DIALOGUE_FORBIDDEN_LIBRARIES) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    package = tmp_path / "nlu"
    package.mkdir()
    (package / "probe.py").write_text("def f():\n    from tickets.storage.db import Database\n", encoding="utf-8")
    (package / "fine.py").write_text("from . import probe\nimport numpy\n", encoding="utf-8")
    assert violations(package, FORBIDDEN["nlu"]) == ["nlu/probe.py imports tickets.storage.db"]
