"""Every storage write says whether it changes what visitors see (and so bumps the feed's version and ETag).

The writes are found by what they do, not from a list: a module-level function of webhook/storage/ that holds
INSERT/UPDATE/DELETE SQL, or calls write() / transaction(), or calls such a function.
"""
import ast
import importlib
import inspect
import pkgutil
import re
import textwrap

import webhook.storage
from webhook.storage import feed_versions

WRITE_SQL = re.compile(r"\b(INSERT|UPDATE|DELETE)\b")
# The write machinery: calling one of these makes a function a write; they are not writes of their own.
WRITE_CALLS = {"write", "transaction"}
# What a feed-changing write must reach: the bump itself, or a statement that does it.
BUMPS = {"bump_feeds", "bump_feed_for_new_event", "BUMP_FEED"}


def storage_functions() -> dict:
    """Return every function defined at the top of a storage module, by "module.function"."""
    found = {}
    for info in pkgutil.iter_modules(webhook.storage.__path__):
        module = importlib.import_module(f"webhook.storage.{info.name}")
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = inspect.unwrap(value)
    return found


def calls_and_sql(function) -> tuple[set[str], set[str], bool]:
    """Return the names a function calls, every name it reads, and whether it holds INSERT/UPDATE/DELETE SQL."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    called, named, sql = set(), set(), False
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and ast.get_docstring(node) is not None}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called.add(node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", ""))
        elif isinstance(node, ast.Name):
            named.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            sql = sql or bool(WRITE_SQL.search(node.value))
    # A parameter is not the module's function of that name (group_commit's commit_batch is handed transaction).
    parameters = {arg.arg for node in ast.walk(tree) if isinstance(node, ast.arguments)
                  for arg in (*node.posonlyargs, *node.args, *node.kwonlyargs)}
    return called - parameters, named, sql


def writes(functions: dict) -> dict[str, tuple[set[str], set[str]]]:
    """Return the storage functions that write, each with (the names it calls, every name it reads)."""
    used = {key: calls_and_sql(function) for key, function in functions.items()}
    short = {key: key.rsplit(".", 1)[1] for key in functions}
    found = {key for key, (called, _named, sql) in used.items() if (sql or called & WRITE_CALLS)}
    found = {key for key in found if short[key] not in WRITE_CALLS}
    while True:  # a function that calls a write is a write too
        more = {key for key, (called, _named, _sql) in used.items() if called & {short[k] for k in found}}
        more = {key for key in more - found if short[key] not in WRITE_CALLS}
        if not more:
            return {key: used[key][:2] for key in found}
        found |= more


def test_every_storage_write_says_whether_it_changes_the_feed():
    found = writes(storage_functions())
    assert len(found) > 20  # the search finds the writes: a broken one would pass everything below
    unclassified = sorted(set(found) - feed_versions.CHANGES_FEED - feed_versions.KEEPS_FEED)
    assert not unclassified, f"mark these @changes_feed or @keeps_feed (feed_versions.py): {unclassified}"
    both = sorted(feed_versions.CHANGES_FEED & feed_versions.KEEPS_FEED)
    assert not both, f"marked both ways: {both}"


def test_every_write_that_changes_the_feed_bumps_it_or_runs_inside_one_that_does():
    functions = storage_functions()
    found = writes(functions)
    short = {key: key.rsplit(".", 1)[1] for key in functions}

    def bumps(key: str, seen=()) -> bool:
        """Tell whether a function reaches a bump, itself or through the storage functions it calls."""
        called, named = found[key]
        inner = [k for k in found if short[k] in called and k not in seen]
        return bool((called | named) & BUMPS) or short[key] in BUMPS or any(bumps(k, (*seen, key)) for k in inner)

    for key in sorted(feed_versions.CHANGES_FEED):
        callers = [k for k in found if short[key] in found[k][0] and k != key]
        assert bumps(key) or (callers and all(bumps(k) for k in callers)), f"{key} changes the feed but never bumps it"


def test_the_marks_leave_the_functions_as_they_are():
    def job():
        """Do nothing."""

    assert feed_versions.keeps_feed(job) is job and feed_versions.changes_feed(job) is job
    assert f"{__name__}.test_the_marks_leave_the_functions_as_they_are.<locals>.job" in feed_versions.KEEPS_FEED
