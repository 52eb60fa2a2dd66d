"""The floors of the house (docs/architecture.md), checked: the import-linter contracts hold, an upward import
breaks them, and no module imports itself back through others."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from tests.utils import ROOT

PACKAGES = ("anticor", "cases", "projects", "integrity")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def copy_sources(target: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", target)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "fixtures"))


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_an_upward_import_from_the_platform_breaks_a_contract(tmp_path):
    copy_sources(tmp_path)
    with (tmp_path / "anticor" / "formatting.py").open("a", encoding="utf-8") as handle:
        handle.write("\nfrom cases.models import Case  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "anticor is not allowed to import cases" in result.stdout
    assert "anticor.formatting -> cases.models" in result.stdout


def test_an_app_importing_another_app_breaks_a_contract(tmp_path):
    copy_sources(tmp_path)
    with (tmp_path / "projects" / "forms.py").open("a", encoding="utf-8") as handle:
        handle.write("\nfrom cases.forms import CaseForm  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "projects is not allowed to import cases" in result.stdout


def test_a_selector_importing_a_view_breaks_a_contract(tmp_path):
    copy_sources(tmp_path)
    with (tmp_path / "cases" / "selectors.py").open("a", encoding="utf-8") as handle:
        handle.write("\nfrom cases import views  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "cases.selectors is not allowed to import cases.views" in result.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), imports inside functions included."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    known = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & known) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert _cycles(graph) == []
