"""Regenerate the extension's settings in package.json from the server's own settings.

    python editors/vscode/scripts/sync_settings.py          # rewrite package.json
    python editors/vscode/scripts/sync_settings.py --check  # exit 1 when package.json has drifted

``contributes.configuration.properties`` gets one entry per ``hpclsp.config.describe_settings()``
row (type, default, ``enum`` from ``config.CHOICES``, ``minimum`` from ``config.MINIMA``), plus the
client-only settings (how to start the server, tracing). Descriptions and VS Code scopes are the
editor's own and live in ``META`` below; a server setting missing there still gets an entry with
a plain description, so adding a setting never breaks the build, only the drift test until this
script is run. ``capabilities.untrustedWorkspaces`` (Restricted Mode) lists the settings whose
workspace values VS Code must ignore in an untrusted folder: everything that names a program,
a model, an index or a remote server.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE_JSON = HERE.parent / "package.json"
ROOT = HERE.parents[2]

#: Settings only the extension reads (never sent to the server), first in the settings UI.
CLIENT_SETTINGS: dict[str, dict[str, Any]] = {
    "hpclsp.server.pythonPath": {
        "type": "string",
        "default": "",
        "scope": "machine",
        "markdownDescription": "A Python interpreter with hpclsp installed; the server runs as `python -m hpclsp serve`. Empty: use `hpclsp.server.path`, else `hpclsp` on PATH. Changing it restarts the server.",
    },
    "hpclsp.server.path": {
        "type": "string",
        "default": "",
        "scope": "machine",
        "markdownDescription": "An `hpclsp` executable (takes precedence over `pythonPath`). Changing it restarts the server.",
    },
    "hpclsp.server.args": {
        "type": "array",
        "default": [],
        "scope": "machine",
        "markdownDescription": 'Extra arguments after `serve` (e.g. `["--log-file", "/tmp/hpclsp.log"]`). Changing them restarts the server.',
        "items": {"type": "string"},
    },
    "hpclsp.server.env": {
        "type": "object",
        "default": {},
        "scope": "machine",
        "markdownDescription": "Extra environment variables for the server process. Changing them restarts the server.",
        "additionalProperties": {"type": "string"},
    },
}
TRAILING_CLIENT_SETTINGS: dict[str, dict[str, Any]] = {
    "hpclsp.trace.server": {
        "type": "string",
        "default": "off",
        "scope": "window",
        "markdownDescription": "Trace the LSP messages between VS Code and the server in the output channel.",
        "enum": ["off", "messages", "verbose"],
    },
}

#: VS Code scope and description of each server setting.
META: dict[str, tuple[str, str]] = {
    "hpclsp.model.backend": (
        "window",
        "Where inline completions and explanations come from: the local GGUF model (`llama-cpp`), an OpenAI-compatible server (`openai`), or nothing (`none`). Static analysis never needs a model. In an untrusted (Restricted Mode) folder the extension always uses `none`.",
    ),
    "hpclsp.model.path": (
        "machine",
        "A GGUF model file. Empty: the embedded model (`hpclsp.model.embedded`).",
    ),
    "hpclsp.model.embedded": (
        "machine",
        "Which embedded model runs when `hpclsp.model.path` is empty: `1.5b` (the default) or `0.5b` (faster, weaker).",
    ),
    "hpclsp.model.url": (
        "machine-overridable",
        "Base URL of an OpenAI-compatible server (backend `openai`).",
    ),
    "hpclsp.model.name": ("window", "Model name sent to the remote server (backend `openai`)."),
    "hpclsp.model.contextSize": ("window", "Context window of the local model, in tokens."),
    "hpclsp.model.threads": ("machine", "CPU threads for the local model (0: chosen by the server)."),
    "hpclsp.model.maxTokens": ("window", "Longest inline completion, in tokens."),
    "hpclsp.model.fallbackToLocal": (
        "window",
        "When the remote server (backend `openai`) cannot be reached, use the local model instead.",
    ),
    "hpclsp.model.apiKey": (
        "machine",
        "API key sent to the remote server (backend `openai`). Stored in your user settings in plain text.",
    ),
    "hpclsp.indexes": (
        "machine-overridable",
        "Extra documentation index directories (built with `hpclsp index build DOCS -o DIR`), searched with the built-in one, e.g. your site's documentation.",
    ),
    "hpclsp.embedder.path": (
        "machine",
        "A sentence-transformers model directory for the indexes. Empty: the embedded default.",
    ),
    "hpclsp.diagnostics.select": (
        "resource",
        "Only these rule ids or prefixes (e.g. `omp-race`, `mpi-`). Empty: all rules.",
    ),
    "hpclsp.diagnostics.ignore": (
        "resource",
        "Rule ids or prefixes to turn off (e.g. `cuda-unchecked-error`).",
    ),
    "hpclsp.diagnostics.lowConfidence": (
        "resource",
        "Also show findings of low confidence (e.g. races through indirect subscripts).",
    ),
    "hpclsp.diagnostics.debounceMs": (
        "window",
        "Pause in typing before a document is analysed again, in milliseconds.",
    ),
    "hpclsp.diagnostics.budgetMs": ("window", "Time budget for analysing one document, in milliseconds."),
    "hpclsp.diagnostics.workers": (
        "machine",
        "Processes besides the server that analyse a big file's functions side by side when it is opened (-1: one per further core, at most 3; 0: none).",
    ),
    "hpclsp.diagnostics.cudaCheckErrors": (
        "resource",
        "Warn about CUDA runtime calls whose returned error code is never checked.",
    ),
    "hpclsp.suggestions.hints": ("resource", "Show a hint on loops that can be parallelized."),
    "hpclsp.completion.inline.enabled": ("window", "Inline (ghost text) completions from the model."),
    "hpclsp.completion.inline.debounceMs": (
        "window",
        "Pause in typing before an inline completion is requested, in milliseconds.",
    ),
    "hpclsp.completion.inline.signatureContext": (
        "window",
        "Add the signature of the MPI/OpenMP/CUDA call being typed to the model's prompt (off: it lowered accuracy in our measurements).",
    ),
    "hpclsp.completion.verify": (
        "window",
        "What to do with a model completion that would add a data race: drop it, mark it, or keep it (`off`).",
    ),
    "hpclsp.logLevel": ("window", "Server log level (shown in the hpclsp output channel)."),
}

#: Settings whose workspace values Restricted Mode ignores (prefixes end with a dot).
RESTRICTED_PREFIXES = ("hpclsp.server.", "hpclsp.model.", "hpclsp.embedder.", "hpclsp.indexes")

UNTRUSTED_DESCRIPTION = (
    "In Restricted Mode hpclsp runs static analysis only (diagnostics, code actions, hover, "
    "completion from the built-in cards): the model backend is `none`, and the folder's own "
    "settings cannot choose the server program, a model, an index or a remote server."
)

_JSON_TYPES = {"str": "string", "int": "integer", "bool": "boolean", "float": "number"}


def _server_settings() -> list[tuple[str, str, Any]]:
    sys.path.insert(0, str(ROOT))
    from hpclsp import config

    return config.describe_settings()


def _constraints(key: str) -> dict[str, Any]:
    from hpclsp import config

    dotted = ".".join(config.to_snake(p) for p in key.removeprefix("hpclsp.").split("."))
    out: dict[str, Any] = {}
    if dotted in config.CHOICES:
        out["enum"] = list(config.CHOICES[dotted])
    if dotted in config.MINIMA:
        out["minimum"] = config.MINIMA[dotted]
    return out


def properties() -> dict[str, dict[str, Any]]:
    """The ``contributes.configuration.properties`` object, in display order."""
    props: dict[str, dict[str, Any]] = dict(CLIENT_SETTINGS)
    for key, typ, default in _server_settings():
        scope, text = META.get(key, ("window", f"`{key}` (see the hpclsp README)."))
        entry: dict[str, Any] = {
            "type": "array" if typ.startswith("a list") else _JSON_TYPES.get(typ, "string"),
            "default": default,
            "scope": scope,
            "markdownDescription": text,
        }
        entry.update(_constraints(key))
        if entry["type"] == "array":
            entry["items"] = {"type": "string"}
        props[key] = entry
    props.update(TRAILING_CLIENT_SETTINGS)
    return props


def restricted(props: dict[str, dict[str, Any]]) -> list[str]:
    """The settings Restricted Mode ignores in workspace settings."""
    return [k for k in props if k.startswith(RESTRICTED_PREFIXES)]


def render(manifest: dict[str, Any]) -> str:
    """package.json with the generated settings and Restricted Mode declaration."""
    out = json.loads(json.dumps(manifest))
    props = properties()
    out.setdefault("contributes", {}).setdefault("configuration", {})["title"] = "hpclsp"
    out["contributes"]["configuration"]["properties"] = props
    out.setdefault("capabilities", {})["untrustedWorkspaces"] = {
        "supported": "limited",
        "description": UNTRUSTED_DESCRIPTION,
        "restrictedConfigurations": restricted(props),
    }
    out["capabilities"]["virtualWorkspaces"] = {
        "supported": False,
        "description": "The server reads files from disk (hpclsp.toml, compile_commands.json).",
    }
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite package.json, or with --check report whether it differs from the generated one."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 when package.json differs")
    args = ap.parse_args(argv)
    current = PACKAGE_JSON.read_text(encoding="utf-8")
    wanted = render(json.loads(current))
    if current == wanted:
        print("package.json settings are up to date")
        return 0
    if args.check:
        print(
            "package.json settings differ from hpclsp.config: run `python editors/vscode/scripts/sync_settings.py`",
            file=sys.stderr,
        )
        return 1
    PACKAGE_JSON.write_text(wanted, encoding="utf-8")
    print(f"wrote {PACKAGE_JSON}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
