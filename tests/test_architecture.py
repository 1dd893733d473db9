"""The shape of the house, checked: apps depend one way, nothing imports in a circle,
functions stay short and views leave writing to the verbs.

These read the source, not the running app: a lower app must not name a higher one in
any form (an import, a dotted string, `apps.get_model`, a URL name), because the moment
it does, the layers can no longer be read, tested or replaced one at a time.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: each app may name those to its left, never those to its right.
LAYERS = ["iop", "partnerships", "participants", "reporting"]
# The project's wiring names every app by design; everything else in iop/ is the ground floor.
PROJECT_WIRING = {"iop/settings.py", "iop/urls.py", "iop/wsgi.py", "iop/asgi.py"}


def _python_files(package: str) -> Iterator[Path]:
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _higher(app: str) -> list[str]:
    return LAYERS[LAYERS.index(app) + 1 :]


def _naming_pattern(names: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(names)
    return re.compile(
        rf"(from|import) +({alternatives})\b"  # an import
        rf"|[\"']({alternatives})[.:]"  # a dotted path or a URL name
        rf"|get_model\(\s*[\"']({alternatives})[\"']"  # apps.get_model("app", ...)
    )


def _upward_references() -> list[str]:
    found = []
    for app in LAYERS[:-1]:
        pattern = _naming_pattern(_higher(app))
        files = [p for p in _python_files(app) if _rel(p) not in PROJECT_WIRING]
        templates = ROOT / "templates" / app
        if templates.is_dir():
            files += sorted(templates.rglob("*.html"))
        for path in files:
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if pattern.search(line):
                    found.append(f"{_rel(path)}:{number}: {line.strip()}")
    return found


def test_it_keeps_lower_apps_from_naming_higher_ones():
    assert _upward_references() == []


def test_reporting_shows_its_deadlines_and_links_through_the_partnership_hooks():
    from django.urls import reverse

    from partnerships import hooks
    from partnerships.models import Agreement

    assert {"annual_report", "final_report"} <= {s.kind for s in hooks.deadline_sources()}
    links = hooks.agreement_links(Agreement(pk=7), 2026)
    # Participants registers its link too (the funder and target group, issue 15).
    assert [link.url for link in links if link.url.startswith("/reporting/")] == [
        reverse("reporting:index", args=[7]),
        reverse("reporting:annual_report", args=[7, 2026]),
        reverse("reporting:invoice_basis", args=[7, 2026]),
        reverse("reporting:funder_index", args=[7]),
        reverse("reporting:final_report", args=[7]),
    ]
    assert reverse("participants:funder_profile", args=[7]) in [link.url for link in links]


def test_it_would_notice_an_upward_reference():
    pattern = _naming_pattern(_higher("partnerships"))
    assert pattern.search("from reporting.models import AnnualReport")
    assert pattern.search('apps.get_model("reporting", "AnnualReport")')
    assert pattern.search("{% url 'reporting:index' agreement.pk %}")
    assert pattern.search('resource = "participants.datasets.ContactResource"')
    assert not pattern.search("participants = agreement.enrolments.all()")


# --------------------------------------------------------------------------- import circles


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module named by an import anywhere in the file (function-local ones too),
    except under `if TYPE_CHECKING:`, which never runs."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target
            for alias in node.names:
                yield f"{target}.{alias.name}"
        stack.extend(ast.iter_child_nodes(node))


def _import_graph() -> dict[str, set[str]]:
    paths = [p for app in LAYERS for p in _python_files(app)]
    modules = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        targets = _imports(tree, name, path.name == "__init__.py")
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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


def test_it_has_no_import_circle():
    assert _circles(_import_graph()) == []


def test_it_would_notice_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# --------------------------------------------------------------------------- short functions

MAX_FUNCTION_LINES = 80


def _is_demo_data(path: Path) -> bool:
    return path.name.startswith("demo") or path.name == "load_demo.py"


def _long_functions() -> list[str]:
    found = []
    for app in LAYERS:
        for path in _python_files(app):
            if _is_demo_data(path):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        found.append(f"{_rel(path)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_it_keeps_every_function_outside_demo_data_short():
    assert _long_functions() == []


# --------------------------------------------------------------------------- thin views

WRITES = {"save", "delete", "create", "bulk_create", "get_or_create", "update_or_create"}


def _view_modules() -> list[Path]:
    return [p for app in LAYERS[1:] for p in sorted((ROOT / app).glob("views*.py"))]


def _writes_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
        # A form's save(commit=False) builds an unsaved object for a verb to save.
        if name == "save" and keywords.get("commit") == "False":
            continue
        # QuerySet.update takes field=value keywords; dict.update (a context) does not.
        if name in WRITES or (name == "update" and keywords):
            found.append(f"{_rel(path)}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


@pytest.mark.parametrize("path", _view_modules(), ids=_rel)
def test_it_leaves_writing_to_the_verbs(path):
    assert _writes_in(path) == []
