"""A small click-like command-line parser: enough of click's behaviour and wording for thunder's commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import UsageError


@dataclass
class Option:
    dest: str
    flags: list[str]
    help: str
    takes_value: bool = True
    multiple: bool = False
    value_type: str = "str"  # "str" or "int"
    default: Any = None
    metavar: str = "TEXT"

    def hint(self) -> str:
        return " / ".join(f"'{flag}'" for flag in sorted(self.flags, key=len))


@dataclass
class Argument:
    dest: str
    help: str
    required: bool = True
    variadic: bool = False


@dataclass
class Command:
    path: str  # e.g. "thunder backend add"
    help: str
    arguments: list[Argument] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)

    def usage(self) -> str:
        parts = [f"Usage: {self.path} [OPTIONS]"]
        for argument in self.arguments:
            name = argument.dest.upper() + ("..." if argument.variadic else "")
            parts.append(name if argument.required else f"[{name}]")
        return " ".join(parts)

    def help_text(self) -> str:
        lines = [self.usage(), "", f"  {self.help}", ""]
        if self.arguments:
            lines.append("Arguments:")
            for argument in self.arguments:
                required = "  [required]" if argument.required else ""
                lines.append(f"  {argument.dest.upper():<24}{argument.help}{required}")
            lines.append("")
        lines.append("Options:")
        for option in self.options:
            flags = ", ".join(sorted(option.flags, key=lambda flag: (not flag.startswith("--"), flag)))
            metavar = f" {option.metavar}" if option.takes_value else ""
            lines.append(f"  {flags + metavar:<38}{option.help}")
        lines.append(f"  {'--help':<38}Show this message and exit.")
        return "\n".join(lines) + "\n"


class HelpRequested(Exception):
    pass


def parse(command: Command, argv: list[str]) -> dict[str, Any]:
    """Parses argv like click: options anywhere, `--opt=value`, `-cVALUE`, `--` ends the options."""
    values: dict[str, Any] = {}
    for option in command.options:
        values[option.dest] = [] if option.multiple else option.default
    positionals: list[str] = []
    by_flag = {flag: option for option in command.options for flag in option.flags}
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token == "--":
            positionals.extend(argv[index:])
            break
        if token == "--help":
            raise HelpRequested()
        if not token.startswith("-") or token == "-":
            positionals.append(token)
            continue
        option, inline = _find_option(command, by_flag, token)
        if not option.takes_value:
            if inline is not None:
                raise UsageError(f"Option '{token.split('=', 1)[0]}' does not take a value.", command.path, command.usage())
            values[option.dest] = True
            continue
        if inline is None:
            if index >= len(argv):
                raise UsageError(f"Option '{token}' requires an argument.", command.path, command.usage())
            inline = argv[index]
            index += 1
        value = _convert(option, inline, command)
        if option.multiple:
            values[option.dest].append(value)
        else:
            values[option.dest] = value

    for argument in command.arguments:
        if argument.variadic:
            values[argument.dest] = positionals
            if argument.required and not positionals:
                raise UsageError(f"Missing argument '{argument.dest.upper()}...'.", command.path, command.usage())
            positionals = []
        elif positionals:
            values[argument.dest] = positionals.pop(0)
        elif argument.required:
            raise UsageError(f"Missing argument '{argument.dest.upper()}'.", command.path, command.usage())
        else:
            values[argument.dest] = None
    if positionals:
        raise UsageError(f"Got unexpected extra argument ({positionals[0]})", command.path, command.usage())
    return values


def _find_option(command: Command, by_flag: dict[str, Option], token: str) -> tuple[Option, str | None]:
    if token.startswith("--"):
        name, equals, inline = token.partition("=")
        if name in by_flag:
            return by_flag[name], inline if equals else None
        raise UsageError(f"No such option: {name}", command.path, command.usage())
    if token in by_flag:
        return by_flag[token], None
    short = token[:2]
    if short in by_flag and by_flag[short].takes_value:
        return by_flag[short], token[2:]
    raise UsageError(f"No such option: {short}", command.path, command.usage())


def _convert(option: Option, raw: str, command: Command) -> Any:
    if option.value_type == "int":
        try:
            return int(raw.strip())
        except ValueError:
            raise UsageError(
                f"Invalid value for {option.hint()}: {raw!r} is not a valid integer.", command.path
            ) from None
    return raw
