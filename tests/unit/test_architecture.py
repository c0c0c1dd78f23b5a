"""The architecture, checked by parsing every import of the project's code (docs/architecture.md draws it).

1. Between the top-level packages: `nlu` imports nothing of ours, `knowledge` may import `nlu`, `tickets` may
   import both, `bot` everything.
2. Inside `tickets/`, each concern imports only the concerns below it: calendar ← storage ← domain ← reports
   ← console; the demo data builds on the domain.
3. Inside `bot/`, the dialogue knows no channel, transport, app or command; nothing imports the commands.
   The dialogue reaches the database only through its store (`bot/dialogue/store.py`).
4. No import circles anywhere (imports inside functions count; those only for type checkers do not).
"""

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
# concern inside tickets/ -> the concerns it may import
TICKETS_MAY_IMPORT = {
    "calendar": set(),
    "storage": {"calendar"},
    "domain": {"calendar", "storage"},
    "reports": {"calendar", "storage", "domain"},
    "dialogues": {"calendar", "storage", "domain", "reports"},
    "console": {"calendar", "storage", "domain", "reports", "dialogues"},
    "demo": {"calendar", "storage", "domain", "dialogues"},
}
# part of bot/ -> the parts of bot/ it must not import
BOT_FORBIDDEN = {
    "dialogue": {"channels", "delivery", "app", "bootstrap", "cli", "rasa", "health"},
    "channels": {"app", "cli"},
    "delivery": {"app", "bootstrap", "cli"},
    "rasa": {"app", "cli"},
}
# Dialogue code stays channel- and framework-neutral.
DIALOGUE_FORBIDDEN_LIBRARIES = {"telegram", "httpx", "aiohttp", "fastapi", "starlette"}
# Only the dialogue's store touches the database.
DATABASE_MODULES = ("sqlalchemy", "sqlmodel", "tickets.storage.db", "tickets.storage.outbox", "tickets.domain.services")


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The nodes under `if TYPE_CHECKING:`: imports for annotations, never run."""
    return {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in ast.walk(node)
    }


def import_statements(path: Path, package: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every import of the file as (module, names taken from it): `import a.b` is ("a.b", ()), `from a import
    b, c` is ("a", ("b", "c")). Imports inside functions count; those under `if TYPE_CHECKING:` do not."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_only(tree)
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, tuple(alias.name for alias in node.names)))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((package, ()))  # a relative import stays within its own package
    return found


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute module names the file imports."""
    return {module for module, _ in import_statements(path, package)}


def violations(folder: Path, forbidden: set[str]) -> list[str]:
    """Imports of a forbidden top-level module in the Python files under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for module in sorted(imported_modules(path, folder.name)):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(folder.parent).as_posix()} imports {module}")
    return sorted(set(found))


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the project's modules it imports (a name imported from a package counts as the package
    unless it is a module of it)."""
    files = {module_name(path, root): path for package in packages for path in (root / package).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        imported = set()
        for module, names in import_statements(path, name.split(".")[0]):
            submodules = {f"{module}.{n}" for n in names if f"{module}.{n}" in files}
            imported |= submodules
            if len(submodules) < len(names) or not names:
                imported.add(module)
        graph[name] = {m for m in imported if m in files and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def concern_violations(graph: dict[str, set[str]], package: str, may_import: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imported in graph.items():
        parts = module.split(".")
        if parts[0] != package or len(parts) < 2 or parts[1] not in may_import:
            continue
        for other in imported:
            other_parts = other.split(".")
            if other_parts[0] == package and len(other_parts) > 1 and other_parts[1] != parts[1]:
                if other_parts[1] not in may_import[parts[1]]:
                    found.append(f"{module} imports {other}")
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT, PACKAGES)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_the_dependency_direction(package: str) -> None:
    assert list((ROOT / package).rglob("*.py")), f"{package}/ has no Python files"
    assert violations(ROOT / package, FORBIDDEN[package]) == []


def test_every_module_of_tickets_belongs_to_a_concern() -> None:
    loose = [p.name for p in (ROOT / "tickets").glob("*.py") if p.name != "__init__.py"]
    concerns = {p.name for p in (ROOT / "tickets").iterdir() if (p / "__init__.py").exists()}
    assert loose == [] and concerns == set(TICKETS_MAY_IMPORT)


def test_each_concern_of_tickets_imports_only_those_below_it(graph) -> None:
    assert concern_violations(graph, "tickets", TICKETS_MAY_IMPORT) == []


def test_the_dialogue_knows_no_channel_and_nothing_imports_the_commands(graph) -> None:
    may_import = {
        part: {p.stem for p in (ROOT / "bot").iterdir()} - forbidden for part, forbidden in BOT_FORBIDDEN.items()
    }
    found = concern_violations(graph, "bot", may_import)
    assert found == []
    assert [m for m, imported in graph.items() if not m.startswith("bot.cli") and "bot.cli" in imported] == []


def test_dialogue_code_imports_no_channel_or_web_library() -> None:
    assert violations(ROOT / "bot" / "dialogue", DIALOGUE_FORBIDDEN_LIBRARIES) == []


def test_the_dialogue_reaches_the_database_only_through_its_store() -> None:
    found = [
        f"{path.name} imports {module}"
        for path in sorted((ROOT / "bot" / "dialogue").glob("*.py"))
        if path.name != "store.py"
        for module in imported_modules(path, "bot")
        if module.startswith(DATABASE_MODULES)
    ]
    assert found == []


def test_there_is_no_import_circle(graph) -> None:
    assert circles(graph) == []


def test_the_checkers_see_a_violation_and_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "nlu"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "probe.py").write_text("def f():\n    from tickets.storage.db import Database\n", encoding="utf-8")
    (package / "fine.py").write_text("from . import probe\nimport numpy\n", encoding="utf-8")
    (package / "a.py").write_text("from nlu import b\n", encoding="utf-8")
    (package / "b.py").write_text("def f():\n    import nlu.a\n", encoding="utf-8")
    (package / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import nlu.a\n")
    assert violations(package, FORBIDDEN["nlu"]) == ["nlu/probe.py imports tickets.storage.db"]
    assert circles(import_graph(tmp_path, ("nlu",))) == [["nlu.a", "nlu.b"]]
    layered = {"tickets.domain.x": {"tickets.console.y"}, "tickets.console.y": {"tickets.domain.x"}}
    assert concern_violations(layered, "tickets", TICKETS_MAY_IMPORT) == ["tickets.domain.x imports tickets.console.y"]
