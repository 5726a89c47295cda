"""The layers of /work/shared/ARCHITECTURE.md, read from the imports themselves: arrows point down only.

Each module's imports are parsed with `ast` (those inside functions too) and resolved to module names; the rules
below fail on an import that points sideways between blueprints or up from a layer below them.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "webhook"
# The database drivers: only the storage layer speaks SQL.
DRIVERS = {"sqlite3", "psycopg", "psycopg_pool"}
# What storage may take from outside itself: modules that import nothing of ours.
STORAGE_MAY_IMPORT = {"vocabulary", "jsontext"}


def module_name(path: Path, root: Path) -> str:
    """Return the dotted name of a module file under the package `root` ("webhook.blueprints.api")."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path) -> bool:
    """Tell whether a dotted name is a module or package of the package at `root`."""
    path = root.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path: Path, root: Path) -> set[str]:
    """Return every module the file imports, relative imports resolved; `from x import y` names x.y if a module."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                found.add(f"{source}.{alias.name}" if is_module(f"{source}.{alias.name}", root) else source)
    return found


def blueprint(name: str) -> str:
    """Return the blueprint a module belongs to: "webhook.blueprints.openapi" for its package's modules too."""
    return ".".join(name.split(".")[:3])


def violations(root: Path) -> list[str]:
    """Return each import of the package at `root` that breaks a layer rule, as "module: why"."""
    top = root.name
    blueprints, storage = f"{top}.blueprints", f"{top}.storage"
    found = []
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        targets = imported(path, root)
        ours = {target for target in targets if target == top or target.startswith(top + ".")}
        in_blueprints = name.startswith(blueprints + ".")
        in_storage = name == storage or name.startswith(storage + ".")
        for target in sorted(ours):
            below = target.split(".")[1] if "." in target else ""  # the module or sub-package right under the top
            if target.startswith(blueprints + ".") and in_blueprints and blueprint(target) != blueprint(name):
                found.append(f"{name}: a blueprint imports another blueprint, {target}")
            elif below == "blueprints" and not in_blueprints and name != top:
                found.append(f"{name}: a module below the blueprints imports {target}")
            elif in_storage and below not in {"storage", *STORAGE_MAY_IMPORT}:
                found.append(f"{name}: storage imports {target}, above it")
            elif name == f"{top}.vocabulary":
                found.append(f"{name}: the vocabulary imports {target}; it is the bottom layer")
        for driver in sorted({target.split(".")[0] for target in targets} & DRIVERS):
            if not in_storage:
                found.append(f"{name}: imports the database driver {driver} outside {storage}")
    return found


def test_the_package_keeps_its_layers():
    assert violations(PACKAGE) == []


def test_the_rules_read_imports_inside_functions_and_relative_ones():
    names = imported(PACKAGE / "__init__.py", PACKAGE)
    assert {"webhook.blueprints.admin", "webhook.storage.connection", "webhook.config"} <= names


@pytest.mark.parametrize("module, source, broken", [
    ("blueprints/admin.py", "from .api import notification_json\n", "a blueprint imports another blueprint"),
    ("blueprints/api.py", "def f():\n    from ..blueprints import hooks\n", "a blueprint imports another blueprint"),
    ("web.py", "from .blueprints.api import bp\n", "a module below the blueprints imports"),
    ("present.py", "import app.blueprints.feed\n", "a module below the blueprints imports"),
    ("insight.py", "import sqlite3\n", "database driver sqlite3"),
    ("blueprints/feed.py", "from psycopg import sql\n", "database driver psycopg"),
    ("storage/event_store.py", "from ..present import event_json\n", "storage imports app.present"),
    ("vocabulary.py", "from .storage import event_store\n", "the vocabulary imports"),
])
def test_each_rule_fails_on_a_deliberate_violation(tmp_path, module, source, broken):
    root = tmp_path / "app"
    for quiet in ("__init__.py", "blueprints/__init__.py", "blueprints/hooks.py", "storage/__init__.py",
                  "storage/connection.py", "vocabulary.py", "jsontext.py"):
        (root / quiet).parent.mkdir(parents=True, exist_ok=True)
        (root / quiet).write_text("import json\n")
    (root / "storage" / "connection.py").write_text("import sqlite3\nfrom ..vocabulary import now_ms\nfrom .. import jsontext\n")
    (root / "__init__.py").write_text("from .blueprints import hooks\n")  # the wiring may import anything
    assert violations(root) == []
    (root / module).parent.mkdir(parents=True, exist_ok=True)
    (root / module).write_text(source)
    found = violations(root)
    assert len(found) == 1 and broken in found[0], found
