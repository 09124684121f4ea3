"""initialize / initialized / configuration: settings from every source, problems as messages."""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from hpclsp.server import workspace_root_from

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)


def register(ls: HpcLanguageServer) -> None:
    """Register the lifecycle and configuration handlers."""

    @ls.feature(types.INITIALIZE)
    def on_initialize(ls: HpcLanguageServer, params: types.InitializeParams) -> None:
        ls.workspace_root = workspace_root_from(params)
        ls.init_options = params.initialization_options
        problems = ls.load_toml()
        problems += ls.recompute_settings()
        ls.startup_problems = problems

    @ls.feature(types.INITIALIZED)
    async def on_initialized(ls: HpcLanguageServer, params: types.InitializedParams) -> None:
        problems, ls.startup_problems = ls.startup_problems, []
        for p in problems:
            ls.show_message(p)
        await pull_configuration(ls)
        ls.run_initialized_listeners()
        if not _supports_watch(ls):
            return
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="hpclsp-watch-toml",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[types.FileSystemWatcher(glob_pattern="**/hpclsp.toml")]
                            ),
                        )
                    ]
                )
            )
        except Exception:
            log.debug("file watching not available", exc_info=True)

    @ls.feature(types.EXIT)
    def on_exit(ls: HpcLanguageServer, params: None) -> None:
        # Background work (an index build, a model load, a generation) must not keep the process
        # alive after `exit`, and interpreter shutdown while a worker thread is inside torch or
        # llama.cpp can abort. The shutdown response went out before `exit`, so end here.
        code = 0 if ls.protocol._shutdown else 1
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_change_configuration(
        ls: HpcLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("hpclsp"), dict):
            apply_client_settings(ls, settings["hpclsp"])
        else:
            await pull_configuration(ls)

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def on_watched(ls: HpcLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(c.uri.endswith("hpclsp.toml") for c in params.changes):
            problems = ls.load_toml()
            problems += ls.recompute_settings()
            for p in problems:
                ls.show_message(p)
            ls.reanalyze_all()


def _supports_watch(ls: HpcLanguageServer) -> bool:
    caps = ls.client_capabilities
    ws = caps.workspace if caps else None
    return bool(ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration)


def _supports_configuration(ls: HpcLanguageServer) -> bool:
    caps = ls.client_capabilities
    return bool(caps and caps.workspace and caps.workspace.configuration)


async def pull_configuration(ls: HpcLanguageServer) -> None:
    """Ask the client for the `hpclsp` section and apply it."""
    if not _supports_configuration(ls):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="hpclsp")])
        )
    except Exception as exc:
        log.warning("workspace/configuration failed: %s", exc)
        return
    apply_client_settings(ls, result[0] if result else None)


def apply_client_settings(ls: HpcLanguageServer, data: Any) -> None:
    """Apply settings the client sent; report problems; re-analyse open documents."""
    old = ls.settings
    ls.client_settings = data if isinstance(data, dict) else None
    if data is not None and not isinstance(data, dict):
        ls.show_message(
            f"settings section 'hpclsp' must be an object, got {type(data).__name__}; using defaults"
        )
    for p in ls.recompute_settings():
        ls.show_message(p)
    if ls.settings != old:
        ls.reanalyze_all()
