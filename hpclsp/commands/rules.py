"""``hpclsp rules``: list the rules; ``--markdown`` renders the README's rule and settings tables."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable

from hpclsp import config
from hpclsp.analysis.rules import all_rules

HELP = "list every rule (id, severity, summary); --update-readme regenerates the README tables"

MARKERS = {
    "rules": ("<!-- rules:start -->", "<!-- rules:end -->"),
    "settings": ("<!-- settings:start -->", "<!-- settings:end -->"),
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp rules``."""
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--markdown", dest="format", action="store_const", const="markdown")
    p.add_argument("--update-readme", metavar="README", help="rewrite the generated tables in this file")
    p.add_argument("--docs", action="store_true", help="print every rule's full documentation (Markdown)")


def rules_table() -> str:
    """The Markdown table of every rule."""
    rows = ["| code | family | severity | what it finds |", "|---|---|---|---|"]
    for r in all_rules():
        codes = ", ".join(f"`{c}`" for c in r.codes)
        rows.append(f"| {codes} | {r.family} | {r.severity.label} | {r.summary} |")
    return "\n".join(rows)


def settings_table() -> str:
    """The Markdown table of every setting."""
    rows = ["| setting | type | default |", "|---|---|---|"]
    for key, typ, default in config.describe_settings():
        rows.append(f"| `{key}` | {typ} | `{json.dumps(default)}` |")
    return "\n".join(rows)


def rules_docs() -> str:
    """Every rule's What / Why / Example sections."""
    out = ["# hpclsp rules", ""]
    for r in all_rules():
        out += [f"## {r.id}", "", f"*{r.family}, {r.severity.label}* — {r.summary}", ""]
        if len(r.codes) > 1 or r.codes[0] != r.id:
            out += ["Codes: " + ", ".join(f"`{c}`" for c in r.codes), ""]
        out += ["**What it does.** " + r.what, "", "**Why it matters.** " + r.why, ""]
        if r.example:
            out += ["**Example.**", "", "```", r.example, "```", ""]
    return "\n".join(out)


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement function returning replacement verbatim (no backslash processing)."""
    return lambda _m: replacement


def update_text(text: str) -> str:
    """Replace the generated blocks in a README's text."""
    for name, table in (("rules", rules_table()), ("settings", settings_table())):
        start, end = MARKERS[name]
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        text = pattern.sub(_literal(f"{start}\n{table}\n{end}"), text)
    return text


def run(args: argparse.Namespace) -> int:
    """Print or update."""
    if args.update_readme:
        with open(args.update_readme, encoding="utf-8") as fh:
            text = fh.read()
        new = update_text(text)
        with open(args.update_readme, "w", encoding="utf-8") as fh:
            fh.write(new)
        import os

        docs = os.path.join(os.path.dirname(os.path.abspath(args.update_readme)), "docs", "rules.md")
        with open(docs, "w", encoding="utf-8") as fh:
            fh.write(rules_docs() + "\n")
        return 0
    if args.docs:
        print(rules_docs())
    elif args.format == "markdown":
        print(rules_table())
    elif args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "codes": list(r.codes),
                        "family": r.family,
                        "severity": r.severity.label,
                        "summary": r.summary,
                    }
                    for r in all_rules()
                ],
                indent=2,
            )
        )
    else:
        for r in all_rules():
            print(f"{r.id:40} {r.severity.label:12} {r.summary}")
    return 0
