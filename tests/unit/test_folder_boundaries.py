"""Guards on what each folder may reach into, so shared code keeps one home.

- The AWS half of `infra/` (`cdk_app.py`, `stacks/`, `resources.py`) never imports the local
  stack (`infra.local`): what both halves need lives in `infra/resources.py`.
- A test module imports shared test code only from `tests.drivers`, never from another test
  module or a conftest; the drivers import no test module either.
- A page of the static site (`console/`, `share/`, …) loads files from its own folder and
  `/shared/` only, in its scripts and in its `index.html` (import map included).

Each guard also runs against a small broken tree (`tmp_path`), so a guard that could no longer
fail would be noticed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AWS_HALF = ("infra/cdk_app.py", "infra/resources.py", "infra/stacks")
JS_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']""")
HTML_PATH = re.compile(r"""["'](/[A-Za-z0-9_-]+/)""")


def python_files(root: Path, *places: str) -> Iterator[Path]:
    for place in places:
        target = root / place
        yield from [target] if target.is_file() else sorted(target.rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def aws_half_reaching_local(root: Path) -> dict[str, set[str]]:
    reaching = {}
    for path in python_files(root, *AWS_HALF):
        local = {
            m for m in imported_modules(path) if m == "infra.local" or m.startswith("infra.local.")
        }
        if local:
            reaching[str(path.relative_to(root))] = local
    return reaching


def foreign_test_imports(root: Path) -> dict[str, set[str]]:
    """Test code importing test code other than the drivers."""
    reaching = {}
    for path in python_files(root, "tests"):
        others = {
            m
            for m in imported_modules(path)
            if m.startswith("tests.") and not m.startswith("tests.drivers")
        }
        if others:
            reaching[str(path.relative_to(root))] = others
    return reaching


def pages_reaching_other_pages(site: Path) -> dict[str, set[str]]:
    """Absolute paths a page's files load from a folder that is neither theirs nor /shared/."""
    folders = {p.name for p in site.iterdir() if p.is_dir()}
    reaching: dict[str, set[str]] = {}
    for page in sorted(folders - {"shared"}):
        for path in sorted((site / page).rglob("*")):
            if path.suffix == ".js":
                targets = JS_IMPORT.findall(path.read_text())
            elif path.suffix == ".html":
                targets = HTML_PATH.findall(path.read_text())
            else:
                continue
            foreign = {
                t
                for t in targets
                if t.startswith("/")
                and t.split("/")[1] in folders
                and t.split("/")[1] not in (page, "shared")
            }
            if foreign:
                reaching[str(path.relative_to(site))] = foreign
    return reaching


def test_the_aws_half_of_infra_never_imports_the_local_stack() -> None:
    assert aws_half_reaching_local(ROOT) == {}


def test_test_modules_share_code_only_through_the_drivers() -> None:
    assert foreign_test_imports(ROOT) == {}


def test_each_page_loads_only_its_own_folder_and_shared() -> None:
    assert pages_reaching_other_pages(ROOT / "static_site") == {}


def test_the_guards_catch_a_broken_tree(tmp_path: Path) -> None:
    (tmp_path / "infra" / "stacks").mkdir(parents=True)
    (tmp_path / "infra" / "stacks" / "data.py").write_text(
        "def limits():\n    from infra.local.provisioning import Names\n"
    )
    (tmp_path / "tests" / "e2e").mkdir(parents=True)
    (tmp_path / "tests" / "e2e" / "test_a.py").write_text(
        "from tests.drivers.api import Http\nfrom tests.e2e.test_b import helper\n"
    )
    site = tmp_path / "static_site"
    for folder in ("console", "share", "shared"):
        (site / folder).mkdir(parents=True)
    (site / "share" / "share.js").write_text(
        'import { api } from "/shared/api.js";\nimport { AnswerView } from "/console/answers.js";\n'
    )
    (site / "share" / "index.html").write_text(
        '<script type="importmap">{"imports": {"preact": "/console/vendor/preact.js"}}</script>'
    )

    assert aws_half_reaching_local(tmp_path) == {
        "infra/stacks/data.py": {"infra.local.provisioning"}
    }
    assert foreign_test_imports(tmp_path) == {"tests/e2e/test_a.py": {"tests.e2e.test_b"}}
    assert pages_reaching_other_pages(site) == {
        "share/index.html": {"/console/"},
        "share/share.js": {"/console/answers.js"},
    }
