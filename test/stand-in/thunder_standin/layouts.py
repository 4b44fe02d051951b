"""Writes experiment folders per the config's `layout` entry, reading the layout from its source.

The stand-in cannot evaluate configs, so it recognises the layout by the called name
(`Single`, `SingleSplit`, `FixedSingleSplit`, `Split`, `FixedSplit`) and finds the number of folds
in the source: `KFold(N)` / `n_splits=N` anywhere in the call, else the length of a literal list
given to `FixedSplit` or as `names=[...]`. Names are followed through other entries (`layout = Split(cv, ids)`
with `cv = KFold(5)`). split.json holds the ids split in order when they are a literal list or
`range(N)`, otherwise empty lists.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Any

from . import lazyconfig
from .errors import Crash

SINGLE_SPLITS = {"SingleSplit", "FixedSingleSplit"}
FOLD_SPLITS = {"Split", "FixedSplit"}


def build_experiment(config: lazyconfig.FlatConfig, experiment: Path, updates: dict[str, Any]) -> None:
    """thunder's build_exp: check update names, apply them, create EXP, write the layout; undo on failure."""
    missing = [name for name in updates if name not in config.names()]
    if missing:
        names = "{" + ", ".join(repr(name) for name in sorted(missing)) + "}"
        raise Crash("ValueError", f"The names {names} are missing from the config")
    for name, value in updates.items():
        config.update(name, value)

    experiment.mkdir(parents=True)
    try:
        _write_layout(config, experiment)
    except BaseException:
        shutil.rmtree(experiment, ignore_errors=True)
        raise


def _write_layout(config: lazyconfig.FlatConfig, experiment: Path) -> None:
    name = experiment.absolute().name
    layout = _resolve(config, config.value_node("layout"))
    kind = _called_name(layout)
    if kind in FOLD_SPLITS:
        assert isinstance(layout, ast.Call)
        folds = _fold_count(config, layout)
        ids = _literal_ids(config, layout.args[1] if len(layout.args) > 1 else None)
        (experiment / "experiment.config").write_text(config.render(), encoding="utf-8")
        nodes = [{"name": str(fold)} for fold in range(folds)]
        for fold in range(folds):
            folder = experiment / f"fold_{fold}"
            folder.mkdir()
            config.update("ExpName", f"{name}({fold})")
            config.update("GroupName", name)
            (folder / "experiment.config").write_text(config.render(), encoding="utf-8")
            _write_json(folder / "split.json", _fold_split(ids, fold, folds))
        _write_json(experiment / "nodes.json", nodes)
        return

    config.update("ExpName", name)
    config.update("GroupName", name)
    (experiment / "experiment.config").write_text(config.render(), encoding="utf-8")
    if kind in SINGLE_SPLITS:
        assert isinstance(layout, ast.Call)
        ids = _literal_ids(config, layout.args[0] if layout.args else None)
        _write_json(experiment / "split.json", _single_split(config, layout, ids))
    elif layout is not None and kind != "Single":
        source = ast.unparse(layout)
        raise Crash("ValueError", f"The stand-in thunder does not know the layout {source!r}")


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value), encoding="utf-8")


def _resolve(config: lazyconfig.FlatConfig, node: ast.expr | None, depth: int = 0) -> ast.expr | None:
    """Follows `x = y` chains between entries so `layout = my_layout` finds the real call."""
    while isinstance(node, ast.Name) and depth < 20:
        node = config.value_node(node.id)
        depth += 1
    return node


def _called_name(node: ast.expr | None) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _int_constant(config: lazyconfig.FlatConfig, node: ast.expr | None) -> int | None:
    node = _resolve(config, node)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _fold_count(config: lazyconfig.FlatConfig, layout: ast.Call) -> int:
    for call in _calls_within(config, layout):
        for keyword in call.keywords:
            if keyword.arg == "n_splits" and (count := _int_constant(config, keyword.value)) is not None:
                return count
        called = _called_name(call) or ""
        if called.endswith("Fold") and call.args and (count := _int_constant(config, call.args[0])) is not None:
            return count
    if _called_name(layout) == "FixedSplit" and layout.args:
        splits = _resolve(config, layout.args[0])
        if isinstance(splits, (ast.List, ast.Tuple)):
            return len(splits.elts)
    for keyword in layout.keywords:
        names = _resolve(config, keyword.value)
        if keyword.arg == "names" and isinstance(names, (ast.List, ast.Tuple)):
            return len(names.elts)
    raise Crash(
        "ValueError",
        f"The stand-in thunder cannot find the number of folds in {ast.unparse(layout)!r}: "
        "write KFold(N), n_splits=N or a literal list of splits",
    )


def _calls_within(config: lazyconfig.FlatConfig, layout: ast.Call) -> list[ast.Call]:
    calls: list[ast.Call] = []
    pending: list[ast.expr] = [layout]
    while pending and len(calls) < 100:
        node = pending.pop(0)
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                calls.append(child)
            elif isinstance(child, ast.Name) and (value := config.value_node(child.id)) is not None:
                pending.append(value)
    return calls


def _literal_ids(config: lazyconfig.FlatConfig, node: ast.expr | None) -> list[Any]:
    node = _resolve(config, node)
    if node is None:
        return []
    if _called_name(node) in ("list", "tuple", "sorted") and isinstance(node, ast.Call) and len(node.args) == 1:
        return _literal_ids(config, node.args[0])
    if _called_name(node) == "range" and isinstance(node, ast.Call):
        bounds = [_int_constant(config, arg) for arg in node.args]
        if bounds and all(bound is not None for bound in bounds) and len(bounds) <= 3:
            return list(range(*bounds))  # type: ignore[arg-type]
        return []
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return []
    return list(value) if isinstance(value, (list, tuple)) else []


def _single_split(config: lazyconfig.FlatConfig, layout: ast.Call, ids: list[Any]) -> dict[str, list[Any]]:
    fractions: list[tuple[str, float]] = []
    for keyword in layout.keywords:
        value = _resolve(config, keyword.value)
        if keyword.arg and isinstance(value, ast.Constant) and isinstance(value.value, (int, float)):
            fractions.append((keyword.arg, float(value.value)))
    if not fractions:
        fractions = [("train", 0.7), ("val", 0.3)]
    total = sum(fraction for _, fraction in fractions) or 1.0
    split: dict[str, list[Any]] = {}
    start = 0
    for index, (part, fraction) in enumerate(fractions):
        end = len(ids) if index == len(fractions) - 1 else start + round(len(ids) * fraction / total)
        split[part] = ids[start:end]
        start = end
    return split


def _fold_split(ids: list[Any], fold: int, folds: int) -> dict[str, list[Any]]:
    val = [item for index, item in enumerate(ids) if index % folds == fold]
    train = [item for index, item in enumerate(ids) if index % folds != fold]
    return {"train": train, "val": val}
