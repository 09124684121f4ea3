"""``hpclsp complete FILE:LINE:COL``: one inline completion from the configured model, printed.

LINE and COL are 1-based (COL counts characters). Settings come from ``hpclsp.toml`` in the
current directory (or ``--config``), overridden by the options. Exit 0 with a completion,
1 with none, 2 on usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

HELP = "print one inline completion from the configured model at FILE:LINE:COL (1-based)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp complete``."""
    p.add_argument("location", metavar="FILE:LINE:COL", help="where to complete (1-based line and column)")
    p.add_argument("--backend", choices=("llama-cpp", "openai", "none"), help="override model.backend")
    p.add_argument("--model", metavar="PATH", help="a GGUF file (model.path)")
    p.add_argument(
        "--embedded", choices=("1.5b", "0.5b"), help="embedded model when no path (model.embedded)"
    )
    p.add_argument("--url", help="OpenAI-compatible server URL (model.url)")
    p.add_argument("--name", help="model name sent to the server (model.name)")
    p.add_argument("--max-tokens", type=int, help="model.maxTokens")
    p.add_argument(
        "--signature-context",
        action="store_true",
        help="add the signature of the call being typed to the prompt (completion.inline.signatureContext)",
    )
    p.add_argument("--verify", choices=("drop", "mark", "off"), help="completion.verify")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--config", metavar="DIR", default=".", help="directory holding hpclsp.toml (default: .)")


def parse_location(loc: str) -> tuple[str, int, int]:
    """Split FILE:LINE:COL (the file name may contain colons); raises ValueError."""
    m = re.match(r"^(.*):(\d+):(\d+)$", loc)
    if not m:
        raise ValueError(f"expected FILE:LINE:COL, got {loc!r}")
    line, col = int(m.group(2)), int(m.group(3))
    if line < 1 or col < 1:
        raise ValueError("LINE and COL are 1-based")
    return m.group(1), line, col


def run(args: argparse.Namespace) -> int:
    """Load the model, complete once, print the completion."""
    from hpclsp import config
    from hpclsp.analysis import languages
    from hpclsp.llm.service import CompletionRequest, ModelService

    try:
        path, line, col = parse_location(args.location)
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8", errors="replace")
    except (ValueError, OSError) as exc:
        print(f"hpclsp complete: {exc}", file=sys.stderr)
        return 2
    lang = languages.language_for_path(path)
    if lang is None:
        print(f"hpclsp complete: {path}: not a C, C++, CUDA or Fortran file", file=sys.stderr)
        return 2
    lines = text.split("\n")
    if line > len(lines) or col > len(lines[line - 1]) + 1:
        print(f"hpclsp complete: {path}:{line}:{col} is outside the file", file=sys.stderr)
        return 2
    data, problems = config.read_toml(os.path.abspath(args.config))
    settings, more = config.from_dict(data)
    for p in problems + more:
        print(f"hpclsp complete: {p}", file=sys.stderr)
    m = settings.model
    for attr, value in (
        ("backend", args.backend),
        ("path", args.model),
        ("embedded", args.embedded),
        ("url", args.url),
        ("name", args.name),
        ("max_tokens", args.max_tokens),
    ):
        if value is not None:
            setattr(m, attr, value)
    svc = ModelService(
        m,
        verify_mode=args.verify or settings.completion.verify,
        notify=lambda s: print(f"hpclsp: {s}", file=sys.stderr),
    )
    try:
        svc.start().result()
        if svc.state == "failed":
            print(f"hpclsp complete: {svc.error}", file=sys.stderr)
            return 2
        res = svc.complete(
            CompletionRequest(
                text,
                lang,
                line - 1,
                col - 1,
                path=path,
                use_retrieval=args.signature_context or settings.completion.inline.signature_context,
            )
        )
    finally:
        svc.close()
    if args.format == "json":
        out = {
            "path": path,
            "line": line,
            "column": col,
            "text": res.text,
            "multiline": res.multiline,
            "source": res.source,
            "verified": res.verified,
            "findings": [f.to_json(path) for f in res.findings],
            "references": [s.title for s in res.snippets],
            "tokens": res.generation.tokens if res.generation else 0,
            "seconds": round(res.elapsed, 3),
        }
        print(json.dumps(out, indent=2))
    elif res.text:
        print(res.text)
    return 0 if res.text else 1
