"""``hpclsp demo``: a scripted LSP session over stdio against ``examples/``, printed as an editor would show it."""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from typing import Any

HELP = "run a scripted LSP session against examples/ and print what an editor would show"

SEVERITY = {1: "error", 2: "warning", 3: "info", 4: "hint"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp demo``."""
    p.add_argument(
        "--examples", default=None, help="directory of example programs (default: the repository's examples/)"
    )
    p.add_argument("--no-model", action="store_true", help="skip the inline completion from the model")
    p.add_argument("--model-timeout", type=float, default=120.0, help="seconds to wait for the model to load")


def _examples_dir(arg: str | None) -> pathlib.Path:
    if arg:
        return pathlib.Path(arg)
    return pathlib.Path(__file__).resolve().parents[2] / "examples"


def _lang(path: pathlib.Path) -> str:
    from hpclsp.analysis.languages import language_for_path

    lang = language_for_path(str(path)) or "c"
    return "cuda-cpp" if lang == "cuda" else lang


def _find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, UTF-16 column) of the nth occurrence of needle (ASCII examples)."""
    idx = -1
    for _ in range(nth + 1):
        idx = text.index(needle, idx + 1)
    before = text[:idx]
    return before.count("\n"), idx - (before.rfind("\n") + 1)


def _section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def run(args: argparse.Namespace) -> int:
    """Drive the real server and print each answer."""
    from hpclsp.stdio_client import Client

    root = _examples_dir(args.examples)
    files = sorted(p for p in root.iterdir() if p.suffix in (".c", ".cu", ".f90", ".cpp"))
    if not files:
        print(f"hpclsp demo: no example programs in {root}", file=sys.stderr)
        return 2
    client = Client()
    options: dict[str, Any] = {"model": {"backend": "none" if args.no_model else "llama-cpp"}}
    t_init = client.initialize(options, root=root)
    print(
        f"hpclsp demo: server answered initialize in {t_init * 1000:.0f} ms (model loads in the background)"
    )
    try:
        _section("Diagnostics")
        texts = _diagnostics(client, files)
        _section("Code actions")
        _code_actions(client, files, texts)
        _section("Hover")
        _hover(client, root, texts)
        _section("Completion")
        _completion(client, root)
        if not args.no_model:
            _section("Inline completion (embedded model)")
            _inline(client, root, args.model_timeout)
    finally:
        client.close()
    return 0


def _diagnostics(client: Any, files: list[pathlib.Path]) -> dict[str, str]:
    """Open every example, print the diagnostics published for it; the texts by file name."""
    texts: dict[str, str] = {}
    for path in files:
        uri = path.as_uri()
        text = path.read_text()
        texts[path.name] = text
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": _lang(path), "version": 1, "text": text}},
        )
        _, diags = client.wait_diagnostics(uri, 1, timeout=60)
        print(f"{path.name}: {len(diags)} diagnostic(s)")
        for d in diags:
            r = d["range"]["start"]
            print(
                f"  {path.name}:{r['line'] + 1}:{r['character'] + 1} {SEVERITY.get(d.get('severity', 1))} [{d.get('code')}] {d['message']}"
            )
            for rel in d.get("relatedInformation") or []:
                rs = rel["location"]["range"]["start"]
                print(f"      related {rs['line'] + 1}:{rs['character'] + 1}: {rel['message']}")
    return texts


def _code_actions(client: Any, files: list[pathlib.Path], texts: dict[str, str]) -> None:
    """Print the parallelisation actions offered on the first loops that have some (two at most)."""
    shown = 0
    for path in files:
        for line_no, line in enumerate(texts[path.name].splitlines()):
            stripped = line.lstrip()
            if not (stripped.startswith("for (") or stripped.lower().startswith("do ")):
                continue
            shown += _loop_actions(client, path, line_no, line)
            if shown >= 2:
                return
    if not shown:
        print("(no parallelization action offered on the examples)")


