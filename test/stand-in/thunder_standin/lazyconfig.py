"""Loads `.config` files the way lazycon does, as far as `thunder build` needs it.

Parses with Python's `ast`, resolves config parents (`from .base import *`, `from ..x.y import *`,
shortcut-free `from pkg.mod import *` searched on sys.path), applies the top-level structure rules and
flattens everything into one list of entries: a child overrides its parents, a later parent wins over
an earlier one. Only the checks listed in ../README.md are made; lazycon's whole-scope analysis
(undefined names, cycles, function bodies) is deliberately left out.
"""

from __future__ import annotations

import ast
import datetime
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Crash


class SemanticError(Crash):
    def __init__(self, message: str, path: Path, node: ast.AST | None = None):
        where = f'  File "{path}"' + (f", line {node.lineno}" if node is not None else "")
        position = f" at {node.lineno}:{node.col_offset}" if node is not None else ""
        super().__init__("lazycon.exceptions.SemanticError", message + position, where)


@dataclass
class Entry:
    """One top-level statement (or one alias of an import) that defines `names`."""

    node: ast.stmt
    source: str
    path: Path
    names: list[str]
    is_import: bool
    # Names this statement defines that a later definition replaced; rendered as the `_` wildcard.
    shadowed: set[str] = field(default_factory=set)

    def live_names(self) -> list[str]:
        return [name for name in self.names if name not in self.shadowed]

    def render(self) -> str:
        if not self.shadowed:
            return self.source
        node = ast.parse(self.source).body[0]
        for target in getattr(node, "targets", []):
            for name_node in ast.walk(target):
                if isinstance(name_node, ast.Name) and name_node.id in self.shadowed:
                    name_node.id = "_"
        return ast.unparse(node)


class FlatConfig:
    """Every entry in effect, in definition order (parents first)."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.owner: dict[str, Entry] = {}

    def define(self, entry: Entry) -> None:
        for name in entry.live_names():
            previous = self.owner.get(name)
            if previous is not None:
                previous.shadowed.add(name)
                if not previous.live_names():
                    self.entries.remove(previous)
            self.owner[name] = entry
        self.entries.append(entry)

    def merge(self, other: FlatConfig) -> None:
        for entry in other.entries:
            copy = Entry(entry.node, entry.source, entry.path, list(entry.names), entry.is_import, set(entry.shadowed))
            self.define(copy)

    def names(self) -> set[str]:
        return set(self.owner)

    def value_node(self, name: str) -> ast.expr | None:
        """The right-hand side defining `name`, when it is a plain `name = value` assignment."""
        entry = self.owner.get(name)
        if entry is None or not isinstance(entry.node, ast.Assign):
            return None
        if len(entry.node.targets) == 1 and isinstance(entry.node.targets[0], ast.Name):
            return entry.node.value
        return None

    def update(self, name: str, value: Any) -> None:
        """Replaces an entry with a literal value, like lazycon's `config.update(name=value)`."""
        text = f"{name} = {python_literal(name, value)}"
        node = ast.parse(text).body[0]
        self.define(Entry(node, text, Path("<update>"), [name], False))

    def render(self) -> str:
        imports = [entry.render() for entry in self.entries if entry.is_import]
        definitions = [entry.render() for entry in self.entries if not entry.is_import]
        parts = []
        if imports:
            parts.append("\n".join(imports))
        parts.extend(definitions)
        return "\n\n".join(parts) + "\n"


def python_literal(name: str, value: Any) -> str:
    """`repr` of a YAML value when that is Python source evaluating back to the value."""
    _check_writable(name, value)
    return repr(value)


def _check_writable(name: str, value: Any) -> None:
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return
    if isinstance(value, float):
        if math.isfinite(value):
            return
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            _check_writable(name, item)
        return
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_writable(name, key)
            _check_writable(name, item)
        return
    kind = "a date" if isinstance(value, (datetime.date, datetime.datetime)) else type(value).__name__
    raise Crash(
        "ValueError",
        f"Cannot write the value {value!r} of {name!r} back into the config: it is {kind}, "
        "which has no Python literal (quote it, e.g. -u 'NAME=\"2024-01-05\"', to pass a string)",
    )


def load(path: Path) -> FlatConfig:
    return _load(Path(path).absolute(), ())


