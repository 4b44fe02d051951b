"""thunder's command line: the commands, their options, and Typer/click-style output and exit codes.

Modules are imported where a command needs them: `thunder start` runs once per node and should start fast.
"""

from __future__ import annotations

import shutil
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

from . import invocation_log
from .args import Argument, Command, HelpRequested, Option, parse
from .errors import Aborted, Crash, UsageError

UPDATE = Option("update", ["-u", "--update"], "Overwrite specific config entries.", multiple=True)
OVERWRITE = Option("overwrite", ["-o", "--overwrite"], "If specified, overwrites target directory.", takes_value=False)
NAMES = Option("names", ["--names"], "Names of sub-experiments to start.")
CONFIG_ARG = Argument("config", "The config from which the experiment will be built.")
EXPERIMENT_ARG = Argument("experiment", "Path to the experiment.")

COMMAND_HELP = {
    "backend": "Commands for managing your backends.",
    "build": "Build an experiment.",
    "build-run": "A convenient combination of `build` and `run` commands.",
    "run": "Run a built experiment using a given backend.",
    "start": "Start a part of an experiment. Mainly used as an internal entrypoint for other commands.",
    "wandb": "Wrapper around W&B commands.",
}
BACKEND_HELP = {
    "add": "Add run config to the list of available configs.",
    "list": "Show parameters of specified backend(s).",
    "remove": "Delete backend from list.",
    "set": "Set specified backend from list of available backends as default.",
}


def main(argv: list[str]) -> int:
    invocation_log.record(argv)
    try:
        return _dispatch(argv)
    except HelpRequested:
        return 0
    except UsageError as error:
        sys.stderr.write(
            f"{error.usage}\nTry '{error.command} --help' for help.\n\nError: {error.message}\n"
        )
        return 2
    except Aborted as error:
        if error.message:
            print(error.message, flush=True)
        sys.stderr.write("Aborted!\n")
        return 1
    except Crash as error:
        sys.stdout.flush()
        where = error.where or '  File "thunder/cli/main.py", in <module>'
        sys.stderr.write(f"Traceback (most recent call last):\n{where}\n{error.exception_type}: {error.message}\n")
        return 1
    except SyntaxError as error:
        sys.stdout.flush()
        sys.stderr.write("Traceback (most recent call last):\n")
        sys.stderr.write("".join(traceback.format_exception_only(type(error), error)))
        return 1


def _group_help(path: str, commands: dict[str, str]) -> str:
    lines = [f"Usage: {path} [OPTIONS] COMMAND [ARGS]...", "", "Options:"]
    lines.append(f"  {'--help':<24}Show this message and exit.")
    lines += ["", "Commands:"] + [f"  {name:<12}{text}" for name, text in sorted(commands.items())]
    return "\n".join(lines) + "\n"


def _group(path: str, commands: dict[str, str], argv: list[str]) -> tuple[str, list[str]] | None:
    if not argv or argv[0] == "--help":
        sys.stdout.write(_group_help(path, commands))
        if not argv:
            raise UsageError("Missing command.", path)
        return None
    if argv[0] not in commands:
        raise UsageError(f"No such command '{argv[0]}'.", path)
    return argv[0], argv[1:]


def _dispatch(argv: list[str]) -> int:
    picked = _group("thunder", COMMAND_HELP, argv)
    if picked is None:
        return 0
    name, rest = picked
    handlers: dict[str, Callable[[list[str]], int]] = {
        "build": _build,
        "run": _run,
        "build-run": _build_run,
        "start": _start,
        "backend": _backend,
        "wandb": _wandb,
    }
    return handlers[name](rest)


def _parse(command: Command, argv: list[str]) -> dict[str, Any]:
    try:
        return parse(command, argv)
    except HelpRequested:
        sys.stdout.write(command.help_text())
        raise


# build -------------------------------------------------------------------------------------------


