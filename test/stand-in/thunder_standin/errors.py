"""Failures the stand-in reports the way thunder (Typer/click + Python tracebacks) would."""


class UsageError(Exception):
    """A click-style usage error: printed with the command's usage, exit status 2."""

    def __init__(self, message: str, command: str, usage: str = ""):
        super().__init__(message)
        self.message = message
        self.command = command
        self.usage = usage or f"Usage: {command} [OPTIONS] COMMAND [ARGS]..."


class Aborted(Exception):
    """thunder printed a message and raised `typer.Abort`: click then prints `Aborted!`, exit 1."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class Crash(Exception):
    """An uncaught Python exception inside thunder: a traceback ending in `TYPE: message`, exit 1."""

    def __init__(self, exception_type: str, message: str, where: str = ""):
        super().__init__(message)
        self.exception_type = exception_type
        self.message = message
        self.where = where
