"""`thunder start EXP [NODE]`: pretends to train one node and leaves a Lightning-like checkpoint."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .errors import Aborted, Crash

EPOCHS = 3


def load_nodes(experiment: Path) -> list[str]:
    path = experiment / "nodes.json"
    if not path.exists():
        return []
    return [str(node["name"]) for node in json.loads(path.read_text(encoding="utf-8"))]


def node_folder(experiment: Path, node: str | None) -> Path:
    return experiment if node is None else experiment / f"fold_{node}"


def should_fail(experiment: Path, node: str | None) -> bool:
    """THUNDER_STANDIN_FAIL: comma-separated `EXP` or `EXP:NODE`, EXP being the folder name or path."""
    for item in filter(None, os.environ.get("THUNDER_STANDIN_FAIL", "").split(",")):
        target, _, wanted_node = item.partition(":")
        if target in (experiment.name, str(experiment)) and (not wanted_node or wanted_node == node):
            return True
    return False


def start(experiment_arg: str, node: str | None) -> int:
    experiment = Path(experiment_arg)
    if not experiment.is_absolute():
        raise Aborted("The `experiment` argument must be an absolute.")
    if not (experiment / "experiment.config").is_file():
        raise Crash("FileNotFoundError", f"[Errno 2] No such file or directory: '{experiment / 'experiment.config'}'")
    nodes = load_nodes(experiment)
    if node is None and len(nodes) > 1:
        raise Crash("ValueError", f"The experiment {experiment} has the nodes {nodes}: name the one to start")
    if node is None and len(nodes) == 1:
        node = nodes[0]
    if node is not None and node not in nodes:
        raise Crash("KeyError", repr(node))

    folder = node_folder(experiment, node)
    checkpoint = folder / "checkpoints" / "last.ckpt"
    label = experiment.name if node is None else f"{experiment.name}({node})"
    seconds = float(os.environ.get("THUNDER_STANDIN_TRAIN_SECONDS", "0.2"))
    if checkpoint.exists():
        print(f"Restoring states from the checkpoint path at {checkpoint}", flush=True)
    print(f"[thunder stand-in] training {label} in {folder}", flush=True)
    for epoch in range(EPOCHS):
        time.sleep(seconds / EPOCHS)
        if should_fail(experiment, node) and epoch == 1:
            print("Traceback (most recent call last):", flush=True)
            print(f'  File "{folder / "experiment.config"}", line 1, in <module>')
            print(f"RuntimeError: THUNDER_STANDIN_FAIL asked {label} to fail in epoch {epoch}", flush=True)
            return 1
        print(f"Epoch {epoch}: 100%|##########| 4/4 [00:00<00:00] loss={0.9 / (epoch + 1):.4f}", flush=True)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    checkpoint.write_bytes(f"stand-in checkpoint of {label}, epochs={EPOCHS}\n".encode())
    print(f"`Trainer.fit` stopped: `max_epochs={EPOCHS}` reached.", flush=True)
    return 0
