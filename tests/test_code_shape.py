"""The shape issue 23 asks of the code, for every app, config/ and tests/: no module
over 500 lines, no function over 60 lines (migrations excluded). For the apps and
config/ also: ``organization``, the bottom layer, importing no other app of the project
— not even inside a function; no import circle between the project's modules (one
written-down exception: a service imports its own app's tasks inside the function that
enqueues); no import of another module's private names.

A new app goes into ``CHECKED_APPS``. These read the source
with ``ast``; they need no database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECKED_APPS = [
    "complaints",
    "config",
    "dashboards",
    "notices",
    "organization",
    "outbox",
    "reservations",
]
# The two size limits hold for the test suite too (its imports are not checked: tests may
# import private names and stand outside the layering).
SIZE_CHECKED = [*CHECKED_APPS, "tests"]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60

# The apps above organization in the layering (organization → reservations →
# complaints/notices → dashboards; outbox sends what they queue).
APPS_ABOVE_ORGANIZATION = {"reservations", "complaints", "notices", "dashboards", "outbox"}


def _sources(app: str) -> list[Path]:
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _long_functions(path: Path, root: Path = ROOT) -> list[str]:
    return [
        "%s:%s %s (%d lines)" % (path.relative_to(root), node.lineno, node.name, length)
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES
    ]


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """Every module an ``import`` or ``from … import`` names, anywhere in the tree."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _app_imports(path: Path, apps: set[str]) -> list[str]:
    return [
        "%s:%s imports %s" % (path.relative_to(ROOT), line, module)
        for line, module in _imported_modules(_tree(path))
        if module.split(".")[0] in apps
    ]


@pytest.mark.parametrize("app", SIZE_CHECKED)
def test_no_module_is_over_500_lines(app):
    too_long = [
        "%s (%d lines)" % (path.relative_to(ROOT), lines)
        for path in _sources(app)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert too_long == []


@pytest.mark.parametrize("app", SIZE_CHECKED)
def test_no_function_is_over_60_lines(app):
    too_long = [entry for path in _sources(app) for entry in _long_functions(path)]
    assert too_long == []


def test_the_settings_module_is_under_500_lines():
    # Self-contained sections (beat schedule, logging, storage) live in their own modules.
    settings = ROOT / "config" / "settings.py"
    assert len(settings.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES


def test_organization_imports_no_other_app():
    offending = [
        entry
        for path in _sources("organization")
        for entry in _app_imports(path, APPS_ABOVE_ORGANIZATION)
    ]
    assert offending == []


def test_the_import_check_sees_imports_inside_functions():
    # given a module that reaches up a layer only inside a function
    tree = ast.parse("def home():\n    from complaints.selectors import overdue_count_for\n")
    # then the check finds it
    assert _imported_modules(tree) == [(2, "complaints.selectors")]


def test_the_function_check_measures_methods_too(tmp_path):
    # given a method one line over the limit (its def line counts)
    body = "".join("        x = %d\n" % n for n in range(MAX_FUNCTION_LINES))
    source = tmp_path / "long.py"
    source.write_text("class A:\n    def method(self):\n" + body)
    # then it is reported, with its length
    assert _long_functions(source, root=tmp_path) == ["long.py:2 method (61 lines)"]


def _module_level_imports(tree: ast.Module) -> set[str]:
    """What the module's own top-level statements import, as dotted names
    (``from complaints import tasks`` gives ``complaints`` and ``complaints.tasks``)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update("%s.%s" % (node.module, alias.name) for alias in node.names)
    return names


@pytest.mark.parametrize("app", CHECKED_APPS)
def test_services_import_no_tasks_at_module_level(app):
    # Tasks import services; a service enqueues through task.delay_on_commit with the
    # task module imported in that function, so the two never import each other on load.
    tasks = "%s.tasks" % app
    offending = [
        str(path.relative_to(ROOT))
        for path in _sources(app)
        if "services" in path.relative_to(ROOT).parts or path.stem == "services"
        if any(
            name == tasks or name.startswith(tasks + ".")
            for name in _module_level_imports(_tree(path))
        )
    ]
    assert offending == []


def test_the_tasks_check_sees_from_app_import_tasks():
    tree = ast.parse(
        "from notices import capacity, tasks\n\ndef f():\n    import notices.letters\n"
    )
    assert _module_level_imports(tree) == {"notices", "notices.capacity", "notices.tasks"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Project module → the project modules it imports, at load or inside a function,
    except the one written-down exception: a service importing its own app's tasks
    inside the function that enqueues (README, "Architecture")."""
    paths = [path for app in CHECKED_APPS for path in _sources(app)]
    known = {_module_name(path) for path in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        module = _module_name(path)
        tree = _tree(path)
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + ["%s.%s" % (node.module, a.name) for a in node.names]
            else:
                continue
            targets.update(name for name in names if name in known and name != module)
        app = module.split(".")[0]
        if ".services" in module or module.endswith("services"):
            targets.discard("%s.tasks" % app)
        graph[module] = targets
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of two or more modules (Tarjan), sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_circle_between_the_projects_modules():
    assert _circles(_import_graph()) == []


def test_the_circle_check_finds_a_circle_through_a_function():
    graph = {"a.x": {"a.y"}, "a.y": {"b.z"}, "b.z": {"a.x"}, "c": set()}
    assert _circles(graph) == [["a.x", "a.y", "b.z"]]


def _private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``from project.module import _name``: a module reaching into another's private
    helpers (a helper two modules need is public where it lives)."""
    return [
        "%s:%s imports %s.%s" % (path.relative_to(root), node.lineno, node.module, alias.name)
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        if node.module.split(".")[0] in CHECKED_APPS
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


@pytest.mark.parametrize("app", CHECKED_APPS)
def test_no_module_imports_another_modules_private_names(app):
    offending = [entry for path in _sources(app) for entry in _private_imports(path)]
    assert offending == []


def test_the_private_import_check_finds_one(tmp_path):
    # given a view that borrows another view module's private helper
    source = tmp_path / "manage.py"
    source.write_text("from reservations.views.booking import _month_from, day_page\n")
    # then the check names it, and only it
    assert _private_imports(source, root=tmp_path) == [
        "manage.py:1 imports reservations.views.booking._month_from"
    ]
