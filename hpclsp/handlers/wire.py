"""The server's JSON converter: lsprotocol's, with a direct encoder for the diagnostics we publish.

Every edit republishes every diagnostic of the document (a 5,000-line Fortran file has about 200),
and cattrs' generic unstructuring of ``Diagnostic`` (optional fields, nested ranges, the ``data``
payload walked value by value) cost more than the analysis of the edited function. Our diagnostics
use a known subset of the fields and their ``data`` is already plain JSON (``Finding.data``), so
they are written directly; the output is the same JSON (``tests/unit/test_wire.py`` compares it
with lsprotocol's converter). ``publish`` goes one step further and hands over diagnostics already
in JSON form (``encoded_params``), which the converter passes through.
"""

from __future__ import annotations

from typing import Any, cast

import cattrs
from lsprotocol import types
from pygls.protocol import default_converter


def _range(r: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def diagnostic_json(d: types.Diagnostic, fallback: cattrs.Converter) -> dict[str, Any]:
    """A diagnostic as LSP JSON; fields this server never sets go through ``fallback``."""
    if d.tags is not None or not isinstance(d.code, (str, type(None))):
        return fallback.unstructure(d, unstructure_as=types.Diagnostic)
    out: dict[str, Any] = {"range": _range(d.range), "message": d.message}
    if d.severity is not None:
        out["severity"] = int(d.severity)
    if d.code is not None:
        out["code"] = d.code
    if d.code_description is not None:
        out["codeDescription"] = {"href": d.code_description.href}
    if d.source is not None:
        out["source"] = d.source
    if d.related_information is not None:
        out["relatedInformation"] = [
            {"location": {"uri": r.location.uri, "range": _range(r.location.range)}, "message": r.message}
            for r in d.related_information
        ]
    if d.data is not None:
        out["data"] = d.data
    return out


def encoded_params(
    uri: str, version: int | None, diagnostics: list[dict[str, Any]]
) -> types.PublishDiagnosticsParams:
    """publishDiagnostics params whose diagnostics are already LSP JSON (the converter passes them
    through; ``hpclsp.handlers.diagnostics.diagnostic_json`` writes them)."""
    return types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=cast(Any, diagnostics))


def _diagnostic_hook(fallback: cattrs.Converter) -> Any:
    def hook(d: Any) -> dict[str, Any]:
        return d if type(d) is dict else diagnostic_json(d, fallback)

    return hook


def converter() -> cattrs.Converter:
    """lsprotocol's converter with the direct diagnostic encoder registered."""
    conv = default_converter()
    conv.register_unstructure_hook(types.Diagnostic, _diagnostic_hook(default_converter()))
    return conv