def _loop_actions(client: Any, path: pathlib.Path, line_no: int, line: str) -> int:
    """Print the rewrite actions offered on one loop header line; how many there were."""
    rng = {
        "start": {"line": line_no, "character": 0},
        "end": {"line": line_no, "character": len(line)},
    }
    actions = (
        client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": path.as_uri()},
                "range": rng,
                "context": {"diagnostics": [], "only": ["refactor.rewrite"]},
            },
        )
        or []
    )
    for a in actions:
        print(f"{path.name}:{line_no + 1}: {a['title']}  ({a.get('kind')})")
        for edits in (a.get("edit") or {}).get("changes", {}).values():
            for e in edits:
                print(f"    insert at line {e['range']['start']['line'] + 1}: {e['newText']!r}")
    return len(actions)


def _hover(client: Any, root: pathlib.Path, texts: dict[str, str]) -> None:
    """Print the hover shown on a few MPI, OpenMP and CUDA names of the examples."""
    for name, needle in (
        ("halo.c", "MPI_Irecv"),
        ("jacobi.c", "reduction"),
        ("reduce.cu", "__syncthreads"),
    ):
        if name not in texts:
            continue
        h_line, h_col = _find(texts[name], needle)
        res = client.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": (root / name).as_uri()},
                "position": {"line": h_line, "character": h_col + 1},
            },
        )
        value = (
            (res or {}).get("contents", {}).get("value", "")
            if isinstance((res or {}).get("contents"), dict)
            else ""
        )
        print(f"{name}:{h_line + 1}:{h_col + 1} hover on {needle}:")
        print("    " + ("\n    ".join(value.strip().splitlines()[:8]) if value else "(nothing)"))


def _completion(client: Any, root: pathlib.Path) -> None:
    """Print the clause completions offered inside an OpenMP pragma."""
    uri = (root / "_demo_completion.c").as_uri()
    text = "void f(double *a, int n) {\n    double sum = 0;\n#pragma omp parallel for re\n}\n"
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}},
    )
    res = client.request(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 27}},
    )
    items = (res or {}).get("items", []) if isinstance(res, dict) else (res or [])
    print(f"after '#pragma omp parallel for re': {', '.join(i['label'] for i in items[:10]) or '(no items)'}")


def _inline(client: Any, root: pathlib.Path, timeout: float) -> None:
    uri = (root / "_demo_inline.c").as_uri()
    text = "#include <omp.h>\n\ndouble dot(const double *x, const double *y, int n)\n{\n    double s = 0.0;\n#pragma omp parallel for reduction(+:s)\n    for (int i = 0; i < n; i++)\n        "
    client.notify(
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": uri,
                "languageId": "c",
                "version": 1,
                "text": text + "\n    return s;\n}\n",
            }
        },
    )
    lines = text.split("\n")
    pos = {"line": len(lines) - 1, "character": len(lines[-1])}
    deadline = time.perf_counter() + timeout
    while True:
        t0 = time.perf_counter()
        try:
            res = client.request(
                "textDocument/inlineCompletion",
                {"textDocument": {"uri": uri}, "position": pos, "context": {"triggerKind": 1}},
                timeout=timeout,
            )
        except Exception as exc:
            print(f"(inline completion failed: {exc})")
            return
        items = (res or {}).get("items", []) if isinstance(res, dict) else (res or [])
        if items:
            insert = items[0]["insertText"]
            insert = insert if isinstance(insert, str) else insert.get("value", "")
            print(
                f"at line {pos['line'] + 1} after '{lines[-1].strip() or '<indent>'}' ({(time.perf_counter() - t0) * 1000:.0f} ms):"
            )
            print("    " + "\n    ".join(insert.splitlines() or [repr(insert)]))
            return
        if time.perf_counter() > deadline:
            print("(no inline completion: the model did not answer in time; see `hpclsp doctor`)")
            return
        time.sleep(1.0)
