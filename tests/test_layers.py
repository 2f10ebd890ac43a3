"""The layers show in the tree, and the pure core stands alone.

A newcomer should be able to import and test ``calendar_app.core`` without Flask,
a database driver or the rate limiter; and the flow runs one way: core <- data <-
reminders/mail <- web/cli, never back.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "calendar_app"
CORE_MODULES = sorted(
    f"calendar_app.core.{path.stem}"
    for path in (PACKAGE / "core").glob("*.py")
    if path.stem != "__init__"
)
HEAVY = ("flask", "werkzeug", "sqlalchemy", "flask_limiter", "flask_sqlalchemy", "psycopg")


def _imports(path: Path) -> set[str]:
    """Modules imported at run time (imports only for type checking don't count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            node.body = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_core_modules_exist() -> None:
    assert "calendar_app.core.occurrences" in CORE_MODULES
    assert "calendar_app.core.ics" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_alone(module: str) -> None:
    """Importing a core module in a fresh interpreter loads no web or database package."""
    code = (
        f"import sys, {module}\nprint(','.join(sorted(n for n in {HEAVY!r} if n in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} loads {result.stdout.strip()}"


def test_package_import_has_no_side_effects() -> None:
    code = "import sys, calendar_app\nprint(sorted(n for n in sys.modules if 'calendar_app' in n))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['calendar_app']"


LOWER_LAYERS = {
    # layer: the calendar_app layers it must not import
    "core": (
        "calendar_app.data",
        "calendar_app.web",
        "calendar_app.cli",
        "calendar_app.mail",
        "calendar_app.reminders",
        "calendar_app.app",
        "calendar_app.extensions",
    ),
    "data": (
        "calendar_app.web",
        "calendar_app.cli",
        "calendar_app.reminders",
        "calendar_app.mail",
        "calendar_app.app",
    ),
    "mail": ("calendar_app.web", "calendar_app.cli", "calendar_app.app"),
    "reminders": ("calendar_app.web", "calendar_app.cli", "calendar_app.app"),
}


@pytest.mark.parametrize("layer", sorted(LOWER_LAYERS))
def test_imports_flow_one_way(layer: str) -> None:
    offenders = []
    paths = sorted((PACKAGE / layer).glob("*.py"))
    assert paths, layer
    for path in paths:
        for name in _imports(path):
            if any(
                name == banned or name.startswith(banned + ".") for banned in LOWER_LAYERS[layer]
            ):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []
