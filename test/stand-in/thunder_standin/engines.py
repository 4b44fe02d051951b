"""The two engines (cli, slurm): their options, validation, and how they start `thunder start`."""

from __future__ import annotations

import datetime
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .args import Option
from .errors import Crash


@dataclass
class EngineOption:
    name: str
    flags: list[str]
    value_type: str  # "str" or "int"
    help: str


ENGINE_OPTIONS: dict[str, list[EngineOption]] = {
    "cli": [EngineOption("n_workers", ["--n-workers"], "int", "The number of worker processes to spawn")],
    "slurm": [
        EngineOption("ram", ["-r", "--ram", "--mem"], "str", "The amount of RAM required per node [K|M|G|T]."),
        EngineOption("cpu", ["-c", "--cpu", "--cpus-per-task"], "int", "Number of CPU cores to allocate."),
        EngineOption("gpu", ["-g", "--gpu", "--gpus-per-node"], "int", "Number of GPUs to allocate"),
        EngineOption("partition", ["-p", "--partition"], "str", "Request a specific partition."),
        EngineOption("nodelist", ["--nodelist"], "str", "Request a specific list of hosts, e.g. host[1-5,7]."),
        EngineOption("time", ["-t", "--time"], "str", "Limit on the total run time of the job allocation."),
        EngineOption("limit", ["--limit"], "int", "Limit the number of simultaneously running array tasks."),
    ],
}
ENGINE_DEFAULTS: dict[str, dict[str, Any]] = {
    "cli": {"n_workers": 1},
    "slurm": {option.name: None for option in ENGINE_OPTIONS["slurm"]},
}


def click_options(engine: str, stored: dict[str, Any]) -> list[Option]:
    return [
        Option(
            option.name,
            option.flags,
            f"[{engine} backend] {option.help}",
            value_type=option.value_type,
            default=stored.get(option.name),
            metavar="INTEGER" if option.value_type == "int" else "TEXT",
        )
        for option in ENGINE_OPTIONS[engine]
    ]


def validate_config(engine: str, raw: Any, where: str) -> dict[str, Any]:
    """pydantic's job in thunder: coerce types, reject unknown keys, normalise `time`, check `limit`."""
    if engine not in ENGINE_OPTIONS:
        raise Crash("KeyError", f"Unknown engine {engine!r} in {where}: thunder has the engines cli and slurm")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise Crash("pydantic.ValidationError", f"{where}: `config` must be a mapping of options, got {raw!r}")
    known = {option.name: option for option in ENGINE_OPTIONS[engine]}
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        raise Crash(
            "pydantic.ValidationError",
            f"{where}: unknown option(s) {', '.join(unknown)} for the {engine} backend; "
            f"known: {', '.join(known)}",
        )
    config = dict(ENGINE_DEFAULTS[engine])
    for key, value in raw.items():
        option = known[key]
        if value is None:
            config[key] = None
        elif option.value_type == "int":
            config[key] = _as_int(value, key, where)
        else:
            if isinstance(value, (dict, list)):
                raise Crash("pydantic.ValidationError", f"{where}: {key} must be a string, got {value!r}")
            config[key] = str(value)
    if engine == "slurm":
        if config["time"] is not None:
            config["time"] = parse_duration(config["time"])
        if config["limit"] is not None and config["limit"] <= 0:
            raise Crash("pydantic.ValidationError", "limit: The jobs limit, if specified, must be positive")
    return config


