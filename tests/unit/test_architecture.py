"""Guards on the layers: the domain never needs Chalice, no import cycle, a lean worker.

- Every module under `chalicelib/domain`, `chalicelib/data` and `chalicelib/adapters` imports
  in a fresh interpreter where `chalice`, `app` and the HTTP layer (`chalicelib.api`) cannot
  be imported: the media worker's image and the sweep have no web framework.
- No import cycle between domain modules, counting imports inside functions (a cycle
  hidden in a function is still a cycle, only a later and more surprising one).
- The media worker's import closure, from `media_worker.handler` and again counting
  function-level imports, never reaches `chalicelib.api`, `chalice` or `app`.

Each guard is also run against a small broken package (`tmp_path`), so a guard that could
no longer fail would be noticed.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("chalicelib/domain", "chalicelib/data", "chalicelib/adapters")
BLOCKED = ("chalice", "app", "chalicelib.api")
FIRST_PARTY = ("chalicelib", "media_worker", "app")

# Run in a fresh interpreter: a finder ahead of every other one refuses the blocked names,
# then each module is imported in turn and the failures are reported as JSON.
_IMPORT_ALL = """
import importlib, json, sys, traceback

BLOCKED = {blocked!r}

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ImportError(f"{{name}} is blocked: this layer must not need it")
        return None

sys.meta_path.insert(0, Blocker())
failures = {{}}
for module in {modules!r}:
    try:
        importlib.import_module(module)
    except BaseException as error:
        failures[module] = "".join(traceback.format_exception_only(type(error), error)).strip()
print(json.dumps(failures))
"""


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_under(root: Path, folders: Iterable[str]) -> list[str]:
    return sorted(
        module_name(path, root) for folder in folders for path in (root / folder).rglob("*.py")
    )


def import_failures(root: Path, modules: list[str], blocked: tuple[str, ...]) -> dict[str, str]:
    """Import `modules` in a fresh interpreter rooted at `root` with `blocked` refused."""
    script = _IMPORT_ALL.format(blocked=blocked, modules=modules)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the import graph, read from source -------------------------------------------------------


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs, at module level or inside functions; not `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _file_of(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(path: Path, root: Path) -> set[str]:
    """Every module `path` imports when run, absolute names, function-level imports included.

    `from package import name` counts `package.name` when that is a module of ours.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            for alias in node.names:
                if _file_of(root, f"{source}.{alias.name}") is not None:
                    found.add(f"{source}.{alias.name}")
    return found


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(root: Path, folder: str) -> dict[str, set[str]]:
    """Module → the modules of the same folder it imports."""
    modules = set(modules_under(root, [folder]))
    graph: dict[str, set[str]] = {}
    for module in modules:
        path = _file_of(root, module)
        assert path is not None
        graph[module] = {m for m in imports_of(path, root) if m in modules and m != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def closure(root: Path, start: str) -> tuple[set[str], set[str]]:
    """Our modules reachable from `start`, and the top-level names of everything they import.

    Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` too, so those count.
    """
    ours: set[str] = set()
    imported: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        if module in ours:
            continue
        ours.add(module)
        path = _file_of(root, module)
        if path is None:
            continue
        for name in imports_of(path, root):
            imported.add(name)
            for candidate in [*_parents(name), name]:
                if candidate.split(".")[0] in FIRST_PARTY and _file_of(root, candidate):
                    todo.append(candidate)
    return ours, imported


def reaches_forbidden(root: Path, start: str) -> list[str]:
    ours, imported = closure(root, start)
    return sorted(
        name
        for name in ours | imported
        if any(name == b or name.startswith(b + ".") for b in BLOCKED)
    )


# --- the guards on this repository ----------------------------------------------------------


def test_domain_data_and_adapters_import_without_chalice_app_or_the_http_layer() -> None:
    # GIVEN every module of the three inner layers
    modules = modules_under(ROOT, LAYERS)
    assert "chalicelib.domain.invitation_lifecycle" in modules
    # WHEN each is imported where chalice, app and chalicelib.api cannot be
    failures = import_failures(ROOT, modules, BLOCKED)
    # THEN all of them import
    assert failures == {}


def test_no_import_cycle_between_domain_modules() -> None:
    graph = import_graph(ROOT, "chalicelib/domain")
    assert "chalicelib.domain.invitation_lifecycle" in graph["chalicelib.domain.answer_lifecycle"]
    assert cycles(graph) == []


def test_the_media_worker_never_reaches_the_http_layer_chalice_or_app() -> None:
    ours, _ = closure(ROOT, "media_worker.handler")
    # The worker does reach the answer lifecycle (the closure is really followed) ...
    assert "chalicelib.domain.answer_lifecycle" in ours
    # ... and nothing of the web side.
    assert reaches_forbidden(ROOT, "media_worker.handler") == []


# --- each guard fails when its rule is broken ------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A small tree that breaks every rule: chalice in the domain, a hidden cycle, a worker
    that reaches the HTTP layer through a function-level import."""
    _write(
        tmp_path,
        {
            "chalicelib/__init__.py": "",
            "chalicelib/api/__init__.py": "",
            "chalicelib/api/routes.py": "",
            "chalicelib/domain/__init__.py": "",
            "chalicelib/domain/clean.py": "import json\n",
            "chalicelib/domain/framework.py": "from chalice.app import Blueprint\n",
            "chalicelib/domain/entry.py": "import app\n",
            "chalicelib/domain/first.py": "from chalicelib.domain import second\n",
            "chalicelib/domain/second.py": (
                "def later():\n    from chalicelib.domain.first import x  # noqa\n"
            ),
            "chalicelib/domain/typed.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from chalicelib.domain import clean\n"
            ),
            "media_worker/__init__.py": "",
            "media_worker/handler.py": "from chalicelib.domain import worker_side\n",
            "chalicelib/domain/worker_side.py": (
                "def render():\n    from chalicelib.api import routes\n"
            ),
            "app.py": "",
        },
    )
    return tmp_path


def test_the_import_guard_fails_on_a_domain_module_that_needs_chalice_or_app(
    broken: Path,
) -> None:
    modules = modules_under(broken, ["chalicelib/domain"])
    failures = import_failures(broken, modules, BLOCKED)
    assert set(failures) == {"chalicelib.domain.framework", "chalicelib.domain.entry"}
    assert "chalice is blocked" in failures["chalicelib.domain.framework"]


def test_the_cycle_guard_sees_a_cycle_hidden_in_a_function(broken: Path) -> None:
    graph = import_graph(broken, "chalicelib/domain")
    assert cycles(graph) == [["chalicelib.domain.first", "chalicelib.domain.second"]]
    # Imports only for type checkers never run, so they are not edges.
    assert graph["chalicelib.domain.typed"] == set()


def test_the_worker_guard_follows_function_level_imports(broken: Path) -> None:
    assert reaches_forbidden(broken, "media_worker.handler") == [
        "chalicelib.api",
        "chalicelib.api.routes",
    ]