def _load(path: Path, chain: tuple[Path, ...]) -> FlatConfig:
    if path in chain:
        raise Crash("RecursionError", f"The config {path} imports itself through its parents")
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Crash("FileNotFoundError", f"[Errno 2] No such file or directory: '{path}'") from None
    except IsADirectoryError:
        raise Crash("IsADirectoryError", f"[Errno 21] Is a directory: '{path}'") from None
    module = ast.parse(source, filename=str(path))  # SyntaxError: reported with CPython's message

    flat = FlatConfig()
    own: list[Entry] = []
    seen_definition = False
    seen_import = False
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            if seen_import or seen_definition:
                raise SemanticError("Starred imports are only allowed at the top of the config.", path, node)
            flat.merge(_load(_parent_path(node, path), (*chain, path)))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if seen_definition:
                raise SemanticError("Imports are only allowed before definitions.", path, node)
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                raise SemanticError("Relative imports are only supported for config files.", path, node)
            seen_import = True
            own.extend(_import_entries(node, path))
        elif isinstance(node, (ast.Assign, ast.FunctionDef)):
            seen_definition = True
            own.append(Entry(node, _statement_source(source, node), path, _defined_names(node, path), False))
        else:
            raise SemanticError("This syntactic structure is not supported.", path, node)

    counts: dict[str, int] = {}
    for entry in own:
        for name in entry.names:
            if name.startswith("__"):
                raise SemanticError("Dunder names are read-only", path, entry.node)
            counts[name] = counts.get(name, 0) + 1
    duplicates = sorted(name for name, count in counts.items() if count > 1)
    if duplicates:
        raise SemanticError(f"Duplicate definitions found in {path}: {', '.join(duplicates)}", path)
    for entry in own:
        flat.define(entry)
    return flat


def _parent_path(node: ast.ImportFrom, path: Path) -> Path:
    parts = (node.module or "").split(".")
    if node.level > 0:
        folder = path.parent
        for _ in range(node.level - 1):
            folder = folder.parent
        return folder.joinpath(*parts[:-1], parts[-1] + ".config")
    for root in sys.path:
        candidate = Path(root or ".").joinpath(*parts[:-1], parts[-1] + ".config")
        if candidate.is_file():
            return candidate.absolute()
    raise Crash("lazycon.exceptions.ConfigImportError", f'Parent config "{node.module}" not found while parsing "{path}"')


def _import_entries(node: ast.Import | ast.ImportFrom, path: Path) -> list[Entry]:
    entries = []
    for alias in node.names:
        suffix = f" as {alias.asname}" if alias.asname else ""
        if isinstance(node, ast.Import):
            text = f"import {alias.name}{suffix}"
            name = alias.asname or alias.name.split(".")[0]
        else:
            text = f"from {node.module} import {alias.name}{suffix}"
            name = alias.asname or alias.name
        entries.append(Entry(node, text, path, [name], True))
    return entries


def _defined_names(node: ast.Assign | ast.FunctionDef, path: Path) -> list[str]:
    if isinstance(node, ast.FunctionDef):
        return [node.name]
    names: list[str] = []
    for target in node.targets:
        names.extend(_target_names(target, path))
    if not names:
        raise SemanticError("The assignment target cannot completely consist of the `_` wildcard", path, node)
    return names


def _target_names(target: ast.expr, path: Path) -> list[str]:
    if isinstance(target, ast.Name):
        return [] if target.id == "_" else [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value, path)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element, path)]
    raise SemanticError("This assignment syntax is not supported", path, target)


def _statement_source(source: str, node: ast.stmt) -> str:
    """The statement's exact text, decorators included (columns are UTF-8 byte offsets)."""
    lines = source.splitlines(keepends=True)
    start_line, start_col = node.lineno, node.col_offset
    decorators = getattr(node, "decorator_list", [])
    if decorators:
        start_line, start_col = decorators[0].lineno, 0
    end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
    chunk = [line.encode("utf-8") for line in lines[start_line - 1 : end_line]]
    if len(chunk) == 1:
        return chunk[0][start_col:end_col].decode("utf-8")
    chunk[0] = chunk[0][start_col:]
    chunk[-1] = chunk[-1][:end_col]
    return b"".join(chunk).decode("utf-8")
