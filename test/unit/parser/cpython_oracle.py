"""CPython oracle for the parser tests (run by differential.test.ts and errors.test.ts).

Modes:
  stdlib [SAMPLE_SIZE]  walk the stdlib (site-packages excluded), report for every UTF-8 file
                        whether ast.parse accepts it, and for a deterministic sample the
                        definitions and name references with UTF-16 columns.
  entries               read a JSON list of snippets on stdin; report the same canonical
                        list as `stdlib` for each.
  errors                read a JSON list of snippets on stdin; report CPython's SyntaxError
                        for each (compile(), as lazycon/thunder would see it).
Output is one JSON document on stdout.
"""
import ast
import json
import os
import sys
import sysconfig
from multiprocessing import Pool


def split_lines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def utf16_col(line_text, byte_col):
    prefix = line_text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace")
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in prefix)


def entries(tree, lines):
    out = []

    def pos(node):
        start_line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
        end_line = lines[node.end_lineno - 1] if 0 < node.end_lineno <= len(lines) else ""
        return [
            node.lineno - 1,
            utf16_col(start_line, node.col_offset),
            node.end_lineno - 1,
            utf16_col(end_line, node.end_col_offset),
        ]

    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.append(["Name", node.id, type(node.ctx).__name__] + pos(node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append([type(node).__name__, node.name, ""] + pos(node))
        elif isinstance(node, ast.arg):
            out.append(["arg", node.arg, ""] + pos(node))
        elif isinstance(node, ast.alias):
            out.append(["alias", node.name, node.asname or ""] + pos(node))
    out.sort()
    return out


def check_file(job):
    path, want_entries = job
    try:
        with open(path, "rb") as f:
            data = f.read()
        # Like reading a source file: a leading byte-order mark is not part of the text.
        text = data.decode("utf-8-sig")
    except (UnicodeDecodeError, OSError):
        return {"path": path, "skipped": True}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as e:
        return {"path": path, "ok": False, "message": str(getattr(e, "msg", e))}
    result = {"path": path, "ok": True}
    if want_entries:
        result["entries"] = entries(tree, split_lines(text))
    return result


def stdlib(sample_size):
    root = sysconfig.get_paths()["stdlib"]
    paths = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != "site-packages")
        for name in sorted(files):
            if name.endswith(".py"):
                paths.append(os.path.join(directory, name))
    paths.sort()
    step = max(1, len(paths) // sample_size)
    jobs = [(p, i % step == 0) for i, p in enumerate(paths)]
    with Pool(max(1, min(4, os.cpu_count() or 1))) as pool:
        results = pool.map(check_file, jobs, chunksize=16)
    json.dump({"root": root, "files": results}, sys.stdout)


def entries_of_snippets():
    snippets = json.load(sys.stdin)
    out = []
    for source in snippets:
        try:
            tree = ast.parse(source)
        except SyntaxError as e:
            out.append({"error": e.msg})
            continue
        out.append({"entries": entries(tree, split_lines(source))})
    json.dump(out, sys.stdout)


def errors():
    snippets = json.load(sys.stdin)
    out = []
    for source in snippets:
        try:
            compile(source, "<snippet>", "exec")
            out.append(None)
        except SyntaxError as e:
            lines = split_lines(source)
            line = e.lineno or 0
            text = lines[line - 1] if 0 < line <= len(lines) else ""
            col = (e.offset or 1) - 1
            out.append(
                {
                    "kind": type(e).__name__,
                    "message": e.msg,
                    "line": line - 1,
                    # Offsets of tokenizer errors count characters, parser ones UTF-8 bytes;
                    # the tests only compare columns on ASCII lines.
                    "column": col,
                    "ascii": text.isascii(),
                }
            )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "stdlib":
        stdlib(int(sys.argv[2]) if len(sys.argv) > 2 else 150)
    elif sys.argv[1] == "entries":
        entries_of_snippets()
    else:
        errors()