def _build_command(path: str = "thunder build") -> Command:
    return Command(path, COMMAND_HELP["build"], [CONFIG_ARG, EXPERIMENT_ARG], [OVERWRITE, UPDATE])


def _parse_updates(raw_updates: list[str]) -> dict[str, Any]:
    import yaml

    updates: dict[str, Any] = {}
    for raw in raw_updates:
        name, equals, value = raw.partition("=")
        if not equals:
            raise Crash("ValueError", f"not enough values to unpack (expected 2, got 1): -u expects NAME=VALUE, got {raw!r}")
        try:
            updates[name] = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise Crash("yaml.YAMLError", f"The value of -u {name} is not valid YAML: {error}") from None
    return updates


def build(config: str, experiment_arg: str, overwrite: bool, raw_updates: list[str]) -> None:
    from . import layouts, lazyconfig

    updates = _parse_updates(raw_updates)
    experiment = Path(experiment_arg)
    if experiment.exists():
        if not overwrite:
            raise Aborted(
                f'Cannot create an experiment in the folder "{experiment}", it already exists. '
                "If you want to overwrite it, use --overwrite / -o flag."
            )
        if experiment.is_dir() and not experiment.is_symlink():
            shutil.rmtree(experiment)
        else:
            experiment.unlink()
    layouts.build_experiment(lazyconfig.load(Path(config)), experiment, updates)


def _build(argv: list[str]) -> int:
    values = _parse(_build_command(), argv)
    build(values["config"], values["experiment"], values["overwrite"], values["update"])
    return 0


# run ---------------------------------------------------------------------------------------------


def _requested_backend(argv: list[str]) -> str | None:
    """Like thunder's BackendCommand: look at `--backend` before parsing, it decides the other options."""
    for index, token in enumerate(argv):
        if token == "--":
            return None
        if token == "--backend" and index + 1 < len(argv):
            return argv[index + 1]
        if token.startswith("--backend="):
            return token.split("=", 1)[1]
    return None


def _with_backend_options(command: Command, argv: list[str]) -> tuple[Command, tuple[str, str, dict] | None]:
    from . import backends, engines

    resolved = backends.resolve(_requested_backend(argv))
    choices = ", ".join(sorted(set(backends.load_entries()) - {"meta"} | set(backends.BUILTIN)))
    backend_help = f"The runner backend to use. Choices: {choices}."
    if resolved is None:
        command.options.append(Option("backend", ["--backend"], backend_help + "  [required]"))
    else:
        _, engine, stored = resolved
        command.options.append(Option("backend", ["--backend"], f"{backend_help} Currently using {engine}."))
        command.options.extend(engines.click_options(engine, stored))
    return command, resolved


def _engine_config(command: Command, values: dict[str, Any], resolved: tuple[str, str, dict] | None) -> tuple[str, dict]:
    from . import engines

    if resolved is None:
        raise UsageError("Missing option '--backend'.", command.path, command.usage())
    _, engine, stored = resolved
    merged = {key: values.get(key, stored.get(key)) for key in engines.ENGINE_DEFAULTS[engine]}
    return engine, engines.validate_config(engine, merged, "backend options")


def run(experiment_arg: str, names: str | None, engine: str, config: dict[str, Any], wait: bool = False) -> int:
    from . import engines, training

    experiment = Path(experiment_arg).absolute()
    if not experiment.exists():
        raise Aborted(f"Trying to run experiment from folder {experiment}, but it does not exist.")
    nodes = training.load_nodes(experiment)
    picked: list[str] | None
    if names is None:
        picked = nodes or None
    else:
        picked = names.split(",")
        unknown = [name for name in picked if name not in nodes]
        if unknown:
            raise Crash("KeyError", f"{unknown[0]!r} (the nodes of {experiment} are {nodes})")
    return engines.run(engine, config, experiment, picked, wait)


