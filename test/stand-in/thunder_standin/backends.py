"""backends.yml: where it lives, how thunder reads, validates and rewrites it, and backend resolution."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

from . import engines
from .errors import Aborted, Crash

BUILTIN = ("cli", "slurm")


def storage_path() -> Path:
    """click's get_app_dir("thunder") (what Typer uses) + backends.yml."""
    if sys.platform == "darwin":
        folder = Path(os.path.expanduser("~/Library/Application Support")) / "thunder"
    elif sys.platform.startswith("win"):
        folder = Path(os.environ.get("APPDATA") or os.path.expanduser("~")) / "thunder"
    else:
        folder = Path(os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config"))) / "thunder"
    return folder / "backends.yml"


def load_entries() -> dict[str, dict[str, Any]]:
    """Every entry of backends.yml, validated; `meta` stays a key like in thunder."""
    path = storage_path()
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except yaml.YAMLError as error:
        raise Crash("yaml.YAMLError", f"{path} is not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Crash("AssertionError", f"{path} must hold a mapping of backends, got {type(data).__name__}")
    entries: dict[str, dict[str, Any]] = {}
    for name, raw in data.items():
        where = f"{path}: entry {name!r}"
        if not isinstance(raw, dict):
            raise Crash("pydantic.ValidationError", f"{where} must be a mapping, got {raw!r}")
        if name == "meta":
            default = raw.get("default")
            if not isinstance(default, str):
                raise Crash("pydantic.ValidationError", f"{where}: `default` must name a backend, got {default!r}")
            entries["meta"] = {"default": default}
            continue
        engine = raw.get("backend", "cli")
        if not isinstance(engine, str):
            raise Crash("pydantic.ValidationError", f"{where}: `backend` must be cli or slurm, got {engine!r}")
        entries[str(name)] = {"backend": engine, "config": engines.validate_config(engine, raw.get("config"), where)}
    return entries


def save_entries(entries: dict[str, dict[str, Any]]) -> None:
    with storage_path().open("w", encoding="utf-8") as stream:
        yaml.safe_dump(entries, stream)


def add(name: str, params: list[str], force: bool, create: bool) -> None:
    entries = load_entries()
    path = storage_path()
    if name in entries and not force:
        raise Aborted(
            f"Backend `{name}` is already present in {path}. If you want it to be overwritten, add --force flag."
        )
    options: dict[str, str] = {}
    for param in params:
        key, equals, value = param.partition("=")
        if not equals:
            raise Crash("ValueError", f"Backend parameters look like KEY=VALUE, got {param!r}")
        options[key] = value
    engine = options.pop("backend", "cli")
    entries[name] = {"backend": engine, "config": engines.validate_config(engine, options, f"backend {name!r}")}
    if not path.parent.exists() and not create:
        raise Aborted(f"Backends storage {path} does not exist, you can create it by adding --create to the command.")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    save_entries(entries)


def set_default(name: str) -> None:
    entries = load_entries()
    if name not in entries:
        raise Aborted(f"Specified backend `{name} is not among available configs: {sorted(entries)}`")
    entries["meta"] = {"default": name}
    save_entries(entries)


def remove(name: str) -> None:
    entries = load_entries()
    if name not in entries:
        raise Aborted(f"Backend `{name}` is not among your configs.")
    entries.pop(name)
    save_entries(entries)


def list_table(names: list[str]) -> str:
    entries = load_entries()
    lines: list[str] = []
    wanted = names or list(entries)
    extra = sorted(set(wanted) - set(entries))
    if extra:
        lines.append("These names are not among your configs: {" + ", ".join(repr(n) for n in extra) + "}")
    rows = [
        [name, str(entries[name]["backend"]), str(entries[name]["config"])]
        for name in sorted(set(wanted) - set(extra) - {"meta"})
    ]
    lines.extend(_table(f"Configs at {storage_path().resolve()}", ["Name", "Backend", "Parameters"], rows))
    if "meta" in entries:
        lines.append(f"Default is {entries['meta']['default']}")
    return "\n".join(lines) + "\n"


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """A rich-style box table (rich would also wrap long cells to the terminal width; this does not)."""
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    total = sum(widths) + 3 * len(widths) + 1
    cells = lambda row, bar: bar + bar.join(f" {cell:<{width}} " for cell, width in zip(row, widths)) + bar  # noqa: E731
    rule = lambda left, middle, right, line: left + middle.join(line * (w + 2) for w in widths) + right  # noqa: E731
    lines = [title.center(total).rstrip(), rule("┏", "┳", "┓", "━"), cells(header, "┃"), rule("┡", "╇", "┩", "━")]
    lines.extend(cells(row, "│") for row in rows)
    lines.append(rule("└", "┴", "┘", "─"))
    return lines


def resolve(requested: str | None) -> tuple[str, str, dict[str, Any]] | None:
    """(entry name, engine, stored options) the run uses, None when `--backend` must be given.

    As in thunder, the built-in `cli` and `slurm` shadow user entries of the same name.
    """
    entries = load_entries()
    meta = entries.pop("meta", None)
    configs: dict[str, dict[str, Any]] = dict(entries)
    for builtin in BUILTIN:
        configs[builtin] = {"backend": builtin, "config": dict(engines.ENGINE_DEFAULTS[builtin])}
    if requested is not None:
        if requested not in configs:
            raise Crash("ValueError", f"Specified backend `{requested} is not among available configs: {sorted(configs)}`")
        chosen = requested
    elif meta is not None:
        chosen = meta["default"]
        if chosen not in configs:
            raise Crash(
                "KeyError", f"The default backend {chosen!r} (meta.default in {storage_path()}) is not among your configs"
            )
    else:
        local = sorted(set(configs) - set(BUILTIN))
        if len(local) > 1:
            return None
        chosen = local[0] if local else "cli"
    entry = configs[chosen]
    return chosen, entry["backend"], dict(entry["config"])