def _as_int(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise Crash("pydantic.ValidationError", f"{where}: {key} must be an integer, got {value!r}")
    try:
        return int(str(value).strip()) if not isinstance(value, float) else int(value)
    except ValueError:
        raise Crash("pydantic.ValidationError", f"{where}: {key} must be an integer, got {value!r}") from None


SLURM_TIME = re.compile(r"^(\d+-)?(\d{1,2})(:\d{1,2}){1,2}$")
HUMAN_UNITS = {
    "w": 604800, "week": 604800, "weeks": 604800,
    "d": 86400, "day": 86400, "days": 86400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
}  # fmt: skip
HUMAN_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")


def parse_duration(text: str) -> str:
    """Slurm forms pass unchanged; human forms (`5d`, `2h30m`, `90s`, `1.5 hours`) become D-HH:MM:SS."""
    if SLURM_TIME.match(text):
        return text
    seconds = _human_seconds(text)
    if seconds is None:
        raise Crash("pydantic.ValidationError", f"time: The time format could not be parsed: {text}")
    delta = datetime.timedelta(seconds=seconds)
    hours, remainder = divmod(delta.seconds, 3600)
    minutes, secs = divmod(remainder, 60)
    return f"{delta.days}-{hours:02}:{minutes:02}:{secs:02}"


def _human_seconds(text: str) -> int | None:
    compact = text.strip().lower()
    if re.fullmatch(r"\d+", compact):
        return int(compact)  # pytimeparse reads a bare number as seconds
    position = 0
    total = 0.0
    matched = False
    for part in HUMAN_PART.finditer(compact):
        between = compact[position : part.start()]
        if between.strip(" ,") or part.group(2) not in HUMAN_UNITS:
            return None
        total += float(part.group(1)) * HUMAN_UNITS[part.group(2)]
        position = part.end()
        matched = True
    if not matched or compact[position:].strip():
        return None
    return round(total)


def thunder_executable() -> str:
    """The stand-in itself: children and Slurm scripts call it by absolute path, PATH or not."""
    return str(Path(sys.argv[0]).absolute())


def run_cli(config: dict[str, Any], experiment: Path, nodes: list[str] | None) -> int:
    thunder = thunder_executable()
    if nodes is None:
        return subprocess.call([thunder, "start", str(experiment)])
    workers = max(1, int(config.get("n_workers") or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(lambda node: subprocess.call([thunder, "start", str(experiment), node]), nodes))
    return max((status if status >= 0 else 128 - status for status in statuses), default=0)


SLURM_ROOT = Path("~/.cache/thunder/slurm")


def unique_job_name(name: str) -> str:
    prefix = f"{name}-" if name else "j-"
    if prefix[0].isdigit():
        prefix = "j-" + prefix
    stamp = datetime.datetime.now().strftime("%Y-%b%d-%H-%M-%S").lower()
    return (prefix + stamp).replace("_", "-").replace(" ", "-").replace(":", "-")


def run_slurm(config: dict[str, Any], experiment: Path, nodes: list[str] | None, wait: bool = False) -> int:
    root = SLURM_ROOT.expanduser().absolute()
    (root / "cmdsh").mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(parents=True, exist_ok=True)
    name = experiment.name
    unique = unique_job_name(name)
    # Same experiment submitted twice within one second: keep both scripts (real thunder overwrites).
    base, counter = unique, 0
    while (root / "cmdsh" / f"{unique}_cmd.sh").exists():
        counter += 1
        unique = f"{base}_{counter}"

    thunder = shlex.quote(thunder_executable())
    args = ["sbatch"]
    if nodes:
        array = f"--array=1-{len(nodes)}"
        if config.get("limit") is not None:
            array += f"%{config['limit']}"
        args.append(array)
        log = root / "logs" / f"{unique}.o%A.%a"
        names = " ".join(shlex.quote(node) for node in sorted(nodes))
        body = [
            f"NODES=({names})",
            f'exec {thunder} start {shlex.quote(str(experiment))} "${{NODES[$((SLURM_ARRAY_TASK_ID - 1))]}}"',
        ]
    else:
        log = root / "logs" / f"{unique}.o%j"
        body = [f"exec {thunder} start {shlex.quote(str(experiment))}"]

    for flag, key in [("--mem", "ram"), ("--cpus-per-task", "cpu"), ("--gpus-per-node", "gpu"),
                      ("--partition", "partition"), ("--nodelist", "nodelist"), ("--time", "time")]:  # fmt: skip
        if config.get(key) is not None:
            args.extend([flag, str(config[key])])
            if key == "time":
                args.append("--signal=B:INT@30")
    args.extend(["--job-name", name, "--output", str(log), "--error", str(log)])
    if wait:
        args.append("--wait")
    script = root / "cmdsh" / f"{unique}_cmd.sh"
    script.write_text("\n".join(["#!/bin/bash", *body]) + "\n", encoding="utf-8")
    args.append(str(script))
    sys.stdout.flush()
    try:
        return subprocess.call(args, stderr=subprocess.STDOUT)
    except FileNotFoundError:
        raise Crash("FileNotFoundError", "[Errno 2] No such file or directory: 'sbatch' (is Slurm installed?)") from None


def run(engine: str, config: dict[str, Any], experiment: Path, nodes: list[str] | None, wait: bool = False) -> int:
    if engine == "slurm":
        return run_slurm(config, experiment, nodes, wait)
    return run_cli(config, experiment, nodes)