def _run(argv: list[str]) -> int:
    command, resolved = _with_backend_options(Command("thunder run", COMMAND_HELP["run"], [EXPERIMENT_ARG], [NAMES]), argv)
    values = _parse(command, argv)
    engine, config = _engine_config(command, values, resolved)
    return run(values["experiment"], values["names"], engine, config)


def _build_run(argv: list[str]) -> int:
    base = Command("thunder build-run", COMMAND_HELP["build-run"], [CONFIG_ARG, EXPERIMENT_ARG], [OVERWRITE, UPDATE, NAMES])
    command, resolved = _with_backend_options(base, argv)
    values = _parse(command, argv)
    engine, config = _engine_config(command, values, resolved)
    build(values["config"], values["experiment"], values["overwrite"], values["update"])
    return run(values["experiment"], values["names"], engine, config)


# start -------------------------------------------------------------------------------------------


def _start(argv: list[str]) -> int:
    from . import training

    command = Command(
        "thunder start",
        COMMAND_HELP["start"],
        [EXPERIMENT_ARG, Argument("name", "The name of the sub-experiment to start", required=False)],
    )
    values = _parse(command, argv)
    return training.start(values["experiment"], values["name"])


# backend -----------------------------------------------------------------------------------------


def _backend(argv: list[str]) -> int:
    from . import backends

    picked = _group("thunder backend", BACKEND_HELP, argv)
    if picked is None:
        return 0
    name, rest = picked
    path = f"thunder backend {name}"
    name_arg = Argument("name", "Name of the config from your list of backends.")
    if name == "add":
        command = Command(
            path,
            BACKEND_HELP["add"],
            [name_arg, Argument("params", "Parameters of added run config.", variadic=True)],
            [
                Option("force", ["-f", "--force"], "Forces overwriting of the same backend in .yml file.", takes_value=False),
                Option("create", ["-c", "--create"], "Creates .yml file with stored backends.", takes_value=False),
            ],
        )
        values = _parse(command, rest)
        backends.add(values["name"], values["params"], bool(values["force"]), bool(values["create"]))
    elif name == "set":
        values = _parse(Command(path, BACKEND_HELP["set"], [name_arg]), rest)
        backends.set_default(values["name"])
    elif name == "remove":
        values = _parse(Command(path, BACKEND_HELP["remove"], [name_arg]), rest)
        backends.remove(values["name"])
    else:
        names_arg = Argument("names", "Names of the configs from your list of backends.", required=False, variadic=True)
        values = _parse(Command(path, BACKEND_HELP["list"], [names_arg]), rest)
        sys.stdout.write(backends.list_table(values["names"]))
    return 0


# wandb -------------------------------------------------------------------------------------------


def _wandb(argv: list[str]) -> int:
    from . import layouts, lazyconfig, sweeps

    picked = _group("thunder wandb", {"agent": "Run a W&B sweep agent that builds and runs experiments."}, argv)
    if picked is None:
        return 0
    _, rest = picked
    base = Command(
        "thunder wandb agent",
        "Run a W&B sweep agent that builds and runs experiments.",
        [
            Argument("sweep", "The sweep id to run"),
            CONFIG_ARG,
            Argument("root", "Path to the experiments' root folder"),
        ],
        [NAMES],
    )
    command, resolved = _with_backend_options(base, rest)
    values = _parse(command, rest)
    engine, config = _engine_config(command, values, resolved)
    lazyconfig.load(Path(values["config"]))  # fail early on a broken config, like thunder does
    root = Path(values["root"])

    def run_one(run_id: str, params: dict[str, Any]) -> int:
        experiment = root / run_id
        try:
            layouts.build_experiment(lazyconfig.load(Path(values["config"])), experiment, dict(params))
            return run(str(experiment), values["names"], engine, config, wait=True)
        except (Crash, Aborted, OSError) as error:
            print(f"wandb: ERROR building or running {experiment}: {error}", flush=True)
            return 1

    return sweeps.agent(values["sweep"], run_one)
