"""The server's JSON converter: lsprotocol's, letting diagnostics already in JSON form through.

Every edit republishes every diagnostic of the document (a 5,000-line Fortran file has about 200),
and building and unstructuring that many validated ``Diagnostic`` objects cost more than the
analysis of the edited function. So ``publish`` writes findings straight to LSP JSON
(``hpclsp.handlers.diagnostics.diagnostic_json``, the one definition of a finding's diagnostic) and
hands them over in ``encoded_params``; the converter passes them through and unstructures any other
``Diagnostic`` (those inside code actions) as lsprotocol does.
"""

from __future__ import annotations

from typing import Any, cast

import cattrs
from lsprotocol import types
from pygls.protocol import default_converter


def encoded_params(
    uri: str, version: int | None, diagnostics: list[dict[str, Any]]
) -> types.PublishDiagnosticsParams:
    """publishDiagnostics params whose diagnostics are already LSP JSON (the converter passes them
    through; ``hpclsp.handlers.diagnostics.diagnostic_json`` writes them)."""
    return types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=cast(Any, diagnostics))


def _diagnostic_hook(fallback: cattrs.Converter) -> Any:
    def hook(d: Any) -> dict[str, Any]:
        return d if type(d) is dict else fallback.unstructure(d, unstructure_as=types.Diagnostic)

    return hook


def converter() -> cattrs.Converter:
    """lsprotocol's converter, passing through diagnostics already in JSON form."""
    conv = default_converter()
    conv.register_unstructure_hook(types.Diagnostic, _diagnostic_hook(default_converter()))
    return conv
