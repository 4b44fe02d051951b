"""Appends every invocation to $THUNDER_STANDIN_LOG so tests can see exactly which argv arrived."""

from __future__ import annotations

import json
import os
import time


def record(argv: list[str]) -> None:
    path = os.environ.get("THUNDER_STANDIN_LOG")
    if not path:
        return
    # ensure_ascii keeps undecodable bytes (surrogate escapes) as \udcXX instead of failing.
    line = json.dumps({"argv": argv, "cwd": os.getcwd(), "time": time.time(), "pid": os.getpid()}) + "\n"
    # One O_APPEND write per line: parallel invocations never interleave within a line.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode("utf-8", "surrogatepass"))
    finally:
        os.close(descriptor)
