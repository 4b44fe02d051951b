"""`thunder wandb agent`: a W&B sweep agent whose "server" is a local YAML file.

$THUNDER_STANDIN_SWEEPS is a folder with `<entity>__<project>__<sweep id>.yaml` or
`<project>__<sweep id>.yaml`, each a list of runs: `- {id: abc123, params: {lr: 0.01}}`.
An agent claims a run by creating `<file stem>.claims/<run id>` with O_EXCL (atomic), so
agents started in parallel split the runs between them and no run is done twice.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import Aborted, Crash


def sweep_file(sweep: str) -> Path:
    folder = os.environ.get("THUNDER_STANDIN_SWEEPS")
    if not folder:
        raise Aborted("To use this command please install wandb: `pip install wandb` (stand-in: set THUNDER_STANDIN_SWEEPS)")
    parts = sweep.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise Crash("wandb.errors.UsageError", f"Invalid sweep id {sweep!r}: expected ENTITY/PROJECT/SWEEP_ID or PROJECT/SWEEP_ID")
    candidates = ["__".join(parts) + ".yaml"]
    if len(parts) == 3:
        candidates.append("__".join(parts[1:]) + ".yaml")
    for candidate in candidates:
        path = Path(folder) / candidate
        if path.is_file():
            return path
    raise Crash("wandb.errors.CommError", f"Sweep {sweep!r} not found (the stand-in looked for {' or '.join(candidates)} in {folder})")


def load_runs(path: Path) -> list[dict[str, Any]]:
    runs = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(runs, list) or not all(isinstance(run, dict) and "id" in run for run in runs):
        raise Crash("ValueError", f"{path} must be a list of runs like `- {{id: abc123, params: {{lr: 0.01}}}}`")
    return runs


def claim(path: Path, run_id: str) -> bool:
    claims = path.with_name(path.stem + ".claims")
    claims.mkdir(exist_ok=True)
    try:
        descriptor = os.open(claims / run_id, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    os.write(descriptor, f"{os.getpid()}\n".encode())
    os.close(descriptor)
    return True


def agent(sweep: str, run_one: Callable[[str, dict[str, Any]], int]) -> int:
    path = sweep_file(sweep)
    runs = load_runs(path)
    print(f"wandb: Starting wandb agent 🕵️  (stand-in, sweep {sweep})", flush=True)
    worst = 0
    for run in runs:
        run_id = str(run["id"])
        if not claim(path, run_id):
            continue
        params = run.get("params") or {}
        print(f"wandb: Agent Starting Run: {run_id} with config:", flush=True)
        for key, value in params.items():
            print(f"wandb: \t{key}: {value}", flush=True)
        os.environ["WANDB_RUN_ID"] = run_id
        os.environ["WANDB_SWEEP_ID"] = sweep.split("/")[-1]
        status = run_one(run_id, params)
        if status != 0:
            print(f"wandb: ERROR Run {run_id} errored (exit status {status})", flush=True)
        worst = max(worst, status)
    print("wandb: Sweep has no more runs for this agent.", flush=True)
    return worst
